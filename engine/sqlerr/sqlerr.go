// Package sqlerr carries PostgreSQL SQLSTATE codes on Go errors.
//
// The engine reports every error a client can cause as an *Error with a Code
// from this package's catalogue; pgwire turns it into an ErrorResponse. Wrapping
// with %w keeps the code reachable through errors.As, and CodeOf finds it
// anywhere in the chain.
package sqlerr

import (
	"errors"
	"fmt"
)

// Code is a five-character SQLSTATE code.
type Code string

// The SQLSTATE catalogue, grouped by class as in PostgreSQL's errcodes.txt.
const (
	// Class 00: successful completion.
	SuccessfulCompletion Code = "00000"

	// Class 08: connection exception.
	ConnectionFailure      Code = "08006"
	ProtocolViolation      Code = "08P01"
	ConnectionDoesNotExist Code = "08003"

	// Class 0A: feature not supported.
	FeatureNotSupported Code = "0A000"

	// Class 21: cardinality violation.
	CardinalityViolation Code = "21000"

	// Class 22: data exception.
	DataException               Code = "22000"
	StringDataRightTruncation   Code = "22001"
	NumericValueOutOfRange      Code = "22003"
	InvalidDatetimeFormat       Code = "22007"
	DatetimeFieldOverflow       Code = "22008"
	DivisionByZero              Code = "22012"
	InvalidParameterValue       Code = "22023"
	InvalidTextRepresentation   Code = "22P02"
	BadCopyFileFormat           Code = "22P04"
	InvalidRegularExpression    Code = "2201B"
	InvalidEscapeSequence       Code = "22025"
	CharacterNotInRepertoire    Code = "22021"
	InvalidBinaryRepresentation Code = "22P03"

	// Class 23: integrity constraint violation.
	NotNullViolation    Code = "23502"
	ForeignKeyViolation Code = "23503"
	UniqueViolation     Code = "23505"
	CheckViolation      Code = "23514"

	// Class 25: invalid transaction state.
	ActiveSQLTransaction   Code = "25001"
	NoActiveSQLTransaction Code = "25P01"
	InFailedSQLTransaction Code = "25P02"
	ReadOnlySQLTransaction Code = "25006"

	// Class 26: invalid SQL statement name.
	InvalidSQLStatementName Code = "26000"

	// Class 28: invalid authorization specification.
	InvalidAuthorizationSpecification Code = "28000"
	InvalidPassword                   Code = "28P01"

	// Class 34: invalid cursor name.
	InvalidCursorName Code = "34000"

	// Class 3D: invalid catalog name.
	InvalidCatalogName Code = "3D000"

	// Class 3F: invalid schema name.
	InvalidSchemaName Code = "3F000"

	// Class 40: transaction rollback.
	SerializationFailure Code = "40001"

	// Class 42: syntax error or access rule violation.
	SyntaxError                        Code = "42601"
	InsufficientPrivilege              Code = "42501"
	UndefinedColumn                    Code = "42703"
	UndefinedFunction                  Code = "42883"
	UndefinedTable                     Code = "42P01"
	UndefinedObject                    Code = "42704"
	UndefinedParameter                 Code = "42P02"
	DuplicateColumn                    Code = "42701"
	DuplicateTable                     Code = "42P07"
	DuplicateObject                    Code = "42710"
	AmbiguousColumn                    Code = "42702"
	AmbiguousFunction                  Code = "42725"
	DatatypeMismatch                   Code = "42804"
	CannotCoerce                       Code = "42846"
	GroupingError                      Code = "42803"
	InvalidColumnReference             Code = "42P10"
	InvalidTableDefinition             Code = "42P16"
	InvalidPreparedStatementDefinition Code = "42P14"
	DuplicatePreparedStatement         Code = "42P05"
	InvalidColumnDefinition            Code = "42611"
	WrongObjectType                    Code = "42809"
	IndeterminateDatatype              Code = "42P18"
	InvalidName                        Code = "42602"
	DuplicateAlias                     Code = "42712"
	InvalidRecursion                   Code = "42P19"

	// Class 53: insufficient resources.
	TooManyConnections   Code = "53300"
	ProgramLimitExceeded Code = "54000"

	// Class 55: object not in prerequisite state.
	ObjectNotInPrerequisiteState Code = "55000"

	// Class 57: operator intervention.
	QueryCanceled    Code = "57014"
	AdminShutdown    Code = "57P01"
	CannotConnectNow Code = "57P03"

	// Class XX: internal error.
	InternalError Code = "XX000"
)

// Error is an error with a SQLSTATE code and the optional fields of a
// PostgreSQL ErrorResponse.
type Error struct {
	Code    Code
	Message string
	Detail  string
	Hint    string
	// Position is the 1-based character offset into the query text the
	// error refers to, or 0 when there is none.
	Position int
	// Severity is "ERROR" when empty; "FATAL" ends the session.
	Severity string
}

// Error implements error.
func (e *Error) Error() string { return e.Message }

// New returns an *Error with the given code and a formatted message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WithHint returns a copy of e with its hint set.
func (e *Error) WithHint(format string, args ...any) *Error {
	c := *e
	c.Hint = fmt.Sprintf(format, args...)
	return &c
}

// WithDetail returns a copy of e with its detail set.
func (e *Error) WithDetail(format string, args ...any) *Error {
	c := *e
	c.Detail = fmt.Sprintf(format, args...)
	return &c
}

// WithPosition returns a copy of e pointing at a 1-based character position.
func (e *Error) WithPosition(pos int) *Error {
	c := *e
	c.Position = pos
	return &c
}

// CodeOf returns the SQLSTATE code of err: the code of the first *Error in
// its chain, or InternalError when there is none.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return InternalError
}

// As returns the first *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
