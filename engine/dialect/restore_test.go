package dialect

import (
	"strings"
	"testing"

	"github.com/pingcap/tidb/pkg/parser/ast"
)

// TestRestoreRoundTrip checks that Restore's text of every select-list
// expression of the rewrite table parses back to an expression that
// restores to the same text.
func TestRestoreRoundTrip(t *testing.T) {
	n := 0
	for _, tc := range rewrites {
		if strings.Contains(tc.want, "?") {
			continue // parameters are not stored
		}
		stmts, err := Parse(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		sel, ok := stmts[0].AST.(*ast.SelectStmt)
		if !ok {
			continue
		}
		for _, f := range sel.Fields.Fields {
			if f.Expr == nil {
				continue
			}
			text, err := Restore(f.Expr)
			if err != nil {
				t.Fatalf("Restore(%q): %v", f.Text(), err)
			}
			if _, ok := f.Expr.(*pipeConcat); ok {
				t.Fatalf("Restore left a pipeConcat in the tree")
			}
			back, err := Parse("SELECT " + text)
			if err != nil {
				t.Errorf("%s: Parse(SELECT %s): %v", tc.name, text, err)
				continue
			}
			again, err := Restore(back[0].AST.(*ast.SelectStmt).Fields.Fields[0].Expr)
			if err != nil || again != text {
				t.Errorf("%s: %q restores to %q, which parses and restores to %q (%v)", tc.name, f.Text(), text, again, err)
			}
			n++
		}
	}
	if n < 50 {
		t.Errorf("only %d expressions checked", n)
	}
}

func TestRestorePipes(t *testing.T) {
	st := mustParseOne(t, "select a || b || 'c', concat(a, b), x || y")
	fields := st.AST.(*ast.SelectStmt).Fields.Fields
	for i, want := range []string{`(("a" || "b") || 'c')`, `chronos_concat("a", "b")`, `("x" || "y")`} {
		got, err := Restore(fields[i].Expr)
		if err != nil || got != want {
			t.Errorf("Restore(%s) = %q, %v; want %q", fields[i].Text(), got, err, want)
		}
	}
	// The tree is back as it was.
	p, ok := fields[0].Expr.(*ast.ParenthesesExpr)
	if !ok {
		t.Fatalf("a || b || 'c' is %T", fields[0].Expr)
	}
	if f, ok := p.Expr.(*ast.FuncCallExpr); !ok || f.FnName.L != "concat" {
		t.Errorf("after Restore the || is %T", p.Expr)
	}
	// A concat call made elsewhere, not in parentheses, gets them.
	bare := &ast.FuncCallExpr{FnName: ast.NewCIStr("concat"), Args: []ast.ExprNode{
		&ast.ColumnNameExpr{Name: &ast.ColumnName{Name: ast.NewCIStr("a")}},
		&ast.ColumnNameExpr{Name: &ast.ColumnName{Name: ast.NewCIStr("b")}}}}
	if got, err := Restore(bare); err != nil || got != `("a" || "b")` {
		t.Errorf("Restore(concat(a, b)) = %q, %v", got, err)
	}
	if _, ok := Restore(bare); ok != nil {
		t.Error(ok)
	}
}

// TestRewriteIdempotent checks that the rewritten text of a query is its
// own rewrite: the engine stores a view's query as the parsed text and
// parses it again.
func TestRewriteIdempotent(t *testing.T) {
	for _, tc := range rewrites {
		if strings.Contains(tc.want, "?") {
			continue // a view has no parameters
		}
		first := strings.Fields(tc.want)[0]
		if first == "create" || first == "alter" || first == "insert" {
			continue // DDL column types are TiDB's; INSERT DEFAULT VALUES is MySQL's
		}
		got, err := rewriteSQL(t, tc.want)
		if err != nil {
			t.Errorf("%s: rewrite of %q: %v", tc.name, tc.want, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%s: rewrite of\n %s\nis\n %s", tc.name, tc.want, got)
		}
	}
}
