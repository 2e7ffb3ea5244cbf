package expr

import (
	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
)

func (c *compiler) subquery(n ast.ExprNode) (Subquery, error) {
	sub, ok := n.(*ast.SubqueryExpr)
	if !ok {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "expected a subquery")
	}
	if c.r == nil {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "subqueries are not allowed here")
	}
	return c.r.Subquery(sub)
}

// scalarSubquery compiles (SELECT ...) used as a value.
func (c *compiler) scalarSubquery(x *ast.SubqueryExpr) (Expr, error) {
	sq, err := c.subquery(x)
	if err != nil {
		return nil, err
	}
	cols := sq.Columns()
	if len(cols) != 1 {
		return nil, sqlerr.New(sqlerr.SyntaxError, "subquery must return only one column")
	}
	return &scalarSubqueryExpr{sq: sq, t: cols[0]}, nil
}

type scalarSubqueryExpr struct {
	sq Subquery
	t  types.T
}

func (e *scalarSubqueryExpr) Eval(ctx *Context, row []types.Value) (types.Value, error) {
	rows, err := e.sq.Run(ctx, row)
	if err != nil {
		return nil, err
	}
	switch len(rows) {
	case 0:
		return nil, nil
	case 1:
		return rows[0][0], nil
	}
	return nil, sqlerr.New(sqlerr.CardinalityViolation, "more than one row returned by a subquery used as an expression")
}

func (e *scalarSubqueryExpr) Type() types.T  { return e.t }
func (e *scalarSubqueryExpr) String() string { return "(SubPlan)" }

// exists compiles [NOT] EXISTS (SELECT ...).
func (c *compiler) exists(x *ast.ExistsSubqueryExpr) (Expr, error) {
	sq, err := c.subquery(x.Sel)
	if err != nil {
		return nil, err
	}
	return &existsExpr{sq: sq, not: x.Not}, nil
}

type existsExpr struct {
	sq  Subquery
	not bool
}

func (e *existsExpr) Eval(ctx *Context, row []types.Value) (types.Value, error) {
	rows, err := e.sq.Run(ctx, row)
	if err != nil {
		return nil, err
	}
	return (len(rows) > 0) != e.not, nil
}

func (e *existsExpr) Type() types.T { return types.Bool }
func (e *existsExpr) String() string {
	if e.not {
		return "(NOT EXISTS (SubPlan))"
	}
	return "EXISTS (SubPlan)"
}

// quantified is x op ANY/ALL (subquery), and IN / NOT IN as = ANY and
// <> ALL: left is evaluated on the current row, right on each subquery
// row.
type quantified struct {
	sq    Subquery
	op    opcode.Op
	all   bool
	left  []Expr
	right []Expr
	t     []types.T
	name  string
}

// subqueryOperands resolves the comparison of the left expressions with the
// subquery's columns.
func (c *compiler) subqueryOperands(op opcode.Op, l ast.ExprNode, sq Subquery) ([]Expr, []Expr, []types.T, error) {
	var lefts []ast.ExprNode
	if row, ok := l.(*ast.RowExpr); ok {
		lefts = row.Values
	} else {
		lefts = []ast.ExprNode{l}
	}
	cols := sq.Columns()
	if len(cols) != len(lefts) {
		if len(cols) > len(lefts) {
			return nil, nil, nil, sqlerr.New(sqlerr.SyntaxError, "subquery has too many columns")
		}
		return nil, nil, nil, sqlerr.New(sqlerr.SyntaxError, "subquery has too few columns")
	}
	var ls, rs []Expr
	var ts []types.T
	for i, ln := range lefts {
		le, err := c.compile(ln)
		if err != nil {
			return nil, nil, nil, err
		}
		re := Column(i, cols[i], "subquery column")
		le, re, t, err := c.compareType(opName(op), le, re)
		if err != nil {
			return nil, nil, nil, err
		}
		ls, rs, ts = append(ls, le), append(rs, re), append(ts, t)
	}
	return ls, rs, ts, nil
}

// inSubquery compiles x [NOT] IN (SELECT ...).
func (c *compiler) inSubquery(x *ast.PatternInExpr) (Expr, error) {
	sq, err := c.subquery(x.Sel)
	if err != nil {
		return nil, err
	}
	op := opcode.EQ
	if x.Not {
		op = opcode.NE
	}
	ls, rs, ts, err := c.subqueryOperands(opcode.EQ, x.Expr, sq)
	if err != nil {
		return nil, err
	}
	name := "IN"
	if x.Not {
		name = "NOT IN"
	}
	return &quantified{sq: sq, op: op, all: x.Not, left: ls, right: rs, t: ts, name: name}, nil
}

// compareSubquery compiles x op ANY/SOME/ALL (SELECT ...).
func (c *compiler) compareSubquery(x *ast.CompareSubqueryExpr) (Expr, error) {
	sq, err := c.subquery(x.R)
	if err != nil {
		return nil, err
	}
	ls, rs, ts, err := c.subqueryOperands(x.Op, x.L, sq)
	if err != nil {
		return nil, err
	}
	name := opName(x.Op) + " ANY"
	if x.All {
		name = opName(x.Op) + " ALL"
	}
	return &quantified{sq: sq, op: x.Op, all: x.All, left: ls, right: rs, t: ts, name: name}, nil
}

func (e *quantified) Eval(ctx *Context, row []types.Value) (types.Value, error) {
	rows, err := e.sq.Run(ctx, row)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return e.all, nil
	}
	lv := make([]types.Value, len(e.left))
	for i, l := range e.left {
		if lv[i], err = l.Eval(ctx, row); err != nil {
			return nil, err
		}
	}
	sawNull := false
	for _, r := range rows {
		res, err := e.compareRow(ctx, lv, r)
		if err != nil {
			return nil, err
		}
		switch {
		case res == nil:
			sawNull = true
		case res == true && !e.all:
			return true, nil
		case res == false && e.all:
			return false, nil
		}
	}
	if sawNull {
		return nil, nil
	}
	return e.all, nil
}

// compareRow compares the left values with one subquery row: true, false
// or nil (unknown).
func (e *quantified) compareRow(ctx *Context, lv []types.Value, r []types.Value) (types.Value, error) {
	sawNull := false
	for i := range e.left {
		rv, err := e.right[i].Eval(ctx, r)
		if err != nil {
			return nil, err
		}
		if lv[i] == nil || rv == nil {
			if len(e.left) == 1 || e.op != opcode.EQ && e.op != opcode.NE {
				return nil, nil
			}
			sawNull = true
			continue
		}
		cmp := types.Compare(lv[i], rv, e.t[i])
		if cmp != 0 {
			switch e.op {
			case opcode.EQ:
				return false, nil
			case opcode.NE:
				return true, nil
			}
			return cmpResult(e.op, cmp), nil
		}
	}
	if sawNull {
		return nil, nil
	}
	return cmpResult(e.op, 0), nil
}

func (e *quantified) Type() types.T { return types.Bool }
func (e *quantified) String() string {
	l := e.left[0].String()
	if len(e.left) > 1 {
		l = "ROW(...)"
	}
	return "(" + l + " " + e.name + " (SubPlan))"
}
