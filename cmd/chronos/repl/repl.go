package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"

	"github.com/chzyer/readline"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Config tells Run where to connect and what to read.
type Config struct {
	// Addresses are connection strings (see ParseAddresses), tried in order
	// at start and again, starting after the lost one, when a connection is
	// lost.
	Addresses []string
	// Actions are -c commands and -f files, run in order. When there are
	// any, Run does not read Stdin.
	Actions []Action
	// OnErrorStop ends the run at the first failed statement or
	// meta-command; Run then returns ErrFailed.
	OnErrorStop bool
	// Quiet suppresses command tags and informational messages, like
	// psql -q.
	Quiet bool
	// Interactive reads Stdin with line editing, history and completion, and
	// makes Ctrl-C cancel the running statement. Set it when Stdin is a
	// terminal (IsTerminal).
	Interactive bool
	// HistoryFile keeps the interactive history; empty for none.
	HistoryFile string
	// Banner is printed on Stderr before the first prompt of an interactive
	// session.
	Banner string
	// Password is used for connection strings that carry none; when empty,
	// pgx takes PGPASSWORD or ~/.pgpass as psql does.
	Password string
	// PromptPassword, when set, is asked for the password of user when a
	// server refuses the first connection because none was given (psql's
	// prompt on a terminal). The answer is kept for later connections.
	PromptPassword func(user string) (string, error)

	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// Action is one -c command or -f file.
type Action struct {
	Command string // SQL or one meta-command, run as a single query
	File    string // a script to run; "-" is Stdin
}

// ErrFailed is returned by Run when a statement failed and the run ended
// because of it (OnErrorStop, or a failed last -c command). The failure was
// already reported on Stderr.
var ErrFailed = errors.New("a statement failed")

// IsTerminal reports whether f is a terminal.
func IsTerminal(f *os.File) bool {
	return readline.IsTerminal(int(f.Fd()))
}

// Run connects to the first address that answers and runs the shell until
// the input ends, \q, or ctx is cancelled. It returns nil on a normal end,
// ErrFailed when a failure ended the run, or the reason it could not run.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Stdin == nil {
		cfg.Stdin = os.Stdin
	}
	if cfg.Stdout == nil {
		cfg.Stdout = os.Stdout
	}
	if cfg.Stderr == nil {
		cfg.Stderr = os.Stderr
	}
	if len(cfg.Addresses) == 0 {
		return errors.New("no server address given")
	}
	s := &session{cfg: cfg, out: cfg.Stdout}
	s.tables.s = s
	if err := s.connectFirst(ctx, 0); err != nil {
		return fmt.Errorf("connection failed: %w", err)
	}
	s.prompted = true
	defer s.close()

	if len(cfg.Actions) > 0 {
		return s.runActions(ctx)
	}
	if cfg.Interactive {
		return s.runInteractive(ctx)
	}
	err := s.runSource(ctx, newPlainReader(ctx, cfg.Stdin), "")
	if errors.Is(err, errQuit) {
		return nil
	}
	return err
}

// errQuit ends input processing after \q.
var errQuit = errors.New("quit")

// session is the state of one Run.
type session struct {
	cfg       Config
	conn      *pgx.Conn
	prompted  bool // PromptPassword was asked, so it is not asked again
	addrIndex int  // index in cfg.Addresses of the current connection

	// running is the connection executing a statement, for Ctrl-C.
	running atomic.Pointer[pgconn.PgConn]
	// lastTxStatus is the transaction status after the last statement.
	lastTxStatus byte

	out     io.Writer // query output: Stdout or the \o file
	outFile *os.File  // the \o file, nil when writing to Stdout
	popt    PrintOptions
	xAuto   bool   // \x auto: expanded when a table is wider than the terminal
	title   string // \pset title: printed above tables that have none
	timing  bool

	settings  settingsLog
	tables    tableNames // for completion
	lastQuery string     // for \g with an empty buffer

	// Where input comes from, for error prefixes like psql's
	// "psql:file.sql:3: ".
	inputName string
	lineNo    int
	// interactive is true while reading from the terminal.
	interactive bool
	// editor is the terminal reader in interactive mode.
	editor *editReader
	// depth counts nested \i files.
	depth int
	// splitter is the statement splitter of the terminal input, for
	// completion.
	splitter *Splitter
}

func (s *session) close() {
	if s.outFile != nil {
		s.outFile.Close()
	}
	if s.conn != nil {
		s.conn.Close(context.Background())
	}
}

// runActions runs the -c commands and -f files in order. Like psql, a
// failure ends the run only with OnErrorStop; the result is ErrFailed when
// the last action failed.
func (s *session) runActions(ctx context.Context) error {
	var lastErr error
	for _, a := range s.cfg.Actions {
		var err error
		if a.File != "" {
			err = s.runFile(ctx, a.File)
		} else {
			s.inputName, s.lineNo = "", 0
			err = s.runCommand(ctx, a.Command)
		}
		if errors.Is(err, errQuit) {
			return nil
		}
		lastErr = err
		if err != nil && (s.cfg.OnErrorStop || !errors.Is(err, ErrFailed)) {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	// A file reports failure only when OnErrorStop ended it; psql -f
	// succeeds even when statements in the file failed. A -c command
	// reports its own failure.
	return lastErr
}

// runCommand runs one -c string: a meta-command, or SQL sent as one query
// (several statements in it run as one implicit transaction).
func (s *session) runCommand(ctx context.Context, cmd string) error {
	if strings.HasPrefix(strings.TrimSpace(cmd), `\`) {
		var sp Splitter
		var err error
		for _, it := range sp.Feed(strings.TrimSpace(cmd)) {
			if it.Meta != "" {
				err = s.runMeta(ctx, it.Meta, &sp, nil)
			}
		}
		return err
	}
	if !s.execSQL(ctx, cmd) {
		return ErrFailed
	}
	return nil
}

// runFile runs the statements of a script file; "-" is Stdin.
func (s *session) runFile(ctx context.Context, name string) error {
	if name == "-" {
		return s.runSource(ctx, newPlainReader(ctx, s.cfg.Stdin), "<stdin>")
	}
	f, err := os.Open(name)
	if err != nil {
		fmt.Fprintf(s.cfg.Stderr, "%s%v\n", s.errPrefix(), err)
		return ErrFailed
	}
	defer f.Close()
	return s.runSource(ctx, newPlainReader(ctx, f), name)
}

// runInteractive reads from the terminal with line editing until \q,
// Ctrl-D or ctx ends; Ctrl-C cancels the running statement.
func (s *session) runInteractive(ctx context.Context) error {
	ed, err := newEditReader(&s.cfg, &completer{s: s})
	if err != nil {
		return fmt.Errorf("terminal: %w", err)
	}
	s.editor = ed
	defer ed.Close()

	// Ctrl-C while a statement runs arrives as SIGINT (readline has the
	// terminal in raw mode only while reading a line).
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	defer signal.Stop(sigs)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case <-sigs:
				s.cancelRunning()
			case <-ctx.Done():
				ed.Close() // unblocks ReadLine
				return
			case <-done:
				return
			}
		}
	}()

	if s.cfg.Banner != "" {
		fmt.Fprintln(s.cfg.Stderr, s.cfg.Banner)
	}
	fmt.Fprintf(s.cfg.Stderr, "chronos shell, connected to %s (server %s)\nType \"\\?\" for help, \"\\q\" to quit.\n\n",
		displayAddress(s.cfg.Addresses[s.addrIndex]), s.conn.PgConn().ParameterStatus("server_version"))
	s.interactive = true
	err = s.runSource(ctx, ed, "")
	if errors.Is(err, errQuit) || ctx.Err() != nil {
		return nil
	}
	return err
}

// cancelRunning asks the server to cancel the statement in progress, if any.
func (s *session) cancelRunning() {
	pc := s.running.Load()
	if pc == nil {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
		defer cancel()
		if err := pc.CancelRequest(ctx); err != nil {
			fmt.Fprintf(s.cfg.Stderr, "could not send cancel request: %v\n", err)
		}
	}()
}
