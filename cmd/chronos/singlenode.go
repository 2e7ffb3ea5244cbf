package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/chronos-db/chronos/cmd/chronos/repl"
	"github.com/chronos-db/chronos/server"
)

// singleNode runs `chronos single-node`: an embedded one-member cluster
// serving PostgreSQL on --address, with the shell connected to it unless
// --no-repl. The process ends with the shell (\q, end of input) or on
// SIGTERM/SIGHUP (and SIGINT when the shell is not interactive), closing
// the server cleanly, which writes a checkpoint.
func singleNode(args []string, std stdio) int {
	c := newCommand("single-node", "--data-dir DIR [--address HOST:PORT] [--no-repl] [-c SQL] [-f FILE]", std)
	dataDir := c.fs.String("data-dir", "", "`DIR` for the raft log and the CSV tables (required)")
	address := c.fs.String("address", "127.0.0.1:5432", "`HOST:PORT` to serve the PostgreSQL protocol on")
	noREPL := c.fs.Bool("no-repl", false, "serve only, without the shell, until SIGINT or SIGTERM")
	level := &logLevel{}
	c.fs.Var(level, "log-level", "log `LEVEL`: debug, info, warn or error (default info, warn with the shell)")
	var rf replFlags
	rf.register(c.fs)
	var sf securityFlags
	sf.register(c.fs)
	if code := c.parse(args); code >= 0 {
		return code
	}
	security, err := sf.config(os.Getenv)
	if err != nil {
		return c.usageError("%v", err)
	}
	if *dataDir == "" {
		return c.usageError("--data-dir is required")
	}
	if err := checkAddress(*address); err != nil {
		return c.usageError("bad --address %q: %v", *address, err)
	}
	if *noREPL && len(rf.actions) > 0 {
		return c.usageError("-c and -f need the shell; drop --no-repl")
	}

	interactive := !*noREPL && len(rf.actions) == 0 && repl.IsTerminal(std.in)
	if !level.set {
		level.level = slog.LevelInfo
		if !*noREPL {
			level.level = slog.LevelWarn // keep the shell's output clean
		}
	}
	ctx, stop := shutdownContext(!interactive)
	defer stop()

	srv, err := server.Start(ctx, server.Config{
		Address:  *address,
		DataDir:  *dataDir,
		Logger:   logger(std.err, level.level),
		Security: security,
	})
	if err != nil {
		return c.fail(err)
	}
	// The node can stop on its own (a disk error): end the shell then.
	ctx, stopShell := context.WithCancel(ctx)
	defer stopShell()
	nodeFailed := make(chan error, 1)
	go func() {
		select {
		case <-srv.Done():
			nodeFailed <- srv.Err()
			stopShell()
		case <-ctx.Done():
		}
	}()
	code := 0
	if *noREPL {
		fmt.Fprintf(std.err, "chronos single-node: serving PostgreSQL on %s, data in %s\n", srv.Addr(), *dataDir)
		<-ctx.Done()
	} else {
		code = runShell(ctx, c, shellAddress(srv.Addr(), security), "chronos", "chronos", rf, interactive,
			fmt.Sprintf("Chronos single node, data in %s; psql can connect to %s as well.", *dataDir, srv.Addr()), shellAuth{})
	}
	select {
	case err := <-nodeFailed:
		code = c.fail(fmt.Errorf("the node stopped: %w", err))
	default:
	}
	if err := srv.Close(); err != nil {
		fmt.Fprintf(std.err, "chronos single-node: shutdown: %v\n", err)
		return 1
	}
	return code
}

// shutdownContext returns a context cancelled by SIGTERM and SIGHUP, and by
// SIGINT when withInterrupt is set. Without it, SIGINT is left to the
// interactive shell (which cancels the running statement) and never kills
// the process.
func shutdownContext(withInterrupt bool) (context.Context, context.CancelFunc) {
	sigs := []os.Signal{syscall.SIGTERM, syscall.SIGHUP}
	if withInterrupt {
		sigs = append(sigs, os.Interrupt)
	} else {
		signal.Notify(make(chan os.Signal, 1), os.Interrupt)
	}
	return signal.NotifyContext(context.Background(), sigs...)
}

// runShell runs the shell against addresses (host:port or URLs, comma
// separated; user and database apply to host:port) and returns the exit
// status.
func runShell(ctx context.Context, c *command, addresses, user, database string, rf replFlags, interactive bool, banner string, auth shellAuth) int {
	addrs, err := repl.ParseAddresses(addresses, user, database)
	if err != nil {
		return c.usageError("%v", err)
	}
	err = repl.Run(ctx, repl.Config{
		Addresses:      addrs,
		Actions:        rf.actions,
		OnErrorStop:    rf.onErrorStop,
		Quiet:          rf.quiet,
		Interactive:    interactive,
		HistoryFile:    repl.HistoryFile(),
		Banner:         banner,
		Password:       auth.password,
		PromptPassword: auth.prompt,
		Stdin:          c.std.in,
		Stdout:         c.std.out,
		Stderr:         c.std.err,
	})
	switch {
	case err == nil:
		return 0
	case errors.Is(err, repl.ErrFailed):
		return 1
	case ctx.Err() != nil:
		fmt.Fprintf(c.std.err, "chronos %s: interrupted\n", c.name)
		return 1
	default:
		return c.fail(err)
	}
}
