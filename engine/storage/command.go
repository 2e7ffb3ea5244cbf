package storage

import "github.com/chronos-db/chronos/engine/types"

// Command is a change to the state machine, proposed through raft and applied
// by (*Store).Apply. The implementations are the pointer types *Noop, *Write,
// *CreateTable, *DropTable, *CreateIndex, *DropIndex, *AddColumn,
// *DropColumn, *AddPrimaryKey, *Truncate, *CreateView and *DropView.
// EncodeCommand and DecodeCommand convert them to and from the log's bytes.
type Command interface {
	command()
}

// Noop changes nothing (a barrier, or a new leader's first entry).
type Noop struct{}

// OpKind says what an Op does.
type OpKind uint8

// The kinds of Op.
const (
	// OpInsert stores Values as a new row with a fresh row ID.
	OpInsert OpKind = iota + 1
	// OpUpdate replaces row RowID, which must still be at Version, by Values.
	OpUpdate
	// OpDelete removes row RowID, which must still be at Version.
	OpDelete
	// OpIncrement adds each Delta to row RowID's current values, whatever its
	// version: the deterministic per-row expression of DESIGN.md decision 3
	// (UPDATE ... SET n = n + 1 WHERE pk = ...), so hot counters do not abort
	// each other. The row must still exist.
	OpIncrement
)

// String returns the kind's name.
func (k OpKind) String() string {
	switch k {
	case OpInsert:
		return "insert"
	case OpUpdate:
		return "update"
	case OpDelete:
		return "delete"
	case OpIncrement:
		return "increment"
	}
	return "unknown"
}

// Op is one row change of a Write.
type Op struct {
	// Kind is what the op does.
	Kind OpKind
	// Table is the table name.
	Table string
	// RowID is the row changed (update, delete, increment); 0 for an insert.
	RowID uint64
	// Version is the row version the writer read (update, delete): when the
	// stored row's Version differs, or the row is gone, the whole Write is
	// rejected with 40001. On an insert, a non-zero Version says Values
	// already hold the SerialColumns values a transaction showed its client
	// (taken provisionally on its overlay): Apply still takes the values from
	// the sequences and rejects the Write with 40001 unless they are the same.
	Version uint64
	// Values is the complete new row, one value per column, already cast to
	// the columns' types (insert, update).
	Values []types.Value
	// SerialColumns lists the columns of an insert whose value Apply takes
	// from the column's sequence (nextval), replacing Values[c].
	SerialColumns []int
	// Deltas are the additions of an increment op.
	Deltas []Delta
	// TableOID, when non-zero, must be the table's current OID (the table was
	// not dropped and re-created meanwhile); otherwise the Write fails with
	// 40001.
	TableOID uint32
	// SchemaVersion, when non-zero, must be the table's TableDef.Version (no
	// ALTER meanwhile); otherwise the Write fails with 40001.
	SchemaVersion uint64
}

// Delta adds Add to column Column of a row: int2/int4/int8 (Add an int64,
// overflow is 22003), float4/float8 (float64) or numeric (*apd.Decimal). A
// NULL stored value stays NULL, as NULL + x is NULL.
type Delta struct {
	Column int
	Add    types.Value
}

// Read is something a transaction observed. With a RowID it is a row read:
// Apply rejects the Write with 40001 unless the row still exists at
// Version. With RowID 0 it is a table read (a scan): Version is the applied
// index of the transaction's snapshot and Rows the number of rows the table
// had then; Apply rejects the Write unless no row of the table was written
// after Version (see validate.go).
type Read struct {
	Table   string
	RowID   uint64
	Version uint64
	Rows    uint64
}

// Write is a write set: row changes applied in order, entirely or not at
// all, after its Reads are validated.
type Write struct {
	Ops   []Op
	Reads []Read
}

// CreateTable creates a table. OIDs in Def are ignored and assigned at
// apply; indexes with an empty Name get PostgreSQL's generated name (see
// IndexName); primary key columns become NOT NULL.
type CreateTable struct {
	Def         TableDef
	IfNotExists bool
}

// DropTable drops tables (DROP TABLE a, b).
type DropTable struct {
	Names    []string
	IfExists bool
}

// CreateIndex builds an index on a table; a unique index fails with 23505
// when existing rows collide. An empty Index.Name gets a generated one.
type CreateIndex struct {
	Table       string
	Index       Index
	IfNotExists bool
}

// DropIndex drops indexes by name.
type DropIndex struct {
	Names    []string
	IfExists bool
}

// AddColumn appends a column. Every existing row gets Fill (the DEFAULT the
// engine evaluated, or nil); for a serial column with a nil Fill each row
// gets the sequence's next value in row-ID order. Indexes (for ADD COLUMN ...
// UNIQUE or PRIMARY KEY) are built afterwards, their Columns counting the
// new column.
type AddColumn struct {
	Table       string
	Column      Column
	Fill        types.Value
	IfNotExists bool
	Indexes     []Index
}

// DropColumn removes a column and every index that uses it.
type DropColumn struct {
	Table    string
	Column   string
	IfExists bool
}

// AddPrimaryKey makes Columns the table's primary key: they must hold no
// NULL (23502) and no duplicates (23505), and become NOT NULL. An empty Name
// means "<table>_pkey".
type AddPrimaryKey struct {
	Table   string
	Name    string
	Columns []int
}

// Truncate removes every row of the tables. Row IDs are never reused;
// sequences restart at 1 only with RestartIdentity.
type Truncate struct {
	Names           []string
	RestartIdentity bool
}

// CreateView creates (or with OrReplace replaces) a view.
type CreateView struct {
	Def       ViewDef
	OrReplace bool
}

// DropView drops views.
type DropView struct {
	Names    []string
	IfExists bool
}

func (*Noop) command()          {}
func (*Write) command()         {}
func (*CreateTable) command()   {}
func (*DropTable) command()     {}
func (*CreateIndex) command()   {}
func (*DropIndex) command()     {}
func (*AddColumn) command()     {}
func (*DropColumn) command()    {}
func (*AddPrimaryKey) command() {}
func (*Truncate) command()      {}
func (*CreateView) command()    {}
func (*DropView) command()      {}
