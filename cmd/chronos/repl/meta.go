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
// share a function. It is filled in init because \i runs scripts whose
// meta-commands are looked up here (an initialization cycle otherwise).
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
	return s.runSource(ctx, newPlainReader(ctx, f), name)
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
