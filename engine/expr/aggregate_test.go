package expr

import (
	"testing"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
)

// TestAggregates feeds the rows of
//
//	(VALUES (1,'b'),(2,'a'),(4,NULL),(NULL,'c'),(2,'d')) v(x, y)
//
// to each aggregate; the wanted results are PostgreSQL 15's.
func TestAggregates(t *testing.T) {
	xs := []types.Value{int64(1), int64(2), int64(4), nil, int64(2)}
	ys := []types.Value{"b", "a", nil, "c", "d"}
	conv := func(typ types.T) func(v types.Value) types.Value {
		return func(v types.Value) types.Value {
			if v == nil {
				return nil
			}
			r, err := types.Cast(v, types.Int4, typ, true)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
	}
	ident := func(v types.Value) types.Value { return v }
	cases := []struct {
		name     string
		distinct bool
		argType  types.T
		conv     func(types.Value) types.Value
		star     bool
		want     string // "type:value"
	}{
		{name: "sum", argType: types.Int4, conv: ident, want: "bigint:9"},
		{name: "sum", argType: types.Int2, conv: ident, want: "bigint:9"},
		{name: "sum", argType: types.Int8, conv: ident, want: "numeric:9"},
		{name: "sum", argType: types.Float4, conv: conv(types.Float4), want: "real:9"},
		{name: "sum", argType: types.Numeric, conv: conv(types.Numeric), want: "numeric:9"},
		{name: "avg", argType: types.Int4, conv: ident, want: "numeric:2.2500000000000000"},
		{name: "avg", argType: types.Float8, conv: conv(types.Float8), want: "double precision:2.25"},
		{name: "avg", argType: types.NumericType(5, 2), conv: conv(types.NumericType(5, 2)), want: "numeric:2.2500000000000000"},
		{name: "count", argType: types.Int4, conv: ident, want: "bigint:4"},
		{name: "count", star: true, want: "bigint:5"},
		{name: "count", distinct: true, argType: types.Int4, conv: ident, want: "bigint:3"},
		{name: "sum", distinct: true, argType: types.Int4, conv: ident, want: "bigint:7"},
		{name: "min", argType: types.Int4, conv: ident, want: "integer:1"},
		{name: "max", argType: types.Int4, conv: ident, want: "integer:4"},
		{name: "max", argType: types.Text, conv: conv(types.Text), want: "text:4"},
	}
	for _, c := range cases {
		var args []types.T
		if !c.star {
			args = []types.T{c.argType}
		}
		agg, err := NewAggregate(c.name, c.distinct, args)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		st := agg.New()
		for _, x := range xs {
			var in []types.Value
			if !c.star {
				in = []types.Value{c.conv(x)}
			}
			if err := st.Add(nil, in); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
		}
		v, err := st.Result()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got := typeofName(agg.Type()) + ":" + types.FormatText(v, agg.Type())
		if got != c.want {
			t.Errorf("%s(distinct=%v, %s) = %s, want %s", c.name, c.distinct, c.argType, got, c.want)
		}
	}

	// Two-argument and boolean aggregates.
	agg, err := NewAggregate("string_agg", false, []types.T{types.Text, types.Text})
	if err != nil {
		t.Fatal(err)
	}
	st := agg.New()
	for _, y := range ys {
		if err := st.Add(nil, []types.Value{y, ","}); err != nil {
			t.Fatal(err)
		}
	}
	if v, _ := st.Result(); v != "b,a,c,d" {
		t.Errorf("string_agg = %v, want b,a,c,d", v)
	}
	agg, _ = NewAggregate("min", false, []types.T{types.Text})
	st = agg.New()
	for _, y := range ys {
		_ = st.Add(nil, []types.Value{y})
	}
	if v, _ := st.Result(); v != "a" {
		t.Errorf("min(y) = %v, want a", v)
	}
	for _, c := range []struct {
		name string
		want bool
	}{{"bool_and", false}, {"bool_or", true}, {"every", false}} {
		agg, err := NewAggregate(c.name, false, []types.T{types.Bool})
		if err != nil {
			t.Fatal(err)
		}
		st := agg.New()
		for _, x := range xs {
			var b types.Value
			if x != nil {
				b = x.(int64) > 1
			}
			_ = st.Add(nil, []types.Value{b})
		}
		if v, _ := st.Result(); v != c.want {
			t.Errorf("%s = %v, want %v", c.name, v, c.want)
		}
	}
}

func TestAggregateEmptyAndOverflow(t *testing.T) {
	for _, c := range []struct {
		name string
		args []types.T
		want types.Value
	}{
		{"sum", []types.T{types.Int4}, nil},
		{"avg", []types.T{types.Int4}, nil},
		{"max", []types.T{types.Text}, nil},
		{"count", []types.T{types.Int4}, int64(0)},
		{"count", nil, int64(0)},
		{"string_agg", []types.T{types.Text, types.Text}, nil},
		{"bool_and", []types.T{types.Bool}, nil},
	} {
		agg, err := NewAggregate(c.name, false, c.args)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := agg.New().Result(); err != nil || v != c.want {
			t.Errorf("%s over no rows = %v, %v; want %v", c.name, v, err, c.want)
		}
	}
	// sum(int8) moves to numeric rather than overflowing.
	agg, _ := NewAggregate("sum", false, []types.T{types.Int8})
	st := agg.New()
	for range 5 {
		if err := st.Add(nil, []types.Value{int64(9223372036854775807)}); err != nil {
			t.Fatal(err)
		}
	}
	v, _ := st.Result()
	if got := types.FormatText(v, types.Numeric); got != "46116860184273879035" {
		t.Errorf("sum of 5 max int8 = %s", got)
	}
	for _, c := range []struct {
		name string
		args []types.T
	}{
		{"sum", []types.T{types.Text}},
		{"avg", []types.T{types.Bool}},
		{"bool_and", []types.T{types.Int4}},
		{"string_agg", []types.T{types.Int4, types.Text}},
		{"median", []types.T{types.Int4}},
	} {
		if _, err := NewAggregate(c.name, false, c.args); sqlerr.CodeOf(err) != sqlerr.UndefinedFunction {
			t.Errorf("%s(%v): %v, want 42883", c.name, c.args, err)
		}
	}
}

func TestAggregateCall(t *testing.T) {
	p := newParser()
	for _, c := range []struct {
		sql      string
		name     string
		nargs    int
		distinct bool
	}{
		{"count(*)", "count", 0, false},
		{"COUNT(x)", "count", 1, false},
		{"count(DISTINCT x)", "count", 1, true},
		{"sum(x + 1)", "sum", 1, false},
		{"string_agg(y, ',')", "string_agg", 2, false},
		{"bool_and(b)", "bool_and", 1, false},
	} {
		name, args, distinct, ok := AggregateCall(parseExpr(t, p, c.sql))
		if !ok || name != c.name || len(args) != c.nargs || distinct != c.distinct {
			t.Errorf("%s: %s %d %v %v", c.sql, name, len(args), distinct, ok)
		}
	}
	if _, _, _, ok := AggregateCall(parseExpr(t, p, "upper(x)")); ok {
		t.Error("upper(x) is not an aggregate")
	}
	// An aggregate the planner did not replace is an error.
	prm := &Params{}
	r := &testResolver{t: t, table: rowTable(t), p: prm}
	if _, err := Compile(parseExpr(t, p, "sum(i)"), r, prm); sqlerr.CodeOf(err) != sqlerr.GroupingError {
		t.Errorf("sum(i) compiled alone: %v, want 42803", err)
	}
}
