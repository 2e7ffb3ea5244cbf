package consensus

import (
	"errors"
	"fmt"
	"time"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

// checkpointGap is how many times the last checkpoint's duration must pass
// after it ended before CheckpointEntries may start the next, so that
// writing checkpoints takes at most about 1/(1+checkpointGap) of the time
// however large the tables grow: a checkpoint rewrites every changed table,
// and with large tables and a high write rate CheckpointEntries alone would
// have one always running. Every member of a cluster writes its own, on
// the same cores, so the share is kept small; CheckpointBytes, which does
// not wait for the gap, bounds the log kept meanwhile.
const checkpointGap = 24

// background is a checkpoint running on its own goroutine while the Ready
// loop goes on applying entries.
type background struct {
	applied   uint64           // applied index when it started
	smApplied uint64           // the state machine's applied index then
	conf      raftpb.ConfState // the configuration as of applied
	start     time.Time
	done      chan checkpointResult // buffered 1
}

type checkpointResult struct {
	index uint64 // what StateMachine.Checkpoint returned
	err   error
}

// maybeCheckpoint is step 4: after CheckpointEntries applied entries (and
// checkpointGap times the last checkpoint's duration), or CheckpointBytes
// of them, the state machine
// writes a checkpoint, and once it is done the raft log is compacted behind
// it, so the log on disk and in memory stays bounded.
//
// The checkpoint runs in the background: writing the tables of a large
// state takes far longer than a Ready, and blocking the loop would stall
// every write meanwhile. StateMachine.Checkpoint therefore runs beside
// Apply (never beside another Checkpoint, SnapshotData or Restore: the
// loop waits for it first, see awaitCheckpoint). The loop picks up its
// result in finishCheckpoint.
func (n *Node) maybeCheckpoint() error {
	if n.ckpt != nil {
		return nil
	}
	entriesDue := n.applied.Load()-n.checkpointApplied >= n.cfg.CheckpointEntries &&
		!time.Now().Before(n.ckptNotBefore)
	bytesDue := n.appliedBytes.Load()-n.checkpointBytes >= n.cfg.CheckpointBytes
	if !entriesDue && !bytesDue {
		return nil
	}
	// The checkpoint records the state machine's applied index: nothing
	// handed off may still be applying when it is read.
	if err := n.awaitApplied(); err != nil {
		return err
	}
	// The log is written and synced first: the commit index in the log
	// must cover the raft snapshot recorded for the checkpoint, and the
	// HardState that says those entries are committed may still wait in
	// the appender.
	if err := n.appender.await(); err != nil {
		return err
	}
	if err := n.disk.wal.Sync(); err != nil {
		return fmt.Errorf("consensus: sync log before checkpoint: %w", err)
	}
	b := &background{
		applied:   n.applied.Load(),
		smApplied: n.smApplied,
		conf:      cloneConfState(n.confState),
		start:     time.Now(),
		done:      make(chan checkpointResult, 1),
	}
	n.ckpt = b
	n.checkpointApplied = b.applied
	n.checkpointBytes = n.appliedBytes.Load()
	sm := n.sm
	go func() {
		idx, err := sm.Checkpoint()
		b.done <- checkpointResult{index: idx, err: err}
	}()
	return nil
}

// finishCheckpoint takes the result of the background checkpoint b: a
// raft snapshot at the index it started at (whose configuration it
// recorded then), compaction and purge. A failed checkpoint stops the
// node, as it would have done on the loop.
func (n *Node) finishCheckpoint(b *background, res checkpointResult) error {
	n.ckpt = nil
	took := time.Since(b.start)
	n.ckptNotBefore = time.Now().Add(checkpointGap * took)
	if res.err != nil {
		return fmt.Errorf("consensus: checkpoint: %w", res.err)
	}
	n.stats.checkpoints.Add(1)
	n.log.Debug("checkpoint written", "index", res.index, "took", took)
	// The state covers at least what was applied when it started (Apply
	// ran beside it, so perhaps more); the snapshot is recorded at the
	// start, where the configuration is known. A restart then replays
	// from there and skips the normal entries the files already hold.
	snapIndex := b.applied
	if res.index < b.smApplied {
		n.log.Warn("checkpoint covers less than the applied index", "checkpoint", res.index, "applied", b.smApplied)
		snapIndex = min(snapIndex, res.index)
	}
	if snapIndex > n.snapIndex {
		if err := n.snapshotAt(snapIndex, res.index, b.conf); err != nil {
			return err
		}
	}
	hook2(n.cfg.Knobs.AfterCheckpoint, res.index)
	return nil
}

// awaitCheckpoint waits for a background checkpoint, if one runs, and
// finishes it. The loop calls it before anything that must not run beside
// StateMachine.Checkpoint.
func (n *Node) awaitCheckpoint() error {
	b := n.ckpt
	if b == nil {
		return nil
	}
	return n.finishCheckpoint(b, <-b.done)
}

// checkpointDone is the channel on which the background checkpoint's
// result arrives, nil (never ready) when none runs.
func (n *Node) checkpointDone() <-chan checkpointResult {
	if n.ckpt == nil {
		return nil
	}
	return n.ckpt.done
}

func cloneConfState(cs raftpb.ConfState) raftpb.ConfState {
	c := cs
	c.Voters = append([]uint64(nil), cs.Voters...)
	c.Learners = append([]uint64(nil), cs.Learners...)
	c.VotersOutgoing = append([]uint64(nil), cs.VotersOutgoing...)
	c.LearnersNext = append([]uint64(nil), cs.LearnersNext...)
	return c
}

// checkpoint writes a checkpoint on the loop, after any background one:
// the state machine persists its state, then a raft snapshot is recorded
// at the index that state covers (its data only a marker: the state is in
// the state machine's files), the in-memory log is compacted keeping
// CatchUpEntries for slow followers, and log segments and snapshot files
// no restart can need are deleted. A clean stop uses it.
func (n *Node) checkpoint() error {
	if err := n.awaitCheckpoint(); err != nil {
		return err
	}
	if err := n.disk.wal.Sync(); err != nil {
		return fmt.Errorf("consensus: sync log before checkpoint: %w", err)
	}
	idx, err := n.sm.Checkpoint()
	if err != nil {
		return fmt.Errorf("consensus: checkpoint: %w", err)
	}
	n.stats.checkpoints.Add(1)
	applied := n.applied.Load()
	n.checkpointApplied = applied
	n.checkpointBytes = n.appliedBytes.Load()
	// Entries after the state machine's last applied normal entry are conf
	// changes and empty entries, which the snapshot's ConfState covers; so
	// a checkpoint that covers the state machine covers the applied index.
	snapIndex := idx
	if idx >= n.smApplied || idx > applied {
		snapIndex = applied
	}
	if idx < n.smApplied {
		n.log.Warn("checkpoint covers less than the applied index", "checkpoint", idx, "applied", n.smApplied)
	}
	if snapIndex > n.snapIndex {
		if err := n.snapshotAt(snapIndex, idx, n.confState); err != nil {
			return err
		}
	}
	hook2(n.cfg.Knobs.AfterCheckpoint, idx)
	return nil
}

// snapshotAt records a marker snapshot at index with configuration conf
// (state covered up to covered), saves it, compacts and purges.
func (n *Node) snapshotAt(index, covered uint64, conf raftpb.ConfState) error {
	data, err := (snapshotData{Applied: covered, Members: n.members.file()}).encode()
	if err != nil {
		return err
	}
	s, err := n.storage.CreateSnapshot(index, &conf, data)
	if err != nil {
		return fmt.Errorf("consensus: create snapshot at %d: %w", index, err)
	}
	if err := n.disk.saveSnapshot(s); err != nil {
		return err
	}
	n.snapIndex = index
	// Raft still reads entries it has not seen applied (it scans them for
	// conf changes before campaigning), so compaction stops at the applied
	// index raft knows.
	keep := n.cfg.CatchUpEntries
	if soleVoter(n.confState, n.cfg.ID) {
		keep = 0 // no follower to catch up; a new member gets a snapshot
	}
	if index > keep {
		compact := min(index-keep, n.raftApplied)
		if err := n.storage.Compact(compact); err != nil && !errors.Is(err, raft.ErrCompacted) {
			return fmt.Errorf("consensus: compact log at %d: %w", compact, err)
		}
	}
	if err := n.disk.purge(); err != nil {
		n.log.Warn("purging old log files failed", "err", err)
	}
	n.log.Debug("checkpoint", "index", index, "covered", covered)
	return nil
}

func hook2(f func(uint64), v uint64) {
	if f != nil {
		f(v)
	}
}
