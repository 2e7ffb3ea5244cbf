package consensus

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.etcd.io/etcd/server/v3/etcdserver/api/snap"
	"go.etcd.io/etcd/server/v3/storage/wal"
	"go.etcd.io/etcd/server/v3/storage/wal/walpb"
	"go.etcd.io/raft/v3/raftpb"
	"go.uber.org/zap"
)

// disk is the durable half of the raft log: etcd's WAL (Dir/wal) holds
// entries, HardState and snapshot records; etcd's snapshotter (Dir/snap)
// holds raft snapshot files. Only the Ready loop writes to it.
type disk struct {
	walDir  string
	snapDir string
	wal     *wal.WAL
	snaps   *snap.Snapshotter
	lg      *zap.Logger
}

// walMetadata is recorded at the head of every WAL file: whose log it is.
type walMetadata struct {
	ID   uint64 `json:"id"`
	Name string `json:"name"`
}

// replayed is what a restart reads back from disk.
type replayed struct {
	snapshot  raftpb.Snapshot // newest usable snapshot; empty if none
	hardState raftpb.HardState
	entries   []raftpb.Entry // after the snapshot
}

// hasLog reports whether dir already holds a raft log.
func hasLog(dir string) bool { return wal.Exist(filepath.Join(dir, "wal")) }

// createDisk makes a new, empty log for a member that has never run.
func createDisk(cfg Config) (*disk, error) {
	d := newDisk(cfg.Dir)
	if err := os.MkdirAll(d.snapDir, 0o750); err != nil {
		return nil, fmt.Errorf("consensus: %w", err)
	}
	meta, err := json.Marshal(walMetadata{ID: cfg.ID, Name: cfg.Name})
	if err != nil {
		return nil, err
	}
	w, err := wal.Create(d.lg, d.walDir, meta)
	if err != nil {
		return nil, fmt.Errorf("consensus: create log in %s: %w", d.walDir, err)
	}
	d.wal = w
	return d, nil
}

// openDisk opens an existing log: the newest snapshot that the WAL knows,
// then the WAL from that snapshot on, read to its end (so it is ready for
// appending). A torn record at the tail, left by a crash in the middle of a
// write that was never acknowledged, is repaired once.
func openDisk(cfg Config) (*disk, replayed, error) {
	d := newDisk(cfg.Dir)
	var r replayed
	if err := os.MkdirAll(d.snapDir, 0o750); err != nil {
		return nil, r, fmt.Errorf("consensus: %w", err)
	}
	walSnaps, err := wal.ValidSnapshotEntries(d.lg, d.walDir)
	if err != nil {
		return nil, r, fmt.Errorf("consensus: read snapshot records of %s: %w", d.walDir, err)
	}
	s, err := d.snaps.LoadNewestAvailable(walSnaps)
	switch {
	case errors.Is(err, snap.ErrNoSnapshot):
	case err != nil:
		return nil, r, fmt.Errorf("consensus: load snapshot from %s: %w", d.snapDir, err)
	default:
		r.snapshot = *s
	}
	start := walpb.Snapshot{Index: r.snapshot.Metadata.Index, Term: r.snapshot.Metadata.Term}
	var meta []byte
	for attempt := 0; ; attempt++ {
		w, err := wal.Open(d.lg, d.walDir, start)
		if err != nil {
			return nil, r, fmt.Errorf("consensus: open log %s: %w", d.walDir, err)
		}
		meta, r.hardState, r.entries, err = w.ReadAll()
		if err == nil {
			d.wal = w
			break
		}
		w.Close()
		if attempt == 0 && errors.Is(err, io.ErrUnexpectedEOF) && wal.Repair(d.lg, d.walDir) {
			continue
		}
		return nil, r, fmt.Errorf("consensus: read log %s: %w", d.walDir, err)
	}
	var md walMetadata
	if err := json.Unmarshal(meta, &md); err != nil {
		d.wal.Close()
		return nil, r, fmt.Errorf("consensus: log metadata in %s: %w", d.walDir, err)
	}
	if md.ID != cfg.ID {
		d.wal.Close()
		return nil, r, fmt.Errorf("consensus: the log in %s belongs to member %q (raft ID %x), not %q (raft ID %x)",
			d.walDir, md.Name, md.ID, cfg.Name, cfg.ID)
	}
	return d, r, nil
}

func newDisk(dir string) *disk {
	lg := zap.NewNop()
	return &disk{
		walDir:  filepath.Join(dir, "wal"),
		snapDir: filepath.Join(dir, "snap"),
		snaps:   snap.New(lg, filepath.Join(dir, "snap")),
		lg:      lg,
	}
}

// saveSnapshot makes s durable: the snapshot file first, then the WAL's
// snapshot record, then the WAL may let go of older segments. A crash
// between the two leaves an orphan file, which is harmless; the reverse
// order could leave a record whose file does not exist.
func (d *disk) saveSnapshot(s raftpb.Snapshot) error {
	if err := d.snaps.SaveSnap(s); err != nil {
		return fmt.Errorf("consensus: save snapshot file: %w", err)
	}
	cs := s.Metadata.ConfState
	if err := d.wal.SaveSnapshot(walpb.Snapshot{Index: s.Metadata.Index, Term: s.Metadata.Term, ConfState: &cs}); err != nil {
		return fmt.Errorf("consensus: save snapshot record: %w", err)
	}
	if err := d.wal.ReleaseLockTo(s.Metadata.Index); err != nil {
		return fmt.Errorf("consensus: release log segments: %w", err)
	}
	return nil
}

// keepSnapshots is how many snapshot files purge keeps; the WAL keeps the
// segments the oldest of them needs, so restart can fall back to an older
// snapshot if the newest file is damaged.
const keepSnapshots = 2

// purge deletes snapshot files beyond the newest keepSnapshots and WAL
// segments that only hold entries before the oldest kept snapshot.
func (d *disk) purge() error {
	names, err := listSuffix(d.snapDir, ".snap")
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return nil
	}
	// Names are term-index in hex, so they sort oldest first.
	for len(names) > keepSnapshots {
		if err := os.Remove(filepath.Join(d.snapDir, names[0])); err != nil {
			return err
		}
		names = names[1:]
	}
	var term, oldest uint64
	if _, err := fmt.Sscanf(names[0], "%016x-%016x.snap", &term, &oldest); err != nil {
		return nil // not a name we wrote; leave the WAL alone
	}
	wals, err := listSuffix(d.walDir, ".wal")
	if err != nil {
		return err
	}
	// Keep the last segment that starts before the snapshot (it holds the
	// entries right after it) and everything after it, as ReleaseLockTo does.
	keepFrom := -1
	for i, name := range wals {
		var seq, index uint64
		if _, err := fmt.Sscanf(name, "%016x-%016x.wal", &seq, &index); err != nil {
			return nil
		}
		if index < oldest {
			keepFrom = i
		}
	}
	for i := 0; i < keepFrom; i++ {
		if err := os.Remove(filepath.Join(d.walDir, wals[i])); err != nil {
			return err
		}
	}
	return nil
}

func listSuffix(dir, suffix string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), suffix) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}
