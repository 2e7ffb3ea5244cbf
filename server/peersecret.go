package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// The cluster secret: every gRPC call between members (raft message
// streams, snapshots, join, remove, status) carries a token derived from
// the secret all members are configured with, and a node refuses calls
// without the right token (Unauthenticated). A process that does not know
// the secret cannot join, send raft messages or pull a snapshot.
//
// The token is a hash of the secret, not the secret, but it travels in
// plain text like the rest of the peer traffic: on a network others can
// watch, peers need TLS as well.

// peerTokenKey is the gRPC metadata key of the token.
const peerTokenKey = "chronos-cluster-token"

// minClusterSecret is the shortest cluster secret accepted.
const minClusterSecret = 16

// peerToken derives the token from the secret.
func peerToken(secret Secret) string {
	sum := sha256.Sum256([]byte("chronos cluster secret\x00" + string(secret)))
	return hex.EncodeToString(sum[:])
}

// secretCredentials adds the token to every call.
type secretCredentials struct{ token string }

// GetRequestMetadata implements credentials.PerRPCCredentials.
func (c secretCredentials) GetRequestMetadata(ctx context.Context, uri ...string) (map[string]string, error) {
	return map[string]string{peerTokenKey: c.token}, nil
}

// RequireTransportSecurity implements credentials.PerRPCCredentials.
func (secretCredentials) RequireTransportSecurity() bool { return false }

// peerDialOptions are the options of this node's calls to its peers.
func peerDialOptions(secret Secret) []grpc.DialOption {
	if secret == "" {
		return nil
	}
	return []grpc.DialOption{grpc.WithPerRPCCredentials(secretCredentials{peerToken(secret)})}
}

// peerServerOptions check the token of every incoming call.
func peerServerOptions(secret Secret) []grpc.ServerOption {
	if secret == "" {
		return nil
	}
	want := []byte(peerToken(secret))
	check := func(ctx context.Context) error {
		md, _ := metadata.FromIncomingContext(ctx)
		for _, got := range md.Get(peerTokenKey) {
			if subtle.ConstantTimeCompare([]byte(got), want) == 1 {
				return nil
			}
		}
		return status.Error(codes.Unauthenticated, "chronos: this node belongs to a cluster with another secret (or the caller gave none)")
	}
	return []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
			if err := check(ctx); err != nil {
				return nil, err
			}
			return h(ctx, req)
		}),
		grpc.ChainStreamInterceptor(func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
			if err := check(ss.Context()); err != nil {
				return err
			}
			return h(srv, ss)
		}),
	}
}
