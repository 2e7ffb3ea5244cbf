package engine

import (
	"fmt"

	"github.com/chronos-db/chronos/engine/expr"
	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/storage"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// targetTable resolves the table an INSERT, UPDATE or DELETE changes. verb
// is "insert into", "update" or "delete from", for the error on a view.
func (b *builder) targetTable(refs *ast.TableRefsClause, verb string) (*storage.Table, string, error) {
	if refs == nil || refs.TableRefs == nil || refs.TableRefs.Right != nil {
		return nil, "", sqlerr.New(sqlerr.FeatureNotSupported, "%s with several tables is not supported", verb)
	}
	ts, ok := refs.TableRefs.Left.(*ast.TableSource)
	if !ok {
		return nil, "", sqlerr.New(sqlerr.FeatureNotSupported, "unsupported %s target", verb)
	}
	tn, ok := ts.Source.(*ast.TableName)
	if !ok {
		return nil, "", sqlerr.New(sqlerr.FeatureNotSupported, "unsupported %s target", verb)
	}
	if err := checkSchema(tn); err != nil {
		return nil, "", err
	}
	if _, isView := lookupView(b.snap, tn.Name.O); isView {
		return nil, "", sqlerr.New(sqlerr.FeatureNotSupported, "cannot %s view \"%s\"", verb, tn.Name.O).
			WithDetail("Views are read-only in Chronos.")
	}
	t, err := b.table(tn)
	if err != nil {
		return nil, "", err
	}
	alias := ts.AsName.O
	if alias == "" {
		alias = t.Name()
	}
	return t, alias, nil
}

// tableColumns describes a table's columns for name resolution.
func tableColumns(def *storage.TableDef, alias string) []colInfo {
	cols := make([]colInfo, len(def.Columns))
	for i, c := range def.Columns {
		cols[i] = colInfo{name: c.Name, table: alias, typ: c.Type, tableOID: def.OID, attNum: int16(i + 1)}
	}
	return cols
}

// returning is a compiled RETURNING list, evaluated over stored rows.
type returning struct {
	exprs []expr.Expr
	cols  []Column
}

// buildReturning compiles a RETURNING list in the table's scope.
func (b *builder) buildReturning(fields []*ast.SelectField, s *scope) (*returning, error) {
	if fields == nil {
		return nil, nil
	}
	r := &returning{}
	s.aggClause = "RETURNING"
	for _, f := range fields {
		if f.WildCard != nil {
			if f.WildCard.Table.O != "" && !s.hasTable(f.WildCard.Table.O) {
				return nil, sqlerr.New(sqlerr.UndefinedTable, "missing FROM-clause entry for table \"%s\"", f.WildCard.Table.O)
			}
			for i, c := range s.cols {
				r.exprs = append(r.exprs, expr.Column(i, c.typ, c.name))
				r.cols = append(r.cols, Column{Name: c.name, Type: c.typ, TableOID: c.tableOID, AttrNum: c.attNum})
			}
			continue
		}
		e, err := b.compile(s, f.Expr)
		if err != nil {
			return nil, err
		}
		name := f.AsName.O
		if name == "" {
			name = expr.ColumnName(f.Expr)
		}
		col := Column{Name: name, Type: outputType(e.Type())}
		if cn, ok := unparen(f.Expr).(*ast.ColumnNameExpr); ok {
			if idx, err := s.lookup(cn.Name); err == nil && idx >= 0 {
				col.TableOID, col.AttrNum = s.cols[idx].tableOID, s.cols[idx].attNum
			}
		}
		r.exprs = append(r.exprs, e)
		r.cols = append(r.cols, col)
	}
	return r, nil
}

// rows evaluates the RETURNING list over each stored row.
func (r *returning) rows(st *execState, stored []*storage.Row) ([][]types.Value, error) {
	out := make([][]types.Value, 0, len(stored))
	for _, row := range stored {
		vals := make([]types.Value, len(r.exprs))
		rowVals := row.Values()
		for i, e := range r.exprs {
			v, err := e.Eval(&st.ectx, rowVals)
			if err != nil {
				return nil, err
			}
			vals[i] = v
		}
		out = append(out, vals)
	}
	return out, nil
}

// writeResult builds a write statement's result: its tag and, with
// RETURNING, its rows.
func writeResult(st *execState, ret *returning, tag string, count int, stored []*storage.Row) (Result, error) {
	res := Result{Tag: fmt.Sprintf("%s %d", tag, count)}
	if ret != nil {
		rows, err := ret.rows(st, stored)
		if err != nil {
			return Result{}, err
		}
		res.Columns = ret.cols
		res.Rows = rows
	}
	return res, nil
}

// returningColumns are the result columns of a write plan.
func returningColumns(r *returning) []Column {
	if r == nil {
		return nil
	}
	return r.cols
}
