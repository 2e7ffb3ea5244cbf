package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/chronos-db/chronos/engine/sqlerr"
)

// Errors that reach a client without a SQLSTATE get one here, in one table
// (STYLE.md rule 8): context errors become 57014, anything the Log returns
// that carries no code becomes 08006 (the node could not replicate the
// write), and everything else is left for pgwire to report as XX000.

// codeCantChangeRuntimeParam is PostgreSQL's 55P02, which sqlerr's
// catalogue lacks.
const codeCantChangeRuntimeParam sqlerr.Code = "55P02"

// errStatementTimeout is the cause attached to a statement's context when
// statement_timeout expires.
var errStatementTimeout = errors.New("statement timeout")

// errCanceled is what a cancelled statement returns.
func errCanceled(ctx context.Context) error {
	if errors.Is(context.Cause(ctx), errStatementTimeout) {
		return sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to statement timeout")
	}
	return sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to user request")
}

// mapError gives err a SQLSTATE if it has none and is one of the kinds this
// package knows. ctx is the statement's context.
func mapError(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if sqlerr.As(err) != nil {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
		return errCanceled(ctx)
	}
	return err
}

// logError turns a replication failure from the Log into a client error.
// The entry may or may not have been applied, so it is never retried.
func logError(ctx context.Context, err error) error {
	return logFailure(ctx, err, "could not replicate the write")
}

// readError turns a failed linearizable read into a client error.
func readError(ctx context.Context, err error) error {
	return logFailure(ctx, err, "could not confirm a linearizable read")
}

// logFailure maps an error from the Log: codes pass through, context
// errors are 57014, the rest 08006 prefixed with what failed.
func logFailure(ctx context.Context, err error, what string) error {
	if e := sqlerr.As(err); e != nil {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
		return errCanceled(ctx)
	}
	return &sqlerr.Error{
		Code:    sqlerr.ConnectionFailure,
		Message: fmt.Sprintf("%s: %v", what, err),
	}
}
