// Package dialect is Chronos's PostgreSQL-dialect front end over the TiDB
// parser (DESIGN.md decision 6).
//
// Parse splits a query string into statements on top-level semicolons, turns
// the PostgreSQL syntax the MySQL-dialect TiDB parser lacks into syntax it has
// (a lexical rewrite: $n parameters, :: casts, E” and dollar-quoted strings,
// PostgreSQL type names, regular-expression operators, RETURNING, ON
// CONFLICT, ...), and parses the result with the TiDB parser in ANSI_QUOTES,
// PIPES_AS_CONCAT and NO_BACKSLASH_ESCAPES mode. Statements the parser cannot
// express (SHOW, most SET forms, BEGIN with options, COPY, VACUUM, ...) are
// recognised before the parser and returned as typed structs in
// Statement.Special.
//
// The rewrites the engine sees in the AST:
//
//	x::t, CAST(x AS t), t 'literal'   chronos_cast(x, 't')
//	concat(a, b) (the user's call)    chronos_concat(a, b)
//	a || b                            concat(a, b) (by the parser)
//	a ~ b, a ~* b                     chronos_regexp_match(a, b), chronos_regexp_imatch(a, b)
//	a !~ b, a !~* b                   NOT chronos_regexp_match(a, b), NOT chronos_regexp_imatch(a, b)
//	a IS [NOT] DISTINCT FROM b        [NOT] a <=> b
//	$n                                *test_driver.ParamMarkerExpr with Order n-1
//
// rewrite_test.go lists every rewrite with its input and output.
package dialect

import (
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Statement is one parsed statement of a query string.
type Statement struct {
	// Text is this statement's original text, trimmed of surrounding
	// white space and the terminating semicolon.
	Text string
	// AST is the statement as parsed by TiDB; nil when Special is set.
	AST ast.StmtNode
	// Special is one of the statement structs of this package (*Show, *Set,
	// *Reset, *Begin, *Commit, *Rollback, *Savepoint, *Release,
	// *RollbackTo, *Truncate, *Vacuum, *Analyze, *Copy, *Discard,
	// *Deallocate, *DropIndex, *Checkpoint) for statements handled without
	// the TiDB parser; nil otherwise.
	Special any
	// NumParams is the highest $n used in the statement (0 when none).
	NumParams int
	// Returning is the RETURNING list of an INSERT, UPDATE or DELETE, parsed
	// as a select list; nil when there is none.
	Returning []*ast.SelectField
	// OnConflict is the ON CONFLICT clause of an INSERT; nil when there is
	// none.
	OnConflict *OnConflict
	// offset is the byte offset of Text in the query string given to Parse.
	offset int
}

// OnConflict is an INSERT's ON CONFLICT clause.
type OnConflict struct {
	// Columns are the conflict target's column names (folded like any
	// identifier); empty when the clause names no columns.
	Columns []string
	// Constraint is the name given by ON CONFLICT ON CONSTRAINT name, or
	// empty.
	Constraint string
	// DoNothing is true for ON CONFLICT ... DO NOTHING.
	DoNothing bool
	// Set holds the assignments of DO UPDATE SET. References to the row
	// proposed for insertion appear as column references of the table
	// "excluded" (excluded.col).
	Set []*ast.Assignment
	// Where is the DO UPDATE's WHERE condition, or nil.
	Where ast.ExprNode
}
