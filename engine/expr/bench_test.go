package expr

import (
	"context"
	"testing"

	"github.com/chronos-db/chronos/engine/types"
)

// compileBench compiles sql over a table (id int4, name text) with $1 of
// the given type.
func compileBench(b *testing.B, sql string) Expr {
	b.Helper()
	p := newParser()
	tbl := &testTable{cols: []testCol{{"id", types.Int4}, {"name", types.Text}}}
	prm := &Params{}
	r := &testResolver{t: b, table: tbl, p: prm}
	e, err := Compile(parseExpr(b, p, sql), r, prm)
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkPointSelect evaluates the point-select predicate id = $1.
func BenchmarkPointSelect(b *testing.B) {
	e := compileBench(b, "id = ?")
	row := []types.Value{int64(123456), "x"}
	ctx := &Context{Ctx: context.Background(), Params: []types.Value{int64(123456)}}
	b.ReportAllocs()
	for b.Loop() {
		v, err := e.Eval(ctx, row)
		if err != nil || v != true {
			b.Fatal(v, err)
		}
	}
}

func BenchmarkArithCompare(b *testing.B) {
	e := compileBench(b, "id + 1 > 10 AND name LIKE 'x%'")
	row := []types.Value{int64(123456), "xyz"}
	ctx := &Context{Ctx: context.Background()}
	b.ReportAllocs()
	for b.Loop() {
		if v, err := e.Eval(ctx, row); err != nil || v != true {
			b.Fatal(v, err)
		}
	}
}

// TestPointSelectAllocs keeps the point-select predicate allocation-free.
func TestPointSelectAllocs(t *testing.T) {
	p := newParser()
	tbl := &testTable{cols: []testCol{{"id", types.Int4}, {"name", types.Text}}}
	prm := &Params{}
	e, err := Compile(parseExpr(t, p, "id = ?"), &testResolver{t: t, table: tbl, p: prm}, prm)
	if err != nil {
		t.Fatal(err)
	}
	row := []types.Value{int64(123456), "x"}
	ctx := &Context{Ctx: context.Background(), Params: []types.Value{int64(123456)}}
	if n := testing.AllocsPerRun(100, func() { _, _ = e.Eval(ctx, row) }); n != 0 {
		t.Errorf("id = $1 allocates %v times per evaluation", n)
	}
}
