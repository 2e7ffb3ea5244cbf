// Package storage is Chronos's replicated state machine: the catalog, the
// in-memory tables and their indexes, the commands that change them, and
// their checkpoints as CSV files.
//
// # Apply
//
// Every change arrives as a Command committed to the raft log and is applied
// by (*Store).Apply in log order. Apply is deterministic: it reads no clock,
// draws no random number and never depends on map iteration order, so every
// replica applying the same log reaches the same state, row IDs, OIDs and
// serial values included. A command is applied entirely or not at all: Apply
// works on copy-on-write clones of the tables it touches and publishes them
// only when every check has passed. A rejection (a unique violation, a version
// that no longer matches, a DDL race) is reported in the Result, never as a
// panic, and leaves the state unchanged; the applied index still advances.
//
// Commands carry results, not statements (DESIGN.md decision 3): the node
// that ran a statement evaluated defaults, now() and expressions, and proposes
// rows by row ID with the versions it read. The only values computed at apply
// are row IDs, OIDs, serial values taken from a table's sequences and the new
// values of increment ops (SET n = n + 1 applied in log order).
//
// # Reading
//
// (*Store).Snapshot returns an immutable, consistent view: every published
// table is a set of immutable copy-on-write trees (github.com/google/btree
// for indexes, rowtrie.go for rows) that Apply never modifies again.
// Readers use a Snapshot without locks while Apply goes on. Rows (*Row) are
// immutable once stored; an update stores a new *Row. A row keeps its values
// encoded (row.go); Row.Values decodes them.
//
// Runs of writes are published lazily: between publications Apply changes
// its private clones in place, and Snapshot publishes them when it is
// called (O(1) when nothing is pending). (*Store).Published returns the
// last published snapshot without publishing, for planning: its catalog is
// always current.
//
// Each table keeps its rows in a B-tree ordered by row ID and one B-tree per
// index ordered by the index key: the indexed values encoded with
// types.AppendKey (memcomparable, NULL last), followed by the row ID for
// non-unique indexes and for unique-index entries holding a NULL (NULLs never
// collide, as in PostgreSQL).
//
// # Checkpoints
//
// (*Snapshot).WriteCheckpoint writes the state through package csvstore: one
// CSV file per table (values in PostgreSQL's text format), beside it a
// NAME.rowruns.csv with the row IDs and versions of its rows in file order
// (run-length encoded), so that log entries replayed after a restart find
// the same rows at the same versions, and a catalog.json holding the
// definitions, counters and sequences. A table unchanged since the store's
// last checkpoint keeps its files (hard links); a table that only gained rows
// (Table.lineage) has them appended; the others are written anew. Load reads
// it back and refuses, naming file and line, any file that does not parse or
// breaks the catalog (wrong type, NULL in a NOT NULL column, duplicate key).
// A catalog.json of format 1 keeps the row runs itself; one without row runs
// (written by hand) loads its rows with fresh row IDs.
//
// # Files
//
//	catalog.go      TableDef, Column, Index, ViewDef, PostgreSQL's generated names
//	command.go      the Command types; encode.go their protobuf encoding
//	store.go        Store: Apply, Snapshot
//	snapshot.go     Snapshot: the catalog as of one applied index
//	table.go        Table: rows by row ID; index.go index keys and scans
//	tx.go           one command being applied: clone on write, publish or drop
//	write.go        Write ops; arith.go increments
//	ddl_*.go        the DDL commands
//	checkpoint.go   WriteCheckpoint and Load
//	errors.go       PostgreSQL's error messages
package storage
