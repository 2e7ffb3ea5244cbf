package sqllogictest_test

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"testing"

	"github.com/chronos-db/chronos/engine/sqllogictest"
	"github.com/chronos-db/chronos/server"
)

var flagShared = flag.Bool("slt.shared", false, "run every file on one Chronos server, dropping its tables and views before and after, instead of a fresh server per file")

// TestCorpus runs the corpus against a real single-node Chronos server
// started in this process, in every protocol mode of -slt.modes (simple and
// extended by default), each file on a fresh server. It prints the per-file
// table and fails when a file passes fewer records than testdata/baseline.txt
// holds for it; -slt.update raises the baseline to this run's counts (never
// lowers it). A server that goes down fails the test at once.
func TestCorpus(t *testing.T) {
	scripts := corpus(t)
	ms := modes(t)

	var tg target
	if *flagShared {
		addr := startChronos(t)
		tg = target{
			open: func(*testing.T, *sqllogictest.Script) (string, func()) { return chronosDSN(addr), func() {} },
			drop: true,
		}
	} else {
		tg = target{open: func(t *testing.T, _ *sqllogictest.Script) (string, func()) {
			s := startServer(t)
			return chronosDSN(s.Addr()), func() {
				if err := s.Close(); err != nil {
					t.Errorf("closing the server: %v", err)
				}
			}
		}}
	}
	results := runCorpus(t, tg, scripts, ms)
	report(t, results)

	base, err := sqllogictest.ReadBaseline(baselinePath)
	if err != nil {
		t.Fatal(err)
	}
	if *flagUpdate && base.Raise(results) {
		if err := base.Write(baselinePath); err != nil {
			t.Fatal(err)
		}
		t.Logf("raised %s; commit it with the change that raised the counts", baselinePath)
	}
	for _, msg := range base.Regressions(results) {
		t.Errorf("below the baseline: %s", msg)
	}
}

// startServer starts a single-node Chronos server on a free port with its
// own data directory. Its logs go to the test log with -slt.v, else nowhere.
func startServer(t *testing.T) *server.Server {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if *flagVerbose {
		logger = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	s, err := server.Start(context.Background(), server.Config{
		Address: "127.0.0.1:0",
		DataDir: t.TempDir(),
		Logger:  logger,
	})
	if err != nil {
		t.Fatalf("starting Chronos: %v", err)
	}
	return s
}

// startChronos starts a server for the whole test and returns its address.
func startChronos(t *testing.T) string {
	t.Helper()
	s := startServer(t)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("closing the server: %v", err)
		}
	})
	return s.Addr()
}

func chronosDSN(addr string) string {
	return "postgres://chronos@" + addr + "/chronos?sslmode=disable"
}

// testWriter sends a server's log lines to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}
