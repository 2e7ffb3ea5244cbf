package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chronos-db/chronos/server/servertest/pgtest"
	"github.com/creack/pty"
)

// Terminal keys.
const (
	keyEnter     = "\r"
	keyCtrlA     = "\x01"
	keyCtrlC     = "\x03"
	keyCtrlD     = "\x04"
	keyBackspace = "\x7f"
	keyTab       = "\t"
	keyUp        = "\x1b[A"
)

// ptyProcess is chronos running on a pseudo-terminal.
type ptyProcess struct {
	t    *testing.T
	cmd  *exec.Cmd
	tty  *os.File
	out  syncWriter
	at   int // offset in the output after the last expected text
	done chan error
}

func startPTY(t *testing.T, env []string, args ...string) *ptyProcess {
	t.Helper()
	p := &ptyProcess{t: t, done: make(chan error, 1)}
	p.cmd = exec.Command(chronosBinary(t), args...)
	p.cmd.Env = append(os.Environ(), env...)
	tty, err := pty.StartWithSize(p.cmd, &pty.Winsize{Rows: 40, Cols: 200})
	if err != nil {
		t.Fatal(err)
	}
	p.tty = tty
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			p.out.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			<-p.done
		}
		tty.Close()
	})
	return p
}

// send types keys.
func (p *ptyProcess) send(keys string) {
	p.t.Helper()
	if _, err := p.tty.Write([]byte(keys)); err != nil {
		p.t.Fatal(err)
	}
}

// expect waits for text after the previous expectation.
func (p *ptyProcess) expect(text string) {
	p.t.Helper()
	p.at = waitOutput(p.t, &p.out, p.at, text, 30*time.Second)
}

// exit waits for the process to end and returns its exit status.
func (p *ptyProcess) exit() int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.t.Fatalf("chronos did not exit; output:\n%s", p.out.String())
	}
	return p.cmd.ProcessState.ExitCode()
}

// TestInteractiveSingleNode drives the shell of a single node through a
// terminal: prompts, multi-line input, line editing, history, completion,
// Ctrl-C at the prompt and Ctrl-D.
func TestInteractiveSingleNode(t *testing.T) {
	history := filepath.Join(t.TempDir(), "history")
	p := startPTY(t, []string{"CHRONOS_HISTORY=" + history},
		"single-node", "--data-dir", t.TempDir(), "--address", freeAddress(t))
	p.expect("chronos=> ")

	p.send("CREATE TABLE t (a INT);" + keyEnter)
	p.expect("CREATE TABLE")
	p.expect("chronos=> ")

	// A statement over two lines, with the continuation prompt.
	p.send("SELECT 1" + keyEnter)
	p.expect("chronos-> ")
	p.send("AS x;" + keyEnter)
	p.expect(" x \n---\n 1\n(1 row)")
	p.expect("chronos=> ")

	// Line editing: go to the start of the line and fix the keyword, and
	// erase a mistyped character.
	p.send("ELECT 5 AS ww" + keyBackspace + ";" + keyCtrlA + "S" + keyEnter)
	p.expect(" w \n---\n 5\n(1 row)")
	p.expect("chronos=> ")

	// History: the previous statement comes back with the up arrow.
	p.send(keyUp + keyEnter)
	p.expect(" w \n---\n 5\n(1 row)")
	p.expect("chronos=> ")

	// Completion of a keyword.
	p.send("SEL" + keyTab)
	p.expect("SELECT ")
	p.send("6 AS v;" + keyEnter)
	p.expect(" v \n---\n 6\n(1 row)")
	p.expect("chronos=> ")

	// Ctrl-C while typing drops the unfinished statement, not the shell.
	p.send("SELECT 'not finished" + keyEnter)
	p.expect("chronos'> ")
	p.send(keyCtrlC)
	p.expect("chronos=> ")
	p.send("SELECT 7 AS u;" + keyEnter)
	p.expect(" u \n---\n 7\n(1 row)")

	// Errors carry their SQLSTATE.
	p.send("SELECT * FROM nosuch;" + keyEnter)
	p.expect(`ERROR:  relation "nosuch" does not exist (SQLSTATE 42P01)`)
	p.expect("chronos=> ")

	// Ctrl-C while a statement runs cancels it (CancelRequest, 57014) and
	// the shell goes on. A four-way cross join of 200 rows runs for long.
	values := make([]string, 200)
	for i := range values {
		values[i] = "(" + strconv.Itoa(i) + ")"
	}
	p.send("CREATE TABLE n (a INT); INSERT INTO n VALUES " + strings.Join(values, ",") + ";" + keyEnter)
	p.expect("INSERT 0 200")
	p.expect("chronos=> ")
	p.send("SELECT count(*) FROM n a, n b, n c, n d;" + keyEnter)
	time.Sleep(300 * time.Millisecond)
	p.send(keyCtrlC)
	p.expect("ERROR:  canceling statement due to user request (SQLSTATE 57014)")
	p.expect("chronos=> ")
	p.send("SELECT 8 AS still_here;" + keyEnter)
	p.expect(" still_here \n------------\n          8\n(1 row)")

	// Ctrl-D ends the shell and the node.
	p.send(keyCtrlD)
	if code := p.exit(); code != 0 {
		t.Errorf("exit status %d; output:\n%s", code, p.out.String())
	}
	data, err := os.ReadFile(history)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CREATE TABLE t (a INT);", "SELECT 5 AS w;", "SELECT 6 AS v;"} {
		if !strings.Contains(string(data), want+"\n") {
			t.Errorf("history lacks %q:\n%s", want, data)
		}
	}
}

var testPG struct {
	once sync.Once
	srv  *pgtest.Server
	err  error
}

// postgresAddr starts a throwaway PostgreSQL once, or skips the test.
func postgresAddr(t *testing.T) string {
	t.Helper()
	testPG.once.Do(func() { testPG.srv, testPG.err = pgtest.Start() })
	if testPG.err != nil {
		t.Skip(testPG.err)
	}
	return testPG.srv.Addr
}

func stopTestPostgres() {
	if testPG.srv != nil {
		testPG.srv.Stop()
	}
}

// TestInteractiveCancel runs `chronos client` on a terminal against
// PostgreSQL, whose pg_sleep makes a statement that runs until cancelled:
// Ctrl-C sends a CancelRequest, the statement fails with 57014 and the
// shell goes on.
func TestInteractiveCancel(t *testing.T) {
	addr := postgresAddr(t)
	p := startPTY(t, []string{"CHRONOS_HISTORY=" + filepath.Join(t.TempDir(), "history")}, "client", "--leader", addr)
	p.expect("chronos=> ")
	p.send("SELECT pg_sleep(60);" + keyEnter)
	time.Sleep(500 * time.Millisecond) // let the statement start
	start := time.Now()
	p.send(keyCtrlC)
	p.expect("ERROR:  canceling statement due to user request (SQLSTATE 57014)")
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("cancel took %v", d)
	}
	p.expect("chronos=> ")
	p.send("SELECT 1 AS alive;" + keyEnter)
	p.expect(" alive \n-------\n     1\n(1 row)")
	p.send(`\q` + keyEnter)
	if code := p.exit(); code != 0 {
		t.Errorf("exit status %d; output:\n%s", code, p.out.String())
	}
}
