package expr

import (
	"context"
	"strings"
	"testing"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
)

// paramTable mirrors `create table pt(id int, name text, v varchar(3),
// d numeric(5,2), b bool)` used to check parameter types in PostgreSQL
// (pg_prepared_statements.parameter_types).
func paramTable() *testTable {
	return &testTable{cols: []testCol{
		{"id", types.Int4}, {"name", types.Text}, {"v", types.VarcharType(3)},
		{"d", types.NumericType(5, 2)}, {"b", types.Bool},
	}}
}

func TestParamInference(t *testing.T) {
	p := newParser()
	cases := []struct {
		sql   string
		want  []types.T
		given []types.T // types fixed by the client
	}{
		{sql: "id = ?", want: []types.T{types.Int4}},
		{sql: "? = id", want: []types.T{types.Int4}},
		{sql: "? + 1", want: []types.T{types.Int4}},
		{sql: "?", want: []types.T{types.Text}},
		{sql: "? || 'x'", want: []types.T{types.Text}},
		{sql: "? IS NULL", want: []types.T{types.Text}},
		{sql: "COALESCE(?, 5)", want: []types.T{types.Int4}},
		{sql: "chronos_cast(?, 'int') + ?", want: []types.T{types.Int4, types.Int4}},
		{sql: "name LIKE ?", want: []types.T{types.Text}},
		{sql: "id IN (?, ?)", want: []types.T{types.Int4, types.Int4}},
		{sql: "? BETWEEN 1 AND ?", want: []types.T{types.Int4, types.Int4}},
		{sql: "upper(?)", want: []types.T{types.Text}},
		{sql: "abs(?)", want: []types.T{types.Float8}},
		{sql: "? AND true", want: []types.T{types.Bool}},
		{sql: "CASE WHEN ? THEN ? ELSE 1.5 END", want: []types.T{types.Bool, types.Numeric}},
		{sql: "b = ?", want: []types.T{types.Bool}},
		{sql: "v = ?", want: []types.T{types.Varchar}},
		{sql: "d > ?", want: []types.T{types.Numeric}},
		{sql: "id = ?", given: []types.T{types.Int8}, want: []types.T{types.Int8}},
		{sql: "? = ?", want: []types.T{types.Text, types.Text}},
	}
	for _, c := range cases {
		prm := &Params{Types: append([]types.T(nil), c.given...)}
		r := &testResolver{t: t, table: paramTable(), p: prm}
		if _, err := Compile(parseExpr(t, p, c.sql), r, prm); err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		if len(prm.Types) != len(c.want) {
			t.Errorf("%s: params %v, want %v", c.sql, prm.Types, c.want)
			continue
		}
		for i := range c.want {
			if prm.Types[i] != c.want[i] {
				t.Errorf("%s: $%d is %s, want %s", c.sql, i+1, prm.Types[i], c.want[i])
			}
		}
	}
}

func TestCompileAsParam(t *testing.T) {
	p := newParser()
	prm := &Params{}
	e, err := CompileAs(parseExpr(t, p, "?"), nil, prm, types.Int8)
	if err != nil {
		t.Fatal(err)
	}
	if prm.Types[0] != types.Int8 || e.Type() != types.Int8 {
		t.Fatalf("LIMIT $1: param %s, expr %s; want bigint", prm.Types[0], e.Type())
	}
	// A varchar(3) target keeps the parameter's type varchar and checks
	// the length on assignment.
	prm = &Params{}
	e, err = CompileAs(parseExpr(t, p, "?"), nil, prm, types.VarcharType(3))
	if err != nil {
		t.Fatal(err)
	}
	if prm.Types[0] != types.Varchar {
		t.Fatalf("param type %s, want character varying", prm.Types[0])
	}
	ctx := &Context{Ctx: context.Background(), Params: []types.Value{"abcd"}}
	if _, err := e.Eval(ctx, nil); sqlerr.CodeOf(err) != sqlerr.StringDataRightTruncation {
		t.Fatalf("assigning 'abcd' to varchar(3): %v, want 22001", err)
	}
}

func TestParamEval(t *testing.T) {
	p := newParser()
	cases := []struct {
		sql    string
		params []types.Value
		given  []types.T
		want   string
	}{
		{"i = ?", []types.Value{int64(5)}, nil, "boolean:t"},
		{"i = ?", []types.Value{int64(6)}, nil, "boolean:f"},
		{"i = ?", []types.Value{nil}, nil, "boolean:NULL"},
		{"i = ?", []types.Value{int64(5)}, []types.T{types.Int8}, "boolean:t"},
		{"? + 1", []types.Value{int64(41)}, nil, "integer:42"},
		{"? + 1", []types.Value{int64(2147483647)}, nil, "ERROR 22003: integer out of range"},
		{"s || ?", []types.Value{" world"}, nil, "text:hello world"},
		{"d * ?", []types.Value{mustParse(t, types.Numeric, "2")}, nil, "numeric:5.00"},
		{"? IS NULL", []types.Value{nil}, nil, "boolean:t"},
		{"?", []types.Value{"x"}, nil, "text:x"},
	}
	for _, c := range cases {
		if got := evalSQL(t, p, c.sql, c.params, c.given); got != c.want {
			t.Errorf("%s with %v: got %s, want %s", c.sql, c.params, got, c.want)
		}
	}
}

func TestCompileAssign(t *testing.T) {
	p := newParser()
	cases := []struct {
		sql  string
		want types.T
		out  string // "value" or "ERROR code"
	}{
		{"'12'", types.Int4, "12"},
		{"12", types.Int8, "12"},
		{"12", types.Numeric, "12"},
		{"12.345", types.NumericType(5, 2), "12.35"},
		{"1234.5", types.NumericType(5, 2), "ERROR 22003"},
		{"1.5", types.Int4, "2"},
		{"2.5", types.Int4, "3"},
		{"9000000000", types.Int4, "ERROR 22003"},
		{"'abc'", types.VarcharType(2), "ERROR 22001"},
		{"'ab   '", types.VarcharType(2), "ab"},
		{"'ab'", types.BPCharType(4), "ab  "},
		{"s", types.VarcharType(3), "ERROR 22001"},
		{"i", types.Text, "5"},
		{"s", types.Int4, "ERROR 42804"},
		{"dt", types.Timestamp, "2024-01-02 00:00:00"},
		{"ts", types.Date, "2024-01-02"},
		{"b", types.Int4, "ERROR 42804"},
		{"NULL", types.Int4, "NULL"},
		{"'x'", types.Int4, "ERROR 22P02"},
		{"f", types.Int2, "2"},
	}
	for _, c := range cases {
		tbl := rowTable(t)
		prm := &Params{}
		r := &testResolver{t: t, table: tbl, p: prm}
		got := ""
		e, err := CompileAssign(parseExpr(t, p, c.sql), r, prm, c.want, "col")
		if err == nil {
			var v types.Value
			v, err = e.Eval(&Context{Ctx: context.Background()}, tbl.rows[0])
			switch {
			case err != nil:
			case v == nil:
				got = "NULL"
			default:
				got = types.FormatText(v, c.want)
			}
			if err == nil && e.Type() != c.want {
				t.Errorf("%s as %s: type %s", c.sql, c.want, e.Type())
			}
		}
		if err != nil {
			got = "ERROR " + string(sqlerr.CodeOf(err))
		}
		if got != c.out {
			t.Errorf("%s as %s: got %s, want %s", c.sql, c.want, got, c.out)
		}
	}
	// The 42804 message names the column as PostgreSQL does.
	prm := &Params{}
	r := &testResolver{t: t, table: rowTable(t), p: prm}
	_, err := CompileAssign(parseExpr(t, p, "s"), r, prm, types.Int4, "a")
	if err == nil || !strings.Contains(err.Error(), `column "a" is of type integer but expression is of type text`) {
		t.Errorf("message: %v", err)
	}
}

func TestCompileCondition(t *testing.T) {
	p := newParser()
	for _, c := range []struct{ sql, want string }{
		{"i > 1", ""},
		{"'t'", ""},
		{"NULL", ""},
		{"i", "argument of WHERE must be type boolean, not type integer"},
		{"s", "argument of WHERE must be type boolean, not type text"},
	} {
		prm := &Params{}
		r := &testResolver{t: t, table: rowTable(t), p: prm}
		_, err := CompileCondition(parseExpr(t, p, c.sql), r, prm, "WHERE")
		got := ""
		if err != nil {
			got = err.Error()
			if sqlerr.CodeOf(err) != sqlerr.DatatypeMismatch {
				t.Errorf("%s: code %s", c.sql, sqlerr.CodeOf(err))
			}
		}
		if got != c.want {
			t.Errorf("%s: got %q, want %q", c.sql, got, c.want)
		}
	}
}
