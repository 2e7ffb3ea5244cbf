// Package repl is Chronos's interactive SQL shell, used by both
// `chronos single-node` (against its embedded node) and `chronos client`
// (against any node of a cluster). It speaks the PostgreSQL protocol through
// pgx, so it also works against PostgreSQL itself.
//
// It follows psql's habits:
//
//   - input is cut into statements at semicolons outside quotes, dollar
//     quotes, comments and parentheses (split.go); a backslash starts a
//     meta-command that runs to the end of the line (meta.go);
//   - each statement is sent on its own with the simple protocol, so SET,
//     transactions and multi-statement strings behave as in psql (session.go);
//   - results print as psql 15 prints them: aligned tables with centred
//     headers and a row count, expanded mode, unaligned and CSV (format.go,
//     checked against goldens produced by psql in testdata/format);
//   - errors print with their SQLSTATE, the LINE of the statement and a caret
//     under the error position, DETAIL and HINT (errors.go);
//   - a terminal gets line editing, persistent history and tab completion
//     (input.go, complete.go); Ctrl-C cancels the running statement with a
//     CancelRequest and leaves the shell running, Ctrl-D ends it;
//   - without a terminal, statements come from stdin, -c and -f, and
//     Config.OnErrorStop ends the run at the first error.
//
// Chronos adds \cluster (membership as the server reports it) and
// \consistency (the session's read consistency). When the node the shell is
// connected to goes away, the shell says so, connects to the next address it
// was given and replays the session's SET commands (conn.go).
package repl
