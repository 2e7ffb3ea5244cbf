package repl

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// metaFunc runs one meta-command with its arguments. It returns nil on
// success, errQuit to end the shell, or ErrFailed after reporting a failure.
type metaFunc func(s *session, ctx context.Context, m *metaCall) error

// metaCall is one meta-command invocation.
type metaCall struct {
	name string
	args []string
	rest string // the text after the command name, untokenized (\copy, \echo)
	sp   *Splitter
	in   lineReader // the input the command came from; nil for -c
}

// metaCommands maps each meta-command name to its implementation. Aliases
// share a function.
var metaCommands map[string]metaFunc

func init() {
	metaCommands = map[string]metaFunc{
		"q": metaQuit, "quit": metaQuit,
		"?": metaHelp, "help": metaHelp,
		"x":           metaExpanded,
		"t":           metaTuplesOnly,
		"a":           metaAligned,
		"timing":      metaTiming,
		"pset":        metaPset,
		"conninfo":    metaConninfo,
		"c":           metaConnect,
		"connect":     metaConnect,
		"i":           metaInclude,
		"include":     metaInclude,
		"ir":          metaInclude,
		"o":           metaOutput,
		"out":         metaOutput,
		"echo":        metaEcho,
		"g":           metaGo,
		"r":           metaReset,
		"reset":       metaReset,
		"p":           metaPrint,
		"print":       metaPrint,
		"d":           metaDescribe,
		"dt":          metaDescribe,
		"di":          metaDescribe,
		"dv":          metaDescribe,
		"l":           metaListDatabases,
		"list":        metaListDatabases,
		"copy":        metaCopy,
		"cluster":     metaCluster,
		"consistency": metaConsistency,
	}
}

// runMeta runs a meta-command line such as `\pset null '(null)'`.
func (s *session) runMeta(ctx context.Context, line string, sp *Splitter, in lineReader) error {
	body := strings.TrimPrefix(line, `\`)
	name := body
	rest := ""
	if i := strings.IndexAny(body, " \t"); i >= 0 {
		name, rest = body[:i], strings.TrimSpace(body[i+1:])
	}
	// psql's \dt+ and \d+ are accepted and print the same as without +.
	name = strings.TrimSuffix(name, "+")
	f, ok := metaCommands[name]
	if !ok {
		fmt.Fprintf(s.cfg.Stderr, "%sinvalid command \\%s\n", s.errPrefix(), name)
		if s.interactive {
			fmt.Fprintln(s.cfg.Stderr, "Try \\? for help.")
		}
		return ErrFailed
	}
	args, err := splitMetaArgs(rest)
	if err != nil {
		fmt.Fprintf(s.cfg.Stderr, "%s\\%s: %v\n", s.errPrefix(), name, err)
		return ErrFailed
	}
	return f(s, ctx, &metaCall{name: name, args: args, rest: rest, sp: sp, in: in})
}

// fail reports a meta-command's failure and returns ErrFailed.
func (s *session) fail(m *metaCall, format string, args ...any) error {
	fmt.Fprintf(s.cfg.Stderr, "%s\\%s: %s\n", s.errPrefix(), m.name, fmt.Sprintf(format, args...))
	return ErrFailed
}

// splitMetaArgs splits meta-command arguments at white space. 'Single
// quotes' group words (” is a quote) and are removed; "double quotes" are
// kept, since they quote identifiers for the server.
func splitMetaArgs(s string) ([]string, error) {
	var args []string
	var b strings.Builder
	inArg := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			if inArg {
				args = append(args, b.String())
				b.Reset()
				inArg = false
			}
		case c == '\'':
			inArg = true
			closed := false
			for i++; i < len(s); i++ {
				if s[i] == '\'' {
					if i+1 < len(s) && s[i+1] == '\'' {
						b.WriteByte('\'')
						i++
						continue
					}
					closed = true
					break
				}
				b.WriteByte(s[i])
			}
			if !closed {
				return nil, fmt.Errorf("unterminated quoted string")
			}
		case c == '"':
			inArg = true
			b.WriteByte('"')
			closed := false
			for i++; i < len(s); i++ {
				b.WriteByte(s[i])
				if s[i] == '"' {
					closed = true
					break
				}
			}
			if !closed {
				return nil, fmt.Errorf("unterminated quoted identifier")
			}
		default:
			inArg = true
			b.WriteByte(c)
		}
	}
	if inArg {
		args = append(args, b.String())
	}
	return args, nil
}

func metaQuit(*session, context.Context, *metaCall) error { return errQuit }

// parseBool reads psql's boolean option values.
func parseBool(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "on", "true", "yes", "1", "t", "y":
		return true, true
	case "off", "false", "no", "0", "f", "n":
		return false, true
	}
	return false, false
}

// toggle sets *b from the optional argument, or flips it.
func (s *session) toggle(m *metaCall, args []string, b *bool) error {
	if len(args) == 0 {
		*b = !*b
		return nil
	}
	v, ok := parseBool(args[0])
	if !ok {
		fmt.Fprintf(s.cfg.Stderr, "%sunrecognized value \"%s\" for \"\\%s\": Boolean expected\n", s.errPrefix(), args[0], m.name)
		return ErrFailed
	}
	*b = v
	return nil
}

func metaExpanded(s *session, _ context.Context, m *metaCall) error {
	return s.setExpanded(m, m.args)
}

// setExpanded handles \x and \pset expanded: on, off, auto, or a toggle.
func (s *session) setExpanded(m *metaCall, args []string) error {
	switch {
	case len(args) > 0 && strings.EqualFold(args[0], "auto"):
		s.xAuto, s.popt.Expanded = true, false
	case s.xAuto && len(args) == 0:
		s.xAuto = false // toggling auto turns it off, as in psql
	default:
		if err := s.toggle(m, args, &s.popt.Expanded); err != nil {
			return err
		}
	}
	switch {
	case s.xAuto:
		s.info("Expanded display is used automatically.")
	case s.popt.Expanded:
		s.info("Expanded display is on.")
	default:
		s.info("Expanded display is off.")
	}
	return nil
}

func metaTuplesOnly(s *session, _ context.Context, m *metaCall) error {
	return s.setTuplesOnly(m, m.args)
}

// setTuplesOnly handles \t and \pset tuples_only. Like psql it reports the
// new state only when toggling.
func (s *session) setTuplesOnly(m *metaCall, args []string) error {
	if err := s.toggle(m, args, &s.popt.TuplesOnly); err != nil {
		return err
	}
	if len(args) == 0 {
		s.info("Tuples only is %s.", onOff(s.popt.TuplesOnly))
	}
	return nil
}

func metaAligned(s *session, _ context.Context, _ *metaCall) error {
	if s.popt.Format == FormatAligned {
		s.popt.Format = FormatUnaligned
	} else {
		s.popt.Format = FormatAligned
	}
	s.info("Output format is %s.", s.popt.Format)
	return nil
}

func metaTiming(s *session, _ context.Context, m *metaCall) error {
	if err := s.toggle(m, m.args, &s.timing); err != nil {
		return err
	}
	s.info("Timing is %s.", onOff(s.timing))
	return nil
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// metaPset handles \pset [option [value]] for the options the shell has.
func metaPset(s *session, _ context.Context, m *metaCall) error {
	if len(m.args) == 0 {
		x := onOff(s.popt.Expanded)
		if s.xAuto {
			x = "auto"
		}
		fmt.Fprintf(s.cfg.Stdout, "%-24s %s\n", "expanded", x)
		fmt.Fprintf(s.cfg.Stdout, "%-24s %s\n", "format", s.popt.Format)
		fmt.Fprintf(s.cfg.Stdout, "%-24s '%s'\n", "null", s.popt.Null)
		fmt.Fprintf(s.cfg.Stdout, "%-24s %s\n", "title", s.title)
		fmt.Fprintf(s.cfg.Stdout, "%-24s %s\n", "tuples_only", onOff(s.popt.TuplesOnly))
		return nil
	}
	opt, vals := m.args[0], m.args[1:]
	switch opt {
	case "format":
		if len(vals) == 0 {
			s.info("Output format is %s.", s.popt.Format)
			return nil
		}
		var matches []Format
		for _, f := range []Format{FormatAligned, FormatUnaligned, FormatCSV} {
			if strings.HasPrefix(f.String(), strings.ToLower(vals[0])) {
				matches = append(matches, f)
			}
		}
		if len(matches) != 1 {
			return s.fail(m, "allowed formats are aligned, csv, unaligned")
		}
		s.popt.Format = matches[0]
		s.info("Output format is %s.", s.popt.Format)
	case "null":
		if len(vals) > 0 {
			s.popt.Null = vals[0]
		}
		s.info("Null display is \"%s\".", s.popt.Null)
	case "expanded", "x":
		return s.setExpanded(m, vals)
	case "tuples_only", "t":
		return s.setTuplesOnly(m, vals)
	case "title":
		s.title = ""
		if len(vals) > 0 {
			s.title = vals[0]
		}
		if s.title == "" {
			s.info("Title is unset.")
		} else {
			s.info("Title is \"%s\".", s.title)
		}
	default:
		return s.fail(m, "unknown option: %s", opt)
	}
	return nil
}

func metaConninfo(s *session, _ context.Context, m *metaCall) error {
	if !s.connected() {
		fmt.Fprintln(s.cfg.Stdout, "You are currently not connected to a database.")
		return nil
	}
	c := s.conn.Config()
	fmt.Fprintf(s.cfg.Stdout, "You are connected to database \"%s\" as user \"%s\" on host \"%s\" at port \"%d\".\n",
		c.Database, c.User, c.Host, c.Port)
	if v := s.conn.PgConn().ParameterStatus("server_version"); v != "" {
		fmt.Fprintf(s.cfg.Stdout, "Server version %s, backend process %d.\n", v, s.conn.PgConn().PID())
	}
	return nil
}

// metaConnect handles \c ADDRESS: connect to another server and put it
// first in the list of addresses to try.
func metaConnect(s *session, ctx context.Context, m *metaCall) error {
	if len(m.args) == 0 {
		return s.fail(m, "usage: \\c HOST:PORT or \\c postgres://...")
	}
	c := s.conn.Config()
	addrs, err := ParseAddresses(m.args[0], c.User, c.Database)
	if err != nil {
		return s.fail(m, "%v", err)
	}
	conn, err := s.connect(ctx, addrs[0])
	if err != nil {
		return s.fail(m, "connection to %s failed: %v (keeping the previous connection)", displayAddress(addrs[0]), err)
	}
	s.conn.Close(ctx)
	s.conn = conn
	s.cfg.Addresses = append([]string{addrs[0]}, s.cfg.Addresses...)
	s.addrIndex = 0
	s.lastTxStatus = 'I'
	s.settings = settingsLog{}
	s.tables.invalidate()
	nc := conn.Config()
	s.info("You are now connected to database \"%s\" as user \"%s\" on host \"%s\" at port \"%d\".",
		nc.Database, nc.User, nc.Host, nc.Port)
	return nil
}

// metaInclude runs a script file (\i). \ir resolves a relative name against
// the directory of the file being run.
func metaInclude(s *session, ctx context.Context, m *metaCall) error {
	if len(m.args) == 0 {
		return s.fail(m, "missing required argument")
	}
	name := m.args[0]
	if m.name == "ir" && !filepath.IsAbs(name) && s.inputName != "" && !strings.HasPrefix(s.inputName, "<") {
		name = filepath.Join(filepath.Dir(s.inputName), name)
	}
	if s.depth >= 16 {
		return s.fail(m, "too many nested \\i files")
	}
	f, err := os.Open(name)
	if err != nil {
		return s.fail(m, "%v", err)
	}
	defer f.Close()
	s.depth++
	defer func() { s.depth-- }()
	wasInteractive := s.interactive
	s.interactive = false
	defer func() { s.interactive = wasInteractive }()
	return s.runSource(ctx, newPlainReader(f), name)
}

// metaOutput sends query results to a file (\o FILE) or back to the
// standard output (\o).
func metaOutput(s *session, _ context.Context, m *metaCall) error {
	if s.outFile != nil {
		s.outFile.Close()
		s.outFile = nil
	}
	s.out = s.cfg.Stdout
	if len(m.args) == 0 {
		return nil
	}
	if strings.HasPrefix(m.args[0], "|") {
		return s.fail(m, "piping output to a command is not supported")
	}
	f, err := os.Create(m.args[0])
	if err != nil {
		return s.fail(m, "%v", err)
	}
	s.outFile, s.out = f, f
	return nil
}

func metaEcho(s *session, _ context.Context, m *metaCall) error {
	fmt.Fprintln(s.cfg.Stdout, strings.Join(m.args, " "))
	return nil
}

// metaGo runs the query buffer, or the previous query when it is empty.
func metaGo(s *session, ctx context.Context, m *metaCall) error {
	sql, ok := m.sp.Flush()
	if !ok {
		sql = s.lastQuery
	}
	if sql == "" {
		return s.fail(m, "no query to run")
	}
	if !s.execSQL(ctx, sql) {
		return ErrFailed
	}
	return nil
}

func metaReset(s *session, _ context.Context, m *metaCall) error {
	m.sp.Reset()
	s.info("Query buffer reset (cleared).")
	return nil
}

func metaPrint(s *session, _ context.Context, m *metaCall) error {
	switch {
	case m.sp.HasPending():
		fmt.Fprintln(s.cfg.Stdout, m.sp.Pending())
	case s.lastQuery != "":
		fmt.Fprintln(s.cfg.Stdout, s.lastQuery)
	default:
		s.info("Query buffer is empty.")
	}
	return nil
}

// metaConsistency shows or sets the session's read consistency
// (chronos.read_consistency): linearizable reads go through the raft
// ReadIndex, stale reads are served from the node's local state.
func metaConsistency(s *session, ctx context.Context, m *metaCall) error {
	if len(m.args) == 0 {
		t, err := s.query(ctx, "SHOW chronos.read_consistency")
		if err != nil {
			s.printError(err, "")
			return ErrFailed
		}
		if len(t.Rows) == 1 && len(t.Rows[0]) == 1 {
			fmt.Fprintf(s.cfg.Stdout, "Read consistency is %s.\n", t.Rows[0][0].Text)
		}
		return nil
	}
	level := strings.ToLower(m.args[0])
	if level != "linearizable" && level != "stale" {
		return s.fail(m, "unknown level %q: use linearizable or stale", m.args[0])
	}
	if !s.execQuiet(ctx, fmt.Sprintf("SET chronos.read_consistency = '%s'", level)) {
		return ErrFailed
	}
	s.info("Read consistency is %s.", level)
	return nil
}

// execQuiet runs a statement the shell made up, reporting only errors, and
// records it like a typed one (so a SET is replayed after a reconnect).
func (s *session) execQuiet(ctx context.Context, sql string) bool {
	if err := s.ensureConnected(ctx); err != nil {
		fmt.Fprintf(s.cfg.Stderr, "%s%v\n", s.errPrefix(), err)
		return false
	}
	results, err := s.conn.PgConn().Exec(ctx, sql).ReadAll()
	s.lastTxStatus = s.conn.PgConn().TxStatus()
	if err != nil {
		s.printError(err, sql)
		if !s.connected() {
			_ = s.reconnect(ctx)
		}
		return false
	}
	for _, r := range results {
		s.noteSuccess(sql, r.CommandTag.String(), len(results) == 1)
	}
	return true
}

// query runs one statement the shell made up and returns its result set.
func (s *session) query(ctx context.Context, sql string) (*Table, error) {
	if err := s.ensureConnected(ctx); err != nil {
		return nil, err
	}
	pc := s.conn.PgConn()
	s.running.Store(pc)
	defer s.running.Store(nil)
	mrr := pc.Exec(ctx, sql)
	var t *Table
	var firstErr error
	for mrr.NextResult() {
		res, err := readResult(mrr.ResultReader())
		if err != nil && firstErr == nil {
			firstErr = err
		}
		if res != nil && res.Table != nil && t == nil {
			t = res.Table
		}
	}
	if err := mrr.Close(); err != nil && firstErr == nil {
		firstErr = err
	}
	s.lastTxStatus = pc.TxStatus()
	if firstErr != nil {
		return nil, firstErr
	}
	if t == nil {
		return nil, fmt.Errorf("the statement returned no rows")
	}
	return t, nil
}
