package engine

import (
	"strings"
	"testing"
)

// copyIn runs a COPY ... FROM STDIN statement, feeding data in chunks of
// size bytes, and returns the final result.
func copyIn(t *testing.T, s *Session, sql, data string, size int) (Result, error) {
	t.Helper()
	var final Result
	var ferr error
	err := s.Query(t.Context(), sql, func(r Result) error {
		if r.CopyIn == nil {
			t.Fatalf("%s: no CopyIn in %+v", sql, r)
		}
		for i := 0; i < len(data); i += size {
			if err := r.CopyIn.Write([]byte(data[i:min(i+size, len(data))])); err != nil {
				ferr = err
				return nil
			}
		}
		final, ferr = r.CopyIn.Done()
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	return final, ferr
}

func TestCopyFrom(t *testing.T) {
	for _, size := range []int{1, 3, 1 << 20} {
		db := newTestDB(t)
		s, _ := db.NewSession(SessionOptions{Copy: true})
		mustExec(t, s, "CREATE TABLE t (id SERIAL PRIMARY KEY, a INT, b TEXT, c NUMERIC DEFAULT 1.5)")

		r, err := copyIn(t, s, "COPY t (a, b) FROM STDIN", "1\tone\n2\t\\N\n3\ttab\\there\\\\ \\x41\\101\n\\.\n", size)
		if err != nil || r.Tag != "COPY 3" {
			t.Fatalf("chunk %d: text copy: %q %v", size, r.Tag, err)
		}
		r, err = copyIn(t, s, "COPY t (a, b) FROM STDIN WITH (FORMAT csv, HEADER)", "a,b\n4,\"x,y\"\n5,\n6,\"\"\n7,\"line\nbreak\"\"q\"\"\"\n8,last", size)
		if err != nil || r.Tag != "COPY 5" {
			t.Fatalf("chunk %d: csv copy: %q %v", size, r.Tag, err)
		}
		got := rowsText(mustExec(t, s, "SELECT id, a, coalesce(b, '<null>'), c FROM t ORDER BY id"))
		want := "1|1|one|1.5;2|2|<null>|1.5;3|3|tab\there\\ AA|1.5;4|4|x,y|1.5;5|5|<null>|1.5;6|6||1.5;7|7|line\nbreak\"q\"|1.5;8|8|last|1.5"
		if got != want {
			t.Errorf("chunk %d:\n got %q\nwant %q", size, got, want)
		}
	}
}

func TestCopyFromErrors(t *testing.T) {
	db := newTestDB(t)
	s, _ := db.NewSession(SessionOptions{Copy: true})
	mustExec(t, s, "CREATE TABLE t (a INT PRIMARY KEY, b TEXT)")
	for _, tc := range []struct{ sql, data, code string }{
		{"COPY t FROM STDIN", "x\ty\n", "22P02"},
		{"COPY t FROM STDIN", "1\n", "22P04"},
		{"COPY t FROM STDIN", "1\ta\tb\n", "22P04"},
		{"COPY t FROM STDIN", "1\ta\n1\tb\n", "23505"},
		{"COPY t FROM STDIN WITH CSV", "1,\"open\n", "22P04"},
	} {
		if _, err := copyIn(t, s, tc.sql, tc.data, 4); errCode(err) != tc.code {
			t.Errorf("%q: %v, want %s", tc.data, err, tc.code)
		}
	}
	for _, tc := range []struct{ sql, code string }{
		{"COPY nope FROM STDIN", "42P01"},
		{"COPY t (nope) FROM STDIN", "42703"},
		{"COPY t FROM STDIN WITH (DELIMITER '||')", "0A000"},
	} {
		if _, err := query(s, tc.sql); errCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.sql, err, tc.code)
		}
	}
	plain := newTestSession(t)
	mustExec(t, plain, "CREATE TABLE t (a INT)")
	if _, err := query(plain, "COPY t FROM STDIN"); errCode(err) != "0A000" {
		t.Errorf("COPY without Copy support: %v", err)
	}
}

func TestCopyTo(t *testing.T) {
	db := newTestDB(t)
	s, _ := db.NewSession(SessionOptions{Copy: true})
	mustExec(t, s, "CREATE TABLE t (a INT, b TEXT); INSERT INTO t VALUES (1, 'x'), (2, NULL), (3, 'a\tb,\"c\"')")
	for _, tc := range []struct{ sql, want, tag string }{
		{"COPY t TO STDOUT", "1\tx\n2\t\\N\n3\ta\\tb,\"c\"\n", "COPY 3"},
		{"COPY t (b) TO STDOUT WITH (FORMAT csv, HEADER)", "b\nx\n\n\"a\tb,\"\"c\"\"\"\n", "COPY 3"},
		{"COPY (SELECT a * 10 FROM t WHERE a > 1 ORDER BY a) TO STDOUT", "20\n30\n", "COPY 2"},
	} {
		r := mustExec(t, s, tc.sql)
		if r.CopyOut == nil {
			t.Fatalf("%s: no CopyOut", tc.sql)
		}
		var sb strings.Builder
		for _, row := range r.CopyOut.Rows {
			sb.Write(row)
		}
		if sb.String() != tc.want || r.Tag != tc.tag {
			t.Errorf("%s: %q %q, want %q %q", tc.sql, sb.String(), r.Tag, tc.want, tc.tag)
		}
	}
}
