package main

import (
	"github.com/chronos-db/chronos/cmd/chronos/repl"
)

// client runs `chronos client`: the shell against any node. --leader takes
// one or more addresses; the shell uses the first that answers and moves
// to the next when its node goes away.
func client(args []string, std stdio) int {
	c := newCommand("client", "--leader HOST:PORT[,HOST:PORT...] [-c SQL] [-f FILE] [--on-error-stop]", std)
	leader := c.fs.String("leader", "", "nodes to connect to, as `HOST:PORT[,...]` or postgres:// URLs; any node serves (required)")
	user := c.fs.String("user", "chronos", "`USER` name for HOST:PORT addresses")
	database := c.fs.String("database", "chronos", "`DATABASE` name for HOST:PORT addresses")
	var rf replFlags
	rf.register(c.fs)
	if code := c.parse(args); code >= 0 {
		return code
	}
	if *leader == "" {
		return c.usageError("--leader is required")
	}
	interactive := len(rf.actions) == 0 && repl.IsTerminal(std.in)
	ctx, stop := shutdownContext(!interactive)
	defer stop()
	return runShell(ctx, c, *leader, *user, *database, rf, interactive, "")
}
