// Package dialect is Chronos's PostgreSQL-dialect front end over the TiDB
// parser (DESIGN.md decision 6).
//
// Parse lexes a query string with PostgreSQL's lexical rules, splits it
// into statements on top-level semicolons, turns the PostgreSQL syntax the
// MySQL-dialect TiDB parser lacks into syntax it has, and parses the result
// with the TiDB parser in ANSI_QUOTES, PIPES_AS_CONCAT and
// NO_BACKSLASH_ESCAPES mode. Unquoted identifiers are folded to lower case
// and quoted ones kept, so the AST's .O names are PostgreSQL's names.
// Statements the TiDB parser cannot express (SHOW, SET, BEGIN with modes,
// COPY, VACUUM, TRUNCATE, DROP INDEX, ...) are recognised first and returned
// as the structs of special.go in Statement.Special.
//
// What the engine finds in the AST for PostgreSQL syntax:
//
//	$n                                *test_driver.ParamMarkerExpr, Order n-1
//	x::t, CAST(x AS t), t 'literal'   chronos_cast(x, 't')  ('t' as written, for types.ParseTypeName)
//	TRUE, FALSE                       chronos_cast('true', 'boolean'), ... (TiDB reads TRUE as the integer 1)
//	1e5, 9223372036854775808          chronos_cast('1e5', 'numeric'), ... (numeric in PostgreSQL)
//	a || b                            (concat(a, b)), parenthesised (bare as a lone argument): || binds looser than + in PostgreSQL
//	concat(a, b) (the user's)         chronos_concat(a, b)
//	a ~ b, a ~* b                     chronos_regexp_match(a, b), chronos_regexp_imatch(a, b)
//	a !~ b, a !~* b                   (NOT chronos_regexp_match(a, b)), (NOT chronos_regexp_imatch(a, b))
//	a ~~ b, a !~~ b, ~~*, !~~*        a LIKE b, a NOT LIKE b, ILIKE, NOT ILIKE
//	a IS NOT DISTINCT FROM b          a <=> b
//	a IS DISTINCT FROM b              a <=> b IS FALSE
//	a ISNULL, a NOTNULL               a IS NULL, a IS NOT NULL
//	a ^ b                             power(a, b)
//	x AT TIME ZONE z                  timezone(z, x)
//	pg_catalog.f(...)                 f(...)
//	COLLATE "C" / "default" / ...     dropped
//	e ASC NULLS FIRST                 e IS NULL DESC, e ASC (and DESC NULLS LAST alike)
//	LIMIT ALL, OFFSET n ROWS, FETCH   LIMIT count OFFSET skip
//	agg(x) FILTER (WHERE c)           agg(CASE WHEN c THEN x END); count(*) counts CASE WHEN c THEN 1 END
//	FROM f(args) [AS] a [(c)]         FROM (SELECT f(args) AS c) AS a  (c defaults to a, then f)
//	(query) AS a (c1, c2)             (WITH a (c1, c2) AS (query) SELECT * FROM a) AS a
//	VALUES (..), (..) as a query      SELECT .. AS column1, .. UNION ALL SELECT ..
//	TiDB-reserved names (key, rank)   quoted
//
// CREATE TABLE and ALTER TABLE ADD COLUMN get TiDB column types that
// ColumnType maps back to the PostgreSQL type (see coltype.go); INSERT's
// RETURNING and ON CONFLICT clauses are parsed on their own into
// Statement.Returning and Statement.OnConflict. rewrite_test.go lists every
// rewrite with its input and output; the rewrite of rewritten query text is
// that text itself, so a stored view query parses back to the same tree, and
// Restore writes an expression back as text Parse reads to the same tree.
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
