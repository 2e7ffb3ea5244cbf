package server_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/chronos-db/chronos/server/servertest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// execModes are all of pgx's query execution modes: each drives the
// protocol differently (cached prepared statements, describe-then-execute,
// the unnamed statement, and the simple protocol).
var execModes = []pgx.QueryExecMode{
	pgx.QueryExecModeCacheStatement,
	pgx.QueryExecModeCacheDescribe,
	pgx.QueryExecModeDescribeExec,
	pgx.QueryExecModeExec,
	pgx.QueryExecModeSimpleProtocol,
}

func withMode(m pgx.QueryExecMode) func(*pgx.ConnConfig) {
	return func(c *pgx.ConnConfig) { c.DefaultQueryExecMode = m }
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestIssueExample runs the statements a new user types first, and reads
// them back through a second connection.
func TestIssueExample(t *testing.T) {
	n := servertest.Start(t)
	ctx := ctxT(t)
	c := n.Connect()
	for _, q := range []string{
		"CREATE TABLE users (id INT, name STRING)",
		"INSERT INTO users (id, name) VALUES (1, 'Alice')",
		"INSERT INTO users (id, name) VALUES (2, 'Bob')",
	} {
		if _, err := c.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	other := n.Connect()
	rows, err := other.Query(ctx, "SELECT id, name FROM users ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	type user struct {
		ID   int32
		Name string
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[user])
	if err != nil {
		t.Fatal(err)
	}
	want := []user{{1, "Alice"}, {2, "Bob"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestCommandTagsAllModes runs every statement kind in every pgx mode and
// checks the command tags PostgreSQL would send.
func TestCommandTagsAllModes(t *testing.T) {
	n := servertest.Start(t)
	for _, mode := range execModes {
		t.Run(mode.String(), func(t *testing.T) {
			ctx := ctxT(t)
			c := n.Connect(withMode(mode))
			tbl := fmt.Sprintf("t_%d", mode)
			steps := []struct {
				sql  string
				args []any
				tag  string
			}{
				{"CREATE TABLE " + tbl + " (id BIGINT PRIMARY KEY, name TEXT NOT NULL, score NUMERIC(10,2), ok BOOLEAN DEFAULT true)", nil, "CREATE TABLE"},
				{"INSERT INTO " + tbl + " (id, name, score) VALUES ($1, $2, $3), ($4, $5, $6)", []any{1, "a", "1.50", 2, "b", "2.25"}, "INSERT 0 2"},
				{"INSERT INTO " + tbl + " (id, name) VALUES (3, 'c')", nil, "INSERT 0 1"},
				{"UPDATE " + tbl + " SET score = score + 1 WHERE id >= $1", []any{1}, "UPDATE 3"},
				{"SELECT * FROM " + tbl, nil, "SELECT 3"},
				{"DELETE FROM " + tbl + " WHERE id = $1", []any{3}, "DELETE 1"},
				{"CREATE INDEX " + tbl + "_name ON " + tbl + " (name)", nil, "CREATE INDEX"},
				{"ALTER TABLE " + tbl + " ADD COLUMN extra TEXT", nil, "ALTER TABLE"},
				{"TRUNCATE " + tbl, nil, "TRUNCATE TABLE"},
				{"DROP TABLE " + tbl, nil, "DROP TABLE"},
			}
			for _, s := range steps {
				tag, err := c.Exec(ctx, s.sql, s.args...)
				if err != nil {
					t.Fatalf("%s: %v", s.sql, err)
				}
				if tag.String() != s.tag {
					t.Errorf("%s: tag %q, want %q", s.sql, tag, s.tag)
				}
			}
		})
	}
}

// TestTypesRoundTrip sends and reads back every supported type in every
// mode, so both the text and the binary formats are exercised.
func TestTypesRoundTrip(t *testing.T) {
	n := servertest.Start(t)
	ctx := ctxT(t)
	setup := n.Connect()
	if _, err := setup.Exec(ctx, `CREATE TABLE everything (
		id INT PRIMARY KEY, i2 SMALLINT, i8 BIGINT, f4 REAL, f8 DOUBLE PRECISION,
		num NUMERIC(12,3), b BOOLEAN, t TEXT, vc VARCHAR(10), ch CHAR(4), bt BYTEA,
		d DATE, ts TIMESTAMP, tz TIMESTAMPTZ)`); err != nil {
		t.Fatal(err)
	}
	ts := time.Date(2024, 2, 29, 13, 14, 15, 123456000, time.UTC)
	day := time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)
	for i, mode := range execModes {
		t.Run(mode.String(), func(t *testing.T) {
			c := n.Connect(withMode(mode))
			id := int32(i + 1)
			_, err := c.Exec(ctx, `INSERT INTO everything VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
				id, int16(-7), int64(1)<<40, float32(1.5), 2.25, "12345.678", true, "héllo, \"world\"", "abc", "ab", []byte{0, 1, 0xfe},
				day, ts, ts)
			if err != nil {
				t.Fatal(err)
			}
			var (
				i2        int16
				i8        int64
				f4        float32
				f8        float64
				num       string
				b         bool
				tx, vc    string
				ch        string
				by        []byte
				d, t1, t2 time.Time
			)
			err = c.QueryRow(ctx, `SELECT i2, i8, f4, f8, num::text, b, t, vc, ch, bt, d, ts, tz FROM everything WHERE id = $1`, id).
				Scan(&i2, &i8, &f4, &f8, &num, &b, &tx, &vc, &ch, &by, &d, &t1, &t2)
			if err != nil {
				t.Fatal(err)
			}
			got := fmt.Sprint(i2, i8, f4, f8, num, b, tx, vc, ch, by, d.Format(time.DateOnly), t1.UTC().Format(time.RFC3339Nano), t2.UTC().Format(time.RFC3339Nano))
			want := fmt.Sprint(int16(-7), int64(1)<<40, float32(1.5), 2.25, "12345.678", true, "héllo, \"world\"", "abc", "ab  ", []byte{0, 1, 0xfe}, "2024-02-29", ts.Format(time.RFC3339Nano), ts.Format(time.RFC3339Nano))
			if got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}

// TestErrorCodes checks that bad statements fail with PostgreSQL's SQLSTATE
// and leave the session usable.
func TestErrorCodes(t *testing.T) {
	n := servertest.Start(t)
	ctx := ctxT(t)
	c := n.Connect()
	for _, q := range []string{
		"CREATE TABLE e (id INT PRIMARY KEY, name TEXT NOT NULL, small SMALLINT)",
		"INSERT INTO e VALUES (1, 'one', 1)",
	} {
		if _, err := c.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		sql  string
		code string
	}{
		{"SELEC 1", "42601"},
		{"SELECT * FROM missing", "42P01"},
		{"SELECT nope FROM e", "42703"},
		{"INSERT INTO e VALUES (1, 'again', 1)", "23505"},
		{"INSERT INTO e (id) VALUES (2)", "23502"},
		{"INSERT INTO e VALUES ('x', 'y', 1)", "22P02"},
		{"SELECT 2147483647 + 1", "22003"},
		{"INSERT INTO e VALUES (3, 'three', 40000)", "22003"},
		{"SELECT 1 / 0", "22012"},
		{"SELECT id FROM e WHERE name", "42804"},
		{"CREATE TABLE e (id INT)", "42P07"},
	}
	for _, mode := range execModes {
		c := n.Connect(withMode(mode))
		for _, tt := range tests {
			_, err := c.Exec(ctx, tt.sql)
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) {
				t.Errorf("%v %q: err = %v, want SQLSTATE %s", mode, tt.sql, err, tt.code)
				continue
			}
			if pgErr.Code != tt.code {
				t.Errorf("%v %q: SQLSTATE %s (%s), want %s", mode, tt.sql, pgErr.Code, pgErr.Message, tt.code)
			}
			// The session goes on.
			var one int
			if err := c.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
				t.Fatalf("%v: session unusable after %q: %v", mode, tt.sql, err)
			}
		}
	}
	var count int
	if err := c.QueryRow(ctx, "SELECT count(*) FROM e").Scan(&count); err != nil || count != 1 {
		t.Errorf("count after failed writes = %d, %v; want 1", count, err)
	}
}

// TestSyntaxErrorPosition checks that a syntax error points at the token.
func TestSyntaxErrorPosition(t *testing.T) {
	n := servertest.Start(t)
	c := n.Connect()
	_, err := c.Exec(ctxT(t), "SELECT 1 FROM WHERE x")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "42601" {
		t.Fatalf("err = %v, want 42601", err)
	}
	if pgErr.Position != 15 {
		t.Errorf("position = %d, want 15 (the WHERE)", pgErr.Position)
	}
}

// TestCancelRequest cancels a long statement from another goroutine with a
// CancelRequest on its own connection, as psql's Ctrl-C does.
func TestCancelRequest(t *testing.T) {
	n := servertest.Start(t)
	ctx := ctxT(t)
	c := n.Connect()
	if _, err := c.Exec(ctx, "CREATE TABLE big (x INT)"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, "INSERT INTO big SELECT a.x FROM (SELECT 1 AS x UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9 UNION ALL SELECT 10) a, (SELECT 1 AS y UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9 UNION ALL SELECT 10) b, (SELECT 1 AS z UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9 UNION ALL SELECT 10) c"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		// A billion-row cross join: it runs until cancelled.
		_, err := c.Exec(ctx, "SELECT count(*) FROM big a, big b, big c")
		done <- err
	}()
	time.Sleep(300 * time.Millisecond)
	if err := c.PgConn().CancelRequest(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "57014" {
			t.Fatalf("err = %v, want 57014", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("statement not cancelled within 10s")
	}
	var one int
	if err := c.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		t.Fatalf("session unusable after cancel: %v", err)
	}
}

// TestRestartKeepsData restarts a node cleanly and reads its data back.
func TestRestartKeepsData(t *testing.T) {
	n := servertest.Start(t)
	ctx := ctxT(t)
	c := n.Connect()
	if _, err := c.Exec(ctx, "CREATE TABLE kept (id SERIAL PRIMARY KEY, note TEXT)"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		if _, err := c.Exec(ctx, "INSERT INTO kept (note) VALUES ($1)", fmt.Sprintf("note %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	c.Close(ctx)
	n.Restart()
	c = n.Connect()
	var count, maxID int
	if err := c.QueryRow(ctx, "SELECT count(*), max(id) FROM kept").Scan(&count, &maxID); err != nil {
		t.Fatal(err)
	}
	if count != 50 || maxID != 50 {
		t.Errorf("after restart: count %d, max(id) %d; want 50, 50", count, maxID)
	}
	// The sequence continues where it stopped.
	var id int
	if err := c.QueryRow(ctx, "INSERT INTO kept (note) VALUES ('after') RETURNING id").Scan(&id); err != nil {
		t.Fatal(err)
	}
	if id != 51 {
		t.Errorf("serial after restart = %d, want 51", id)
	}
}
