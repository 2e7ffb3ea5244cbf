package storage

import "github.com/chronos-db/chronos/engine/types"

// Row is one stored row. A *Row is immutable once stored: an update stores a
// new Row with the same ID, so a Snapshot's rows never change under a reader.
type Row struct {
	// ID identifies the row within its table. It is assigned at apply from
	// the table's counter and never reused, not even after TRUNCATE.
	ID uint64
	// Version is the raft index of the command that last wrote the row; a
	// write set's Update and Delete ops carry the version they read.
	Version uint64
	// Values holds one value per column of the table's definition, in order.
	Values []types.Value
}
