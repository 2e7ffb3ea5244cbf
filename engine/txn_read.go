package engine

import "github.com/chronos-db/chronos/engine/storage"

// readSet is what one statement of a transaction block read: tables it
// scanned (or probed by a key that found nothing), and rows it found by a
// point lookup on a unique key. The transaction turns them into the
// storage.Read entries its COMMIT is validated against (txn.addReads).
type readSet struct {
	tables []string
	rows   []readKey
}

// noteTable records a read of the whole of t (a scan or range scan, a
// lookup join, an ON CONFLICT probe): any write to t after the
// transaction's snapshot makes the COMMIT fail.
func (st *execState) noteTable(t *storage.Table) {
	if st.reads == nil {
		return
	}
	name := t.Def().Name
	for _, n := range st.reads.tables {
		if n == name {
			return
		}
	}
	st.reads.tables = append(st.reads.tables, name)
}

// trackScan records the read of a scan of t through path (nil for a
// sequential scan): a point lookup on a unique key records the row it
// finds, anything else the table. It returns fn, wrapped when rows are
// recorded, and the function to call when the scan is over.
func (st *execState) trackScan(t *storage.Table, path *accessPath, fn func(*storage.Row) bool) (func(*storage.Row) bool, func()) {
	if st.reads == nil {
		return fn, func() {}
	}
	if path == nil || !path.point {
		st.noteTable(t)
		return fn, func() {}
	}
	found := false
	name := t.Def().Name
	wrapped := func(r *storage.Row) bool {
		found = true
		st.reads.rows = append(st.reads.rows, readKey{name, r.ID})
		return fn(r)
	}
	return wrapped, func() {
		if !found {
			st.noteTable(t)
		}
	}
}
