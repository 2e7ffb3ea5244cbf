package storage

// Validation of a transaction's reads (DESIGN.md decision 3, issue 4).
//
// A Write carries the reads its transaction made against a snapshot taken
// at applied index S. Apply accepts the Write only if everything the
// transaction read is still as it was at S, so the transaction is
// equivalent to one run entirely at the Write's own log position: that is
// what makes committed transactions serializable in log order.
//
// Two kinds of read are checked, both from state every replica holds
// identically (row versions are raft indexes and survive checkpoints, so
// the outcome never depends on when a replica last restarted):
//
//   - A row read, Read{Table, RowID, Version}: the row must still exist at
//     Version. A point lookup by a unique key that found a row records one;
//     no other row can appear under that key while it exists, and a change
//     of its key changes its version.
//   - A table read, Read{Table, RowID: 0, Version: S, Rows: n}: the table
//     had n rows at S and no row may have been inserted, updated, deleted
//     or incremented since. Every scan and range scan records one, as does
//     a point lookup that found nothing (a phantom could appear there). The
//     check is that every row's version is <= S (an insert, update or
//     increment after S leaves a row with a larger version) and that the
//     table still has n rows (with no insert after S, a deletion after S
//     can only show as fewer rows). It costs a pass over the table's rows,
//     which the transaction's own scan already paid.

// validateReads checks w's reads against the state before w: tx.snap(),
// which in a batch (ApplyBatch) holds the commands before w in its run.
func (tx *tx) validateReads(reads []Read) error {
	for _, r := range reads {
		t, ok := tx.snap().tables[r.Table]
		if !ok {
			return errSerialization()
		}
		if r.RowID == 0 {
			if !t.unchangedSince(r.Version, r.Rows) {
				return errSerialization()
			}
			continue
		}
		row, ok := t.Get(r.RowID)
		if !ok || row.Version != r.Version {
			return errSerialization()
		}
	}
	return nil
}

// unchangedSince reports whether t still has n rows, none written after
// index since.
func (t *Table) unchangedSince(since uint64, n uint64) bool {
	if uint64(t.Len()) != n {
		return false
	}
	ok := true
	t.Scan(func(r *Row) bool {
		if r.Version > since {
			ok = false
		}
		return ok
	})
	return ok
}
