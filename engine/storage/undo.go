package storage

// undoLog records how to reverse the changes the command being applied has
// made to tables a batch owns (ApplyBatch): a command that fails must leave
// them as they were before it, and unlike a lone command's tx, a batch
// cannot simply drop its clones, which hold the commands before it.
type undoLog struct {
	steps []undoStep
}

// undoKind tells what an undoStep restores.
type undoKind uint8

const (
	undoRow       undoKind = iota // an entry of the rows trie
	undoIndex                     // an entry of index pos
	undoLastRowID                 // the table's lastRowID
	undoSeq                       // serial column pos's sequence
)

// undoStep restores one changed thing: the row with ID id, or the index
// entry at key, to what was there before (row, or had and entry), or a
// counter to old.
type undoStep struct {
	t     *Table
	kind  undoKind
	pos   int
	had   bool
	id    uint64
	key   string
	row   *Row
	entry indexItem
	old   uint64
}

// reset forgets the steps of the previous command.
func (u *undoLog) reset() { clear(u.steps); u.steps = u.steps[:0] }

// rollback reverses every recorded step, newest first.
func (u *undoLog) rollback() {
	for i := len(u.steps) - 1; i >= 0; i-- {
		s := &u.steps[i]
		switch s.kind {
		case undoRow:
			if s.row != nil {
				s.t.rows.Put(s.row)
			} else {
				s.t.rows.Delete(s.id)
			}
		case undoIndex:
			if s.had {
				s.t.indexes[s.pos].ReplaceOrInsert(s.entry)
			} else {
				s.t.indexes[s.pos].Delete(newIndexItem(s.key, 0))
			}
		case undoLastRowID:
			s.t.lastRowID = s.old
		case undoSeq:
			s.t.seqs[s.pos] = int64(s.old)
		}
	}
	u.reset()
}

// The mutations of write.go go through these tx methods, which record
// their undo steps when the tx applies a batch.

// putRow stores r in t's rows trie, replacing the row with its ID (and
// then starting a new lineage).
func (tx *tx) putRow(t *Table, r *Row) {
	old := t.rows.Put(r)
	if old != nil {
		t.lineage = generation.Add(1)
	}
	if tx.undo != nil {
		tx.undo.steps = append(tx.undo.steps, undoStep{t: t, kind: undoRow, id: r.ID, row: old})
	}
}

// deleteRow removes row id from t's rows trie, starting a new lineage.
func (tx *tx) deleteRow(t *Table, id uint64) {
	old := t.rows.Delete(id)
	if old != nil {
		t.lineage = generation.Add(1)
	}
	if tx.undo != nil {
		tx.undo.steps = append(tx.undo.steps, undoStep{t: t, kind: undoRow, id: id, row: old})
	}
}

// putIndexEntry stores e in t's index pos and reports whether it replaced
// an entry with the same key.
func (tx *tx) putIndexEntry(t *Table, pos int, e indexItem) (replaced bool) {
	old, had := t.indexes[pos].ReplaceOrInsert(e)
	if tx.undo != nil {
		tx.undo.steps = append(tx.undo.steps, undoStep{t: t, kind: undoIndex, pos: pos, key: e.key, had: had, entry: old})
	}
	return had
}

// deleteIndexEntry removes key from t's index pos.
func (tx *tx) deleteIndexEntry(t *Table, pos int, key string) {
	old, had := t.indexes[pos].Delete(newIndexItem(key, 0))
	if tx.undo != nil {
		tx.undo.steps = append(tx.undo.steps, undoStep{t: t, kind: undoIndex, pos: pos, key: key, had: had, entry: old})
	}
}

// nextRowID hands out t's next row ID.
func (tx *tx) nextRowID(t *Table) uint64 {
	if tx.undo != nil {
		tx.undo.steps = append(tx.undo.steps, undoStep{t: t, kind: undoLastRowID, old: t.lastRowID})
	}
	t.lastRowID++
	return t.lastRowID
}

// nextval advances serial column c's sequence of t and returns its value.
func (tx *tx) nextval(t *Table, c int) (int64, error) {
	if tx.undo != nil {
		tx.undo.steps = append(tx.undo.steps, undoStep{t: t, kind: undoSeq, pos: c, old: uint64(t.seqs[c])})
	}
	return t.nextval(c)
}
