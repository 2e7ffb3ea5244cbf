package server_test

import (
	"errors"
	"net"
	"testing"

	"github.com/chronos-db/chronos/server/servertest/pgtest"
)

// realPostgres is a throwaway PostgreSQL server on 127.0.0.1 with a trusted
// superuser "chronos" and a database "chronos", for tests that compare
// Chronos with the real thing.
type realPostgres struct {
	host, port string
}

// startPostgres starts PostgreSQL in a temporary directory, or skips the
// test when it is not installed; the server stops when the test ends.
func startPostgres(t *testing.T) *realPostgres {
	t.Helper()
	srv, err := pgtest.Start()
	if errors.Is(err, pgtest.ErrUnavailable) {
		t.Skipf("PostgreSQL is not available: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	host, port, err := net.SplitHostPort(srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	return &realPostgres{host: host, port: port}
}
