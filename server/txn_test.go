package server_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestTransactionsCluster runs serializable transactions through the
// different members of a three-node cluster (issue 4): a bank workload,
// the lost-update and write-skew anomalies across nodes, pgx's
// BeginTx/Rollback/Commit, psql's BEGIN ... ROLLBACK, and a leader crash
// during commits. One cluster serves every part; the crash comes last.
func TestTransactionsCluster(t *testing.T) {
	c := startCluster(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c.waitLeader("node1", 20*time.Second)

	t.Run("bank", func(t *testing.T) { txBank(ctx, t, c) })
	t.Run("anomalies", func(t *testing.T) { txAnomalies(ctx, t, c) })
	t.Run("pgx", func(t *testing.T) { txPgx(ctx, t, c) })
	t.Run("psql", func(t *testing.T) { txPsql(t, c) })
	t.Run("leader crash", func(t *testing.T) { txLeaderCrash(ctx, t, c) })
}

// connect opens a connection to member id.
func connect(ctx context.Context, t *testing.T, c *testCluster, id string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctx, c.dsn(id))
	if err != nil {
		t.Fatalf("connect to %s: %v", id, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// retryTx runs fn in a serializable transaction on conn until it commits,
// retrying on 40001; it returns the number of aborts.
func retryTx(ctx context.Context, conn *pgx.Conn, fn func(pgx.Tx) error) (int, error) {
	for aborts := 0; ; aborts++ {
		err := pgx.BeginTxFunc(ctx, conn, pgx.TxOptions{IsoLevel: pgx.Serializable}, fn)
		if err == nil {
			return aborts, nil
		}
		if sqlState(err) != "40001" || aborts > 200 {
			return aborts, err
		}
		time.Sleep(time.Duration(rand.IntN(5)+1) * time.Millisecond)
	}
}

// txBank moves money between accounts from workers on every node while
// readers check the total; every transfer is also logged, so the final
// balances must match the log exactly.
func txBank(ctx context.Context, t *testing.T, c *testCluster) {
	const accounts, initial = 8, 1000
	mustExecT(ctx, t, c, "node1", "CREATE TABLE bank (id INT PRIMARY KEY, balance INT NOT NULL)")
	mustExecT(ctx, t, c, "node1", "CREATE TABLE transfers (src INT, dst INT, amount INT)")
	var vals []string
	for i := 1; i <= accounts; i++ {
		vals = append(vals, fmt.Sprintf("(%d, %d)", i, initial))
	}
	mustExecT(ctx, t, c, "node1", "INSERT INTO bank VALUES "+strings.Join(vals, ", "))
	const total = accounts * initial

	var wg sync.WaitGroup
	var committed, aborted atomic.Int64
	errs := make(chan error, 32)
	stop := make(chan struct{})
	for w := 0; w < 6; w++ {
		id := c.ids[w%3]
		conn := connect(ctx, t, c, id)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 12; i++ {
				src, dst := rand.IntN(accounts)+1, rand.IntN(accounts)+1
				if src == dst {
					continue
				}
				amount := rand.IntN(50) + 1
				n, err := retryTx(ctx, conn, func(tx pgx.Tx) error {
					var a, b int
					if err := tx.QueryRow(ctx, "SELECT balance FROM bank WHERE id = $1", src).Scan(&a); err != nil {
						return err
					}
					if err := tx.QueryRow(ctx, "SELECT balance FROM bank WHERE id = $1", dst).Scan(&b); err != nil {
						return err
					}
					if _, err := tx.Exec(ctx, "UPDATE bank SET balance = $1 WHERE id = $2", a-amount, src); err != nil {
						return err
					}
					if _, err := tx.Exec(ctx, "UPDATE bank SET balance = $1 WHERE id = $2", b+amount, dst); err != nil {
						return err
					}
					_, err := tx.Exec(ctx, "INSERT INTO transfers VALUES ($1, $2, $3)", src, dst, amount)
					return err
				})
				aborted.Add(int64(n))
				if err != nil {
					errs <- fmt.Errorf("transfer on %s: %w", id, err)
					return
				}
				committed.Add(1)
			}
		}()
	}
	var readers sync.WaitGroup
	var checks atomic.Int64
	for r := 0; r < 3; r++ {
		id := c.ids[r]
		conn := connect(ctx, t, c, id)
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				// Two reads in one transaction see one snapshot.
				tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.Serializable, AccessMode: pgx.ReadOnly})
				if err != nil {
					errs <- err
					return
				}
				var sum, sum2 int
				err = tx.QueryRow(ctx, "SELECT sum(balance) FROM bank").Scan(&sum)
				if err == nil {
					err = tx.QueryRow(ctx, "SELECT sum(balance) FROM bank WHERE id >= 1").Scan(&sum2)
				}
				if err == nil {
					err = tx.Commit(ctx)
				}
				if err != nil {
					errs <- fmt.Errorf("reader on %s: %w", id, err)
					return
				}
				if sum != total || sum2 != total {
					errs <- fmt.Errorf("reader on %s saw totals %d and %d, want %d", id, sum, sum2, total)
					return
				}
				checks.Add(1)
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	t.Logf("bank: %d transfers committed, %d aborts retried, %d total checks", committed.Load(), aborted.Load(), checks.Load())
	if checks.Load() == 0 {
		t.Error("no reader check ran")
	}
	// Every node: the exact total, and each balance equal to what the
	// transfer log says.
	want := c.waitSameRows(20*time.Second, "SELECT id, balance FROM bank ORDER BY id", c.ids...)
	got := mustQueryT(ctx, t, c, "node3", fmt.Sprintf(`SELECT b.id, %d - coalesce((SELECT sum(amount) FROM transfers WHERE src = b.id), 0)
		+ coalesce((SELECT sum(amount) FROM transfers WHERE dst = b.id), 0) FROM bank b ORDER BY b.id`, initial))
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("balances %v, but the transfer log gives %v", want, got)
	}
	sum := 0
	for _, r := range want {
		v, _ := strconv.Atoi(r[strings.Index(r, "|")+1:])
		sum += v
	}
	if sum != total {
		t.Errorf("final total %d, want %d", sum, total)
	}
	if n := mustQueryT(ctx, t, c, "node2", "SELECT count(*) FROM transfers"); n[0] != strconv.FormatInt(committed.Load(), 10) {
		t.Errorf("%s transfers logged, %d committed", n[0], committed.Load())
	}
}

// txAnomalies interleaves two transactions on two different nodes.
func txAnomalies(ctx context.Context, t *testing.T, c *testCluster) {
	mustExecT(ctx, t, c, "node1", "CREATE TABLE counter (id INT PRIMARY KEY, n INT)")
	mustExecT(ctx, t, c, "node1", "INSERT INTO counter VALUES (1, 0)")
	mustExecT(ctx, t, c, "node1", "CREATE TABLE oncall (name TEXT PRIMARY KEY, on_call BOOL)")
	mustExecT(ctx, t, c, "node1", "INSERT INTO oncall VALUES ('alice', true), ('bob', true)")
	a, b := connect(ctx, t, c, "node2"), connect(ctx, t, c, "node3")

	// Lost update: both read n, both write n+1.
	ta, err := a.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := b.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var na, nb int
	if err := ta.QueryRow(ctx, "SELECT n FROM counter WHERE id = 1").Scan(&na); err != nil {
		t.Fatal(err)
	}
	if err := tb.QueryRow(ctx, "SELECT n FROM counter WHERE id = 1").Scan(&nb); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.Exec(ctx, "UPDATE counter SET n = $1 WHERE id = 1", na+1); err != nil {
		t.Fatal(err)
	}
	if _, err := tb.Exec(ctx, "UPDATE counter SET n = $1 WHERE id = 1", nb+1); err != nil {
		t.Fatal(err)
	}
	if err := ta.Commit(ctx); err != nil {
		t.Fatalf("first commit: %v", err)
	}
	if err := tb.Commit(ctx); sqlState(err) != "40001" {
		t.Fatalf("second commit of a lost update: %v, want 40001", err)
	}
	if got := mustQueryT(ctx, t, c, "node1", "SELECT n FROM counter"); got[0] != "1" {
		t.Fatalf("counter %v, want 1", got)
	}

	// Write skew: each goes off call after seeing two on call.
	ta, _ = a.Begin(ctx)
	tb, _ = b.Begin(ctx)
	for _, tx := range []pgx.Tx{ta, tb} {
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM oncall WHERE on_call").Scan(&n); err != nil || n != 2 {
			t.Fatalf("on call: %d, %v", n, err)
		}
	}
	if _, err := ta.Exec(ctx, "UPDATE oncall SET on_call = false WHERE name = 'alice'"); err != nil {
		t.Fatal(err)
	}
	if _, err := tb.Exec(ctx, "UPDATE oncall SET on_call = false WHERE name = 'bob'"); err != nil {
		t.Fatal(err)
	}
	errA, errB := ta.Commit(ctx), tb.Commit(ctx)
	if errA != nil || sqlState(errB) != "40001" {
		t.Fatalf("write skew commits: %v, %v; want nil, 40001", errA, errB)
	}
	if got := mustQueryT(ctx, t, c, "node1", "SELECT count(*) FROM oncall WHERE on_call"); got[0] != "1" {
		t.Fatalf("on call after write skew: %v", got)
	}
}

// txPgx checks pgx's transaction API: a rolled-back transaction leaves
// nothing, a committed one is seen on the other nodes, and nothing is
// seen before COMMIT.
func txPgx(ctx context.Context, t *testing.T, c *testCluster) {
	mustExecT(ctx, t, c, "node1", "CREATE TABLE notes (id INT PRIMARY KEY, body TEXT)")
	conn := connect(ctx, t, c, "node2")
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "INSERT INTO notes VALUES (1, 'gone')"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	tx, err = conn.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var level string
	if err := tx.QueryRow(ctx, "SHOW transaction_isolation").Scan(&level); err != nil || level != "serializable" {
		t.Fatalf("transaction_isolation %q, %v", level, err)
	}
	if _, err := tx.Exec(ctx, "INSERT INTO notes VALUES (2, 'kept')"); err != nil {
		t.Fatal(err)
	}
	if got := mustQueryT(ctx, t, c, "node3", "SELECT count(*) FROM notes"); got[0] != "0" {
		t.Fatalf("uncommitted rows visible on node3: %v", got)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if got := mustQueryT(ctx, t, c, "node3", "SELECT id, body FROM notes"); strings.Join(got, ",") != "2|kept" {
		t.Fatalf("notes on node3: %v", got)
	}
}

// txPsql runs BEGIN; ...; ROLLBACK; through the real psql.
func txPsql(t *testing.T, c *testCluster) {
	bin, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql is not installed")
	}
	host, port, _ := net.SplitHostPort(c.addrs["node3"])
	run := func(sql string) string {
		cmd := exec.Command(bin, "-X", "-h", host, "-p", port, "-U", "chronos", "-d", "chronos", "-v", "ON_ERROR_STOP=1", "-c", sql)
		cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10", "PAGER=", "PSQLRC=/dev/null")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("psql %q: %v\n%s", sql, err, out)
		}
		return string(out)
	}
	run("CREATE TABLE psql_t (a INT)")
	out := run("BEGIN; INSERT INTO psql_t VALUES (1); SELECT count(*) FROM psql_t; ROLLBACK;")
	if !strings.Contains(out, "ROLLBACK") || !strings.Contains(out, "     1") {
		t.Errorf("psql output:\n%s", out)
	}
	if out := run("SELECT count(*) FROM psql_t"); !strings.Contains(out, "     0") {
		t.Errorf("rows after ROLLBACK:\n%s", out)
	}
}

// txLeaderCrash commits two-row transactions through a follower while the
// leader is killed: afterwards every transaction has both rows or none.
func txLeaderCrash(ctx context.Context, t *testing.T, c *testCluster) {
	mustExecT(ctx, t, c, "node1", "CREATE TABLE pairs_a (k INT PRIMARY KEY)")
	mustExecT(ctx, t, c, "node1", "CREATE TABLE pairs_b (k INT PRIMARY KEY)")
	leader := c.waitLeader("node1", 10*time.Second)
	via := c.others(leader)[0]
	conn := connect(ctx, t, c, via)
	var acked []int
	failed := 0
	done, stop := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for k := 1; ; k++ {
			select {
			case <-stop:
				return
			default:
			}
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err := pgx.BeginTxFunc(cctx, conn, pgx.TxOptions{}, func(tx pgx.Tx) error {
				if _, err := tx.Exec(cctx, "INSERT INTO pairs_a VALUES ($1)", k); err != nil {
					return err
				}
				_, err := tx.Exec(cctx, "INSERT INTO pairs_b VALUES ($1)", k)
				return err
			})
			cancel()
			if err == nil {
				acked = append(acked, k)
			} else {
				failed++
			}
			if conn.IsClosed() || errors.Is(err, context.DeadlineExceeded) {
				return
			}
		}
	}()
	time.Sleep(300 * time.Millisecond)
	c.kill(leader)
	// Go on committing through the election.
	time.Sleep(2 * time.Second)
	close(stop)
	<-done
	survivors := c.others(leader)
	c.waitLeader(survivors[0], 20*time.Second, leader)
	a := c.waitSameRows(30*time.Second, "SELECT k FROM pairs_a ORDER BY k", survivors...)
	b := mustQueryT(ctx, t, c, survivors[0], "SELECT k FROM pairs_b ORDER BY k")
	if strings.Join(a, ",") != strings.Join(b, ",") {
		t.Fatalf("torn transactions: pairs_a %v, pairs_b %v", a, b)
	}
	have := map[string]bool{}
	for _, k := range a {
		have[k] = true
	}
	for _, k := range acked {
		if !have[strconv.Itoa(k)] {
			t.Errorf("acknowledged transaction %d lost", k)
		}
	}
	t.Logf("leader %s killed; %d transactions acknowledged, %d failed, %d present", leader, len(acked), failed, len(a))
}

// mustExecT is c.mustExec failing t (a subtest) instead of the cluster's test.
func mustExecT(ctx context.Context, t *testing.T, c *testCluster, id, sql string) {
	t.Helper()
	if err := c.exec(ctx, id, sql); err != nil {
		t.Fatalf("%s on %s: %v", sql, id, err)
	}
}

// mustQueryT is c.mustQuery failing t (a subtest).
func mustQueryT(ctx context.Context, t *testing.T, c *testCluster, id, sql string) []string {
	t.Helper()
	rows, err := c.query(ctx, id, sql)
	if err != nil {
		t.Fatalf("%s on %s: %v", sql, id, err)
	}
	return rows
}
