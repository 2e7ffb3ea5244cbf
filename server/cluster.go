package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync/atomic"

	"github.com/chronos-db/chronos/consensus"
	"github.com/chronos-db/chronos/engine"
	"google.golang.org/grpc"
)

// The cluster side of a node: the gRPC peer service on the shared port,
// the address peers are told to dial, membership removal, and the
// engine's view of the members (SHOW CLUSTER, chronos.nodes).

// serveGRPC serves the consensus peer service (raft messages, snapshots,
// join, remove, status) on the gRPC connections the mux routes to l. It
// returns the server; Stop ends it.
func serveGRPC(node *consensus.Node, l net.Listener, log *slog.Logger, opts ...grpc.ServerOption) *grpc.Server {
	gs := grpc.NewServer(append(consensus.GRPCServerOptions(), opts...)...)
	node.RegisterGRPC(gs)
	go func() {
		if err := gs.Serve(l); err != nil && !errors.Is(err, net.ErrClosed) && !errors.Is(err, grpc.ErrServerStopped) {
			log.Error("gRPC peer service ended", "err", err)
		}
	}()
	return gs
}

// advertiseAddress is the address peers are told to dial: the configured
// one, so that a host name (a container's service name) survives a change
// of IP, unless its port is 0, when the bound port is used. A wildcard
// host (0.0.0.0, or none) is advertised as written, which only a peer on the same
// machine can dial: a node meant for remote peers needs a real host name
// or IP in --address.
func advertiseAddress(configured string, bound net.Addr) string {
	_, port, err := net.SplitHostPort(configured)
	if err != nil || port == "0" {
		return bound.String()
	}
	return configured
}

// RemoveMember asks the node at via (host:port of any member) to remove
// the member called id from its cluster, and returns once the leader has
// applied the removal. The removed node stops by itself when it learns of
// it. This is `chronos node remove --id ID --via HOST:PORT`.
//
// opts are the peer credentials the members check (PeerDialOptions).
func RemoveMember(ctx context.Context, via, id string, opts ...grpc.DialOption) error {
	if id == "" {
		return errors.New("server: remove: a member id is required")
	}
	if _, _, err := net.SplitHostPort(via); err != nil {
		return fmt.Errorf("server: remove: bad address %q: %w", via, err)
	}
	// gRPC reports a refused connection like a cluster without a quorum;
	// say plainly when the member asked cannot be reached at all.
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", via)
	if err != nil {
		return fmt.Errorf("cannot reach the member at %s: %w", via, err)
	}
	c.Close()
	return consensus.RemoveVia(ctx, via, id, opts...)
}

// clusterView gives the engine the consensus node's view of the cluster.
// The engine is opened before the node starts, so the node is set later.
type clusterView struct {
	node atomic.Pointer[consensus.Node]
}

var _ engine.ClusterInfo = (*clusterView)(nil)

// ClusterStatus implements engine.ClusterInfo.
func (v *clusterView) ClusterStatus(ctx context.Context) []engine.MemberStatus {
	n := v.node.Load()
	if n == nil {
		return nil
	}
	list := n.ClusterStatus(ctx)
	out := make([]engine.MemberStatus, len(list))
	for i, m := range list {
		out[i] = engine.MemberStatus{
			ID:           m.Name,
			Address:      m.Address,
			Role:         m.Role,
			Term:         m.Term,
			CommitIndex:  m.Commit,
			AppliedIndex: m.Applied,
			Reachable:    m.Reachable,
		}
	}
	return out
}

// NodeStats implements engine.ClusterInfo.
func (v *clusterView) NodeStats() []engine.NodeStat {
	n := v.node.Load()
	if n == nil {
		return nil
	}
	counters := n.Stats().Counters()
	out := make([]engine.NodeStat, len(counters))
	for i, c := range counters {
		out[i] = engine.NodeStat{Name: c.Name, Value: c.Value, Description: c.Description}
	}
	return out
}
