package repl

import (
	"github.com/jackc/pgx/v5/pgconn"
)

// result is one statement's outcome.
type result struct {
	// Table holds the rows when the statement returned a result set
	// (a RowDescription arrived), even an empty one; nil otherwise.
	Table *Table
	// Tag is the command tag ("INSERT 0 1", "SELECT 2").
	Tag string
}

// readResult drains one statement's result from rr. The error is the
// statement's error, typically a *pgconn.PgError.
func readResult(rr *pgconn.ResultReader) (*result, error) {
	var res result
	if fds := rr.FieldDescriptions(); fds != nil {
		t := &Table{Columns: make([]Column, len(fds)), Rows: [][]Cell{}}
		for i, f := range fds {
			t.Columns[i] = Column{Name: f.Name, TypeOID: f.DataTypeOID}
		}
		res.Table = t
	}
	for rr.NextRow() {
		vals := rr.Values()
		cells := make([]Cell, len(vals))
		for i, v := range vals {
			cells[i] = Cell{Text: string(v), Null: v == nil}
		}
		if res.Table != nil {
			res.Table.Rows = append(res.Table.Rows, cells)
		}
	}
	tag, err := rr.Close()
	if err != nil {
		return nil, err
	}
	res.Tag = tag.String()
	return &res, nil
}
