package consensus

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"go.etcd.io/raft/v3/raftpb"
)

func TestSoleVoter(t *testing.T) {
	const self = 7
	tests := []struct {
		name string
		cs   raftpb.ConfState
		want bool
	}{
		{"no configuration yet", raftpb.ConfState{}, false},
		{"only voter", raftpb.ConfState{Voters: []uint64{self}}, true},
		{"another node is the only voter", raftpb.ConfState{Voters: []uint64{8}}, false},
		{"two voters", raftpb.ConfState{Voters: []uint64{self, 8}}, false},
		{"joint, leaving a larger configuration", raftpb.ConfState{Voters: []uint64{self}, VotersOutgoing: []uint64{self, 8}}, false},
		{"with a learner", raftpb.ConfState{Voters: []uint64{self}, Learners: []uint64{8}}, false},
		{"with a learner to be", raftpb.ConfState{Voters: []uint64{self}, LearnersNext: []uint64{8}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := soleVoter(tt.cs, self); got != tt.want {
				t.Errorf("soleVoter(%+v, %d) = %v, want %v", tt.cs, self, got, tt.want)
			}
		})
	}
}

// A lone voter answers linearizable reads without a ReadIndex round: the
// read returns even while the Ready loop is blocked, and sees every
// acknowledged write.
func TestLinearizableReadLoneVoterIsLocal(t *testing.T) {
	var block atomic.Bool
	gate := make(chan struct{})
	s := startSingle(t, t.TempDir(), func(c *Config) {
		c.Knobs.ReadyHandled = func() {
			if block.CompareAndSwap(true, false) {
				<-gate
			}
		}
	})
	defer func() {
		select {
		case <-gate:
		default:
			close(gate)
		}
	}()
	before := s.n.Stats()
	for i := range 20 {
		key := fmt.Sprintf("k%d", i)
		s.propose("set " + key + "=v")
		if err := s.n.LinearizableRead(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, ok := s.sm.get(key); !ok {
			t.Fatalf("acknowledged %s is missing after a linearizable read", key)
		}
	}
	after := s.n.Stats()
	if got := after.LocalReads - before.LocalReads; got != 20 {
		t.Errorf("%d of 20 reads were local, want all", got)
	}
	if got := after.ReadIndexRequests - before.ReadIndexRequests; got != 0 {
		t.Errorf("a lone voter sent %d ReadIndex requests, want 0", got)
	}

	// With the Ready loop stuck inside a Ready, a read still returns.
	block.Store(true)
	done := make(chan error, 1)
	go func() { _, err := s.n.Propose(context.Background(), []byte("set stuck=1")); done <- err }()
	waitFor(t, 5*time.Second, "the Ready loop to block", func() bool { return !block.Load() })
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := s.n.LinearizableRead(ctx); err != nil {
		t.Fatalf("read while the Ready loop is blocked: %v", err)
	}
	close(gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// Reads take the ReadIndex path exactly while the applied configuration
// has another member: a member that joins switches the first node over,
// and removing it switches it back, with the removed member's
// acknowledged writes visible.
func TestLinearizableReadLocalOnlyWhileAlone(t *testing.T) {
	c := newCluster(t, nil)
	c.startN(1)
	n1 := c.members["n1"]
	read := func(m *member) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := m.n.LinearizableRead(ctx); err != nil {
			t.Fatalf("%s: LinearizableRead: %v", m.name, err)
		}
	}
	local := func() uint64 { return n1.n.Stats().LocalReads }
	indexed := func() uint64 { return n1.n.Stats().ReadIndexRequests }

	l0 := local()
	read(n1)
	if local() != l0+1 {
		t.Fatal("a lone member's read was not local")
	}

	n2 := c.start("n2", map[string]string{"n1": n1.addr})
	waitFor(t, 5*time.Second, "n1 to apply n2's addition", func() bool { return len(n1.n.Members()) == 2 })
	l1, r1 := local(), indexed()
	for i := range 5 {
		key := fmt.Sprintf("two%d", i)
		n2.propose(t, "set "+key+"=x")
		read(n1)
		if _, ok := n1.sm.get(key); !ok {
			t.Fatalf("n2 acknowledged %s, but a linearizable read on n1 does not see it", key)
		}
	}
	if local() != l1 {
		t.Errorf("n1 answered %d reads locally while n2 was a member", local()-l1)
	}
	if indexed() == r1 {
		t.Error("n1 sent no ReadIndex request while n2 was a member")
	}

	n2.propose(t, "set last-from-n2=x")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := n1.n.RemoveMember(ctx, "n2"); err != nil {
		t.Fatal(err)
	}
	c.kill("n2")
	waitFor(t, 5*time.Second, "n1 to be alone", func() bool { return n1.n.solo.Load() })
	l2 := local()
	read(n1)
	if local() != l2+1 {
		t.Error("n1's read was not local after n2's removal")
	}
	if _, ok := n1.sm.get("last-from-n2"); !ok {
		t.Error("the write n2 acknowledged before its removal is missing on n1")
	}
}
