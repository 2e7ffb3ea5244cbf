package engine

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/storage"
	"github.com/chronos-db/chronos/engine/types"
)

// The write path (DESIGN.md decision 3). A statement that changes rows is
// evaluated on this node against a snapshot: defaults, now(), the WHERE
// clause and the new values are all computed here, and the outcome is a
// storage.Write command listing row inserts, and updates and deletes by
// row ID with the version each row had in the snapshot. The command is
// proposed through the Log; Apply, on every replica in log order, checks
// the versions and applies all of it or nothing. A version that no longer
// matches means another write got there first: the statement is evaluated
// again on a fresh snapshot, a few times with a growing randomised pause,
// and the client sees 40001 only when the attempts run out.

// writeAttempt evaluates a write statement in st. It returns the command
// to propose, or nil when there is nothing to write, and the function that
// turns Apply's result into the statement's result.
type writeAttempt func(st *execState) (storage.Command, func(storage.Result) (Result, error), error)

// runWrite runs attempts until one applies. read says whether the
// statement reads rows (UPDATE, DELETE, INSERT ... SELECT), which then
// wait for a linearizable read first. retryUnique additionally retries a
// 23505 (INSERT ... ON CONFLICT, whose check raced with another insert).
func (s *Session) runWrite(ctx context.Context, read bool, deps *planDeps, params []types.Value, retryUnique bool, attempt writeAttempt) (Result, error) {
	if s.tx != nil {
		return s.txWrite(ctx, deps, params, attempt)
	}
	pause := time.Millisecond
	for try := 0; ; try++ {
		if read {
			if err := s.db.readBarrier(ctx, s.settings.stale); err != nil {
				return Result{}, err
			}
		}
		// A statement that reads no rows needs only the catalog, which the
		// published snapshot has current (storage.Store.Published).
		snap := s.db.Published()
		if read {
			snap = s.db.Snapshot()
		}
		if deps != nil && !deps.valid(snap) {
			return Result{}, errReplan
		}
		st := newExecState(ctx, s, snap, params)
		cmd, done, err := attempt(st)
		if err != nil {
			return Result{}, err
		}
		if cmd == nil {
			return done(storage.Result{})
		}
		res, err := s.db.propose(ctx, cmd)
		if err != nil {
			return Result{}, err
		}
		if res.Err != nil {
			code := sqlerr.CodeOf(res.Err)
			retry := code == sqlerr.SerializationFailure || (retryUnique && code == sqlerr.UniqueViolation)
			if retry && try < s.db.opts.RetryLimit {
				if deps != nil && !deps.valid(s.db.Snapshot()) {
					return Result{}, errReplan
				}
				if err := sleepCtx(ctx, pause/2+rand.N(pause)); err != nil {
					return Result{}, errCanceled(ctx)
				}
				if pause < 50*time.Millisecond {
					pause *= 2
				}
				continue
			}
			return Result{}, res.Err
		}
		return done(res)
	}
}

// sleepCtx pauses for d unless ctx ends first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
