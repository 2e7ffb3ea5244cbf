package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The tests here drive `chronos client` against real Chronos nodes started
// from the same binary: a single node serving without its shell, and a
// three-node cluster of `chronos node` processes.

// serverProcess is a chronos node started by a test.
type serverProcess struct {
	cmd    *exec.Cmd
	addr   string
	output syncWriter
	exited chan struct{}
}

// startServer runs chronos with args (which serve on addr) and env added
// to the environment, and waits until it answers the PostgreSQL protocol.
// The test's cleanup kills it, by its PID, if it still runs.
func startServer(t *testing.T, addr string, env []string, args ...string) *serverProcess {
	t.Helper()
	p := &serverProcess{addr: addr, exited: make(chan struct{})}
	p.cmd = exec.Command(chronosBinary(t), args...)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = &p.output, &p.output
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(p.kill)
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-p.exited:
			t.Fatalf("chronos %v exited during start-up:\n%s", args, p.output.String())
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, "postgres://chronos@"+addr+"/chronos?sslmode=disable")
		cancel()
		var pgErr *pgconn.PgError
		if err == nil {
			conn.Close(context.Background())
			return p
		}
		if errors.As(err, &pgErr) && pgErr.Code == "28P01" {
			return p // up, and asking for a password
		}
		if time.Now().After(deadline) {
			t.Fatalf("chronos %v does not accept connections: %v\n%s", args, err, p.output.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// kill ends the process with SIGKILL and waits for it.
func (p *serverProcess) kill() {
	select {
	case <-p.exited:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// startSingleNode serves a fresh single node without its shell.
func startSingleNode(t *testing.T, env ...string) *serverProcess {
	t.Helper()
	addr := freeAddress(t)
	return startServer(t, addr, env, "single-node", "--no-repl", "--data-dir", t.TempDir(), "--address", addr)
}

// noPasswordEnv keeps the user's PGPASSWORD and ~/.pgpass out of a test.
func noPasswordEnv(t *testing.T) []string {
	return []string{"PGPASSWORD=", "PGPASSFILE=" + filepath.Join(t.TempDir(), "no-pgpass")}
}

// mustContain fails the test for each want missing from got.
func mustContain(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(got, want) {
			t.Errorf("%s lacks\n%s\ngot:\n%s", what, want, got)
		}
	}
}

// TestClientMetaCommands runs the meta-commands against a single Chronos
// node through `chronos client` reading a script on stdin.
func TestClientMetaCommands(t *testing.T) {
	srv := startSingleNode(t)
	_, port, _ := strings.Cut(srv.addr, ":")
	csvFile := filepath.Join(t.TempDir(), "users.csv")
	script := `CREATE TABLE users (id INT PRIMARY KEY, name TEXT NOT NULL, age INT DEFAULT 3);
CREATE INDEX users_name ON users (name);
\copy users (id, name) from stdin
1	Alice
2	Bob
\.
\dt
\d users
\l
\conninfo
\cluster
\consistency stale
SHOW chronos.read_consistency;
\consistency linearizable
SHOW chronos.read_consistency;
\x
SELECT id, name FROM users WHERE id = 1;
\x off
\timing on
SELECT 3 AS c;
\timing off
\copy users to '` + csvFile + `' with (format csv, header)
CREATE TABLE users2 (id INT, name TEXT, age INT);
\copy users2 from '` + csvFile + `' with (format csv, header)
\pset format csv
SELECT id, name, age FROM users2 ORDER BY id;
`
	r := runChronos(t, script, "client", "--leader", srv.addr)
	if r.code != 0 {
		t.Fatalf("exit status %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if r.stderr != "" {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	clusterRow := regexp.MustCompile(`(?m)^ \S+ +\| ` + regexp.QuoteMeta(srv.addr) + ` \| leader \| +\d+ \| +\d+ \| +\d+ \| t$`)
	if !clusterRow.MatchString(r.stdout) {
		t.Errorf("\\cluster shows no reachable leader at %s:\n%s", srv.addr, r.stdout)
	}
	if !regexp.MustCompile(`\n 3\n\(1 row\)\n\nTime: \d+\.\d{3} ms\nTiming is off\.\n`).MatchString(r.stdout) {
		t.Errorf("\\timing shows no time after the result:\n%s", r.stdout)
	}
	mustContain(t, "stdout", r.stdout,
		"CREATE TABLE\nCREATE INDEX\nCOPY 2\n",
		`        List of relations
 Schema | Name  | Type  |  Owner  
--------+-------+-------+---------
 public | users | table | chronos
(1 row)
`,
		`               Table "public.users"
 Column |  Type   | Collation | Nullable | Default 
--------+---------+-----------+----------+---------
 id     | integer |           | not null | 
 name   | text    |           | not null | 
 age    | integer |           |          | 3
Indexes:
    "users_pkey" PRIMARY KEY, btree (id)
    "users_name" btree (name)
`,
		"List of databases\n",
		"\n chronos | chronos | UTF8     |",
		`You are connected to database "chronos" as user "chronos" on host "127.0.0.1" at port "`+port+`".`,
		"Cluster members (connected to "+srv.addr+")",
		`Read consistency is stale.
 chronos.read_consistency 
--------------------------
 stale
(1 row)

Read consistency is linearizable.
 chronos.read_consistency 
--------------------------
 linearizable
(1 row)
`,
		`Expanded display is on.
-[ RECORD 1 ]
id   | 1
name | Alice

Expanded display is off.
Timing is on.
`,
		"COPY 2\nCREATE TABLE\nCOPY 2\nOutput format is csv.\nid,name,age\n1,Alice,3\n2,Bob,3\n",
	)
	data, err := os.ReadFile(csvFile)
	if err != nil || string(data) != "id,name,age\n1,Alice,3\n2,Bob,3\n" {
		t.Errorf("\\copy to a file wrote %q, %v", data, err)
	}
}

// TestClientScripts covers -c (repeatable, in order), -f, stdin and the
// exit status with and without --on-error-stop, against a Chronos node.
func TestClientScripts(t *testing.T) {
	srv := startSingleNode(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "script.sql")
	if err := os.WriteFile(file, []byte("CREATE TABLE t (a INT);\nINSERT INTO t VALUES (1);\nINSERT INTO nosuch VALUES (2);\nINSERT INTO t VALUES (3);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	count := func() string {
		t.Helper()
		r := runChronos(t, "", "client", "--leader", srv.addr, "-q", "-c", "SELECT count(*) AS n FROM t")
		if r.code != 0 {
			t.Fatalf("count: status %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		return r.stdout
	}

	// -f with --on-error-stop stops at line 3 with status 1.
	r := runChronos(t, "", "client", "--leader", srv.addr, "-f", file, "--on-error-stop")
	if r.code != 1 || r.stdout != "CREATE TABLE\nINSERT 0 1\n" {
		t.Errorf("-f --on-error-stop: status %d, want 1\nstdout:\n%s", r.code, r.stdout)
	}
	mustContain(t, "stderr", r.stderr, "chronos:"+file+`:3: ERROR:  relation "nosuch" does not exist (SQLSTATE 42P01)`)
	if got := count(); got != " n \n---\n 1\n(1 row)\n\n" {
		t.Errorf("after the stopped script:\n%s", got)
	}

	// Statements on stdin: without --on-error-stop the failure is reported
	// and the rest runs, status 0; with it, status 1 and nothing after.
	stdin := "INSERT INTO t VALUES (10);\nSELECT * FROM nosuch;\nINSERT INTO t VALUES (11);\n"
	r = runChronos(t, stdin, "client", "--leader", srv.addr)
	if r.code != 0 || r.stdout != "INSERT 0 1\nINSERT 0 1\n" || !strings.Contains(r.stderr, "(SQLSTATE 42P01)") {
		t.Errorf("stdin: status %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	r = runChronos(t, stdin, "client", "--leader", srv.addr, "--on-error-stop")
	if r.code != 1 || r.stdout != "INSERT 0 1\n" {
		t.Errorf("stdin --on-error-stop: status %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if got := count(); got != " n \n---\n 4\n(1 row)\n\n" {
		t.Errorf("after stdin:\n%s", got)
	}

	// -c is repeatable and runs in order, meta-commands included; -f -
	// reads stdin in its place among them.
	r = runChronos(t, "SELECT 'from stdin' AS s;\n", "client", "--leader", srv.addr,
		"-c", "SELECT 1 AS first", "-c", `\pset format csv`, "-f", "-", "-c", "SELECT max(a) AS last FROM t")
	want := " first \n-------\n     1\n(1 row)\n\nOutput format is csv.\ns\nfrom stdin\nlast\n11\n"
	if r.code != 0 || r.stdout != want {
		t.Errorf("-c -c -f - -c: status %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", r.code, r.stdout, want, r.stderr)
	}
	// A failing last -c gives status 1 even without --on-error-stop, as
	// in psql; with it, the -c after a failure does not run.
	r = runChronos(t, "", "client", "--leader", srv.addr, "-c", "SELECT 1", "-c", "SELECT * FROM nosuch")
	if r.code != 1 {
		t.Errorf("failing last -c: status %d, want 1", r.code)
	}
	r = runChronos(t, "", "client", "--leader", srv.addr, "--on-error-stop", "-c", "SELECT * FROM nosuch", "-c", "SELECT 'not reached'")
	if r.code != 1 || strings.Contains(r.stdout, "not reached") {
		t.Errorf("-c --on-error-stop: status %d\nstdout:\n%s", r.code, r.stdout)
	}
}

// TestClientCompletion completes table names on a terminal, against the
// catalog of a Chronos node.
func TestClientCompletion(t *testing.T) {
	srv := startSingleNode(t)
	r := runChronos(t, "", "client", "--leader", srv.addr, "-c", "CREATE TABLE completion_target (a INT)")
	if r.code != 0 {
		t.Fatalf("create: %d %s", r.code, r.stderr)
	}
	p := startPTY(t, []string{"CHRONOS_HISTORY=" + filepath.Join(t.TempDir(), "history")}, "client", "--leader", srv.addr)
	p.expect("chronos=> ")
	// Only the completed name makes the statement valid.
	p.send("SELECT count(*) AS n FROM completion_t" + keyTab)
	p.expect("completion_target ")
	p.send(";" + keyEnter)
	p.expect(" n \n---\n 0\n(1 row)")
	p.expect("chronos=> ")
	p.send(`\d completion_t` + keyTab + keyEnter)
	p.expect(`Table "public.completion_target"`)
	p.expect("chronos=> ")
	// A table created in the session is completed too.
	p.send("CREATE TABLE completion_later (b TEXT);" + keyEnter)
	p.expect("CREATE TABLE")
	p.expect("chronos=> ")
	p.send("INSERT INTO completion_l" + keyTab)
	p.expect("completion_later ")
	p.send("VALUES ('x');" + keyEnter)
	p.expect("INSERT 0 1")
	p.expect("chronos=> ")
	p.send(`\q` + keyEnter)
	if code := p.exit(); code != 0 {
		t.Errorf("exit status %d; output:\n%s", code, p.out.String())
	}
}

// TestClientPassword checks authentication against a node that has a
// password: the single-node shell uses the configured one, the client
// takes PGPASSWORD, asks on a terminal, and explains itself otherwise.
func TestClientPassword(t *testing.T) {
	const password = "s3cret-Pw"
	// The single node's own shell authenticates with the configured
	// password, from the environment or from a file.
	pwFile := filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(pwFile, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"CHRONOS_PASSWORD=" + password},
		{"CHRONOS_PASSWORD=", "--password-file", pwFile},
	} {
		var env, flags []string
		for _, a := range args {
			if strings.HasPrefix(a, "CHRONOS_PASSWORD=") {
				env = append(env, a)
			} else {
				flags = append(flags, a)
			}
		}
		r := runChronosEnv(t, append(env, noPasswordEnv(t)...), "", append([]string{"single-node", "--data-dir", t.TempDir(),
			"--address", freeAddress(t), "-c", "SELECT current_user AS u"}, flags...)...)
		if r.code != 0 || r.stdout != "    u    \n---------\n chronos\n(1 row)\n\n" {
			t.Errorf("single-node %v: status %d\nstdout:\n%s\nstderr:\n%s", args, r.code, r.stdout, r.stderr)
		}
	}

	srv := startSingleNode(t, "CHRONOS_PASSWORD="+password)
	query := []string{"client", "--leader", srv.addr, "-c", "SELECT current_user AS u"}
	want := "    u    \n---------\n chronos\n(1 row)\n\n"

	r := runChronosEnv(t, noPasswordEnv(t), "", query...)
	if r.code != 1 || r.stdout != "" {
		t.Errorf("without a password: status %d, want 1\nstdout:\n%s", r.code, r.stdout)
	}
	mustContain(t, "stderr without a password", r.stderr, "(SQLSTATE 28P01)", "set PGPASSWORD")
	r = runChronosEnv(t, append(noPasswordEnv(t), "PGPASSWORD=wrong"), "", query...)
	if r.code != 1 || !strings.Contains(r.stderr, `password authentication failed for user "chronos" (SQLSTATE 28P01)`) {
		t.Errorf("wrong PGPASSWORD: status %d\nstderr:\n%s", r.code, r.stderr)
	}
	r = runChronosEnv(t, append(noPasswordEnv(t), "PGPASSWORD="+password), "", query...)
	if r.code != 0 || r.stdout != want {
		t.Errorf("PGPASSWORD: status %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	r = runChronosEnv(t, noPasswordEnv(t), "", "client", "--leader", srv.addr, "-W", "-c", "SELECT 1")
	if r.code != 2 || !strings.Contains(r.stderr, "--password reads the password from a terminal") {
		t.Errorf("-W without a terminal: status %d\nstderr:\n%s", r.code, r.stderr)
	}

	// On a terminal the client asks when the server wants a password, and
	// does not echo it.
	env := append(noPasswordEnv(t), "CHRONOS_HISTORY="+filepath.Join(t.TempDir(), "history"))
	p := startPTY(t, env, query...)
	p.expect("Password for user chronos: ")
	p.send(password + keyEnter)
	p.expect(" chronos\n(1 row)")
	if code := p.exit(); code != 0 {
		t.Errorf("asked password: exit status %d; output:\n%s", code, p.out.String())
	}
	if strings.Contains(p.out.String(), password) {
		t.Errorf("the password was echoed:\n%s", p.out.String())
	}

	// --password (-W) asks before connecting, for an interactive session.
	p = startPTY(t, env, "client", "--leader", srv.addr, "--password")
	p.expect("Password for user chronos: ")
	p.send(password + keyEnter)
	p.expect("chronos=> ")
	p.send("SELECT current_user AS u;" + keyEnter)
	p.expect(" chronos\n(1 row)")
	p.send(`\q` + keyEnter)
	if code := p.exit(); code != 0 {
		t.Errorf("--password: exit status %d; output:\n%s", code, p.out.String())
	}

	// A wrong answer fails the connection with the server's error.
	p = startPTY(t, env, query...)
	p.expect("Password for user chronos: ")
	p.send("not-it" + keyEnter)
	p.expect(`password authentication failed for user "chronos" (SQLSTATE 28P01)`)
	if code := p.exit(); code != 1 {
		t.Errorf("wrong asked password: exit status %d, want 1", code)
	}
}

// threeNodes starts a three-node cluster with the README's commands and
// returns its members in start order.
func threeNodes(t *testing.T) []*serverProcess {
	t.Helper()
	if testing.Short() {
		t.Skip("multi-process cluster test")
	}
	dataDir := t.TempDir()
	var nodes []*serverProcess
	var peers []string
	for i := 1; i <= 3; i++ {
		id, addr := fmt.Sprintf("node%d", i), freeAddress(t)
		args := []string{"node", "--id", id, "--address", addr, "--data-dir", dataDir}
		if len(peers) > 0 {
			args = append(args, "--peers", strings.Join(peers, ","))
		}
		nodes = append(nodes, startServer(t, addr, nil, args...))
		peers = append(peers, id+"="+addr)
	}
	return nodes
}

// addresses joins the nodes' addresses for --leader.
func addresses(nodes []*serverProcess) string {
	var out []string
	for _, n := range nodes {
		out = append(out, n.addr)
	}
	return strings.Join(out, ",")
}

// waitClusterView runs \cluster through the client until its output
// matches every pattern, and returns that output.
func waitClusterView(t *testing.T, leader string, patterns ...*regexp.Regexp) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		r := runChronos(t, "", "client", "--leader", leader, "-c", `\cluster`)
		ok := r.code == 0
		for _, p := range patterns {
			ok = ok && p.MatchString(r.stdout)
		}
		if ok {
			return r.stdout
		}
		if time.Now().After(deadline) {
			t.Fatalf("\\cluster via %s never matched %v: status %d\nstdout:\n%s\nstderr:\n%s", leader, patterns, r.code, r.stdout, r.stderr)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// memberRow matches a \cluster row of member id at addr with the role and
// reachability.
func memberRow(id, addr, role, reachable string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^ ` + id + ` +\| ` + regexp.QuoteMeta(addr) + ` \| ` + role + ` +\| +\d+ \| +\d+ \| +\d+ \| ` + reachable + `$`)
}

// TestClientCluster runs the client against a three-node cluster: \cluster
// shows the members, and when the node the client is on is killed, the
// next statement says so and the client goes on on another node with its
// session settings restored.
func TestClientCluster(t *testing.T) {
	nodes := threeNodes(t)
	anyRole := "(leader|follower)"
	waitClusterView(t, nodes[1].addr,
		memberRow("node1", nodes[0].addr, anyRole, "t"),
		memberRow("node2", nodes[1].addr, anyRole, "t"),
		memberRow("node3", nodes[2].addr, anyRole, "t"),
		regexp.MustCompile(`\| leader +\|`),
		regexp.MustCompile(`Cluster members \(connected to `+regexp.QuoteMeta(nodes[1].addr)+`\)`),
		regexp.MustCompile(`\(3 rows\)`))

	// A client reading a pipe, so the test can type between events.
	cmd := exec.Command(chronosBinary(t), "client", "--leader", addresses(nodes))
	cmd.Env = append(os.Environ(), "CHRONOS_HISTORY="+filepath.Join(t.TempDir(), "history"))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out syncWriter
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-exited
		}
	})
	at := 0
	send := func(s string) {
		t.Helper()
		if _, err := io.WriteString(stdin, s); err != nil {
			t.Fatal(err)
		}
	}
	expect := func(s string) {
		t.Helper()
		at = waitOutput(t, &out, at, s, 60*time.Second)
	}

	send("CREATE TABLE kept (a INT);\nINSERT INTO kept VALUES (1);\n\\consistency stale\nSET application_name = 'chronos-client-test';\n\\conninfo\n")
	expect("CREATE TABLE\nINSERT 0 1\nRead consistency is stale.\nSET\nYou are connected to database \"chronos\" as user \"chronos\" on host \"127.0.0.1\" at port \"")
	var victim *serverProcess
	victimIndex := -1
	for i, n := range nodes {
		_, port, _ := strings.Cut(n.addr, ":")
		if strings.HasPrefix(strings.ReplaceAll(out.String(), "\r", "")[at:], port+`".`) {
			victim, victimIndex = n, i
		}
	}
	if victim == nil {
		t.Fatalf("\\conninfo names none of the nodes:\n%s", out.String())
	}
	victimID := fmt.Sprintf("node%d", victimIndex+1)
	victim.kill()

	send("SELECT 'lost' AS s;\n")
	expect("server closed the connection unexpectedly")
	expect("The connection to the server at " + victim.addr + " was lost. Attempting reset: Succeeded, connected to 127.0.0.1:")
	expect("Restored: SET chronos.read_consistency = 'stale'\nRestored: SET application_name = 'chronos-client-test'\n")

	send("SHOW chronos.read_consistency;\nSHOW application_name;\n\\conninfo\n")
	expect(" chronos.read_consistency \n--------------------------\n stale\n(1 row)\n")
	expect("\n chronos-client-test\n(1 row)\n")
	expect(`You are connected to database "chronos" as user "chronos" on host "127.0.0.1" at port "`)
	_, victimPort, _ := strings.Cut(victim.addr, ":")
	if strings.HasPrefix(strings.ReplaceAll(out.String(), "\r", "")[at:], victimPort+`"`) {
		t.Errorf("still connected to the killed node %s:\n%s", victim.addr, out.String())
	}

	// The two survivors keep serving once they have a leader: a write, then
	// a linearizable read of it and of the row written before the kill.
	var survivors []string
	for _, n := range nodes {
		if n != victim {
			survivors = append(survivors, regexp.QuoteMeta(n.addr))
		}
	}
	waitClusterView(t, nodes[(victimIndex+1)%3].addr,
		regexp.MustCompile(`(?m)^ node\d +\| (`+strings.Join(survivors, "|")+`) \| leader +\|.*\| t$`),
		regexp.MustCompile(`(?m)^ `+victimID+` +\| `+regexp.QuoteMeta(victim.addr)+` \|.*\| f$`))
	send("\\consistency linearizable\nINSERT INTO kept VALUES (2);\nSELECT a FROM kept ORDER BY a;\n\\q\n")
	expect("Read consistency is linearizable.\nINSERT 0 1\n a \n---\n 1\n 2\n(2 rows)\n")
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("client exit: %v\n%s", err, out.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("client did not exit after \\q:\n%s", out.String())
	}
	t.Logf("the client's session:\n%s", out.String())
}
