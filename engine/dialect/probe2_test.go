package dialect

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/format"
)

func TestProbe2(t *testing.T) {
	const flags = format.RestoreStringSingleQuotes | format.RestoreKeyWordLowercase |
		format.RestoreNameDoubleQuotes | format.RestoreStringWithoutCharset | format.RestoreSpacesAroundBinaryOperation
	for _, q := range []string{`select 'a\b''c', E'x\ny', a || b, a is distinct from b, a is not distinct from b, "Foo"."Bar", 'x' like 'a\%' escape '\', count(*), -1.5, 1e5, true, x::text, "a""b", a % b, ~a, a & b, a << 2, not a, a in (1, 2), current_timestamp, 7 / 2`} {
		stmts, err := Parse(q)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range stmts[0].AST.(*ast.SelectStmt).Fields.Fields {
			var sb strings.Builder
			f.Expr.Restore(format.NewRestoreCtx(flags, &sb))
			back, err := Parse("SELECT " + sb.String())
			fmt.Printf("%-40q -> %-50q  reparse err=%v\n", f.Text(), sb.String(), err)
			_ = back
		}
	}
}
