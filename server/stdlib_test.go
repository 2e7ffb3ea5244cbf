package server_test

import (
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/chronos-db/chronos/server/servertest"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// TestDatabaseSQL drives a node through Go's database/sql over pgx's
// stdlib driver: parameters, scanning, prepared statements, transactions
// and error codes.
func TestDatabaseSQL(t *testing.T) {
	n := servertest.Start(t)
	db, err := sql.Open("pgx", n.DSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(3)
	ctx := ctxT(t)

	if _, err := db.ExecContext(ctx, "CREATE TABLE people (id INT PRIMARY KEY, name TEXT NOT NULL, score FLOAT8, born DATE, photo BYTEA)"); err != nil {
		t.Fatal(err)
	}
	born := time.Date(1990, 3, 4, 0, 0, 0, 0, time.UTC)
	res, err := db.ExecContext(ctx, "INSERT INTO people VALUES ($1, $2, $3, $4, $5), ($6, $7, NULL, NULL, NULL)",
		1, "Ada", 9.5, born, []byte{0, 1, 2}, 2, "Bob")
	if err != nil {
		t.Fatal(err)
	}
	if k, err := res.RowsAffected(); err != nil || k != 2 {
		t.Fatalf("RowsAffected = %d, %v", k, err)
	}

	var (
		name  string
		score sql.NullFloat64
		b     sql.NullTime
		photo []byte
	)
	if err := db.QueryRowContext(ctx, "SELECT name, score, born, photo FROM people WHERE id = $1", 1).Scan(&name, &score, &b, &photo); err != nil {
		t.Fatal(err)
	}
	if name != "Ada" || !score.Valid || score.Float64 != 9.5 || !b.Valid || !b.Time.Equal(born) || string(photo) != "\x00\x01\x02" {
		t.Errorf("row 1: %q %v %v %q", name, score, b, photo)
	}
	if err := db.QueryRowContext(ctx, "SELECT name, score, born FROM people WHERE id = $1", 2).Scan(&name, &score, &b); err != nil {
		t.Fatal(err)
	}
	if name != "Bob" || score.Valid || b.Valid {
		t.Errorf("row 2: %q %v %v", name, score, b)
	}
	if err := db.QueryRowContext(ctx, "SELECT name FROM people WHERE id = $1", 99).Scan(&name); !errors.Is(err, sql.ErrNoRows) {
		t.Errorf("missing row: %v, want sql.ErrNoRows", err)
	}

	// A prepared statement, run several times.
	st, err := db.PrepareContext(ctx, "SELECT count(*) FROM people WHERE id <= $1")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for arg, want := range map[int]int{0: 0, 1: 1, 5: 2} {
		var got int
		if err := st.QueryRowContext(ctx, arg).Scan(&got); err != nil || got != want {
			t.Errorf("prepared with %d: %d %v, want %d", arg, got, err, want)
		}
	}

	// A rolled-back transaction leaves nothing; a committed one stays.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO people (id, name) VALUES (3, 'Cy')"); err != nil {
		t.Fatal(err)
	}
	var inTx int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM people").Scan(&inTx); err != nil || inTx != 3 {
		t.Errorf("count inside the transaction: %d %v, want 3", inTx, err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	tx, err = db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE people SET score = score + $1 WHERE id = $2", 0.5, 1); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	var count int
	var total float64
	if err := db.QueryRowContext(ctx, "SELECT count(*), sum(score) FROM people").Scan(&count, &total); err != nil || count != 2 || total != 10 {
		t.Errorf("after the transactions: %d %v %v, want 2 10", count, total, err)
	}

	// Errors carry their SQLSTATE.
	for _, tc := range []struct {
		sql  string
		args []any
		code string
	}{
		{"INSERT INTO people (id, name) VALUES ($1, $2)", []any{1, "dup"}, "23505"},
		{"INSERT INTO people (id) VALUES ($1)", []any{7}, "23502"},
		{"SELECT * FROM nowhere", nil, "42P01"},
		{"SELECT 1 / $1::int", []any{0}, "22012"},
	} {
		_, err := db.ExecContext(ctx, tc.sql, tc.args...)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != tc.code {
			t.Errorf("%s: %v, want %s", tc.sql, err, tc.code)
		}
	}
}
