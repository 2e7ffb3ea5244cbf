package engine

import (
	"github.com/chronos-db/chronos/engine/expr"
	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// A scope is what column names mean in one query level: the columns of its
// FROM clause, and for queries that aggregate, how those columns map onto
// the rows after grouping. Scopes of subqueries link to the scope they
// appear in, which is how correlated references are resolved.
type scope struct {
	// cols are the columns of the FROM clause (the input row layout).
	cols []colInfo
	// parent is the scope of the enclosing query, nil at the top.
	parent *scope
	// grouped is set while compiling expressions evaluated after
	// aggregation (select list, HAVING, ORDER BY of a grouped query).
	grouped *groupScope
	// sub is the subquery this scope belongs to, nil at the top; a
	// reference to an enclosing scope marks it correlated.
	sub *subqueryPlan
	// aggAllowed says whether aggregate calls may appear in the expression
	// being compiled, and why not when they may not.
	aggClause string
	// outputs are the select list's expressions and names, for ORDER BY
	// and GROUP BY references to output columns; nil elsewhere.
	outputs []*outputItem
	// qualify makes compiled column references show their table (for
	// EXPLAIN) although the scope itself holds one table's columns: it is
	// part of a FROM clause of several.
	qualify bool
	// used, when set, records which of cols the expressions compiled
	// meanwhile read, from this scope or from subqueries in it (buildScan
	// decodes only those before filtering a row).
	used []bool
}

// outputItem is one select-list entry.
type outputItem struct {
	name string
	// node is the expression; nil for a column of * whose input index is
	// col.
	node ast.ExprNode
	col  int
	// fp is the expression's fingerprint (see fingerprint).
	fp string
}

// groupScope maps expressions onto the output of an aggregation node,
// whose rows are the group keys followed by the aggregate results.
type groupScope struct {
	// keys are the fingerprints of the GROUP BY expressions, by position.
	keys []string
	// keyCols maps an input column index to its key position, for keys
	// that are plain column references.
	keyCols  map[int]int
	keyTypes []types.T
	// aggs are the fingerprints of the aggregate calls, by position after
	// the keys.
	aggs     []string
	aggTypes []types.T
	// allCols are input columns usable without grouping: the columns of a
	// table whose primary key is grouped (PostgreSQL's functional
	// dependency), mapped to key positions.
	allCols map[int]int
}

// resolver adapts a scope to expr.Resolver for one compilation.
type resolver struct {
	b *builder
	s *scope
}

// compile compiles e in scope s.
func (b *builder) compile(s *scope, e ast.ExprNode) (expr.Expr, error) {
	return expr.Compile(e, &resolver{b: b, s: s}, b.params)
}

// compileAs compiles e in scope s as a value of type want (assignment
// context: INSERT and UPDATE values).
func (b *builder) compileAs(s *scope, e ast.ExprNode, want types.T) (expr.Expr, error) {
	return expr.CompileAs(e, &resolver{b: b, s: s}, b.params, want)
}

// compileAssign compiles a value stored into the named column.
func (b *builder) compileAssign(s *scope, e ast.ExprNode, want types.T, column string) (expr.Expr, error) {
	return expr.CompileAssign(e, &resolver{b: b, s: s}, b.params, want, column)
}

// Replace implements expr.Resolver: after grouping, aggregate calls and
// grouped expressions read the aggregation node's output columns.
func (r *resolver) Replace(node ast.ExprNode) (expr.Expr, bool, error) {
	switch node.(type) {
	case *ast.WindowFuncExpr:
		return nil, false, sqlerr.New(sqlerr.FeatureNotSupported, "window functions are not supported")
	case *ast.DefaultExpr:
		return nil, false, sqlerr.New(sqlerr.SyntaxError, "DEFAULT is not allowed in this context")
	case *ast.ParenthesesExpr:
		return nil, false, nil
	case *ast.VariableExpr:
		return nil, false, sqlerr.New(sqlerr.SyntaxError, "syntax error at or near \"@\"")
	case *ast.ColumnNameExpr:
		// Columns go through Column, which knows about grouping.
		return nil, false, nil
	}
	g := r.s.grouped
	isAgg := isAggregateCall(node)
	if g == nil {
		if isAgg {
			if r.s.aggClause != "" {
				return nil, false, sqlerr.New(sqlerr.GroupingError, "aggregate functions are not allowed in %s", r.s.aggClause)
			}
			return nil, false, sqlerr.New(sqlerr.GroupingError, "aggregate function calls cannot be nested")
		}
		return r.catalogCall(node)
	}
	fp := r.b.fingerprint(r.s, node)
	if isAgg {
		for i, a := range g.aggs {
			if a == fp {
				return expr.Column(len(g.keys)+i, g.aggTypes[i], aggName(node)), true, nil
			}
		}
		return nil, false, sqlerr.New(sqlerr.InternalError, "aggregate %s was not collected", fp)
	}
	if _, isConst := node.(ast.ValueExpr); isConst {
		return nil, false, nil
	}
	for i, k := range g.keys {
		if k == fp {
			return expr.Column(i, g.keyTypes[i], expr.ColumnName(node)), true, nil
		}
	}
	return r.catalogCall(node)
}

// Column implements expr.Resolver.
func (r *resolver) Column(col *ast.ColumnNameExpr) (expr.Expr, error) {
	name := col.Name
	depth := 0
	for s := r.s; s != nil; s = s.parent {
		idx, err := s.lookup(name)
		if err != nil {
			return nil, err
		}
		if idx >= 0 {
			e, err := s.columnExpr(idx, depth)
			if err != nil {
				return nil, err
			}
			if depth > 0 {
				// Every subquery between here and the scope found is
				// correlated.
				for t := r.s; t != s; t = t.parent {
					if t.sub != nil {
						t.sub.correlated = true
					}
				}
			}
			return e, nil
		}
		depth++
	}
	return nil, undefinedColumn(name, r.s)
}

// Subquery implements expr.Resolver.
func (r *resolver) Subquery(sub *ast.SubqueryExpr) (expr.Subquery, error) {
	return r.b.planSubquery(r.s, sub.Query)
}

// columnExpr returns the expression reading input column idx of s from a
// row of the current phase, depth scopes up.
func (s *scope) columnExpr(idx int, depth int) (expr.Expr, error) {
	c := s.cols[idx]
	if s.used != nil {
		s.used[idx] = true
	}
	pos := idx
	if g := s.grouped; g != nil {
		k, ok := g.keyCols[idx]
		if !ok {
			k, ok = g.allCols[idx]
		}
		if !ok {
			return nil, sqlerr.New(sqlerr.GroupingError,
				"column \"%s\" must appear in the GROUP BY clause or be used in an aggregate function", qualifiedName(c))
		}
		pos = k
	}
	display := c.name
	if depth > 0 || s.manyTables() {
		display = qualifiedName(c)
	}
	if depth == 0 {
		return expr.Column(pos, c.typ, display), nil
	}
	return expr.Outer(depth-1, pos, c.typ, display), nil
}

// manyTables reports whether the scope's columns come from more than one
// table, when EXPLAIN qualifies column names as PostgreSQL does.
func (s *scope) manyTables() bool {
	if s.qualify {
		return true
	}
	for _, c := range s.cols {
		if c.table != s.cols[0].table {
			return true
		}
	}
	return false
}

// lookup finds the column a name refers to in s: its index, -1 when s has
// no such column, or an error when the reference is ambiguous. An
// unqualified name skips hidden columns (the right copy of a USING column)
// when a visible one matches.
func (s *scope) lookup(name *ast.ColumnName) (int, error) {
	var cands []int
	for i, c := range s.cols {
		if name.Table.O != "" && !sameName(c.table, name.Table.O) {
			continue
		}
		if !sameName(c.name, name.Name.O) {
			continue
		}
		cands = append(cands, i)
	}
	if len(cands) > 1 && name.Table.O == "" {
		cands = filterInts(cands, func(i int) bool { return !s.cols[i].hidden })
	}
	switch len(cands) {
	case 0:
		return -1, nil
	case 1:
		return cands[0], nil
	}
	return -1, sqlerr.New(sqlerr.AmbiguousColumn, "column reference \"%s\" is ambiguous", columnRefText(name))
}

// filterInts keeps the elements of xs for which keep is true, unless that
// would keep none.
func filterInts(xs []int, keep func(int) bool) []int {
	var out []int
	for _, x := range xs {
		if keep(x) {
			out = append(out, x)
		}
	}
	if len(out) == 0 {
		return xs
	}
	return out
}

// hasTable reports whether some column of s or an enclosing scope has the
// qualifier t.
func (s *scope) hasTable(t string) bool {
	for ; s != nil; s = s.parent {
		for _, c := range s.cols {
			if sameName(c.table, t) {
				return true
			}
		}
	}
	return false
}

func undefinedColumn(name *ast.ColumnName, s *scope) error {
	if name.Table.O != "" {
		if !s.hasTable(name.Table.O) {
			return sqlerr.New(sqlerr.UndefinedTable, "missing FROM-clause entry for table \"%s\"", name.Table.O)
		}
		return sqlerr.New(sqlerr.UndefinedColumn, "column %s.%s does not exist", name.Table.O, name.Name.O)
	}
	return sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" does not exist", name.Name.O)
}

func columnRefText(name *ast.ColumnName) string {
	if name.Table.O != "" {
		return name.Table.O + "." + name.Name.O
	}
	return name.Name.O
}

func qualifiedName(c colInfo) string {
	if c.table != "" {
		return c.table + "." + c.name
	}
	return c.name
}

// isAggregateCall reports whether node calls an aggregate function.
func isAggregateCall(node ast.Node) bool {
	switch n := node.(type) {
	case *ast.AggregateFuncExpr:
		return true
	case *ast.FuncCallExpr:
		return expr.IsAggregate(n.FnName.L)
	}
	return false
}

// aggName is an aggregate call's function name.
func aggName(node ast.Node) string {
	switch n := node.(type) {
	case *ast.AggregateFuncExpr:
		return n.F
	case *ast.FuncCallExpr:
		return n.FnName.L
	}
	return "?"
}
