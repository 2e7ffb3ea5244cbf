package storage

// Result is what Apply returns for one command.
type Result struct {
	// Err is nil when the command was applied, otherwise a *sqlerr.Error
	// saying why it was rejected (23505, 23502, 40001, 42P01, ...); a
	// rejected command changed nothing. It is declared as error so that a nil
	// Err is a nil interface.
	Err error
	// Rows holds, for a Write, one row per op in op order: the stored row for
	// an insert, update or increment (serial values filled in), the removed
	// row for a delete. Nil for other commands.
	Rows []*Row
	// Count is the number of rows the command affected: ops of a Write, rows
	// removed by Truncate, rows rewritten by AddColumn/DropColumn.
	Count int
	// Notices are NOTICE messages for the client, such as `relation "t"
	// already exists, skipping` for CREATE TABLE IF NOT EXISTS.
	Notices []string
}
