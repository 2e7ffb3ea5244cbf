package main

import (
	"fmt"

	"github.com/chronos-db/chronos/cmd/chronos/repl"
)

// client runs `chronos client`: the shell against any node. --leader takes
// one or more addresses; the shell uses the first that answers and moves
// to the next when its node goes away.
func client(args []string, std stdio) int {
	c := newCommand("client", "--leader HOST:PORT[,HOST:PORT...] [--user USER] [-W] [-c SQL] [-f FILE] [--on-error-stop]", std)
	leader := c.fs.String("leader", "", "nodes to connect to, as `HOST:PORT[,...]` or postgres:// URLs; any node serves (required)")
	user := c.fs.String("user", "chronos", "`USER` name for HOST:PORT addresses")
	database := c.fs.String("database", "chronos", "`DATABASE` name for HOST:PORT addresses")
	askPassword := c.fs.Bool("password", false, "ask for the password on the terminal before connecting (psql's -W); without it the shell asks when a server wants one and stdin is a terminal, or takes PGPASSWORD")
	c.fs.BoolVar(askPassword, "W", false, "same as --password")
	var rf replFlags
	rf.register(c.fs)
	if code := c.parse(args); code >= 0 {
		return code
	}
	if *leader == "" {
		return c.usageError("--leader is required")
	}
	terminal := repl.IsTerminal(std.in)
	var auth shellAuth
	if terminal {
		auth.prompt = repl.TerminalPassword(std.in, std.err)
	}
	if *askPassword {
		if !terminal {
			return c.usageError("--password reads the password from a terminal; set PGPASSWORD instead")
		}
		pw, err := auth.prompt(*user)
		if err != nil {
			return c.fail(fmt.Errorf("reading the password: %w", err))
		}
		auth.password = pw
	}
	interactive := len(rf.actions) == 0 && terminal
	ctx, stop := shutdownContext(!interactive)
	defer stop()
	return runShell(ctx, c, *leader, *user, *database, rf, interactive, "", auth)
}

// shellAuth is how the shell authenticates beyond its connection strings:
// a password given up front, and a prompt for when a server asks for one.
type shellAuth struct {
	password string
	prompt   func(user string) (string, error)
}
