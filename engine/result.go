package engine

import (
	"github.com/chronos-db/chronos/engine/types"
)

// Column describes one result column, as a RowDescription field does.
type Column struct {
	// Name is the output column name, as PostgreSQL would choose it.
	Name string
	// TableOID and AttrNum identify the table column the value comes
	// straight from, or are zero.
	TableOID uint32
	AttrNum  int16
	// Type is the column's SQL type.
	Type types.T
}

// Result is the outcome of one statement.
type Result struct {
	// Columns is nil for statements that return no rows.
	Columns []Column
	// Rows holds the result rows, one value per column (nil is NULL).
	Rows [][]types.Value
	// Tag is the command tag: "SELECT 2", "INSERT 0 1", "CREATE TABLE".
	Tag string
	// Empty marks an empty query string.
	Empty bool
	// Notices are messages for the client (NoticeResponse), sent before
	// the result.
	Notices []string
	// CopyIn is set for COPY ... FROM STDIN (only in sessions opened with
	// SessionOptions.Copy): the caller runs the copy with it before the
	// emit call returns, and reports CopyIn.Done's result instead.
	CopyIn *CopyIn
	// CopyOut is set for COPY ... TO STDOUT (likewise): the rows to send
	// as CopyData before the command tag.
	CopyOut *CopyOut
}
