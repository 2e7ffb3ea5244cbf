package engine

import (
	"context"
	"slices"

	"github.com/chronos-db/chronos/engine/dialect"
	"github.com/chronos-db/chronos/engine/expr"
	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Cluster introspection. SHOW CLUSTER and the system view chronos.nodes
// list the members of the node's raft cluster. The engine knows nothing of
// consensus: the server fills Options.Cluster with an adapter over the
// consensus node.
//
// SHOW CLUSTER is a utility statement and does not wait for a read index,
// so it answers even when the cluster has lost its quorum; a SELECT from
// chronos.nodes is a query like any other and, unless the session chose
// stale reads, waits for one.

// ClusterInfo reports the members of the cluster a node belongs to.
type ClusterInfo interface {
	// ClusterStatus asks every member for its state, each within a bounded
	// time, and returns them sorted by ID. A member that does not answer
	// is listed with Reachable false.
	ClusterStatus(ctx context.Context) []MemberStatus
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

// systemView returns the plan node of a system view named by name
// (chronos.nodes), or nil when name is not one.
func (b *builder) systemView(name *ast.TableName) planNode {
	if name.Schema.L != clusterSchema || name.Name.L != "nodes" {
		return nil
	}
	cols := make([]colInfo, len(clusterColumns))
	for i, c := range clusterColumns {
		cols[i] = colInfo{name: c.Name, table: name.Name.O, typ: c.Type}
	}
	return &clusterNode{cols: cols}
}

// clusterNode produces the rows of chronos.nodes.
type clusterNode struct {
	cols []colInfo
}

func (n *clusterNode) columns() []colInfo { return n.cols }

func (n *clusterNode) run(st *execState, emit rowFunc) error {
	if st.session == nil {
		return sqlerr.New(sqlerr.ObjectNotInPrerequisiteState, "chronos.nodes needs a session")
	}
	rows, err := st.session.db.clusterRows(st.ctx)
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

func (n *clusterNode) explain(e *explainer) {
	e.node("Function Scan on chronos.nodes", nil)
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
