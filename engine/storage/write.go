package storage

import (
	"math"
	"slices"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
)

// applyWrite validates the reads, then applies the ops in order on clones.
func (tx *tx) applyWrite(w *Write) Result {
	if err := tx.validateReads(w.Reads); err != nil {
		return errResult(err)
	}
	rows := make([]*Row, len(w.Ops))
	for i := range w.Ops {
		row, err := tx.applyOp(&w.Ops[i])
		if err != nil {
			return errResult(err)
		}
		rows[i] = row
	}
	return Result{Rows: rows, Count: len(rows)}
}

func (tx *tx) applyOp(op *Op) (*Row, error) {
	t0, ok := tx.snap().tables[op.Table]
	if !ok {
		return nil, errUndefinedRelation(op.Table)
	}
	if op.TableOID != 0 && op.TableOID != t0.def.OID {
		return nil, errSchemaChanged(op.Table)
	}
	if op.SchemaVersion != 0 && op.SchemaVersion != t0.def.Version {
		return nil, errSchemaChanged(op.Table)
	}
	t := tx.mutableTable(op.Table)
	switch op.Kind {
	case OpInsert:
		return tx.insert(t, op)
	case OpUpdate:
		return tx.update(t, op)
	case OpDelete:
		return tx.delete(t, op)
	case OpIncrement:
		return tx.increment(t, op)
	}
	return nil, internalf("unknown op kind %d", op.Kind)
}

func (tx *tx) insert(t *Table, op *Op) (*Row, error) {
	def := t.def
	if len(op.Values) != len(def.Columns) {
		return nil, errSchemaChanged(def.Name)
	}
	vals := op.Values
	for _, c := range op.SerialColumns {
		if c < 0 || c >= len(def.Columns) || !def.Columns[c].Serial {
			return nil, internalf("column %d of %q is not serial", c, def.Name)
		}
		v, err := tx.nextval(t, c)
		if err != nil {
			return nil, err
		}
		if op.Version != 0 && vals[c] != any(v) {
			// A transaction showed its client another value.
			return nil, errSerialization()
		}
		vals[c] = v
	}
	if err := checkNotNull(def, vals); err != nil {
		return nil, err
	}
	row, err := NewRow(tx.nextRowID(t), tx.index, vals)
	if err != nil {
		return nil, internalf("%v", err)
	}
	if err := tx.addIndexEntries(t, row, vals); err != nil {
		return nil, err
	}
	tx.putRow(t, row)
	return row, nil
}

func (tx *tx) update(t *Table, op *Op) (*Row, error) {
	def := t.def
	old, err := tx.currentRow(t, op, true)
	if err != nil {
		return nil, err
	}
	if len(op.Values) != len(def.Columns) {
		return nil, errSchemaChanged(def.Name)
	}
	if err := checkNotNull(def, op.Values); err != nil {
		return nil, err
	}
	row, err := NewRow(old.ID, tx.index, op.Values)
	if err != nil {
		return nil, internalf("%v", err)
	}
	if err := tx.replaceRow(t, old, old.Values(), row, op.Values); err != nil {
		return nil, err
	}
	return row, nil
}

func (tx *tx) delete(t *Table, op *Op) (*Row, error) {
	old, err := tx.currentRow(t, op, true)
	if err != nil {
		return nil, err
	}
	vals := old.Values()
	for i := range t.def.Indexes {
		key, _ := entryKey(&tx.buf, t.def, &t.def.Indexes[i], old.ID, vals)
		tx.deleteIndexEntry(t, i, key)
	}
	tx.deleteRow(t, old.ID)
	return old, nil
}

func (tx *tx) increment(t *Table, op *Op) (*Row, error) {
	def := t.def
	old, err := tx.currentRow(t, op, false)
	if err != nil {
		return nil, err
	}
	oldVals := old.Values()
	vals := slices.Clone(oldVals)
	for _, d := range op.Deltas {
		if d.Column < 0 || d.Column >= len(vals) {
			return nil, internalf("increment of column %d of %q", d.Column, def.Name)
		}
		v, err := addValue(vals[d.Column], d.Add, def.Columns[d.Column].Type)
		if err != nil {
			return nil, err
		}
		vals[d.Column] = v
	}
	row, err := NewRow(old.ID, tx.index, vals)
	if err != nil {
		return nil, internalf("%v", err)
	}
	if err := tx.replaceRow(t, old, oldVals, row, vals); err != nil {
		return nil, err
	}
	return row, nil
}

// currentRow finds the row an update, delete or increment op changes and,
// when checkVersion is set, checks it is still at the version the writer
// read (for a row this command already wrote: the version before it).
func (tx *tx) currentRow(t *Table, op *Op, checkVersion bool) (*Row, error) {
	old, ok := t.Get(op.RowID)
	if !ok {
		return nil, errSerialization()
	}
	ref := rowRef{t.def.Name, old.ID}
	have := old.Version
	if have == tx.index {
		have = tx.firstVersion[ref]
	} else {
		if tx.firstVersion == nil {
			tx.firstVersion = map[rowRef]uint64{}
		}
		tx.firstVersion[ref] = old.Version
	}
	if checkVersion && have != op.Version {
		return nil, errSerialization()
	}
	return old, nil
}

// addIndexEntries adds row, holding vals, to every index of t, failing on
// a duplicate key.
func (tx *tx) addIndexEntries(t *Table, row *Row, vals []types.Value) error {
	for i := range t.def.Indexes {
		ix := &t.def.Indexes[i]
		key, unique := entryKey(&tx.buf, t.def, ix, row.ID, vals)
		// A replaced entry is a duplicate; the tree is then discarded with
		// the whole command, so one descent does both the check and the
		// insert.
		if dup := tx.putIndexEntry(t, i, newIndexItem(key, row.ID)); dup && unique {
			return errDuplicateKey(t.def, ix, vals)
		}
	}
	return nil
}

// replaceRow stores row (holding vals) in place of old (same ID, holding
// oldVals), moving index entries whose keys changed and failing on a
// duplicate key. An index whose key did not change is not touched: its
// entry holds the row ID, which stays.
func (tx *tx) replaceRow(t *Table, old *Row, oldVals []types.Value, row *Row, vals []types.Value) error {
	for i := range t.def.Indexes {
		ix := &t.def.Indexes[i]
		oldKey, _ := entryKey(&tx.buf, t.def, ix, old.ID, oldVals)
		key, unique := entryKey(&tx.buf, t.def, ix, row.ID, vals)
		if key == oldKey {
			continue
		}
		tx.deleteIndexEntry(t, i, oldKey)
		if dup := tx.putIndexEntry(t, i, newIndexItem(key, row.ID)); dup && unique {
			return errDuplicateKey(t.def, ix, vals)
		}
	}
	tx.putRow(t, row)
	return nil
}

// checkNotNull reports the first NULL in a NOT NULL column.
func checkNotNull(def *TableDef, vals []types.Value) error {
	for c := range def.Columns {
		if def.Columns[c].NotNull && vals[c] == nil {
			return errNotNull(def, c, vals)
		}
	}
	return nil
}

// nextval advances serial column c's sequence and returns its new value.
func (t *Table) nextval(c int) (int64, error) {
	limit := int64(math.MaxInt64)
	switch t.def.Columns[c].Type.OID {
	case types.OIDInt2:
		limit = math.MaxInt16
	case types.OIDInt4:
		limit = math.MaxInt32
	}
	if t.seqs[c] >= limit {
		return 0, sqlerr.New(codeSequenceLimit, "nextval: reached maximum value of sequence \"%s\" (%d)",
			SequenceName(t.def.Name, t.def.Columns[c].Name), limit)
	}
	t.seqs[c]++
	return t.seqs[c], nil
}

// SequenceName is the name PostgreSQL gives a serial column's sequence.
func SequenceName(table, column string) string {
	return makeObjectName(table, column, "seq")
}
