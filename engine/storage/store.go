package storage

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/chronos-db/chronos/engine/sqlerr"
)

// Store is the replicated state machine. Apply must be called by one
// goroutine at a time in log order (it serializes itself anyway); Snapshot
// may be called from any goroutine at any time.
//
// Writes are published lazily. ApplyBatch leaves its run of writes open
// (run) instead of publishing it, so the next batch goes on changing the
// same private table clones in place; the run is published, and its tables
// frozen, only when something needs to see it: Snapshot, a command other
// than a write, a checkpoint. Publishing after every batch made every
// index B-tree write copy its path (copy-on-write against the published
// tree), about 4 KB of garbage per random-key insert; a write load that
// nobody reads now copies nothing.
type Store struct {
	// mu serializes Apply (and Replace) so that a command always starts from
	// the state the previous one left, and guards run.
	mu sync.Mutex
	// cur is the latest published snapshot.
	cur atomic.Pointer[Snapshot]
	// applied is the raft index of the last applied command, published or
	// still in run; cur.applied trails it while run is open.
	applied atomic.Uint64
	// run is the open run of writes applied after cur, nil when cur holds
	// everything applied.
	run *tx

	// ckpt is what the last checkpoint written or loaded holds, so the next
	// one can hard-link the files of unchanged tables and append to those
	// of tables that only gained rows.
	ckpt struct {
		sync.Mutex
		dir   string                // the checkpoint directory (parent of checkpoint/)
		files map[string]tableFiles // by table name
	}
}

// New returns an empty store: no tables, applied index 0.
func New() *Store {
	s := &Store{}
	s.cur.Store(emptySnapshot(s))
	return s
}

// Snapshot returns the current state, with every applied command in it.
// It is O(1) unless writes were applied since the last call, which it then
// publishes: it waits for a batch being applied to finish.
func (s *Store) Snapshot() *Snapshot {
	if snap := s.cur.Load(); snap.applied == s.applied.Load() {
		return snap
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.publishLocked()
	return s.cur.Load()
}

// Published returns the latest published snapshot without publishing
// anything: O(1) and never waiting. Its catalog (tables, indexes, views,
// roles) is current, because every command that changes the catalog is
// published when applied; its rows may lag behind AppliedIndex by writes
// nobody has read yet. It is for planning statements, never for reading
// rows.
func (s *Store) Published() *Snapshot { return s.cur.Load() }

// AppliedIndex returns the raft index of the last applied command.
func (s *Store) AppliedIndex() uint64 { return s.applied.Load() }

// publishLocked publishes the open run of writes, if any; s.mu is held.
func (s *Store) publishLocked() {
	if s.run == nil {
		return
	}
	next := s.run.publish()
	next.applied = s.run.index
	s.cur.Store(next)
	s.run = nil
}

// setCurrent makes snap the current state, published; s.mu is held.
func (s *Store) setCurrent(snap *Snapshot) {
	s.run = nil
	s.cur.Store(snap)
	s.applied.Store(snap.applied)
}

// Apply applies the command committed at raft index index and returns its
// result. It is deterministic and all-or-nothing: when Result.Err is set the
// state is unchanged except that the applied index advances to index.
// Apply takes ownership of the slices inside cmd (it may fill serial values
// into an insert's Values and stores them as the row).
//
// Indexes must increase; an index at or below the applied index is refused
// with an internal error and changes nothing.
func (s *Store) Apply(index uint64, cmd Command) Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkIndex(index); err != nil {
		return Result{Err: err}
	}
	return s.applyLocked(index, cmd)
}

// checkIndex refuses an index at or below the applied index.
func (s *Store) checkIndex(index uint64) error {
	if applied := s.applied.Load(); index <= applied {
		return sqlerr.New(sqlerr.InternalError,
			"raft index %d already applied (applied index is %d)", index, applied)
	}
	return nil
}

// applyLocked applies cmd alone, on a tx of its own, and publishes the
// result (after the open run of writes, if any); s.mu is held.
func (s *Store) applyLocked(index uint64, cmd Command) Result {
	s.publishLocked()
	base := s.cur.Load()
	tx := newTx(base, index)
	res := tx.apply(cmd)
	if res.Err != nil {
		next := *base
		next.applied = index
		s.setCurrent(&next)
		return Result{Err: res.Err}
	}
	s.setCurrent(tx.publish())
	return res
}

// ApplyEncoded decodes an entry written by EncodeCommand and applies it. A
// decoding error is returned as err (the entry is not a command: the node
// must stop); a rejection is in the Result.
func (s *Store) ApplyEncoded(index uint64, data []byte) (Result, error) {
	cmd, err := DecodeCommand(data)
	if err != nil {
		return Result{}, fmt.Errorf("storage: entry %d: %w", index, err)
	}
	return s.Apply(index, cmd), nil
}

// Replace makes other's state the store's current state, for instance after
// a checkpoint received from a peer was loaded with Load. other must not be
// used afterwards.
func (s *Store) Replace(other *Store) {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := *other.Snapshot()
	snap.store = s
	s.setCurrent(&snap)
	other.ckpt.Lock()
	dir, files := other.ckpt.dir, other.ckpt.files
	other.ckpt.Unlock()
	s.ckpt.Lock()
	s.ckpt.dir, s.ckpt.files = dir, files
	s.ckpt.Unlock()
}
