package storage

// Entry is one committed command for ApplyBatch: its raft index and the
// command.
type Entry struct {
	Index uint64
	Cmd   Command
}

// ApplyBatch applies entries in order, as Apply would one by one, and
// returns their results.
//
// Consecutive Write and Noop commands share one tx, the store's open run:
// the tables they change are cloned once for the whole run instead of once
// per command, and the run stays open after ApplyBatch returns, so the next
// batch changes the same clones in place (see Store). Each command stays
// all-or-nothing: a failing one is rolled back through the tx's undo log.
// Any other command publishes the run and applies alone.
//
// A result is final when ApplyBatch returns: its command is in
// AppliedIndex, and Snapshot shows it.
func (s *Store) ApplyBatch(entries []Entry) []Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	results := make([]Result, len(entries))
	for i, e := range entries {
		if err := s.checkIndex(e.Index); err != nil {
			results[i] = Result{Err: err}
			continue
		}
		switch c := e.Cmd.(type) {
		case *Noop:
			s.openRun(e.Index)
		case *Write:
			run := s.openRun(e.Index)
			run.firstVersion = nil
			res := run.applyWrite(c)
			if res.Err != nil {
				run.undo.rollback()
				res = Result{Err: res.Err}
			}
			run.undo.reset()
			results[i] = res
		default:
			results[i] = s.applyLocked(e.Index, e.Cmd)
		}
		s.applied.Store(e.Index)
	}
	return results
}

// openRun returns the open run of writes, starting one on the published
// state if there is none, with its index set to index; s.mu is held.
func (s *Store) openRun(index uint64) *tx {
	if s.run == nil {
		s.run = newTx(s.cur.Load(), index)
		s.run.undo = &undoLog{}
	}
	s.run.index = index
	return s.run
}
