package storage

import "github.com/chronos-db/chronos/engine/sqlerr"

// Entry is one committed command for ApplyBatch: its raft index and the
// command.
type Entry struct {
	Index uint64
	Cmd   Command
}

// ApplyBatch applies entries in order, as Apply would one by one, and
// returns their results; the state is published once, after the last.
//
// Consecutive Write and Noop commands share one tx: the tables they change
// are cloned once for the whole run instead of once per command, so the
// copy-on-write path copies of a B-tree write are shared by the run's
// commands (with many clients, a Ready commits several entries at once).
// Each command stays all-or-nothing: a failing one is rolled back through
// the tx's undo log. Any other command ends the run and applies alone.
//
// Nothing of a batch is visible to Snapshot until ApplyBatch returns, so its
// callers must deliver results only after that.
func (s *Store) ApplyBatch(entries []Entry) []Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	results := make([]Result, len(entries))
	var run *tx // the tx of the current run of writes, nil between runs
	var last uint64
	for i, e := range entries {
		if applied := max(last, s.cur.Load().applied); e.Index <= applied {
			results[i] = Result{Err: sqlerr.New(sqlerr.InternalError,
				"raft index %d already applied (applied index is %d)", e.Index, applied)}
			continue
		}
		switch c := e.Cmd.(type) {
		case *Noop:
		case *Write:
			if run == nil {
				run = newTx(s.cur.Load(), e.Index)
				run.undo = &undoLog{}
			}
			run.index = e.Index
			run.firstVersion = nil
			res := run.applyWrite(c)
			if res.Err != nil {
				run.undo.rollback()
				res = Result{Err: res.Err}
			}
			run.undo.reset()
			results[i] = res
		default:
			if run != nil {
				s.publishRun(run, last)
				run = nil
			}
			results[i] = s.applyLocked(e.Index, e.Cmd)
		}
		last = e.Index
	}
	if run != nil {
		s.publishRun(run, last)
	} else if last > s.cur.Load().applied {
		next := *s.cur.Load()
		next.applied = last
		s.cur.Store(&next)
	}
	return results
}

// publishRun makes the state a run of writes built the current one, as of
// index.
func (s *Store) publishRun(run *tx, index uint64) {
	run.index = index
	next := run.publish()
	next.applied = index
	s.cur.Store(next)
}
