package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"

	"github.com/chronos-db/chronos/cmd/chronos/repl"
)

// command is one subcommand's flag set with its usage text.
type command struct {
	name    string
	summary string // the usage line after "chronos NAME"
	fs      *flag.FlagSet
	std     stdio
}

func newCommand(name, summary string, std stdio) *command {
	c := &command{name: name, summary: summary, fs: flag.NewFlagSet("chronos "+name, flag.ContinueOnError), std: std}
	c.fs.SetOutput(std.err)
	c.fs.Usage = func() { c.usage(c.fs.Output()) }
	return c
}

// usage prints the command's usage line and its options, written the GNU
// way (--address HOST:PORT); the flag package accepts one dash or two.
func (c *command) usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: chronos %s %s\n\nOptions:\n", c.name, c.summary)
	c.fs.VisitAll(func(f *flag.Flag) {
		dashes := "--"
		if len(f.Name) == 1 {
			dashes = "-"
		}
		arg, text := flag.UnquoteUsage(f)
		if arg != "" {
			arg = " " + arg
		}
		fmt.Fprintf(w, "  %s%s%s\n        %s", dashes, f.Name, arg, text)
		if d := f.DefValue; d != "" && d != "false" {
			fmt.Fprintf(w, " (default %s)", d)
		}
		fmt.Fprintln(w)
	})
}

// parse parses args. It returns -1 to go on, or the exit status: 0 after
// printing the help asked for with -h/--help, 2 for bad usage (the flag
// package has printed the error and the usage on stderr).
func (c *command) parse(args []string) int {
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "-help" || a == "--help" {
			c.usage(c.std.out)
			return 0
		}
	}
	if err := c.fs.Parse(args); err != nil {
		return 2
	}
	if c.fs.NArg() > 0 {
		return c.usageError("unexpected argument %q", c.fs.Arg(0))
	}
	return -1
}

// usageError prints a usage mistake and returns exit status 2.
func (c *command) usageError(format string, args ...any) int {
	fmt.Fprintf(c.std.err, "chronos %s: %s\n", c.name, fmt.Sprintf(format, args...))
	fmt.Fprintf(c.std.err, "Run \"chronos %s --help\" for usage.\n", c.name)
	return 2
}

// fail prints an error and returns exit status 1.
func (c *command) fail(err error) int {
	fmt.Fprintf(c.std.err, "chronos %s: %v\n", c.name, err)
	return 1
}

// replFlags are the shell options shared by single-node and client.
type replFlags struct {
	actions     []repl.Action
	onErrorStop bool
	quiet       bool
}

// actionFlag appends -c commands or -f files to one ordered list, so they
// run in the order given, as in psql.
type actionFlag struct {
	list *[]repl.Action
	file bool
}

func (a actionFlag) String() string { return "" }

func (a actionFlag) Set(v string) error {
	if a.file {
		*a.list = append(*a.list, repl.Action{File: v})
	} else {
		*a.list = append(*a.list, repl.Action{Command: v})
	}
	return nil
}

// psqlVarFlag accepts psql's -v NAME=VALUE for the variables the shell
// understands: ON_ERROR_STOP.
type psqlVarFlag struct{ r *replFlags }

func (v psqlVarFlag) String() string { return "" }

func (v psqlVarFlag) Set(s string) error {
	name, value, _ := strings.Cut(s, "=")
	if !strings.EqualFold(name, "ON_ERROR_STOP") {
		return fmt.Errorf("unsupported variable %q (only ON_ERROR_STOP)", name)
	}
	switch strings.ToLower(value) {
	case "1", "on", "true", "yes":
		v.r.onErrorStop = true
	case "0", "off", "false", "no":
		v.r.onErrorStop = false
	default:
		return fmt.Errorf("bad value %q for ON_ERROR_STOP", value)
	}
	return nil
}

func (r *replFlags) register(fs *flag.FlagSet) {
	fs.Var(psqlVarFlag{r}, "v", "psql's `ON_ERROR_STOP=1`, the same as --on-error-stop")
	fs.Var(actionFlag{list: &r.actions}, "c", "run this `SQL` or meta-command and exit (repeatable)")
	fs.Var(actionFlag{list: &r.actions, file: true}, "f", "run the statements in this `FILE` and exit, - for stdin (repeatable)")
	fs.BoolVar(&r.onErrorStop, "on-error-stop", false, "stop at the first failed statement and exit with status 1")
	fs.BoolVar(&r.quiet, "q", false, "quiet: print results only, no command tags or messages")
	fs.BoolVar(&r.quiet, "quiet", false, "same as -q")
}

// logLevel is a --log-level flag; set tells whether it was given.
type logLevel struct {
	level slog.Level
	set   bool
}

func (l *logLevel) String() string {
	if l == nil || !l.set {
		return "" // the defaults depend on the command; its usage says them
	}
	return strings.ToLower(l.level.String())
}

func (l *logLevel) Set(v string) error {
	l.set = true
	return l.level.UnmarshalText([]byte(v))
}

// logger writes text logs at the level to w.
func logger(w io.Writer, l slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// parsePeers reads --peers: id=host:port pairs separated by commas.
func parsePeers(s string) (map[string]string, error) {
	peers := map[string]string{}
	if strings.TrimSpace(s) == "" {
		return peers, nil
	}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		id, addr, ok := strings.Cut(item, "=")
		id, addr = strings.TrimSpace(id), strings.TrimSpace(addr)
		if !ok || id == "" || addr == "" {
			return nil, fmt.Errorf("bad peer %q: want ID=HOST:PORT", item)
		}
		if err := checkAddress(addr); err != nil {
			return nil, fmt.Errorf("bad peer %q: %w", item, err)
		}
		if _, dup := peers[id]; dup {
			return nil, fmt.Errorf("peer %q given twice", id)
		}
		peers[id] = addr
	}
	return peers, nil
}

// checkAddress validates a HOST:PORT listen or peer address.
func checkAddress(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("want HOST:PORT: %w", err)
	}
	if host == "" {
		return errors.New("want HOST:PORT: missing host")
	}
	if _, err := net.LookupPort("tcp", port); err != nil {
		return fmt.Errorf("bad port %q", port)
	}
	return nil
}
