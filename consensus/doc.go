// Package consensus orders Chronos's writes with etcd raft
// (go.etcd.io/raft/v3). It turns a StateMachine (the tables) into a
// replicated one: Start opens a member, Propose replicates a command and
// returns Apply's result, LinearizableRead waits until local state may be
// read, Stop checkpoints and closes. A single node is a one-member cluster;
// a cluster is the same code with members added over gRPC.
//
// # Raft's duties, as Chronos performs them
//
// etcd raft computes; the application persists, sends and applies. Node.run
// (node.go) is the one goroutine that takes raft's output, one Ready at a
// time (handleReady). It also owns raft itself, a raft.RawNode (driver.go):
// proposals and messages from other goroutines wait in an inbox that the
// loop takes before each Ready, instead of passing through a goroutine of
// raft's own. Raft runs with AsyncStorageWrites: the log write and the
// committed entries come as messages to local "threads", which are two
// workers (worker.go), so the loop never waits for an fsync and goes on
// stepping proposals, acknowledgements and reads meanwhile.
//
//  1. Send. Messages that promise nothing about this node's log (appends,
//     heartbeats, forwarded proposals, vote requests) leave at once. A
//     message carrying a snapshot gets the tables' data
//     (StateMachine.SnapshotData) at that moment. The transport queues per
//     peer and never blocks the loop; a peer it cannot reach is reported to
//     raft.
//  2. Apply. Raft hands over committed entries only once they are durable
//     here. applyCommitted hands them to StateMachine.Apply in log order
//     and delivers each result to the proposer waiting on this node; conf
//     changes go to raft's ApplyConfChange and update the membership table.
//     Entries at or below the state machine's applied index (already in its
//     checkpoint) are skipped. Normal entries are applied on the applier,
//     which the loop does not wait for (handOff); conf changes apply on the
//     loop, after everything handed off before them.
//  3. Persist. The appender writes HardState and entries to etcd's WAL
//     (Dir/wal) with one fsync for every write waiting (group commit;
//     Stats.EntriesPerFsync), brings raft's MemoryStorage up to date, and
//     only then sends the messages that waited for the write (a follower's
//     acknowledgement, a vote) and hands raft its own (a leader counts its
//     own log toward a quorum only then). So a leader's appends leave
//     before its own fsync and the followers' fsyncs overlap it. A snapshot
//     received from the leader is written on the loop, after everything
//     before it (the snap file, then the WAL's snapshot record), replaces
//     the tables (StateMachine.Restore) and is checkpointed at once. A lone
//     voter writes on the loop too: nothing can overlap its fsync, and its
//     entries commit once it is done.
//  4. Checkpoint. After CheckpointEntries entries maybeCheckpoint starts
//     StateMachine.Checkpoint (the CSV checkpoint) in the background; when
//     it is done, finishCheckpoint records a raft snapshot at the index it
//     started at (data: a marker, the state lives in the CSV files) and
//     compacts the log, keeping CatchUpEntries for followers. The next
//     checkpoint waits checkpointGap times as long as the last one took.
//
// Nothing in the loop waits on a client. Proposals (propose.go) come from
// the callers' goroutines: each is wrapped in an envelope with a unique ID
// (envelope.go), a waiter is registered under it before raft sees it, and
// the waiter is freed on every exit. The caller's goroutine wakes once per
// proposal: the loop records that raft took the entry (or hands the waiter
// raft's refusal) and the applier hands it the result. Linearizable reads (readindex.go) are
// batched behind one ReadIndex request per round; a member that is the
// only one of its applied configuration answers them at once, since it has
// applied every acknowledged write (soleVoter gives the argument). A
// leader whose own round succeeded holds a lease for a while after
// (lease.go): it reads at its commit index, and answers its followers'
// requests so, without a heartbeat round.
// Config.Knobs hooks sit between the steps for crash tests.
//
// # Start and restart
//
// A directory without a log bootstraps a one-member cluster, or, when
// Config.Peers is set, asks a peer to add it and starts empty. A directory
// with a log restarts: the newest snapshot, then the WAL after it, rebuild
// the MemoryStorage; raft re-delivers committed entries after the snapshot,
// and those above StateMachine.AppliedIndex are applied before Start
// returns. Stop applies nothing further, checkpoints once more (a cleanly
// stopped node's CSV files are current) and closes the log.
//
// # Clusters
//
// Members talk over gRPC (proto/transport.proto, served by RegisterGRPC on
// the node's shared port; transport.go sends, grpc.go receives). Each peer
// has one long-lived client stream fed by a bounded queue of messages,
// batched per send; a full queue or a failed stream is reported to raft
// (ReportUnreachable) and the Ready loop never waits for a peer. A snapshot
// travels on its own stream in 1 MiB chunks and its outcome is reported
// (ReportSnapshot); the receiver restores it and skips the entries it
// already covers.
//
// Members have string names (the server's --id); RaftID maps a name to its
// raft ID (64-bit FNV-1a), recorded in the log's metadata, in the conf
// change's context (the Member JSON with the address) and in
// Dir/members.json. A new member asks a peer to add it (Join; a follower
// forwards to the leader, which checks for name and ID conflicts and
// proposes the conf change), then starts with an empty log and catches up
// from the leader, by snapshot if the log was compacted. A member with a
// log always restarts into its own cluster. Removal (RemoveMember,
// RemoveVia) is a conf change; a removed member stops with ErrRemoved when
// it applies the change or a peer refuses its messages. Followers forward
// proposals to the leader through raft and serve linearizable reads
// through ReadIndex requests sent straight to the leader. A follower whose
// clients write infers commits from its own durable log and the leader's
// durable notices, a round of messages before the leader's commit index
// would tell it (infercommit.go); the leader's reads then read at no less
// than what it announced. ClusterStatus asks every member for its Status.
//
// # Failure
//
// Without a leader or quorum, Propose and LinearizableRead fail within
// Config.RequestTimeout with ErrNoQuorum. A Propose error wraps
// ErrOutcomeUnknown when the entry may still apply. A failing step
// (disk error, an entry that cannot be decoded) stops the node; Done and
// Err report it.
package consensus
