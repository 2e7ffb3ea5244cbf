package engine

import (
	"github.com/chronos-db/chronos/engine/expr"
	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// buildQuery plans a query expression: a SELECT, a set operation or a
// parenthesised list of them. parent is the scope of the enclosing query
// (nil at the top), sub the subquery being planned, if any.
func (b *builder) buildQuery(parent *scope, sub *subqueryPlan, node ast.Node) (planNode, error) {
	switch n := node.(type) {
	case *ast.SelectStmt:
		return b.buildSelect(parent, sub, n)
	case *ast.SetOprStmt:
		return b.buildSetOp(parent, sub, n)
	case *ast.SetOprSelectList:
		return b.buildSetOpList(parent, sub, n, nil, nil)
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "unsupported query form %T", node)
}

// selectState carries a SELECT through its planning steps.
type selectState struct {
	sel  *ast.SelectStmt
	s    *scope
	node planNode
	// outputs are the select list after * expansion.
	outputs []*outputItem
	// grouped is set when the query aggregates.
	grouped bool
}

// buildSelect plans one SELECT: FROM, WHERE, GROUP BY and aggregates,
// HAVING, the select list, DISTINCT, ORDER BY, LIMIT and OFFSET, in that
// order.
func (b *builder) buildSelect(parent *scope, sub *subqueryPlan, sel *ast.SelectStmt) (planNode, error) {
	if sel.With != nil {
		if err := b.pushWith(parent, sel.With); err != nil {
			return nil, err
		}
		defer b.popWith()
	}
	if sel.Kind == ast.SelectStmtKindValues {
		return b.buildValues(parent, sub, sel.Lists)
	}
	if sel.Kind == ast.SelectStmtKindTable {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "TABLE statements are not supported")
	}
	// FOR UPDATE / FOR SHARE (sel.LockInfo) are accepted: reads are from a
	// consistent snapshot and writes are validated at apply, so a lock
	// would add nothing.
	if len(sel.WindowSpecs) > 0 {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "window functions are not supported")
	}
	if sel.SelectIntoOpt != nil {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "SELECT INTO is not supported")
	}
	ss := &selectState{sel: sel}
	ss.s = &scope{parent: parent, sub: sub}

	// FROM and WHERE.
	if sel.From != nil && sel.From.TableRefs != nil {
		node, cols, err := b.buildFrom(ss.s, sel.From.TableRefs, sel.Where)
		if err != nil {
			return nil, err
		}
		ss.node = node
		ss.s.cols = cols
	} else {
		ss.node = &valuesNode{rows: [][]expr.Expr{{}}}
		if sel.Where != nil {
			f, err := b.compileWhere(ss.s, sel.Where, "WHERE")
			if err != nil {
				return nil, err
			}
			ss.node = &filterNode{input: ss.node, cond: f}
		}
	}

	// The select list, with * expanded.
	if err := b.expandSelectList(ss); err != nil {
		return nil, err
	}
	ss.s.outputs = ss.outputs

	// Aggregation.
	if err := b.buildGrouping(ss); err != nil {
		return nil, err
	}

	// Projection, ORDER BY and DISTINCT.
	return b.finishSelect(ss)
}

// compileWhere compiles a WHERE-like boolean condition.
func (b *builder) compileWhere(s *scope, cond ast.ExprNode, clause string) (expr.Expr, error) {
	saved := s.aggClause
	s.aggClause = clause
	defer func() { s.aggClause = saved }()
	return expr.CompileCondition(cond, &resolver{b: b, s: s}, b.params, clause)
}

// expandSelectList turns the select fields into output items, expanding
// * and t.*.
func (b *builder) expandSelectList(ss *selectState) error {
	for _, f := range ss.sel.Fields.Fields {
		if f.WildCard != nil {
			n := 0
			for i, c := range ss.s.cols {
				if c.hidden {
					continue
				}
				if f.WildCard.Table.O != "" && !sameName(c.table, f.WildCard.Table.O) {
					continue
				}
				ss.outputs = append(ss.outputs, &outputItem{name: c.name, col: i, fp: colFingerprint(0, i)})
				n++
			}
			if n == 0 {
				if f.WildCard.Table.O != "" {
					return sqlerr.New(sqlerr.UndefinedTable, "missing FROM-clause entry for table \"%s\"", f.WildCard.Table.O)
				}
				if ss.sel.From == nil {
					return sqlerr.New(sqlerr.SyntaxError, "SELECT * with no tables specified is not valid")
				}
			}
			continue
		}
		name := f.AsName.O
		if name == "" {
			name = expr.ColumnName(f.Expr)
		}
		ss.outputs = append(ss.outputs, &outputItem{name: name, node: f.Expr, col: -1, fp: b.fingerprint(ss.s, f.Expr)})
	}
	return nil
}

// finishSelect adds the projection, DISTINCT, ORDER BY and LIMIT.
func (b *builder) finishSelect(ss *selectState) (planNode, error) {
	if err := b.planSRF(ss); err != nil {
		return nil, err
	}
	s := ss.s
	proj := &projectNode{input: ss.node}
	for _, o := range ss.outputs {
		e, c, err := b.compileOutput(s, o)
		if err != nil {
			return nil, err
		}
		proj.exprs = append(proj.exprs, e)
		proj.cols = append(proj.cols, c)
	}
	visible := len(proj.exprs)

	var order []sortKey
	if ss.sel.OrderBy != nil {
		var err error
		order, err = b.resolveOrderBy(ss, proj, ss.sel.OrderBy.Items)
		if err != nil {
			return nil, err
		}
	}
	if ss.sel.Distinct && len(proj.exprs) > visible {
		return nil, sqlerr.New(sqlerr.InvalidColumnReference, "for SELECT DISTINCT, ORDER BY expressions must appear in select list")
	}
	var node planNode = proj
	if ss.sel.Distinct {
		node = &distinctNode{input: node, width: visible}
	}
	if len(order) > 0 {
		node = &sortNode{input: node, keys: order}
	}
	node, err := b.buildLimit(node, ss.sel.Limit)
	if err != nil {
		return nil, err
	}
	if len(proj.exprs) > visible {
		node = &trimNode{input: node, width: visible}
	}
	return node, nil
}

// compileOutput compiles one select-list item.
func (b *builder) compileOutput(s *scope, o *outputItem) (expr.Expr, colInfo, error) {
	if o.node == nil {
		c := s.cols[o.col]
		e, err := s.columnExpr(o.col, 0)
		if err != nil {
			return nil, colInfo{}, err
		}
		return e, colInfo{name: o.name, typ: c.typ, tableOID: c.tableOID, attNum: c.attNum}, nil
	}
	saved := s.aggClause
	if s.grouped == nil {
		s.aggClause = "this context"
	}
	e, err := b.compile(s, o.node)
	s.aggClause = saved
	if err != nil {
		return nil, colInfo{}, err
	}
	c := colInfo{name: o.name, typ: outputType(e.Type())}
	if cn, ok := unparen(o.node).(*ast.ColumnNameExpr); ok && s.grouped == nil {
		if idx, err := s.lookup(cn.Name); err == nil && idx >= 0 {
			c.tableOID, c.attNum = s.cols[idx].tableOID, s.cols[idx].attNum
		}
	}
	return e, c, nil
}

// outputType is the type a result column reports: an untyped literal
// becomes text, as in PostgreSQL.
func outputType(t types.T) types.T {
	if t.IsUnknown() {
		return types.Text
	}
	return t
}

// unparen strips parentheses around an expression.
func unparen(e ast.ExprNode) ast.ExprNode {
	for {
		p, ok := e.(*ast.ParenthesesExpr)
		if !ok {
			return e
		}
		e = p.Expr
	}
}

// buildLimit adds LIMIT and OFFSET.
func (b *builder) buildLimit(node planNode, lim *ast.Limit) (planNode, error) {
	if lim == nil {
		return node, nil
	}
	l := &limitNode{input: node}
	if lim.Count != nil {
		e, err := b.compileAs(&scope{aggClause: "LIMIT"}, lim.Count, types.Int8)
		if err != nil {
			return nil, err
		}
		l.count = e
	}
	if lim.Offset != nil {
		e, err := b.compileAs(&scope{aggClause: "OFFSET"}, lim.Offset, types.Int8)
		if err != nil {
			return nil, err
		}
		l.offset = e
	}
	return l, nil
}

// buildValues plans VALUES (...), (...) as a row source.
func (b *builder) buildValues(parent *scope, sub *subqueryPlan, lists []*ast.RowExpr) (planNode, error) {
	s := &scope{parent: parent, sub: sub, aggClause: "VALUES"}
	v := &valuesNode{}
	width := -1
	var colTypes []types.T
	for _, l := range lists {
		if width >= 0 && len(l.Values) != width {
			return nil, sqlerr.New(sqlerr.SyntaxError, "VALUES lists must all be the same length")
		}
		width = len(l.Values)
		row := make([]expr.Expr, width)
		for i, e := range l.Values {
			c, err := b.compile(s, e)
			if err != nil {
				return nil, err
			}
			row[i] = c
		}
		v.rows = append(v.rows, row)
	}
	colTypes = make([]types.T, width)
	for i := range colTypes {
		ts := make([]types.T, len(v.rows))
		for r := range v.rows {
			ts[r] = v.rows[r][i].Type()
		}
		t, err := commonType(ts, "VALUES")
		if err != nil {
			return nil, err
		}
		colTypes[i] = t
		for r := range v.rows {
			v.rows[r][i] = castExpr(v.rows[r][i], t)
		}
	}
	for i, t := range colTypes {
		v.cols = append(v.cols, colInfo{name: columnN(i), typ: outputType(t)})
	}
	return v, nil
}
