package consensus

import (
	"time"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

// A leader lease lets a leader answer linearizable reads, its own and its
// followers', from its commit index without a heartbeat round per read
// (raft thesis 6.4.1; docs/decisions.md, "Leader leases for linearizable
// reads").
//
// The lease rests on raft's CheckQuorum rule: a voter that has heard from
// its leader within its last ElectionTicks ticks ignores vote requests
// (raft's inLease). When a leader of term T answers one of its own
// ReadIndex requests, a quorum of voters has acknowledged a heartbeat it
// sent in term T after the request, so after the moment s the request was
// made. Each of them counts ElectionTicks of its own ticks before it votes
// again. Its ticker fires at most once per TickInterval and keeps at most
// one tick pending, so that takes at least (ElectionTicks-2)*TickInterval
// of real time from s; a pause (SIGSTOP) only makes it longer, since
// ticks are lost, not made up. Until then no other leader can be elected,
// and so nothing can be acknowledged that this leader's commit index, or
// its read floor (what its followers may have inferred committed, see
// infercommit.go), does not hold. The lease claims half of that interval,
// measured on the monotonic clock (which runs on through a pause of the
// leader itself), leaving the other half for clocks that run at different
// rates.
//
// Two more things keep the rule true:
//   - A restarted member has forgotten its leader, so raft would let it
//     vote at once; it ignores vote requests for ElectionTicks ticks of
//     real time after it starts (raftService.step, voteGuard), outlasting
//     any lease it helped to grant before it stopped.
//   - Chronos never transfers leadership (raft's MsgTimeoutNow forces
//     votes through the rule).

// lease is a leader's claim on term, valid until expires.
type lease struct {
	term    uint64
	expires time.Time // carries a monotonic clock reading
}

// leaseDuration is how long a lease lasts from the moment its ReadIndex
// request was made; 0 turns leases off (Knobs.NoLeaseReads, or an
// election timeout too short to leave room).
func leaseDuration(cfg Config) time.Duration {
	if cfg.Knobs.NoLeaseReads || cfg.ElectionTicks < 4 {
		return 0
	}
	return cfg.TickInterval * time.Duration(cfg.ElectionTicks-2) / 2
}

// voteGuard is how long a member ignores vote requests after it starts.
func voteGuard(cfg Config) time.Duration {
	return cfg.TickInterval * time.Duration(cfg.ElectionTicks)
}

// leaseGranted records a lease for term from a ReadIndex request made at
// sent that this node answered as leader of term (readLoop calls it).
func (n *Node) leaseGranted(term uint64, sent time.Time) {
	if n.leaseDur == 0 {
		return
	}
	l := &lease{term: term, expires: sent.Add(n.leaseDur)}
	for {
		old := n.lease.Load()
		if old != nil && old.term == term && !old.expires.Before(l.expires) {
			return // a later round already granted more
		}
		if n.lease.CompareAndSwap(old, l) {
			return
		}
	}
}

// leaseRead returns a read index this node may serve reads at, as leader
// under a valid lease, and the lease's term: its commit index, or its read
// floor if higher (a follower may have acknowledged writes up to the floor
// that the commit index does not hold yet; infercommit.go). Both are read
// before the clock: they hold every write acknowledged before that moment,
// and the lease is still valid at a later one. A leader without a lease
// for its term, or with less than half of it left, asks the read loop for
// a round that grants or renews one.
func (n *Node) leaseRead() (index, term uint64, ok bool) {
	if n.leaseDur == 0 || raft.StateType(n.state.Load()) != raft.StateLeader {
		return 0, 0, false
	}
	l := n.lease.Load()
	if l == nil || l.term != n.term.Load() {
		n.reads.renew()
		return 0, 0, false
	}
	index = max(n.raftCommit.Load(), n.readFloor(l.term))
	left := time.Until(l.expires)
	if left < n.leaseDur/2 {
		n.reads.renew()
	}
	if left <= 0 || n.term.Load() != l.term || raft.StateType(n.state.Load()) != raft.StateLeader {
		return 0, 0, false
	}
	return index, l.term, true
}

// answerReadIndex answers a follower's forwarded ReadIndex request under
// the lease, without raft's heartbeat round. It reports false, leaving the
// request to raft, when there is no valid lease.
func (n *Node) answerReadIndex(m raftpb.Message) bool {
	if n.trans == nil || len(m.Entries) != 1 {
		return false
	}
	index, term, ok := n.leaseRead()
	if !ok {
		return false
	}
	n.stats.leaseAnswers.Add(1)
	n.trans.send([]raftpb.Message{{
		Type:    raftpb.MsgReadIndexResp,
		To:      m.From,
		From:    n.cfg.ID,
		Term:    term,
		Index:   index,
		Entries: m.Entries,
	}})
	return true
}
