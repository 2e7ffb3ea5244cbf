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
	messagesSent, batchesSent                     atomic.Uint64
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
	MessagesSent      uint64 // raft messages queued for peers (snapshots apart)
	BatchesSent       uint64 // gRPC messages that carried them
}

// Counter is one of a node's running totals, under the name SQL shows it
// by (chronos.stats).
type Counter struct {
	Name        string
	Value       uint64
	Description string
}

// Counters returns the running totals of s, in a fixed order.
func (s Stats) Counters() []Counter {
	return []Counter{
		{"ready_cycles", s.Readys, "raft Ready structs handled"},
		{"log_writes", s.LogSaves, "non-empty writes of the raft log"},
		{"fsyncs", s.Fsyncs, "log writes that had to be synced to disk"},
		{"entries_written", s.EntriesSaved, "entries written to the log"},
		{"proposals", s.Proposals, "entries proposed by this node's clients and taken by raft"},
		{"proposals_dropped", s.Dropped, "proposals raft refused and that were proposed again"},
		{"forwarded_dropped", s.ForwardedDropped, "proposals forwarded by peers and dropped for want of a leader"},
		{"proposals_superseded", s.Superseded, "proposals whose outcome became unknown when a new leader committed"},
		{"entries_applied", s.EntriesApplied, "committed entries applied to the tables"},
		{"linearizable_reads", s.Reads, "reads that waited for the cluster's commit index"},
		{"local_reads", s.LocalReads, "of those, served at once by a lone member"},
		{"lease_reads", s.LeaseReads, "of those, served by the leader under its lease"},
		{"read_index_requests", s.ReadIndexRequests, "read index requests sent (one per batch of reads, plus retries)"},
		{"lease_answers", s.LeaseAnswers, "followers' read index requests answered under the lease"},
		{"votes_ignored", s.VotesIgnored, "vote requests ignored right after a restart"},
		{"checkpoints", s.Checkpoints, "checkpoints of the tables that compacted the log"},
		{"snapshots_sent", s.SnapshotsSent, "snapshots streamed to members that were behind"},
		{"snapshots_restored", s.SnapshotsRestored, "snapshots received and restored"},
		{"durable_notices", s.DurableNotices, "notices of the leader's durable log sent to followers"},
		{"commits_inferred", s.CommitsInferred, "commit index advances a follower inferred"},
		{"messages_sent", s.MessagesSent, "raft messages sent to peers, snapshots apart"},
		{"message_batches_sent", s.BatchesSent, "gRPC messages that carried them"},
	}
}

// ClientLoad returns Stats' Reads and Proposals alone: what the node's
// clients asked of it since it started. Unlike Stats it reads nothing but
// two counters, so it is cheap to call often.
func (n *Node) ClientLoad() (reads, proposals uint64) {
	return n.stats.reads.Load(), n.stats.proposals.Load()
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
		MessagesSent:      n.stats.messagesSent.Load(),
		BatchesSent:       n.stats.batchesSent.Load(),
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
