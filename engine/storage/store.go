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
type Store struct {
	// mu serializes Apply (and Replace) so that a command always starts from
	// the snapshot the previous one published.
	mu sync.Mutex
	// cur is the latest published snapshot.
	cur atomic.Pointer[Snapshot]

	// ckpt is what the last checkpoint written or loaded holds, so the next
	// one can hard-link the files of unchanged tables.
	ckpt struct {
		sync.Mutex
		dir   string            // the checkpoint directory (parent of checkpoint/)
		files map[string]uint64 // table name -> generation of the Table in that file
	}
}

// New returns an empty store: no tables, applied index 0.
func New() *Store {
	s := &Store{}
	s.cur.Store(emptySnapshot(s))
	return s
}

// Snapshot returns the current state; O(1), no copying.
func (s *Store) Snapshot() *Snapshot { return s.cur.Load() }

// AppliedIndex returns the raft index of the last applied command.
func (s *Store) AppliedIndex() uint64 { return s.cur.Load().applied }

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
	return s.applyLocked(index, cmd)
}

// applyLocked is Apply with s.mu held.
func (s *Store) applyLocked(index uint64, cmd Command) Result {
	base := s.cur.Load()
	if index <= base.applied {
		return Result{Err: sqlerr.New(sqlerr.InternalError,
			"raft index %d already applied (applied index is %d)", index, base.applied)}
	}
	tx := newTx(base, index)
	res := tx.apply(cmd)
	if res.Err != nil {
		next := *base
		next.applied = index
		s.cur.Store(&next)
		return Result{Err: res.Err}
	}
	s.cur.Store(tx.publish())
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
	s.cur.Store(&snap)
	other.ckpt.Lock()
	dir, files := other.ckpt.dir, other.ckpt.files
	other.ckpt.Unlock()
	s.ckpt.Lock()
	s.ckpt.dir, s.ckpt.files = dir, files
	s.ckpt.Unlock()
}
