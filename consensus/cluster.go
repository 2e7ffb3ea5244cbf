package consensus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/chronos-db/chronos/proto/transportpb"
	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// maxJoinWait bounds how long Start keeps asking peers to add this node.
const maxJoinWait = time.Minute

// join asks the members in cfg.Peers, in turn, to add this node, until one
// succeeds, a peer refuses for good (a name or ID conflict), or ctx or
// maxJoinWait runs out. The answer's membership table lets this node reach
// its peers; the log itself arrives from the leader after Start.
func (n *Node) join(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, maxJoinWait)
	defer cancel()
	names := make([]string, 0, len(n.cfg.Peers))
	for name := range n.cfg.Peers {
		names = append(names, name)
	}
	sort.Strings(names)
	req := &transportpb.JoinRequest{Member: &transportpb.Member{Id: n.cfg.ID, Name: n.cfg.Name, Address: n.cfg.Address}}
	backoff := 100 * time.Millisecond
	var lastErr error
	for {
		for _, name := range names {
			addr := n.cfg.Peers[name]
			resp, err := callJoin(ctx, addr, req, n.cfg.RequestTimeout, n.dialOptions())
			if err == nil {
				list := make([]Member, 0, len(resp.Members))
				for _, m := range resp.Members {
					list = append(list, Member{ID: m.Id, Name: m.Name, Address: m.Address})
				}
				n.members.replace(membershipFile{Members: list})
				n.log.Info("joined cluster", "via", name, "address", addr, "members", len(list))
				return n.members.save()
			}
			lastErr = fmt.Errorf("join via %s (%s): %w", name, addr, err)
			if c := status.Code(err); c == codes.AlreadyExists || c == codes.InvalidArgument {
				return fmt.Errorf("consensus: %w", lastErr)
			}
			n.log.Warn("join attempt failed", "via", name, "address", addr, "err", err)
		}
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return fmt.Errorf("consensus: could not join the cluster: %w", lastErr)
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

func callJoin(ctx context.Context, addr string, req *transportpb.JoinRequest, timeout time.Duration, opts []grpc.DialOption) (*transportpb.JoinResponse, error) {
	conn, err := grpc.NewClient(addr, opts...)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, timeout+time.Second)
	defer cancel()
	return transportpb.NewRaftClient(conn).Join(ctx, req)
}

// addMember adds m to the cluster and returns the membership table after
// it. Only the leader proposes the conf change; a follower forwards the
// request to the leader once. Adding a member that is already in the table
// under the same name and address succeeds without a change, so a joiner
// that failed after being added can try again.
func (n *Node) addMember(ctx context.Context, m Member, forwarded bool) ([]Member, error) {
	if m.ID == 0 || m.Name == "" || m.Address == "" {
		return nil, fmt.Errorf("%w: member needs a raft ID, a name and an address (got %+v)", errBadMember, m)
	}
	if n.members.isRemoved(m.ID) {
		return nil, fmt.Errorf("%w: raft ID %x (%q) was removed from this cluster and raft IDs are never reused; join under a new name", errMemberExists, m.ID, m.Name)
	}
	cc := raftpb.ConfChange{Type: raftpb.ConfChangeAddNode, NodeID: m.ID}
	if old, ok := n.members.get(m.ID); ok {
		if old.Name != m.Name {
			return nil, fmt.Errorf("%w: raft ID %x of %q is already used by member %q", errMemberExists, m.ID, m.Name, old.Name)
		}
		if old.Address == m.Address {
			return n.members.list(), nil
		}
		cc.Type = raftpb.ConfChangeUpdateNode
	} else if old, ok := n.members.byName(m.Name); ok {
		return nil, fmt.Errorf("%w: a member named %q already exists with raft ID %x", errMemberExists, m.Name, old.ID)
	}
	lead, err := n.leader(ctx)
	if err != nil {
		return nil, err
	}
	if lead != n.cfg.ID {
		if forwarded {
			return nil, errNotLeader
		}
		var resp *transportpb.JoinResponse
		err := n.forward(ctx, lead, func(ctx context.Context, c transportpb.RaftClient) (err error) {
			resp, err = c.Join(ctx, &transportpb.JoinRequest{
				Member:    &transportpb.Member{Id: m.ID, Name: m.Name, Address: m.Address},
				Forwarded: true,
			})
			return err
		})
		if err != nil {
			return nil, err
		}
		list := make([]Member, 0, len(resp.Members))
		for _, pm := range resp.Members {
			list = append(list, Member{ID: pm.Id, Name: pm.Name, Address: pm.Address})
		}
		return list, nil
	}
	ctxData, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	cc.Context = ctxData
	if err := n.proposeConfChange(ctx, cc); err != nil {
		return nil, err
	}
	return n.members.list(), nil
}

// RemoveMember removes the member called name from the cluster. It
// returns once the removal is applied on the leader. A removed member
// stops itself (its Err is ErrRemoved) when it learns of the removal.
func (n *Node) RemoveMember(ctx context.Context, name string) error {
	return n.removeMember(ctx, name, false)
}

func (n *Node) removeMember(ctx context.Context, name string, forwarded bool) error {
	m, ok := n.members.byName(name)
	if !ok {
		return fmt.Errorf("%w: %q", errNoSuchMember, name)
	}
	if len(n.members.list()) == 1 {
		return fmt.Errorf("%w (%q)", errLastMember, name)
	}
	lead, err := n.leader(ctx)
	if err != nil {
		return err
	}
	if lead != n.cfg.ID {
		if forwarded {
			return errNotLeader
		}
		return n.forward(ctx, lead, func(ctx context.Context, c transportpb.RaftClient) error {
			_, err := c.Remove(ctx, &transportpb.RemoveRequest{Name: name, Forwarded: true})
			return err
		})
	}
	return n.proposeConfChange(ctx, raftpb.ConfChange{Type: raftpb.ConfChangeRemoveNode, NodeID: m.ID})
}

// leader returns the current leader's raft ID, waiting up to
// RequestTimeout for one to be elected.
func (n *Node) leader(ctx context.Context) (uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, n.cfg.RequestTimeout)
	defer cancel()
	for {
		if lead := n.lead.Load(); lead != raft.None {
			return lead, nil
		}
		select {
		case <-time.After(n.cfg.TickInterval):
		case <-n.done:
			return 0, ErrStopped
		case <-ctx.Done():
			return 0, fmt.Errorf("%w: no leader within %s", ErrNoQuorum, n.cfg.RequestTimeout)
		}
	}
}

// forward calls the leader lead with call, within RequestTimeout.
func (n *Node) forward(ctx context.Context, lead uint64, call func(context.Context, transportpb.RaftClient) error) error {
	ctx, cancel := context.WithTimeout(ctx, n.cfg.RequestTimeout)
	defer cancel()
	conn := n.trans.conn(lead)
	if conn == nil {
		return fmt.Errorf("%w: leader %s has no known address", ErrNoQuorum, n.memberName(lead))
	}
	if err := call(ctx, transportpb.NewRaftClient(conn)); err != nil {
		return fromGRPC(err)
	}
	return nil
}

// proposeConfChange proposes cc and waits until it applies on this node.
// raft drops a conf change while another is pending, silently, so it is
// proposed again every election timeout until it applies or the deadline
// passes (applying the same change twice is harmless).
func (n *Node) proposeConfChange(ctx context.Context, cc raftpb.ConfChange) error {
	cc.ID = n.boot + n.seq.Add(1)
	if cc.ID == 0 {
		cc.ID = n.boot + n.seq.Add(1)
	}
	key := confChangeWaitKey(cc.ID)
	resc := n.waiters.register(key)
	defer n.waiters.cancel(key)
	ctx, cancel := context.WithTimeout(ctx, n.cfg.RequestTimeout)
	defer cancel()
	again := time.NewTicker(n.cfg.TickInterval * time.Duration(n.cfg.ElectionTicks))
	defer again.Stop()
	for {
		if err := n.raft.ProposeConfChange(ctx, cc); err != nil && !errors.Is(err, raft.ErrProposalDropped) {
			if errors.Is(err, raft.ErrStopped) {
				return ErrStopped
			}
			if ctx.Err() != nil {
				return fmt.Errorf("%w: conf change not accepted within %s (%w)", ErrNoQuorum, n.cfg.RequestTimeout, ErrOutcomeUnknown)
			}
			return fmt.Errorf("consensus: propose conf change: %w", err)
		}
		select {
		case <-resc:
			return nil
		case <-again.C:
		case <-ctx.Done():
			return fmt.Errorf("%w: conf change not applied within %s (%w)", ErrNoQuorum, n.cfg.RequestTimeout, ErrOutcomeUnknown)
		case <-n.done:
			return ErrStopped
		}
	}
}

// RemoveVia asks the member at address to remove the member called name
// from its cluster (for `chronos node remove --id NAME --via ADDRESS`).
// opts are added to the connection's options (the cluster secret).
func RemoveVia(ctx context.Context, address, name string, opts ...grpc.DialOption) error {
	conn, err := grpc.NewClient(address, append(insecureDial(), opts...)...)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := transportpb.NewRaftClient(conn).Remove(ctx, &transportpb.RemoveRequest{Name: name}); err != nil {
		return fmt.Errorf("remove %q via %s: %w", name, address, fromGRPC(err))
	}
	return nil
}

// Members returns the membership table as this node knows it, sorted by
// name.
func (n *Node) Members() []Member { return n.members.list() }

// WatchMembers returns the membership table, as Members does, and a
// channel that is closed when the table next changes (a member joins, is
// removed, or a snapshot or join answer replaces the table).
func (n *Node) WatchMembers() ([]Member, <-chan struct{}) { return n.members.watch() }

// MemberStatus is one member's state as seen through the Status call.
type MemberStatus struct {
	Member
	Role      string // "leader", "follower", "candidate", "pre-candidate"; "" if unreachable
	Leader    uint64 // raft ID of the leader that member knows
	Term      uint64
	Commit    uint64
	Applied   uint64
	Reachable bool // the member answered
}

// localStatus is this node's own MemberStatus.
func (n *Node) localStatus() MemberStatus {
	s := n.Stats()
	m, ok := n.members.get(n.cfg.ID)
	if !ok {
		m = Member{ID: n.cfg.ID, Name: n.cfg.Name, Address: n.cfg.Address}
	}
	return MemberStatus{Member: m, Role: s.Role, Leader: s.Leader, Term: s.Term, Commit: s.Commit, Applied: s.Applied, Reachable: true}
}

// ClusterStatus asks every member for its status (in parallel, each within
// a second) and returns them sorted by name. A member that does not answer
// is listed with Reachable false.
func (n *Node) ClusterStatus(ctx context.Context) []MemberStatus {
	members := n.members.list()
	out := make([]MemberStatus, len(members))
	var wg sync.WaitGroup
	for i, m := range members {
		if m.ID == n.cfg.ID {
			out[i] = n.localStatus()
			continue
		}
		out[i] = MemberStatus{Member: m}
		conn := n.trans.conn(m.ID)
		if conn == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(ctx, time.Second)
			defer cancel()
			st, err := transportpb.NewRaftClient(conn).Status(ctx, &transportpb.StatusRequest{})
			if err != nil {
				return
			}
			out[i] = MemberStatus{Member: m, Role: st.Role, Leader: st.Leader, Term: st.Term, Commit: st.Commit, Applied: st.Applied, Reachable: true}
		}()
	}
	wg.Wait()
	return out
}

// roleName is raft's state as Chronos shows it.
func roleName(s raft.StateType) string {
	switch s {
	case raft.StateLeader:
		return "leader"
	case raft.StateCandidate:
		return "candidate"
	case raft.StatePreCandidate:
		return "pre-candidate"
	default:
		return "follower"
	}
}
