// Package expr compiles scalar SQL expressions from the TiDB parser's AST into
// evaluators with PostgreSQL semantics: types inferred at compile time,
// three-valued NULL logic, integer overflow (22003) and division by zero
// (22012) as errors, and the builtin functions and aggregates.
//
// The planner drives compilation through a Resolver, which turns column
// references into expressions over its row layout, substitutes aggregates and
// grouped expressions, and plans subqueries.
//
// # Entry points
//
// Compile compiles a select-list or other free expression; what is still
// untyped at the top ('a', NULL, an unconstrained $n) becomes text.
// CompileCondition compiles WHERE/HAVING/ON (boolean required, 42804
// otherwise). CompileAs and CompileAssign compile a value stored into a
// column, a LIMIT (want int8) and the like, with assignment casts.
//
// # Types
//
// Untyped string literals and NULL have type Unknown until context types
// them, as in PostgreSQL: compared with a column they take its type
// (id = '5' is an int4 comparison, id = 'abc' is 22P02 at compile time),
// in arithmetic the other operand's type ('1' + 1 is int4 arithmetic).
// Parameters ($n, ParamMarkerExpr with Order n-1) are inferred the same way
// and written back into Params.Types. Integer literals are int4 when they
// fit, else int8, else numeric; 1.5 and 1e5 are numeric. A minus sign folds
// into the literal, so -2147483648 is an int4.
//
// # Aggregates and grouping
//
// Compile never evaluates an aggregate: the planner finds the calls with
// AggregateCall (count(*) has no arguments; string_agg, bool_and, bool_or
// and every arrive as ordinary function calls), compiles their arguments
// in the input scope, resolves them with NewAggregate and feeds the rows to
// AggState. When it then compiles the select list, HAVING and ORDER BY over
// the grouped rows, its Resolver.Replace answers each aggregate call node
// (and each grouped expression) with Column(i, type, name) of the grouped
// row. An aggregate that reaches the compiler unreplaced is 42803.
// Resolver.Replace is asked for every node before anything else, so it can
// also intercept catalog functions or casts to regclass.
//
// # Planner helpers
//
// Conjuncts splits a condition at its ANDs; Comparison, ColumnIndex,
// ParamIndex and IsConst take a compiled comparison apart, for index
// lookups: the comparison type tells in which type the operands compare
// (int8 for any integer widths, so an int4 key and an int8 parameter use
// the same key encoding).
package expr

import (
	"context"
	"time"

	"github.com/chronos-db/chronos/engine/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Expr is a compiled scalar expression.
type Expr interface {
	// Eval computes the expression over one input row.
	Eval(ctx *Context, row []types.Value) (types.Value, error)
	// Type is the expression's result type, fixed at compile time.
	Type() types.T
	// String renders the expression for EXPLAIN.
	String() string
}

// Context carries what evaluation needs besides the input row. One Context
// serves one statement execution; it is not safe for concurrent use.
type Context struct {
	// Ctx is checked by long loops so that a cancelled statement stops.
	Ctx context.Context
	// Params holds the values of $1, $2, ...
	Params []types.Value
	// Outer holds the current rows of enclosing queries, innermost last,
	// for correlated subqueries.
	Outer [][]types.Value
	// Now is the statement's start time: now() and current_timestamp.
	Now time.Time
	// Session answers session functions (current_user, current_setting...);
	// nil means defaults.
	Session SessionInfo
}

// SessionInfo is what session-level functions read.
type SessionInfo interface {
	// Setting returns a run-time parameter's current value.
	Setting(name string) (string, bool)
	// User is the session's user name.
	User() string
	// Database is the connected database name.
	Database() string
}

// Resolver is the planner's side of compilation.
type Resolver interface {
	// Replace is asked first for every node. The planner answers ok=true with
	// an expression to use instead: an aggregate's output column, a grouped
	// expression, and so on.
	Replace(node ast.ExprNode) (e Expr, ok bool, err error)
	// Column resolves a column reference: 42703 when it does not exist,
	// 42702 when it is ambiguous.
	Column(col *ast.ColumnNameExpr) (Expr, error)
	// Subquery plans a subquery in the scope of the current query.
	Subquery(sub *ast.SubqueryExpr) (Subquery, error)
}

// Subquery is a planned subquery, run each time its value is needed
// (correlated subqueries see the current row through ctx.Outer).
type Subquery interface {
	// Columns are the result column types.
	Columns() []types.T
	// Run executes the subquery. outer is the row of the enclosing query
	// being evaluated; the implementation pushes it onto ctx.Outer.
	Run(ctx *Context, outer []types.Value) ([][]types.Value, error)
}

// Params records the types of $1, $2, ...: entries given by the client are
// fixed; Unknown entries are inferred from context during compilation and
// written back.
type Params struct {
	Types []types.T
}
