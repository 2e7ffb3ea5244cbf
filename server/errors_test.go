package server_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/chronos-db/chronos/server/servertest"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestErrorFields checks that errors reach clients with PostgreSQL's
// position, detail and hint fields, in every protocol mode, and that psql
// shows the caret.
func TestErrorFields(t *testing.T) {
	n := servertest.Start(t)
	setup := n.Connect()
	mustExec(t, setup, "CREATE TABLE users (id INT PRIMARY KEY, name TEXT)")
	mustExec(t, setup, "INSERT INTO users VALUES (1, 'a')")
	for _, mode := range execModes {
		c := n.Connect(withMode(mode))
		for _, tc := range []struct {
			sql          string
			code         string
			pos          int32
			detail, hint string
		}{
			{"SELECT * FROM nowhere", "42P01", 15, "", ""},
			{"SELECT nope FROM users", "42703", 8, "", ""},
			{"INSERT INTO users VALUES (1, 'b')", "23505", 0, "Key (id)=(1) already exists.", ""},
			{"SELECT nofunc(1)", "42883", 8, "", "No function matches the given name and argument types. You might need to add explicit type casts."},
		} {
			_, err := c.Exec(ctxT(t), tc.sql)
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != tc.code || pe.Position != tc.pos || pe.Detail != tc.detail || pe.Hint != tc.hint {
				t.Errorf("mode %v: %s: %+v, want %s at %d, detail %q, hint %q", mode, tc.sql, pe, tc.code, tc.pos, tc.detail, tc.hint)
			}
		}
	}
	out, err := psql(t, n, "-c", "SELECT name FROM nowhere")
	if err == nil || !strings.Contains(out, "LINE 1: SELECT name FROM nowhere\n                         ^") {
		t.Errorf("psql shows no caret:\n%s", out)
	}
}
