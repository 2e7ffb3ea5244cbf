package engine

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/storage"
)

// Staged COPY. A COPY FROM STDIN is atomic yet goes through the log in
// batches: each batch of rows is proposed as a stage entry that the state
// machine keeps aside (a staging area keyed by a random copy ID) without
// touching the tables; CopyDone proposes a commit entry, whose apply
// writes every staged row as one storage.Write (all or nothing: a unique
// violation in the last row leaves the table as it was); a failed COPY
// proposes an abort entry that drops them. See docs/decisions.md.
//
// The staging area is state of the state machine that the CSV checkpoint
// does not hold. So that a restart rebuilds it by replaying the log, a
// checkpoint is not written while anything is staged (Checkpoint returns
// the index of the last one written and the log is not compacted past it)
// and a snapshot for a peer is refused meanwhile (raft retries it). A
// staged copy that sees no stage or commit entry for stageTTL entries is
// dropped (its client or its node went away); every replica drops it at
// the same index, so the state stays deterministic.

// stageTag starts an engine-level log entry. An encoded storage command is
// a protobuf message, whose first byte is never 0.
const stageTag = 0x00

// Kinds of staging entries, the second byte.
const (
	stageBatch  = 'S'
	stageCommit = 'C'
	stageAbort  = 'A'
)

// stageTTL is how many log entries a staged copy survives without news.
const stageTTL = 200_000

// abortTimeout bounds the proposal of an abort entry.
const abortTimeout = 5 * time.Second

// stagedCopy is one COPY's rows waiting for its commit entry.
type stagedCopy struct {
	batches []*storage.Write
	ops     int
	last    uint64 // index of its last stage entry
}

// staging is the state machine's staging area.
type staging struct {
	// mu orders Apply's changes of copies and of the store against
	// Checkpoint and SnapshotData, which check that nothing is staged at
	// the index of the state they save.
	mu     sync.Mutex
	copies map[uint64]*stagedCopy
	n      atomic.Int32 // len(copies), read without mu on every Apply
	// checkpointed is the index of the last checkpoint written.
	checkpointed atomic.Uint64
	// done keeps the results of the latest commits by copy ID, so that a
	// proposer whose wait timed out (a large commit takes long to apply)
	// can still learn the outcome; doneOrder bounds it. Local only: it
	// changes no table.
	done      map[uint64]storage.Result
	doneOrder []uint64
}

// maxDone bounds staging.done.
const maxDone = 256

// commitWait bounds how long a COPY waits for its commit's outcome after
// the proposal's own wait timed out.
const commitWait = 2 * time.Minute

// errStaged refuses a snapshot for a peer while a COPY is staged.
var errStaged = errors.New("engine: a COPY is in progress; snapshot deferred")

// encodeStage builds a staging entry.
func encodeStage(kind byte, id uint64, payload []byte) []byte {
	b := make([]byte, 0, 2+binary.MaxVarintLen64+len(payload))
	b = append(b, stageTag, kind)
	b = binary.AppendUvarint(b, id)
	return append(b, payload...)
}

// applyStage applies a staging entry at index.
func (db *DB) applyStage(index uint64, data []byte) any {
	st := &db.staging
	st.mu.Lock()
	defer st.mu.Unlock()
	bad := func(err error) any {
		db.logger.Error("engine: bad staging entry", "index", index, "err", err)
		db.store.Apply(index, &storage.Noop{})
		return storage.Result{Err: sqlerr.New(sqlerr.InternalError, "log entry %d: %v", index, err)}
	}
	if len(data) < 3 {
		return bad(errors.New("short entry"))
	}
	kind := data[1]
	id, n := binary.Uvarint(data[2:])
	if n <= 0 {
		return bad(errors.New("bad copy id"))
	}
	payload := data[2+n:]
	if st.copies == nil {
		st.copies = make(map[uint64]*stagedCopy)
	}
	db.expireStaged(index)
	switch kind {
	case stageBatch:
		cmd, err := storage.DecodeCommand(payload)
		if err != nil {
			return bad(err)
		}
		w, ok := cmd.(*storage.Write)
		if !ok {
			return bad(fmt.Errorf("staged command is %T", cmd))
		}
		c := st.copies[id]
		if c == nil {
			c = &stagedCopy{}
			st.copies[id] = c
		}
		c.batches = append(c.batches, w)
		c.ops += len(w.Ops)
		c.last = index
		st.n.Store(int32(len(st.copies)))
		db.store.Apply(index, &storage.Noop{})
		return storage.Result{}
	case stageCommit:
		want, m := binary.Uvarint(payload)
		if m <= 0 {
			return bad(errors.New("bad batch count"))
		}
		c := st.copies[id]
		delete(st.copies, id)
		st.n.Store(int32(len(st.copies)))
		if c == nil || uint64(len(c.batches)) != want {
			db.store.Apply(index, &storage.Noop{})
			res := storage.Result{Err: sqlerr.New(sqlerr.SerializationFailure,
				"could not complete COPY: its staged data expired or was lost")}
			st.remember(id, res)
			return res
		}
		all := &storage.Write{Ops: make([]storage.Op, 0, c.ops)}
		for _, w := range c.batches {
			all.Ops = append(all.Ops, w.Ops...)
		}
		start := time.Now()
		res := db.store.Apply(index, all)
		res.Rows = nil // nobody reads a million rows back
		if took := time.Since(start); took > 200*time.Millisecond {
			db.logger.Info("engine: large COPY committed", "rows", c.ops, "batches", len(c.batches), "index", index, "took", took)
		}
		st.remember(id, res)
		return res
	case stageAbort:
		delete(st.copies, id)
		st.n.Store(int32(len(st.copies)))
		db.store.Apply(index, &storage.Noop{})
		return storage.Result{}
	}
	return bad(fmt.Errorf("unknown staging kind %q", kind))
}

// remember keeps a commit's result for its proposer. Called with mu held.
func (st *staging) remember(id uint64, res storage.Result) {
	if st.done == nil {
		st.done = make(map[uint64]storage.Result)
	}
	st.done[id] = res
	st.doneOrder = append(st.doneOrder, id)
	if len(st.doneOrder) > maxDone {
		delete(st.done, st.doneOrder[0])
		st.doneOrder = st.doneOrder[1:]
	}
}

// outcome returns a remembered commit result.
func (st *staging) outcome(id uint64) (storage.Result, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	res, ok := st.done[id]
	return res, ok
}

// expireStaged drops the copies that have seen nothing for stageTTL
// entries. Called with staging.mu held.
func (db *DB) expireStaged(index uint64) {
	st := &db.staging
	for id, c := range st.copies {
		if c.last+stageTTL < index {
			db.logger.Warn("engine: dropping an abandoned COPY", "rows", c.ops, "last", c.last, "index", index)
			delete(st.copies, id)
		}
	}
	st.n.Store(int32(len(st.copies)))
}

// expireStagedAt runs expireStaged for an ordinary entry when anything is
// staged.
func (db *DB) expireStagedAt(index uint64) {
	if db.staging.n.Load() == 0 {
		return
	}
	db.staging.mu.Lock()
	db.expireStaged(index)
	db.staging.mu.Unlock()
}

// stagedSnapshot returns the store's snapshot if nothing is staged at its
// index, else nil.
func (db *DB) stagedSnapshot() *storage.Snapshot {
	st := &db.staging
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.copies) > 0 {
		return nil
	}
	return db.store.Snapshot()
}

// copyStager proposes one COPY's staging entries.
type copyStager struct {
	db      *DB
	id      uint64
	batches uint64
}

func newCopyStager(db *DB) *copyStager {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &copyStager{db: db, id: binary.LittleEndian.Uint64(b[:])}
}

// stage proposes a batch of rows.
func (s *copyStager) stage(ctx context.Context, w *storage.Write) error {
	data, err := storage.EncodeCommand(w)
	if err != nil {
		return fmt.Errorf("engine: encode command: %w", err)
	}
	res, err := s.db.proposeRaw(ctx, encodeStage(stageBatch, s.id, data))
	if err != nil {
		return err
	}
	if res.Err != nil {
		return res.Err
	}
	s.batches++
	return nil
}

// commit proposes the commit entry and returns its result. Applying a
// large commit may outlast the proposal's wait; the outcome is then
// awaited in the staging area's results for up to commitWait.
func (s *copyStager) commit(ctx context.Context) (storage.Result, error) {
	res, err := s.db.proposeRaw(ctx, encodeStage(stageCommit, s.id, binary.AppendUvarint(nil, s.batches)))
	if err == nil || ctx.Err() != nil {
		return res, err
	}
	deadline := time.Now().Add(commitWait)
	for time.Now().Before(deadline) {
		if r, ok := s.db.staging.outcome(s.id); ok {
			return r, nil
		}
		select {
		case <-ctx.Done():
			return storage.Result{}, err
		case <-time.After(50 * time.Millisecond):
		}
	}
	return storage.Result{}, err
}

// abort drops the staged rows, best effort: a lost abort expires.
func (s *copyStager) abort() {
	if s.batches == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), abortTimeout)
	defer cancel()
	if _, err := s.db.proposeRaw(ctx, encodeStage(stageAbort, s.id, nil)); err != nil {
		s.db.logger.Debug("engine: COPY abort not proposed; it will expire", "err", err)
	}
	s.batches = 0
}
