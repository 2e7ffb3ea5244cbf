package consensus

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/chronos-db/chronos/proto/transportpb"
	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// errRemovedPeer is the status message with which a member refuses
// messages from a removed one; the removed member stops when it reads it.
const errRemovedPeer = "the sending member was removed from the cluster"

// maxSnapshotBytes bounds the snapshot a member accepts.
const maxSnapshotBytes = 64 << 30

// RegisterGRPC registers the node's peer service (transportpb.Raft) on s.
// Call it after Start and before s.Serve; create s with
// GRPCServerOptions(). Until the service is served, peers see this member
// as unreachable and retry.
func (n *Node) RegisterGRPC(s *grpc.Server) {
	transportpb.RegisterRaftServer(s, &raftService{n: n})
}

// raftService is the receiving side of the transport, plus the cluster
// calls (join, remove, status). Its handlers run on gRPC's goroutines and
// reach raft only through the driver's thread-safe methods.
type raftService struct {
	transportpb.UnimplementedRaftServer
	n *Node
}

// Stream steps each received message into raft, in order.
func (s *raftService) Stream(stream transportpb.Raft_StreamServer) error {
	ctx := stream.Context()
	for {
		batch, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return stream.SendAndClose(&transportpb.StreamAck{})
		}
		if err != nil {
			return err
		}
		if s.n.members.isRemoved(batch.From) {
			return status.Error(codes.PermissionDenied, errRemovedPeer)
		}
		if batch.To != s.n.cfg.ID {
			return status.Errorf(codes.FailedPrecondition, "this is member %q (raft ID %x), not raft ID %x", s.n.cfg.Name, s.n.cfg.ID, batch.To)
		}
		asked := false
		for _, b := range batch.Messages {
			var m raftpb.Message
			if err := m.Unmarshal(b); err != nil {
				return status.Errorf(codes.InvalidArgument, "bad raft message: %v", err)
			}
			if !asked && (m.Type == raftpb.MsgProp || m.Type == raftpb.MsgReadIndex) {
				asked = true
				s.n.trans.noteAsked(batch.From)
			}
			if err := s.step(ctx, m); err != nil {
				return err
			}
		}
	}
}

func (s *raftService) step(ctx context.Context, m raftpb.Message) error {
	switch m.Type {
	case raftpb.MsgVote, raftpb.MsgPreVote:
		if time.Since(s.n.started) < voteGuard(s.n.cfg) {
			// A member that just started may have granted a lease before
			// it stopped, and raft no longer knows it (lease.go). Going
			// unanswered, the candidate retries after its election timeout.
			s.n.stats.votesIgnored.Add(1)
			return nil
		}
	case raftpb.MsgReadIndex:
		if s.n.answerReadIndex(m) {
			return nil
		}
	case raftpb.MsgHeartbeat:
		if isDurableNotice(m) {
			s.n.infer.noteNotice(m)
			s.n.raft.push(request{fn: func(*raft.RawNode) { s.n.inferCommit() }})
			return nil
		}
	case raftpb.MsgReadIndexResp:
		// The answer to a request requestReadIndex sent past raft.
		if len(m.Entries) == 1 {
			s.n.reads.deliver([]raft.ReadState{{Index: m.Index, RequestCtx: m.Entries[0].Data}}, 0)
		}
		return nil
	}
	if m.Type == raftpb.MsgProp && s.n.lead.Load() == raft.None {
		// A proposal forwarded to a member that knows no leader (a
		// restarted old leader receiving proposals queued for it before its
		// crash) is dropped, as raft would drop it; the Ready loop drops it
		// too if no leader is known when it takes it (driver.take). Its
		// proposer's Propose fails with ErrOutcomeUnknown once a new leader
		// commits (see failSuperseded).
		s.n.stats.forwardedDropped.Add(1)
		return nil
	}
	err := s.n.raft.Step(ctx, m)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, raft.ErrStopped):
		return status.Error(codes.Unavailable, "member stopped")
	default:
		return status.FromContextError(err).Err()
	}
}

// Snapshot reassembles a chunked MsgSnap and steps it into raft. The Ready
// loop then saves and restores it.
func (s *raftService) Snapshot(stream transportpb.Raft_SnapshotServer) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	var m raftpb.Message
	if err := m.Unmarshal(first.Message); err != nil {
		return status.Errorf(codes.InvalidArgument, "bad snapshot message: %v", err)
	}
	if m.Type != raftpb.MsgSnap || m.To != s.n.cfg.ID {
		return status.Errorf(codes.InvalidArgument, "not a snapshot for raft ID %x", s.n.cfg.ID)
	}
	if first.TotalSize > maxSnapshotBytes {
		return status.Errorf(codes.ResourceExhausted, "snapshot of %d bytes is too large", first.TotalSize)
	}
	data := make([]byte, 0, first.TotalSize)
	data = append(data, first.Data...)
	for {
		c, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if uint64(len(data)+len(c.Data)) > first.TotalSize {
			return status.Error(codes.InvalidArgument, "snapshot longer than announced")
		}
		data = append(data, c.Data...)
	}
	if uint64(len(data)) != first.TotalSize {
		return status.Errorf(codes.InvalidArgument, "snapshot of %d bytes ended after %d", first.TotalSize, len(data))
	}
	m.Snapshot.Data = data
	if err := s.step(stream.Context(), m); err != nil {
		return err
	}
	return stream.SendAndClose(&transportpb.SnapshotAck{})
}

// Join adds a member (on the leader; a follower forwards once).
func (s *raftService) Join(ctx context.Context, req *transportpb.JoinRequest) (*transportpb.JoinResponse, error) {
	if req.Member == nil {
		return nil, status.Error(codes.InvalidArgument, "join: no member")
	}
	m := Member{ID: req.Member.Id, Name: req.Member.Name, Address: req.Member.Address}
	members, err := s.n.addMember(ctx, m, req.Forwarded)
	if err != nil {
		return nil, grpcError(err)
	}
	resp := &transportpb.JoinResponse{}
	for _, m := range members {
		resp.Members = append(resp.Members, &transportpb.Member{Id: m.ID, Name: m.Name, Address: m.Address})
	}
	return resp, nil
}

// Remove removes a member (on the leader; a follower forwards once).
func (s *raftService) Remove(ctx context.Context, req *transportpb.RemoveRequest) (*transportpb.RemoveResponse, error) {
	if err := s.n.removeMember(ctx, req.Name, req.Forwarded); err != nil {
		return nil, grpcError(err)
	}
	return &transportpb.RemoveResponse{}, nil
}

// Status reports this member's view of itself.
func (s *raftService) Status(ctx context.Context, _ *transportpb.StatusRequest) (*transportpb.MemberStatus, error) {
	st := s.n.localStatus()
	return &transportpb.MemberStatus{
		Id: st.ID, Name: st.Name, Address: st.Address, Role: st.Role,
		Leader: st.Leader, Term: st.Term, Commit: st.Commit, Applied: st.Applied,
	}, nil
}

// Errors of the cluster calls, turned into gRPC codes by grpcError and back
// by fromGRPC.
var (
	errNotLeader     = errors.New("consensus: not the leader")
	errMemberExists  = errors.New("consensus: member conflicts with an existing one")
	errNoSuchMember  = errors.New("consensus: no such member")
	errBadMember     = errors.New("consensus: invalid member")
	errLastMember    = errors.New("consensus: cannot remove the last member")
	errorCodeOfError = []struct {
		err  error
		code codes.Code
	}{
		{ErrNoQuorum, codes.Unavailable},
		{ErrStopped, codes.Unavailable},
		{errNotLeader, codes.Unavailable},
		{errMemberExists, codes.AlreadyExists},
		{errNoSuchMember, codes.NotFound},
		{errBadMember, codes.InvalidArgument},
		{errLastMember, codes.FailedPrecondition},
		{context.DeadlineExceeded, codes.DeadlineExceeded},
		{context.Canceled, codes.Canceled},
	}
)

// grpcError maps this package's errors to gRPC status codes, in one table.
func grpcError(err error) error {
	for _, e := range errorCodeOfError {
		if errors.Is(err, e.err) {
			return status.Error(e.code, err.Error())
		}
	}
	return status.Error(codes.Unknown, err.Error())
}

// fromGRPC turns a status error from a peer back into one that wraps this
// package's sentinel for its code, keeping the peer's message.
func fromGRPC(err error) error {
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	for _, e := range errorCodeOfError {
		if e.code == st.Code() {
			if st.Message() == e.err.Error() {
				return e.err
			}
			return fmt.Errorf("%w: %s", e.err, st.Message())
		}
	}
	return errors.New(st.Message())
}
