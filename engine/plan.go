package engine

import (
	"context"
	"errors"

	"github.com/chronos-db/chronos/engine/expr"
	"github.com/chronos-db/chronos/engine/storage"
	"github.com/chronos-db/chronos/engine/types"
)

// A query plan is a tree of planNodes. Nodes are built once (a prepared
// statement keeps its tree) and never changed afterwards; each execution
// passes its own execState down, so one tree can run many times.
//
// Execution is push-based: a node's run calls emit once per output row, in
// order. A row handed to emit is never modified afterwards, so the receiver
// may keep it. emit returning errStop ends the producer early without error
// (LIMIT); any other error ends the whole statement.
type planNode interface {
	// columns describes the node's output rows.
	columns() []colInfo
	// run produces the node's rows.
	run(st *execState, emit rowFunc) error
	// explain writes the node and its children for EXPLAIN.
	explain(e *explainer)
}

// rowFunc receives one row.
type rowFunc func(row []types.Value) error

// errStop is returned by a row receiver that wants no more rows.
var errStop = errors.New("stop")

// colInfo describes one column of a node's output, and how names find it.
type colInfo struct {
	// name is the column's name for output and for unqualified references.
	name string
	// table is the qualifier that finds it (the table's alias or name);
	// empty when only the bare name does.
	table string
	// typ is the column's type.
	typ types.T
	// tableOID and attNum identify the base table column the value comes
	// straight from (RowDescription), or are zero.
	tableOID uint32
	attNum   int16
	// hidden columns are not expanded by * (ORDER BY helpers, the right
	// side of a USING join).
	hidden bool
}

// execState is one execution of a statement: the snapshot it reads, its
// parameters and the evaluation context. It is the expr.SessionInfo of
// that context too, which is how subqueries find their per-execution
// cache.
type execState struct {
	ctx     context.Context
	ectx    expr.Context
	snap    *storage.Snapshot
	session *Session
	// subqueries caches the rows of uncorrelated subqueries for this
	// execution.
	subqueries map[*subqueryPlan][][]types.Value
	// ticks counts rows scanned, to check for cancellation now and then.
	ticks int
	// reads collects what the statement reads inside a transaction block
	// (txn_read.go); nil outside one.
	reads *readSet
}

// newExecState prepares an execution over snap.
func newExecState(ctx context.Context, s *Session, snap *storage.Snapshot, params []types.Value) *execState {
	st := &execState{ctx: ctx, snap: snap, session: s}
	st.ectx.Ctx = ctx
	st.ectx.Params = params
	st.ectx.Now = s.statementTime()
	st.ectx.Session = st
	if s != nil && s.tx != nil {
		st.reads = &readSet{}
	}
	return st
}

// Setting implements expr.SessionInfo.
func (st *execState) Setting(name string) (string, bool) {
	if st.session == nil {
		return "", false
	}
	return st.session.settings.get(name)
}

// User implements expr.SessionInfo.
func (st *execState) User() string {
	if st.session == nil {
		return "chronos"
	}
	return st.session.user
}

// Database implements expr.SessionInfo.
func (st *execState) Database() string {
	if st.session == nil {
		return "chronos"
	}
	return st.session.database
}

// tick is called once per row scanned; every 256 rows it checks whether
// the statement was cancelled.
func (st *execState) tick() error {
	st.ticks++
	if st.ticks&255 == 0 {
		if err := st.ctx.Err(); err != nil {
			return errCanceled(st.ctx)
		}
	}
	return nil
}

// stateOf recovers the execState from an evaluation context.
func stateOf(ctx *expr.Context) *execState {
	st, _ := ctx.Session.(*execState)
	return st
}

// collect runs n and gathers its rows.
func collect(st *execState, n planNode) ([][]types.Value, error) {
	var rows [][]types.Value
	err := n.run(st, func(row []types.Value) error {
		rows = append(rows, row)
		return nil
	})
	if errors.Is(err, errStop) {
		err = nil
	}
	return rows, err
}

// resultColumns turns a node's visible columns into result columns.
func resultColumns(cols []colInfo) []Column {
	out := make([]Column, 0, len(cols))
	for _, c := range cols {
		if c.hidden {
			continue
		}
		out = append(out, Column{Name: c.name, TableOID: c.tableOID, AttrNum: c.attNum, Type: c.typ})
	}
	return out
}
