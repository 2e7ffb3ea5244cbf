package consensus

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// proposeAsync starts count proposals on m, each on its own goroutine, and
// returns a function that waits for them and returns their errors.
func proposeAsync(m *member, prefix string, count int, timeout time.Duration) func() []error {
	errs := make([]error, count)
	var wg sync.WaitGroup
	for i := 0; i < count; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			_, errs[i] = m.n.Propose(ctx, []byte(fmt.Sprintf("set %s%d=1", prefix, i)))
		}()
	}
	return func() []error {
		wg.Wait()
		return errs
	}
}

// TestRestartedLeaderLearnsNewLeader is the regression test for a
// restarted old leader that could not learn the new one: the followers'
// queues towards the killed leader hold the proposals they forwarded to it;
// the new leader's stream delivers them, ahead of its heartbeats, to the
// old leader when it restarts without a leader. raft holds a proposal while
// no leader is known, so stepping them blocked the stream for good, and
// the restarted member stayed leaderless, its reads failing.
func TestRestartedLeaderLearnsNewLeader(t *testing.T) {
	c := newCluster(t, nil)
	c.startN(3)
	old := c.leader()
	old.propose(t, "set before=1")
	oldName := old.name
	c.kill(oldName)

	// Proposals on both followers (one of them will lead next) are
	// forwarded to the dead leader and wait in their queues for it. The
	// first ones only break the stream, which may still look open.
	var waits []func() []error
	for _, m := range c.running() {
		i := 0
		waitFor(t, 5*time.Second, m.name+" to see the dead leader unreachable", func() bool {
			if !m.n.trans.reachable(RaftID(oldName)) {
				return true
			}
			waits = append(waits, proposeAsync(m, fmt.Sprintf("primer-%s-%d-", m.name, i), 1, 10*time.Second))
			i++
			return false
		})
		waits = append(waits, proposeAsync(m, "lost-"+m.name+"-", 20, 10*time.Second))
	}
	lead := c.leader()
	t.Logf("new leader %s", lead.name)
	for _, wait := range waits {
		for _, err := range wait() {
			if !errors.Is(err, ErrOutcomeUnknown) {
				t.Errorf("a proposal forwarded to the dead leader returned %v, want ErrOutcomeUnknown", err)
			}
		}
	}

	start := time.Now()
	back := c.start(oldName, nil)
	waitFor(t, 5*time.Second, "the restarted member to learn the new leader", func() bool {
		return back.n.Stats().Leader == lead.n.cfg.ID
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := back.n.LinearizableRead(ctx); err != nil {
		t.Fatalf("LinearizableRead on the restarted member: %v", err)
	}
	t.Logf("restarted member follows %s and reads after %s", lead.name, time.Since(start).Round(time.Millisecond))
	if back.n.Stats().ForwardedDropped == 0 {
		t.Error("the restarted member received no forwarded proposals while leaderless: the test did not set up the deadlock it guards against")
	}
	back.propose(t, "set after=1")
	c.converged()
}

// TestLostProposalsFailWithinElection checks that a proposal forwarded to
// a leader that dies fails with ErrOutcomeUnknown soon after a new leader
// commits, not after RequestTimeout.
func TestLostProposalsFailWithinElection(t *testing.T) {
	const requestTimeout = 10 * time.Second
	c := newCluster(t, func(cfg *Config) { cfg.RequestTimeout = requestTimeout })
	c.startN(3)
	old := c.leader()
	old.propose(t, "set before=1")
	f := c.follower()
	c.kill(old.name)
	killed := time.Now()
	wait := proposeAsync(f, "lost", 5, time.Minute)
	errs := wait()
	took := time.Since(killed)
	for _, err := range errs {
		if !errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, ErrLeaderChanged) {
			t.Errorf("proposal lost with the leader: %v, want ErrLeaderChanged and ErrOutcomeUnknown", err)
		}
	}
	// Election timeout here: 10 ticks of 20ms, randomised up to twice that.
	if took > 2*time.Second {
		t.Errorf("lost proposals failed %s after the leader's kill; want about the election time, not RequestTimeout (%s)", took, requestTimeout)
	}
	t.Logf("lost proposals failed %s after the kill: %v", took.Round(time.Millisecond), errs[0])
	if got := f.n.Stats().Superseded; got != uint64(len(errs)) {
		t.Errorf("Stats().Superseded = %d, want %d", got, len(errs))
	}
	// The cluster goes on; proposals after the election succeed on both
	// members.
	lead := c.leader()
	for _, m := range c.running() {
		m.propose(t, "set after-"+m.name+"=1")
	}
	if _, ok := lead.sm.get("before"); !ok {
		t.Error("the write acknowledged before the kill is missing")
	}
}

func TestProposalWaitersFailBefore(t *testing.T) {
	w := newProposalWaiters()
	ids := []proposalID{{seq: 1}, {seq: 2}, {seq: 3}, {seq: 4}}
	chs := make([]<-chan any, len(ids))
	for i, id := range ids {
		chs[i] = w.register(id)
	}
	w.proposed(ids[0], 2) // taken in term 2: superseded by term 3
	w.proposed(ids[1], 3) // taken in term 3: may still commit
	// ids[2] never reached raft: it may not have been proposed at all.
	w.proposed(ids[3], 1)
	w.trigger(ids[3], "applied") // applied before the new term

	if k := w.failBefore(3, superseded{term: 3}); k != 1 {
		t.Fatalf("failBefore failed %d waiters, want 1", k)
	}
	tests := []struct {
		i    int
		want any // nil: nothing delivered
	}{
		{0, superseded{term: 3}},
		{1, nil},
		{2, nil},
		{3, "applied"},
	}
	for _, tt := range tests {
		var got any
		select {
		case got = <-chs[tt.i]:
		default:
		}
		if got != tt.want {
			t.Errorf("waiter %d received %v, want %v", tt.i, got, tt.want)
		}
	}
	if n := w.len(); n != 2 {
		t.Errorf("%d waiters left, want 2", n)
	}
}
