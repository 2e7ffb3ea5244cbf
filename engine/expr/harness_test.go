package expr

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	"github.com/pingcap/tidb/pkg/parser/test_driver"
)

// testCol is a column of a test table.
type testCol struct {
	name string
	t    types.T
}

// testTable is a named table the test resolver can scan in subqueries.
type testTable struct {
	cols []testCol
	rows [][]types.Value
}

func mustParse(t testing.TB, typ types.T, s string) types.Value {
	t.Helper()
	v, err := types.ParseText(s, typ)
	if err != nil {
		t.Fatalf("ParseText(%q, %s): %v", s, typ, err)
	}
	return v
}

// rowTable is the single row every evaluation test reads. The same row
// is built in PostgreSQL by the comment below to check expected values:
//
//	WITH t AS (SELECT 5::int4 AS i, NULL::int4 AS n, 'hello'::text AS s,
//	  true AS b, 1.5::float8 AS f, 2.50::numeric AS d, 'ab'::char(5) AS c,
//	  'xy'::varchar(5) AS v, '2024-01-02'::date AS dt,
//	  '2024-01-02 03:04:05.5'::timestamp AS ts,
//	  '2024-01-02 03:04:05.5+00'::timestamptz AS tz, 9000000000::int8 AS i8,
//	  7::int2 AS i2, '\x0aff'::bytea AS ba, NULL::text AS ns,
//	  2.5::float4 AS f4, NULL::bool AS nb) SELECT ... FROM t
func rowTable(t testing.TB) *testTable {
	return &testTable{
		cols: []testCol{
			{"i", types.Int4}, {"n", types.Int4}, {"s", types.Text}, {"b", types.Bool},
			{"f", types.Float8}, {"d", types.Numeric}, {"c", types.BPCharType(5)},
			{"v", types.VarcharType(5)}, {"dt", types.Date}, {"ts", types.Timestamp},
			{"tz", types.Timestamptz}, {"i8", types.Int8}, {"i2", types.Int2},
			{"ba", types.Bytea}, {"ns", types.Text}, {"f4", types.Float4}, {"nb", types.Bool},
		},
		rows: [][]types.Value{{
			int64(5), nil, "hello", true, 1.5, mustParse(t, types.Numeric, "2.50"), "ab   ",
			"xy", mustParse(t, types.Date, "2024-01-02"), mustParse(t, types.Timestamp, "2024-01-02 03:04:05.5"),
			mustParse(t, types.Timestamptz, "2024-01-02 03:04:05.5+00"), int64(9000000000), int64(7),
			[]byte{0x0a, 0xff}, nil, 2.5, nil,
		}},
	}
}

// numsTable backs subqueries: x int4 with 1, 2, 3 and NULL; y text.
func numsTable() *testTable {
	return &testTable{
		cols: []testCol{{"x", types.Int4}, {"y", types.Text}},
		rows: [][]types.Value{{int64(1), "one"}, {int64(2), "two"}, {int64(3), "three"}, {nil, "none"}},
	}
}

// testResolver resolves columns of one table, with enclosing scopes for
// correlated subqueries.
type testResolver struct {
	t      testing.TB
	table  *testTable
	outer  *testResolver
	p      *Params
	tables map[string]*testTable
}

func (r *testResolver) Replace(ast.ExprNode) (Expr, bool, error) { return nil, false, nil }

func (r *testResolver) Column(col *ast.ColumnNameExpr) (Expr, error) {
	name := col.Name.Name.L
	depth := 0
	for s := r; s != nil; s = s.outer {
		if s.table != nil {
			for i, c := range s.table.cols {
				if c.name == name {
					if depth == 0 {
						return Column(i, c.t, c.name), nil
					}
					return Outer(depth-1, i, c.t, c.name), nil
				}
			}
		}
		depth++
	}
	return nil, sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" does not exist", col.Name.Name.O)
}

// Subquery plans SELECT fields [FROM table] [WHERE cond] naively.
func (r *testResolver) Subquery(sub *ast.SubqueryExpr) (Subquery, error) {
	sel, ok := sub.Query.(*ast.SelectStmt)
	if !ok {
		return nil, fmt.Errorf("test resolver: only SELECT subqueries")
	}
	inner := &testResolver{t: r.t, outer: r, p: r.p, tables: r.tables}
	if sel.From != nil {
		src, ok := sel.From.TableRefs.Left.(*ast.TableSource)
		if !ok {
			return nil, fmt.Errorf("test resolver: one table only")
		}
		name := src.Source.(*ast.TableName).Name.L
		inner.table = r.tables[name]
		if inner.table == nil {
			return nil, sqlerr.New(sqlerr.UndefinedTable, "relation \"%s\" does not exist", name)
		}
	}
	sq := &testSubquery{table: inner.table}
	for _, f := range sel.Fields.Fields {
		e, err := Compile(f.Expr, inner, r.p)
		if err != nil {
			return nil, err
		}
		sq.fields = append(sq.fields, e)
	}
	if sel.Where != nil {
		w, err := CompileCondition(sel.Where, inner, r.p, "WHERE")
		if err != nil {
			return nil, err
		}
		sq.where = w
	}
	return sq, nil
}

type testSubquery struct {
	table  *testTable
	fields []Expr
	where  Expr
}

func (s *testSubquery) Columns() []types.T {
	out := make([]types.T, len(s.fields))
	for i, f := range s.fields {
		out[i] = f.Type()
	}
	return out
}

func (s *testSubquery) Run(ctx *Context, outer []types.Value) ([][]types.Value, error) {
	ctx.Outer = append(ctx.Outer, outer)
	defer func() { ctx.Outer = ctx.Outer[:len(ctx.Outer)-1] }()
	rows := [][]types.Value{nil}
	if s.table != nil {
		rows = s.table.rows
	}
	var out [][]types.Value
	for _, row := range rows {
		if s.where != nil {
			ok, err := s.where.Eval(ctx, row)
			if err != nil {
				return nil, err
			}
			if ok != true {
				continue
			}
		}
		res := make([]types.Value, len(s.fields))
		for i, f := range s.fields {
			v, err := f.Eval(ctx, row)
			if err != nil {
				return nil, err
			}
			res[i] = v
		}
		out = append(out, res)
	}
	return out, nil
}

// testSession answers session functions.
type testSession struct{}

func (testSession) Setting(name string) (string, bool) {
	switch name {
	case "pg_backend_pid":
		return "4242", true
	case "application_name":
		return "psql", true
	}
	return "", false
}
func (testSession) User() string     { return "alice" }
func (testSession) Database() string { return "db1" }

func newParser() *parser.Parser {
	p := parser.New()
	p.SetSQLMode(mysql.ModeANSIQuotes | mysql.ModePipesAsConcat | mysql.ModeNoBackslashEscapes)
	return p
}

// parseExpr parses "SELECT <sql>" and returns the first field's expression.
func parseExpr(t testing.TB, p *parser.Parser, sql string) ast.ExprNode {
	t.Helper()
	stmt, err := p.ParseOneStmt("SELECT "+sql, "", "")
	if err != nil {
		t.Fatalf("parse %q: %v", sql, err)
	}
	e := stmt.(*ast.SelectStmt).Fields.Fields[0].Expr
	// Number the ? markers in order, as the dialect numbers $n.
	v := &paramNumberer{}
	e.Accept(v)
	return e
}

type paramNumberer struct{ n int }

func (v *paramNumberer) Enter(n ast.Node) (ast.Node, bool) {
	if pm, ok := n.(*test_driver.ParamMarkerExpr); ok {
		pm.Order = v.n
		v.n++
	}
	return n, false
}

func (v *paramNumberer) Leave(n ast.Node) (ast.Node, bool) { return n, true }

// testNow is the statement time the tests evaluate with.
var testNow = time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)

// evalSQL compiles and evaluates sql over rowTable's row and renders the
// result as "type:text", "type:NULL" or "ERROR code: message".
func evalSQL(t testing.TB, p *parser.Parser, sql string, params []types.Value, ptypes []types.T) string {
	t.Helper()
	node := parseExpr(t, p, sql)
	tbl := rowTable(t)
	prm := &Params{Types: append([]types.T(nil), ptypes...)}
	r := &testResolver{t: t, table: tbl, p: prm, tables: map[string]*testTable{"nums": numsTable()}}
	e, err := Compile(node, r, prm)
	if err != nil {
		return errString(err)
	}
	ctx := &Context{Ctx: context.Background(), Params: params, Now: testNow, Session: testSession{}}
	v, err := e.Eval(ctx, tbl.rows[0])
	if err != nil {
		return errString(err)
	}
	if v == nil {
		return typeofName(e.Type()) + ":NULL"
	}
	return typeofName(e.Type()) + ":" + types.FormatText(v, e.Type())
}

// typeofName is what pg_typeof shows: the type without its modifier.
func typeofName(t types.T) string {
	if t.OID == types.OIDBPChar {
		return "character"
	}
	return t.Base().String()
}

func errString(err error) string {
	e := sqlerr.As(err)
	if e == nil {
		return "ERROR XX000: " + err.Error()
	}
	return "ERROR " + string(e.Code) + ": " + e.Message
}

func TestHarnessSmoke(t *testing.T) {
	p := newParser()
	for _, c := range []struct{ sql, want string }{
		{"i + 1", "integer:6"},
		{"s || '!'", "text:hello!"},
		{"n IS NULL", "boolean:t"},
	} {
		if got := evalSQL(t, p, c.sql, nil, nil); got != c.want {
			t.Errorf("%s = %s, want %s", c.sql, got, c.want)
		}
	}
	_ = strings.TrimSpace
}
