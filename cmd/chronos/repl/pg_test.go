package repl

import (
	"os"
	"sync"
	"testing"

	"github.com/chronos-db/chronos/server/servertest/pgtest"
)

// The shell's integration tests run against a throwaway PostgreSQL server
// (the reference the shell imitates), started once per test binary when
// PostgreSQL's server programs are installed, and skipped otherwise.
var testPG struct {
	once sync.Once
	srv  *pgtest.Server
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if testPG.srv != nil {
		testPG.srv.Stop()
	}
	os.Exit(code)
}

// postgresDSN returns the URL of the test PostgreSQL, starting it on first
// use, or skips the test when PostgreSQL is not installed.
func postgresDSN(t *testing.T) string {
	t.Helper()
	testPG.once.Do(func() { testPG.srv, testPG.err = pgtest.Start() })
	if testPG.err != nil {
		t.Skip(testPG.err)
	}
	return testPG.srv.DSN
}
