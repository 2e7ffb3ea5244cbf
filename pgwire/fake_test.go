package pgwire

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/cockroachdb/apd/v3"
)

// fakeEngine is a tiny Engine for testing the protocol layer alone. Its
// language, one statement per ';'-separated piece:
//
//	select ITEM, ...       one row; ITEM is $N, 'lit', 123, 1.5, true, null,
//	                       each optionally followed by ::type
//	generate N             N rows of one int8 column n = 1..N (N <= 100000)
//	insert N               no rows, tag "INSERT 0 N"
//	begin | commit | rollback
//	fail CODE MESSAGE      an *sqlerr.Error with that code
//	oops                   an error without a SQLSTATE
//	fatal                  an *sqlerr.Error of FATAL severity
//	sleep                  waits for its context, returns ctx.Err()
//	panic                  panics
//	set NAME = VALUE       changes a reported parameter
//	notice TEXT            a result with one notice, tag "DO"
//	copy                   COPY FROM STDIN of one text column: the data is
//	                       kept (fakeEngine.copied), tag "COPY <lines>"
//	block                  signals sleeping (if set), then waits for
//	                       release, ignoring its context; tag "BLOCK"
//
// In a failed transaction everything but commit and rollback fails with
// 25P02, as in PostgreSQL.
type fakeEngine struct {
	// sleeping receives a value when a sleep statement starts, if set.
	sleeping chan struct{}
	// noSleep makes sleep fail at once (57014) instead of waiting, for
	// fuzzing.
	noSleep bool
	// release lets a block statement end.
	release chan struct{}

	mu struct {
		sync.Mutex
		open   int                      // sessions not yet closed
		params map[uint32]StartupParams // by process ID
		copied []string                 // the data of each finished copy
		failed []string                 // the reason of each failed copy
	}
}

func (e *fakeEngine) NewSession(ctx context.Context, p StartupParams) (Session, error) {
	if p.Database == "nodb" {
		return nil, sqlerr.New(sqlerr.InvalidCatalogName, "database \"%s\" does not exist", p.Database)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.mu.open++
	if e.mu.params == nil {
		e.mu.params = make(map[uint32]StartupParams)
	}
	e.mu.params[p.ProcessID] = p
	return &fakeSession{e: e, tx: 'I', changed: map[string]string{}}, nil
}

func (e *fakeEngine) openSessions() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.mu.open
}

type fakeSession struct {
	e       *fakeEngine
	tx      byte
	changed map[string]string
	closed  bool
}

func (s *fakeSession) TxStatus() byte { return s.tx }

func (s *fakeSession) AbortTransaction() { _ = s.fail(nil) }

func (s *fakeSession) ChangedParameters() map[string]string {
	c := s.changed
	s.changed = map[string]string{}
	return c
}

func (s *fakeSession) Close() {
	if s.closed {
		panic("session closed twice")
	}
	s.closed = true
	s.e.mu.Lock()
	s.e.mu.open--
	s.e.mu.Unlock()
}

func (s *fakeSession) Query(ctx context.Context, query string, emit func(Result) error) error {
	stmts := splitOutsideQuotes(stripComments(query), ';')
	var nonEmpty []string
	for _, st := range stmts {
		if strings.TrimSpace(st) != "" {
			nonEmpty = append(nonEmpty, st)
		}
	}
	if len(nonEmpty) == 0 {
		return emit(Result{Empty: true})
	}
	for _, text := range nonEmpty {
		st, err := s.prepare(text, nil)
		if err != nil {
			return s.fail(err)
		}
		res, err := st.Execute(ctx, nil)
		if err != nil {
			return err
		}
		if err := emit(res); err != nil {
			return err
		}
	}
	return nil
}

func (s *fakeSession) Prepare(ctx context.Context, query string, paramTypes []types.OID) (Statement, error) {
	var pieces []string
	for _, p := range splitOutsideQuotes(query, ';') {
		if strings.TrimSpace(p) != "" {
			pieces = append(pieces, p)
		}
	}
	if len(pieces) > 1 {
		return nil, sqlerr.New(sqlerr.SyntaxError, "cannot insert multiple commands into a prepared statement")
	}
	st, err := s.prepare(query, paramTypes)
	if err != nil {
		return nil, s.fail(err)
	}
	return st, nil
}

// fail marks an open transaction failed.
func (s *fakeSession) fail(err error) error {
	if s.tx == 'T' {
		s.tx = 'E'
	}
	return err
}

// maxGenerate bounds generate, so that fuzzing cannot exhaust memory.
const maxGenerate = 100000

// fakeStmt is one parsed statement.
type fakeStmt struct {
	s      *fakeSession
	verb   string
	arg    string
	items  []fakeItem
	params []types.OID
	cols   []Column
}

// fakeItem is one select item: a parameter or a constant.
type fakeItem struct {
	param int // 1-based; 0 for a constant
	value types.Value
}

func (s *fakeSession) prepare(text string, declared []types.OID) (*fakeStmt, error) {
	text = strings.TrimSpace(text)
	verb, arg, _ := strings.Cut(text, " ")
	verb = strings.ToLower(verb)
	arg = strings.TrimSpace(arg)
	st := &fakeStmt{s: s, verb: verb, arg: arg}
	switch verb {
	case "select":
		return st, st.parseSelect(arg, declared)
	case "generate":
		st.cols = []Column{{Name: "n", Type: types.Int8, TableOID: 16384, AttrNum: 1}}
	case "insert", "copy", "block", "begin", "commit", "rollback", "fail", "oops", "fatal", "sleep", "panic", "set", "notice":
	default:
		return nil, sqlerr.New(sqlerr.SyntaxError, "syntax error at or near \"%s\"", verb).WithPosition(1)
	}
	return st, nil
}

func (st *fakeStmt) parseSelect(list string, declared []types.OID) error {
	st.cols = []Column{}
	for _, raw := range splitOutsideQuotes(list, ',') {
		item := strings.TrimSpace(raw)
		name := "?column?"
		t, hasType := types.Unknown, false
		if i := lastOutsideQuotes(item, "::"); i >= 0 {
			var err error
			if t, err = types.ParseTypeName(strings.TrimSpace(item[i+2:])); err != nil {
				return err
			}
			hasType = true
			name = t.TypName()
			item = strings.TrimSpace(item[:i])
		}
		var it fakeItem
		lower := strings.ToLower(item)
		switch {
		case strings.HasPrefix(item, "$"):
			n, err := strconv.Atoi(item[1:])
			if err != nil || n < 1 {
				return sqlerr.New(sqlerr.SyntaxError, "syntax error at or near \"%s\"", item)
			}
			it.param = n
			for len(st.params) < n {
				st.params = append(st.params, types.OIDUnknown)
			}
			if n <= len(declared) && declared[n-1] != types.OIDUnknown {
				st.params[n-1] = declared[n-1]
			} else if hasType {
				st.params[n-1] = t.OID
			} else if st.params[n-1] == types.OIDUnknown {
				st.params[n-1] = types.OIDText
			}
			if !hasType {
				t = types.T{OID: st.params[n-1], Mod: -1}
			}
		case lower == "null":
			if !hasType {
				t = types.Text
			}
		case strings.HasPrefix(item, "'"):
			lit := strings.ReplaceAll(item[1:len(item)-1], "''", "'")
			if !hasType {
				t = types.Text
			}
			v, err := types.ParseText(lit, t)
			if err != nil {
				return err
			}
			it.value = v
		case lower == "true" || lower == "false":
			if !hasType {
				t = types.Bool
			}
			v, err := types.ParseText(lower, t)
			if err != nil {
				return err
			}
			it.value = v
		default:
			if !hasType {
				t = types.Int4
				if strings.ContainsAny(item, ".eE") {
					t = types.Numeric
				} else if n, err := strconv.ParseInt(item, 10, 64); err == nil && (n > 1<<31-1 || n < -1<<31) {
					t = types.Int8
				}
			}
			v, err := types.ParseText(item, t)
			if err != nil {
				return err
			}
			it.value = v
		}
		st.items = append(st.items, it)
		st.cols = append(st.cols, Column{Name: name, Type: t})
	}
	for i, p := range st.params {
		if p == types.OIDUnknown {
			st.params[i] = types.OIDText
		}
	}
	return nil
}

func (st *fakeStmt) ParamTypes() []types.OID { return st.params }

func (st *fakeStmt) Columns() []Column {
	if st.cols == nil {
		return nil
	}
	return st.cols
}

func (st *fakeStmt) Execute(ctx context.Context, params []types.Value) (Result, error) {
	s := st.s
	if s.tx == 'E' && st.verb != "commit" && st.verb != "rollback" {
		return Result{}, sqlerr.New(sqlerr.InFailedSQLTransaction,
			"current transaction is aborted, commands ignored until end of transaction block")
	}
	switch st.verb {
	case "select":
		row := make([]types.Value, len(st.items))
		for i, it := range st.items {
			if it.param > 0 {
				row[i] = params[it.param-1]
			} else {
				row[i] = it.value
			}
		}
		return Result{Columns: st.cols, Rows: [][]types.Value{row}, Tag: "SELECT 1"}, nil
	case "generate":
		n, err := strconv.Atoi(st.arg)
		if err != nil || n < 0 || n > maxGenerate {
			return Result{}, s.fail(sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid count %q", st.arg))
		}
		rows := make([][]types.Value, n)
		for i := range rows {
			rows[i] = []types.Value{int64(i + 1)}
		}
		return Result{Columns: st.cols, Rows: rows, Tag: fmt.Sprintf("SELECT %d", n)}, nil
	case "insert":
		return Result{Tag: "INSERT 0 " + st.arg}, nil
	case "begin":
		s.tx = 'T'
		return Result{Tag: "BEGIN"}, nil
	case "commit":
		tag := "COMMIT"
		if s.tx == 'E' {
			tag = "ROLLBACK"
		}
		s.tx = 'I'
		return Result{Tag: tag}, nil
	case "rollback":
		s.tx = 'I'
		return Result{Tag: "ROLLBACK"}, nil
	case "fail":
		code, msg, _ := strings.Cut(st.arg, " ")
		return Result{}, s.fail(sqlerr.New(sqlerr.Code(code), "%s", msg))
	case "oops":
		return Result{}, s.fail(errors.New("oops: no SQLSTATE here"))
	case "fatal":
		return Result{}, &sqlerr.Error{Code: sqlerr.AdminShutdown, Severity: "FATAL", Message: "fatal from the engine"}
	case "sleep":
		if st.s.e.noSleep {
			return Result{}, s.fail(errQueryCanceled)
		}
		if st.s.e.sleeping != nil {
			st.s.e.sleeping <- struct{}{}
		}
		<-ctx.Done()
		return Result{}, s.fail(ctx.Err())
	case "panic":
		panic("statement panicked")
	case "set":
		name, value, ok := strings.Cut(st.arg, "=")
		if !ok {
			return Result{}, sqlerr.New(sqlerr.SyntaxError, "syntax error in SET")
		}
		s.changed[strings.TrimSpace(name)] = strings.Trim(strings.TrimSpace(value), "'")
		return Result{Tag: "SET"}, nil
	case "notice":
		return Result{Tag: "DO", Notices: []string{st.arg}}, nil
	case "copy":
		return Result{CopyIn: &fakeCopyIn{e: s.e}}, nil
	case "block":
		if s.e.sleeping != nil {
			s.e.sleeping <- struct{}{}
		}
		<-s.e.release
		return Result{Tag: "BLOCK"}, nil
	}
	return Result{}, fmt.Errorf("unreachable verb %q", st.verb)
}

// stripComments drops -- comments outside quotes (pgx pings with
// "-- ping").
func stripComments(s string) string {
	var b strings.Builder
	quoted, comment := false, false
	for i := 0; i < len(s); i++ {
		switch {
		case comment:
			comment = s[i] != '\n'
			if comment {
				continue
			}
		case s[i] == '\'':
			quoted = !quoted
		case !quoted && strings.HasPrefix(s[i:], "--"):
			comment = true
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// splitOutsideQuotes splits s at sep where sep is not inside '...'.
func splitOutsideQuotes(s string, sep byte) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\'':
			quoted = !quoted
		case s[i] == sep && !quoted:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// lastOutsideQuotes is the index of the last sep outside '...', or -1.
func lastOutsideQuotes(s, sep string) int {
	quoted, last := false, -1
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			quoted = !quoted
		} else if !quoted && strings.HasPrefix(s[i:], sep) {
			last = i
		}
	}
	return last
}

// decimal parses a numeric constant for tests.
func decimal(s string) *apd.Decimal {
	d, _, err := apd.NewFromString(s)
	if err != nil {
		panic(err)
	}
	return d
}

// fakeCopyIn is the CopyIn of the copy statement.
type fakeCopyIn struct {
	e    *fakeEngine
	data []byte
}

func (ci *fakeCopyIn) Columns() int                 { return 1 }
func (ci *fakeCopyIn) Binary() bool                 { return false }
func (ci *fakeCopyIn) ColumnTypes() []types.T       { return []types.T{types.Text} }
func (ci *fakeCopyIn) WriteRow([]types.Value) error { return errors.New("not binary") }

func (ci *fakeCopyIn) Write(data []byte) error {
	ci.data = append(ci.data, data...)
	return nil
}

func (ci *fakeCopyIn) Done() (Result, error) {
	ci.e.mu.Lock()
	defer ci.e.mu.Unlock()
	ci.e.mu.copied = append(ci.e.mu.copied, string(ci.data))
	return Result{Tag: fmt.Sprintf("COPY %d", strings.Count(string(ci.data), "\n"))}, nil
}

func (ci *fakeCopyIn) Fail(reason string) error {
	ci.e.mu.Lock()
	defer ci.e.mu.Unlock()
	ci.e.mu.failed = append(ci.e.mu.failed, reason)
	return sqlerr.New(sqlerr.QueryCanceled, "COPY from stdin failed: %s", reason)
}

// copies returns the data of the finished copies and the reasons of the
// failed ones.
func (e *fakeEngine) copies() (copied, failed []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.mu.copied...), append([]string(nil), e.mu.failed...)
}
