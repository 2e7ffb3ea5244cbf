package expr

import (
	"strings"
	"testing"

	"github.com/chronos-db/chronos/engine/types"
)

// TestColumnName checks output column names against PostgreSQL 15 (the
// PostgreSQL spelling of each expression is in the comment where the
// dialect rewrites it).
func TestColumnName(t *testing.T) {
	p := newParser()
	for _, c := range []struct{ sql, want string }{
		{"x", "x"},
		{"t.x", "x"},
		{"count(*)", "count"},
		{"SUM(x)", "sum"},
		{"count(DISTINCT x)", "count"},
		{"upper('a')", "upper"},
		{"coalesce(x, 1)", "coalesce"},
		{"CASE WHEN true THEN 1 END", "case"},
		{"CASE WHEN true THEN 1 ELSE x END", "x"},
		{"chronos_cast('1', 'int')", "int4"},    // '1'::int
		{"chronos_cast(x, 'int')", "x"},         // x::int
		{"chronos_cast(1 + 2, 'text')", "text"}, // (1+2)::text
		{"chronos_cast(1, 'double precision')", "float8"},
		{"chronos_cast(1, 'decimal')", "numeric"},
		{"chronos_cast(true, 'boolean')", "bool"},
		{"chronos_cast('a', 'varchar(10)')", "varchar"},
		{"chronos_cast(1, 'numeric(5,2)')", "numeric"},
		{"chronos_cast(chronos_cast(1, 'bigint'), 'text')", "text"},
		{"chronos_cast(chronos_cast('a', 'text'), 'varchar')", "varchar"},
		{"1", "?column?"},
		{"'a'", "?column?"},
		{"1 + 2", "?column?"},
		{"-x", "?column?"},
		{"x IS NULL", "?column?"},
		{"EXISTS (SELECT 1)", "exists"},
		{"(SELECT 1 AS q)", "q"},
		{"(SELECT max(x) FROM v)", "max"},
		{"(SELECT 1)", "?column?"},
		{"chronos_concat('a')", "concat"}, // concat('a')
		{"'a' || 'b'", "?column?"},
		{"substring('abc' FROM 2 FOR 1)", "substring"},
		{"trim(BOTH 'x' FROM 'xax')", "btrim"},
		{"trim(LEADING 'x' FROM 'xa')", "ltrim"},
		{"trim(TRAILING 'x' FROM 'xa')", "rtrim"},
		{"current_timestamp", "current_timestamp"},
		{"current_date", "current_date"},
		{"current_user", "current_user"},
		{"now()", "now"},
		{"nullif(1, 2)", "nullif"},
		{"greatest(1, 2)", "greatest"},
		{"date '2024-01-01'", "date"},
		{"x IN (1, 2)", "?column?"},
		{"x BETWEEN 1 AND 2", "?column?"},
		{"position('a' IN 'b')", "position"},
		{"extract(year FROM x)", "extract"},
		{"localtimestamp", "localtimestamp"},
		{"chronos_regexp_match('a', 'b')", "?column?"}, // 'a' ~ 'b'
		{"(x)", "x"},
		{"((1))", "?column?"},
	} {
		if got := ColumnName(parseExpr(t, p, c.sql)); got != c.want {
			t.Errorf("ColumnName(%s) = %q, want %q", c.sql, got, c.want)
		}
	}
}

// TestString checks the EXPLAIN rendering of compiled expressions.
func TestString(t *testing.T) {
	p := newParser()
	for _, c := range []struct{ sql, want string }{
		{"i + 1", "(i + 1)"},
		{"i = ? AND s LIKE 'h%'", "((i = $1) AND (s ~~ 'h%'::text))"},
		{"s || 'x'", "(s || 'x'::text)"},
		{"upper(s)", "upper(s)"},
		{"i IN (1, 2)", "(i IN (1, 2))"},
		{"n IS NOT NULL", "(n IS NOT NULL)"},
		{"CASE WHEN b THEN 1 ELSE 2 END", "CASE WHEN b THEN 1 ELSE 2 END"},
		{"chronos_cast(i, 'text')", "(i)::text"},
		{"d > 1", "(d > 1)"},
		{"dt = '2024-01-01'", "(dt = '2024-01-01'::date)"},
		{"NOT b", "(NOT b)"},
		{"coalesce(n, 0)", "COALESCE(n, 0)"},
	} {
		prm := &Params{}
		r := &testResolver{t: t, table: rowTable(t), p: prm}
		e, err := Compile(parseExpr(t, p, c.sql), r, prm)
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		if got := e.String(); got != c.want {
			t.Errorf("String(%s) = %q, want %q", c.sql, got, c.want)
		}
	}
}

func TestUnknownFunction(t *testing.T) {
	p := newParser()
	prm := &Params{}
	r := &testResolver{t: t, table: rowTable(t), p: prm}
	_, err := Compile(parseExpr(t, p, "foo(i, s)"), r, prm)
	if err == nil || !strings.Contains(err.Error(), "function foo(integer, text) does not exist") {
		t.Fatalf("got %v", err)
	}
	if !IsFunction("upper") || IsFunction("foo") {
		t.Error("IsFunction")
	}
	_ = types.Int4
}
