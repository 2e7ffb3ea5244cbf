package consensus

import (
	"errors"
	"fmt"
	"log/slog"
	"runtime"
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

	// The appender writes the log, the applier applies committed normal
	// entries, each on its own goroutine, in the order the Ready loop
	// hands them over (worker.go).
	appender *worker[raftpb.Message]
	applier  *worker[[]raftpb.Entry]

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
	// Commit inference (infercommit.go): what this member knows toward
	// inferring commits as a follower, whether its configuration lets a
	// leader and one follower make a quorum, and, as leader, the last
	// durable log position it announced (the read floor).
	infer     commitInference
	inferable atomic.Bool
	announced atomic.Pointer[logPosition]

	// Owned by the Ready loop (and by Start before the loop runs).
	confState         raftpb.ConfState
	smApplied         uint64           // the state machine's applied index
	snapIndex         uint64           // index of the newest raft snapshot
	checkpointApplied uint64           // applied index at the last checkpoint's start
	checkpointBytes   uint64           // appliedBytes at the last checkpoint's start
	ckpt              *background      // the checkpoint running in the background, if any
	ckptNotBefore     time.Time        // no checkpoint starts before (checkpointGap)
	raftApplied       uint64           // applied index raft knows of
	appliedTerm       uint64           // term of the last entry applied
	supersedeTicks    int              // ticks until failSuperseded runs; 0: not due
	prevHardState     raftpb.HardState // last saved, to tell when a save must fsync (the appender's after Start)
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
	go n.appender.run(n.writeAppends)
	go n.applier.run(n.applyHandedOff)
	defer func() {
		// Nothing may write the log or apply beside shutdown's checkpoint.
		aerr := n.appender.await()
		n.appender.stop()
		if err == nil {
			err = aerr
		}
		if aerr := n.awaitApplied(); err == nil {
			err = aerr
		}
		n.applier.stop()
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
			if err = n.appender.poll(); err != nil {
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
			// Yield first: sessions that are runnable, about to propose,
			// then join this take, and their proposals share one Ready,
			// one append to each follower and one fsync. With nothing
			// else runnable the yield returns at once.
			runtime.Gosched()
			n.raft.take()
			n.inferCommit()

		case <-readyc:
			// Proposals and messages that arrived meanwhile join this
			// Ready (and its fsync).
			select {
			case <-n.raft.wake:
				n.raft.take()
				n.inferCommit()
			default:
			}
			if err = n.handleReady(n.raft.rn.Ready()); err != nil {
				return
			}
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

// handleReady does what one Ready asks. Raft runs with AsyncStorageWrites:
// the log write and the application of committed entries come as messages
// to two local "threads", and the loop hands both to workers instead of
// doing them itself, so it goes on stepping proposals, acknowledgements and
// read requests while the log's fsync runs. Raft keeps its promises in
// order: a message that promises something about this node's log (an
// acknowledgement, a vote) is a response of the log write, sent once that
// write is durable, and committed entries are handed over only once they
// are durable here too.
func (n *Node) handleReady(rd raft.Ready) error {
	n.stats.readys.Add(1)
	if k := len(rd.CommittedEntries); k > 0 {
		n.committed = rd.CommittedEntries[k-1].Index
	}
	// A failed apply or log write stops the loop here at the latest.
	if err := n.applier.poll(); err != nil {
		return err
	}
	if err := n.appender.poll(); err != nil {
		return err
	}
	if rd.HardState.Term > n.term.Load() {
		n.term.Store(rd.HardState.Term)
	}
	// After the term (leaseRead loads them in the other order).
	if rd.HardState.Commit > n.raftCommit.Load() {
		n.raftCommit.Store(rd.HardState.Commit)
	}
	n.noteSoftState(rd.SoftState)
	write, apply, peers := splitLocal(rd.Messages)
	// 1. Messages to peers leave at once: appends, heartbeats, forwarded
	//    proposals and vote requests promise nothing that must survive a
	//    crash here. One carrying a snapshot takes the state machine's
	//    data (SnapshotData), which must not run beside applying or a
	//    checkpoint.
	if hasSnapshotMessage(peers) {
		if err := n.awaitApplied(); err != nil {
			return err
		}
		if err := n.awaitCheckpoint(); err != nil {
			return err
		}
	}
	n.send(peers)
	if len(peers) > 0 {
		// The peer goroutines just readied wait in this processor's run
		// queue until the loop blocks, which on a busy machine was 50-70 µs
		// of every write's round trip (a runtime trace of the leader under
		// 16 insert clients). Yield so they take the messages out first.
		runtime.Gosched()
	}
	// 2. Committed entries are applied in order: normal ones on the
	//    applier, conf changes on the loop. Raft is told at once that they
	//    are applied: before it goes on it needs the conf changes applied,
	//    which they are, and nothing of the others.
	if apply != nil {
		if err := n.apply(apply.Entries); err != nil {
			return err
		}
		n.stepLocal(apply.Responses)
		n.raftApplied = apply.Entries[len(apply.Entries)-1].Index
	}
	hook(n.cfg.Knobs.AfterApply)
	// 3. The log write goes to the appender (writeAppends).
	if write != nil {
		if err := n.appendLog(*write); err != nil {
			return err
		}
	}
	leaderTerm := n.leaderTerm()
	n.raiseReadStates(rd.ReadStates, leaderTerm)
	n.reads.deliver(rd.ReadStates, leaderTerm)
	// Only with the configuration applied (conf changes apply on the
	// loop, after every entry before them) may a lone voter answer reads
	// locally (readindex.go, soleVoter).
	n.solo.Store(soleVoter(n.confState, n.cfg.ID))
	// 4. Every CheckpointEntries applied entries the tables are
	//    checkpointed in the background; the log is compacted when that is
	//    done.
	if err := n.maybeCheckpoint(); err != nil {
		return err
	}
	n.maybeReady()
	hook(n.cfg.Knobs.ReadyHandled)
	return nil
}

// splitLocal picks the messages to the local append and apply threads out
// of a Ready's messages; the rest go to peers (msgs is reused for them).
func splitLocal(msgs []raftpb.Message) (write, apply *raftpb.Message, peers []raftpb.Message) {
	peers = msgs[:0]
	for i := range msgs {
		switch m := msgs[i]; m.To {
		case raft.LocalAppendThread:
			write = &m
		case raft.LocalApplyThread:
			apply = &m
		default:
			peers = append(peers, m)
		}
	}
	return write, apply, peers
}

// stepLocal steps responses raft addressed to this node itself (loop
// only).
func (n *Node) stepLocal(msgs []raftpb.Message) {
	for _, m := range msgs {
		n.raft.rn.Step(m) //nolint:errcheck // as RawNode.Advance steps them
	}
}

// appendLog hands a log write to the appender. Two kinds are written on
// the loop instead, after every write before them. One that carries a
// snapshot, also after every apply and with no checkpoint running: the
// snapshot replaces the state. And a lone voter's: it has no follower
// whose fsync its own could overlap, and its entries commit as soon as
// they are durable, so the loop steps that at once and applies them in its
// next turn instead of waiting for the appender to wake it.
func (n *Node) appendLog(m raftpb.Message) error {
	alone := soleVoter(n.confState, n.cfg.ID)
	if m.Snapshot == nil && !alone {
		return n.appender.put(m)
	}
	if err := n.appender.await(); err != nil {
		return err
	}
	if m.Snapshot != nil {
		if err := n.awaitApplied(); err != nil {
			return err
		}
		if err := n.awaitCheckpoint(); err != nil {
			return err
		}
	}
	ms := []raftpb.Message{m}
	if err := n.writeLog(ms); err != nil {
		return err
	}
	n.stepLocal(n.respond(ms))
	return nil
}

// writeAppends is the appender's job: it makes the log writes waiting for
// it durable, then sends the responses that waited for them
// (acknowledgements to the leader, votes) and hands those to this node
// itself back to the loop.
func (n *Node) writeAppends(ms []raftpb.Message) error {
	if err := n.writeLog(ms); err != nil {
		return err
	}
	n.raft.stepLater(n.respond(ms))
	return nil
}

// respond sends the responses of log writes that go to peers and returns
// those to this node, in order. An acknowledgement of the durable log, to
// the leader or by the leader to itself, is also what commit inference
// needs (infercommit.go).
func (n *Node) respond(ms []raftpb.Message) (self []raftpb.Message) {
	for i := range ms {
		var peers []raftpb.Message
		n.infer.noteWritten(ms[i].Entries)
		self, peers = splitResponses(self, ms[i].Responses, n.cfg.ID)
		for _, r := range ms[i].Responses {
			if r.Type != raftpb.MsgAppResp || r.Reject {
				continue
			}
			if r.To == n.cfg.ID {
				n.announceDurable(r.Term, r.Index)
			} else {
				n.infer.noteAcked(r)
			}
		}
		n.send(peers)
	}
	return self
}

// splitResponses appends the responses to this node (id) to self and
// returns them, and those to peers.
func splitResponses(self, msgs []raftpb.Message, id uint64) (_, peers []raftpb.Message) {
	for _, m := range msgs {
		if m.To == id || m.To == raft.LocalAppendThread || m.To == raft.LocalApplyThread {
			self = append(self, m)
		} else {
			peers = append(peers, m)
		}
	}
	return self, peers
}

// writeLog makes log writes durable together: a snapshot first (the file,
// then the log's snapshot record; it only ever comes alone), then the
// newest HardState and every entry with one fsync (group commit: every
// proposal that arrived meanwhile shares it). Then raft's in-memory log
// follows: the snapshot, from which the tables reload, then the entries.
func (n *Node) writeLog(ms []raftpb.Message) error {
	var snap raftpb.Snapshot
	if len(ms) == 1 && ms[0].Snapshot != nil {
		snap = *ms[0].Snapshot
	}
	if err := n.saveSnapshot(snap); err != nil {
		return err
	}
	var hs raftpb.HardState
	for _, m := range ms {
		if h := (raftpb.HardState{Term: m.Term, Vote: m.Vote, Commit: m.Commit}); !raft.IsEmptyHardState(h) {
			hs = h
		}
	}
	// A later write may replace entries of an earlier one (a follower's
	// log conflicted with the leader's); the log keeps the last record of
	// an index.
	ents := ms[0].Entries
	if len(ms) > 1 {
		ents = nil
		for _, m := range ms {
			ents = append(ents, m.Entries...)
		}
	}
	hook(n.cfg.Knobs.BeforeLogSave)
	if err := n.saveLog(hs, ents); err != nil {
		return err
	}
	hook(n.cfg.Knobs.AfterLogSave)
	if err := n.applySnapshot(snap); err != nil {
		return err
	}
	for _, m := range ms {
		if len(m.Entries) == 0 {
			continue
		}
		if err := n.storage.Append(m.Entries); err != nil {
			return fmt.Errorf("consensus: append to in-memory log: %w", err)
		}
	}
	return nil
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

// Worker depths: how many writes of the log, and batches of committed
// entries, the Ready loop may hand over before it waits for the oldest.
const (
	appendDepth = 8
	applyDepth  = 4
)

// apply applies committed entries in log order: normal entries on the
// applier (handOff), a batch holding a conf change on the loop, after
// everything handed off before it.
func (n *Node) apply(ents []raftpb.Entry) error {
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
// without waiting for it, so the Ready loop goes on meanwhile, as etcd's
// server does. Applying touches only the state machine, the waiters, the
// applied index and the fields applyCommitted sets (smApplied,
// appliedTerm, supersedeTicks, and the atomic appliedBytes); the loop
// reads the others only after awaitApplied.
func (n *Node) handOff(ents []raftpb.Entry) error { return n.applier.put(ents) }

// awaitApplied waits until every batch handed off is applied and returns
// the first error among them.
func (n *Node) awaitApplied() error { return n.applier.await() }

// applyHandedOff is the applier's job: the batches handed off, in order.
// One long-lived goroutine, rather than one per Ready, keeps the deep
// stack applying needs instead of growing a new one (stack copying was 3
// to 4% of a node's CPU).
func (n *Node) applyHandedOff(batches [][]raftpb.Entry) error {
	for _, ents := range batches {
		if err := n.applyCommitted(ents); err != nil {
			return err
		}
	}
	n.maybeReady() // Start may be waiting for these entries
	return nil
}

// saveSnapshot saves a snapshot received from the leader: it must be
// durable before the entries and HardState that follow it, or a restart
// could not rebuild the log.
func (n *Node) saveSnapshot(s raftpb.Snapshot) error {
	if raft.IsEmptySnap(s) {
		return nil
	}
	return n.disk.saveSnapshot(s)
}

// saveLog writes HardState and entries with one fsync (if raft.MustSync
// says one is needed): raft's safety rests on them being on disk before
// this node tells anyone about them (the appender or, with a snapshot, the
// loop).
func (n *Node) saveLog(hs raftpb.HardState, ents []raftpb.Entry) error {
	if raft.IsEmptyHardState(hs) && len(ents) == 0 {
		return nil
	}
	mustSync := raft.MustSync(hs, n.prevHardState, len(ents))
	if err := n.disk.wal.Save(hs, ents); err != nil {
		return fmt.Errorf("consensus: save log: %w", err)
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

// applySnapshot restarts the in-memory log at a snapshot received (on the
// loop, see appendLog), and
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
	n.setConfState(s.Metadata.ConfState)
	if !soleVoter(n.confState, n.cfg.ID) {
		n.solo.Store(false)
	}
	n.snapIndex = idx
	n.committed = max(n.committed, idx) // a snapshot holds only committed entries
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

// send sends messages to peers: from the loop, those that promise nothing
// about this node's log, and from the appender, the responses that waited
// for its write. A snapshot message gets the state machine's data here, on
// the loop, where no Apply can run beside it.
func (n *Node) send(msgs []raftpb.Message) {
	msgs = coalesceAppResps(msgs)
	msgs = dropInferredAnswers(msgs)
	if len(msgs) == 0 {
		return
	}
	for i := range msgs {
		switch m := &msgs[i]; m.Type {
		case raftpb.MsgSnap:
			n.fillSnapshot(m)
		case raftpb.MsgReadIndexResp:
			m.Index = max(m.Index, n.readFloor(m.Term))
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

// applyCommitted is step 2: committed entries reach the state machine in
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
