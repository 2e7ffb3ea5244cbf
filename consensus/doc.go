// Package consensus orders Chronos's writes with etcd raft
// (go.etcd.io/raft/v3). It turns a StateMachine (the tables) into a
// replicated one: Start opens a member, Propose replicates a command and
// returns Apply's result, LinearizableRead waits until local state may be
// read, Stop checkpoints and closes. A single node is a one-member cluster;
// a cluster is the same code with members added over gRPC.
//
// # Raft's four duties, as Chronos performs them
//
// etcd raft computes; the application persists, sends, applies and
// advances. Node.run (node.go) is the one goroutine that does all four, one
// Ready at a time, one helper per step:
//
//  1. Persist. saveSnapshot writes a snapshot received from the leader (the
//     snap file, then the WAL's snapshot record); saveLog writes HardState
//     and entries to etcd's WAL (Dir/wal) with one fsync. Every proposal that
//     arrived since the previous Ready shares that fsync (group commit;
//     Stats.EntriesPerFsync). Then applySnapshot and appendLog bring raft's
//     MemoryStorage up to date; a received snapshot replaces the tables
//     (StateMachine.Restore) and is checkpointed at once.
//  2. Send. Only after the fsync do messages leave (send), because they
//     promise votes and entries that must survive a crash. A message
//     carrying a snapshot gets the tables' data (StateMachine.SnapshotData)
//     at that moment. The transport queues per peer and never blocks the
//     loop; a peer it cannot reach is reported to raft.
//  3. Apply. applyCommitted hands committed normal entries to
//     StateMachine.Apply in log order and delivers each result to the
//     proposer waiting on this node; conf changes go to raft's
//     ApplyConfChange and update the membership table. Entries at or below
//     the state machine's applied index (already in its checkpoint) are
//     skipped. After CheckpointEntries entries maybeCheckpoint calls
//     StateMachine.Checkpoint (the CSV checkpoint), records a raft snapshot
//     at the index it covers (data: a marker, the state lives in the CSV
//     files) and compacts the log, keeping CatchUpEntries for followers.
//  4. Advance. The loop tells raft the Ready is handled and takes the next.
//
// Nothing in the loop waits on a client. Proposals (propose.go) come from
// the callers' goroutines: each is wrapped in an envelope with a unique ID
// (envelope.go), a waiter is registered under it before raft sees it, and
// the waiter is freed on every exit. Linearizable reads (readindex.go) are
// batched behind one ReadIndex request per round. Config.Knobs hooks sit
// between the steps for crash tests.
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
// # Failure
//
// Without a leader or quorum, Propose and LinearizableRead fail within
// Config.RequestTimeout with ErrNoQuorum. A Propose error wraps
// ErrOutcomeUnknown when the entry may still apply. A failing step
// (disk error, an entry that cannot be decoded) stops the node; Done and
// Err report it.
package consensus
