package engine

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
)

// newTestDB opens an in-memory DB with a LocalLog.
func newTestDB(t testing.TB) *DB {
	t.Helper()
	db, err := Open("", Options{Logger: slog.New(slog.NewTextHandler(testWriter{t}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	db.SetLog(NewLocalLog(db))
	return db
}

// newTestSession opens an in-memory DB and a session on it.
func newTestSession(t testing.TB) *Session {
	t.Helper()
	s, err := newTestDB(t).NewSession(SessionOptions{User: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// query runs sql and returns the last statement's result.
func query(s *Session, sql string) (Result, error) {
	var last Result
	err := s.Query(context.Background(), sql, func(r Result) error {
		last = r
		return nil
	})
	return last, err
}

// mustExec runs sql and fails the test on an error.
func mustExec(t testing.TB, s *Session, sql string) Result {
	t.Helper()
	r, err := query(s, sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return r
}

// rowsText formats a result's rows as "a|b" lines joined by ";" with NULL
// as "NULL".
func rowsText(r Result) string {
	var rows []string
	for _, row := range r.Rows {
		var vals []string
		for i, v := range row {
			if v == nil {
				vals = append(vals, "NULL")
				continue
			}
			vals = append(vals, types.FormatText(v, r.Columns[i].Type))
		}
		rows = append(rows, strings.Join(vals, "|"))
	}
	return strings.Join(rows, ";")
}

// errCode returns err's SQLSTATE, or "" for nil.
func errCode(err error) string {
	if err == nil {
		return ""
	}
	return string(sqlerr.CodeOf(err))
}

// columnNames lists a result's column names.
func columnNames(r Result) string {
	var names []string
	for _, c := range r.Columns {
		names = append(names, c.Name)
	}
	return strings.Join(names, ",")
}

// testWriter sends log lines to the test's log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
