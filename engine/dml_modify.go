package engine

import (
	"context"
	"slices"

	"github.com/chronos-db/chronos/engine/dialect"
	"github.com/chronos-db/chronos/engine/expr"
	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/storage"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/cockroachdb/apd/v3"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
)

// modifyPlan is a planned UPDATE or DELETE: a scan choosing the rows, and
// for UPDATE the new values of the assigned columns, computed from the old
// row.
type modifyPlan struct {
	def    *storage.TableDef
	deps   planDeps
	scan   *scanNode
	delete bool
	sets   []setColumn
	// increments, when set, replace sets: the statement only adds
	// row-independent amounts to columns of one row found by its primary
	// key, so it travels as an increment op that concurrent increments do
	// not invalidate (DESIGN.md decision 3).
	increments []incrementSet
	ret        *returning
}

// incrementSet is SET col = col + e (or - e).
type incrementSet struct {
	col    int
	e      expr.Expr
	negate bool
}

func (p *modifyPlan) columns() []Column { return returningColumns(p.ret) }

// planUpdate plans UPDATE.
func (b *builder) planUpdate(st *dialect.Statement, n *ast.UpdateStmt) (stmtPlan, error) {
	if n.MultipleTable {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "UPDATE with several tables is not supported")
	}
	if n.Order != nil || n.Limit != nil {
		return nil, sqlerr.New(sqlerr.SyntaxError, "syntax error at or near \"%s\"", map[bool]string{true: "ORDER", false: "LIMIT"}[n.Order != nil])
	}
	t, alias, err := b.targetTable(n.TableRefs, "update")
	if err != nil {
		return nil, err
	}
	def := t.Def()
	p := &modifyPlan{def: def}
	ls := &scope{cols: tableColumns(def, alias)}
	seen := map[int]bool{}
	for _, a := range n.List {
		if a.Column.Table.O != "" && !sameName(a.Column.Table.O, alias) {
			return nil, sqlerr.New(sqlerr.UndefinedColumn, "column \"%s.%s\" of relation \"%s\" does not exist", a.Column.Table.O, a.Column.Name.O, def.Name)
		}
		pos := columnPos(def, a.Column.Name.O)
		if pos < 0 {
			return nil, sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", a.Column.Name.O, def.Name)
		}
		if seen[pos] {
			return nil, sqlerr.New(sqlerr.DuplicateColumn, "multiple assignments to same column \"%s\"", a.Column.Name.O)
		}
		seen[pos] = true
		var e expr.Expr
		if _, isDefault := a.Expr.(*ast.DefaultExpr); isDefault {
			e, err = defaultExpr(def, pos)
		} else {
			ls.aggClause = "UPDATE"
			e, err = b.compileAssign(ls, a.Expr, def.Columns[pos].Type, def.Columns[pos].Name)
		}
		if err != nil {
			return nil, err
		}
		p.sets = append(p.sets, setColumn{col: pos, e: e})
	}
	tree := &fromTree{table: t, alias: alias, cols: ls.cols}
	scan, err := b.buildScan(ls, tree, splitAnd(n.Where, nil))
	if err != nil {
		return nil, err
	}
	p.scan = scan.(*scanNode)
	if p.ret, err = b.buildReturning(st.Returning, &scope{cols: ls.cols}); err != nil {
		return nil, err
	}
	if p.ret == nil {
		p.increments = b.incrementSets(ls, def, p.scan, n.List)
	}
	p.deps = b.deps
	return p, nil
}

// planDelete plans DELETE.
func (b *builder) planDelete(st *dialect.Statement, n *ast.DeleteStmt) (stmtPlan, error) {
	if n.IsMultiTable {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "DELETE with several tables is not supported")
	}
	if n.Order != nil || n.Limit != nil {
		return nil, sqlerr.New(sqlerr.SyntaxError, "syntax error at or near \"%s\"", map[bool]string{true: "ORDER", false: "LIMIT"}[n.Order != nil])
	}
	t, alias, err := b.targetTable(n.TableRefs, "delete from")
	if err != nil {
		return nil, err
	}
	def := t.Def()
	p := &modifyPlan{def: def, delete: true}
	ls := &scope{cols: tableColumns(def, alias)}
	tree := &fromTree{table: t, alias: alias, cols: ls.cols}
	scan, err := b.buildScan(ls, tree, splitAnd(n.Where, nil))
	if err != nil {
		return nil, err
	}
	p.scan = scan.(*scanNode)
	if p.ret, err = b.buildReturning(st.Returning, &scope{cols: ls.cols}); err != nil {
		return nil, err
	}
	p.deps = b.deps
	return p, nil
}

// incrementSets recognises an UPDATE that can travel as increments: one
// row found through the whole primary key with no other condition, and
// every assignment col = col + e or col = col - e, with e independent of
// the row, of a column in no index, of a matching numeric type. It
// returns nil otherwise.
func (b *builder) incrementSets(ls *scope, def *storage.TableDef, scan *scanNode, list []*ast.Assignment) []incrementSet {
	if scan.path == nil || !scan.path.point || scan.filter != nil || def.Indexes[scan.path.index].Primary == false {
		return nil
	}
	indexed := map[int]bool{}
	for _, ix := range def.Indexes {
		for _, c := range ix.Columns {
			indexed[c] = true
		}
	}
	var out []incrementSet
	for _, a := range list {
		pos := columnPos(def, a.Column.Name.O)
		if pos < 0 || indexed[pos] {
			return nil
		}
		be, ok := unparen(a.Expr).(*ast.BinaryOperationExpr)
		if !ok || (be.Op != opcode.Plus && be.Op != opcode.Minus) {
			return nil
		}
		isCol := func(e ast.ExprNode) bool {
			cn, ok := unparen(e).(*ast.ColumnNameExpr)
			if !ok {
				return false
			}
			idx, err := ls.lookup(cn.Name)
			return err == nil && idx == pos
		}
		var other ast.ExprNode
		switch {
		case isCol(be.L):
			other = be.R
		case be.Op == opcode.Plus && isCol(be.R):
			other = be.L
		default:
			return nil
		}
		v := &refCollector{s: ls}
		other.Accept(v)
		if v.err != nil || v.subquery || v.aggregate || len(v.cols) > 0 {
			return nil
		}
		e, err := b.compile(ls, other)
		if err != nil {
			return nil
		}
		ct, et := def.Columns[pos].Type, e.Type()
		switch {
		case ct.IsInteger() && et.IsInteger():
		case ct.IsFloat() && (et.IsInteger() || et.IsFloat()):
		case ct.OID == types.OIDNumeric && (et.IsInteger() || et.OID == types.OIDNumeric):
		default:
			return nil
		}
		out = append(out, incrementSet{col: pos, e: e, negate: be.Op == opcode.Minus})
	}
	return out
}

func (p *modifyPlan) exec(ctx context.Context, s *Session, params []types.Value) (Result, error) {
	tag := "UPDATE"
	if p.delete {
		tag = "DELETE"
	}
	return s.runWrite(ctx, true, &p.deps, params, false, func(st *execState) (storage.Command, func(storage.Result) (Result, error), error) {
		w := &storage.Write{}
		var deleted []*storage.Row
		err := p.scan.scanRows(st, func(row *storage.Row, rowVals []types.Value) error {
			op := storage.Op{Table: p.def.Name, RowID: row.ID, Version: row.Version, TableOID: p.def.OID, SchemaVersion: p.def.Version}
			if p.delete {
				op.Kind = storage.OpDelete
				deleted = append(deleted, row)
				w.Ops = append(w.Ops, op)
				return nil
			}
			if p.increments != nil {
				if err := p.incrementOp(st, &op); err != nil {
					return err
				}
			}
			if op.Kind != storage.OpIncrement {
				op.Kind = storage.OpUpdate
				vals := slices.Clone(rowVals)
				for _, sc := range p.sets {
					v, err := sc.e.Eval(&st.ectx, rowVals)
					if err != nil {
						return err
					}
					vals[sc.col] = v
				}
				op.Values = vals
			}
			w.Ops = append(w.Ops, op)
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
		done := func(res storage.Result) (Result, error) {
			rows := res.Rows
			if p.delete && rows == nil {
				rows = deleted
			}
			return writeResult(st, p.ret, tag, len(w.Ops), rows)
		}
		if len(w.Ops) == 0 {
			return nil, done, nil
		}
		return w, done, nil
	})
}

// incrementOp fills op as an increment, unless an amount is NULL (the
// row then gets an ordinary update: x + NULL is NULL).
func (p *modifyPlan) incrementOp(st *execState, op *storage.Op) error {
	var deltas []storage.Delta
	for _, inc := range p.increments {
		d, err := inc.delta(st, p.def.Columns[inc.col].Type)
		if err != nil {
			return err
		}
		if d == nil {
			return nil
		}
		deltas = append(deltas, storage.Delta{Column: inc.col, Add: d})
	}
	op.Kind, op.Version, op.Deltas = storage.OpIncrement, 0, deltas
	return nil
}

// delta evaluates an increment's amount as the column's value kind.
func (inc incrementSet) delta(st *execState, t types.T) (types.Value, error) {
	v, err := inc.e.Eval(&st.ectx, nil)
	if err != nil || v == nil {
		return v, err
	}
	switch {
	case t.IsFloat():
		f, ok := v.(float64)
		if !ok {
			f = float64(v.(int64))
		}
		if inc.negate {
			f = -f
		}
		return f, nil
	case t.OID == types.OIDNumeric:
		d, ok := v.(*apd.Decimal)
		if !ok {
			d = types.NumericFromInt(v.(int64))
		}
		if inc.negate {
			n := new(apd.Decimal)
			n.Neg(d)
			d = n
		}
		return d, nil
	}
	i := v.(int64)
	if inc.negate {
		if i == -i && i != 0 {
			return nil, types.IntOutOfRange(t)
		}
		i = -i
	}
	return i, nil
}
