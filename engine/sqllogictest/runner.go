package sqllogictest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultTimeout is the time limit of one record when Config.Timeout is zero.
const DefaultTimeout = 5 * time.Second

// ErrServerDown is returned (wrapped) by Runner.Run when the server no longer
// accepts connections after a record failed: it crashed or hung, and the run
// must fail rather than count the rest of the file as failures.
var ErrServerDown = errors.New("sqllogictest: server is down")

// Config says where and how a Runner sends records.
type Config struct {
	// ConnString is a pgx connection string (URL or key=value form).
	ConnString string
	// Mode is the protocol mode; zero means Simple.
	Mode Mode
	// Timeout limits each record, and each reconnection; zero means
	// DefaultTimeout. A record that takes longer fails, and the runner
	// reconnects before the next one.
	Timeout time.Duration
	// Engine is the engine name for skipif/onlyif; "" means DefaultEngine.
	Engine string
}

// Runner runs scripts over one connection, which it replaces when a record
// times out or the connection breaks. A Runner is not safe for concurrent use.
type Runner struct {
	cfg  Config
	pgx  *pgx.ConnConfig
	conn *pgx.Conn
}

// Connect parses cfg, fills its defaults and opens the connection.
func Connect(ctx context.Context, cfg Config) (*Runner, error) {
	if cfg.Mode == 0 {
		cfg.Mode = Simple
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Engine == "" {
		cfg.Engine = DefaultEngine
	}
	pc, err := pgx.ParseConfig(cfg.ConnString)
	if err != nil {
		return nil, fmt.Errorf("sqllogictest: %w", err)
	}
	pc.ConnectTimeout = cfg.Timeout
	r := &Runner{cfg: cfg, pgx: pc}
	if err := r.connect(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

// Mode returns the protocol mode the runner uses.
func (r *Runner) Mode() Mode { return r.cfg.Mode }

func (r *Runner) connect(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, r.pgx.Copy())
	if err != nil {
		return fmt.Errorf("sqllogictest: connect: %w", err)
	}
	r.conn = conn
	return nil
}

// Close closes the connection.
func (r *Runner) Close(ctx context.Context) error {
	if r.conn == nil {
		return nil
	}
	err := r.conn.Close(ctx)
	r.conn = nil
	return err
}

// recover makes sure the runner has a working connection after a failed
// record: a connection that is closed (a timeout closes it) is replaced. If
// no new connection can be made, twice, the server is down.
func (r *Runner) recover(ctx context.Context) error {
	if r.conn != nil && !r.conn.IsClosed() {
		return nil
	}
	if r.conn != nil {
		closeCtx, cancel := context.WithTimeout(ctx, time.Second)
		r.conn.Close(closeCtx)
		cancel()
		r.conn = nil
	}
	err := r.connect(ctx)
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	time.Sleep(200 * time.Millisecond)
	if err2 := r.connect(ctx); err2 == nil {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrServerDown, err)
}

// Run runs every record of the script that is counted for the engine, in
// order, and returns the counts and failures. Records of the script depend
// on each other; the database is expected to hold none of the script's
// tables at the start (see DropObjects). The error is non-nil only when the
// run could not go on: the context ended or the server went down
// (ErrServerDown); the result then covers the records run so far.
func (r *Runner) Run(ctx context.Context, s *Script) (*FileResult, error) {
	res := &FileResult{File: s.Name, Mode: r.cfg.Mode}
	start := time.Now()
	defer func() { res.Duration = time.Since(start) }()
	threshold := 0
	halted := false
	for _, rec := range s.Records {
		res.Records++
		if halted {
			continue
		}
		if !rec.Runs(r.cfg.Engine) {
			if rec.Kind == KindStatement || rec.Kind == KindQuery {
				res.Skipped++
			}
			continue
		}
		switch rec.Kind {
		case KindHashThreshold:
			threshold = rec.Threshold
			continue
		case KindHalt:
			halted = true
			continue
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
		res.Counted++
		f := r.runRecord(ctx, rec, threshold)
		if f == nil {
			res.Passed++
			continue
		}
		f.File = s.Name
		f.Mode = r.cfg.Mode
		res.Failures = append(res.Failures, f)
		if err := r.recover(ctx); err != nil {
			return res, fmt.Errorf("%s:%d: %w", s.Name, rec.Line, err)
		}
	}
	return res, nil
}

// runRecord runs one statement or query record and returns its failure, or
// nil when it passed.
func (r *Runner) runRecord(ctx context.Context, rec *Record, threshold int) *Failure {
	if r.conn == nil || r.conn.IsClosed() {
		if err := r.recover(ctx); err != nil {
			return &Failure{Record: rec, Reason: "no connection", Err: err}
		}
	}
	rctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	res, err := r.exec(rctx, rec.SQL)
	if err != nil && rctx.Err() != nil && ctx.Err() == nil {
		return &Failure{Record: rec, Reason: "timeout", Err: fmt.Errorf("no answer within %v: %w", r.cfg.Timeout, err)}
	}
	if rec.Kind == KindStatement {
		switch {
		case rec.ExpectError && err == nil:
			return &Failure{Record: rec, Reason: "statement succeeded, error expected"}
		case !rec.ExpectError && err != nil:
			return &Failure{Record: rec, Reason: "error", Err: err}
		}
		return nil
	}
	if err != nil {
		return &Failure{Record: rec, Reason: "error", Err: err}
	}
	if len(res.oids) != len(rec.Types) {
		return &Failure{Record: rec, Reason: fmt.Sprintf("%d result columns, %d expected", len(res.oids), len(rec.Types)),
			Columns: len(res.oids), Threshold: threshold}
	}
	values := make([]string, 0, len(res.rows)*len(res.oids))
	for _, row := range res.rows {
		for i, raw := range row {
			values = append(values, FormatValue(raw, res.oids[i], rec.Types[i]))
		}
	}
	SortValues(values, len(rec.Types), rec.Sort)
	if Matches(values, rec.Expected) {
		return nil
	}
	return &Failure{Record: rec, Reason: "wrong result", Actual: values, Columns: len(res.oids), Threshold: threshold}
}

// result is a query's raw text result.
type result struct {
	oids []uint32   // column type OIDs from RowDescription
	rows [][][]byte // text values; nil is NULL
}

// exec sends sql in the runner's mode and reads its whole text result.
func (r *Runner) exec(ctx context.Context, sql string) (*result, error) {
	rows, err := r.conn.Query(ctx, sql, r.cfg.Mode.queryArgs()...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	res := &result{}
	for rows.Next() {
		raw := rows.RawValues()
		row := make([][]byte, len(raw))
		for i, v := range raw {
			if v != nil {
				row[i] = append([]byte{}, v...)
			}
		}
		res.rows = append(res.rows, row)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Read the description last: in the simple protocol it is known only
	// once the RowDescription has arrived.
	for i, fd := range rows.FieldDescriptions() {
		if fd.Format != 0 {
			return nil, fmt.Errorf("column %d (%s) came in binary format; text was requested", i+1, fd.Name)
		}
		res.oids = append(res.oids, fd.DataTypeOID)
	}
	return res, nil
}
