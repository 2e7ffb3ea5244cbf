package consensus

import (
	"errors"
	"fmt"

	"go.etcd.io/raft/v3"
)

// maybeCheckpoint is step 6: after CheckpointEntries applied entries the
// state machine writes its checkpoint and the raft log is compacted behind
// it, so the log on disk and in memory stays bounded.
func (n *Node) maybeCheckpoint() error {
	if n.applied.Load()-n.checkpointApplied < n.cfg.CheckpointEntries {
		return nil
	}
	return n.checkpoint()
}

// checkpoint asks the state machine to persist its state, then records a
// raft snapshot at the index that state covers (its data only a marker:
// the state is in the state machine's files), compacts the in-memory log
// keeping CatchUpEntries for slow followers, and deletes log segments and
// snapshot files no restart can need.
//
// The log is synced first: the commit index in the log must cover what the
// checkpoint claims, or a restart would find tables ahead of the log's
// commit. (Replay tolerates that, but it should not happen.)
func (n *Node) checkpoint() error {
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
		if err := n.snapshotAt(snapIndex, idx); err != nil {
			return err
		}
	}
	hook2(n.cfg.Knobs.AfterCheckpoint, idx)
	return nil
}

// snapshotAt records a marker snapshot at index (state covered up to
// covered), saves it, compacts and purges.
func (n *Node) snapshotAt(index, covered uint64) error {
	data, err := (snapshotData{Applied: covered, Members: n.members.file()}).encode()
	if err != nil {
		return err
	}
	s, err := n.storage.CreateSnapshot(index, &n.confState, data)
	if err != nil {
		return fmt.Errorf("consensus: create snapshot at %d: %w", index, err)
	}
	if err := n.disk.saveSnapshot(s); err != nil {
		return err
	}
	n.snapIndex = index
	// Raft still reads entries it has not seen applied (it scans them for
	// conf changes before campaigning), so compaction stops at the applied
	// index raft knows, which trails ours until Advance.
	if index > n.cfg.CatchUpEntries {
		compact := min(index-n.cfg.CatchUpEntries, n.raftApplied)
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
