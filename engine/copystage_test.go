package engine

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
)

// bigCopyData is n text-format rows "i\tname-i" starting at first.
func bigCopyData(first, n int) string {
	var sb strings.Builder
	for i := first; i < first+n; i++ {
		fmt.Fprintf(&sb, "%d\tname-%d\n", i, i)
	}
	return sb.String()
}

// TestCopyAtomic checks that a COPY larger than one staging batch writes
// nothing when it fails, and everything at once when it succeeds.
func TestCopyAtomic(t *testing.T) {
	db := newTestDB(t)
	s, _ := db.NewSession(SessionOptions{Copy: true})
	mustExec(t, s, "CREATE TABLE t (a INT PRIMARY KEY, b TEXT)")
	n := 3*copyBatchRows + 10
	for _, tc := range []struct {
		name, data, code string
	}{
		{"bad value in the last line", bigCopyData(1, n) + "oops\tx\n", "22P02"},
		{"duplicate key between batches", bigCopyData(1, n) + "5\tagain\n", "23505"},
	} {
		_, err := copyIn(t, s, "COPY t FROM STDIN", tc.data, 1<<16)
		if errCode(err) != tc.code {
			t.Fatalf("%s: %v, want %s", tc.name, err, tc.code)
		}
		if got := rowsText(mustExec(t, s, "SELECT count(*) FROM t")); got != "0" {
			t.Errorf("%s: %s rows written, want 0", tc.name, got)
		}
		if k := db.staging.n.Load(); k != 0 {
			t.Errorf("%s: %d copies still staged", tc.name, k)
		}
	}
	if r, err := copyIn(t, s, "COPY t FROM STDIN", "1\tx\n", 1); err != nil || r.Tag != "COPY 1" {
		t.Fatalf("a small copy: %q %v", r.Tag, err)
	}
	before := db.AppliedIndex()
	r, err := copyIn(t, s, "COPY t FROM STDIN", bigCopyData(2, n), 1<<16)
	if err != nil || r.Tag != fmt.Sprintf("COPY %d", n) {
		t.Fatalf("big copy: %q %v", r.Tag, err)
	}
	// One stage entry per batch and one commit entry went through the log.
	if got, want := db.AppliedIndex()-before, uint64((n+copyBatchRows-1)/copyBatchRows+1); got != want {
		t.Errorf("the copy took %d log entries, want %d", got, want)
	}
	if got := rowsText(mustExec(t, s, "SELECT count(*), max(a) FROM t")); got != fmt.Sprintf("%d|%d", n+1, n+1) {
		t.Errorf("count, max = %s", got)
	}
}

// TestCopyStagingDefersCheckpoint checks that nothing is checkpointed
// while a copy is staged, and that a copy that never ends expires.
func TestCopyStagingDefersCheckpoint(t *testing.T) {
	db := newTestDB(t)
	s, _ := db.NewSession(SessionOptions{Copy: true})
	mustExec(t, s, "CREATE TABLE t (a INT, b TEXT)")
	before, err := db.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	var staged *CopyIn
	err = s.Query(t.Context(), "COPY t FROM STDIN", func(r Result) error {
		staged = r.CopyIn
		return r.CopyIn.Write([]byte(bigCopyData(1, copyBatchRows+1)))
	})
	if err != nil {
		t.Fatal(err)
	}
	if db.staging.n.Load() != 1 {
		t.Fatalf("staged copies: %d, want 1", db.staging.n.Load())
	}
	mustExec(t, s, "INSERT INTO t VALUES (0, 'other')")
	if got, err := db.Checkpoint(); err != nil || got != before {
		t.Errorf("checkpoint while staged: %d %v, want %d", got, err, before)
	}
	if _, err := db.SnapshotData(); err == nil {
		t.Error("SnapshotData while staged succeeded")
	}
	// The staged rows are invisible until the commit.
	if got := rowsText(mustExec(t, s, "SELECT count(*) FROM t")); got != "1" {
		t.Errorf("rows visible while staged: %s", got)
	}
	// An entry far beyond the TTL drops the abandoned copy.
	db.expireStagedAt(db.AppliedIndex() + stageTTL + 1)
	if db.staging.n.Load() != 0 {
		t.Fatal("the abandoned copy did not expire")
	}
	if _, err := staged.Done(); errCode(err) != "40001" {
		t.Errorf("Done after expiry: %v, want 40001", err)
	}
	if got, err := db.Checkpoint(); err != nil || got <= before {
		t.Errorf("checkpoint after expiry: %d %v, want > %d", got, err, before)
	}
}

// TestCopyWriteRow feeds binary-format rows as the wire layer decodes them.
func TestCopyWriteRow(t *testing.T) {
	db := newTestDB(t)
	s, _ := db.NewSession(SessionOptions{Copy: true})
	mustExec(t, s, "CREATE TABLE t (a INT, b VARCHAR(3), c TEXT DEFAULT 'd')")
	var final Result
	err := s.Query(t.Context(), "COPY t (a, b) FROM STDIN (FORMAT binary)", func(r Result) error {
		c := r.CopyIn
		if !c.Binary() || len(c.ColumnTypes()) != 2 || c.ColumnTypes()[1].OID != types.OIDVarchar {
			t.Fatalf("binary %v, types %v", c.Binary(), c.ColumnTypes())
		}
		for _, row := range [][]types.Value{{int64(1), "abc"}, {nil, nil}} {
			if err := c.WriteRow(row); err != nil {
				return err
			}
		}
		var err error
		final, err = c.Done()
		return err
	})
	if err != nil || final.Tag != "COPY 2" {
		t.Fatalf("%q %v", final.Tag, err)
	}
	err = s.Query(t.Context(), "COPY t (a, b) FROM STDIN (FORMAT binary)", func(r Result) error {
		if err := r.CopyIn.WriteRow([]types.Value{int64(2), "ok"}); err != nil {
			return err
		}
		return r.CopyIn.WriteRow([]types.Value{int64(3), "toolong"})
	})
	if errCode(err) != "22001" || !strings.Contains(err.Error()+detailOf(err), "line 2") {
		t.Errorf("too long: %v (%s), want 22001 at line 2", err, detailOf(err))
	}
	if got := rowsText(mustExec(t, s, "SELECT a, b, c FROM t ORDER BY a")); got != "1|abc|d;NULL|NULL|d" {
		t.Errorf("rows: %s", got)
	}
}

// detailOf is an error's DETAIL field.
func detailOf(err error) string {
	if e := sqlerr.As(err); e != nil {
		return e.Detail
	}
	return ""
}
