// Package csvstore keeps tables as CSV files and writes them as atomic
// checkpoints.
//
// A table is a CSV file: a header row of column names, then one record per
// row, quoted as RFC 4180 and encoding/csv's Writer do. SQL NULL is an empty
// unquoted field and the empty string is "" (PostgreSQL's COPY ... CSV
// convention), so the package has its own small Reader and Writer that track
// whether a field was quoted; any other CSV reader sees the same strings.
//
// A checkpoint is a directory holding catalog.json (the caller's catalog, a
// JSON value, the applied raft index and each file's length), one
// <table>.csv per table and the caller's companion files beside them
// (<table>.<kind>.csv). Write replaces the current checkpoint atomically: a
// crash at any moment leaves the old or the new checkpoint complete, and
// Open recovers the directory from every intermediate state. A file that
// has not changed since the current checkpoint is hard-linked into the new
// one, and one that only gained records is linked and appended to, past the
// end the current checkpoint owns. DESIGN.md gives the order of the steps
// and what a crash at each leaves.
//
// A file that does not parse stops ReadTable with an error naming the file
// and line ("users.csv:17: ..."); a table is never loaded in part silently.
//
// The package imports nothing else of Chronos: values are strings here, and
// the caller formats and parses them.
package csvstore
