package sqllogictest_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chronos-db/chronos/engine/sqllogictest"
)

// TestCorpusCounts checks the parser on the whole corpus without a server:
// for every file, the records, statements and queries run, and records
// skipped for engine postgresql must equal EXPECTED-PG.md's table, and the
// counted records pg-counts.txt.
func TestCorpusCounts(t *testing.T) {
	f, err := os.Open(filepath.Join(testdata, "EXPECTED-PG.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pg, err := sqllogictest.ReadPGCounts(pgCountsPath)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// | file | records | statements run | queries run | skipped | counted | passes | fails |
		cells := strings.Split(sc.Text(), "|")
		if len(cells) != 10 || !strings.HasSuffix(strings.TrimSpace(cells[1]), ".test") {
			continue
		}
		name := strings.TrimSpace(cells[1])
		var n [7]int
		for i := range n {
			v, err := strconv.Atoi(strings.Trim(cells[i+2], " *"))
			if err != nil {
				t.Fatalf("EXPECTED-PG.md: bad cell %q in %q", cells[i+2], sc.Text())
			}
			n[i] = v
		}
		s, err := sqllogictest.ParseFile(filepath.Join(testdata, name))
		if err != nil {
			t.Fatal(err)
		}
		got := s.Counts(sqllogictest.DefaultEngine)
		want := sqllogictest.Counts{Records: n[0], Statements: n[1], Queries: n[2], Skipped: n[3]}
		if got != want || got.Counted() != n[4] {
			t.Errorf("%s: counts %+v (counted %d), EXPECTED-PG.md says %+v (counted %d)", name, got, got.Counted(), want, n[4])
		}
		if pg[name] != (sqllogictest.PGCount{Counted: n[4], Passed: n[5]}) {
			t.Errorf("%s: pg-counts.txt says %+v, EXPECTED-PG.md %d of %d", name, pg[name], n[5], n[4])
		}
		seen++
	}
	if seen != 14 || len(pg) != 14 {
		t.Errorf("EXPECTED-PG.md lists %d files, pg-counts.txt %d; want 14", seen, len(pg))
	}
}
