package engine

import (
	"context"

	"github.com/chronos-db/chronos/engine/dialect"
	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// planExplain plans EXPLAIN: the statement is planned, not run, and the
// plan tree is returned as rows of text in a "QUERY PLAN" column.
func (b *builder) planExplain(st *dialect.Statement, n *ast.ExplainStmt) (stmtPlan, error) {
	if n.Analyze {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "EXPLAIN ANALYZE is not supported")
	}
	switch f := types.FoldASCII(n.Format); f {
	case "", "row", "text", "traditional":
	default:
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "EXPLAIN format %s is not supported", n.Format)
	}
	inner := *st
	inner.AST = n.Stmt
	var p stmtPlan
	var err error
	switch x := n.Stmt.(type) {
	case *ast.SelectStmt, *ast.SetOprStmt:
		node, err := b.buildQuery(nil, nil, x)
		if err != nil {
			return nil, err
		}
		p = &queryPlan{node: node, deps: b.deps}
	case *ast.InsertStmt:
		p, err = b.planInsert(&inner, x)
	case *ast.UpdateStmt:
		p, err = b.planUpdate(&inner, x)
	case *ast.DeleteStmt:
		p, err = b.planDelete(&inner, x)
	default:
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "EXPLAIN of %s is not supported", statementKind(n.Stmt))
	}
	if err != nil {
		return nil, err
	}
	lines := explainLines(p)
	cols := []Column{{Name: "QUERY PLAN", Type: types.Text}}
	return &funcPlan{cols: cols, fn: func(ctx context.Context, s *Session, _ []types.Value) (Result, error) {
		res := Result{Columns: cols, Tag: "EXPLAIN"}
		for _, l := range lines {
			res.Rows = append(res.Rows, []types.Value{l})
		}
		return res, nil
	}}, nil
}

// explainLines renders a statement plan.
func explainLines(p stmtPlan) []string {
	e := &explainer{}
	switch x := p.(type) {
	case *queryPlan:
		x.node.explain(e)
	case *insertPlan:
		var child planNode = &valuesNode{rows: x.rows}
		if x.query != nil {
			child = x.query
		}
		var details []string
		if x.conflict != nil {
			if x.conflict.doNothing {
				details = append(details, "Conflict Resolution: NOTHING")
			} else {
				details = append(details, "Conflict Resolution: UPDATE")
			}
		}
		e.node("Insert on "+x.def.Name, details, child)
	case *modifyPlan:
		title := "Update on " + x.def.Name
		if x.delete {
			title = "Delete on " + x.def.Name
		}
		e.node(title, nil, x.scan)
	}
	return e.lines
}
