package server_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chronos-db/chronos/server/servertest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

// copyDump reads a table back as text lines "a|b|c" in key order.
func copyDump(t *testing.T, c *pgx.Conn, query string) string {
	t.Helper()
	rows, err := c.Query(ctxT(t), query, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		vals := rows.RawValues()
		var f []string
		for _, v := range vals {
			if v == nil {
				f = append(f, "<null>")
			} else {
				f = append(f, string(v))
			}
		}
		lines = append(lines, strings.Join(f, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

func mustExec(t *testing.T, c *pgx.Conn, sql string) {
	t.Helper()
	if _, err := c.Exec(ctxT(t), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// TestCopyFromPgx runs pgx's CopyFrom, which sends COPY ... FROM STDIN in
// the binary format.
func TestCopyFromPgx(t *testing.T) {
	n := servertest.Start(t)
	c := n.Connect()
	ctx := ctxT(t)
	mustExec(t, c, "CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(10), price NUMERIC(8,2), at TIMESTAMP, ok BOOL, big BIGINT, f FLOAT8, note TEXT DEFAULT 'none')")
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	src := [][]any{
		{1, "one", "1.50", at, true, int64(1) << 40, 0.25},
		{2, nil, "2", nil, false, nil, nil},
	}
	for i := 3; i <= 4500; i++ { // more than one staging batch
		src = append(src, []any{i, fmt.Sprintf("n%d", i), "0.01", at, true, int64(i), 1.0})
	}
	cols := []string{"id", "name", "price", "at", "ok", "big", "f"}
	got, err := c.CopyFrom(ctx, pgx.Identifier{"items"}, cols, pgx.CopyFromRows(src))
	if err != nil {
		t.Fatal(err)
	}
	if got != int64(len(src)) {
		t.Fatalf("CopyFrom copied %d rows, want %d", got, len(src))
	}
	want := "1|one|1.50|2024-05-06 07:08:09|t|1099511627776|0.25|none\n2|<null>|2.00|<null>|f|<null>|<null>|none"
	if d := copyDump(t, c, "SELECT * FROM items WHERE id <= 2 ORDER BY id"); d != want {
		t.Errorf("copied rows:\n%s\nwant:\n%s", d, want)
	}
	if d := copyDump(t, c, "SELECT count(*), sum(big) FROM items"); d != fmt.Sprintf("4500|%d", (1<<40)+(4500*4501/2-3)) {
		t.Errorf("count, sum = %s", d)
	}

	// A value too long for varchar(10) fails the whole copy: nothing of
	// the rows before it (in earlier batches) is written.
	bad := [][]any{}
	for i := 10001; i <= 14000; i++ {
		bad = append(bad, []any{i, "ok"})
	}
	bad = append(bad, []any{20000, "far too long a name"})
	_, err = c.CopyFrom(ctx, pgx.Identifier{"items"}, []string{"id", "name"}, pgx.CopyFromRows(bad))
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "22001" || !strings.Contains(pe.Where+pe.Detail, "line 4001") {
		t.Fatalf("CopyFrom of a bad row: %v (%#v), want 22001 at line 4001", err, pe)
	}
	if d := copyDump(t, c, "SELECT count(*) FROM items"); d != "4500" {
		t.Errorf("after a failed copy the table has %s rows, want 4500", d)
	}
	// A unique violation at the commit leaves nothing either.
	dup := [][]any{{30000, "a"}, {1, "dup"}}
	for i := 30001; i < 33000; i++ {
		dup = append(dup, []any{i, "b"})
	}
	_, err = c.CopyFrom(ctx, pgx.Identifier{"items"}, []string{"id", "name"}, pgx.CopyFromRows(dup))
	if !errors.As(err, &pe) || pe.Code != "23505" {
		t.Fatalf("CopyFrom of a duplicate key: %v, want 23505", err)
	}
	if d := copyDump(t, c, "SELECT count(*) FROM items"); d != "4500" {
		t.Errorf("after a failed copy the table has %s rows, want 4500", d)
	}
	// The connection is usable afterwards.
	if d := copyDump(t, c, "SELECT name FROM items WHERE id = 3"); d != "n3" {
		t.Errorf("after the failed copies: %q", d)
	}
}

// TestCopyTextAndCSV sends text and CSV data through pgconn and reads it
// back with COPY TO STDOUT.
func TestCopyTextAndCSV(t *testing.T) {
	n := servertest.Start(t)
	c := n.Connect()
	ctx := ctxT(t)
	pc := c.PgConn()
	mustExec(t, c, "CREATE TABLE t (id INT, name TEXT, qty INT DEFAULT 7)")
	cases := []struct {
		sql, data string
		count     int64
	}{
		{"COPY t (id, name) FROM STDIN", "1\tone\n2\t\\N\n3\ttab\\there\n\\.\n", 3},
		{"COPY t (id, name) FROM STDIN WITH (FORMAT csv, HEADER, DELIMITER ';', NULL 'nil', QUOTE '''')", "id;name\n4;'semi;colon'\n5;nil\n6;''\n", 3},
		{"COPY t FROM STDIN CSV", "7,\"multi\nline\",1\n8,x,", 2},
	}
	for _, tc := range cases {
		tag, err := pc.CopyFrom(ctx, strings.NewReader(tc.data), tc.sql)
		if err != nil {
			t.Fatalf("%s: %v", tc.sql, err)
		}
		if tag.RowsAffected() != tc.count || tag.String() != fmt.Sprintf("COPY %d", tc.count) {
			t.Errorf("%s: tag %q, want COPY %d", tc.sql, tag, tc.count)
		}
	}
	want := "1|one|7\n2|<null>|7\n3|tab\there|7\n4|semi;colon|7\n5|<null>|7\n6||7\n7|multi\nline|1\n8|x|<null>"
	if d := copyDump(t, c, "SELECT * FROM t ORDER BY id"); d != want {
		t.Errorf("rows:\n%s\nwant:\n%s", d, want)
	}

	outs := []struct{ sql, want string }{
		{"COPY t TO STDOUT", "1\tone\t7\n2\t\\N\t7\n3\ttab\\there\t7\n"},
		{"COPY (SELECT id, name FROM t WHERE id IN (4, 6, 7) ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)", "id,name\n4,semi;colon\n6,\"\"\n7,\"multi\nline\"\n"},
		{"COPY t (name, id) TO STDOUT (FORMAT csv, DELIMITER '|', NULL 'NULL')", "one|1\nNULL|2\n"},
	}
	for _, o := range outs {
		var buf bytes.Buffer
		tag, err := pc.CopyTo(ctx, &buf, o.sql)
		if err != nil {
			t.Fatalf("%s: %v", o.sql, err)
		}
		if !strings.HasPrefix(buf.String(), o.want) {
			t.Errorf("%s:\n%q\nwant prefix\n%q", o.sql, buf.String(), o.want)
		}
		if !strings.HasPrefix(tag.String(), "COPY ") {
			t.Errorf("%s: tag %q", o.sql, tag)
		}
	}

	// A bad value fails with 22P02 naming the line; nothing is written.
	_, err := pc.CopyFrom(ctx, strings.NewReader("100\ta\n101\tb\nxyz\tc\n"), "COPY t (id, name) FROM STDIN")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "22P02" || pe.Detail != `COPY t, line 3, column id: "xyz"` {
		t.Fatalf("bad row: %v (%+v), want 22P02 at line 3", err, pe)
	}
	// Missing and extra columns are 22P04.
	for _, data := range []string{"200\n", "201\tx\ty\tz\n"} {
		_, err = pc.CopyFrom(ctx, strings.NewReader(data), "COPY t (id, name) FROM STDIN")
		if !errors.As(err, &pe) || pe.Code != "22P04" || !strings.Contains(pe.Detail+pe.Where, "line 1") {
			t.Errorf("%q: %v, want 22P04 at line 1", data, err)
		}
	}
	if d := copyDump(t, c, "SELECT count(*) FROM t WHERE id >= 100"); d != "0" {
		t.Errorf("failed copies wrote %s rows", d)
	}
}

// TestCopyExtendedProtocol runs COPY through Parse/Bind/Execute.
func TestCopyExtendedProtocol(t *testing.T) {
	n := servertest.Start(t)
	c := n.Connect()
	ctx := ctxT(t)
	mustExec(t, c, "CREATE TABLE e (id INT, v TEXT)")
	pc := c.PgConn()
	fe := pc.Frontend()
	fe.Send(&pgproto3.Parse{Query: "COPY e FROM STDIN"})
	fe.Send(&pgproto3.Bind{})
	fe.Send(&pgproto3.Execute{})
	fe.Send(&pgproto3.Flush{})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	expect := func(want ...string) {
		t.Helper()
		for _, w := range want {
			m, err := fe.Receive()
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprintf("%T", m); got != "*pgproto3."+w {
				t.Fatalf("got %s (%+v), want %s", got, m, w)
			}
		}
	}
	expect("ParseComplete", "BindComplete", "CopyInResponse")
	fe.Send(&pgproto3.CopyData{Data: []byte("1\ta\n2\t")})
	fe.Send(&pgproto3.CopyData{Data: []byte("b\n")})
	fe.Send(&pgproto3.CopyDone{})
	fe.Send(&pgproto3.Sync{})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	expect("CommandComplete", "ReadyForQuery")

	fe.Send(&pgproto3.Parse{Query: "COPY e TO STDOUT (FORMAT csv)"})
	fe.Send(&pgproto3.Bind{})
	fe.Send(&pgproto3.Execute{})
	fe.Send(&pgproto3.Sync{})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	expect("ParseComplete", "BindComplete", "CopyOutResponse", "CopyData", "CopyData", "CopyDone", "CommandComplete", "ReadyForQuery")

	// CopyFail aborts it.
	fe.Send(&pgproto3.Parse{Query: "COPY e FROM STDIN"})
	fe.Send(&pgproto3.Bind{})
	fe.Send(&pgproto3.Execute{})
	fe.Send(&pgproto3.CopyData{Data: []byte("3\tc\n")})
	fe.Send(&pgproto3.CopyFail{Message: "changed my mind"})
	fe.Send(&pgproto3.Sync{})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	expect("ParseComplete", "BindComplete", "CopyInResponse")
	m, err := fe.Receive()
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := m.(*pgproto3.ErrorResponse); !ok || e.Code != "57014" || !strings.Contains(e.Message, "changed my mind") {
		t.Fatalf("after CopyFail: %+v", m)
	}
	expect("ReadyForQuery")

	// Another message in the middle of the data fails the copy (08P01);
	// what the client sends after it is ignored until Sync.
	fe.Send(&pgproto3.Query{String: "COPY e FROM STDIN"})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	expect("CopyInResponse")
	fe.Send(&pgproto3.CopyData{Data: []byte("4\td\n")})
	fe.Send(&pgproto3.Parse{Query: "SELECT 1"})
	fe.Send(&pgproto3.CopyData{Data: []byte("5\te\n")})
	fe.Send(&pgproto3.CopyDone{})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	m, err = fe.Receive()
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := m.(*pgproto3.ErrorResponse); !ok || e.Code != "08P01" {
		t.Fatalf("after a Parse during copy-in: %+v", m)
	}
	expect("ReadyForQuery")
	if d := copyDump(t, c, "SELECT * FROM e ORDER BY id"); d != "1|a\n2|b" {
		t.Errorf("rows: %q", d)
	}
	_ = ctx
}

// TestCopyPgxBinaryOut reads COPY TO STDOUT in the binary format back
// through CopyFrom into a second table.
func TestCopyBinaryRoundTrip(t *testing.T) {
	n := servertest.Start(t)
	c := n.Connect()
	ctx := ctxT(t)
	mustExec(t, c, "CREATE TABLE a (id INT, s TEXT, d DATE, n NUMERIC)")
	mustExec(t, c, "INSERT INTO a VALUES (1, 'x', '2020-01-02', 3.25), (2, NULL, NULL, -7)")
	mustExec(t, c, "CREATE TABLE b (id INT, s TEXT, d DATE, n NUMERIC)")
	var buf bytes.Buffer
	if _, err := c.PgConn().CopyTo(ctx, &buf, "COPY a TO STDOUT (FORMAT binary)"); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("PGCOPY\n\xff\r\n\x00")) {
		t.Fatalf("binary copy out starts %q", buf.Bytes()[:min(buf.Len(), 20)])
	}
	if _, err := c.PgConn().CopyFrom(ctx, &buf, "COPY b FROM STDIN (FORMAT binary)"); err != nil {
		t.Fatal(err)
	}
	if d := copyDump(t, c, "SELECT * FROM b ORDER BY id"); d != "1|x|2020-01-02|3.25\n2|<null>|<null>|-7" {
		t.Errorf("round trip: %q", d)
	}
}

// TestPsqlCopy runs psql's \copy both ways with a CSV file.
func TestPsqlCopy(t *testing.T) {
	n := servertest.Start(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(in, []byte("id,name\n1,Alice\n2,\"Bob, Jr.\"\n3,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.csv")
	if o, err := psql(t, n, "-c", "CREATE TABLE users (id INT, name TEXT)"); err != nil {
		t.Fatalf("%v\n%s", err, o)
	}
	o, err := psql(t, n, "-c", `\copy users FROM '`+in+`' WITH (FORMAT csv, HEADER)`)
	if err != nil || !strings.Contains(o, "COPY 3") {
		t.Fatalf("\\copy from: %v\n%s", err, o)
	}
	o, err = psql(t, n, "-c", `\copy (SELECT * FROM users ORDER BY id) TO '`+out+`' CSV HEADER`)
	if err != nil || !strings.Contains(o, "COPY 3") {
		t.Fatalf("\\copy to: %v\n%s", err, o)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if want := "id,name\n1,Alice\n2,\"Bob, Jr.\"\n3,\n"; string(b) != want {
		t.Errorf("\\copy to wrote:\n%s\nwant:\n%s", b, want)
	}
	// A bad line fails the whole \copy.
	if err := os.WriteFile(in, []byte("4,x\nfive,y\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	o, err = psql(t, n, "-c", `\copy users FROM '`+in+`' CSV`)
	if err == nil || !strings.Contains(o, "22P02") && !strings.Contains(o, "invalid input syntax") || !strings.Contains(o, "line 2") {
		t.Errorf("\\copy of a bad file: %v\n%s", err, o)
	}
	o, err = psql(t, n, "-At", "-c", "SELECT count(*) FROM users")
	if err != nil || strings.TrimSpace(o) != "3" {
		t.Errorf("after the failed \\copy: %v %q", err, o)
	}
}

// TestCopySurvivesRestart checks that a copy of several staged batches is
// there after a restart, which replays its stage and commit entries or
// loads a checkpoint written after them.
func TestCopySurvivesRestart(t *testing.T) {
	n := servertest.Start(t)
	c := n.Connect()
	mustExec(t, c, "CREATE TABLE r (id INT PRIMARY KEY, v TEXT)")
	var sb strings.Builder
	for i := 1; i <= 5000; i++ {
		fmt.Fprintf(&sb, "%d,v%d\n", i, i)
	}
	if _, err := c.PgConn().CopyFrom(ctxT(t), strings.NewReader(sb.String()), "COPY r FROM STDIN (FORMAT csv)"); err != nil {
		t.Fatal(err)
	}
	c.Close(ctxT(t))
	n.Restart()
	c = n.Connect()
	if d := copyDump(t, c, "SELECT count(*), max(v) FROM r"); d != "5000|v999" {
		t.Errorf("after restart: %s", d)
	}
	mustExec(t, c, "INSERT INTO r VALUES (5001, 'x')")
}
