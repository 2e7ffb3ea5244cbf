package engine

import (
	"bufio"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chronos-db/chronos/engine/sqllogictest"
	"github.com/chronos-db/chronos/engine/types"
)

// The sqllogictest corpus run in process, through a Session with a
// LocalLog: the same records, formatting, sorting and hashing as the
// conformance runner (engine/sqllogictest), without the network, so wrong
// answers show up in go test ./engine/. Every file must pass at least as
// many records as PostgreSQL 15 does.

var (
	sltVerbose = flag.Bool("slt.v", false, "print every failing sqllogictest record")
	sltFiles   = flag.String("slt.dir", sltDir, "directory of the .test files to run (pg-counts.txt there, if any, gives PostgreSQL's passes)")
)

const sltDir = "sqllogictest/testdata"

func TestSQLLogicTestCorpus(t *testing.T) {
	want := readPGCounts(t, *sltFiles)
	files, err := filepath.Glob(filepath.Join(*sltFiles, "*.test"))
	if err != nil || len(files) == 0 {
		t.Skipf("no corpus in %s: %v", *sltFiles, err)
	}
	total, totalWant := 0, 0
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			script, err := sqllogictest.ParseFile(f)
			if err != nil {
				t.Fatal(err)
			}
			passed, counted := runScript(t, script)
			w, ok := want[name]
			total += passed
			totalWant += w
			t.Logf("%s: %d/%d passed (PostgreSQL %d)", name, passed, counted, w)
			if ok && passed < w {
				t.Errorf("%s: %d records passed, PostgreSQL passes %d", name, passed, w)
			}
		})
	}
	t.Logf("total: %d passed (PostgreSQL %d)", total, totalWant)
}

// readPGCounts reads pg-counts.txt: file, counted, PostgreSQL's passes.
func readPGCounts(t *testing.T, dir string) map[string]int {
	out := map[string]int{}
	f, err := os.Open(filepath.Join(dir, "pg-counts.txt"))
	if err != nil {
		t.Logf("no pg-counts.txt in %s: %v", dir, err)
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 3 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		n, err := strconv.Atoi(fields[2])
		if err == nil {
			out[fields[0]] = n
		}
	}
	return out
}

// runScript runs a script's records for engine postgresql on a fresh
// database and counts the passes.
func runScript(t *testing.T, script *sqllogictest.Script) (passed, counted int) {
	s := newTestSession(t)
	halted := false
	failures := 0
	for _, rec := range script.Records {
		if halted || !rec.Runs("postgresql") {
			continue
		}
		switch rec.Kind {
		case sqllogictest.KindHalt:
			halted = true
			continue
		case sqllogictest.KindStatement, sqllogictest.KindQuery:
		default:
			continue
		}
		counted++
		ok, why := runRecord(s, rec)
		if ok {
			passed++
			continue
		}
		failures++
		if *sltVerbose {
			t.Logf("%s:%d: %s\n%s", script.Name, rec.Line, why, rec.SQL)
		}
	}
	return passed, counted
}

// runRecord runs one record and says whether it passed, and if not why.
func runRecord(s *Session, rec *sqllogictest.Record) (bool, string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var res Result
	err := s.Query(ctx, rec.SQL, func(r Result) error { res = r; return nil })
	if rec.Kind == sqllogictest.KindStatement {
		if rec.ExpectError != (err != nil) {
			if err != nil {
				return false, "error: " + err.Error()
			}
			return false, "statement succeeded, error expected"
		}
		return true, ""
	}
	if err != nil {
		return false, "error: " + err.Error()
	}
	if len(res.Columns) != len(rec.Types) {
		return false, strconv.Itoa(len(res.Columns)) + " columns, want " + strconv.Itoa(len(rec.Types))
	}
	var values []string
	for _, row := range res.Rows {
		for i, v := range row {
			var raw []byte
			if v != nil {
				raw = []byte(types.FormatText(v, res.Columns[i].Type))
			}
			values = append(values, sqllogictest.FormatValue(raw, uint32(res.Columns[i].Type.OID), rec.Types[i]))
		}
	}
	sqllogictest.SortValues(values, len(rec.Types), rec.Sort)
	if sqllogictest.Matches(values, rec.Expected) {
		return true, ""
	}
	got := strings.Join(values, " ")
	if len(got) > 300 {
		got = got[:300] + "..."
	}
	exp := strings.Join(rec.Expected, " ")
	if len(exp) > 300 {
		exp = exp[:300] + "..."
	}
	return false, "wrong result: got " + got + "; want " + exp
}
