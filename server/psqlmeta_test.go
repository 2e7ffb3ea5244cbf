package server_test

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chronos-db/chronos/server/servertest"
	"github.com/creack/pty"
)

// metaSchema is created in both PostgreSQL and Chronos before the
// describe commands are compared.
const metaSchema = `
CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL, email varchar(100) UNIQUE,
  score numeric(10,2) DEFAULT 0, created timestamp);
CREATE INDEX users_name_idx ON users (name);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id integer NOT NULL, total numeric, note char(10));
CREATE VIEW big_users AS SELECT id, name FROM users WHERE score > 100;
CREATE TABLE tags (id serial PRIMARY KEY, label text DEFAULT 'new', code char(3));
CREATE ROLE alice LOGIN;
CREATE ROLE bob;
INSERT INTO users VALUES (1, 'ann', 'ann@example.com', 150, '2024-01-02 03:04:05');
`

// psqlAt runs the real psql against host:port with args.
func psqlAt(t *testing.T, host, port string, args ...string) (string, error) {
	t.Helper()
	bin, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql is not installed (apt-get install postgresql-client)")
	}
	base := []string{"-X", "-h", host, "-p", port, "-U", "chronos", "-d", "chronos", "-v", "ON_ERROR_STOP=1"}
	cmd := exec.Command(bin, append(base, args...)...)
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10", "PAGER=", "PSQLRC=/dev/null", "COLUMNS=200")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// tableFields reduces psql's aligned output to its cells, trimmed and
// joined by "|", one line per row, so that outputs whose column widths
// differ compare equal when their contents do.
func tableFields(out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "---") {
			continue
		}
		cells := strings.Split(l, "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		lines = append(lines, strings.Join(cells, "|"))
	}
	return lines
}

// TestPsqlDescribeMatchesPostgres runs psql's describe commands against a
// real PostgreSQL 15 and against Chronos holding the same schema, and
// compares the outputs.
func TestPsqlDescribeMatchesPostgres(t *testing.T) {
	if _, err := exec.LookPath("psql"); err != nil {
		t.Skip("psql is not installed")
	}
	pg := startPostgres(t)
	n := servertest.Start(t)
	chost, cport, _ := net.SplitHostPort(n.Addr())
	script := filepath.Join(t.TempDir(), "schema.sql")
	if err := os.WriteFile(script, []byte(metaSchema), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, target := range [][2]string{{pg.host, pg.port}, {chost, cport}} {
		if out, err := psqlAt(t, target[0], target[1], "-q", "-f", script); err != nil {
			t.Fatalf("schema on port %s: %v\n%s", target[1], err, out)
		}
	}
	// exact: the outputs must be identical. Otherwise compare maps both
	// to what must agree.
	for _, tc := range []struct {
		cmd     string
		compare func(string) string
		why     string
	}{
		{cmd: `\d`},
		{cmd: `\dt`},
		{cmd: `\d users`},
		{cmd: `\d+ users`},
		{cmd: `\d orders`},
		{cmd: `\d big_users`},
		{cmd: `\di`},
		{cmd: `\dn`},
		{cmd: `\du`},
		{cmd: `\dv`},
		{cmd: `\d users_pkey`},
		{cmd: `\d tags`},
		{cmd: `\ds`},
		{cmd: `\d tags_id_seq`},
		{cmd: `\dt us*`},
		{cmd: `\dp`},
		{cmd: `\db`},
		{cmd: `\dT`},
		{cmd: `\df`},
		{cmd: `\dt+`, why: "sizes are estimated from the in-memory rows", compare: func(out string) string {
			lines := tableFields(out)
			for i, l := range lines {
				cells := strings.Split(l, "|")
				if len(cells) == 8 && i > 1 {
					cells[6] = "SIZE"
				}
				lines[i] = strings.Join(cells, "|")
			}
			return strings.Join(lines, "\n")
		}},
		{cmd: `\l`, why: "Chronos has one database, PostgreSQL also postgres, template0 and template1", compare: func(out string) string {
			var keep []string
			for _, l := range tableFields(out) {
				if strings.HasPrefix(l, "Name|") || strings.HasPrefix(l, "chronos|") {
					keep = append(keep, l)
				}
			}
			return strings.Join(keep, "\n")
		}},
		{cmd: `\conninfo`, why: "the ports differ", compare: func(out string) string {
			return strings.NewReplacer(pg.port, "PORT", cport, "PORT").Replace(out)
		}},
	} {
		want, err := psqlAt(t, pg.host, pg.port, "-c", tc.cmd)
		if err != nil {
			t.Fatalf("%s on PostgreSQL: %v\n%s", tc.cmd, err, want)
		}
		got, err := psqlAt(t, chost, cport, "-c", tc.cmd)
		if err != nil {
			t.Errorf("%s on Chronos: %v\n%s", tc.cmd, err, got)
			continue
		}
		if tc.compare != nil {
			if g, w := tc.compare(got), tc.compare(want); g != w {
				t.Errorf("%s (%s) differs:\nChronos:\n%s\nPostgreSQL:\n%s", tc.cmd, tc.why, got, want)
			}
			continue
		}
		if got != want {
			t.Errorf("%s differs:\nChronos:\n%s\nPostgreSQL:\n%s", tc.cmd, got, want)
		}
	}
	queries := filepath.Join(t.TempDir(), "queries.sql")
	if err := os.WriteFile(queries, []byte(catalogQueries), 0o644); err != nil {
		t.Fatal(err)
	}
	want, err := psqlAt(t, pg.host, pg.port, "-f", queries)
	if err != nil {
		t.Fatalf("catalog queries on PostgreSQL: %v\n%s", err, want)
	}
	if got, err := psqlAt(t, chost, cport, "-f", queries); err != nil || got != want {
		t.Errorf("catalog queries differ (%v):\nChronos:\n%s\nPostgreSQL:\n%s", err, got, want)
	}
}

// catalogQueries are queries tools (ORMs, drivers, admin tools) send to
// the catalogs; their psql output must match PostgreSQL's for metaSchema.
const catalogQueries = `
SELECT table_name, table_type FROM information_schema.tables WHERE table_schema='public' ORDER BY 1;
SELECT column_name, data_type, is_nullable, column_default, character_maximum_length, numeric_precision, numeric_scale
  FROM information_schema.columns WHERE table_name='users' ORDER BY ordinal_position;
SELECT tc.constraint_name, tc.constraint_type, kcu.column_name FROM information_schema.table_constraints tc
  JOIN information_schema.key_column_usage kcu ON tc.constraint_name = kcu.constraint_name WHERE tc.table_name='users' ORDER BY 1;
SELECT 'users'::regclass::oid = (SELECT oid FROM pg_class WHERE relname='users');
SELECT c.oid::regclass::text FROM pg_class c WHERE relname = 'users';
SELECT schemaname, tablename, hasindexes FROM pg_tables WHERE schemaname='public' ORDER BY 2;
SELECT indexname, indexdef FROM pg_indexes WHERE tablename='users' ORDER BY 1;
SELECT array_position(current_schemas(true), 'public'), current_schemas(false);
SELECT schema_name FROM information_schema.schemata ORDER BY 1;
SELECT a.attname FROM pg_attribute a WHERE a.attrelid = 'users'::regclass AND a.attnum > 0 ORDER BY a.attnum;
SELECT t.typname FROM pg_type t JOIN pg_attribute a ON a.atttypid = t.oid
  WHERE a.attrelid = 'public.users'::regclass AND a.attname = 'email';
SELECT x FROM pg_catalog.generate_series(1, 3) x;
`

// TestPsqlTabCompletion types "SELECT * FROM us<TAB>" into an interactive
// psql and expects it to complete the table name, which takes psql's
// completion query over pg_class and pg_namespace.
func TestPsqlTabCompletion(t *testing.T) {
	bin, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql is not installed")
	}
	n := servertest.Start(t)
	host, port, _ := net.SplitHostPort(n.Addr())
	if out, err := psqlAt(t, host, port, "-c", "CREATE TABLE users_tab (id int)"); err != nil {
		t.Fatalf("create: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-X", "-h", host, "-p", port, "-U", "chronos", "-d", "chronos")
	cmd.Env = append(os.Environ(), "PAGER=", "PSQLRC=/dev/null", "TERM=dumb")
	f, err := pty.Start(cmd)
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer func() {
		f.Close()
		cmd.Process.Kill()
		cmd.Wait()
	}()
	out := make(chan []byte, 64)
	go func() {
		for {
			buf := make([]byte, 4096)
			n, err := f.Read(buf)
			if n > 0 {
				out <- buf[:n]
			}
			if err != nil {
				close(out)
				return
			}
		}
	}()
	var seen bytes.Buffer
	waitFor := func(s string) bool {
		deadline := time.After(10 * time.Second)
		for !bytes.Contains(seen.Bytes(), []byte(s)) {
			select {
			case b, ok := <-out:
				if !ok {
					return false
				}
				seen.Write(b)
			case <-deadline:
				return false
			}
		}
		return true
	}
	if !waitFor("chronos=#") {
		t.Fatalf("no prompt:\n%q", seen.String())
	}
	f.Write([]byte("SELECT * FROM users_t\t"))
	if !waitFor("users_tab ") {
		t.Fatalf("tab did not complete the table name:\n%q", seen.String())
	}
	f.Write([]byte("\x03\\q\n"))
}
