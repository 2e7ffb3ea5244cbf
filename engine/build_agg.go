package engine

import (
	"github.com/chronos-db/chronos/engine/expr"
	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// buildGrouping adds the aggregation node when the query groups or calls
// aggregates, and HAVING. Afterwards the scope compiles expressions over
// the aggregation's rows (group keys, then aggregate results).
func (b *builder) buildGrouping(ss *selectState) error {
	sel := ss.sel
	s := ss.s
	var aggNodes []ast.ExprNode
	collect := func(e ast.ExprNode) {
		if e != nil {
			aggNodes = collectAggregates(e, aggNodes)
		}
	}
	for _, o := range ss.outputs {
		collect(o.node)
	}
	if sel.Having != nil {
		collect(sel.Having.Expr)
	}
	if sel.OrderBy != nil {
		for _, it := range sel.OrderBy.Items {
			collect(it.Expr)
		}
	}
	if sel.GroupBy == nil && len(aggNodes) == 0 && sel.Having == nil {
		return nil
	}
	if sel.GroupBy != nil && sel.GroupBy.Rollup {
		return sqlerr.New(sqlerr.FeatureNotSupported, "GROUP BY ... WITH ROLLUP is not supported")
	}

	g := &groupScope{keyCols: map[int]int{}, allCols: map[int]int{}}
	agg := &aggNode{input: ss.node}
	s.aggClause = "GROUP BY"
	if sel.GroupBy != nil {
		for _, item := range sel.GroupBy.Items {
			node, err := b.groupItem(ss, item.Expr)
			if err != nil {
				return err
			}
			fp := b.fingerprint(s, node)
			if containsString(g.keys, fp) {
				continue
			}
			e, err := b.compile(s, node)
			if err != nil {
				return err
			}
			if cn, ok := unparen(node).(*ast.ColumnNameExpr); ok {
				if idx, err := s.lookup(cn.Name); err == nil && idx >= 0 {
					g.keyCols[idx] = len(g.keys)
				}
			}
			g.keys = append(g.keys, fp)
			g.keyTypes = append(g.keyTypes, e.Type())
			agg.keys = append(agg.keys, e)
			agg.cols = append(agg.cols, colInfo{name: expr.ColumnName(node), typ: e.Type()})
		}
	}
	b.addDependentColumns(s, g, agg)

	s.aggClause = ""
	for _, n := range aggNodes {
		fp := b.fingerprint(s, n)
		if containsString(g.aggs, fp) {
			continue
		}
		spec, err := b.buildAggregate(s, n)
		if err != nil {
			return err
		}
		g.aggs = append(g.aggs, fp)
		g.aggTypes = append(g.aggTypes, spec.agg.Type())
		agg.aggs = append(agg.aggs, spec)
		agg.cols = append(agg.cols, colInfo{name: aggName(n), typ: spec.agg.Type()})
	}
	ss.node = agg
	ss.grouped = true
	s.grouped = g

	if sel.Having != nil {
		f, err := b.compileWhere(s, sel.Having.Expr, "HAVING")
		if err != nil {
			return err
		}
		ss.node = &filterNode{input: ss.node, cond: f}
	}
	return nil
}

// groupItem resolves a GROUP BY item: a select-list position, an input
// column, an output column's name, or an expression over the input.
func (b *builder) groupItem(ss *selectState, e ast.ExprNode) (ast.ExprNode, error) {
	switch x := unparen(e).(type) {
	case *ast.PositionExpr:
		if x.P != nil {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "GROUP BY position given by a parameter is not supported")
		}
		if x.N < 1 || x.N > len(ss.outputs) {
			return nil, sqlerr.New(sqlerr.InvalidColumnReference, "GROUP BY position %d is not in select list", x.N)
		}
		o := ss.outputs[x.N-1]
		if o.node == nil {
			c := ss.s.cols[o.col]
			return &ast.ColumnNameExpr{Name: &ast.ColumnName{Table: ast.NewCIStr(c.table), Name: ast.NewCIStr(c.name)}}, nil
		}
		if hasAggregate(o.node) {
			return nil, sqlerr.New(sqlerr.GroupingError, "aggregate functions are not allowed in GROUP BY")
		}
		return o.node, nil
	case *ast.ColumnNameExpr:
		if x.Name.Table.O == "" {
			idx, err := ss.s.lookup(x.Name)
			if err != nil {
				return nil, err
			}
			if idx < 0 {
				for _, o := range ss.outputs {
					if o.node != nil && sameName(o.name, x.Name.Name.O) {
						if hasAggregate(o.node) {
							return nil, sqlerr.New(sqlerr.GroupingError, "aggregate functions are not allowed in GROUP BY")
						}
						return o.node, nil
					}
				}
			}
		}
	}
	return e, nil
}

// addDependentColumns makes every column of a table usable after grouping
// when the table's primary key is grouped (PostgreSQL's functional
// dependency rule): those columns become extra group keys, which does not
// change the groups.
func (b *builder) addDependentColumns(s *scope, g *groupScope, agg *aggNode) {
	for start := 0; start < len(s.cols); {
		c := s.cols[start]
		if c.tableOID == 0 {
			start++
			continue
		}
		end := start
		for end < len(s.cols) && s.cols[end].tableOID == c.tableOID && s.cols[end].table == c.table {
			end++
		}
		pk := b.primaryKeyColumns(c.tableOID)
		covered := len(pk) > 0
		for _, p := range pk {
			idx := start + p
			if idx >= end {
				covered = false
				break
			}
			if _, ok := g.keyCols[idx]; !ok {
				covered = false
				break
			}
		}
		if covered {
			for idx := start; idx < end; idx++ {
				if _, ok := g.keyCols[idx]; ok {
					continue
				}
				g.allCols[idx] = len(g.keys)
				g.keys = append(g.keys, colFingerprint(0, idx))
				g.keyTypes = append(g.keyTypes, s.cols[idx].typ)
				agg.keys = append(agg.keys, expr.Column(idx, s.cols[idx].typ, s.cols[idx].name))
				agg.cols = append(agg.cols, colInfo{name: s.cols[idx].name, typ: s.cols[idx].typ})
			}
		}
		start = end
	}
}

// primaryKeyColumns returns the primary key's column positions of the
// table with the given OID, or nil.
func (b *builder) primaryKeyColumns(oid uint32) []int {
	for _, d := range b.deps.tables {
		if d.OID != oid {
			continue
		}
		for _, ix := range d.Indexes {
			if ix.Primary {
				return ix.Columns
			}
		}
	}
	return nil
}

// buildAggregate compiles one aggregate call's arguments in the input
// scope.
func (b *builder) buildAggregate(s *scope, n ast.ExprNode) (aggSpec, error) {
	name, args, distinct, _ := expr.AggregateCall(n)
	if a, ok := n.(*ast.AggregateFuncExpr); ok && a.Order != nil {
		return aggSpec{}, sqlerr.New(sqlerr.FeatureNotSupported, "ORDER BY inside an aggregate call is not supported")
	}
	spec := aggSpec{name: name, distinct: distinct}
	var argTypes []types.T
	for _, a := range args {
		e, err := b.compile(s, a)
		if err != nil {
			return aggSpec{}, err
		}
		spec.args = append(spec.args, e)
		argTypes = append(argTypes, e.Type())
	}
	agg, err := expr.NewAggregate(name, distinct, argTypes)
	if err != nil {
		return aggSpec{}, err
	}
	spec.agg = agg
	return spec, nil
}

// collectAggregates appends the aggregate calls in e (outside subqueries)
// to out.
func collectAggregates(e ast.ExprNode, out []ast.ExprNode) []ast.ExprNode {
	v := &aggCollector{out: out}
	e.Accept(v)
	return v.out
}

// hasAggregate reports whether e calls an aggregate outside subqueries.
func hasAggregate(e ast.ExprNode) bool {
	return len(collectAggregates(e, nil)) > 0
}

type aggCollector struct {
	out []ast.ExprNode
}

func (v *aggCollector) Enter(n ast.Node) (ast.Node, bool) {
	switch n.(type) {
	case *ast.SubqueryExpr:
		return n, true
	}
	if isAggregateCall(n) {
		v.out = append(v.out, n.(ast.ExprNode))
		return n, true
	}
	return n, false
}

func (v *aggCollector) Leave(n ast.Node) (ast.Node, bool) { return n, true }

func containsString(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
