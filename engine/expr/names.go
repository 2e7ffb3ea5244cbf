package expr

import (
	"strings"

	"github.com/chronos-db/chronos/engine/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/test_driver"
)

// ColumnName is the output column name PostgreSQL gives an unaliased
// select-list expression (FigureColname): a column's name, a function's or
// aggregate's name, "case", "exists", a cast's operand name or else its
// type name ('1'::int is "int4"), and "?column?" for anything else.
func ColumnName(e ast.ExprNode) string {
	name, _ := figureName(e)
	return name
}

// figureName returns the name and its strength: 2 for a column or
// function name, 1 for a fallback such as "case" or a cast's type name,
// 0 for "?column?".
func figureName(e ast.ExprNode) (string, int) {
	switch x := e.(type) {
	case *ast.ColumnNameExpr:
		return x.Name.Name.O, 2
	case *ast.ParenthesesExpr:
		return figureName(x.Expr)
	case *ast.AggregateFuncExpr:
		return strings.ToLower(x.F), 2
	case *ast.WindowFuncExpr:
		return strings.ToLower(x.Name), 2
	case *ast.CaseExpr:
		if x.ElseClause != nil {
			if name, strength := figureName(x.ElseClause); strength == 2 {
				return name, 2
			}
		}
		return "case", 1
	case *ast.ExistsSubqueryExpr:
		return "exists", 2
	case *ast.SubqueryExpr:
		if sel, ok := x.Query.(*ast.SelectStmt); ok && sel.Fields != nil && len(sel.Fields.Fields) > 0 {
			f := sel.Fields.Fields[0]
			if f.AsName.O != "" {
				return f.AsName.O, 2
			}
			if f.Expr != nil {
				if name, strength := figureName(f.Expr); strength == 2 {
					return name, 2
				}
			}
		}
		return "?column?", 0
	case *ast.RowExpr:
		return "row", 2
	case *ast.FuncCallExpr:
		name := funcName(x)
		switch name {
		case "chronos_cast":
			if len(x.Args) == 2 {
				if n, strength := figureName(x.Args[0]); strength == 2 {
					return n, 2
				}
				if lit, ok := x.Args[1].(*test_driver.ValueExpr); ok {
					if t, err := types.ParseTypeName(lit.GetString()); err == nil {
						return t.TypName(), 1
					}
				}
			}
			return "?column?", 0
		case ast.DateLiteral:
			return "date", 1
		case ast.TimestampLiteral:
			return "timestamp", 1
		case ast.TimeLiteral:
			return "time", 1
		case "concat", "chronos_regexp_match", "chronos_regexp_imatch":
			// Operators: ||, ~, ~*.
			return "?column?", 0
		case "chronos_concat":
			return "concat", 2
		case "trim":
			if len(x.Args) == 3 {
				if d, ok := x.Args[2].(*ast.TrimDirectionExpr); ok {
					switch d.Direction {
					case ast.TrimLeading:
						return "ltrim", 2
					case ast.TrimTrailing:
						return "rtrim", 2
					}
				}
			}
			return "btrim", 2
		case "current_role":
			return "current_role", 2
		}
		return name, 2
	case *ast.UnaryOperationExpr:
		return "?column?", 0
	}
	return "?column?", 0
}
