package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/chronos-db/chronos/engine/dialect"
	"github.com/chronos-db/chronos/engine/expr"
	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// stmtPlan is a statement ready to run: a query plan, a write, DDL or a
// utility statement.
type stmtPlan interface {
	// columns describes the rows the statement returns; nil for none.
	columns() []Column
	// exec runs the statement. It returns errReplan when the catalog
	// changed under the plan, and the caller plans again.
	exec(ctx context.Context, s *Session, params []types.Value) (Result, error)
}

// errReplan says a plan's tables or views changed since it was built.
var errReplan = errors.New("engine: plan is stale")

// maxReplans bounds how often one execution plans again after DDL.
const maxReplans = 5

// funcPlan is a statement whose work is one function (utility statements
// and DDL), run at execution.
type funcPlan struct {
	cols []Column
	fn   func(ctx context.Context, s *Session, params []types.Value) (Result, error)
}

func (p *funcPlan) columns() []Column { return p.cols }

func (p *funcPlan) exec(ctx context.Context, s *Session, params []types.Value) (Result, error) {
	return p.fn(ctx, s, params)
}

// queryPlan is a SELECT (or a set operation, or VALUES).
type queryPlan struct {
	node planNode
	deps planDeps
	cols []Column
}

func (p *queryPlan) columns() []Column { return p.cols }

func (p *queryPlan) exec(ctx context.Context, s *Session, params []types.Value) (Result, error) {
	snap, err := s.readSnapshot(ctx)
	if err != nil {
		return Result{}, err
	}
	if !p.deps.valid(snap) {
		return Result{}, errReplan
	}
	st := newExecState(ctx, s, snap, params)
	rows, err := collect(st, p.node)
	if err != nil {
		return Result{}, err
	}
	if s.tx != nil {
		s.tx.addReads(st.reads, nil)
	}
	if err := ctx.Err(); err != nil {
		return Result{}, errCanceled(ctx)
	}
	return Result{Columns: p.cols, Rows: rows, Tag: "SELECT " + strconv.Itoa(len(rows))}, nil
}

// buildPlanLocal plans one statement against the local catalog. params,
// when not nil, holds the parameter types (given or to be inferred).
// buildPlan (cluster.go) calls it.
func (s *Session) buildPlanLocal(ctx context.Context, st *dialect.Statement, params *expr.Params) (stmtPlan, error) {
	if params == nil {
		params = &expr.Params{Types: make([]types.T, st.NumParams)}
	}
	if st.Special != nil {
		return s.planSpecial(st)
	}
	snap := s.planSnapshot()
	b := newBuilder(s, snap, params)
	switch n := st.AST.(type) {
	case *ast.SelectStmt, *ast.SetOprStmt:
		if sel, ok := n.(*ast.SelectStmt); ok && sel.SelectIntoOpt != nil {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "SELECT INTO is not supported")
		}
		node, err := b.buildQuery(nil, nil, n)
		if err != nil {
			return nil, err
		}
		return &queryPlan{node: node, deps: b.deps, cols: resultColumns(node.columns())}, nil
	case *ast.InsertStmt:
		return b.planInsert(st, n)
	case *ast.UpdateStmt:
		return b.planUpdate(st, n)
	case *ast.DeleteStmt:
		return b.planDelete(st, n)
	case *ast.ExplainStmt:
		return b.planExplain(st, n)
	case *ast.CreateTableStmt:
		return ddlPlan(func(ctx context.Context, s *Session) (Result, error) { return s.createTable(ctx, n) }), nil
	case *ast.DropTableStmt:
		return ddlPlan(func(ctx context.Context, s *Session) (Result, error) { return s.dropTable(ctx, n) }), nil
	case *ast.AlterTableStmt:
		return ddlPlan(func(ctx context.Context, s *Session) (Result, error) { return s.alterTable(ctx, n) }), nil
	case *ast.CreateIndexStmt:
		return ddlPlan(func(ctx context.Context, s *Session) (Result, error) { return s.createIndex(ctx, n) }), nil
	case *ast.DropIndexStmt:
		return ddlPlan(func(ctx context.Context, s *Session) (Result, error) {
			return s.dropIndexes(ctx, []string{n.IndexName}, n.IfExists)
		}), nil
	case *ast.CreateViewStmt:
		return ddlPlan(func(ctx context.Context, s *Session) (Result, error) { return s.createView(ctx, n) }), nil
	case *ast.TruncateTableStmt:
		return &funcPlan{fn: func(ctx context.Context, s *Session, _ []types.Value) (Result, error) {
			return s.truncate(ctx, &dialect.Truncate{Tables: []string{n.Table.Name.O}})
		}}, nil
	case *ast.BeginStmt:
		return s.planSpecial(&dialect.Statement{Special: &dialect.Begin{}})
	case *ast.CommitStmt:
		return s.planSpecial(&dialect.Statement{Special: &dialect.Commit{}})
	case *ast.RollbackStmt:
		return s.planSpecial(&dialect.Statement{Special: &dialect.Rollback{}})
	case *ast.SetStmt:
		return s.planSetAST(n)
	case *ast.CreateDatabaseStmt, *ast.DropDatabaseStmt:
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "CREATE DATABASE and DROP DATABASE are not supported: a Chronos node serves one database")
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "statement %s is not supported", statementKind(st.AST))
}

// statementKind names a statement type for error messages.
func statementKind(n ast.StmtNode) string {
	s := fmt.Sprintf("%T", n)
	if len(s) > 5 && s[:5] == "*ast." {
		s = s[5:]
	}
	return s
}

// ddlPlan wraps a DDL statement, which is evaluated when it runs.
func ddlPlan(fn func(ctx context.Context, s *Session) (Result, error)) stmtPlan {
	return &funcPlan{fn: func(ctx context.Context, s *Session, _ []types.Value) (Result, error) {
		if s.tx != nil {
			return Result{}, errDDLInTransaction()
		}
		return fn(ctx, s)
	}}
}

// execPlan runs a plan, planning again when the catalog changed under it.
// *p is replaced by the new plan, so a prepared statement keeps it.
func (s *Session) execPlan(ctx context.Context, st *dialect.Statement, p *stmtPlan, params *expr.Params, vals []types.Value) (Result, error) {
	for i := 0; ; i++ {
		res, err := (*p).exec(ctx, s, vals)
		if !errors.Is(err, errReplan) || i >= maxReplans {
			if errors.Is(err, errReplan) {
				err = sqlerr.New(sqlerr.SerializationFailure, "could not serialize access due to concurrent schema change")
			}
			return res, err
		}
		var fresh *expr.Params
		if params != nil {
			fresh = &expr.Params{Types: append([]types.T(nil), params.Types...)}
		}
		np, err := s.buildPlan(ctx, st, fresh)
		if err != nil {
			return Result{}, err
		}
		if fresh != nil && !sameTypes(fresh.Types, params.Types) {
			return Result{}, sqlerr.New(sqlerr.FeatureNotSupported, "cached plan must not change parameter types")
		}
		*p = np
	}
}

func sameTypes(a, b []types.T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(a[i].IsUnknown() && b[i] == types.Text) {
			return false
		}
	}
	return true
}

// Statement is a prepared statement: parsed and planned once, executed
// many times. Its plan is kept and rebuilt only when a table or view it
// reads changes.
type Statement struct {
	s      *Session
	stmt   *dialect.Statement // nil for an empty statement
	plan   stmtPlan
	params *expr.Params
	ptypes []types.T
	cols   []Column
}

// Prepare parses and plans one statement for repeated execution.
// paramTypes holds the parameter types the client declared (0 = infer); it
// may be shorter than the number of parameters.
func (s *Session) Prepare(ctx context.Context, sql string, paramTypes []types.OID) (*Statement, error) {
	stmts, err := dialect.Parse(sql)
	if err != nil {
		s.failTx()
		return nil, err
	}
	if len(stmts) > 1 {
		s.failTx()
		return nil, sqlerr.New(sqlerr.SyntaxError, "cannot insert multiple commands into a prepared statement")
	}
	ps := &Statement{s: s}
	if len(stmts) == 0 {
		return ps, nil
	}
	st := stmts[0]
	n := st.NumParams
	if len(paramTypes) > n {
		n = len(paramTypes)
	}
	params := &expr.Params{Types: make([]types.T, n)}
	for i := range params.Types {
		params.Types[i] = types.Unknown
		if i < len(paramTypes) && paramTypes[i] != 0 {
			params.Types[i] = types.T{OID: paramTypes[i], Mod: -1}
		}
	}
	p, err := s.buildPlan(ctx, st, params)
	if err != nil {
		s.failTx()
		return nil, withPosition(mapError(ctx, err), sql, st.Text)
	}
	ps.stmt, ps.plan, ps.params = st, p, params
	ps.ptypes = make([]types.T, len(params.Types))
	for i, t := range params.Types {
		if t.IsUnknown() {
			t = types.Text
		}
		ps.ptypes[i] = t
	}
	ps.params.Types = append([]types.T(nil), ps.ptypes...)
	ps.cols = p.columns()
	return ps, nil
}

// ParamTypes returns one type OID per parameter $1..$n, inferred where the
// client gave none (text when nothing else is known).
func (p *Statement) ParamTypes() []types.OID {
	out := make([]types.OID, len(p.ptypes))
	for i, t := range p.ptypes {
		out[i] = t.OID
	}
	return out
}

// ParamTypesT returns the parameter types with their modifiers.
func (p *Statement) ParamTypesT() []types.T { return p.ptypes }

// Columns describes the rows the statement returns, or is nil when it
// returns none.
func (p *Statement) Columns() []Column { return p.cols }

// Execute runs the statement with one value per parameter, already in the
// Go representation of ParamTypes (nil is NULL).
func (p *Statement) Execute(ctx context.Context, params []types.Value) (Result, error) {
	if p.stmt == nil {
		return Result{Empty: true}, nil
	}
	if len(params) != len(p.ptypes) {
		return Result{}, sqlerr.New(sqlerr.ProtocolViolation, "bind message supplies %d parameters, but prepared statement requires %d", len(params), len(p.ptypes))
	}
	return p.s.run(ctx, p.stmt, p, params)
}

// execute runs the prepared plan (called by Session.run).
func (p *Statement) execute(ctx context.Context, params []types.Value) (Result, error) {
	return p.s.execPlan(ctx, p.stmt, &p.plan, p.params, params)
}
