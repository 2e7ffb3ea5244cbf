package consensus

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

// leaseNode is a Node with just what leaseRead reads: leader of term 3
// with commit index 42, and a read loop that is not running, so a renewal
// it asks for stays visible in renewing.
func leaseNode(t *testing.T) *Node {
	n := &Node{leaseDur: time.Second}
	n.reads = newReadLoop(&fakeRaft{applied: newIndexWait(0)}, time.Second, time.Second, testLogger(t))
	n.state.Store(int32(raft.StateLeader))
	n.term.Store(3)
	n.raftCommit.Store(42)
	return n
}

func TestLeaseRead(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct {
		name      string
		lease     *lease // nil: none granted
		follower  bool
		leaseDur  time.Duration
		wantOK    bool
		wantRenew bool
	}{
		{name: "no lease yet", wantRenew: true},
		{name: "fresh", lease: &lease{term: 3, expires: now.Add(time.Second)}, wantOK: true},
		{name: "less than half left", lease: &lease{term: 3, expires: now.Add(300 * time.Millisecond)}, wantOK: true, wantRenew: true},
		{name: "expired", lease: &lease{term: 3, expires: now.Add(-time.Millisecond)}, wantRenew: true},
		{name: "an earlier term's", lease: &lease{term: 2, expires: now.Add(time.Second)}, wantRenew: true},
		{name: "no longer leader", lease: &lease{term: 3, expires: now.Add(time.Second)}, follower: true},
		{name: "leases off", lease: &lease{term: 3, expires: now.Add(time.Second)}, leaseDur: -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := leaseNode(t)
			if tc.lease != nil {
				n.lease.Store(tc.lease)
			}
			if tc.follower {
				n.state.Store(int32(raft.StateFollower))
			}
			if tc.leaseDur < 0 {
				n.leaseDur = 0
			}
			index, term, ok := n.leaseRead()
			if ok != tc.wantOK {
				t.Fatalf("leaseRead ok = %v, want %v", ok, tc.wantOK)
			}
			if ok && (index != 42 || term != 3) {
				t.Errorf("leaseRead = index %d term %d, want 42 and 3", index, term)
			}
			if got := n.reads.renewing.Load(); got != tc.wantRenew {
				t.Errorf("renewal asked for: %v, want %v", got, tc.wantRenew)
			}
		})
	}
}

func TestLeaseGrantedKeepsTheLatest(t *testing.T) {
	n := leaseNode(t)
	t0 := time.Now()
	n.leaseGranted(3, t0.Add(time.Millisecond))
	n.leaseGranted(3, t0) // an older round's answer, arriving late
	if got := n.lease.Load(); got.expires != t0.Add(time.Millisecond+time.Second) {
		t.Errorf("a late answer to an older request shortened the lease to %v", got.expires.Sub(t0))
	}
	n.leaseGranted(4, t0)
	if got := n.lease.Load(); got.term != 4 {
		t.Errorf("lease term %d after a grant in term 4", got.term)
	}
	n.leaseDur = 0
	n.lease.Store(nil)
	n.leaseGranted(4, t0)
	if n.lease.Load() != nil {
		t.Error("a lease was granted with leases off")
	}
}

func TestReadLoopGrantsLeaseOnlyForOwnAnswers(t *testing.T) {
	for _, leaderTerm := range []uint64{0, 7} {
		t.Run(fmt.Sprintf("leaderTerm=%d", leaderTerm), func(t *testing.T) {
			f := &fakeRaft{applied: newIndexWait(1)}
			r := startReadLoop(t, f, time.Second, time.Second)
			f.onRequest = func(_ int, rctx []byte) {
				r.deliver([]raft.ReadState{{Index: 1, RequestCtx: rctx}}, leaderTerm)
			}
			before := time.Now()
			expectRead(t, readAsync(r), nil)
			after := time.Now()
			f.mu.Lock()
			defer f.mu.Unlock()
			if leaderTerm == 0 {
				if len(f.leases) != 0 {
					t.Fatalf("an answer given by another member granted leases %v", f.leases)
				}
				return
			}
			if len(f.leases) != 1 {
				t.Fatalf("leases granted: %v, want one", f.leases)
			}
			l := f.leases[0]
			if l.term != leaderTerm || l.expires.Before(before) || l.expires.After(after) {
				t.Errorf("lease %+v: want term %d, counted from the request (between %v and %v)", l, leaderTerm, before, after)
			}
		})
	}
}

// TestClusterLeaseReads checks that a leader with a lease serves reads,
// its own and its followers', without ReadIndex rounds, that the reads
// still see every acknowledged write, and that followers hold no lease.
func TestClusterLeaseReads(t *testing.T) {
	c := newCluster(t, nil)
	c.startN(3)
	lead := c.leader()
	ctx := context.Background()
	lead.propose(t, "set a=1")
	if err := lead.n.LinearizableRead(ctx); err != nil { // grants the lease
		t.Fatal(err)
	}
	before := lead.n.Stats()
	const reads = 50
	for i := 0; i < reads; i++ {
		if err := lead.n.LinearizableRead(ctx); err != nil {
			t.Fatal(err)
		}
	}
	after := lead.n.Stats()
	leaseReads := after.LeaseReads - before.LeaseReads
	rounds := after.ReadIndexRequests - before.ReadIndexRequests
	if leaseReads < reads/2 || rounds > reads/10 {
		t.Errorf("%d reads on the leader: %d under the lease, %d ReadIndex requests", reads, leaseReads, rounds)
	}

	for _, f := range c.running() {
		if f == lead {
			continue
		}
		for i := 0; i < 10; i++ {
			key := fmt.Sprintf("%s%d", f.name, i)
			lead.propose(t, "set "+key+"=x")
			if err := f.n.LinearizableRead(ctx); err != nil {
				t.Fatal(err)
			}
			if v, ok := f.sm.get(key); !ok || v != "x" {
				t.Fatalf("%s read %s = %q, %v right after the leader acknowledged it", f.name, key, v, ok)
			}
		}
		if f.n.lease.Load() != nil {
			t.Errorf("follower %s holds a lease", f.name)
		}
	}
	if got := lead.n.Stats().LeaseAnswers - after.LeaseAnswers; got == 0 {
		t.Error("the leader answered no follower's read under its lease")
	}
}

// clusterWithLease starts three members (requests time out after 500ms),
// writes a=1 and reads once on the leader, which then holds a lease.
func clusterWithLease(t *testing.T) (*cluster, *member) {
	t.Helper()
	c := newCluster(t, func(cfg *Config) { cfg.RequestTimeout = 500 * time.Millisecond })
	c.startN(3)
	lead := c.leader()
	lead.propose(t, "set a=1")
	if err := lead.n.LinearizableRead(context.Background()); err != nil {
		t.Fatal(err)
	}
	if lead.n.lease.Load() == nil {
		t.Fatal("no lease after a read on the leader")
	}
	return c, lead
}

// TestLeaseEndsWithoutQuorum checks that a leader cut off from its
// followers stops serving reads once its lease runs out: it cannot renew
// it, and a new leader may be elected elsewhere.
func TestLeaseEndsWithoutQuorum(t *testing.T) {
	c, lead := clusterWithLease(t)
	ctx := context.Background()
	for _, m := range c.running() {
		if m != lead {
			c.kill(m.name)
		}
	}
	time.Sleep(lead.n.leaseDur)
	before := lead.n.Stats().LeaseReads
	err := lead.n.LinearizableRead(ctx)
	if !errors.Is(err, ErrNoQuorum) && !errors.Is(err, ErrStopped) {
		t.Errorf("read on a leader without quorum after its lease: %v, want ErrNoQuorum", err)
	}
	if got := lead.n.Stats().LeaseReads - before; got != 0 {
		t.Errorf("%d reads served under an expired lease", got)
	}
}

// TestVoteGuard checks that a member that has just started ignores vote
// requests for an election timeout (a lease it granted before it stopped
// may still run) and steps them into raft afterwards.
func TestVoteGuard(t *testing.T) {
	s := startSingle(t, t.TempDir(), nil)
	svc := &raftService{n: s.n}
	vote := raftpb.Message{Type: raftpb.MsgPreVote, From: 99, To: s.n.cfg.ID, Term: 100, LogTerm: 100, Index: 100}
	if err := svc.step(context.Background(), vote); err != nil {
		t.Fatal(err)
	}
	if got := s.n.Stats().VotesIgnored; got != 1 {
		t.Fatalf("VotesIgnored = %d right after start, want 1", got)
	}
	time.Sleep(time.Until(s.n.started.Add(voteGuard(s.n.cfg))))
	if err := svc.step(context.Background(), vote); err != nil {
		t.Fatal(err)
	}
	if got := s.n.Stats().VotesIgnored; got != 1 {
		t.Errorf("VotesIgnored = %d after the guard, want 1", got)
	}
}

// TestPartitionedLeaderServesNoStaleRead cuts the leader off while it
// holds a lease, lets the others elect a leader and overwrite a key, and
// checks that the old leader does not serve a read from its stale state.
func TestPartitionedLeaderServesNoStaleRead(t *testing.T) {
	c, old := clusterWithLease(t)
	ctx := context.Background()
	old.gs.Stop()      // nothing reaches it
	old.n.trans.stop() // nothing leaves it
	var lead *member
	waitFor(t, 10*time.Second, "a new leader", func() bool {
		for _, m := range c.running() {
			if m != old && m.n.Stats().Role == "leader" {
				lead = m
				return true
			}
		}
		return false
	})
	lead.propose(t, "set a=2")
	err := old.n.LinearizableRead(ctx)
	if err == nil {
		v, _ := old.sm.get("a")
		t.Fatalf("the cut-off old leader served a read (a = %q) after a new leader wrote a = 2", v)
	}
	t.Logf("read on the cut-off old leader: %v", err)
}
