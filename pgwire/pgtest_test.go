package pgwire

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expected output of testdata/pgtest scripts")

// TestPGTest runs the message scripts in testdata/pgtest, each on a fresh
// connection to a fakeEngine server after startup (STYLE 13, in the manner
// of CockroachDB's pgtest). A script is a list of directives:
//
//	send
//	Parse {"Name": "s1", "Query": "select $1::int4"}
//	Sync
//	----
//
//	until
//	ReadyForQuery
//	----
//	{"Type":"ParseComplete"}
//	{"Type":"ReadyForQuery","TxStatus":"I"}
//
// send writes frontend messages (a type name and its pgproto3 JSON); until
// reads backend messages up to each listed type in turn and prints them as
// compact JSON (toJSON); closed reads until the server closes the
// connection. Lines starting with # are comments. The messages after
// "----" are the expected output; go test -run TestPGTest -rewrite
// regenerates them, to be reviewed as a diff.
func TestPGTest(t *testing.T) {
	files, err := filepath.Glob("testdata/pgtest/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			runScript(t, file)
		})
	}
}

// directive is one command of a script with its input and expected output.
type directive struct {
	pre   []string // comment and blank lines before it
	line  int      // line number of the command
	cmd   string
	input []string
	want  []string
}

func parseScript(text string) ([]directive, []string, error) {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	var ds []directive
	var pre []string
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			pre = append(pre, l)
			continue
		}
		d := directive{pre: pre, line: i + 1, cmd: strings.TrimSpace(l)}
		pre = nil
		for i++; i < len(lines) && lines[i] != "----"; i++ {
			d.input = append(d.input, lines[i])
		}
		if i == len(lines) {
			return nil, nil, fmt.Errorf("line %d: %s without ----", d.line, d.cmd)
		}
		for i++; i < len(lines) && lines[i] != ""; i++ {
			d.want = append(d.want, lines[i])
		}
		ds = append(ds, d)
	}
	return ds, pre, nil
}

func runScript(t *testing.T, file string) {
	text, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	ds, tail, err := parseScript(string(text))
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	ts := startServer(t)
	c := connectRaw(t, ts.addr)
	var out strings.Builder
	for _, d := range ds {
		got := runDirective(t, c, file, d)
		for _, l := range d.pre {
			out.WriteString(l + "\n")
		}
		out.WriteString(d.cmd + "\n")
		for _, l := range d.input {
			out.WriteString(l + "\n")
		}
		out.WriteString("----\n")
		for _, l := range got {
			out.WriteString(l + "\n")
		}
		out.WriteString("\n")
		if !*rewrite && strings.Join(got, "\n") != strings.Join(d.want, "\n") {
			t.Errorf("%s:%d: %s\ngot:\n%s\nwant:\n%s", file, d.line, d.cmd,
				strings.Join(got, "\n"), strings.Join(d.want, "\n"))
		}
	}
	for _, l := range tail {
		out.WriteString(l + "\n")
	}
	if *rewrite {
		if err := os.WriteFile(file, []byte(strings.TrimRight(out.String(), "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func runDirective(t *testing.T, c *rawClient, file string, d directive) []string {
	switch d.cmd {
	case "send":
		for _, l := range d.input {
			m, err := frontendMessage(l)
			if err != nil {
				t.Fatalf("%s:%d: %v", file, d.line, err)
			}
			c.fe.Send(m)
		}
		if err := c.fe.Flush(); err != nil {
			t.Fatalf("%s:%d: send: %v", file, d.line, err)
		}
		return nil
	case "until":
		var got []string
		for _, typ := range d.input {
			got = append(got, c.until(strings.TrimSpace(typ))...)
		}
		return got
	case "closed":
		return c.expectClosed()
	}
	t.Fatalf("%s:%d: unknown directive %q", file, d.line, d.cmd)
	return nil
}

// frontendMessage builds a message from "Type {json}".
func frontendMessage(line string) (pgproto3.FrontendMessage, error) {
	typ, body, _ := strings.Cut(strings.TrimSpace(line), " ")
	var m pgproto3.FrontendMessage
	switch typ {
	case "Query":
		m = &pgproto3.Query{}
	case "Parse":
		m = &pgproto3.Parse{}
	case "Bind":
		m = &pgproto3.Bind{}
	case "Describe":
		m = &pgproto3.Describe{}
	case "Execute":
		m = &pgproto3.Execute{}
	case "Close":
		m = &pgproto3.Close{}
	case "Sync":
		m = &pgproto3.Sync{}
	case "Flush":
		m = &pgproto3.Flush{}
	case "Terminate":
		m = &pgproto3.Terminate{}
	case "FunctionCall":
		m = &pgproto3.FunctionCall{}
	case "CopyData":
		m = &pgproto3.CopyData{}
	case "CopyDone":
		m = &pgproto3.CopyDone{}
	default:
		return nil, fmt.Errorf("unknown frontend message %q", typ)
	}
	if body != "" {
		if err := json.Unmarshal([]byte(body), m); err != nil {
			return nil, fmt.Errorf("%s: %w", typ, err)
		}
	}
	return m, nil
}
