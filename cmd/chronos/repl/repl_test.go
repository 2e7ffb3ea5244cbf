package repl

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runShell runs the shell against dsn with input on stdin and returns what
// it printed on stdout and stderr together, in order.
func runShell(t *testing.T, cfg Config, input string) (string, error) {
	t.Helper()
	var out syncBuffer
	cfg.Stdin = strings.NewReader(input)
	cfg.Stdout, cfg.Stderr = &out, &out
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err := Run(ctx, cfg)
	return out.String(), err
}

func mustAddresses(t *testing.T, list string) []string {
	t.Helper()
	a, err := ParseAddresses(list, "chronos", "chronos")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// sqlstateRE matches the SQLSTATE the shell adds to psql's error lines.
var sqlstateRE = regexp.MustCompile(` \(SQLSTATE [0-9A-Z]{5}\)`)

// shellScript exercises results, command tags, errors with positions,
// notices, transactions and the formatting meta-commands. It uses a
// temporary table, so it can run any number of times.
const shellScript = `CREATE TEMP TABLE users (id INT PRIMARY KEY, name TEXT, score NUMERIC(6,2));
INSERT INTO users VALUES (1, 'Alice', 9.5), (2, 'Bob', NULL);
INSERT INTO users VALUES (3, 'Carol', 7) RETURNING id, name;
SELECT * FROM users ORDER BY id;
SELECT name,
       score
  FROM users
 WHERE id > 1 ORDER BY id;
UPDATE users SET score = score + 1 WHERE id = 1;
DELETE FROM users WHERE id = 99;
select * from nosuch;
SELECT id,
  nme FROM users;
INSERT INTO users VALUES (1, 'dup', 0);
SELECT 1/0;
SELECT 'multi
line' AS text, E'tab\there' AS t, 'ünïcødé 日本' AS u;
-- a comment line
DROP TABLE IF EXISTS no_such_table;
BEGIN;
SELECT count(*) FROM users;
SELECT broken;
SELECT 1;
ROLLBACK;
SET application_name = 'shell test';
SHOW application_name;
\pset null '(null)'
SELECT * FROM users ORDER BY id;
\x
SELECT * FROM users ORDER BY id;
\x off
\pset format csv
SELECT * FROM users ORDER BY id;
\pset format unaligned
SELECT * FROM users ORDER BY id;
\a
\t
SELECT id FROM users ORDER BY id;
\t
\pset title 'Users'
SELECT id, name FROM users ORDER BY id;
\pset title
\echo done with formats
SELECT 1 AS a; SELECT 2 AS b;
SELECT 'a;b' AS "x;y", $$dollar;quoted$$ AS d;
SELECT (1
  + 2) AS sum;
\copy (SELECT id, name FROM users ORDER BY id) TO STDOUT WITH (FORMAT csv)
select 'unterminated at end'
`

// TestShellMatchesPsql runs the same script through psql and through the
// shell against PostgreSQL and requires the same output, apart from the
// SQLSTATE the shell adds to error lines.
func TestShellMatchesPsql(t *testing.T) {
	dsn := postgresDSN(t)
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql is not installed")
	}
	// psql writes stdout and stderr to one file so their order is kept.
	f, err := os.Create(filepath.Join(t.TempDir(), "psql.out"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(psql, "-X", "-d", dsn)
	cmd.Stdin = strings.NewReader(shellScript)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(os.Environ(), "PGCLIENTENCODING=UTF8")
	if err := cmd.Run(); err != nil {
		t.Fatalf("psql: %v", err)
	}
	want, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}

	got, err := runShell(t, Config{Addresses: mustAddresses(t, dsn)}, shellScript)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !strings.Contains(got, "ERROR:  relation \"nosuch\" does not exist (SQLSTATE 42P01)\n") {
		t.Errorf("errors lack their SQLSTATE:\n%s", got)
	}
	got = sqlstateRE.ReplaceAllString(got, "")
	if got != string(want) {
		t.Errorf("shell output differs from psql's\n%s", lineDiff(string(want), got))
	}
}

// lineDiff shows the first differing lines of two outputs.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 15; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n  psql:  " + quote(wl) + "\n  shell: " + quote(gl) + "\n")
			shown++
		}
	}
	return b.String()
}

func quote(s string) string { return "«" + s + "»" }

func TestOnErrorStop(t *testing.T) {
	dsn := postgresDSN(t)
	script := "SELECT 1 AS first;\nSELECT * FROM nosuch;\nSELECT 3 AS third;\n"
	out, err := runShell(t, Config{Addresses: mustAddresses(t, dsn), OnErrorStop: true}, script)
	if !errors.Is(err, ErrFailed) {
		t.Fatalf("Run = %v, want ErrFailed", err)
	}
	if !strings.Contains(out, "first") || strings.Contains(out, "third") {
		t.Errorf("want the run to stop after the failing statement:\n%s", out)
	}

	// Without OnErrorStop the script runs to the end and succeeds, as psql.
	out, err = runShell(t, Config{Addresses: mustAddresses(t, dsn)}, script)
	if err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if !strings.Contains(out, "third") {
		t.Errorf("want the statement after the error to run:\n%s", out)
	}
}

func TestActions(t *testing.T) {
	dsn := postgresDSN(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "script.sql")
	if err := os.WriteFile(file, []byte("SELECT 'from file' AS src;\n\nSELECT * FROM nosuch;\nSELECT 'after error' AS src;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		actions []Action
		stop    bool
		wantErr bool
		want    []string // in this order
		notWant []string
	}{
		{
			name:    "commands and file in order",
			actions: []Action{{Command: "SELECT 'one' AS c"}, {File: file}, {Command: `\echo last`}},
			want: []string{"one", "from file", "chronos:" + file + ":3: ERROR:  relation \"nosuch\" does not exist",
				"after error", "last"},
		},
		{
			name:    "multi-statement command",
			actions: []Action{{Command: "SELECT 1 AS x; SELECT 2 AS y"}},
			want:    []string{" x \n", " y \n"},
		},
		{
			name:    "failing last command fails the run",
			actions: []Action{{Command: "SELECT 1/0"}},
			wantErr: true,
			want:    []string{"ERROR:  division by zero (SQLSTATE 22012)"},
		},
		{
			name:    "on-error-stop in a file",
			actions: []Action{{File: file}, {Command: "SELECT 'never' AS c"}},
			stop:    true,
			wantErr: true,
			want:    []string{"from file", "nosuch"},
			notWant: []string{"after error", "never"},
		},
		{
			name:    "missing file",
			actions: []Action{{File: filepath.Join(dir, "absent.sql")}},
			wantErr: true,
			want:    []string{"absent.sql"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runShell(t, Config{Addresses: mustAddresses(t, dsn), Actions: tt.actions, OnErrorStop: tt.stop},
				"SELECT 'stdin must not be read';\n")
			if (err != nil) != tt.wantErr {
				t.Errorf("Run = %v, want error %v", err, tt.wantErr)
			}
			rest := out
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("output lacks %q (in order):\n%s", w, out)
				}
				rest = rest[i+len(w):]
			}
			for _, w := range append(tt.notWant, "stdin must not be read") {
				if strings.Contains(out, w) {
					t.Errorf("output has %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestIncludeAndOutput(t *testing.T) {
	dsn := postgresDSN(t)
	dir := t.TempDir()
	inc := filepath.Join(dir, "inc.sql")
	sub := filepath.Join(dir, "sub.sql")
	outFile := filepath.Join(dir, "out.txt")
	os.WriteFile(inc, []byte("SELECT 'included' AS what;\n\\ir sub.sql\n"), 0o644)
	os.WriteFile(sub, []byte("SELECT 'nested' AS what;\n"), 0o644)
	script := "\\i " + inc + "\n\\o " + outFile + "\nSELECT 'to file' AS what;\n\\o\nSELECT 'to stdout' AS what;\n"
	out, err := runShell(t, Config{Addresses: mustAddresses(t, dsn)}, script)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"included", "nested", "to stdout"} {
		if !strings.Contains(out, w) {
			t.Errorf("stdout lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, "to file") {
		t.Errorf("\\o output reached stdout:\n%s", out)
	}
	data, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	if want := "  what   \n---------\n to file\n(1 row)\n\n"; string(data) != want {
		t.Errorf("\\o file = %q, want %q", data, want)
	}
}

func TestCopyFromStdin(t *testing.T) {
	dsn := postgresDSN(t)
	script := "CREATE TEMP TABLE t (a INT, b TEXT);\n\\copy t FROM STDIN WITH (FORMAT csv)\n1,one\n2,\"t,wo\"\n\\.\nSELECT * FROM t ORDER BY a;\n"
	out, err := runShell(t, Config{Addresses: mustAddresses(t, dsn)}, script)
	if err != nil {
		t.Fatal(err)
	}
	want := "CREATE TABLE\nCOPY 2\n a |  b   \n---+------\n 1 | one\n 2 | t,wo\n(2 rows)\n\n"
	if out != want {
		t.Errorf("output = %q, want %q", out, want)
	}
}

func TestDescribe(t *testing.T) {
	dsn := postgresDSN(t)
	script := `CREATE TEMP TABLE items (id INT PRIMARY KEY, name TEXT NOT NULL DEFAULT 'x', n NUMERIC(10,2), v VARCHAR(20) UNIQUE);
CREATE INDEX items_name ON items (name);
\d items
\d no_such_relation
`
	out, err := runShell(t, Config{Addresses: mustAddresses(t, dsn)}, script)
	if err != nil {
		t.Fatal(err)
	}
	// Temporary tables live in a pg_temp_N schema.
	out = regexp.MustCompile(` *Table "pg_temp_\d+\.items"`).ReplaceAllString(out, `Table "pg_temp.items"`)
	want := `CREATE TABLE
CREATE INDEX
Table "pg_temp.items"
 Column |         Type          | Collation | Nullable |  Default  
--------+-----------------------+-----------+----------+-----------
 id     | integer               |           | not null | 
 name   | text                  |           | not null | 'x'::text
 n      | numeric(10,2)         |           |          | 
 v      | character varying(20) |           |          | 
Indexes:
    "items_pkey" PRIMARY KEY, btree (id)
    "items_name" btree (name)
    "items_v_key" UNIQUE CONSTRAINT, btree (v)

Did not find any relation named "no_such_relation".
`
	if out != want {
		t.Errorf("output differs\n%s", lineDiff(want, out))
	}
}
