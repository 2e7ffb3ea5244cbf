package dialect

// The statements recognised before the TiDB parser and returned in
// Statement.Special. Names are folded like identifiers (unquoted to lower
// case, quoted as written).

// Show is SHOW name, SHOW ALL or SHOW TRANSACTION ISOLATION LEVEL.
type Show struct {
	// Name is the lower-cased parameter name: "all" for SHOW ALL,
	// "transaction_isolation" for SHOW TRANSACTION ISOLATION LEVEL.
	Name string
}

// Set is SET [SESSION | LOCAL] name {TO | =} value [, ...] and its special
// forms: SET TIME ZONE (Name "timezone"), SET NAMES (Name
// "client_encoding"), SET TRANSACTION and SET SESSION CHARACTERISTICS AS
// TRANSACTION (Transaction set).
type Set struct {
	// Name is the lower-cased parameter name; empty for a transaction form.
	Name string
	// Values are the value list as written: strings unquoted, identifiers
	// folded to lower case, numbers as their text. Empty with Default.
	Values []string
	// Default is true for SET name TO DEFAULT (and SET TIME ZONE LOCAL /
	// DEFAULT).
	Default bool
	// Local is true for SET LOCAL (the setting lasts until the end of the
	// transaction).
	Local bool
	// Transaction holds the modes of SET TRANSACTION (Session false) or SET
	// SESSION CHARACTERISTICS AS TRANSACTION (Session true); nil otherwise.
	Transaction *TransactionModes
	// Session is true for SET SESSION CHARACTERISTICS AS TRANSACTION.
	Session bool
}

// TransactionModes are the modes of BEGIN, START TRANSACTION and SET
// TRANSACTION. Empty fields were not given.
type TransactionModes struct {
	// Isolation is "serializable", "repeatable read", "read committed" or
	// "read uncommitted", or empty.
	Isolation string
	// ReadOnly is set for READ ONLY (true) or READ WRITE (false).
	ReadOnly *bool
	// Deferrable is set for DEFERRABLE (true) or NOT DEFERRABLE (false).
	Deferrable *bool
}

// Reset is RESET name or RESET ALL (Name "all").
type Reset struct {
	// Name is the lower-cased parameter name, or "all".
	Name string
}

// Begin is BEGIN [WORK | TRANSACTION] [modes] or START TRANSACTION [modes].
type Begin struct {
	TransactionModes
}

// Commit is COMMIT, COMMIT WORK / TRANSACTION or END.
type Commit struct{}

// Rollback is ROLLBACK, ROLLBACK WORK / TRANSACTION or ABORT.
type Rollback struct{}

// Savepoint is SAVEPOINT name.
type Savepoint struct {
	// Name is the savepoint's name, folded like an identifier.
	Name string
}

// Release is RELEASE [SAVEPOINT] name.
type Release struct {
	// Name is the savepoint's name, folded like an identifier.
	Name string
}

// RollbackTo is ROLLBACK [WORK | TRANSACTION] TO [SAVEPOINT] name.
type RollbackTo struct {
	// Name is the savepoint's name, folded like an identifier.
	Name string
}

// Truncate is TRUNCATE [TABLE] [ONLY] name [, ...] [RESTART IDENTITY |
// CONTINUE IDENTITY] [CASCADE | RESTRICT].
type Truncate struct {
	// Tables are the table names, folded like identifiers.
	Tables []string
	// RestartIdentity is true for RESTART IDENTITY.
	RestartIdentity bool
	// Cascade is true for CASCADE.
	Cascade bool
}

// Vacuum is VACUUM [...]: accepted and ignored.
type Vacuum struct {
	// Tables are the tables named, if any.
	Tables []string
}

// Analyze is ANALYZE [...]: accepted and ignored.
type Analyze struct {
	// Tables are the tables named, if any.
	Tables []string
}

// CopyFormat is the data format of a COPY.
type CopyFormat int

// The COPY formats.
const (
	CopyText CopyFormat = iota
	CopyCSV
	CopyBinary
)

// String returns the format's name as written in SQL.
func (f CopyFormat) String() string {
	switch f {
	case CopyCSV:
		return "csv"
	case CopyBinary:
		return "binary"
	}
	return "text"
}

// Copy is COPY table [(columns)] FROM STDIN | TO STDOUT [options] or COPY
// (query) TO STDOUT [options].
type Copy struct {
	// Table is the table name (folded like an identifier); empty with Query.
	Table string
	// Columns are the listed columns, nil when none are listed.
	Columns []string
	// Query is the parsed statement of COPY (query) TO; nil for a table.
	Query *Statement
	// From is true for COPY ... FROM STDIN, false for COPY ... TO STDOUT.
	From bool
	// Format is the data format (text unless given).
	Format CopyFormat
	// Header is true when HEADER was given.
	Header bool
	// Delimiter is the field separator: a tab for text, a comma for csv,
	// unless given.
	Delimiter string
	// Null is the string that represents NULL: `\N` for text, the empty
	// string for csv, unless given.
	Null string
	// Quote is the csv quote character (`"` unless given).
	Quote string
	// Escape is the csv escape character (the quote unless given).
	Escape string
	// Freeze is true for FREEZE (ignored by Chronos).
	Freeze bool
	// ForceQuote lists the columns of FORCE_QUOTE (csv, COPY TO);
	// ForceQuoteAll is FORCE_QUOTE *.
	ForceQuote    []string
	ForceQuoteAll bool
	// ForceNotNull lists the columns of FORCE_NOT_NULL (csv, COPY FROM).
	ForceNotNull []string
	// ForceNull lists the columns of FORCE_NULL (csv, COPY FROM).
	ForceNull []string
}

// Discard is DISCARD ALL (or PLANS, SEQUENCES, TEMP).
type Discard struct {
	// What is "all", "plans", "sequences" or "temp".
	What string
}

// Deallocate is DEALLOCATE [PREPARE] name | ALL.
type Deallocate struct {
	// Name is the prepared statement's name; empty with All.
	Name string
	// All is true for DEALLOCATE ALL.
	All bool
}

// DropIndex is DROP INDEX [CONCURRENTLY] [IF EXISTS] name [, ...] [CASCADE |
// RESTRICT].
type DropIndex struct {
	// Names are the index names, folded like identifiers.
	Names []string
	// IfExists is true for IF EXISTS.
	IfExists bool
	// Cascade is true for CASCADE.
	Cascade bool
}

// Checkpoint is CHECKPOINT.
type Checkpoint struct{}
