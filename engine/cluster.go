package engine

import (
	"context"
	"math"
	"slices"

	"github.com/chronos-db/chronos/engine/dialect"
	"github.com/chronos-db/chronos/engine/expr"
	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Cluster introspection. SHOW CLUSTER and the system view chronos.nodes
// list the members of the node's raft cluster, and chronos.stats this
// node's running totals (log writes, fsyncs, messages, reads). The engine
// knows nothing of consensus: the server fills Options.Cluster with an
// adapter over the consensus node.
//
// SHOW CLUSTER is a utility statement and does not wait for a read index,
// so it answers even when the cluster has lost its quorum; a SELECT from
// chronos.nodes (or chronos.stats) is a query like any other and, unless
// the session chose stale reads, waits for one.

// ClusterInfo reports the cluster a node belongs to.
type ClusterInfo interface {
	// ClusterStatus asks every member for its state, each within a bounded
	// time, and returns them sorted by ID. A member that does not answer
	// is listed with Reachable false.
	ClusterStatus(ctx context.Context) []MemberStatus
	// NodeStats returns this node's running totals since it started.
	NodeStats() []NodeStat
}

// NodeStat is one row of chronos.stats.
type NodeStat struct {
	Name        string
	Value       uint64
	Description string
}

// MemberStatus is one row of SHOW CLUSTER and chronos.nodes.
type MemberStatus struct {
	ID           string // the member's string id (chronos node --id)
	Address      string // host:port for clients and peers
	Role         string // "leader", "follower", "candidate", "pre-candidate"
	Term         uint64
	CommitIndex  uint64
	AppliedIndex uint64
	Reachable    bool // the member answered; when false the other fields but ID and Address are unknown
}

// clusterSchema is the schema of the system views.
const clusterSchema = "chronos"

// clusterColumns are the columns of SHOW CLUSTER and chronos.nodes.
var clusterColumns = []Column{
	{Name: "id", Type: types.Text},
	{Name: "address", Type: types.Text},
	{Name: "role", Type: types.Text},
	{Name: "term", Type: types.Int8},
	{Name: "commit_index", Type: types.Int8},
	{Name: "applied_index", Type: types.Int8},
	{Name: "reachable", Type: types.Bool},
}

// clusterRows returns the members as rows of clusterColumns; the values of
// an unreachable member that are unknown are NULL.
func (db *DB) clusterRows(ctx context.Context) ([][]types.Value, error) {
	if db.opts.Cluster == nil {
		return nil, sqlerr.New(sqlerr.ObjectNotInPrerequisiteState, "this node has no cluster information")
	}
	var rows [][]types.Value
	for _, m := range db.opts.Cluster.ClusterStatus(ctx) {
		row := []types.Value{m.ID, m.Address, nil, nil, nil, nil, m.Reachable}
		if m.Reachable {
			row[2], row[3], row[4], row[5] = m.Role, int64(m.Term), int64(m.CommitIndex), int64(m.AppliedIndex)
		}
		rows = append(rows, row)
	}
	if err := ctx.Err(); err != nil {
		return nil, errCanceled(ctx)
	}
	return rows, nil
}

// planShowCluster plans SHOW CLUSTER.
func (s *Session) planShowCluster() stmtPlan {
	return &funcPlan{cols: clusterColumns, fn: func(ctx context.Context, s *Session, _ []types.Value) (Result, error) {
		rows, err := s.db.clusterRows(ctx)
		if err != nil {
			return Result{}, err
		}
		return Result{Columns: clusterColumns, Rows: rows, Tag: "SHOW"}, nil
	}}
}

// statsColumns are the columns of chronos.stats.
var statsColumns = []Column{
	{Name: "name", Type: types.Text},
	{Name: "value", Type: types.Int8},
	{Name: "description", Type: types.Text},
}

// statsRows returns this node's running totals as rows of statsColumns.
func (db *DB) statsRows(context.Context) ([][]types.Value, error) {
	if db.opts.Cluster == nil {
		return nil, sqlerr.New(sqlerr.ObjectNotInPrerequisiteState, "this node has no cluster information")
	}
	var rows [][]types.Value
	for _, s := range db.opts.Cluster.NodeStats() {
		rows = append(rows, []types.Value{s.Name, int64(min(s.Value, math.MaxInt64)), s.Description})
	}
	return rows, nil
}

// systemViews are the views of the chronos schema, by name.
var systemViews = map[string]struct {
	columns []Column
	rows    func(*DB, context.Context) ([][]types.Value, error)
}{
	"nodes": {clusterColumns, (*DB).clusterRows},
	"stats": {statsColumns, (*DB).statsRows},
}

// systemView returns the plan node of a system view named by name
// (chronos.nodes, chronos.stats), or nil when name is not one.
func (b *builder) systemView(name *ast.TableName) planNode {
	if name.Schema.L != clusterSchema {
		return nil
	}
	v, ok := systemViews[name.Name.L]
	if !ok {
		return nil
	}
	cols := make([]colInfo, len(v.columns))
	for i, c := range v.columns {
		cols[i] = colInfo{name: c.Name, table: name.Name.O, typ: c.Type}
	}
	return &systemViewNode{name: clusterSchema + "." + name.Name.L, cols: cols, rows: v.rows}
}

// systemViewNode produces the rows of a system view.
type systemViewNode struct {
	name string // schema-qualified
	cols []colInfo
	rows func(*DB, context.Context) ([][]types.Value, error)
}

func (n *systemViewNode) columns() []colInfo { return n.cols }

func (n *systemViewNode) run(st *execState, emit rowFunc) error {
	if st.session == nil {
		return sqlerr.New(sqlerr.ObjectNotInPrerequisiteState, "%s needs a session", n.name)
	}
	rows, err := n.rows(st.session.db, st.ctx)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := emit(r); err != nil {
			return err
		}
	}
	return nil
}

func (n *systemViewNode) explain(e *explainer) {
	e.node("Function Scan on "+n.name, nil)
}

// buildPlan plans one statement. params, when not nil, holds the
// parameter types (given or to be inferred).
//
// Plans are built on the local catalog, which on a follower may not yet
// hold a table another member just created: a statement naming it would
// fail with "relation does not exist" although the CREATE TABLE was
// acknowledged before it started. So a plan that fails on a missing name
// waits for a read barrier (unless the session chose stale reads) and is
// built once more on the state that covers every acknowledged write.
func (s *Session) buildPlan(ctx context.Context, st *dialect.Statement, params *expr.Params) (stmtPlan, error) {
	var saved []types.T
	if params != nil {
		saved = slices.Clone(params.Types)
	}
	p, err := s.buildPlanAuthorized(ctx, st, params)
	if err == nil || s.settings.stale || !catalogMiss(err) {
		return p, err
	}
	if err := s.db.readBarrier(ctx, false); err != nil {
		return nil, err
	}
	if params != nil {
		params.Types = saved
	}
	return s.buildPlanAuthorized(ctx, st, params)
}

// catalogMiss reports whether err says a table, column or other named
// object does not exist.
func catalogMiss(err error) bool {
	switch sqlerr.CodeOf(err) {
	case sqlerr.UndefinedTable, sqlerr.UndefinedColumn, sqlerr.UndefinedObject:
		return true
	}
	return false
}
