package pgwire

import (
	"context"

	"github.com/chronos-db/chronos/engine/types"
)

// Engine opens SQL sessions; the server implements it over the engine.
type Engine interface {
	// NewSession starts a session for an authenticated client.
	NewSession(ctx context.Context, params StartupParams) (Session, error)
}

// StartupParams is what the client said at startup.
type StartupParams struct {
	User     string
	Database string
	// Options holds every StartupMessage parameter (application_name,
	// client_encoding, DateStyle, options, ...).
	Options map[string]string
	// ProcessID is the session's BackendKeyData process ID (pg_backend_pid()).
	ProcessID uint32
}

// Session is one client's SQL session. pgwire calls it from one goroutine at
// a time; cancellation arrives through the context of the running call.
type Session interface {
	// Query runs a simple-protocol query string, which may hold several
	// statements separated by semicolons. It calls emit with each
	// statement's result in order and stops at the first error, which it
	// returns; an error from emit (the client is gone) is returned as it
	// is. A string without statements (";", only comments) emits one
	// Result with Empty set; pgwire answers a blank string itself.
	Query(ctx context.Context, query string, emit func(Result) error) error
	// Prepare parses and plans one statement for the extended protocol.
	// paramTypes holds the OIDs the client declared in Parse (0 = infer);
	// it may be shorter than the number of parameters. A string without
	// a statement (only comments) gives a Statement whose Execute returns
	// a Result with Empty set; pgwire prepares a blank string itself.
	Prepare(ctx context.Context, query string, paramTypes []types.OID) (Statement, error)
	// TxStatus is the ReadyForQuery status: 'I' idle, 'T' in a transaction,
	// 'E' in a failed transaction.
	TxStatus() byte
	// ChangedParameters returns the reportable run-time parameters
	// (application_name, TimeZone, DateStyle, ...) whose values changed since
	// the last call, for ParameterStatus messages.
	ChangedParameters() map[string]string
	// Close ends the session, rolling back an open transaction.
	Close()
}

// TxAborter is an optional interface of Session. When pgwire reports an
// error of its own inside a transaction block (a Bind parameter that does
// not parse, a portal that does not exist, a malformed message), it calls
// AbortTransaction so that the block fails ('E') as every error makes it
// fail in PostgreSQL. Errors returned by the Session itself are not
// reported back: the session has already seen them.
type TxAborter interface {
	// AbortTransaction marks an open transaction block failed; outside a
	// block it does nothing.
	AbortTransaction()
}

// Statement is a prepared statement.
type Statement interface {
	// ParamTypes has one entry per parameter $1..$n, inferred where the
	// client gave none (text when nothing else is known).
	ParamTypes() []types.OID
	// Columns describes the rows the statement returns, or is nil when it
	// returns none (Describe answers NoData).
	Columns() []Column
	// Execute runs the statement, once per portal (Bind), so possibly
	// many times. params holds one value per parameter, already decoded
	// to the Go representation of ParamTypes (nil = NULL). Rows must hold
	// values of the Go type of the Columns that pgwire described.
	Execute(ctx context.Context, params []types.Value) (Result, error)
}

// Column describes one result column, as in RowDescription.
type Column struct {
	Name string
	// TableOID and AttrNum identify the source column, or are zero.
	TableOID uint32
	AttrNum  int16
	Type     types.T
}

// Result is the outcome of one statement.
type Result struct {
	// Columns is nil for statements that return no rows.
	Columns []Column
	// Rows holds the result rows, one value per column.
	Rows [][]types.Value
	// Tag is the CommandComplete tag: "SELECT 2", "INSERT 0 1", "CREATE TABLE".
	Tag string
	// Empty marks an empty query string (EmptyQueryResponse).
	Empty bool
	// Notices are sent as NoticeResponse before the result.
	Notices []string
	// CopyIn is set for COPY ... FROM STDIN: pgwire runs copy-in mode
	// with it and reports its Done result instead (copy.go).
	CopyIn CopyIn
	// CopyOut is set for COPY ... TO STDOUT: its data is sent before the
	// command tag.
	CopyOut *CopyOut
}
