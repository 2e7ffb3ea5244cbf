package server_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chronos-db/chronos/server"
	"github.com/chronos-db/chronos/server/servertest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// withPassword configures the first superuser's password.
func withPassword(pw string) func(*server.Config) {
	return func(c *server.Config) {
		c.Security.SuperuserPassword = server.Secret(pw)
		c.Security.AuthFailureDelay = 50 * time.Millisecond
	}
}

// connectAs connects as user with password, or returns the error.
func connectAs(t *testing.T, n *servertest.Node, user, password string, mode pgx.QueryExecMode) (*pgx.Conn, error) {
	t.Helper()
	cfg, err := pgx.ParseConfig(n.DSN())
	if err != nil {
		t.Fatal(err)
	}
	cfg.User, cfg.Password, cfg.DefaultQueryExecMode = user, password, mode
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err == nil {
		t.Cleanup(func() { c.Close(context.Background()) })
	}
	return c, err
}

func mustConnectAs(t *testing.T, n *servertest.Node, user, password string) *pgx.Conn {
	t.Helper()
	c, err := connectAs(t, n, user, password, pgx.QueryExecModeCacheStatement)
	if err != nil {
		t.Fatalf("connect as %s: %v", user, err)
	}
	return c
}

func code(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func execOK(t *testing.T, c *pgx.Conn, sql string) {
	t.Helper()
	if _, err := c.Exec(ctxT(t), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func wantCode(t *testing.T, c *pgx.Conn, sql, want string) {
	t.Helper()
	_, err := c.Exec(ctxT(t), sql)
	if got := code(err); got != want {
		t.Errorf("%s: %v (SQLSTATE %q), want %s", sql, err, got, want)
	}
}

// TestRolesAndPrivileges: the configured superuser creates a login role,
// which can do nothing with tables until granted, loses what is revoked
// (even through a prepared statement), changes its own password, survives
// a restart and is gone after DROP ROLE.
func TestRolesAndPrivileges(t *testing.T) {
	n := servertest.Start(t, withPassword("su-pw"))
	ctx := ctxT(t)
	if _, err := connectAs(t, n, "chronos", "wrong", pgx.QueryExecModeExec); code(err) != "28P01" {
		t.Fatalf("wrong superuser password: %v", err)
	}
	if _, err := connectAs(t, n, "nobody", "su-pw", pgx.QueryExecModeExec); code(err) != "28P01" {
		t.Fatalf("unknown user: %v", err)
	}
	su := mustConnectAs(t, n, "chronos", "su-pw")
	execOK(t, su, "CREATE TABLE t (id INT PRIMARY KEY, v TEXT)")
	execOK(t, su, "CREATE TABLE secret (id INT)")
	execOK(t, su, "INSERT INTO t VALUES (1, 'one')")
	execOK(t, su, "CREATE USER alice WITH PASSWORD 'alice-pw'")
	execOK(t, su, "CREATE ROLE nologin PASSWORD 'x'")

	if _, err := connectAs(t, n, "nologin", "x", pgx.QueryExecModeExec); code(err) != "28P01" {
		t.Errorf("a NOLOGIN role logged in: %v", err)
	}
	alice := mustConnectAs(t, n, "alice", "alice-pw")
	for _, sql := range []string{
		"SELECT * FROM t",
		"INSERT INTO t VALUES (2, 'two')",
		"UPDATE t SET v = 'x' WHERE id = 1",
		"DELETE FROM t",
		"CREATE TABLE mine (a INT)",
		"DROP TABLE t",
		"CREATE ROLE bob",
		"GRANT SELECT ON t TO alice",
		"ALTER ROLE alice SUPERUSER",
	} {
		wantCode(t, alice, sql, "42501")
	}

	copyRows := func() error {
		_, err := alice.CopyFrom(ctx, pgx.Identifier{"t"}, []string{"id", "v"}, pgx.CopyFromRows([][]any{{int32(10), "ten"}}))
		return err
	}
	if err := copyRows(); code(err) != "42501" {
		t.Errorf("COPY FROM without INSERT: %v", err)
	}
	execOK(t, su, "GRANT SELECT, INSERT ON t TO alice")
	if err := copyRows(); err != nil {
		t.Errorf("COPY FROM with INSERT: %v", err)
	}
	var v string
	if err := alice.QueryRow(ctx, "SELECT v FROM t WHERE id = $1", 1).Scan(&v); err != nil || v != "one" {
		t.Fatalf("granted select: %q %v", v, err)
	}
	execOK(t, alice, "INSERT INTO t VALUES (2, 'two')")
	wantCode(t, alice, "SELECT * FROM t JOIN secret ON true", "42501")
	wantCode(t, alice, "DELETE FROM t WHERE id = 2", "42501")

	// The prepared statement of the SELECT above is refused after REVOKE.
	execOK(t, su, "REVOKE SELECT ON t FROM alice")
	if err := alice.QueryRow(ctx, "SELECT v FROM t WHERE id = $1", 1).Scan(&v); code(err) != "42501" {
		t.Errorf("select after revoke: %v", err)
	}

	// A role changes its own password.
	execOK(t, alice, "ALTER ROLE alice PASSWORD 'alice-2'")
	if _, err := connectAs(t, n, "alice", "alice-pw", pgx.QueryExecModeExec); code(err) != "28P01" {
		t.Errorf("old password still accepted: %v", err)
	}

	// Roles and grants survive a restart (checkpoint and log).
	n.Restart()
	alice = mustConnectAs(t, n, "alice", "alice-2")
	wantCode(t, alice, "SELECT * FROM t", "42501")
	execOK(t, alice, "INSERT INTO t VALUES (3, 'three')")

	su = mustConnectAs(t, n, "chronos", "su-pw")
	execOK(t, su, "DROP ROLE alice")
	if _, err := connectAs(t, n, "alice", "alice-2", pgx.QueryExecModeExec); code(err) != "28P01" {
		t.Errorf("a dropped role logged in: %v", err)
	}
	wantCode(t, su, "DROP ROLE alice", "42704")
	wantCode(t, su, "CREATE ROLE nologin", "42710")
	wantCode(t, su, "DROP ROLE chronos", "55006")

	// The configured superuser's password changed in SQL replaces the
	// command line's, cluster-wide.
	execOK(t, su, "ALTER ROLE chronos PASSWORD 'su-2'")
	if _, err := connectAs(t, n, "chronos", "su-pw", pgx.QueryExecModeExec); code(err) != "28P01" {
		t.Errorf("the configured password still works: %v", err)
	}
	su = mustConnectAs(t, n, "chronos", "su-2")
	execOK(t, su, "CREATE ROLE carol")
}

// TestTrustNeedsLoopback: a node that trusts every client must listen on
// loopback unless --insecure; a password lifts the restriction.
func TestTrustNeedsLoopback(t *testing.T) {
	tests := []struct {
		address  string
		password string
		insecure bool
		ok       bool
	}{
		{"127.0.0.1:5432", "", false, true},
		{"localhost:5432", "", false, true},
		{"[::1]:5432", "", false, true},
		{"0.0.0.0:5432", "", false, false},
		{"node1:8001", "", false, false},
		{"10.0.0.1:5432", "", true, true},
		{"10.0.0.1:5432", "pw", false, true},
	}
	for _, tt := range tests {
		cfg := server.Config{DataDir: t.TempDir(), Address: tt.address,
			Security: server.Security{SuperuserPassword: server.Secret(tt.password), Insecure: tt.insecure}}
		err := cfg.Validate()
		if (err == nil) != tt.ok {
			t.Errorf("%s password=%v insecure=%v: %v", tt.address, tt.password != "", tt.insecure, err)
		}
		if err != nil && !strings.Contains(err.Error(), "--insecure") {
			t.Errorf("the refusal does not say how to proceed: %v", err)
		}
	}
}

// TestSecretNeverPrinted: the password does not appear when the
// configuration is printed or logged.
func TestSecretNeverPrinted(t *testing.T) {
	cfg := server.Config{Security: server.Security{SuperuserPassword: "hunter2"}}
	for _, s := range []string{
		fmtSprint("%v", cfg), fmtSprint("%+v", cfg), fmtSprint("%#v", cfg), fmtSprint("%s", cfg.Security.SuperuserPassword),
	} {
		if strings.Contains(s, "hunter2") {
			t.Errorf("printed: %s", s)
		}
	}
}

func fmtSprint(format string, v any) string { return fmt.Sprintf(format, v) }

// TestPrivilegesOnFollower: roles and grants made on one member are
// enforced by another, which checks its own replica; both members share a
// cluster secret.
func TestPrivilegesOnFollower(t *testing.T) {
	const secret = server.Secret("a-cluster-secret-of-some-length")
	n1 := servertest.Start(t, withPassword("su-pw"), func(c *server.Config) {
		c.ID = "n1"
		c.Security.ClusterSecret = secret
	})
	n2 := servertest.Start(t, withPassword("su-pw"), func(c *server.Config) {
		c.ID = "n2"
		c.Peers = map[string]string{"n1": n1.Addr()}
		c.Security.ClusterSecret = secret
	})
	ctx := ctxT(t)
	su := mustConnectAs(t, n1, "chronos", "su-pw")
	execOK(t, su, "CREATE TABLE t (id INT)")
	execOK(t, su, "CREATE TABLE u (id INT)")
	execOK(t, su, "INSERT INTO t VALUES (1)")
	execOK(t, su, "CREATE USER alice PASSWORD 'pw'")
	execOK(t, su, "GRANT SELECT ON u TO alice")

	// The role reaches n2 through the log.
	var alice *pgx.Conn
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := connectAs(t, n2, "alice", "pw", pgx.QueryExecModeExec)
		if err == nil {
			alice = c
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("alice on n2: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The grant was acknowledged before this read starts: n2 honors it,
	// since privileges are checked after the read barrier too.
	if _, err := alice.Exec(ctx, "SELECT * FROM u"); err != nil {
		t.Errorf("granted table on n2: %v", err)
	}
	wantCode(t, alice, "SELECT * FROM t", "42501")
	wantCode(t, alice, "INSERT INTO t VALUES (2)", "42501")
	wantCode(t, alice, "DROP TABLE t", "42501")

	execOK(t, su, "GRANT SELECT ON t TO alice")
	deadline = time.Now().Add(10 * time.Second)
	for {
		var n int64
		err := alice.QueryRow(ctx, "SELECT count(*) FROM t").Scan(&n)
		if err == nil && n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after GRANT on n1, n2 still says: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestIsSuperuserParameter: is_superuser reports the role's status.
func TestIsSuperuserParameter(t *testing.T) {
	n := servertest.Start(t, withPassword("su-pw"))
	su := mustConnectAs(t, n, "chronos", "su-pw")
	if got := su.PgConn().ParameterStatus("is_superuser"); got != "on" {
		t.Errorf("superuser: is_superuser = %q", got)
	}
	execOK(t, su, "CREATE USER alice PASSWORD 'pw'")
	alice := mustConnectAs(t, n, "alice", "pw")
	if got := alice.PgConn().ParameterStatus("is_superuser"); got != "off" {
		t.Errorf("alice: is_superuser = %q", got)
	}
}
