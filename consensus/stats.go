package consensus

import (
	"sync/atomic"

	"go.etcd.io/raft/v3"
)

// counters are the node's running totals, updated atomically.
type counters struct {
	readys, logSaves, fsyncs, entriesSaved        atomic.Uint64
	proposals, dropped, applied                   atomic.Uint64
	forwardedDropped, superseded                  atomic.Uint64
	reads, localReads, readIndexRequests          atomic.Uint64
	leaseReads, leaseAnswers, votesIgnored        atomic.Uint64
	checkpoints, snapshotsSent, snapshotsRestored atomic.Uint64
	durableNotices, commitsInferred               atomic.Uint64
}

// Stats is a point-in-time view of a node, for introspection and tests.
type Stats struct {
	ID      uint64
	Name    string
	Role    string // "leader", "follower", "candidate", "pre-candidate"
	Leader  uint64 // raft ID of the known leader, 0 if none
	Term    uint64
	Commit  uint64 // commit index
	Applied uint64 // last committed entry applied

	SnapshotIndex uint64 // index of the newest raft snapshot (checkpoint)

	Readys            uint64 // Ready structs handled
	LogSaves          uint64 // non-empty log saves
	Fsyncs            uint64 // log saves that had to fsync
	EntriesSaved      uint64 // entries written to the log
	Proposals         uint64 // proposals handed to raft
	Dropped           uint64 // proposals raft dropped (and Propose retried)
	ForwardedDropped  uint64 // proposals forwarded by peers and dropped here (no leader known; grpc.go)
	Superseded        uint64 // proposals failed with ErrOutcomeUnknown after a new term committed (failSuperseded)
	EntriesApplied    uint64 // normal entries handed to StateMachine.Apply
	Reads             uint64 // LinearizableRead calls
	LocalReads        uint64 // of which a lone voter answered without a read index
	ReadIndexRequests uint64 // ReadIndex requests sent to raft (one per round, plus retries)
	LeaseReads        uint64 // of Reads, those this leader served under its lease (lease.go)
	LeaseAnswers      uint64 // followers' ReadIndex requests this leader answered under its lease
	VotesIgnored      uint64 // vote requests ignored in the vote guard after Start
	Checkpoints       uint64
	SnapshotsSent     uint64
	SnapshotsRestored uint64
	DurableNotices    uint64 // durable notices sent as leader (infercommit.go)
	CommitsInferred   uint64 // commit index advances inferred as follower
}

// EntriesPerFsync is the group-commit ratio: entries written per fsync.
func (s Stats) EntriesPerFsync() float64 {
	if s.Fsyncs == 0 {
		return 0
	}
	return float64(s.EntriesSaved) / float64(s.Fsyncs)
}

// Stats returns the node's current statistics.
func (n *Node) Stats() Stats {
	s := Stats{
		ID:                n.cfg.ID,
		Name:              n.cfg.Name,
		Role:              roleName(raft.StateType(n.state.Load())),
		Leader:            n.lead.Load(),
		Applied:           n.applied.Load(),
		Readys:            n.stats.readys.Load(),
		LogSaves:          n.stats.logSaves.Load(),
		Fsyncs:            n.stats.fsyncs.Load(),
		EntriesSaved:      n.stats.entriesSaved.Load(),
		Proposals:         n.stats.proposals.Load(),
		Dropped:           n.stats.dropped.Load(),
		ForwardedDropped:  n.stats.forwardedDropped.Load(),
		Superseded:        n.stats.superseded.Load(),
		EntriesApplied:    n.stats.applied.Load(),
		Reads:             n.stats.reads.Load(),
		LocalReads:        n.stats.localReads.Load(),
		ReadIndexRequests: n.stats.readIndexRequests.Load(),
		LeaseReads:        n.stats.leaseReads.Load(),
		LeaseAnswers:      n.stats.leaseAnswers.Load(),
		VotesIgnored:      n.stats.votesIgnored.Load(),
		Checkpoints:       n.stats.checkpoints.Load(),
		SnapshotsSent:     n.stats.snapshotsSent.Load(),
		SnapshotsRestored: n.stats.snapshotsRestored.Load(),
		DurableNotices:    n.stats.durableNotices.Load(),
		CommitsInferred:   n.stats.commitsInferred.Load(),
	}
	if snap, err := n.storage.Snapshot(); err == nil {
		s.SnapshotIndex = snap.Metadata.Index
	}
	select {
	case <-n.done:
	default:
		st := n.raft.Status()
		s.Term, s.Commit = st.Term, st.Commit
	}
	return s
}
