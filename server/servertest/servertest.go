// Package servertest starts real Chronos nodes for tests: on 127.0.0.1 ports
// picked by the kernel, with their data in the test's temporary directory and
// their logs sent to t.Log, so they are quiet unless the test fails.
package servertest

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chronos-db/chronos/server"
	"github.com/jackc/pgx/v5"
)

// Node is a running single node started by Start.
type Node struct {
	*server.Server
	t   testing.TB
	cfg server.Config
}

// Start starts a single node for the test and closes it when the test
// ends. modify, when given, adjusts the configuration first.
func Start(t testing.TB, modify ...func(*server.Config)) *Node {
	t.Helper()
	w := &testWriter{t: t}
	t.Cleanup(w.stop) // registered first, so it runs after the node's close
	cfg := server.Config{
		Address: "127.0.0.1:0",
		DataDir: t.TempDir(),
		Logger:  slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	for _, m := range modify {
		m(&cfg)
	}
	n := &Node{t: t, cfg: cfg}
	n.start()
	t.Cleanup(func() {
		if err := n.Close(); err != nil {
			t.Errorf("close node: %v", err)
		}
	})
	return n
}

func (n *Node) start() {
	n.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := server.Start(ctx, n.cfg)
	if err != nil {
		n.t.Fatalf("start node: %v", err)
	}
	n.Server = s
}

// Restart closes the node cleanly and starts it again on the same data
// directory and address.
func (n *Node) Restart() {
	n.t.Helper()
	addr := n.Addr()
	if err := n.Close(); err != nil {
		n.t.Fatalf("close node: %v", err)
	}
	n.cfg.Address = addr
	n.start()
}

// DSN is a connection string for the node.
func (n *Node) DSN() string {
	return fmt.Sprintf("postgres://chronos@%s/chronos?sslmode=disable", n.Addr())
}

// Connect opens a pgx connection to the node, closed when the test ends.
func (n *Node) Connect(modify ...func(*pgx.ConnConfig)) *pgx.Conn {
	n.t.Helper()
	cfg, err := pgx.ParseConfig(n.DSN())
	if err != nil {
		n.t.Fatal(err)
	}
	for _, m := range modify {
		m(cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		n.t.Fatalf("connect: %v", err)
	}
	n.t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// testWriter sends log lines to t.Log until the test ends; goroutines that
// outlive the test must not call t.Log.
type testWriter struct {
	t       testing.TB
	mu      sync.Mutex
	stopped bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.stopped {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func (w *testWriter) stop() {
	w.mu.Lock()
	w.stopped = true
	w.mu.Unlock()
}
