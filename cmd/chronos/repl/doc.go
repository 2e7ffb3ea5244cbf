// Package repl is Chronos's interactive SQL shell, used by both
// `chronos single-node` (against its embedded node) and `chronos client`
// (against any node of a cluster). It speaks the PostgreSQL protocol through
// pgx, so it also works against PostgreSQL itself, which its tests use as
// the reference.
//
// It follows psql's habits, file by file:
//
//   - split.go cuts input into statements at semicolons outside quotes,
//     dollar quotes, comments and parentheses; a backslash starts a
//     meta-command that runs to the end of the line;
//   - session.go sends each statement on its own with the simple protocol
//     (so SET, transactions and multi-statement -c strings behave as in
//     psql) and prints every result;
//   - format.go and format_aligned.go print results as psql 15 does:
//     aligned tables with centred headers and a row count, expanded mode,
//     unaligned and CSV, checked against goldens psql produced
//     (testdata/format);
//   - errors.go prints errors with their SQLSTATE, the LINE of the statement
//     and a caret under the error position, DETAIL and HINT;
//   - meta.go dispatches the backslash commands; meta_format.go has \x, \t,
//     \a, \timing and \pset; meta_conn.go \conninfo, \c and \consistency;
//     describe.go \d, \dt, \di, \dv, \l (with the catalog queries psql
//     sends) and \cluster; copy.go \copy;
//   - input.go reads a terminal with line editing and persistent history,
//     complete.go completes keywords, meta-commands and table names; Ctrl-C
//     cancels the running statement with a CancelRequest and leaves the
//     shell running, Ctrl-D ends it (repl.go);
//   - without a terminal, statements come from stdin, -c and -f, and
//     Config.OnErrorStop ends the run at the first error.
//
// Passwords come from the connection string, Config.Password, or PGPASSWORD
// and ~/.pgpass (read by pgx); when a server refuses the first connection
// for want of one, Config.PromptPassword asks for it (TerminalPassword in
// password.go reads it from the terminal without echo, as psql does).
//
// When the node the shell is connected to goes away, the shell says so,
// connects to the next address it was given and replays the session's SET
// commands there (conn.go). The statement that failed is not retried: it
// may or may not have been applied.
package repl
