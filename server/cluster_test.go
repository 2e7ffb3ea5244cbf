package server_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestClusterWalkthrough runs the README's three-node walkthrough with the
// real binary: writes through one node are read on another, SHOW CLUSTER
// and chronos.nodes list the members, and `chronos node remove` removes
// one, which then stops and cannot come back under the same id.
func TestClusterWalkthrough(t *testing.T) {
	c := startCluster(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// A member that just joined is listed at once; it answers with its
	// term and indexes once the leader has reached it.
	waitFor(t, 15*time.Second, "SHOW CLUSTER on node3 listing three live members", func() error {
		ms, err := c.status(ctx, "node3")
		if err != nil {
			return err
		}
		if len(ms) != 3 {
			return fmt.Errorf("%d members: %+v", len(ms), ms)
		}
		leaders := 0
		for _, m := range ms {
			if m.Role == "leader" {
				leaders++
			}
			if !m.Reachable || m.Term == 0 || m.Commit == 0 || m.Applied == 0 {
				return fmt.Errorf("member %+v", m)
			}
		}
		if leaders != 1 {
			return fmt.Errorf("%d leaders in %+v", leaders, ms)
		}
		for i, m := range ms {
			if want := c.ids[i]; m.ID != want || m.Address != c.addrs[want] {
				t.Fatalf("member %d is %s at %s, want %s at %s", i, m.ID, m.Address, want, c.addrs[want])
			}
		}
		return nil
	})
	checkProcessorShare(t, c)
	if got := c.mustQuery(ctx, "node2", "SELECT id FROM chronos.nodes WHERE reachable ORDER BY id"); strings.Join(got, ",") != "node1,node2,node3" {
		t.Errorf("reachable members in chronos.nodes on node2: %v", got)
	}

	// Write through node2, read on node3 at once: reads are linearizable.
	c.mustExec(ctx, "node1", "CREATE TABLE users (id INT PRIMARY KEY, name TEXT)")
	c.mustExec(ctx, "node2", "INSERT INTO users VALUES (1, 'Alice'), (2, 'Bob')")
	if got := c.mustQuery(ctx, "node3", "SELECT id, name FROM users ORDER BY id"); strings.Join(got, ",") != "1|Alice,2|Bob" {
		t.Errorf("node3 reads %v after the insert on node2", got)
	}
	c.mustExec(ctx, "node3", "UPDATE users SET name = 'Carol' WHERE id = 2")
	if got := c.mustQuery(ctx, "node2", "SELECT name FROM users WHERE id = 2"); strings.Join(got, ",") != "Carol" {
		t.Errorf("node2 reads %v after the update on node3", got)
	}
	// A session may choose stale local reads.
	conn, err := pgx.Connect(ctx, c.dsn("node1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "SET chronos.read_consistency = 'stale'"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM users").Scan(&n); err != nil || n != 2 {
		t.Errorf("stale read on node1: %d rows, %v", n, err)
	}
	conn.Close(ctx)

	checkReadersTakeProcessors(ctx, t, c, "node2")

	// chronos.stats counts what each node did: node2's clients proposed
	// the insert and the update's row went through its log, and the
	// leader sent messages to its peers, several to a gRPC message at most.
	stats := func(node string) map[string]int64 {
		m := map[string]int64{}
		for _, row := range c.mustQuery(ctx, node, "SELECT name, value FROM chronos.stats") {
			name, value, _ := strings.Cut(row, "|")
			v, err := strconv.ParseInt(value, 10, 64)
			if err != nil {
				t.Fatalf("chronos.stats on %s: row %q", node, row)
			}
			m[name] = v
		}
		return m
	}
	if s := stats("node2"); s["proposals"] < 1 || s["entries_written"] < 3 || s["fsyncs"] < 1 || s["entries_applied"] < 3 {
		t.Errorf("chronos.stats on node2: %v", s)
	}
	if s := stats(c.waitLeader("node1", 15*time.Second)); s["message_batches_sent"] < 1 || s["messages_sent"] < s["message_batches_sent"] {
		t.Errorf("chronos.stats on the leader: %v", s)
	}

	// Remove node3 through node1 (a follower forwards to the leader).
	out, err := chronosCommand(t, "node", "remove", "--id", "node3", "--via", c.addrs["node1"]).CombinedOutput()
	if err != nil {
		t.Fatalf("chronos node remove: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "removed node3") {
		t.Errorf("chronos node remove printed %q", out)
	}
	select {
	case <-c.procs["node3"].exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("node3 still runs 30s after its removal:\n%s", c.procs["node3"].output)
	}
	if got := c.procs["node3"].output.String(); !strings.Contains(got, "removed from the cluster") {
		t.Errorf("node3 did not say it was removed:\n%s", got)
	}
	for _, id := range []string{"node1", "node2"} { // each applies the removal in turn
		waitFor(t, 10*time.Second, "node3 gone from chronos.nodes on "+id, func() error {
			got, err := c.query(ctx, id, "SELECT id FROM chronos.nodes ORDER BY id")
			if err == nil && strings.Join(got, ",") != "node1,node2" {
				err = fmt.Errorf("members %v", got)
			}
			return err
		})
	}
	c.mustExec(ctx, "node2", "INSERT INTO users VALUES (3, 'Dave')")
	if got := c.mustQuery(ctx, "node1", "SELECT count(*) FROM users"); strings.Join(got, ",") != "3" {
		t.Errorf("count after a write on the two-member cluster: %v", got)
	}

	// A removed id is never reused: node3 cannot join again, even wiped.
	args := append(c.args("node3"), "--clean")
	out, err = chronosCommand(t, append([]string{"node"}, args...)...).CombinedOutput()
	if err == nil {
		t.Fatalf("node3 rejoined under a removed id:\n%s", out)
	}
	if !strings.Contains(string(out), "removed") {
		t.Errorf("rejoining under a removed id fails without saying why:\n%s", out)
	}

	// Removing an unknown member fails clearly.
	out, err = chronosCommand(t, "node", "remove", "--id", "node9", "--via", c.addrs["node2"]).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "node9") {
		t.Errorf("removing an unknown member: %v\n%s", err, out)
	}
}

// ackLog records the writes a load acknowledged, with when each was sent
// and acknowledged.
type ackLog struct {
	mu     sync.Mutex
	ids    []int64
	starts []time.Time
	times  []time.Time
}

func (a *ackLog) add(id int64, start time.Time) {
	a.mu.Lock()
	a.ids = append(a.ids, id)
	a.starts = append(a.starts, start)
	a.times = append(a.times, time.Now())
	a.mu.Unlock()
}

func (a *ackLog) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.ids)
}

// sentAfter counts the acknowledged writes sent after t and returns the
// time of the first acknowledgement among them.
func (a *ackLog) sentAfter(t time.Time) (int, time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	n, first := 0, time.Time{}
	for i, at := range a.times {
		if a.starts[i].After(t) {
			if n == 0 || at.Before(first) {
				first = at
			}
			n++
		}
	}
	return n, first
}

// insertLoad runs writers on the members until ctx ends: each inserts rows
// with ids of its own, one statement at a time, each bounded by a client
// timeout; after any failure it reconnects. Acknowledged ids go to acks.
func insertLoad(ctx context.Context, c *testCluster, perNode int, acks *ackLog) *sync.WaitGroup {
	var wg sync.WaitGroup
	for i, id := range c.ids {
		for k := 0; k < perNode; k++ {
			w := int64(i*perNode + k)
			wg.Add(1)
			go func() {
				defer wg.Done()
				var conn *pgx.Conn
				defer func() {
					if conn != nil {
						conn.Close(context.Background())
					}
				}()
				for seq := int64(0); ctx.Err() == nil; seq++ {
					if conn == nil {
						cctx, cancel := context.WithTimeout(ctx, time.Second)
						var err error
						conn, err = pgx.Connect(cctx, c.dsn(id))
						cancel()
						if err != nil {
							conn = nil
							select { // back off while the node is down
							case <-ctx.Done():
							case <-time.After(100 * time.Millisecond):
							}
							continue
						}
					}
					key := w<<32 | seq
					start := time.Now()
					// A short client timeout: a statement stuck on a proposal
					// the dead leader took is given up soon, and the next one
					// measures when the new leader serves.
					sctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
					_, err := conn.Exec(sctx, "INSERT INTO acked (id, via) VALUES ($1, $2)", key, id)
					cancel()
					if err != nil {
						conn.Close(context.Background())
						conn = nil
						continue
					}
					acks.add(key, start)
				}
			}()
		}
	}
	return &wg
}

// checkAcked fails the test if an acknowledged id is missing from rows
// (each row an id first).
func checkAcked(t *testing.T, where string, rows []string, acked []int64) {
	t.Helper()
	have := make(map[int64]bool, len(rows))
	for _, r := range rows {
		id, err := strconv.ParseInt(strings.SplitN(r, "|", 2)[0], 10, 64)
		if err != nil {
			t.Fatalf("bad row %q", r)
		}
		have[id] = true
	}
	missing := 0
	for _, id := range acked {
		if !have[id] {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%s: %d of %d acknowledged rows are missing", where, missing, len(acked))
	}
}

// TestClusterLeaderFailover kills the leader with SIGKILL under a write
// load on every member: a new leader is elected, writes continue on the
// survivors, every acknowledged write is on both; then the killed node
// restarts with the same command, catches up, and all three return the
// same rows.
func TestClusterLeaderFailover(t *testing.T) {
	c := startCluster(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c.mustExec(ctx, "node1", "CREATE TABLE acked (id BIGINT PRIMARY KEY, via TEXT)")

	acks := &ackLog{}
	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	wg := insertLoad(loadCtx, c, 2, acks)
	waitFor(t, 30*time.Second, "50 acknowledged writes before the kill", func() error {
		if n := acks.count(); n < 50 {
			return fmt.Errorf("%d acknowledged", n)
		}
		return nil
	})

	leader := c.waitLeader("node1", 10*time.Second)
	survivors := c.others(leader)
	c.kill(leader) // returns once the process is gone
	killed := time.Now()
	newLeader := c.waitLeader(survivors[0], 20*time.Second, leader)
	elected := time.Since(killed)
	// A write sent after the kill can only be committed by a new leader.
	waitFor(t, 30*time.Second, "50 acknowledged writes after the kill", func() error {
		if n, _ := acks.sentAfter(killed); n < 50 {
			return fmt.Errorf("%d acknowledged since the kill", n)
		}
		return nil
	})
	stopLoad()
	wg.Wait()
	_, first := acks.sentAfter(killed)
	failover := first.Sub(killed)
	t.Logf("killed leader %s; %s leads after %s; first acknowledged write %s after the kill; %d writes acknowledged",
		leader, newLeader, elected.Round(time.Millisecond), failover.Round(time.Millisecond), acks.count())
	if elected > 10*time.Second {
		t.Errorf("a new leader took %s", elected)
	}
	if failover > 10*time.Second {
		t.Errorf("the first write after the kill was acknowledged only after %s", failover)
	}

	const all = "SELECT id, via FROM acked ORDER BY id"
	checkAcked(t, "survivors", c.waitSameRows(30*time.Second, all, survivors...), acks.ids)

	c.start(leader)
	rows := c.waitSameRows(60*time.Second, all, c.ids...)
	checkAcked(t, "all three after the restart", rows, acks.ids)
	t.Logf("%d rows on each of the three members after %s restarted", len(rows), leader)
}

// TestClusterSnapshotCatchUp keeps a follower stopped while the others
// checkpoint and compact their logs past it: on restart it catches up by
// receiving the leader's CSV snapshot. A brand-new member joins the same
// way.
func TestClusterSnapshotCatchUp(t *testing.T) {
	c := startCluster(t, 3, "--checkpoint-entries", "20")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c.mustExec(ctx, "node1", "CREATE TABLE items (id INT PRIMARY KEY, name TEXT)")
	c.mustExec(ctx, "node1", "INSERT INTO items VALUES (0, 'zero')")
	leader := c.waitLeader("node1", 10*time.Second)
	down := c.others(leader)[1]
	up := c.others(down)
	c.procs[down].stop(c.t) // a clean stop: SIGINT, exit status 0

	// 150 entries: several checkpoints, each compacting the log up to 10
	// entries (CheckpointEntries/2) behind it.
	for i := 1; i <= 150; i++ {
		c.mustExec(ctx, up[i%2], "INSERT INTO items VALUES ($1, $2)", i, fmt.Sprintf("item %d", i))
	}
	const all = "SELECT id, name FROM items ORDER BY id"
	p := c.start(down)
	rows := c.waitSameRows(30*time.Second, all, c.ids...)
	if len(rows) != 151 {
		t.Fatalf("%d rows after the catch-up, want 151", len(rows))
	}
	waitFor(t, 10*time.Second, down+" restored a snapshot", func() error {
		if !strings.Contains(p.output.String(), "restoring snapshot from leader") {
			return fmt.Errorf("no snapshot restore in its log")
		}
		return nil
	})
	// It takes further writes from the log as usual.
	c.mustExec(ctx, down, "UPDATE items SET name = 'ZERO' WHERE id = 0")
	if got := c.mustQuery(ctx, up[0], "SELECT name FROM items WHERE id = 0"); strings.Join(got, ",") != "ZERO" {
		t.Errorf("update through the caught-up member: %v", got)
	}

	// A brand-new member gets the snapshot too.
	p4 := c.add("node4")
	rows = c.waitSameRows(30*time.Second, all, c.ids...)
	if len(rows) != 151 {
		t.Fatalf("%d rows on four members, want 151", len(rows))
	}
	if !strings.Contains(p4.output.String(), "restoring snapshot from leader") {
		t.Errorf("node4 caught up without a snapshot:\n%s", p4.output)
	}
	waitFor(t, 10*time.Second, "node4 reaching all four members", func() error {
		got, err := c.query(ctx, "node4", "SELECT count(*) FROM chronos.nodes WHERE reachable")
		if err == nil && strings.Join(got, ",") != "4" {
			err = fmt.Errorf("%v reachable", got)
		}
		return err
	})
}

// TestClusterNoQuorum kills two of three members: writes and linearizable
// reads on the survivor fail within the configured request timeout with a
// clear error and are not acknowledged, SHOW CLUSTER still answers, and
// service resumes when a second member returns. A write refused while the
// survivor knows no leader is never applied.
func TestClusterNoQuorum(t *testing.T) {
	const timeout = 2 * time.Second
	c := startCluster(t, 3, "--request-timeout", timeout.String())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c.mustExec(ctx, "node1", "CREATE TABLE kv (k INT PRIMARY KEY, v TEXT)")
	c.mustExec(ctx, "node2", "INSERT INTO kv VALUES (1, 'before')")

	// Keep the leader: it must notice it lost its quorum.
	survivor := c.waitLeader("node1", 10*time.Second)
	dead := c.others(survivor)
	for _, id := range dead {
		c.kill(id)
	}
	conn, err := pgx.Connect(ctx, c.dsn(survivor))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	expectNoQuorum := func(what, sql string, args ...any) {
		t.Helper()
		start := time.Now()
		_, err := conn.Exec(ctx, sql, args...)
		took := time.Since(start)
		if err == nil {
			t.Fatalf("%s succeeded with two of three members down", what)
		}
		if code := sqlState(err); code != "08006" && code != "57P03" {
			t.Errorf("%s: SQLSTATE %q, want 08006 or 57P03: %v", what, code, err)
		}
		if !strings.Contains(err.Error(), "quorum") {
			t.Errorf("%s: the error does not say the cluster has no quorum: %v", what, err)
		}
		if took > timeout+5*time.Second {
			t.Errorf("%s failed only after %s (request timeout %s)", what, took, timeout)
		}
		t.Logf("%s failed after %s: %v", what, took.Round(time.Millisecond), err)
	}
	// While it still leads, the entry may reach its log: the outcome is
	// unknown and the client is told the write failed.
	expectNoQuorum("insert on the old leader", "INSERT INTO kv VALUES (2, 'unknown')")

	waitFor(t, 20*time.Second, survivor+" stepping down", func() error {
		ms, err := c.status(ctx, survivor)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.ID == survivor && m.Role == "leader" {
				return fmt.Errorf("%s still leads", survivor)
			}
			if m.ID != survivor && m.Reachable {
				return fmt.Errorf("%s is reachable", m.ID)
			}
		}
		return nil
	})
	expectNoQuorum("insert without a leader", "INSERT INTO kv VALUES (3, 'refused')")
	expectNoQuorum("linearizable read", "SELECT * FROM kv")

	c.start(dead[0])
	waitFor(t, 30*time.Second, "writes after a second member returned", func() error {
		err := c.exec(ctx, survivor, "INSERT INTO kv VALUES (4, 'after')")
		if sqlState(err) == "23505" {
			return nil // an earlier attempt failed but was applied
		}
		return err
	})
	got := c.waitSameRows(30*time.Second, "SELECT k, v FROM kv ORDER BY k", survivor, dead[0])
	if slices.Contains(got, "3|refused") {
		t.Errorf("a write refused without a leader was applied: %v", got)
	}
	if !slices.Contains(got, "1|before") || !slices.Contains(got, "4|after") {
		t.Errorf("rows after recovery: %v", got)
	}
}

// checkProcessorShare checks that the members of c, all on this machine,
// split its processors: each logs that it runs with GOMAXPROCS at its
// share (of the processors this test process has; the members inherit its
// environment and CPU limits).
func checkProcessorShare(t *testing.T, c *testCluster) {
	t.Helper()
	if os.Getenv("GOMAXPROCS") != "" {
		t.Log("GOMAXPROCS is set: the members keep it")
		return
	}
	procs := runtime.GOMAXPROCS(0)
	want := max(1, procs/len(c.ids))
	if want == procs {
		return // one processor: nothing to share, nothing logged
	}
	re := regexp.MustCompile(`msg="processors set for the members on this machine".* gomaxprocs=(\d+)`)
	for _, id := range c.ids {
		waitFor(t, 10*time.Second, id+" running with its share of the processors", func() error {
			found := re.FindAllStringSubmatch(c.procs[id].output.String(), -1)
			if len(found) == 0 {
				return errors.New("no processor setting logged")
			}
			if got := found[len(found)-1][1]; got != strconv.Itoa(want) {
				return fmt.Errorf("GOMAXPROCS %s, want %d of %d processors", got, want, procs)
			}
			return nil
		})
	}
}

// checkReadersTakeProcessors runs a read-only load on member id, then a
// write load: the member takes every processor for its readers, and goes
// back to its share for the writers (processors.go).
func checkReadersTakeProcessors(ctx context.Context, t *testing.T, c *testCluster, id string) {
	t.Helper()
	procs := runtime.GOMAXPROCS(0)
	share := max(1, procs/len(c.ids))
	if os.Getenv("GOMAXPROCS") != "" || share == procs {
		return // nothing to take
	}
	last := func() string {
		re := regexp.MustCompile(`msg="processors set for the members on this machine".* gomaxprocs=(\d+) .*reads_only=(\w+)`)
		found := re.FindAllStringSubmatch(c.procs[id].output.String(), -1)
		if len(found) == 0 {
			return ""
		}
		return found[len(found)-1][1] + " " + found[len(found)-1][2]
	}
	load := func(sql string, until string) {
		t.Helper()
		lctx, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				conn, err := pgx.Connect(lctx, c.dsn(id))
				if err != nil {
					return
				}
				defer conn.Close(context.Background())
				for k := g * 1_000_000; lctx.Err() == nil; k++ {
					conn.Exec(lctx, sql, k) //nolint:errcheck // a load; the setting is what is checked
				}
			}()
		}
		waitFor(t, 20*time.Second, id+" logging processors "+until, func() error {
			if got := last(); got != until {
				return fmt.Errorf("last setting %q", got)
			}
			return nil
		})
		stop()
		wg.Wait()
	}
	c.mustExec(ctx, id, "CREATE TABLE loadtest (k INT PRIMARY KEY)")
	load("SELECT k FROM loadtest WHERE k = $1", fmt.Sprintf("%d true", procs))
	load("INSERT INTO loadtest VALUES ($1)", fmt.Sprintf("%d false", share))
}
