package server_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// testCluster is a cluster of `chronos node` processes on loopback ports,
// started with the commands of the README: node1 bootstraps, nodeK joins
// through node1..node(K-1), all with the same --data-dir.
type testCluster struct {
	t       *testing.T
	dataDir string
	flags   []string // extra flags given to every node
	ids     []string // in start order
	addrs   map[string]string
	procs   map[string]*process
	dump    sync.Once
}

// startCluster starts n nodes, one after the other, with the extra flags.
func startCluster(t *testing.T, n int, flags ...string) *testCluster {
	t.Helper()
	if testing.Short() {
		t.Skip("multi-process cluster test")
	}
	c := &testCluster{t: t, dataDir: t.TempDir(), flags: flags, addrs: map[string]string{}, procs: map[string]*process{}}
	for i := 1; i <= n; i++ {
		c.add(fmt.Sprintf("node%d", i))
	}
	return c
}

// add starts a new member called id, joining through every member added
// before it.
func (c *testCluster) add(id string) *process {
	c.t.Helper()
	c.ids = append(c.ids, id)
	c.addrs[id] = freeAddr(c.t)
	return c.start(id)
}

// args is id's command line after `chronos node`: the same at every
// (re)start, as an operator's service file would have it.
func (c *testCluster) args(id string) []string {
	return append(nodeArgs(id, c.ids, c.addrs, c.dataDir), c.flags...)
}

// nodeArgs is the README's command line for member id after `chronos
// node`: the first member bootstraps, each later one joins through all
// members before it (ids in start order). docker-compose.yml uses it too.
func nodeArgs(id string, ids []string, addrs map[string]string, dataDir string) []string {
	args := []string{"--id", id, "--address", addrs[id], "--data-dir", dataDir}
	var peers []string
	for _, other := range ids {
		if other == id {
			break
		}
		peers = append(peers, other+"="+addrs[other])
	}
	if len(peers) > 0 {
		args = append(args, "--peers", strings.Join(peers, ","))
	}
	return args
}

// start (re)starts member id and waits until it accepts connections.
func (c *testCluster) start(id string) *process {
	c.t.Helper()
	p := startNode(c.t, c.addrs[id], c.args(id)...)
	c.procs[id] = p
	// Cleanups run last first: this one before the processes are killed.
	c.t.Cleanup(func() { c.dump.Do(c.dumpIfFailed) })
	return p
}

// dumpIfFailed logs each member's view of the cluster and the end of its
// output when the test failed.
func (c *testCluster) dumpIfFailed() {
	if !c.t.Failed() {
		return
	}
	for _, id := range c.ids {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		ms, err := c.status(ctx, id)
		cancel()
		c.t.Logf("SHOW CLUSTER on %s: %+v %v", id, ms, err)
	}
	for _, id := range c.ids {
		if p := c.procs[id]; p != nil {
			c.t.Logf("output of %s (last 6000 bytes):\n%s", id, lastBytes(p.output.String(), 6000))
		}
	}
}

// kill ends member id with SIGKILL.
func (c *testCluster) kill(id string) {
	c.t.Helper()
	c.procs[id].kill(c.t)
}

// others returns the member ids other than those given.
func (c *testCluster) others(not ...string) []string {
	var out []string
	for _, id := range c.ids {
		skip := false
		for _, n := range not {
			skip = skip || id == n
		}
		if !skip {
			out = append(out, id)
		}
	}
	return out
}

// dsn is the connection string of member id.
func (c *testCluster) dsn(id string) string {
	return fmt.Sprintf("postgres://chronos@%s/chronos?sslmode=disable&connect_timeout=5", c.addrs[id])
}

// query runs sql on member id on a new connection and returns the rows,
// each as its values' text joined by "|".
func (c *testCluster) query(ctx context.Context, id, sql string, args ...any) ([]string, error) {
	conn, err := pgx.Connect(ctx, c.dsn(id))
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return nil, err
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			if v == nil {
				parts[i] = "NULL"
			} else {
				parts[i] = fmt.Sprint(v)
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	return out, rows.Err()
}

// mustQuery is query that fails the test on an error.
func (c *testCluster) mustQuery(ctx context.Context, id, sql string, args ...any) []string {
	c.t.Helper()
	rows, err := c.query(ctx, id, sql, args...)
	if err != nil {
		c.t.Fatalf("%s on %s: %v", sql, id, err)
	}
	return rows
}

// exec runs sql on member id on a new connection.
func (c *testCluster) exec(ctx context.Context, id, sql string, args ...any) error {
	conn, err := pgx.Connect(ctx, c.dsn(id))
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql, args...)
	return err
}

// mustExec is exec that fails the test on an error.
func (c *testCluster) mustExec(ctx context.Context, id, sql string, args ...any) {
	c.t.Helper()
	if err := c.exec(ctx, id, sql, args...); err != nil {
		c.t.Fatalf("%s on %s: %v", sql, id, err)
	}
}

// memberRow is one row of SHOW CLUSTER.
type memberRow struct {
	ID, Address, Role     string
	Term, Commit, Applied int64
	Reachable             bool
}

// status runs SHOW CLUSTER on member id.
func (c *testCluster) status(ctx context.Context, id string) ([]memberRow, error) {
	conn, err := pgx.Connect(ctx, c.dsn(id))
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(ctx, "SHOW CLUSTER")
	if err != nil {
		return nil, err
	}
	var out []memberRow
	for rows.Next() {
		var m memberRow
		var role *string
		var term, commit, applied *int64
		if err := rows.Scan(&m.ID, &m.Address, &role, &term, &commit, &applied, &m.Reachable); err != nil {
			return nil, err
		}
		if role != nil {
			m.Role, m.Term, m.Commit, m.Applied = *role, *term, *commit, *applied
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// waitFor calls cond every 50ms until it returns nil, and fails the test
// with cond's last error if that takes longer than timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s: %v", what, timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitLeader waits until member via sees a reachable leader other than
// the members in not, and returns its id.
func (c *testCluster) waitLeader(via string, timeout time.Duration, not ...string) string {
	c.t.Helper()
	var leader string
	waitFor(c.t, timeout, "a leader seen from "+via, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		ms, err := c.status(ctx, via)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.Role != "leader" || !m.Reachable {
				continue
			}
			excluded := false
			for _, n := range not {
				excluded = excluded || m.ID == n
			}
			if !excluded {
				leader = m.ID
				return nil
			}
		}
		return fmt.Errorf("no leader in %+v", ms)
	})
	return leader
}

// waitSameRows waits until every member in ids returns the same rows for
// sql (a linearizable read on each), and returns them.
func (c *testCluster) waitSameRows(timeout time.Duration, sql string, ids ...string) []string {
	c.t.Helper()
	var rows []string
	waitFor(c.t, timeout, "identical results of "+sql, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var first []string
		for i, id := range ids {
			got, err := c.query(ctx, id, sql)
			if err != nil {
				return fmt.Errorf("%s: %w", id, err)
			}
			if i == 0 {
				first = got
				continue
			}
			if strings.Join(got, "\n") != strings.Join(first, "\n") {
				return fmt.Errorf("%s returns %d rows, %s returns %d", ids[0], len(first), id, len(got))
			}
		}
		rows = first
		return nil
	})
	return rows
}

// sqlState returns the SQLSTATE of a server error, or "".
func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// lastBytes returns the end of s, at most n bytes of it.
func lastBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
