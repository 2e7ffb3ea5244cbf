package engine

import (
	"context"
	"testing"

	"github.com/chronos-db/chronos/engine/sqlerr"
)

// TestErrorPosition checks the positions of unknown names against those
// PostgreSQL 15 reports for the same queries.
func TestErrorPosition(t *testing.T) {
	s := newTestSession(t)
	mustExec(t, s, "CREATE TABLE t (a INT, b TEXT)")
	for _, tc := range []struct {
		sql  string
		code string
		pos  int
	}{
		{"SELECT * FROM nowhere", "42P01", 15},
		{"select *\n  from t join Nowhere on true", "42P01", 24},
		{"SELECT * FROM public.nowhere", "42P01", 15},
		{"SELECT 1; SELECT * FROM nowhere", "42P01", 25},
		{"INSERT INTO nowhere VALUES (1)", "42P01", 13},
		{"SELECT x FROM x", "42P01", 15},
		{"SELECT 'nowhere' /* nowhere */ FROM nowhere", "42P01", 37},
		{"SELECT nope FROM t", "42703", 8},
		{"SELECT a, t.nope FROM t", "42703", 11},
		{"SELECT nofunc(1)", "42883", 8},
	} {
		_, err := query(s, tc.sql)
		e := sqlerr.As(err)
		if e == nil || string(e.Code) != tc.code || e.Position != tc.pos {
			t.Errorf("%q: %v (position %d), want %s at %d", tc.sql, err, posOf(e), tc.code, tc.pos)
		}
	}
	// Prepare reports it too.
	_, err := s.Prepare(context.Background(), "SELECT b FROM  nowhere WHERE a = $1", nil)
	if e := sqlerr.As(err); e == nil || e.Position != 16 {
		t.Errorf("Prepare: %v (position %d), want 16", err, posOf(e))
	}
}

func posOf(e *sqlerr.Error) int {
	if e == nil {
		return -1
	}
	return e.Position
}
