package engine

import (
	"fmt"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/format"
)

// fingerprint returns a canonical text of expression node as seen from
// scope s, for telling whether two expressions are the same: a GROUP BY
// expression and a select-list expression, two aggregate calls, an ORDER BY
// expression and an output column. Column references are replaced by the
// column they resolve to, so t.a and a match when both mean the same
// column; redundant outer parentheses are dropped.
func (b *builder) fingerprint(s *scope, node ast.ExprNode) string {
	for {
		p, ok := node.(*ast.ParenthesesExpr)
		if !ok {
			break
		}
		node = p.Expr
	}
	if c, ok := node.(*ast.ColumnNameExpr); ok {
		return columnFingerprint(s, c.Name)
	}
	v := &fpVisitor{s: s}
	node.Accept(v)
	var sb strings.Builder
	err := node.Restore(format.NewRestoreCtx(format.DefaultRestoreFlags|format.RestoreStringWithoutCharset, &sb))
	// Put the original names back whatever happened.
	for _, sw := range v.swapped {
		sw.expr.Name = sw.old
	}
	if err != nil {
		return fmt.Sprintf("%p", node)
	}
	return sb.String()
}

// columnFingerprint names the column a reference resolves to: scope depth
// and index, or the written name when it does not resolve.
func columnFingerprint(s *scope, name *ast.ColumnName) string {
	depth := 0
	for t := s; t != nil; t = t.parent {
		idx, err := t.lookup(name)
		if err == nil && idx >= 0 {
			return colFingerprint(depth, idx)
		}
		depth++
	}
	return "#" + columnRefText(name)
}

type nameSwap struct {
	expr *ast.ColumnNameExpr
	old  *ast.ColumnName
}

// fpVisitor swaps column references for their resolved fingerprints while
// the expression is restored to text.
type fpVisitor struct {
	s       *scope
	swapped []nameSwap
}

func (v *fpVisitor) Enter(n ast.Node) (ast.Node, bool) {
	switch x := n.(type) {
	case *ast.SubqueryExpr:
		// Columns inside a subquery resolve in its own scope.
		return n, true
	case *ast.ColumnNameExpr:
		fp := columnFingerprint(v.s, x.Name)
		v.swapped = append(v.swapped, nameSwap{expr: x, old: x.Name})
		x.Name = &ast.ColumnName{Name: ast.NewCIStr(fp)}
		return n, true
	}
	return n, false
}

func (v *fpVisitor) Leave(n ast.Node) (ast.Node, bool) { return n, true }

// colFingerprint is the fingerprint of input column idx of the scope depth
// levels up.
func colFingerprint(depth, idx int) string {
	return fmt.Sprintf("#%d.%d", depth, idx)
}
