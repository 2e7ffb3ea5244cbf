package dialect

import (
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/format"
)

// restoreFlags make TiDB's Restore write PostgreSQL-compatible text:
// 'strings' without charset introducers, "names", lower-case keywords.
const restoreFlags = format.RestoreStringSingleQuotes | format.RestoreKeyWordLowercase |
	format.RestoreNameDoubleQuotes | format.RestoreStringWithoutCharset |
	format.RestoreSpacesAroundBinaryOperation

// Restore renders an expression (or another node) of a parsed statement as
// SQL text that Parse reads back into the same tree, for catalog entries
// such as a column's DEFAULT. It differs from TiDB's Restore in one place:
// the parser turns a || b into concat(a, b), which TiDB writes back as
// concat(a, b) and Parse would then read as the user's NULL-ignoring
// concat; Restore writes a || b, in parentheses unless the tree has them.
//
// n is changed while Restore runs and put back before it returns; it must
// not be used by another goroutine meanwhile.
func Restore(n ast.Node) (string, error) {
	// A replaced root comes back from Accept; walking the marked tree
	// again puts every concat call back.
	marked, _ := n.Accept(pipeMarker{})
	defer marked.Accept(identityVisitor{})
	var b strings.Builder
	if err := marked.Restore(format.NewRestoreCtx(restoreFlags, &b)); err != nil {
		return "", err
	}
	return b.String(), nil
}

// pipeConcat stands in for the concat(...) call the parser makes of ||,
// writing it back as ||. Its Accept is the call's, so any walk of the tree
// puts the call back.
type pipeConcat struct {
	*ast.FuncCallExpr
	bare bool // inside a ParenthesesExpr already
}

// Restore implements ast.Node.
func (p *pipeConcat) Restore(ctx *format.RestoreCtx) error {
	if !p.bare {
		ctx.WritePlain("(")
		defer ctx.WritePlain(")")
	}
	for i, a := range p.Args {
		if i > 0 {
			ctx.WritePlain(" || ")
		}
		if err := a.Restore(ctx); err != nil {
			return err
		}
	}
	return nil
}

// pipeMarker replaces the parser's concat calls with pipeConcat.
type pipeMarker struct{}

// Enter implements ast.Visitor.
func (pipeMarker) Enter(n ast.Node) (ast.Node, bool) { return n, false }

// Leave implements ast.Visitor.
func (pipeMarker) Leave(n ast.Node) (ast.Node, bool) {
	switch x := n.(type) {
	case *ast.FuncCallExpr:
		if x.FnName.L == "concat" && x.Schema.L == "" && len(x.Args) > 1 {
			return &pipeConcat{FuncCallExpr: x}, true
		}
	case *ast.ParenthesesExpr:
		if p, ok := x.Expr.(*pipeConcat); ok {
			p.bare = true
		}
	}
	return n, true
}

// identityVisitor walks a tree without changing it (which unwraps
// pipeConcat).
type identityVisitor struct{}

// Enter implements ast.Visitor.
func (identityVisitor) Enter(n ast.Node) (ast.Node, bool) { return n, false }

// Leave implements ast.Visitor.
func (identityVisitor) Leave(n ast.Node) (ast.Node, bool) { return n, true }
