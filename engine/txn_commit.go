package engine

import (
	"context"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/storage"
)

// commitTx ends the transaction block with COMMIT: a transaction that
// wrote nothing just ends; otherwise its write set and reads are proposed
// as one Write, applied entirely or (40001) not at all.
func (s *Session) commitTx(ctx context.Context) error {
	tx := s.tx
	s.endTx()
	if tx == nil {
		return nil
	}
	ops := tx.commitOps()
	if len(ops) == 0 {
		return nil
	}
	w := &storage.Write{Ops: ops, Reads: make([]storage.Read, 0, len(tx.reads))}
	for _, r := range tx.reads {
		w.Reads = append(w.Reads, r)
	}
	res, err := s.db.propose(ctx, w)
	if err != nil {
		return err
	}
	if res.Err != nil {
		if sqlerr.CodeOf(res.Err) == sqlerr.SerializationFailure {
			return sqlerr.New(sqlerr.SerializationFailure, "could not serialize access due to read/write dependencies among transactions")
		}
		return res.Err
	}
	return nil
}

// rowChange collects what a transaction did to one row.
type rowChange struct {
	table string
	// id is the row's ID in the overlay.
	id uint64
	// inserted says the transaction inserted the row itself.
	inserted bool
	serial   []int
	// increments holds the row's ops while they are all increments; nil
	// once anything else touched it.
	increments []storage.Op
	onlyIncr   bool
	oid        uint32
	schema     uint64
}

// commitOps turns the overlay steps into the net write set: one insert
// per surviving row the transaction inserted (provisional row IDs are
// replaced at apply), one update or delete per stored row it changed,
// carrying the version the row had in the transaction's snapshot, and the
// increments of rows it only incremented, which stay blind.
func (tx *txn) commitOps() []storage.Op {
	var order []*rowChange
	byRow := map[readKey]*rowChange{}
	for _, step := range tx.steps {
		for i, op := range step.ops {
			id := op.RowID
			if op.Kind == storage.OpInsert {
				id = step.rows[i].ID
			}
			k := readKey{op.Table, id}
			c, ok := byRow[k]
			if !ok {
				c = &rowChange{table: op.Table, id: id, onlyIncr: true, oid: op.TableOID, schema: op.SchemaVersion}
				byRow[k] = c
				order = append(order, c)
			}
			switch op.Kind {
			case storage.OpInsert:
				c.inserted, c.serial, c.onlyIncr = true, op.SerialColumns, false
			case storage.OpIncrement:
				if c.onlyIncr {
					c.increments = append(c.increments, op)
				}
			default:
				c.onlyIncr, c.increments = false, nil
			}
		}
	}
	var ops []storage.Op
	for _, c := range order {
		var final *storage.Row
		if t, ok := tx.snap.Table(c.table); ok {
			final, _ = t.Get(c.id)
		}
		if c.inserted {
			if final != nil {
				op := storage.Op{Kind: storage.OpInsert, Table: c.table, Values: final.Values(),
					SerialColumns: c.serial, TableOID: c.oid, SchemaVersion: c.schema}
				if len(c.serial) > 0 {
					// The client may have seen the provisional values.
					op.Version = 1
				}
				ops = append(ops, op)
			}
			continue
		}
		if c.onlyIncr && final != nil {
			ops = append(ops, c.increments...)
			continue
		}
		var version uint64
		if t, ok := tx.base.Table(c.table); ok {
			if old, ok := t.Get(c.id); ok {
				version = old.Version
			}
		}
		op := storage.Op{Table: c.table, RowID: c.id, Version: version, TableOID: c.oid, SchemaVersion: c.schema}
		if final == nil {
			op.Kind = storage.OpDelete
		} else {
			op.Kind, op.Values = storage.OpUpdate, final.Values()
		}
		ops = append(ops, op)
	}
	return ops
}

// savepoint pushes a savepoint.
func (tx *txn) savepoint(name string) {
	tx.savepoints = append(tx.savepoints, txSavepoint{name: name, snap: tx.snap, steps: len(tx.steps)})
}

// findSavepoint returns the position of the innermost savepoint named
// name, or -1.
func (tx *txn) findSavepoint(name string) int {
	for i := len(tx.savepoints) - 1; i >= 0; i-- {
		if tx.savepoints[i].name == name {
			return i
		}
	}
	return -1
}

// rollbackTo undoes the writes made after savepoint i, which stays. The
// reads made since are kept: the client saw them.
func (tx *txn) rollbackTo(i int) {
	sp := tx.savepoints[i]
	if sp.snap != nil {
		tx.snap = sp.snap
	} else {
		tx.snap = tx.base
	}
	tx.steps = tx.steps[:sp.steps]
	tx.savepoints = tx.savepoints[:i+1]
}

// release removes savepoint i and the ones after it, keeping the writes.
func (tx *txn) release(i int) {
	tx.savepoints = tx.savepoints[:i]
}

func errNoSavepoint(name string) error {
	return sqlerr.New(sqlerr.Code("3B001"), "savepoint \"%s\" does not exist", name)
}
