package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// runSource reads lines from r until the end of input or \q, running each
// complete statement and meta-command. name labels error messages ("" for
// the terminal and -c). It returns ErrFailed when OnErrorStop ended it, and
// errQuit after \q.
func (s *session) runSource(ctx context.Context, r lineReader, name string) error {
	savedName, savedLine := s.inputName, s.lineNo
	s.inputName, s.lineNo = name, 0
	defer func() { s.inputName, s.lineNo = savedName, savedLine }()

	var sp Splitter
	if s.interactive && r == lineReader(s.editor) {
		s.splitter = &sp
	}
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		line, err := r.ReadLine(s.prompt(sp.PromptChar()))
		switch {
		case errors.Is(err, errInterrupt):
			sp.Reset() // Ctrl-C while typing discards the statement
			continue
		case err == io.EOF:
			if s.interactive && r == lineReader(s.editor) {
				return nil
			}
			// Like psql, run a last statement that lacks its semicolon.
			if sql, ok := sp.Flush(); ok {
				if !s.execSQL(ctx, sql) && s.cfg.OnErrorStop {
					return ErrFailed
				}
			}
			return nil
		case err != nil:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		s.lineNo++
		for _, it := range sp.Feed(line) {
			var failed bool
			if it.Meta != "" {
				r.AddHistory(it.Meta)
				err := s.runMeta(ctx, it.Meta, &sp, r)
				if errors.Is(err, errQuit) {
					return err
				}
				failed = err != nil
			} else {
				r.AddHistory(it.SQL)
				failed = !s.execSQL(ctx, it.SQL)
			}
			if failed && s.cfg.OnErrorStop {
				return ErrFailed
			}
		}
	}
}

// prompt is psql's default prompt: the database name, then '=' or the
// continuation state ('-', '\”, '"', '$', '*', '('), or '!' when
// disconnected, then '*' inside a transaction or '!' inside a failed one,
// then '>'.
func (s *session) prompt(state byte) string {
	db := "chronos"
	tx := ""
	if s.conn != nil {
		db = s.conn.Config().Database
		switch s.lastTxStatus {
		case 'T':
			tx = "*"
		case 'E':
			tx = "!"
		}
	}
	if !s.connected() {
		state = '!'
	}
	return fmt.Sprintf("%s%c%s> ", db, state, tx)
}

// errPrefix is psql's location prefix for messages about a script:
// "chronos:file.sql:3: ", empty for the terminal and -c.
func (s *session) errPrefix() string {
	if s.inputName == "" {
		return ""
	}
	return fmt.Sprintf("chronos:%s:%d: ", s.inputName, s.lineNo)
}

// printError reports a failed statement on Stderr.
func (s *session) printError(err error, query string) {
	fmt.Fprint(s.cfg.Stderr, s.errPrefix()+formatError(err, query))
}

// printNotice reports a notice or warning from the server.
func (s *session) printNotice(n *pgconn.PgError) {
	fmt.Fprint(s.cfg.Stderr, s.errPrefix()+formatServerError(n, ""))
}

// info prints an informational message on Stdout unless Quiet.
func (s *session) info(format string, args ...any) {
	if !s.cfg.Quiet {
		fmt.Fprintf(s.cfg.Stdout, format+"\n", args...)
	}
}

// execSQL sends sql as one simple-protocol query and prints every result.
// It reports whether all of it succeeded.
func (s *session) execSQL(ctx context.Context, sql string) bool {
	if err := s.ensureConnected(ctx); err != nil {
		fmt.Fprintf(s.cfg.Stderr, "%s%v\n", s.errPrefix(), err)
		return false
	}
	s.lastQuery = sql
	pc := s.conn.PgConn()
	start := time.Now()
	s.running.Store(pc)
	mrr := pc.Exec(ctx, sql)
	var failed error
	var results []*result
	for mrr.NextResult() {
		res, err := readResult(mrr.ResultReader())
		if err != nil {
			if failed == nil {
				failed = err
			}
			continue
		}
		results = append(results, res)
		s.printResult(res)
	}
	if err := mrr.Close(); err != nil && failed == nil {
		failed = err
	}
	s.running.Store(nil)
	if failed != nil {
		var pgErr *pgconn.PgError
		if !errors.As(failed, &pgErr) && !s.connected() {
			fmt.Fprintf(s.cfg.Stderr, "%sserver closed the connection unexpectedly\n"+
				"\tThis probably means the server terminated abnormally\n"+
				"\tbefore or while processing the request.\n", s.errPrefix())
		} else {
			s.printError(failed, sql)
		}
	}
	elapsed := time.Since(start)
	s.lastTxStatus = pc.TxStatus()

	if failed == nil {
		for _, r := range results {
			s.noteSuccess(sql, r.Tag, len(results) == 1)
		}
	}
	if s.timing {
		fmt.Fprintln(s.cfg.Stdout, formatTiming(elapsed))
	}
	if failed != nil && !s.connected() && ctx.Err() == nil {
		// The node went away: say so and move to another one. The failed
		// statement is not retried: it may or may not have been applied.
		if err := s.reconnect(ctx); err != nil {
			fmt.Fprintf(s.cfg.Stderr, "%s%v\n", s.errPrefix(), err)
		}
	}
	return failed == nil
}

// noteSuccess updates session state after a statement succeeded: SET
// commands to replay after a reconnect (only when the statement was sent
// alone, so its text is the SET) and the table names for completion.
func (s *session) noteSuccess(sql, tag string, alone bool) {
	if alone {
		s.settings.record(sql, tag)
	}
	if strings.HasPrefix(tag, "CREATE") || strings.HasPrefix(tag, "DROP") || strings.HasPrefix(tag, "ALTER") {
		s.tables.invalidate()
	}
}

// printResult prints a result set as a table or, for other statements,
// the command tag. INSERT, UPDATE, DELETE and MERGE with RETURNING print
// both, as psql does.
func (s *session) printResult(res *result) {
	if res.Table != nil {
		s.printTable(res.Table)
		for _, p := range []string{"INSERT", "UPDATE", "DELETE", "MERGE"} {
			if strings.HasPrefix(res.Tag, p) && !s.cfg.Quiet {
				fmt.Fprintln(s.out, res.Tag)
			}
		}
		return
	}
	if res.Tag != "" && !s.cfg.Quiet {
		fmt.Fprintln(s.out, res.Tag)
	}
}

// printTable prints t with the session's \pset options.
func (s *session) printTable(t *Table) {
	o := s.popt
	if s.title != "" && t.Title == "" {
		titled := *t
		titled.Title = s.title
		t = &titled
	}
	if s.xAuto && o.Format == FormatAligned && s.out == s.cfg.Stdout && s.interactive {
		if w := screenWidth(); w > 0 && len(t.Columns) > 1 && t.alignedWidth(o) > w {
			o.Expanded = true
		}
	}
	if err := t.Print(s.out, o); err != nil {
		fmt.Fprintf(s.cfg.Stderr, "could not write output: %v\n", err)
	}
}

// formatTiming is psql's \timing line: milliseconds, and for a second or
// more also [[d ]hh:]mm:ss.sss.
func formatTiming(d time.Duration) string {
	ms := float64(d.Nanoseconds()) / 1e6
	if ms < 1000 {
		return fmt.Sprintf("Time: %.3f ms", ms)
	}
	seconds := ms / 1000
	minutes := int(seconds / 60)
	seconds -= 60 * float64(minutes)
	if minutes < 60 {
		return fmt.Sprintf("Time: %.3f ms (%02d:%06.3f)", ms, minutes, seconds)
	}
	hours := minutes / 60
	minutes -= 60 * hours
	if hours < 24 {
		return fmt.Sprintf("Time: %.3f ms (%02d:%02d:%06.3f)", ms, hours, minutes, seconds)
	}
	days := hours / 24
	hours -= 24 * days
	return fmt.Sprintf("Time: %.3f ms (%d d %02d:%02d:%06.3f)", ms, days, hours, minutes, seconds)
}
