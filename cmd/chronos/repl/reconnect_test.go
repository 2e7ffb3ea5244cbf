package repl

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// proxy forwards TCP connections to a target; kill drops every connection
// and stops listening, which looks to a client like its node went away.
type proxy struct {
	l      net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
}

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{l: l, target: target}
	go p.accept()
	t.Cleanup(p.kill)
	return p
}

func (p *proxy) accept() {
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		go func() { io.Copy(up, c); up.Close() }()
		go func() { io.Copy(c, up); c.Close() }()
	}
}

func (p *proxy) addr() string { return p.l.Addr().String() }

func (p *proxy) kill() {
	p.l.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// waitFor waits until the output holds want after offset from, and returns
// the offset just past it.
func waitFor(t *testing.T, out *syncBuffer, from int, want string) int {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := out.String()
		if i := strings.Index(s[from:], want); i >= 0 {
			return from + i + len(want)
		}
		if time.Now().After(deadline) {
			t.Fatalf("output lacks %q after offset %d:\n%s", want, from, s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestReconnect loses the node between statements: the failing statement
// reports the lost connection, the shell moves to the next address and
// restores the session's settings there.
func TestReconnect(t *testing.T) {
	dsn := postgresDSN(t)
	target := strings.TrimSuffix(strings.TrimPrefix(dsn, "postgres://chronos@"), "/chronos?sslmode=disable")
	first, second := startProxy(t, target), startProxy(t, target)

	in, input := io.Pipe()
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- Run(context.Background(), Config{
			Addresses: mustAddresses(t, first.addr()+","+second.addr()),
			Stdin:     in, Stdout: &out, Stderr: &out,
		})
	}()
	send := func(s string) {
		if _, err := io.WriteString(input, s); err != nil {
			t.Fatal(err)
		}
	}

	send("SET application_name = 'kept across nodes';\n")
	at := waitFor(t, &out, 0, "SET\n")
	send("BEGIN;\n")
	at = waitFor(t, &out, at, "BEGIN\n")
	first.kill()
	send("SELECT 1 AS one;\n")
	at = waitFor(t, &out, at, "The connection to the server at "+first.addr()+" was lost. Attempting reset: Succeeded, connected to "+second.addr()+".\n")
	at = waitFor(t, &out, at, "WARNING:  the open transaction was lost")
	at = waitFor(t, &out, at, "Restored: SET application_name = 'kept across nodes'\n")
	send("SHOW application_name;\n")
	waitFor(t, &out, at, " kept across nodes\n(1 row)")
	input.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not end at the end of input")
	}
	if strings.Contains(out.String(), " one \n") {
		t.Errorf("the statement sent to the lost node was retried:\n%s", out.String())
	}
}

// TestConnectFallback starts on a dead first address and uses the second.
func TestConnectFallback(t *testing.T) {
	dsn := postgresDSN(t)
	target := strings.TrimSuffix(strings.TrimPrefix(dsn, "postgres://chronos@"), "/chronos?sslmode=disable")
	dead := startProxy(t, target)
	dead.kill()
	live := startProxy(t, target)
	out, err := runShell(t, Config{Addresses: mustAddresses(t, dead.addr()+","+live.addr()),
		Actions: []Action{{Command: `\conninfo`}}}, "")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(live.addr())
	if !strings.Contains(out, `at port "`+port+`"`) {
		t.Errorf("not connected to the live address %s:\n%s", live.addr(), out)
	}

	// No address answers: Run fails with the reasons.
	_, err = runShell(t, Config{Addresses: mustAddresses(t, dead.addr())}, "SELECT 1;\n")
	if err == nil || !strings.Contains(err.Error(), "connection failed") {
		t.Errorf("Run with no live server = %v", err)
	}
}
