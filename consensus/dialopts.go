package consensus

import (
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// insecureDial is the base of every peer connection: plain TCP unless a
// later option (Config.DialOptions) sets transport credentials.
func insecureDial() []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithInitialWindowSize(flowWindow),
		grpc.WithInitialConnWindowSize(flowWindow),
	}
}

// dialOptions are the options of this member's connections to peers.
func (n *Node) dialOptions() []grpc.DialOption {
	return append(insecureDial(), n.cfg.DialOptions...)
}
