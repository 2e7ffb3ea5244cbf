package sqllogictest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeFile(path, content string) error {
	return os.WriteFile(path, []byte(content), 0o644)
}

func TestWriteReport(t *testing.T) {
	results := []*FileResult{
		{File: "a.test", Mode: Simple, Counted: 10, Passed: 10, Duration: 1500 * time.Microsecond},
		{File: "bb.test", Mode: Simple, Counted: 20, Passed: 17, Duration: 2 * time.Millisecond},
		{File: "a.test", Mode: Extended, Counted: 10, Passed: 9, Duration: time.Millisecond},
	}
	pg := map[string]PGCount{"a.test": {10, 10}, "bb.test": {20, 18}}
	var b strings.Builder
	WriteReport(&b, results, pg)
	want := `[simple]   a.test:  10/10 (PostgreSQL: 10), 0 failed, 2ms
[simple]   bb.test: 17/20 (PostgreSQL: 18), 3 failed, 2ms  BELOW PostgreSQL by 1
[simple]   total:   27/30 (PostgreSQL: 28), 3 failed, 4ms  BELOW PostgreSQL by 1
[extended] a.test:  9/10 (PostgreSQL: 10), 1 failed, 1ms  BELOW PostgreSQL by 1
[extended] total:   9/10 (PostgreSQL: 10), 1 failed, 1ms  BELOW PostgreSQL by 1
`
	if b.String() != want {
		t.Errorf("WriteReport =\n%s\nwant\n%s", b.String(), want)
	}
}

func TestReadPGFiles(t *testing.T) {
	dir := t.TempDir()
	counts := filepath.Join(dir, "pg-counts.txt")
	if err := writeFile(counts, "# comment\na.test 15 13\n\nb.test 5 5\n"); err != nil {
		t.Fatal(err)
	}
	got, err := ReadPGCounts(counts)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["a.test"] != (PGCount{15, 13}) || got["b.test"] != (PGCount{5, 5}) {
		t.Errorf("ReadPGCounts = %v", got)
	}
	fails := filepath.Join(dir, "pg-failures.txt")
	if err := writeFile(fails, "# comment\na.test:68\twhy\tDELETE FROM v\na.test:79\twhy\tUPDATE v SET x=2\n"); err != nil {
		t.Fatal(err)
	}
	locs, err := ReadPGFailures(fails)
	if err != nil {
		t.Fatal(err)
	}
	if len(locs) != 2 || !locs["a.test:68"] || !locs["a.test:79"] {
		t.Errorf("ReadPGFailures = %v", locs)
	}
}

func TestGroupFailures(t *testing.T) {
	rec := func(line int) *Record { return &Record{Line: line, Kind: KindQuery} }
	results := []*FileResult{{File: "a.test", Failures: []*Failure{
		{File: "a.test", Record: rec(1), Reason: "error", Err: errors.New(`ERROR: column "x" does not exist (SQLSTATE 42703)`)},
		{File: "a.test", Record: rec(5), Reason: "wrong result"},
		{File: "a.test", Record: rec(9), Reason: "error", Err: errors.New(`ERROR: column "y" does not exist (SQLSTATE 42703)`)},
		{File: "a.test", Record: rec(12), Reason: "3 result columns, 2 expected"},
	}}}
	groups := GroupFailures(results)
	var b strings.Builder
	WriteGroups(&b, groups, 2)
	want := `     2  error: ERROR: column "…" does not exist (SQLSTATE N)  (first: a.test:1)
     1  wrong number of result columns  (first: a.test:12)
... 1 more kinds of failure
`
	if b.String() != want {
		t.Errorf("WriteGroups =\n%s\nwant\n%s", b.String(), want)
	}
}
