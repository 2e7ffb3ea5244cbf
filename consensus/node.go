package consensus

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

// StateMachine is the replicated state that committed entries are applied
// to. The node calls Apply, SnapshotData and Restore one at a time, in log
// order, from the Ready loop or a goroutine it waits for; Checkpoint may run
// on its own goroutine beside Apply (never beside another Checkpoint,
// SnapshotData or Restore), so it must capture a consistent state and
// report the index that state covers. AppliedIndex may also be called by
// Start before the loop runs. Apply must be deterministic: the same entries
// in the same order give the same state on every member.
type StateMachine interface {
	// AppliedIndex is the last index reflected in the loaded state. Entries
	// at or below it are not applied again (they are in the checkpoint).
	AppliedIndex() uint64
	// Apply applies a committed normal entry's payload. The result goes to
	// the proposer's waiter, if the entry was proposed on this node.
	Apply(index uint64, data []byte) any
	// Checkpoint persists the state durably (the CSV checkpoint) and
	// returns the applied index it covers: at least the applied index when
	// it was called, more if entries applied meanwhile are included.
	Checkpoint() (index uint64, err error)
	// SnapshotData returns the whole state, for sending to a peer that is
	// too far behind to catch up from the log.
	SnapshotData() ([]byte, error)
	// Restore replaces the state with data received from a peer, which
	// covers the entries up to index.
	Restore(index uint64, data []byte) error
}

// Entry is a committed normal entry's index and payload, as BatchApplier
// receives it.
type Entry struct {
	Index uint64
	Data  []byte
}

// BatchApplier is a StateMachine that applies a run of committed entries at
// once, for instance to share work between them. ApplyBatch must be
// equivalent to calling Apply on each in order, and returns their results;
// the Node delivers them only after it returns, so the state machine may
// make the entries' effects visible all together at the end.
type BatchApplier interface {
	ApplyBatch(entries []Entry) []any
}

// Node is one running raft member. Its methods are safe for concurrent use.
type Node struct {
	cfg     Config
	log     *slog.Logger
	sm      StateMachine
	raft    *driver
	storage *raft.MemoryStorage
	disk    *disk
	members *membership
	trans   *transport // nil until the gRPC transport is set up

	boot      uint64        // random per Start; part of every proposal ID
	seq       atomic.Uint64 // last proposal sequence number used
	waiters   *proposalWaiters
	deadlines *deadlines // Propose's deadlines

	// applyc and appliedc connect the Ready loop to the applier goroutine
	// (handOff); applying, owned by the loop, counts the batches handed
	// off whose results it has not taken yet.
	applyc   chan []raftpb.Entry // buffered applyDepth
	appliedc chan error          // buffered applyDepth
	applying int

	// Scratch space of applyCommitted, reused between calls (one at a time).
	applyRun     []pendingApply
	applyEntries []Entry
	applyW       *indexWait // released as the applied index grows
	reads        *readLoop

	// Leader leases (lease.go). raftCommit is raft's commit index as of
	// the last Ready, stored before that Ready's messages go out.
	leaseDur   time.Duration
	lease      atomic.Pointer[lease]
	raftCommit atomic.Uint64
	started    time.Time // when Start began; voteGuard counts from it

	applied atomic.Uint64 // last committed entry index applied (by the applier or, for conf changes, the loop)
	// appliedBytes counts the bytes of normal entries applied since Start
	// (written by the applier, read by the loop's checkpoint trigger).
	appliedBytes atomic.Uint64
	solo         atomic.Bool   // the applied configuration makes this node the only member (soleVoter)
	lead         atomic.Uint64 // current leader's raft ID, 0 if none known
	term         atomic.Uint64 // current term as of the last Ready's HardState
	state        atomic.Int32  // raft.StateType
	stats        counters

	// Owned by the Ready loop (and by Start before the loop runs).
	confState         raftpb.ConfState
	smApplied         uint64           // the state machine's applied index
	snapIndex         uint64           // index of the newest raft snapshot
	checkpointApplied uint64           // applied index at the last checkpoint's start
	checkpointBytes   uint64           // appliedBytes at the last checkpoint's start
	ckpt              *background      // the checkpoint running in the background, if any
	ckptNotBefore     time.Time        // no checkpoint starts before (checkpointGap)
	raftApplied       uint64           // applied index raft knows of (as of the last Advance)
	appliedTerm       uint64           // term of the last entry applied
	supersedeTicks    int              // ticks until failSuperseded runs; 0: not due
	prevHardState     raftpb.HardState // last saved, to tell when a save must fsync
	lastSaved         uint64           // index of the last entry durable in the log (splitDurable)
	handed            uint64           // index of the last entry handed to apply (apply)
	committed         uint64           // index of the last entry raft reported committed
	readyTarget       uint64           // applied index at which Start may return
	readyOnce         sync.Once
	readyc            chan struct{} // closed once restart replay is applied

	stopOnce sync.Once
	stopc    chan struct{} // closed by Stop; the Ready loop exits
	removedc chan struct{} // closed by removedByPeer; the Ready loop exits with ErrRemoved
	removed  sync.Once
	done     chan struct{} // closed when the node has shut down
	err      error         // why it shut down; read after done
	crash    bool          // tests: shut down as a crash would (no checkpoint)
}

// run is the Ready loop: the one goroutine that handles raft's output, in
// the order raft's documentation requires. It ends when Stop is called or a
// step fails; then it shuts the node down.
func (n *Node) run() {
	ticker := time.NewTicker(n.cfg.TickInterval)
	defer ticker.Stop()
	var err error
	defer func() { n.shutdown(err) }()
	go n.applier()
	defer func() {
		// Nothing may apply beside shutdown's checkpoint.
		if aerr := n.awaitApplied(); err == nil {
			err = aerr
		}
		close(n.applyc)
	}()
	for {
		var readyc <-chan struct{}
		if n.raft.rn.HasReady() {
			readyc = closedChan
		}
		select {
		case <-ticker.C:
			// The tick reads what applying sets (supersedeTicks).
			if err = n.awaitApplied(); err != nil {
				return
			}
			n.raft.rn.Tick()
			n.raft.retryHeld()
			if n.supersedeTicks > 0 {
				if n.supersedeTicks--; n.supersedeTicks == 0 {
					n.failSuperseded()
				}
			}
			// A checkpoint held back by a running one or by
			// checkpointGap starts even when no more writes come.
			if err = n.maybeCheckpoint(); err != nil {
				return
			}

		case <-n.raft.wake:
			n.raft.take()

		case <-readyc:
			// Proposals and messages that arrived meanwhile join this
			// Ready (and its fsync).
			select {
			case <-n.raft.wake:
				n.raft.take()
			default:
			}
			rd := n.raft.rn.Ready()
			n.stats.readys.Add(1)
			if k := len(rd.CommittedEntries); k > 0 {
				n.committed = rd.CommittedEntries[k-1].Index
			}
			if err = n.pollApplied(); err != nil {
				return
			}
			if rd.HardState.Term > n.term.Load() {
				n.term.Store(rd.HardState.Term)
			}
			// After the term (leaseRead loads them in the other order).
			if rd.HardState.Commit > n.raftCommit.Load() {
				n.raftCommit.Store(rd.HardState.Commit)
			}
			n.noteSoftState(rd.SoftState)
			// 0. Committed entries that an earlier Ready already made
			//    durable here are handed to the applier, which applies
			//    them and answers their proposers while this Ready's fsync
			//    runs, and after (raft allows applying in parallel with
			//    persisting; see splitDurable and handOff).
			early, late := n.splitDurable(rd)
			// A leader's messages may go out before its own log write
			// (sendBeforeSave); the followers' writes then overlap it.
			sentEarly := n.sendBeforeSave(rd)
			if sentEarly {
				n.send(rd.Messages)
			}
			if err = n.apply(early); err != nil {
				return
			}
			// 1. A snapshot (received from the leader) is saved first: the
			//    file, then the log's snapshot record. Entries still
			//    applying and a checkpoint still running finish before
			//    (the snapshot replaces the state; the checkpoint's raft
			//    snapshot is older).
			if !raft.IsEmptySnap(rd.Snapshot) {
				if err = n.awaitApplied(); err != nil {
					return
				}
				if err = n.awaitCheckpoint(); err != nil {
					return
				}
			}
			if err = n.saveSnapshot(rd.Snapshot); err != nil {
				return
			}
			// 2. HardState and entries are made durable with one fsync
			//    before anything is sent or the rest is applied.
			hook(n.cfg.Knobs.BeforeLogSave)
			if err = n.saveLog(rd.HardState, rd.Entries); err != nil {
				return
			}
			hook(n.cfg.Knobs.AfterLogSave)
			// 3. The in-memory log follows: the snapshot (tables reload
			//    from it), then the new entries.
			if err = n.applySnapshot(rd.Snapshot); err != nil {
				return
			}
			if err = n.appendLog(rd.Entries); err != nil {
				return
			}
			// 3b. A lone voter's new entries are committed now that they are
			//    durable here: they are applied at once instead of after
			//    raft says so in the next Ready (soloCommitted).
			if err = n.apply(n.soloCommitted(rd)); err != nil {
				return
			}
			// 4. Messages go out only now that what they promise is durable
			//    (unless a leader sent them before step 2, sendBeforeSave).
			//    One carrying a snapshot takes the state machine's data
			//    (SnapshotData), which must not run beside a checkpoint.
			if !sentEarly {
				if hasSnapshotMessage(rd.Messages) {
					if err = n.awaitApplied(); err != nil {
						return
					}
					if err = n.awaitCheckpoint(); err != nil {
						return
					}
				}
				n.send(rd.Messages)
			}
			n.reads.deliver(rd.ReadStates, n.leaderTerm())
			// 5. The other committed entries are applied in order, conf
			//    changes too.
			if err = n.apply(late); err != nil {
				return
			}
			// Only with the configuration applied (conf changes apply on
			// the loop, after every entry before them) may a lone voter
			// answer reads locally (readindex.go, soleVoter).
			n.solo.Store(soleVoter(n.confState, n.cfg.ID))
			hook(n.cfg.Knobs.AfterApply)
			// 6. Every CheckpointEntries applied entries the tables are
			//    checkpointed in the background; the log is compacted when
			//    that is done.
			if err = n.maybeCheckpoint(); err != nil {
				return
			}
			n.maybeReady()
			// 7. Tell raft this Ready is done so it can prepare the next.
			hook(n.cfg.Knobs.BeforeAdvance)
			n.raft.rn.Advance(rd)
			n.raftApplied = n.appliedCommitted()
			n.raft.retryHeld()

		case res := <-n.checkpointDone():
			if err = n.finishCheckpoint(n.ckpt, res); err != nil {
				return
			}

		case <-n.removedc:
			err = ErrRemoved
			return

		case <-n.stopc:
			return
		}
	}
}

func hook(f func()) {
	if f != nil {
		f()
	}
}

// leaderTerm is the current term if this node is its leader, else 0.
func (n *Node) leaderTerm() uint64 {
	if raft.StateType(n.state.Load()) != raft.StateLeader {
		return 0
	}
	return n.term.Load()
}

// noteSoftState records leader and role changes. A new leader restarts
// pending linearizable reads: the old leader's answers may never come.
func (n *Node) noteSoftState(ss *raft.SoftState) {
	if ss == nil {
		return
	}
	n.state.Store(int32(ss.RaftState))
	if old := n.lead.Swap(ss.Lead); old != ss.Lead {
		if ss.Lead == raft.None {
			n.log.Info("raft leader lost", "previous", n.memberName(old))
		} else {
			n.log.Info("raft leader elected", "leader", n.memberName(ss.Lead), "role", roleName(ss.RaftState))
		}
		n.reads.leaderChanged()
	}
}

// sendBeforeSave reports whether rd's messages may be sent before rd is
// persisted: raft lets a leader write its log in parallel with replicating
// it (raft thesis 10.2.1; etcd's server does this), because an entry
// commits only once a quorum has it durably and the leader counts itself
// only after this Ready's Advance, which follows the fsync. So a leader's
// appends and heartbeats leave at once and the followers' fsyncs overlap
// its own instead of following it.
//
// Only a leader in a term and vote already durable qualifies: a node that
// became candidate or leader in this very Ready (a lone voter campaigning)
// must persist its term and vote before any message carries them, and a
// node that stepped down in it (SoftState says so) may be answering a vote.
// A Ready carrying a snapshot message keeps the usual order, since taking
// the snapshot's data must not run beside the early apply or a checkpoint.
func (n *Node) sendBeforeSave(rd raft.Ready) bool {
	if raft.StateType(n.state.Load()) != raft.StateLeader || len(rd.Messages) == 0 {
		return false
	}
	if hs := rd.HardState; !raft.IsEmptyHardState(hs) && (hs.Term != n.prevHardState.Term || hs.Vote != n.prevHardState.Vote) {
		return false
	}
	return !hasSnapshotMessage(rd.Messages)
}

// splitDurable splits rd's committed entries into those that may be
// applied before rd is persisted and those that must wait for it.
//
// A committed entry may be applied as soon as it is durable in this node's
// log: raft lets an application apply committed entries in parallel with
// persisting the Ready (etcd's server does), and this node acknowledges a
// write only after applying it, so what it acknowledges early is on disk
// here and, being committed, on a quorum. Entries saved by an earlier
// Ready, up to lastSaved, are durable, except from the first index rd
// itself writes: those rd.Entries replace (a follower whose log conflicted
// with the leader's). A follower may also see entries committed that
// arrive in rd.Entries itself; those wait, as does everything in a Ready
// carrying a snapshot (applied first, in step 3).
//
// On a leader every committed entry is already durable (its own log counts
// toward the quorum only once persisted), so each write waits for one
// fsync instead of two: without this, entries saved by one Ready and
// committed by the next waited for the next Ready's fsync too.
func (n *Node) splitDurable(rd raft.Ready) (early, late []raftpb.Entry) {
	ents := rd.CommittedEntries
	if !raft.IsEmptySnap(rd.Snapshot) {
		return nil, ents
	}
	limit := n.lastSaved
	if len(rd.Entries) > 0 {
		limit = min(limit, rd.Entries[0].Index-1)
	}
	i := 0
	for i < len(ents) && ents[i].Index <= limit {
		i++
	}
	return ents[:i], ents[i:]
}

// soloCommitted returns the entries of rd that are committed because this
// node, the leader, is the only voter and rd has just made them durable:
// raft's quorum is this node's log alone. Raft would report them committed
// only in the next Ready, after Advance; a lone voter's writes each wait one
// loop cycle less this way. Only normal entries that directly follow those
// already handed to apply qualify, up to the first conf change (after it
// applies, this node may no longer be the only voter).
//
// The state machine may then be ahead of the commit index raft knows and of
// the one saved in the log; appliedCommitted caps what raft and the log's
// snapshots are told, and a restart skips the entries the checkpoint holds.
func (n *Node) soloCommitted(rd raft.Ready) []raftpb.Entry {
	if len(rd.Entries) == 0 || !raft.IsEmptySnap(rd.Snapshot) ||
		raft.StateType(n.state.Load()) != raft.StateLeader ||
		!soleVoter(n.confState, n.cfg.ID) || rd.Entries[0].Index != n.handed+1 {
		return nil
	}
	i := 0
	for i < len(rd.Entries) && rd.Entries[i].Type == raftpb.EntryNormal {
		i++
	}
	return rd.Entries[:i]
}

// appliedCommitted is the applied index capped at the commit index raft
// reported: what raft may be told is applied and where a snapshot of the
// log may be taken (soloCommitted lets the state machine run ahead).
func (n *Node) appliedCommitted() uint64 {
	return min(n.applied.Load(), n.committed)
}

// applyDepth is how many batches of committed entries the Ready loop may
// hand to the applier before it waits for the oldest to be applied.
const applyDepth = 4

// apply applies committed entries in log order: normal entries on the
// applier goroutine (handOff), a batch holding a conf change on the loop,
// after everything handed off before it.
func (n *Node) apply(ents []raftpb.Entry) error {
	for len(ents) > 0 && ents[0].Index <= n.handed {
		ents = ents[1:] // applied already (soloCommitted)
	}
	if len(ents) == 0 {
		return nil
	}
	n.handed = ents[len(ents)-1].Index
	for i := range ents {
		if ents[i].Type != raftpb.EntryNormal {
			if err := n.awaitApplied(); err != nil {
				return err
			}
			return n.applyCommitted(ents)
		}
	}
	return n.handOff(ents)
}

// handOff gives a batch of normal entries to the applier and returns
// without waiting for it, so the Ready loop goes on to write and fsync the
// log, send, and advance raft meanwhile, as etcd's server does. Applying
// touches only the state machine, the waiters, the applied index and the
// fields applyCommitted sets (smApplied, appliedTerm, supersedeTicks, and
// the atomic appliedBytes); the loop reads the others only after
// awaitApplied. Raft does not need entries applied before Advance: it needs
// conf changes applied, which apply on the loop.
func (n *Node) handOff(ents []raftpb.Entry) error {
	if n.applying == applyDepth {
		if err := n.takeApplied(); err != nil {
			return err
		}
	}
	n.applyc <- ents
	n.applying++
	return nil
}

// takeApplied waits for the oldest batch handed off to be applied.
func (n *Node) takeApplied() error {
	err := <-n.appliedc
	n.applying--
	return err
}

// awaitApplied waits until every batch handed off is applied and returns
// the first error among them.
func (n *Node) awaitApplied() error {
	var first error
	for n.applying > 0 {
		if err := n.takeApplied(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// pollApplied takes the results of the batches already applied, without
// waiting, so that a failed apply stops the loop at its next Ready.
func (n *Node) pollApplied() error {
	for n.applying > 0 {
		select {
		case err := <-n.appliedc:
			n.applying--
			if err != nil {
				return err
			}
		default:
			return nil
		}
	}
	return nil
}

// applier is the goroutine on which handOff's batches are applied, in the
// order they were handed off. One long-lived goroutine, rather than one per
// Ready, keeps the deep stack applying needs instead of growing a new one
// (stack copying was 3 to 4% of a node's CPU). It returns when applyc is
// closed.
func (n *Node) applier() {
	var failed error
	for ents := range n.applyc {
		// After a failed batch nothing more applies: the entries after it
		// would apply to a state missing its rest. The loop stops at the
		// error it takes.
		if failed == nil {
			failed = n.applyCommitted(ents)
			n.maybeReady() // Start may be waiting for these entries
		}
		n.appliedc <- failed
	}
}

// saveSnapshot is step 1: a snapshot must be durable before the entries
// and HardState that follow it, or a restart could not rebuild the log.
// The log then restarts at the snapshot: entries saved before it no longer
// count as durable entries of this log.
func (n *Node) saveSnapshot(s raftpb.Snapshot) error {
	if raft.IsEmptySnap(s) {
		return nil
	}
	if err := n.disk.saveSnapshot(s); err != nil {
		return err
	}
	n.lastSaved = s.Metadata.Index
	return nil
}

// saveLog is step 2: raft's safety rests on HardState (term, vote, commit)
// and entries being on disk before this node tells anyone about them. Every
// proposal that arrived since the last Ready shares this one fsync (group
// commit).
func (n *Node) saveLog(hs raftpb.HardState, ents []raftpb.Entry) error {
	if raft.IsEmptyHardState(hs) && len(ents) == 0 {
		return nil
	}
	mustSync := raft.MustSync(hs, n.prevHardState, len(ents))
	if err := n.disk.wal.Save(hs, ents); err != nil {
		return fmt.Errorf("consensus: save log: %w", err)
	}
	if len(ents) > 0 {
		n.lastSaved = ents[len(ents)-1].Index // entries force an fsync: durable now
	}
	if !raft.IsEmptyHardState(hs) {
		n.prevHardState = hs
	}
	n.stats.logSaves.Add(1)
	n.stats.entriesSaved.Add(uint64(len(ents)))
	if mustSync {
		n.stats.fsyncs.Add(1)
	}
	return nil
}

// applySnapshot is step 3a: the in-memory log restarts at the snapshot, and
// the state machine replaces its tables with the snapshot's data. The state
// is checkpointed at once, so the files on disk match the new log.
func (n *Node) applySnapshot(s raftpb.Snapshot) error {
	if raft.IsEmptySnap(s) {
		return nil
	}
	sd, err := decodeSnapshotData(s.Data)
	if err != nil {
		return err
	}
	idx := s.Metadata.Index
	n.log.Info("restoring snapshot from leader", "index", idx, "applied", sd.Applied, "bytes", len(sd.State))
	// Keep only a marker in memory; the state is in the snapshot file and,
	// after the checkpoint below, in the state machine's files.
	marker := s
	if marker.Data, err = (snapshotData{Applied: sd.Applied, Members: sd.Members}).encode(); err != nil {
		return err
	}
	if err := n.storage.ApplySnapshot(marker); err != nil {
		return fmt.Errorf("consensus: apply snapshot %d: %w", idx, err)
	}
	n.confState = s.Metadata.ConfState
	if !soleVoter(n.confState, n.cfg.ID) {
		n.solo.Store(false)
	}
	n.snapIndex = idx
	n.committed = max(n.committed, idx) // a snapshot holds only committed entries
	n.handed = max(n.handed, idx)
	n.members.replace(sd.Members)
	if err := n.members.save(); err != nil {
		return err
	}
	n.syncPeers()
	if sd.Full && sd.Applied > n.smApplied {
		if err := n.sm.Restore(sd.Applied, sd.State); err != nil {
			return fmt.Errorf("consensus: restore snapshot at %d: %w", sd.Applied, err)
		}
		n.smApplied = sd.Applied
		if _, err := n.sm.Checkpoint(); err != nil {
			return fmt.Errorf("consensus: checkpoint after restore: %w", err)
		}
	}
	n.checkpointApplied = idx
	n.setApplied(idx)
	n.stats.snapshotsRestored.Add(1)
	return nil
}

// appendLog is step 3b: raft reads its log from MemoryStorage, so the
// entries saved in step 2 are added there too.
func (n *Node) appendLog(ents []raftpb.Entry) error {
	if len(ents) == 0 {
		return nil
	}
	if err := n.storage.Append(ents); err != nil {
		return fmt.Errorf("consensus: append to in-memory log: %w", err)
	}
	return nil
}

// send is step 4: messages leave only after step 2 made durable the
// entries and votes they carry. A snapshot message gets the state
// machine's data here, on the loop, where no Apply can run beside it.
func (n *Node) send(msgs []raftpb.Message) {
	msgs = coalesceAppResps(msgs)
	if len(msgs) == 0 {
		return
	}
	for i := range msgs {
		if msgs[i].Type == raftpb.MsgSnap {
			n.fillSnapshot(&msgs[i])
		}
	}
	if n.trans == nil {
		// A member without a transport has no one to talk to; tell raft so
		// it does not wait on answers.
		for _, m := range msgs {
			n.raft.ReportUnreachable(m.To)
		}
		return
	}
	n.trans.send(msgs)
}

func hasSnapshotMessage(msgs []raftpb.Message) bool {
	for i := range msgs {
		if msgs[i].Type == raftpb.MsgSnap {
			return true
		}
	}
	return false
}

// fillSnapshot replaces a MsgSnap's marker with the whole state, taken now
// at the state machine's applied index, and the current ConfState (the
// stored snapshot's may predate later conf changes).
func (n *Node) fillSnapshot(m *raftpb.Message) {
	m.Snapshot.Metadata.ConfState = n.confState
	state, err := n.sm.SnapshotData()
	if err != nil {
		n.log.Error("snapshot for peer failed", "peer", n.memberName(m.To), "err", err)
		m.Snapshot.Data = nil // the transport reports the failure to raft
		return
	}
	data, err := (snapshotData{Full: true, Applied: n.smApplied, Members: n.members.file(), State: state}).encode()
	if err != nil {
		n.log.Error("snapshot for peer failed", "peer", n.memberName(m.To), "err", err)
		m.Snapshot.Data = nil
		return
	}
	m.Snapshot.Data = data
	n.stats.snapshotsSent.Add(1)
}

// applyCommitted is step 5: committed entries reach the state machine in
// log order. Normal entries the state machine already has (at or below its
// applied index, after a restart or a restored snapshot) are skipped; conf
// changes are always handed to raft, as raft requires.
func (n *Node) applyCommitted(ents []raftpb.Entry) error {
	if len(ents) == 0 {
		return nil
	}
	run := n.applyRun[:0]
	for i := range ents {
		e := &ents[i]
		if e.Term > n.appliedTerm {
			n.appliedTerm = e.Term
			n.supersedeTicks = supersedeGraceTicks
		}
		switch e.Type {
		case raftpb.EntryNormal:
			if len(e.Data) == 0 || e.Index <= n.smApplied {
				break // a new leader's empty entry, or already in the state
			}
			id, payload, err := decodeEnvelope(e.Data)
			if err != nil {
				return fmt.Errorf("consensus: entry %d: %w", e.Index, err)
			}
			run = append(run, pendingApply{Entry{Index: e.Index, Data: payload}, id, len(e.Data)})
		case raftpb.EntryConfChange:
			n.applyRunOf(run)
			run = run[:0]
			var cc raftpb.ConfChange
			if err := cc.Unmarshal(e.Data); err != nil {
				return fmt.Errorf("consensus: conf change entry %d: %w", e.Index, err)
			}
			if err := n.applyConfChange(e.Index, cc.ID, cc); err != nil {
				return err
			}
		case raftpb.EntryConfChangeV2:
			n.applyRunOf(run)
			run = run[:0]
			var cc raftpb.ConfChangeV2
			if err := cc.Unmarshal(e.Data); err != nil {
				return fmt.Errorf("consensus: conf change entry %d: %w", e.Index, err)
			}
			if err := n.applyConfChange(e.Index, 0, cc); err != nil {
				return err
			}
		}
	}
	n.applyRunOf(run)
	clear(run)
	n.applyRun = run[:0]
	n.setApplied(ents[len(ents)-1].Index)
	return nil
}

// pendingApply is a normal entry collected by applyCommitted, with what it
// needs to deliver the result.
type pendingApply struct {
	entry Entry
	id    proposalID
	size  int // the entry's size in the log
}

// applyRunOf applies a run of consecutive normal entries, in one call when
// the state machine is a BatchApplier, and then delivers their results to
// the proposals waiting here.
func (n *Node) applyRunOf(run []pendingApply) {
	if len(run) == 0 {
		return
	}
	var results []any
	if ba, ok := n.sm.(BatchApplier); ok {
		entries := n.applyEntries[:0]
		for i := range run {
			entries = append(entries, run[i].entry)
		}
		results = ba.ApplyBatch(entries)
		clear(entries)
		n.applyEntries = entries[:0]
	} else {
		results = make([]any, len(run))
		for i := range run {
			results[i] = n.sm.Apply(run[i].entry.Index, run[i].entry.Data)
		}
	}
	for i := range run {
		p := &run[i]
		n.smApplied = p.entry.Index
		n.appliedBytes.Add(uint64(p.size))
		n.stats.applied.Add(1)
		if p.id.node == n.cfg.ID && p.id.boot == n.boot {
			n.waiters.trigger(p.id, results[i])
		}
	}
}

// supersedeGraceTicks is how many ticks after the first entry of a new
// term applies failSuperseded runs: time for proposals that raft forwarded
// to the new leader just before this node heard of it to commit.
const supersedeGraceTicks = 2

// failSuperseded fails, with ErrLeaderChanged and ErrOutcomeUnknown, the
// waiting proposals that raft took in a term before the newest applied
// entry's. Once an entry of term T is committed, no entry of an earlier term
// can commit after it (a later leader's log holds it, and entries follow it
// in the log only with terms of at least T), and this node has applied
// every earlier-term entry before it. A proposal raft took in an earlier
// term and that has not applied is therefore lost, unless its forwarded
// message is still on its way (queued for a crashed leader that comes back,
// or re-forwarded by a deposed one) and gets appended in the new term: so
// its outcome is unknown, and its caller learns so now instead of after
// RequestTimeout. The grace ticks cover proposals that raft forwarded to the
// new leader before the term it published reached the waiter.
func (n *Node) failSuperseded() {
	if k := n.waiters.failBefore(n.appliedTerm, superseded{term: n.appliedTerm}); k > 0 {
		n.stats.superseded.Add(uint64(k))
		n.log.Info("proposals of an earlier term failed with outcome unknown", "count", k, "term", n.appliedTerm)
	}
}

// setApplied publishes the applied index and wakes readers waiting for it.
func (n *Node) setApplied(index uint64) {
	if index > n.applied.Load() {
		n.applied.Store(index)
		n.applyW.trigger(index)
	}
}

// maybeReady closes readyc once the restart replay target is applied, so
// Start returns with complete data.
func (n *Node) maybeReady() {
	if n.applied.Load() >= n.readyTarget {
		n.readyOnce.Do(func() { close(n.readyc) })
	}
}

// Stop stops the node: the Ready loop finishes the Ready in hand and applies
// nothing further, raft stops, the state machine is checkpointed (so a
// clean stop leaves current table files) and the log is closed. Waiting
// proposals and reads fail with ErrStopped. Stop returns the error that
// stopped the node, if it failed before, or an error of the shutdown
// itself. It is safe to call more than once.
func (n *Node) Stop() error {
	n.stopOnce.Do(func() { close(n.stopc) })
	<-n.done
	if errors.Is(n.err, errStopRequested) {
		return nil
	}
	return n.err
}

// Done is closed when the node has shut down, after Stop or a failure.
func (n *Node) Done() <-chan struct{} { return n.done }

// Err tells why the node shut down: nil while it runs or after a clean
// Stop.
func (n *Node) Err() error {
	select {
	case <-n.done:
		if errors.Is(n.err, errStopRequested) {
			return nil
		}
		return n.err
	default:
		return nil
	}
}

var errStopRequested = errors.New("consensus: stop requested")

// shutdown runs on the Ready loop's goroutine after the loop ends, for
// whatever reason. Only a loop that ended cleanly checkpoints: after a
// failed step the state on disk stays as the last good checkpoint left it.
func (n *Node) shutdown(runErr error) {
	n.raft.stop()
	n.reads.stop()
	if n.trans != nil {
		n.trans.stop()
	}
	err := runErr
	if b := n.ckpt; b != nil && (err != nil || n.crash) {
		<-b.done // nothing of ours keeps running after Stop
		n.ckpt = nil
	}
	if err == nil && !n.crash {
		if cerr := n.checkpoint(); cerr != nil {
			err = cerr
		}
	}
	if err != nil {
		n.log.Error("consensus node stopped with an error", "err", err)
	} else {
		err = errStopRequested
	}
	if cerr := n.disk.wal.Close(); cerr != nil && errors.Is(err, errStopRequested) {
		err = fmt.Errorf("consensus: close log: %w", cerr)
	}
	n.err = err
	close(n.done)
}

// memberName returns a member's string name for logs.
func (n *Node) memberName(id uint64) string {
	if id == raft.None {
		return ""
	}
	if m, ok := n.members.get(id); ok {
		return m.Name
	}
	return fmt.Sprintf("%x", id)
}
