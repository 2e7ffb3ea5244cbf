package engine

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/storage"
)

// AppliedIndex returns the raft index of the last command applied.
func (db *DB) AppliedIndex() uint64 { return db.store.AppliedIndex() }

// Apply decodes and applies the committed entry at index and returns its
// storage.Result, which Propose hands to the statement that proposed it.
// An empty entry (raft's own, at a leader change) advances the applied
// index and changes nothing. An entry that cannot be decoded is a bug or a
// corrupt log: it is logged and rejected with XX000.
func (db *DB) Apply(index uint64, data []byte) any {
	if len(data) == 0 {
		return db.store.Apply(index, &storage.Noop{})
	}
	if data[0] == stageTag {
		return db.applyStage(index, data)
	}
	db.expireStagedAt(index)
	cmd, err := storage.DecodeCommand(data)
	if err != nil {
		db.logger.Error("engine: undecodable log entry", "index", index, "err", err)
		db.store.Apply(index, &storage.Noop{})
		return storage.Result{Err: sqlerr.New(sqlerr.InternalError, "log entry %d cannot be decoded: %v", index, err)}
	}
	return db.store.Apply(index, cmd)
}

// Entry is a committed entry for ApplyBatch: its raft index and payload.
type Entry struct {
	Index uint64
	Data  []byte
}

// ApplyBatch applies committed entries in order, as Apply on each would,
// and returns their results. Consecutive commands reach the store in one
// storage.Store.ApplyBatch, which clones the tables they change once for
// all of them; a COPY staging entry is applied on its own between them.
func (db *DB) ApplyBatch(entries []Entry) []any {
	results := make([]any, len(entries))
	run := make([]storage.Entry, 0, len(entries))
	at := make([]int, 0, len(entries)) // run[j] is entries[at[j]]
	flush := func() {
		for j, res := range db.store.ApplyBatch(run) {
			if results[at[j]] == nil {
				results[at[j]] = res
			}
		}
		run, at = run[:0], at[:0]
	}
	for i, e := range entries {
		var cmd storage.Command = &storage.Noop{}
		switch {
		case len(e.Data) == 0:
		case e.Data[0] == stageTag:
			flush()
			results[i] = db.applyStage(e.Index, e.Data)
			continue
		default:
			db.expireStagedAt(e.Index)
			c, err := storage.DecodeCommand(e.Data)
			if err != nil {
				db.logger.Error("engine: undecodable log entry", "index", e.Index, "err", err)
				results[i] = storage.Result{Err: sqlerr.New(sqlerr.InternalError, "log entry %d cannot be decoded: %v", e.Index, err)}
			} else {
				cmd = c
			}
		}
		run = append(run, storage.Entry{Index: e.Index, Cmd: cmd})
		at = append(at, i)
	}
	flush()
	return results
}

// Checkpoint writes the current state to the DB's directory as CSV files
// and returns the index it covers.
//
// While a COPY is staged it writes nothing and returns the index of the
// last checkpoint written, so that the log keeps the staging entries
// (copystage.go).
func (db *DB) Checkpoint() (uint64, error) {
	snap := db.stagedSnapshot()
	if snap == nil {
		return db.staging.checkpointed.Load(), nil
	}
	if db.dir == "" {
		db.staging.checkpointed.Store(snap.AppliedIndex())
		return snap.AppliedIndex(), nil
	}
	if err := snap.WriteCheckpoint(db.dir); err != nil {
		return 0, fmt.Errorf("engine: checkpoint: %w", err)
	}
	db.staging.checkpointed.Store(snap.AppliedIndex())
	return snap.AppliedIndex(), nil
}

// SnapshotData returns the whole state for a peer: a checkpoint written
// to a temporary directory, as a tar archive of its files.
func (db *DB) SnapshotData() ([]byte, error) {
	tmp, err := os.MkdirTemp("", "chronos-snapshot-*")
	if err != nil {
		return nil, fmt.Errorf("engine: snapshot data: %w", err)
	}
	defer os.RemoveAll(tmp)
	snap := db.stagedSnapshot()
	if snap == nil {
		return nil, errStaged
	}
	if err := snap.Export(tmp); err != nil {
		return nil, fmt.Errorf("engine: snapshot data: %w", err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	err = filepath.WalkDir(tmp, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(tmp, path)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: filepath.ToSlash(rel), Mode: 0o644, Size: int64(len(b))}); err != nil {
			return err
		}
		_, err = tw.Write(b)
		return err
	})
	if err == nil {
		err = tw.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("engine: snapshot data: %w", err)
	}
	return buf.Bytes(), nil
}

// Restore replaces the state by one received from a peer (SnapshotData's
// archive), which covers the entries up to at least index.
func (db *DB) Restore(index uint64, data []byte) error {
	tmp, err := os.MkdirTemp("", "chronos-restore-*")
	if err != nil {
		return fmt.Errorf("engine: restore: %w", err)
	}
	defer os.RemoveAll(tmp)
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("engine: restore: %w", err)
		}
		name := filepath.FromSlash(h.Name)
		if !filepath.IsLocal(name) {
			return fmt.Errorf("engine: restore: bad file name %q in snapshot", h.Name)
		}
		path := filepath.Join(tmp, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("engine: restore: %w", err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return fmt.Errorf("engine: restore: %w", err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return fmt.Errorf("engine: restore: %w", err)
		}
	}
	loaded, err := storage.Load(tmp)
	if err != nil {
		return fmt.Errorf("engine: restore: %w", err)
	}
	if loaded.AppliedIndex() < index {
		return fmt.Errorf("engine: restore: snapshot covers index %d, want at least %d", loaded.AppliedIndex(), index)
	}
	db.staging.mu.Lock()
	db.store.Replace(loaded)
	clear(db.staging.copies)
	db.staging.n.Store(0)
	db.staging.mu.Unlock()
	return nil
}
