package pgwire

import (
	"context"
	"errors"
	"math"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/jackc/pgx/v5/pgproto3"
)

// The errors pgwire itself reports, worded as PostgreSQL words them.
var (
	// errQueryCanceled is the cause of a statement context cancelled by a
	// CancelRequest.
	errQueryCanceled = sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to user request")
	// errAdminShutdown ends sessions on Shutdown (and is the cause of their
	// running statements' contexts).
	errAdminShutdown = &sqlerr.Error{Code: sqlerr.AdminShutdown, Severity: "FATAL",
		Message: "terminating connection due to administrator command"}
	// errShuttingDown refuses connections that arrive during Shutdown.
	errShuttingDown = &sqlerr.Error{Code: sqlerr.CannotConnectNow, Severity: "FATAL",
		Message: "the database system is shutting down"}
)

// codeDuplicateCursor is SQLSTATE 42P03 (a named portal that exists),
// which the shared catalogue does not list.
const codeDuplicateCursor sqlerr.Code = "42P03"

// protocolViolation is a FATAL 08P01 error: the stream can no longer be
// trusted, so the connection closes after reporting it.
func protocolViolation(format string, args ...any) *sqlerr.Error {
	e := sqlerr.New(sqlerr.ProtocolViolation, format, args...)
	e.Severity = "FATAL"
	return e
}

// toSQLError gives err its SQLSTATE: an *sqlerr.Error anywhere in its chain
// keeps its fields; a cancelled or timed-out context becomes 57014; anything
// else is an internal error (XX000, internal reports true so that the
// caller logs it, since nobody gave it a code).
func toSQLError(err error) (e *sqlerr.Error, internal bool) {
	if e := sqlerr.As(err); e != nil {
		return e, false
	}
	switch {
	case errors.Is(err, context.Canceled):
		return errQueryCanceled, false
	case errors.Is(err, context.DeadlineExceeded):
		return sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to statement timeout"), false
	}
	return sqlerr.New(sqlerr.InternalError, "%s", err.Error()), true
}

// errorResponse is the one place that turns an error into ErrorResponse
// fields (severity, SQLSTATE, message, detail, hint, position).
func errorResponse(e *sqlerr.Error) *pgproto3.ErrorResponse {
	sev := e.Severity
	if sev == "" {
		sev = "ERROR"
	}
	r := &pgproto3.ErrorResponse{
		Severity:            sev,
		SeverityUnlocalized: sev,
		Code:                string(e.Code),
		Message:             e.Message,
		Detail:              e.Detail,
		Hint:                e.Hint,
	}
	if e.Code == "" {
		r.Code = string(sqlerr.InternalError)
	}
	if e.Position > 0 {
		r.Position = int32(min(e.Position, math.MaxInt32))
	}
	return r
}

// isFatal reports whether e ends the session (FATAL or PANIC severity).
func isFatal(e *sqlerr.Error) bool {
	return e.Severity == "FATAL" || e.Severity == "PANIC"
}

// noticeResponse is a NOTICE carrying one of Result.Notices.
func noticeResponse(msg string) *pgproto3.NoticeResponse {
	return &pgproto3.NoticeResponse{
		Severity:            "NOTICE",
		SeverityUnlocalized: "NOTICE",
		Code:                string(sqlerr.SuccessfulCompletion),
		Message:             msg,
	}
}
