package consensus

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

// Start opens (or creates) the member's log in cfg.Dir and starts it.
//
// A directory with a log restarts: the newest snapshot and the log after it
// are loaded into raft's in-memory storage, and committed entries above
// sm.AppliedIndex() are applied again, in order, before Start returns (the
// ones at or below it are already in the state machine's checkpoint). A lone
// voter also waits until it leads and has applied its whole log, so a
// restarted single node serves complete data at once.
//
// A directory without a log bootstraps a one-member cluster when cfg.Peers
// is empty, or joins the cluster of cfg.Peers (see join.go).
//
// Start returns when the node is ready, ctx is done, or starting fails.
func Start(ctx context.Context, cfg Config, sm StateMachine) (*Node, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("consensus: %w", err)
	}
	n := &Node{
		cfg:       cfg,
		log:       cfg.Logger,
		started:   time.Now(),
		leaseDur:  leaseDuration(cfg),
		sm:        sm,
		storage:   raft.NewMemoryStorage(),
		members:   newMembership(cfg.Dir),
		boot:      randomUint64(),
		waiters:   newProposalWaiters(),
		deadlines: newDeadlines(),
		appender:  newWorker[raftpb.Message](appendDepth),
		applier:   newWorker[[]raftpb.Entry](applyDepth),
		smApplied: sm.AppliedIndex(),
		readyc:    make(chan struct{}),
		stopc:     make(chan struct{}),
		removedc:  make(chan struct{}),
		done:      make(chan struct{}),
	}
	rc := &raft.Config{
		ID:                        cfg.ID,
		ElectionTick:              cfg.ElectionTicks,
		HeartbeatTick:             cfg.HeartbeatTicks,
		Storage:                   n.storage,
		MaxSizePerMsg:             cfg.MaxSizePerMsg,
		MaxInflightMsgs:           cfg.MaxInflightMsgs,
		MaxUncommittedEntriesSize: 1 << 30,
		CheckQuorum:               true,
		PreVote:                   true,
		AsyncStorageWrites:        true, // node.go, handleReady
		Logger:                    raftLogger{n.log},
	}

	var initial *Member // bootstrap member, nil on restart or join
	if hasLog(cfg.Dir) {
		if err := n.restart(rc); err != nil {
			return nil, err
		}
	} else {
		if n.smApplied > 0 {
			return nil, fmt.Errorf("consensus: the state machine holds data up to index %d but %s has no raft log; refusing to start a new log under it", n.smApplied, cfg.Dir)
		}
		if n.disk, err = createDisk(cfg); err != nil {
			return nil, err
		}
		if len(cfg.Peers) == 0 {
			initial = &Member{ID: cfg.ID, Name: cfg.Name, Address: cfg.Address}
		} else {
			if err := n.join(ctx); err != nil {
				n.disk.wal.Close()
				os.RemoveAll(n.disk.walDir) // so a retry starts from scratch
				return nil, err
			}
		}
	}
	rn, err := raft.NewRawNode(rc)
	if err == nil && initial != nil {
		mctx, _ := json.Marshal(initial)
		err = rn.Bootstrap([]raft.Peer{{ID: cfg.ID, Context: mctx}})
	}
	if err != nil {
		n.disk.wal.Close()
		return nil, fmt.Errorf("consensus: start raft: %w", err)
	}
	n.raft = newDriver(rn, cfg.ID, &n.stats.forwardedDropped)
	if initial != nil {
		n.readyTarget = 1 // the bootstrap conf change: raft will not campaign before it applies
		n.log.Info("bootstrapped a new one-member cluster", "dir", cfg.Dir)
	}
	n.applyW = newIndexWait(n.applied.Load())
	n.reads = newReadLoop(n, cfg.RequestTimeout, cfg.TickInterval*time.Duration(cfg.ElectionTicks)/2, n.log)
	if err := n.startTransport(); err != nil {
		n.raft.stop()
		n.disk.wal.Close()
		return nil, err
	}

	n.maybeReady() // nothing to replay: a new or joining member
	go n.reads.run()
	go n.run()
	if err := n.waitReady(ctx); err != nil {
		n.Stop()
		return nil, fmt.Errorf("consensus: start: %w", err)
	}
	return n, nil
}

// waitReady waits until the restart replay is applied. Then, if this node
// is the only voter, it campaigns at once (no one else can win, so waiting
// out the election timeout is pointless) and waits until its first entry as
// leader applies: everything in its log is then applied, including entries
// whose commit had not reached the disk before a crash.
func (n *Node) waitReady(ctx context.Context) error {
	select {
	case <-n.readyc:
	case <-n.done:
		return n.err
	case <-ctx.Done():
		return ctx.Err()
	}
	st := n.raft.Status()
	voters := st.Config.Voters.IDs()
	if _, ok := voters[n.cfg.ID]; !ok || len(voters) != 1 {
		return nil
	}
	last, err := n.storage.LastIndex()
	if err != nil {
		return err
	}
	if err := n.raft.Campaign(ctx); err != nil {
		return fmt.Errorf("campaign: %w", err)
	}
	select {
	case <-n.applyW.wait(last + 1):
		return nil
	case <-n.done:
		return n.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// restart rebuilds raft's in-memory storage from disk: snapshot, HardState,
// entries (raftexample's replayWAL), and restores a full snapshot that is
// ahead of the state machine.
func (n *Node) restart(rc *raft.Config) error {
	d, r, err := openDisk(n.cfg)
	if err != nil {
		return err
	}
	n.disk = d
	fail := func(err error) error {
		d.wal.Close()
		return err
	}
	if err := n.members.load(); err != nil {
		return fail(err)
	}
	if !raft.IsEmptySnap(r.snapshot) {
		s := r.snapshot
		sd, err := decodeSnapshotData(s.Data)
		if err != nil {
			return fail(err)
		}
		if sd.Full && sd.Applied > n.smApplied {
			// Received from a leader; the crash came before the restore's
			// checkpoint finished.
			if err := n.sm.Restore(sd.Applied, sd.State); err != nil {
				return fail(fmt.Errorf("consensus: restore snapshot at %d: %w", sd.Applied, err))
			}
			if _, err := n.sm.Checkpoint(); err != nil {
				return fail(fmt.Errorf("consensus: checkpoint after restore: %w", err))
			}
			n.smApplied = sd.Applied
		}
		if n.smApplied < sd.Applied {
			return fail(fmt.Errorf("consensus: the state machine's data (index %d) is older than the raft snapshot (index %d) in %s: the table files are missing or older than the log; entries before the snapshot are gone",
				n.smApplied, s.Metadata.Index, n.cfg.Dir))
		}
		s.Data, _ = (snapshotData{Applied: sd.Applied, Members: sd.Members}).encode()
		if err := n.storage.ApplySnapshot(s); err != nil {
			return fail(fmt.Errorf("consensus: load snapshot: %w", err))
		}
		n.members.replace(sd.Members)
		n.setConfState(s.Metadata.ConfState)
		n.snapIndex = s.Metadata.Index
		n.checkpointApplied = s.Metadata.Index
		n.raftApplied = s.Metadata.Index
		n.committed = s.Metadata.Index
		n.applied.Store(s.Metadata.Index)
	}
	hs := r.hardState
	if hs.Commit < n.snapIndex {
		hs.Commit = n.snapIndex
	}
	if err := n.storage.SetHardState(hs); err != nil {
		return fail(err)
	}
	if err := n.storage.Append(r.entries); err != nil {
		return fail(fmt.Errorf("consensus: load log entries: %w", err))
	}
	n.prevHardState = hs
	n.term.Store(hs.Term)
	n.readyTarget = hs.Commit
	last, _ := n.storage.LastIndex()
	// Any entry read back may be a configuration change.
	n.infer.holdUntilApplied(last)
	n.log.Info("restarting from log", "snapshot", n.snapIndex, "commit", hs.Commit, "last", last,
		"term", hs.Term, "state_machine_applied", n.smApplied)
	return nil
}

func randomUint64() uint64 {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return binary.BigEndian.Uint64(b[:])
}
