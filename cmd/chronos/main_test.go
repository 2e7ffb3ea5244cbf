package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// The tests here build the real binary once and drive it as a user would.

var build struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
	stopTestPostgres()
	os.Exit(code)
}

// chronosBinary builds ./cmd/chronos into a temporary directory, once.
func chronosBinary(t *testing.T) string {
	t.Helper()
	build.once.Do(func() {
		build.dir, build.err = os.MkdirTemp("", "chronos-bin-")
		if build.err != nil {
			return
		}
		build.path = filepath.Join(build.dir, "chronos")
		out, err := exec.Command("go", "build", "-o", build.path, ".").CombinedOutput()
		if err != nil {
			build.err = &buildError{err: err, out: out}
		}
	})
	if build.err != nil {
		t.Fatalf("building chronos: %v", build.err)
	}
	return build.path
}

type buildError struct {
	err error
	out []byte
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + string(e.out) }

// freeAddress returns a 127.0.0.1 address with a port that was free a
// moment ago.
func freeAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// result is what a finished chronos process left.
type result struct {
	stdout, stderr string
	code           int
}

// runChronos runs the binary with stdin and waits for it to end.
func runChronos(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return runChronosEnv(t, nil, stdin, args...)
}

// runChronosEnv is runChronos with variables added to the environment.
func runChronosEnv(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chronosBinary(t), args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Env = append(append(os.Environ(), "CHRONOS_HISTORY="+filepath.Join(t.TempDir(), "history")), env...)
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running chronos %v: %v", args, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("chronos %v did not finish: stdout:\n%s\nstderr:\n%s", args, out.String(), errb.String())
	}
	return result{stdout: out.String(), stderr: errb.String(), code: code}
}

// TestUsage checks the help and the refusal of bad flags, in process.
func TestUsage(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		stdout   string // substring expected on stdout
		stderr   string // substring expected on stderr
		noStdout bool
	}{
		{args: nil, code: 2, stderr: "Usage:"},
		{args: []string{"--help"}, code: 0, stdout: "chronos single-node --data-dir DIR"},
		{args: []string{"help"}, code: 0, stdout: "chronos client --leader"},
		{args: []string{"frobnicate"}, code: 2, stderr: `unknown command "frobnicate"`},
		{args: []string{"single-node", "--help"}, code: 0, stdout: "-data-dir"},
		{args: []string{"node", "-h"}, code: 0, stdout: "-peers"},
		{args: []string{"client", "--help"}, code: 0, stdout: "-on-error-stop"},
		{args: []string{"client", "--help"}, code: 0, stdout: "--password\n        ask for the password on the terminal"},
		{args: []string{"single-node", "--bogus"}, code: 2, stderr: "flag provided but not defined: -bogus", noStdout: true},
		{args: []string{"single-node"}, code: 2, stderr: "--data-dir is required"},
		{args: []string{"single-node", "--data-dir", "d", "--address", "nonsense"}, code: 2, stderr: `bad --address "nonsense"`},
		{args: []string{"single-node", "--data-dir", "d", "extra"}, code: 2, stderr: `unexpected argument "extra"`},
		{args: []string{"single-node", "--data-dir", "d", "--no-repl", "-c", "SELECT 1"}, code: 2, stderr: "-c and -f need the shell"},
		{args: []string{"single-node", "--data-dir", "d", "--log-level", "loud"}, code: 2, stderr: "invalid value"},
		{args: []string{"node", "--address", "127.0.0.1:1", "--data-dir", "d"}, code: 2, stderr: "--id is required"},
		{args: []string{"node", "--id", "n1", "--data-dir", "d"}, code: 2, stderr: "--address is required"},
		{args: []string{"node", "--id", "n1", "--address", "127.0.0.1:1"}, code: 2, stderr: "--data-dir is required"},
		{args: []string{"node", "--id", "../x", "--address", "127.0.0.1:1", "--data-dir", "d"}, code: 2, stderr: `bad --id "../x"`},
		{args: []string{"node", "--id", "n1", "--address", "127.0.0.1:1", "--data-dir", "d", "--peers", "n2"}, code: 2, stderr: `bad peer "n2"`},
		{args: []string{"node", "--id", "n1", "--address", "127.0.0.1:1", "--data-dir", "d", "--peers", "n2=host"}, code: 2, stderr: `bad peer "n2=host"`},
		{args: []string{"node", "--id", "n1", "--address", "127.0.0.1:1", "--data-dir", "d", "--peers", "n1=127.0.0.1:2"}, code: 2, stderr: "names this node (n1) itself"},
		{args: []string{"client"}, code: 2, stderr: "--leader is required"},
		{args: []string{"client", "--leader", "h:1", "-v", "AUTOCOMMIT=off"}, code: 2, stderr: `unsupported variable "AUTOCOMMIT"`},
		{args: []string{"client", "--leader", "http://x:1"}, code: 2, stderr: "only postgres:// and postgresql:// URLs"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(tt.args, nil, &out, &errb)
			if code != tt.code {
				t.Errorf("exit status %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out.String(), errb.String())
			}
			if !strings.Contains(out.String(), tt.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.stdout, out.String())
			}
			if !strings.Contains(errb.String(), tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, errb.String())
			}
			if tt.noStdout && out.Len() > 0 {
				t.Errorf("unexpected stdout: %s", out.String())
			}
		})
	}
}

func TestParsePeers(t *testing.T) {
	got, err := parsePeers("node1=127.0.0.1:8001, node2=127.0.0.1:8002")
	if err != nil || len(got) != 2 || got["node1"] != "127.0.0.1:8001" || got["node2"] != "127.0.0.1:8002" {
		t.Errorf("parsePeers = %v, %v", got, err)
	}
	if got, err := parsePeers(""); err != nil || len(got) != 0 {
		t.Errorf("empty: %v, %v", got, err)
	}
	for _, bad := range []string{"a=1.2.3.4:1,a=1.2.3.4:2", "=h:1", "a=", "a=h:port"} {
		if _, err := parsePeers(bad); err == nil {
			t.Errorf("parsePeers(%q): no error", bad)
		}
	}
}

// issueSQL is the session of the README and issue 2.
const issueSQL = `CREATE TABLE users (id INT, name STRING);
INSERT INTO users (id, name) VALUES (1, 'Alice');
INSERT INTO users (id, name) VALUES (2, 'Bob');
SELECT id, name FROM users;
`

const usersTable = ` id | name  
----+-------
  1 | Alice
  2 | Bob
(2 rows)

`

// TestSingleNodeStdin feeds statements on stdin, as in issue 2: results
// print like psql, errors go to stderr with their SQLSTATE, the process ends
// at the end of input, and the data is there after a restart.
func TestSingleNodeStdin(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddress(t)
	script := issueSQL + "SELECT * FROM nosuch;\nSELECT 1 +;\nSELECT name\n  FROM users\n  WHERE id = 2;\n"
	r := runChronos(t, script, "single-node", "--data-dir", dir, "--address", addr)
	if r.code != 0 {
		t.Fatalf("exit status %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	want := "CREATE TABLE\nINSERT 0 1\nINSERT 0 1\n" + usersTable + " name \n------\n Bob\n(1 row)\n\n"
	if r.stdout != want {
		t.Errorf("stdout =\n%s\nwant\n%s", r.stdout, want)
	}
	for _, wantErr := range []string{
		"ERROR:  relation \"nosuch\" does not exist (SQLSTATE 42P01)\n",
		"ERROR:  syntax error at or near \";\" (SQLSTATE 42601)\nLINE 1: SELECT 1 +;\n                  ^\n",
	} {
		if !strings.Contains(r.stderr, wantErr) {
			t.Errorf("stderr lacks\n%s\ngot:\n%s", wantErr, r.stderr)
		}
	}

	// Restart on the same data: everything acknowledged is there.
	r = runChronos(t, "", "single-node", "--data-dir", dir, "--address", addr, "-c", "SELECT id, name FROM users ORDER BY id")
	if r.code != 0 || r.stdout != usersTable {
		t.Errorf("after restart: status %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestSingleNodeMetaCommands runs meta-commands against a single node.
func TestSingleNodeMetaCommands(t *testing.T) {
	script := `\consistency
\consistency stale
SHOW chronos.read_consistency;
\x
SELECT 1 AS a, 'two' AS b;
\x off
\pset null '<null>'
\pset format csv
SELECT NULL AS n, 'x,y' AS s;
\echo bye
`
	r := runChronos(t, script, "single-node", "--data-dir", t.TempDir(), "--address", freeAddress(t))
	want := `Read consistency is linearizable.
Read consistency is stale.
 chronos.read_consistency 
--------------------------
 stale
(1 row)

Expanded display is on.
-[ RECORD 1 ]
a | 1
b | two

Expanded display is off.
Null display is "<null>".
Output format is csv.
n,s
<null>,"x,y"
bye
`
	if r.code != 0 || r.stdout != want {
		t.Errorf("status %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", r.code, r.stdout, want, r.stderr)
	}
}

// TestSingleNodeScripts covers -c, -f and --on-error-stop.
func TestSingleNodeScripts(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(t.TempDir(), "script.sql")
	os.WriteFile(file, []byte("CREATE TABLE t (a INT);\nINSERT INTO t VALUES (1);\nINSERT INTO nosuch VALUES (2);\nINSERT INTO t VALUES (3);\n"), 0o644)
	r := runChronos(t, "", "single-node", "--data-dir", dir, "--address", freeAddress(t), "-f", file, "-v", "ON_ERROR_STOP=1")
	if r.code != 1 {
		t.Errorf("exit status %d, want 1 (ON_ERROR_STOP)\nstderr:\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "chronos:"+file+":3: ERROR:  relation \"nosuch\" does not exist (SQLSTATE 42P01)") {
		t.Errorf("stderr lacks the located error:\n%s", r.stderr)
	}
	r = runChronos(t, "", "single-node", "--data-dir", dir, "--address", freeAddress(t), "-q", "-c", "SELECT count(*) FROM t")
	if r.code != 0 || !strings.Contains(r.stdout, "     1\n(1 row)") {
		t.Errorf("the statement after the error ran: status %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestSingleNodeServes runs a single node without the shell, uses it from
// pgx, from `chronos client` and from psql, and stops it with SIGTERM.
func TestSingleNodeServes(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddress(t)
	cmd := exec.Command(chronosBinary(t), "single-node", "--data-dir", dir, "--address", addr, "--no-repl")
	var errb syncWriter
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-exited
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn := connectRetry(ctx, t, "postgres://chronos@"+addr+"/chronos?sslmode=disable")
	for _, sql := range []string{"CREATE TABLE kv (k INT PRIMARY KEY, v TEXT)", "INSERT INTO kv VALUES (1, 'one'), (2, 'two')"} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	conn.Close(ctx)

	r := runChronos(t, "", "client", "--leader", addr, "-c", "SELECT k, v FROM kv ORDER BY k")
	want := " k |  v  \n---+-----\n 1 | one\n 2 | two\n(2 rows)\n\n"
	if r.code != 0 || r.stdout != want {
		t.Errorf("client: status %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", r.code, r.stdout, want, r.stderr)
	}
	r = runChronos(t, "", "client", "--leader", "127.0.0.1:1,"+addr, "--on-error-stop",
		"-c", "SELECT * FROM nosuch", "-c", "SELECT 'not reached' AS x")
	if r.code != 1 || strings.Contains(r.stdout, "not reached") || !strings.Contains(r.stderr, "(SQLSTATE 42P01)") {
		t.Errorf("client --on-error-stop: status %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if psql, err := exec.LookPath("psql"); err == nil {
		host, port, _ := net.SplitHostPort(addr)
		out, err := exec.Command(psql, "-X", "-h", host, "-p", port, "-U", "chronos", "-c", "SELECT k, v FROM kv ORDER BY k", "chronos").CombinedOutput()
		if err != nil || string(out) != want {
			t.Errorf("psql: %v\n%s", err, out)
		}
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("after SIGTERM: %v\nstderr:\n%s", err, errb.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no exit after SIGTERM\nstderr:\n%s", errb.String())
	}
	if !strings.Contains(errb.String(), "serving PostgreSQL on "+addr) {
		t.Errorf("stderr lacks the serving line:\n%s", errb.String())
	}
}

// connectRetry connects with pgx, retrying while the server starts.
func connectRetry(ctx context.Context, t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	for {
		conn, err := pgx.Connect(ctx, dsn)
		if err == nil {
			return conn
		}
		if ctx.Err() != nil {
			t.Fatalf("connect %s: %v", dsn, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// syncWriter is a buffer safe for a process's output goroutine and the test.
type syncWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// waitOutput waits until out holds want after offset from and returns the
// offset past it. Carriage returns are ignored (terminals add them).
func waitOutput(t *testing.T, out *syncWriter, from int, want string, timeout time.Duration) int {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s := strings.ReplaceAll(out.String(), "\r", "")
		if from > len(s) {
			from = len(s)
		}
		if i := strings.Index(s[from:], want); i >= 0 {
			return from + i + len(want)
		}
		if time.Now().After(deadline) {
			t.Fatalf("output lacks %q after offset %d:\n%s", want, from, strconv.Quote(s[from:]))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSingleNodeSIGTERMWithOpenStdin stops a shell whose stdin is a pipe that
// stays open: SIGTERM must end it cleanly (with a checkpoint) rather than
// wait for the end of input.
func TestSingleNodeSIGTERMWithOpenStdin(t *testing.T) {
	dataDir := t.TempDir()
	cmd := exec.Command(chronosBinary(t), "single-node", "--data-dir", dataDir, "--address", freeAddress(t))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	out := &syncWriter{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	if _, err := io.WriteString(stdin, "CREATE TABLE kept (a INT);\n"); err != nil {
		t.Fatal(err)
	}
	waitOutput(t, out, 0, "CREATE TABLE", 30*time.Second)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("chronos single-node ignored SIGTERM with stdin open:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "tables", "checkpoint", "kept.csv")); err != nil {
		t.Errorf("no checkpoint after SIGTERM: %v\n%s", err, out)
	}
}
