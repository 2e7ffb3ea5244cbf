package server_test

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chronos-db/chronos/server/servertest"
)

// psql runs the real psql against node n with args and returns its output.
func psql(t *testing.T, n *servertest.Node, args ...string) (string, error) {
	t.Helper()
	bin, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql is not installed (apt-get install postgresql-client)")
	}
	host, port, _ := net.SplitHostPort(n.Addr())
	base := []string{"-X", "-h", host, "-p", port, "-U", "chronos", "-d", "chronos", "-v", "ON_ERROR_STOP=1"}
	cmd := exec.Command(bin, append(base, args...)...)
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10", "PAGER=", "PSQLRC=/dev/null")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestPsqlCommand(t *testing.T) {
	n := servertest.Start(t)
	if out, err := psql(t, n, "-c", "CREATE TABLE users (id INT, name STRING)"); err != nil {
		t.Fatalf("psql: %v\n%s", err, out)
	}
	out, err := psql(t, n, "-c", "INSERT INTO users (id, name) VALUES (1, 'Alice'), (2, 'Bob')")
	if err != nil || strings.TrimSpace(out) != "INSERT 0 2" {
		t.Fatalf("insert: %v\n%s", err, out)
	}
	out, err = psql(t, n, "-c", "SELECT id, name FROM users ORDER BY id")
	if err != nil {
		t.Fatalf("select: %v\n%s", err, out)
	}
	want := ` id | name  
----+-------
  1 | Alice
  2 | Bob
(2 rows)

`
	if out != want {
		t.Errorf("psql output:\n%s\nwant:\n%s", out, want)
	}
}

func TestPsqlFile(t *testing.T) {
	n := servertest.Start(t)
	script := filepath.Join(t.TempDir(), "script.sql")
	err := os.WriteFile(script, []byte(`
CREATE TABLE accounts (id BIGINT PRIMARY KEY, owner TEXT NOT NULL, balance NUMERIC(12,2) DEFAULT 0);
INSERT INTO accounts (id, owner, balance) VALUES (1, 'ann', 100.50), (2, 'bob', 20);
INSERT INTO accounts (id, owner) VALUES (3, 'cy');
UPDATE accounts SET balance = balance - 10 WHERE owner = 'ann';
-- a multi-line statement
SELECT owner,
       balance
  FROM accounts
 WHERE balance > 0
 ORDER BY balance DESC;
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	out, err := psql(t, n, "-f", script)
	if err != nil {
		t.Fatalf("psql -f: %v\n%s", err, out)
	}
	want := `CREATE TABLE
INSERT 0 2
INSERT 0 1
UPDATE 1
 owner | balance 
-------+---------
 ann   |   90.50
 bob   |   20.00
(2 rows)

`
	if out != want {
		t.Errorf("psql -f output:\n%s\nwant:\n%s", out, want)
	}
}

func TestPsqlErrorShowsSQLSTATE(t *testing.T) {
	n := servertest.Start(t)
	out, err := psql(t, n, "-v", "VERBOSITY=verbose", "-c", "SELECT * FROM nowhere")
	if err == nil {
		t.Fatalf("psql succeeded on a missing table:\n%s", out)
	}
	if !strings.Contains(out, "42P01") || !strings.Contains(out, `relation "nowhere" does not exist`) {
		t.Errorf("psql error output lacks SQLSTATE or message:\n%s", out)
	}
}
