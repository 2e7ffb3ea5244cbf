package sqllogictest_test

import (
	"context"
	"errors"
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chronos-db/chronos/engine/sqllogictest"
)

var (
	flagVerbose = flag.Bool("slt.v", false, "print every failing record with its expected and actual result")
	flagFiles   = flag.String("slt.files", "*.test", "glob of the corpus files to run, relative to testdata")
	flagModes   = flag.String("slt.modes", "simple,extended", "protocol modes to run, comma-separated: simple, extended, describe")
	flagUpdate  = flag.Bool("slt.update", false, "raise testdata/baseline.txt to this run's counts (it never lowers a count)")
	flagTimeout = flag.Duration("slt.timeout", sqllogictest.DefaultTimeout, "time limit of one record")
)

const (
	testdata     = "testdata"
	baselinePath = "testdata/baseline.txt"
	pgCountsPath = "testdata/pg-counts.txt"
	pgFailPath   = "testdata/pg-failures.txt"
)

// corpus parses the corpus files selected by -slt.files, in name order.
func corpus(t *testing.T) []*sqllogictest.Script {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(testdata, *flagFiles))
	if err != nil {
		t.Fatalf("bad -slt.files %q: %v", *flagFiles, err)
	}
	var scripts []*sqllogictest.Script
	for _, p := range paths {
		if !strings.HasSuffix(p, ".test") {
			continue
		}
		s, err := sqllogictest.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		scripts = append(scripts, s)
	}
	if len(scripts) == 0 {
		t.Fatalf("no corpus file matches -slt.files %q", *flagFiles)
	}
	return scripts
}

// modes parses -slt.modes.
func modes(t *testing.T) []sqllogictest.Mode {
	t.Helper()
	ms, err := sqllogictest.ParseModes(*flagModes)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// target is a server the corpus runs against.
type target struct {
	// open returns the connection string for running one script, and a
	// function to call when the script is done.
	open func(t *testing.T, s *sqllogictest.Script) (dsn string, done func())
	// drop says the database outlives a script, so the script's tables and
	// views are dropped before and after it.
	drop bool
}

// runCorpus runs every script in every mode against the target and returns
// the results, mode by mode. A server that goes down fails the test at once.
func runCorpus(t *testing.T, tg target, scripts []*sqllogictest.Script, ms []sqllogictest.Mode) []*sqllogictest.FileResult {
	t.Helper()
	ctx := context.Background()
	var results []*sqllogictest.FileResult
	for _, m := range ms {
		for _, s := range scripts {
			res, err := runScript(ctx, t, tg, s, m)
			if res != nil {
				results = append(results, res)
			}
			if err != nil {
				if errors.Is(err, sqllogictest.ErrServerDown) {
					t.Fatalf("%s [%s]: the server went down: %v", s.Name, m, err)
				}
				t.Fatalf("%s [%s]: %v", s.Name, m, err)
			}
			if *flagVerbose {
				for _, f := range res.Failures {
					t.Log("\n" + f.String())
				}
			}
		}
	}
	return results
}

func runScript(ctx context.Context, t *testing.T, tg target, s *sqllogictest.Script, m sqllogictest.Mode) (*sqllogictest.FileResult, error) {
	dsn, done := tg.open(t, s)
	defer done()
	r, err := sqllogictest.Connect(ctx, sqllogictest.Config{ConnString: dsn, Mode: m, Timeout: *flagTimeout})
	if err != nil {
		return nil, err
	}
	defer r.Close(ctx)
	if tg.drop {
		if err := r.DropObjects(ctx, s); err != nil {
			return nil, err
		}
	}
	res, err := r.Run(ctx, s)
	if err != nil {
		return res, err
	}
	if tg.drop {
		if err := r.DropObjects(ctx, s); err != nil {
			return res, err
		}
	}
	return res, nil
}

// report logs the per-file table and the commonest kinds of failure.
func report(t *testing.T, results []*sqllogictest.FileResult) {
	t.Helper()
	pg, err := sqllogictest.ReadPGCounts(pgCountsPath)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	sqllogictest.WriteReport(&b, results, pg)
	if groups := sqllogictest.GroupFailures(results); len(groups) > 0 {
		b.WriteString("\nfailures by kind, all modes (-slt.v prints each):\n")
		sqllogictest.WriteGroups(&b, groups, 25)
	}
	t.Log("\n" + b.String())
}
