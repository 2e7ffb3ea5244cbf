package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/chronos-db/chronos/server"
)

// nodeRemove runs `chronos node remove --id ID --via HOST:PORT`: it asks
// the member at --via to remove member ID from the cluster. The removed
// node stops by itself; its data directory is left for the operator.
func nodeRemove(args []string, std stdio) int {
	c := newCommand("node remove", "--id ID --via HOST:PORT", std)
	id := c.fs.String("id", "", "the `ID` of the member to remove (required)")
	via := c.fs.String("via", "", "`HOST:PORT` of any member of the cluster (required)")
	timeout := c.fs.Duration("timeout", 30*time.Second, "give up after this `DURATION`")
	var secretFile string
	registerClusterSecret(c.fs, &secretFile)
	var peerTLS server.PeerTLS
	c.fs.StringVar(&peerTLS.CA, "peer-ca", "", "PEM `FILE` of the cluster's peer CA, when members use mutual TLS")
	c.fs.StringVar(&peerTLS.Cert, "tls-cert", "", "PEM `FILE` of a certificate the peer CA signed (with --peer-ca)")
	c.fs.StringVar(&peerTLS.Key, "tls-key", "", "PEM `FILE` of the key of --tls-cert")
	if code := c.parse(args); code >= 0 {
		return code
	}
	switch {
	case *id == "":
		return c.usageError("--id is required")
	case *via == "":
		return c.usageError("--via is required")
	}
	if err := checkAddress(*via); err != nil {
		return c.usageError("bad --via %q: %v", *via, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	secret, err := clusterSecret(secretFile, os.Getenv)
	if err != nil {
		return c.usageError("%v", err)
	}
	opts, err := server.PeerDialOptions(secret, &peerTLS)
	if err != nil {
		return c.usageError("%v", err)
	}
	if err := server.RemoveMember(ctx, *via, *id, opts...); err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(std.out, "removed %s from the cluster\n", *id)
	return 0
}
