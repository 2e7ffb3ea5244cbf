package engine

import (
	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// resolveOrderBy turns ORDER BY items into sort keys over the projection's
// columns, adding hidden projection columns for expressions that are not
// in the select list. As in PostgreSQL, a bare name matches an output
// column first, a number is a select-list position, and anything else is
// an expression over the FROM columns (after grouping, when the query
// groups).
func (b *builder) resolveOrderBy(ss *selectState, proj *projectNode, items []*ast.ByItem) ([]sortKey, error) {
	s := ss.s
	visible := len(ss.outputs)
	var keys []sortKey
	for _, it := range items {
		col, err := b.orderColumn(ss, proj, visible, it.Expr)
		if err != nil {
			return nil, err
		}
		if col < 0 {
			saved := s.aggClause
			if s.grouped == nil {
				s.aggClause = "ORDER BY"
			}
			e, err := b.compile(s, it.Expr)
			s.aggClause = saved
			if err != nil {
				return nil, err
			}
			col = len(proj.exprs)
			proj.exprs = append(proj.exprs, e)
			proj.cols = append(proj.cols, colInfo{name: "?column?", typ: outputType(e.Type()), hidden: true})
		}
		keys = append(keys, makeSortKey(col, it))
	}
	return keys, nil
}

// makeSortKey applies an item's direction; NULLs go where PostgreSQL puts
// them by default (last ascending, first descending). The dialect front
// end rewrites an explicit NULLS FIRST / LAST into an extra leading key
// (e IS NULL DESC).
func makeSortKey(col int, it *ast.ByItem) sortKey {
	return sortKey{col: col, desc: it.Desc, nullsFirst: it.Desc}
}

// orderColumn finds the output column an ORDER BY item names, or -1.
func (b *builder) orderColumn(ss *selectState, proj *projectNode, visible int, e ast.ExprNode) (int, error) {
	switch x := unparen(e).(type) {
	case *ast.PositionExpr:
		if x.P != nil {
			return -1, sqlerr.New(sqlerr.FeatureNotSupported, "ORDER BY position given by a parameter is not supported")
		}
		if x.N < 1 || x.N > visible {
			return -1, sqlerr.New(sqlerr.InvalidColumnReference, "ORDER BY position %d is not in select list", x.N)
		}
		return x.N - 1, nil
	case *ast.ColumnNameExpr:
		if x.Name.Table.O == "" {
			found := -1
			for i, o := range ss.outputs {
				if !sameName(o.name, x.Name.Name.O) {
					continue
				}
				if found >= 0 && ss.outputs[found].fp != o.fp {
					return -1, sqlerr.New(sqlerr.AmbiguousColumn, "ORDER BY \"%s\" is ambiguous", x.Name.Name.O)
				}
				if found < 0 {
					found = i
				}
			}
			if found >= 0 {
				return found, nil
			}
		}
	}
	fp := b.fingerprint(ss.s, e)
	for i, o := range ss.outputs {
		if o.fp == fp {
			return i, nil
		}
	}
	return -1, nil
}
