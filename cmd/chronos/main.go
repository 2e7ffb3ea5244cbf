// Command chronos runs a Chronos node or its SQL shell.
//
//	chronos single-node --data-dir DIR [--address HOST:PORT]   embedded node with a REPL
//	chronos node --id ID --address HOST:PORT --data-dir DIR [--peers id=host:port,...] [--clean]
//	chronos node remove --id ID --via HOST:PORT                remove a member from its cluster
//	chronos client --leader HOST:PORT[,HOST:PORT...]           the REPL against any node
//
// The command only parses flags and starts a server.Server or the shell in
// package repl; everything else lives in those packages.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run dispatches to a subcommand and returns the exit status: 0 on success,
// 1 when the command failed, 2 for bad usage.
func run(args []string, stdin *os.File, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	std := stdio{in: stdin, out: stdout, err: stderr}
	switch args[0] {
	case "single-node":
		return singleNode(args[1:], std)
	case "node":
		return node(args[1:], std)
	case "client":
		return client(args[1:], std)
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return 0
	default:
		fmt.Fprintf(stderr, "chronos: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
}

// stdio is the process's standard streams, passed to subcommands.
type stdio struct {
	in       *os.File
	out, err io.Writer
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Chronos: a distributed SQL database that speaks the PostgreSQL protocol.

Usage:
  chronos single-node --data-dir DIR [--address HOST:PORT]
        an embedded node with a SQL shell; psql can connect to --address too
  chronos node --id ID --address HOST:PORT --data-dir DIR [--peers ID=HOST:PORT,...] [--clean]
        a cluster member; runs until SIGINT or SIGTERM
  chronos node remove --id ID --via HOST:PORT
        remove member ID from the cluster of the member at --via
  chronos client --leader HOST:PORT[,HOST:PORT...] [-W]
        the SQL shell against any node (postgres:// URLs work too); the
        password comes from PGPASSWORD or, on a terminal, a prompt

Run "chronos COMMAND --help" for a command's options.
`)
}
