package sqllogictest_test

import (
	"os"
	"slices"
	"testing"

	"github.com/chronos-db/chronos/engine/sqllogictest"
)

// pgDSNEnv names the environment variable that points TestPostgreSQL at a
// PostgreSQL 15 server (initdb --no-locale), e.g.
// "postgres://postgres@127.0.0.1:5432/postgres".
const pgDSNEnv = "CHRONOS_SLT_PG_DSN"

// TestPostgreSQL checks the runner itself: against PostgreSQL 15 it must
// reproduce EXPECTED-PG.md exactly, in every mode of -slt.modes: the counted
// and passed records of each file, and the failing records of
// pg-failures.txt, no more, no fewer. The tables and views of each script are
// dropped before and after it. Skipped unless CHRONOS_SLT_PG_DSN is set.
func TestPostgreSQL(t *testing.T) {
	dsn := os.Getenv(pgDSNEnv)
	if dsn == "" {
		t.Skipf("%s is not set; point it at a PostgreSQL 15 server to check the runner", pgDSNEnv)
	}
	pg, err := sqllogictest.ReadPGCounts(pgCountsPath)
	if err != nil {
		t.Fatal(err)
	}
	pgFailures, err := sqllogictest.ReadPGFailures(pgFailPath)
	if err != nil {
		t.Fatal(err)
	}
	scripts := corpus(t)
	tg := target{
		open: func(*testing.T, *sqllogictest.Script) (string, func()) { return dsn, func() {} },
		drop: true,
	}
	results := runCorpus(t, tg, scripts, modes(t))
	report(t, results)

	for _, res := range results {
		want, ok := pg[res.File]
		if !ok {
			t.Errorf("%s: not in %s", res.File, pgCountsPath)
			continue
		}
		if res.Counted != want.Counted || res.Passed != want.Passed {
			t.Errorf("%s [%s]: passed %d of %d counted records, PostgreSQL's counts are %d of %d",
				res.File, res.Mode, res.Passed, res.Counted, want.Passed, want.Counted)
		}
		var got, expected []string
		for _, f := range res.Failures {
			got = append(got, f.Location())
			if !pgFailures[f.Location()] {
				t.Errorf("unexpected failure:\n%s", f)
			}
		}
		for loc := range pgFailures {
			if len(loc) > len(res.File) && loc[:len(res.File)+1] == res.File+":" {
				expected = append(expected, loc)
			}
		}
		for _, loc := range expected {
			if !slices.Contains(got, loc) {
				t.Errorf("%s [%s]: passed, but PostgreSQL fails it per %s", loc, res.Mode, pgFailPath)
			}
		}
	}
}
