package engine

import (
	"fmt"

	"github.com/chronos-db/chronos/engine/expr"
	"github.com/chronos-db/chronos/engine/storage"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
)

// Lookup joins. When the right side of a join step is a table with an
// index whose leading columns the join equalities (and the table's own
// equalities with constants) fix, each left row can look its partners up
// in the index instead of the whole table being read into a hash table:
// an index nested loop. It is chosen when the left side is expected to be
// small next to the table (always for a whole unique key and no more left
// rows than the table has).

// joinEquality is left-expression = right-column.
type joinEquality struct {
	col  int
	left ast.ExprNode
	cj   *conjunct
}

// lookupJoin tries to plan a join step as a lookup join.
func (b *builder) lookupJoin(q *scope, left planNode, item *regionItem, leftEst float64, kind joinKind, lcols, rcols []colInfo, conds []*conjunct) (planNode, bool, error) {
	t := item.tree.table
	def := t.Def()
	ls := b.localScope(q, lcols)
	rs := b.localScope(q, rcols)
	all := append(append([]colInfo{}, lcols...), rcols...)
	js := b.localScope(q, all)
	sides := []*regionItem{{tree: &fromTree{cols: lcols}}, {tree: &fromTree{cols: rcols}, offset: len(lcols)}}

	// The equalities between a right column and a left expression.
	var eqs []joinEquality
	for _, cj := range conds {
		be, ok := unparen(cj.node).(*ast.BinaryOperationExpr)
		if !ok || be.Op != opcode.EQ || cj.late {
			continue
		}
		for _, pair := range [][2]ast.ExprNode{{be.L, be.R}, {be.R, be.L}} {
			cn, ok := unparen(pair[1]).(*ast.ColumnNameExpr)
			if !ok {
				continue
			}
			idx, err := js.lookup(cn.Name)
			if err != nil || idx < len(lcols) {
				continue
			}
			other, err := b.analyzeConjunct(js, pair[0], sides)
			if err != nil || other.late || len(other.items) != 1 || other.items[0] != 0 {
				continue
			}
			eqs = append(eqs, joinEquality{col: idx - len(lcols), left: pair[0], cj: cj})
			break
		}
	}
	if len(eqs) == 0 {
		return nil, false, nil
	}
	consts := findCandidates(rs, item.conds)

	// The index with the longest prefix fixed, at least one column by the
	// join.
	type choice struct {
		index  int
		parts  []keyPart
		texts  []string
		used   []*conjunct
		exact  []bool
		unique bool
	}
	var best *choice
	for ixPos, ix := range def.Indexes {
		c := &choice{index: ixPos}
		joined := false
		for _, col := range ix.Columns {
			colType := def.Columns[col].Type
			part, text, cj, exact, ok := b.lookupPart(ls, rs, eqs, consts, item.conds, col, colType, rcols[col].name)
			if !ok {
				break
			}
			joined = joined || cj != nil
			c.parts = append(c.parts, part)
			c.texts = append(c.texts, text)
			if cj != nil {
				c.used = append(c.used, cj)
				c.exact = append(c.exact, exact)
			}
		}
		if !joined {
			continue
		}
		c.unique = ix.Unique && len(c.parts) == len(ix.Columns)
		if best == nil || (c.unique && !best.unique) || (c.unique == best.unique && len(c.parts) > len(best.parts)) {
			best = c
		}
	}
	if best == nil {
		return nil, false, nil
	}
	size := float64(t.Len())
	if !(best.unique && leftEst <= size) && leftEst*10 > size {
		return nil, false, nil
	}

	n := &lookupJoinNode{left: left, def: def, alias: item.tree.alias, kind: kind, leftWidth: len(lcols), rightWidth: len(rcols), cols: all}
	n.path = &accessPath{index: best.index, name: def.Indexes[best.index].Name, eq: best.parts, point: best.unique, condText: best.texts}
	var filters []expr.Expr
	for _, c := range item.conds {
		f, err := b.compileWhere(rs, c, "WHERE")
		if err != nil {
			return nil, false, err
		}
		filters = append(filters, f)
	}
	n.filter = andExprs(filters)
	var rest []ast.ExprNode
	for _, cj := range conds {
		consumed := false
		for i, u := range best.used {
			if u == cj && best.exact[i] {
				consumed = true
			}
		}
		if !consumed {
			rest = append(rest, cj.node)
		}
	}
	if len(rest) > 0 {
		f, err := b.compileWhere(js, joinAnd(rest), "JOIN/ON")
		if err != nil {
			return nil, false, err
		}
		n.cond = f
	}
	return n, true, nil
}

// lookupPart finds the value an index column is looked up by: a join
// equality (compiled over the left row) or an equality with a constant.
func (b *builder) lookupPart(ls, rs *scope, eqs []joinEquality, consts []candidate, conds []ast.ExprNode, col int, colType types.T, colName string) (keyPart, string, *conjunct, bool, bool) {
	for _, eq := range eqs {
		if eq.col != col {
			continue
		}
		e, err := b.compile(ls, eq.left)
		if err != nil {
			continue
		}
		if e.Type().IsUnknown() {
			if e, err = b.compileAs(ls, eq.left, colType); err != nil {
				continue
			}
		}
		usable, exact := keyCompat(colType, e.Type())
		if !usable {
			continue
		}
		return keyPart{e: e, col: colType}, fmt.Sprintf("(%s = %s)", qualifiedColumn(rs, col, colName), e.String()), eq.cj, exact, true
	}
	for _, c := range consts {
		if c.col != col || c.kind != candEq {
			continue
		}
		e, err := b.compile(rs, c.vals[0])
		if err != nil {
			continue
		}
		if e.Type().IsUnknown() {
			if e, err = b.compileAs(rs, c.vals[0], colType); err != nil {
				continue
			}
		}
		if usable, _ := keyCompat(colType, e.Type()); !usable {
			continue
		}
		return keyPart{e: e, col: colType}, fmt.Sprintf("(%s = %s)", qualifiedColumn(rs, col, colName), e.String()), nil, true, true
	}
	return keyPart{}, "", nil, false, false
}

// qualifiedColumn names column col of scope s for EXPLAIN.
func qualifiedColumn(s *scope, col int, name string) string {
	if s.manyTables() && s.cols[col].table != "" {
		return s.cols[col].table + "." + name
	}
	return name
}

// lookupJoinNode joins each left row with the rows of a table found
// through an index by values computed from the left row.
type lookupJoinNode struct {
	left                  planNode
	def                   *storage.TableDef
	alias                 string
	path                  *accessPath
	filter                expr.Expr // the table's own conditions
	cond                  expr.Expr // the rest of the join condition
	kind                  joinKind
	leftWidth, rightWidth int
	cols                  []colInfo
}

func (n *lookupJoinNode) columns() []colInfo { return n.cols }

func (n *lookupJoinNode) run(st *execState, emit rowFunc) error {
	t, ok := st.snap.Table(n.def.Name)
	if !ok || t.Def() != n.def {
		return errReplan
	}
	st.noteTable(t)
	return n.left.run(st, func(l []types.Value) error {
		if err := st.tick(); err != nil {
			return err
		}
		found := false
		var ferr error
		visit := func(r *storage.Row) bool {
			rvals := r.Values()
			if n.filter != nil {
				v, err := n.filter.Eval(&st.ectx, rvals)
				if err != nil {
					ferr = err
					return false
				}
				if v != true {
					return true
				}
			}
			row := make([]types.Value, 0, n.leftWidth+n.rightWidth)
			row = append(append(row, l...), rvals...)
			if n.cond != nil {
				v, err := n.cond.Eval(&st.ectx, row)
				if err != nil {
					ferr = err
					return false
				}
				if v != true {
					return true
				}
			}
			found = true
			if ferr = emit(row); ferr != nil {
				return false
			}
			return true
		}
		if err := n.path.scanFor(st, t, l, visit); err != nil {
			return err
		}
		if ferr != nil {
			return ferr
		}
		if !found && n.kind == leftJoin {
			row := make([]types.Value, n.leftWidth+n.rightWidth)
			copy(row, l)
			return emit(row)
		}
		return nil
	})
}

func (n *lookupJoinNode) explain(e *explainer) {
	title := "Nested Loop"
	if n.kind == leftJoin {
		title += " Left Join"
	}
	var details []string
	if n.cond != nil {
		details = append(details, "Join Filter: "+condText(n.cond.String()))
	}
	scan := &scanNode{def: n.def, alias: n.alias, path: n.path, filter: n.filter}
	e.node(title, details, n.left, scan)
}
