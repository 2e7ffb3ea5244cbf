package engine

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/chronos-db/chronos/engine/dialect"
	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// SessionOptions is what a client said when it connected.
type SessionOptions struct {
	User     string
	Database string
	// Params are startup parameters (application_name, client_encoding,
	// DateStyle, TimeZone, options with -c name=value, ...). Settings the
	// engine knows are applied; others are ignored.
	Params map[string]string
	// ProcessID identifies the session (pg_backend_pid()).
	ProcessID uint32
	// Copy says the caller runs COPY's sub-protocol through Result.CopyIn
	// and Result.CopyOut (see copy.go); without it COPY is refused.
	Copy bool
}

// Session is one client's SQL session: its settings, its transaction
// state and its prepared statements' plans. A Session is used by one
// goroutine at a time; a running statement is cancelled through the
// context of its call.
type Session struct {
	db        *DB
	user      string
	database  string
	processID uint32
	settings  sessionSettings
	// txStatus is 'I' (idle), 'T' (in a transaction block) or 'E' (in a
	// failed transaction block).
	txStatus byte
	// tx is the open transaction block, nil when txStatus is 'I'.
	tx *txn
	// stmtStart is the current statement's start: now().
	stmtStart time.Time
	logger    *slog.Logger
	// copyEnabled is SessionOptions.Copy.
	copyEnabled bool
}

// NewSession starts a session.
func (db *DB) NewSession(opts SessionOptions) (*Session, error) {
	s := &Session{
		db:        db,
		user:      opts.User,
		database:  opts.Database,
		processID: opts.ProcessID,
		settings:  newSessionSettings(),
		txStatus:  'I',
		logger:    db.logger,

		copyEnabled: opts.Copy,
	}
	if s.user == "" {
		s.user = "chronos"
	}
	if s.database == "" {
		s.database = s.user
	}
	for name, v := range opts.Params {
		switch strings.ToLower(name) {
		case "user", "database", "replication":
			continue
		case "options":
			for _, kv := range parseStartupOptions(v) {
				if err := s.settings.set(kv[0], kv[1]); err != nil {
					return nil, err
				}
			}
			continue
		}
		if st, err := lookupSetting(name); err != nil || st.readOnly {
			continue
		}
		if err := s.settings.set(name, v); err != nil {
			return nil, err
		}
	}
	clear(s.settings.changed)
	return s, nil
}

// parseStartupOptions reads the -c name=value (and --name=value) pairs of
// the startup "options" parameter.
func parseStartupOptions(v string) [][2]string {
	var out [][2]string
	fields := strings.Fields(v)
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		var kv string
		switch {
		case f == "-c" && i+1 < len(fields):
			i++
			kv = fields[i]
		case strings.HasPrefix(f, "-c"):
			kv = f[2:]
		case strings.HasPrefix(f, "--"):
			kv = f[2:]
		default:
			continue
		}
		if name, val, ok := strings.Cut(kv, "="); ok {
			out = append(out, [2]string{strings.ReplaceAll(name, "-", "_"), val})
		}
	}
	return out
}

// Query runs a simple-protocol query string, which may hold several
// statements, calling emit with each statement's result in order. It
// stops at the first error and returns it; an empty string emits one
// Result with Empty set.
func (s *Session) Query(ctx context.Context, sql string, emit func(Result) error) error {
	stmts, err := dialect.Parse(sql)
	if err != nil {
		s.failTx()
		return err
	}
	if len(stmts) == 0 {
		return emit(Result{Empty: true})
	}
	for _, st := range stmts {
		res, err := s.run(ctx, st, nil, nil)
		if err != nil {
			return withPosition(err, sql, st.Text)
		}
		if err := emit(res); err != nil {
			return err
		}
	}
	return nil
}

// run executes one statement: the transaction-state check, the statement
// timeout, panics turned into errors, and error bookkeeping. ps is the
// prepared statement being executed, or nil.
func (s *Session) run(ctx context.Context, st *dialect.Statement, ps *Statement, params []types.Value) (res Result, err error) {
	if s.txStatus == 'E' && !endsTransaction(st) {
		return Result{}, sqlerr.New(sqlerr.InFailedSQLTransaction, "current transaction is aborted, commands ignored until end of transaction block")
	}
	if d := s.settings.timeout; d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, d, errStatementTimeout)
		defer cancel()
	}
	s.stmtStart = time.Now()
	defer func() {
		if r := recover(); r != nil {
			s.logger.Error("engine: panic in statement", "sql", redactedText(st), "panic", r, "stack", string(debug.Stack()))
			err = sqlerr.New(sqlerr.InternalError, "internal error: %v", r)
		}
		if err != nil {
			err = mapError(ctx, err)
			s.failTx()
		}
	}()
	if ps != nil {
		return ps.execute(ctx, params)
	}
	p, err := s.buildPlan(ctx, st, nil)
	if err != nil {
		return Result{}, err
	}
	return s.execPlan(ctx, st, &p, nil, nil)
}

// endsTransaction reports whether st may run in a failed transaction
// block (COMMIT, ROLLBACK).
func endsTransaction(st *dialect.Statement) bool {
	switch st.Special.(type) {
	case *dialect.Commit, *dialect.Rollback, *dialect.RollbackTo:
		return true
	}
	switch st.AST.(type) {
	case *ast.CommitStmt, *ast.RollbackStmt:
		return true
	}
	return false
}

// failTx marks an open transaction block failed after an error.
func (s *Session) failTx() {
	if s.txStatus == 'T' {
		s.txStatus = 'E'
	}
}

// TxStatus is the ReadyForQuery status: 'I' idle, 'T' in a transaction
// block, 'E' in a failed transaction block.
func (s *Session) TxStatus() byte { return s.txStatus }

// ChangedParameters returns the reportable settings (application_name,
// TimeZone, DateStyle, client_encoding, ...) changed since the last call,
// by their canonical names.
func (s *Session) ChangedParameters() map[string]string { return s.settings.takeChanged() }

// Parameters returns every reportable setting's current value, for the
// ParameterStatus messages sent at startup.
func (s *Session) Parameters() map[string]string {
	out := map[string]string{}
	for _, st := range settings {
		if st.reportable {
			v, _ := s.settings.get(st.name)
			out[st.name] = v
		}
	}
	if s.user != "" {
		out["session_authorization"] = s.user
	}
	return out
}

// Setting returns a run-time parameter's current value.
func (s *Session) Setting(name string) (string, bool) { return s.settings.get(name) }

// Close ends the session. An open transaction block is rolled back.
func (s *Session) Close() {
	s.endTx()
}

// statementTime is now() for the running statement.
func (s *Session) statementTime() time.Time {
	if s.stmtStart.IsZero() {
		return time.Now()
	}
	return s.stmtStart
}

// String identifies the session in logs.
func (s *Session) String() string {
	return fmt.Sprintf("session %d (%s@%s)", s.processID, s.user, s.database)
}
