package engine

import (
	"context"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/storage"
	"github.com/chronos-db/chronos/engine/types"
)

// Transaction blocks (issue 4, DESIGN.md decision 3).
//
// A transaction takes its snapshot at its first statement (after the same
// linearizable read barrier an autocommit statement waits for) and every
// statement in it reads that snapshot overlaid with the transaction's own
// writes (storage.Snapshot.Overlay): a write statement is evaluated as in
// autocommit, but its Write is applied to the private overlay instead of
// being proposed. Nothing is proposed before COMMIT, so no other session
// sees the writes, and ROLLBACK just drops the overlay.
//
// The statements record what they read (txread.go): row reads for point
// lookups by a unique key that found a row, table reads for everything
// else. COMMIT proposes one storage.Write holding the net row changes
// (commitOps) and those reads; Apply rejects it with 40001, changing
// nothing, if anything read changed after the snapshot. Committed
// transactions are therefore serializable in log order. A transaction that
// wrote nothing proposes nothing and never aborts: it only read its
// snapshot.
//
// Every isolation level runs as SERIALIZABLE. DDL is refused inside a
// transaction block (0A000), except TRUNCATE and COPY, which run at once as
// in autocommit (pgbench -i wraps them in BEGIN ... COMMIT).

// txn is an open transaction block.
type txn struct {
	readOnly bool
	// base is the snapshot taken at the first statement; nil before it.
	base *storage.Snapshot
	// snap is base overlaid with the writes so far.
	snap *storage.Snapshot
	// seq counts overlay steps (storage.Snapshot.Overlay's seq).
	seq uint64
	// steps are the writes so far, one per write statement, in order.
	steps []txStep
	// reads is what the transaction read, by table and row (row 0: the
	// table as a whole).
	reads map[readKey]storage.Read
	// savepoints is the savepoint stack, innermost last.
	savepoints []txSavepoint
}

// txStep is one write statement's ops and the overlay rows they produced.
type txStep struct {
	ops  []storage.Op
	rows []*storage.Row
}

type txSavepoint struct {
	name  string
	snap  *storage.Snapshot
	steps int
}

type readKey struct {
	table string
	row   uint64
}

// beginTx opens a transaction block.
func (s *Session) beginTx(readOnly bool) {
	s.tx = &txn{readOnly: readOnly, reads: map[readKey]storage.Read{}}
	s.txStatus = 'T'
}

// endTx closes the transaction block, dropping its writes.
func (s *Session) endTx() {
	s.tx = nil
	s.txStatus = 'I'
}

// readSnapshot returns the snapshot a statement reads: the transaction's
// (taken now if this is its first statement) or, outside a block, a fresh
// one after the read barrier.
func (s *Session) readSnapshot(ctx context.Context) (*storage.Snapshot, error) {
	if s.tx != nil && s.tx.snap != nil {
		return s.tx.snap, nil
	}
	if err := s.db.readBarrier(ctx, s.settings.stale); err != nil {
		return nil, err
	}
	snap := s.db.Snapshot()
	if s.tx != nil {
		s.tx.base, s.tx.snap = snap, snap
	}
	return snap, nil
}

// planSnapshot is the catalog a statement is planned against. Planning
// reads only the catalog (a prepared plan runs later on other snapshots),
// so outside a transaction block it is the published snapshot.
func (s *Session) planSnapshot() *storage.Snapshot {
	if s.tx != nil && s.tx.snap != nil {
		return s.tx.snap
	}
	return s.db.Published()
}

// txWrite runs a write statement inside a transaction block: evaluated
// against the transaction's snapshot, applied to its overlay only.
func (s *Session) txWrite(ctx context.Context, deps *planDeps, params []types.Value, attempt writeAttempt) (Result, error) {
	tx := s.tx
	if tx.readOnly {
		return Result{}, sqlerr.New(sqlerr.ReadOnlySQLTransaction, "cannot execute %s in a read-only transaction", "a write statement")
	}
	snap, err := s.readSnapshot(ctx)
	if err != nil {
		return Result{}, err
	}
	if deps != nil && !deps.valid(snap) {
		return Result{}, errReplan
	}
	st := newExecState(ctx, s, snap, params)
	cmd, done, err := attempt(st)
	if err != nil {
		return Result{}, err
	}
	if cmd == nil {
		tx.addReads(st.reads, nil)
		return done(storage.Result{})
	}
	w, ok := cmd.(*storage.Write)
	if !ok {
		return Result{}, sqlerr.New(sqlerr.FeatureNotSupported, "%T cannot run inside a transaction block", cmd)
	}
	tx.seq++
	next, res := snap.Overlay(tx.seq, w)
	if res.Err != nil {
		return Result{}, res.Err
	}
	tx.addReads(st.reads, blindIncrements(w))
	tx.snap = next
	tx.steps = append(tx.steps, txStep{ops: w.Ops, rows: res.Rows})
	return done(res)
}

// blindIncrements returns the rows a Write made only of increments
// changes: their new values reach no client, so reading them to find them
// need not be validated (DESIGN.md decision 3; pgbench's branches row).
func blindIncrements(w *storage.Write) map[readKey]bool {
	out := map[readKey]bool{}
	for _, op := range w.Ops {
		if op.Kind != storage.OpIncrement {
			return nil
		}
		out[readKey{op.Table, op.RowID}] = true
	}
	return out
}

// addReads merges a statement's reads into the transaction's, except the
// row reads in skip.
func (tx *txn) addReads(r *readSet, skip map[readKey]bool) {
	if r == nil {
		return
	}
	for _, name := range r.tables {
		k := readKey{table: name}
		if _, ok := tx.reads[k]; ok {
			continue
		}
		t, ok := tx.base.Table(name)
		if !ok {
			continue
		}
		tx.reads[k] = storage.Read{Table: name, Version: tx.base.AppliedIndex(), Rows: uint64(t.Len())}
	}
	for _, k := range r.rows {
		if skip[k] {
			continue
		}
		if _, ok := tx.reads[k]; ok {
			continue
		}
		if _, ok := tx.reads[readKey{table: k.table}]; ok {
			continue
		}
		t, ok := tx.base.Table(k.table)
		if !ok {
			continue
		}
		row, ok := t.Get(k.row)
		if !ok {
			// A row the transaction inserted itself.
			continue
		}
		tx.reads[k] = storage.Read{Table: k.table, RowID: k.row, Version: row.Version}
	}
}

// errDDLInTransaction refuses a schema change inside a transaction block.
func errDDLInTransaction() error {
	return sqlerr.New(sqlerr.FeatureNotSupported, "schema changes cannot run inside a transaction block").
		WithHint("Run CREATE, ALTER and DROP statements outside BEGIN ... COMMIT.")
}

// readOnlyDefault is default_transaction_read_only.
func (ss *sessionSettings) readOnlyDefault() bool {
	v, _ := ss.get("default_transaction_read_only")
	return v == "on" || v == "true"
}
