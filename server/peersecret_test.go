package server

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/chronos-db/chronos/proto/transportpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// TestClusterSecret: with a cluster secret, a caller without it (or with
// another) is refused on every kind of call: join, the raft message
// stream, snapshots, status; a caller with it is served.
func TestClusterSecret(t *testing.T) {
	const secret = Secret("0123456789abcdef-cluster")
	cfg := Config{
		Address:  "127.0.0.1:0",
		DataDir:  t.TempDir(),
		Security: Security{ClusterSecret: secret},
		Logger:   slog.New(slog.DiscardHandler),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	dial := func(opts ...grpc.DialOption) transportpb.RaftClient {
		conn, err := grpc.NewClient(s.Addr(), append([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return transportpb.NewRaftClient(conn)
	}
	for name, client := range map[string]transportpb.RaftClient{
		"no secret":    dial(),
		"wrong secret": dial(peerDialOptions("another secret of 16+ bytes")...),
	} {
		_, err := client.Status(ctx, &transportpb.StatusRequest{})
		if status.Code(err) != codes.Unauthenticated {
			t.Errorf("%s: Status: %v, want Unauthenticated", name, err)
		}
		_, err = client.Join(ctx, &transportpb.JoinRequest{Member: &transportpb.Member{Id: 99, Name: "intruder", Address: "127.0.0.1:1"}})
		if status.Code(err) != codes.Unauthenticated {
			t.Errorf("%s: Join: %v, want Unauthenticated", name, err)
		}
		stream, err := client.Stream(ctx)
		if err == nil {
			_ = stream.Send(&transportpb.MessageBatch{})
			_, err = stream.CloseAndRecv()
		}
		if status.Code(err) != codes.Unauthenticated {
			t.Errorf("%s: Stream: %v, want Unauthenticated", name, err)
		}
		snap, err := client.Snapshot(ctx)
		if err == nil {
			_, err = snap.CloseAndRecv()
		}
		if status.Code(err) != codes.Unauthenticated {
			t.Errorf("%s: Snapshot: %v, want Unauthenticated", name, err)
		}
	}
	if st, err := dial(peerDialOptions(secret)...).Status(ctx, &transportpb.StatusRequest{}); err != nil {
		t.Errorf("with the secret: Status: %v", err)
	} else if st.GetName() != "single" {
		t.Errorf("status names %q", st.GetName())
	}
	if len(s.node.Members()) != 1 {
		t.Errorf("members: %v", s.node.Members())
	}
}
