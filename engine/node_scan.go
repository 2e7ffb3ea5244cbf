package engine

import (
	"github.com/chronos-db/chronos/engine/expr"
	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/storage"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// scanNode reads a base table, sequentially or through an index, and
// filters the rows by the conditions on that table alone. Its rows are
// the stored rows' values, shared and never copied.
type scanNode struct {
	def   *storage.TableDef
	alias string
	cols  []colInfo
	// path is the index access, nil for a sequential scan.
	path *accessPath
	// filter is the condition left after the index, nil when none.
	filter expr.Expr
	// filterCols marks the columns the filter reads: a row is decoded
	// whole only once the filter has passed it.
	filterCols []bool
}

// buildScan plans the scan of a table with the conditions on it alone.
func (b *builder) buildScan(ls *scope, t *fromTree, conds []ast.ExprNode) (planNode, error) {
	def := t.table.Def()
	n := &scanNode{def: def, alias: t.alias, cols: t.cols}
	compiled := make([]expr.Expr, len(conds))
	ls.used = make([]bool, len(ls.cols))
	for i, c := range conds {
		e, err := b.compileWhere(ls, c, "WHERE")
		if err != nil {
			ls.used = nil
			return nil, err
		}
		compiled[i] = e
	}
	n.filterCols, ls.used = ls.used, nil
	consumed := make([]bool, len(conds))
	path, err := b.chooseAccessPath(ls, def, conds, compiled, consumed)
	if err != nil {
		return nil, err
	}
	n.path = path
	var rest []expr.Expr
	for i, e := range compiled {
		if !consumed[i] {
			rest = append(rest, e)
		}
	}
	n.filter = andExprs(rest)
	return n, nil
}

func (n *scanNode) columns() []colInfo { return n.cols }

func (n *scanNode) run(st *execState, emit rowFunc) error {
	return n.scanRows(st, func(_ *storage.Row, vals []types.Value) error { return emit(vals) })
}

// scanRows runs the scan, handing each selected stored row (with its ID
// and version, which UPDATE and DELETE need) and its values to fn; run
// hands on the values.
func (n *scanNode) scanRows(st *execState, fn func(*storage.Row, []types.Value) error) error {
	t, ok := st.snap.Table(n.def.Name)
	if !ok || t.Def() != n.def {
		return sqlerr.New(sqlerr.UndefinedTable, "relation \"%s\" does not exist", n.def.Name)
	}
	var ferr error
	var scratch []types.Value // the filter's input
	if n.filter != nil {
		scratch = make([]types.Value, len(n.def.Columns))
	}
	visit := func(r *storage.Row) bool {
		if ferr = st.tick(); ferr != nil {
			return false
		}
		if n.filter != nil {
			scratch = r.DecodeColumns(scratch, n.filterCols)
			v, err := n.filter.Eval(&st.ectx, scratch)
			if err != nil {
				ferr = err
				return false
			}
			if v != true {
				return true
			}
		}
		if ferr = fn(r, r.Values()); ferr != nil {
			return false
		}
		return true
	}
	visit, scanned := st.trackScan(t, n.path, visit)
	defer scanned()
	if n.path == nil {
		t.Scan(visit)
	} else if err := n.path.scan(st, t, visit); err != nil {
		return err
	}
	return ferr
}

// andExprs combines conditions with AND; nil when there are none.
func andExprs(es []expr.Expr) expr.Expr {
	switch len(es) {
	case 0:
		return nil
	case 1:
		return es[0]
	}
	return &andNode{terms: es}
}

// andNode is the three-valued AND of compiled conditions.
type andNode struct {
	terms []expr.Expr
}

func (a *andNode) Eval(ctx *expr.Context, row []types.Value) (types.Value, error) {
	sawNull := false
	for _, t := range a.terms {
		v, err := t.Eval(ctx, row)
		if err != nil {
			return nil, err
		}
		switch v {
		case false:
			return false, nil
		case nil:
			sawNull = true
		}
	}
	if sawNull {
		return nil, nil
	}
	return true, nil
}

func (a *andNode) Type() types.T { return types.Bool }

func (a *andNode) String() string {
	s := ""
	for i, t := range a.terms {
		if i > 0 {
			s += " AND "
		}
		s += t.String()
	}
	return s
}
