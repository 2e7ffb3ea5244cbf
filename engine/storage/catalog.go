package storage

import (
	"strings"

	"github.com/chronos-db/chronos/engine/types"
)

// FirstOID is the first object identifier Apply assigns to tables, indexes
// and views, as PostgreSQL's FirstNormalObjectId: lower numbers belong to
// built-in objects (pg_catalog).
const FirstOID uint32 = 16384

// Column is a column of a table.
type Column struct {
	// Name is the column name as stored (already case-folded by the engine).
	Name string
	// Type is the column's SQL type with its typmod.
	Type types.T
	// NotNull is set by NOT NULL and by membership in the primary key.
	NotNull bool
	// Default is the DEFAULT expression as SQL text, "" when none. The engine
	// evaluates it when it builds a write set; Apply never does.
	Default string
	// Serial marks a serial/bigserial/smallserial column: insert ops may list
	// it in SerialColumns to have Apply fill it from the column's sequence.
	Serial bool
}

// Index is an index of a table.
type Index struct {
	// Name is the index's relation name (unique among tables, views and
	// indexes). For a primary key or UNIQUE constraint it is also the
	// constraint's name: "<table>_pkey", "<table>_<col>_key".
	Name string
	// OID is assigned at apply; it is ignored in commands.
	OID uint32
	// Columns are the indexed columns' positions in TableDef.Columns.
	Columns []int
	// Unique forbids two rows with equal non-NULL keys.
	Unique bool
	// Primary marks the primary key (Unique, and its columns NOT NULL).
	Primary bool
	// Constraint marks an index backing a PRIMARY KEY or UNIQUE constraint
	// (as opposed to CREATE UNIQUE INDEX); DROP INDEX refuses to drop it.
	Constraint bool
}

// TableDef is the definition of a table. A *TableDef reachable from a
// Snapshot is shared and must not be modified; Apply replaces it on DDL.
type TableDef struct {
	// Name is the table name.
	Name string
	// OID is the table's pg_class OID, assigned at apply.
	OID uint32
	// Columns are the columns in attnum order (attnum = position + 1).
	Columns []Column
	// Indexes are the table's indexes, the primary key first when there is
	// one; positions in this slice are the indexPos of Table.IndexScan.
	Indexes []Index
	// Version is the raft index of the command that last changed this
	// definition (CREATE, ALTER, CREATE/DROP INDEX). Write ops may carry it
	// as SchemaVersion to detect a concurrent schema change.
	Version uint64
}

// ColumnIndex returns the position of the named column, or -1.
func (d *TableDef) ColumnIndex(name string) int {
	for i := range d.Columns {
		if d.Columns[i].Name == name {
			return i
		}
	}
	return -1
}

// ColumnNames returns the column names in order.
func (d *TableDef) ColumnNames() []string {
	names := make([]string, len(d.Columns))
	for i := range d.Columns {
		names[i] = d.Columns[i].Name
	}
	return names
}

// PrimaryKey returns the position in Indexes of the primary key, or -1.
func (d *TableDef) PrimaryKey() int {
	for i := range d.Indexes {
		if d.Indexes[i].Primary {
			return i
		}
	}
	return -1
}

// IndexByName returns the position in Indexes of the named index, or -1.
func (d *TableDef) IndexByName(name string) int {
	for i := range d.Indexes {
		if d.Indexes[i].Name == name {
			return i
		}
	}
	return -1
}

// ViewDef is the definition of a view.
type ViewDef struct {
	// Name is the view name.
	Name string
	// OID is the view's pg_class OID, assigned at apply.
	OID uint32
	// Query is the view's SELECT as SQL text, planned by the engine.
	Query string
	// Columns are the output column names.
	Columns []string
	// DependsOn lists the tables and views the query reads; DROP TABLE and
	// DROP VIEW refuse to drop them while this view exists.
	DependsOn []string
}

// maxIdentifierLength is PostgreSQL's NAMEDATALEN-1: longer generated names
// are truncated.
const maxIdentifierLength = 63

// IndexName returns the name PostgreSQL gives an index or constraint created
// without one: "<table>_pkey" for a primary key, "<table>_<cols>_key" for a
// UNIQUE constraint and "<table>_<cols>_idx" for CREATE INDEX, with cols
// joined by "_". It does not resolve collisions: CreateTable, CreateIndex,
// AddColumn and AddPrimaryKey do that at apply (appending 1, 2, ... like
// PostgreSQL) for indexes whose Name is empty. Overlong names are truncated
// the way PostgreSQL's makeObjectName does, shortening the longer part.
func IndexName(table string, columns []string, primary, constraint bool) string {
	return makeObjectName(indexNameParts(table, columns, primary, constraint))
}

// indexNameParts returns the parts makeObjectName joins for an index name.
func indexNameParts(table string, columns []string, primary, constraint bool) (name1, name2, label string) {
	switch {
	case primary:
		return table, "", "pkey"
	case constraint:
		return table, strings.Join(columns, "_"), "key"
	}
	return table, strings.Join(columns, "_"), "idx"
}

// makeObjectName joins name1, name2 and label with "_", truncating name1 and
// name2 (the longer first) so the result fits in maxIdentifierLength bytes.
func makeObjectName(name1, name2, label string) string {
	overhead := len(label) + 1
	if name2 != "" {
		overhead++
	}
	n1, n2 := len(name1), len(name2)
	for n1+n2+overhead > maxIdentifierLength {
		if n1 > n2 {
			n1--
		} else {
			n2--
		}
	}
	n1 = clipUTF8(name1, n1)
	n2 = clipUTF8(name2, n2)
	s := name1[:n1]
	if name2 != "" {
		s += "_" + name2[:n2]
	}
	return s + "_" + label
}

// clipUTF8 returns the largest n' <= n such that s[:n'] does not end inside a
// multi-byte UTF-8 sequence.
func clipUTF8(s string, n int) int {
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return n
}
