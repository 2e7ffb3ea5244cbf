package consensus

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

func TestInferredCommit(t *testing.T) {
	const self, lead, other = 2, 1, 3
	three := raftpb.ConfState{Voters: []uint64{lead, self, other}}
	// base: the leader's log is durable to 20, this member acknowledged 15,
	// raft knows 10 committed, and every entry is of term 5.
	base := func() inferenceState {
		return inferenceState{
			self:   self,
			leader: logPosition{member: lead, term: 5, index: 20},
			acked:  logPosition{member: lead, term: 5, index: 15},
			status: raft.BasicStatus{
				HardState: raftpb.HardState{Term: 5, Commit: 10},
				SoftState: raft.SoftState{Lead: lead, RaftState: raft.StateFollower},
			},
			conf:    three,
			applied: 10,
			termAt:  func(uint64) (uint64, error) { return 5, nil },
		}
	}
	for _, tc := range []struct {
		name string
		mod  func(*inferenceState)
		want uint64
	}{
		{"both durable: the lesser", func(*inferenceState) {}, 15},
		{"leader behind this member", func(s *inferenceState) { s.leader.index = 12 }, 12},
		{"two voters", func(s *inferenceState) { s.conf.Voters = []uint64{lead, self} }, 15},
		{"nothing beyond raft's commit", func(s *inferenceState) { s.status.Commit = 15 }, 0},
		{"no notice yet", func(s *inferenceState) { s.leader = logPosition{} }, 0},
		{"notice of an earlier term", func(s *inferenceState) { s.leader.term = 4 }, 0},
		{"acknowledged in an earlier term", func(s *inferenceState) { s.acked.term = 4 }, 0},
		{"acknowledged to another member", func(s *inferenceState) { s.acked.member = other }, 0},
		{"raft in a later term", func(s *inferenceState) { s.status.Term = 6 }, 0},
		{"raft follows another leader", func(s *inferenceState) { s.status.Lead = other }, 0},
		{"not a follower", func(s *inferenceState) { s.status.RaftState = raft.StateCandidate }, 0},
		{"entry of an earlier term", func(s *inferenceState) {
			s.termAt = func(uint64) (uint64, error) { return 4, nil }
		}, 0},
		{"entry compacted", func(s *inferenceState) {
			s.termAt = func(uint64) (uint64, error) { return 0, raft.ErrCompacted }
		}, 0},
		{"configuration change not applied", func(s *inferenceState) { s.horizon = 11 }, 0},
		{"configuration change applied", func(s *inferenceState) { s.horizon = 10 }, 15},
		{"four voters", func(s *inferenceState) { s.conf.Voters = []uint64{lead, self, other, 4} }, 0},
		{"joint configuration", func(s *inferenceState) { s.conf.VotersOutgoing = []uint64{lead, self, other} }, 0},
		{"this member a learner", func(s *inferenceState) {
			s.conf = raftpb.ConfState{Voters: []uint64{lead, other}, Learners: []uint64{self}}
		}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := base()
			tc.mod(&s)
			if got := inferredCommit(s); got != tc.want {
				t.Errorf("inferredCommit = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestNextBatch(t *testing.T) {
	eager := outgoing{b: []byte("e")}
	lazy := outgoing{b: []byte("l"), lazy: true}
	for _, tc := range []struct {
		name   string
		queued []outgoing // queued before the call
		later  []outgoing // queued 200 µs after it
		want   string
		waits  bool // returns only after lazyDelay
	}{
		{"eager alone", []outgoing{eager}, nil, "e", false},
		{"eager with lazy behind", []outgoing{eager, lazy}, nil, "el", false},
		{"lazy alone", []outgoing{lazy}, nil, "l", true},
		{"lazy joined by eager", []outgoing{lazy}, []outgoing{eager}, "le", false},
		{"lazy joined by lazy", []outgoing{lazy}, []outgoing{lazy}, "ll", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			queue := make(chan outgoing, 8)
			for _, o := range tc.queued {
				queue <- o
			}
			go func() {
				time.Sleep(200 * time.Microsecond)
				for _, o := range tc.later {
					queue <- o
				}
			}()
			hold := time.NewTimer(lazyDelay)
			hold.Stop()
			start := time.Now()
			batch, err := nextBatch(context.Background(), queue, hold, nil)
			took := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			var got string
			for _, b := range batch {
				got += string(b)
			}
			if got != tc.want {
				t.Errorf("batch %q, want %q", got, tc.want)
			}
			if tc.waits && took < lazyDelay {
				t.Errorf("returned after %s; a batch of lazy messages waits %s", took, lazyDelay)
			}
		})
	}
	t.Run("canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		queue := make(chan outgoing, 1)
		queue <- lazy
		hold := time.NewTimer(lazyDelay)
		hold.Stop()
		cancel()
		if _, err := nextBatch(ctx, queue, hold, nil); !errors.Is(err, context.Canceled) {
			t.Errorf("err %v, want context.Canceled", err)
		}
	})
}

// A follower's clients learn of commits from the follower's own inference,
// and every write it acknowledged that way is visible to linearizable reads
// on the other members at once: under the leader's lease and through raft's
// ReadIndex.
func TestCommitInferenceThroughFollower(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(*Config)
	}{
		{"lease", nil},
		{"read index", func(c *Config) { c.Knobs.NoLeaseReads = true }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCluster(t, tc.mod)
			c.startN(3)
			lead := c.leader()
			fs := c.followers(2)
			w, o := fs[0], fs[1]
			for i := range 50 {
				key := fmt.Sprintf("inferred%d", i)
				w.propose(t, "set "+key+"=x")
				for _, r := range []*member{lead, o} {
					if err := r.n.LinearizableRead(context.Background()); err != nil {
						t.Fatalf("%s: LinearizableRead: %v", r.name, err)
					}
					if _, ok := r.sm.get(key); !ok {
						t.Fatalf("%s acknowledged %s, but a linearizable read on %s does not see it", w.name, key, r.name)
					}
				}
			}
			if n := lead.n.Stats().DurableNotices; n == 0 {
				t.Error("the leader sent no durable notice")
			}
			if n := w.n.Stats().CommitsInferred; n == 0 {
				t.Errorf("%s inferred no commit", w.name)
			}
			c.converged()
		})
	}
}

// A write a follower acknowledged by inference, before the leader knows it
// is committed, is never missing from a linearizable read on the leader or
// the other follower: the read waits for it, and fails if the leader cannot
// commit it.
func TestReadsWaitForInferredCommits(t *testing.T) {
	for _, tc := range []struct {
		name    string
		noLease bool
	}{{"lease", false}, {"read index", true}} {
		t.Run(tc.name, func(t *testing.T) {
			var dropAcks atomic.Bool
			var lead atomic.Uint64
			c := newCluster(t, func(cfg *Config) {
				cfg.Knobs.NoLeaseReads = tc.noLease
				// Acknowledgements to the leader get lost: it cannot
				// commit.
				cfg.Knobs.DropMessage = func(m raftpb.Message) bool {
					return dropAcks.Load() && m.Type == raftpb.MsgAppResp && m.To == lead.Load()
				}
			})
			c.startN(3)
			leader := c.leader()
			lead.Store(leader.n.cfg.ID)
			fs := c.followers(2)
			w, o := fs[0], fs[1]
			w.propose(t, "set warm=x") // w is now a member with clients
			dropAcks.Store(true)
			inferred := w.n.Stats().CommitsInferred
			w.propose(t, "set k=x")
			if w.n.Stats().CommitsInferred == inferred {
				t.Fatal("w acknowledged k without inferring its commit")
			}
			for _, r := range []*member{leader, o} {
				ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
				err := r.n.LinearizableRead(ctx)
				cancel()
				if _, ok := r.sm.get("k"); err == nil && !ok {
					t.Fatalf("a linearizable read on %s succeeded without the write w acknowledged", r.name)
				}
			}
			dropAcks.Store(false)
			for _, r := range []*member{leader, o} {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				err := r.n.LinearizableRead(ctx)
				cancel()
				if err != nil {
					t.Fatal(err)
				}
				if _, ok := r.sm.get("k"); !ok {
					t.Fatalf("%s's read does not see k once the leader can commit", r.name)
				}
			}
		})
	}
}
