package engine

import (
	"github.com/chronos-db/chronos/engine/expr"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// subqueryPlan is a planned subquery in an expression. An uncorrelated
// subquery runs once per execution and its rows are cached in the
// execState; a correlated one runs for every row of the enclosing query,
// which it sees through ctx.Outer.
type subqueryPlan struct {
	node planNode
	// correlated is set while planning when the subquery (or one nested
	// in it) refers to a column of an enclosing query.
	correlated bool
	types      []types.T
}

// planSubquery plans query in the scope s of the expression holding it.
func (b *builder) planSubquery(s *scope, query ast.ResultSetNode) (*subqueryPlan, error) {
	sp := &subqueryPlan{}
	b.subqueries++
	node, err := b.buildQuery(s, sp, query)
	if err != nil {
		return nil, err
	}
	sp.node = node
	for _, c := range node.columns() {
		if !c.hidden {
			sp.types = append(sp.types, c.typ)
		}
	}
	return sp, nil
}

// Columns implements expr.Subquery.
func (sp *subqueryPlan) Columns() []types.T { return sp.types }

// Run implements expr.Subquery.
func (sp *subqueryPlan) Run(ctx *expr.Context, outer []types.Value) ([][]types.Value, error) {
	st := stateOf(ctx)
	if !sp.correlated {
		if rows, ok := st.subqueries[sp]; ok {
			return rows, nil
		}
	}
	n := len(ctx.Outer)
	ctx.Outer = append(ctx.Outer, outer)
	rows, err := collect(st, sp.node)
	ctx.Outer = ctx.Outer[:n]
	if err != nil {
		return nil, err
	}
	if !sp.correlated {
		if st.subqueries == nil {
			st.subqueries = map[*subqueryPlan][][]types.Value{}
		}
		st.subqueries[sp] = rows
	}
	return rows, nil
}
