package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/chronos-db/chronos/server"
)

// node runs `chronos node`: one cluster member, with its data in
// DIR/ID, until SIGINT, SIGTERM or SIGHUP. `chronos node remove` removes
// a member (noderemove.go).
func node(args []string, std stdio) int {
	if len(args) > 0 && args[0] == "remove" {
		return nodeRemove(args[1:], std)
	}
	c := newCommand("node", "--id ID --address HOST:PORT --data-dir DIR [--peers ID=HOST:PORT,...] [--clean]", std)
	id := c.fs.String("id", "", "this node's `ID`, unique in the cluster (required)")
	address := c.fs.String("address", "", "`HOST:PORT` for PostgreSQL clients and peers (required)")
	dataDir := c.fs.String("data-dir", "", "`DIR` holding each node's data in DIR/ID (required)")
	peersFlag := c.fs.String("peers", "", "existing members to join through, as `ID=HOST:PORT,...` (none: bootstrap a new cluster)")
	clean := c.fs.Bool("clean", false, "delete this node's data (DIR/ID) before starting")
	checkpointEntries := c.fs.Uint64("checkpoint-entries", 10000, "advanced: checkpoint the tables and compact the raft log after `N` applied entries (spaced out for large tables)")
	requestTimeout := c.fs.Duration("request-timeout", 5*time.Second, "advanced: how long a statement waits for a leader and a quorum before it fails (`DURATION`)")
	level := &logLevel{level: slog.LevelInfo}
	c.fs.Var(level, "log-level", "log `LEVEL`: debug, info, warn or error (default info)")
	var sf securityFlags
	sf.register(c.fs)
	if code := c.parse(args); code >= 0 {
		return code
	}
	security, err := sf.config(os.Getenv)
	if err != nil {
		return c.usageError("%v", err)
	}
	switch {
	case *id == "":
		return c.usageError("--id is required")
	case *address == "":
		return c.usageError("--address is required")
	case *dataDir == "":
		return c.usageError("--data-dir is required")
	case *checkpointEntries == 0:
		return c.usageError("--checkpoint-entries must be at least 1")
	case *requestTimeout <= 0:
		return c.usageError("--request-timeout must be positive")
	case *id == "." || *id == ".." || filepath.Base(*id) != *id:
		return c.usageError("bad --id %q: it names a directory under --data-dir", *id)
	}
	if err := checkAddress(*address); err != nil {
		return c.usageError("bad --address %q: %v", *address, err)
	}
	peers, err := parsePeers(*peersFlag)
	if err != nil {
		return c.usageError("bad --peers: %v", err)
	}
	if _, self := peers[*id]; self {
		return c.usageError("--peers names this node (%s) itself", *id)
	}

	ctx, stop := shutdownContext(true)
	defer stop()
	srv, err := server.Start(ctx, server.Config{
		ID:      *id,
		Address: *address,
		DataDir: filepath.Join(*dataDir, *id),
		Peers:   peers,
		Clean:   *clean,
		Logger:  logger(std.err, level.level).With("node", *id),

		CheckpointEntries: *checkpointEntries,
		RequestTimeout:    *requestTimeout,
		Security:          security,
		ShareProcessors:   true,
	})
	if err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(std.err, "chronos node %s: serving on %s, data in %s\n", *id, srv.Addr(), filepath.Join(*dataDir, *id))
	code := 0
	select {
	case <-ctx.Done():
	case <-srv.Done():
		code = c.fail(fmt.Errorf("the node stopped: %w", srv.Err()))
	}
	if err := srv.Close(); err != nil {
		return c.fail(fmt.Errorf("shutdown: %w", err))
	}
	return code
}
