// Command failover measures a Chronos cluster's leader failover for
// bench/cluster.sh: it runs inserts on every member, kills the leader's
// process with SIGKILL, and reports how long until a new leader is elected
// and until the first write sent after the kill is acknowledged, how long
// the statements in flight at the kill took to return, and whether every
// acknowledged write is present afterwards.
//
//	go run ./bench/failover -nodes node1=127.0.0.1:8001,node2=...,node3=... -leader node1 -pid 1234
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

func main() {
	nodesFlag := flag.String("nodes", "", "the members, as `ID=HOST:PORT,...`")
	leader := flag.String("leader", "", "`ID` of the current leader (killed)")
	pid := flag.Int("pid", 0, "process `ID` of the leader")
	writers := flag.Int("writers", 4, "concurrent writers per member")
	before := flag.Duration("before", 3*time.Second, "write load before the kill")
	limit := flag.Duration("limit", 30*time.Second, "give up waiting for an acknowledged write after the kill after this")
	user := flag.String("user", "chronos", "user name")
	flag.Parse()
	nodes, err := parseNodes(*nodesFlag)
	if err != nil || *leader == "" || *pid <= 0 || nodes[*leader] == "" {
		fmt.Fprintln(os.Stderr, "usage: failover -nodes ID=HOST:PORT,... -leader ID -pid PID")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
		os.Exit(2)
	}
	if err := run(nodes, *leader, *pid, *writers, *before, *limit, *user); err != nil {
		fmt.Fprintln(os.Stderr, "failover:", err)
		os.Exit(1)
	}
}

func parseNodes(s string) (map[string]string, error) {
	nodes := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		id, addr, ok := strings.Cut(kv, "=")
		if !ok || id == "" || addr == "" {
			return nil, fmt.Errorf("bad -nodes entry %q", kv)
		}
		nodes[id] = addr
	}
	return nodes, nil
}

func dsn(addr, user string) string {
	return fmt.Sprintf("postgres://%s@%s/chronos?sslmode=disable&connect_timeout=2", user, addr)
}

// write is one INSERT a writer sent.
type write struct {
	id         int64
	start, end time.Time
	err        error
}

// recorder collects the writes.
type recorder struct {
	mu     sync.Mutex
	writes []write
	acked  chan time.Time // the end of each acknowledged write; never blocks
}

func (r *recorder) add(w write) {
	r.mu.Lock()
	r.writes = append(r.writes, w)
	r.mu.Unlock()
	if w.err == nil {
		select {
		case r.acked <- w.start:
		default:
		}
	}
}

func run(nodes map[string]string, leader string, pid, writers int, before, limit time.Duration, user string) error {
	ctx, cancel := context.WithTimeout(context.Background(), before+limit+time.Minute)
	defer cancel()
	setup, err := pgx.Connect(ctx, dsn(nodes[leader], user))
	if err != nil {
		return err
	}
	_, err = setup.Exec(ctx, "CREATE TABLE bench_failover (id BIGINT PRIMARY KEY, via TEXT)")
	setup.Close(ctx)
	if err != nil {
		return fmt.Errorf("create table: %w", err)
	}

	rec := &recorder{acked: make(chan time.Time, 1<<16)}
	loadCtx, stopLoad := context.WithCancel(ctx)
	var wg sync.WaitGroup
	ids := make([]string, 0, len(nodes))
	for id := range nodes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for i, id := range ids {
		for k := 0; k < writers; k++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				writer(loadCtx, dsn(nodes[id], user), id, int64(i*writers+k), rec)
			}()
		}
	}

	time.Sleep(before)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		stopLoad()
		wg.Wait()
		return fmt.Errorf("kill %d: %w", pid, err)
	}
	killed := time.Now()
	var survivor string
	for _, id := range ids {
		if id != leader {
			survivor = id
			break
		}
	}
	electedc := make(chan election, 1)
	go watchLeader(loadCtx, dsn(nodes[survivor], user), leader, electedc)

	var firstAck time.Duration = -1
	deadline := time.After(limit)
wait:
	for {
		select {
		case start := <-rec.acked:
			if start.After(killed) {
				firstAck = time.Since(killed)
				break wait
			}
		case <-deadline:
			break wait
		}
	}
	var elected election
	select {
	case elected = <-electedc:
	case <-time.After(5 * time.Second):
	}
	time.Sleep(time.Second) // some writes after the failover
	stopLoad()
	wg.Wait()

	// Statements in flight at the kill: how long until they returned.
	var inflight, inflightFailed int
	var inflightMax time.Duration
	var acked []int64
	beforeKill, afterKill := 0, 0
	for _, w := range rec.writes {
		if w.start.Before(killed) && w.end.After(killed) {
			inflight++
			if w.err != nil {
				inflightFailed++
			}
			inflightMax = max(inflightMax, w.end.Sub(killed))
		}
		if w.err == nil {
			acked = append(acked, w.id)
			if w.start.After(killed) {
				afterKill++
			} else {
				beforeKill++
			}
		}
	}
	missing, err := checkAcked(ctx, dsn(nodes[survivor], user), acked)
	if err != nil {
		return err
	}
	fmt.Printf("killed leader %s (pid %d) under %d writers on each of %d members\n", leader, pid, writers, len(ids))
	if elected.id != "" {
		fmt.Printf("new leader: %s, seen by SHOW CLUSTER %s after the kill\n", elected.id, elected.at.Sub(killed).Round(time.Millisecond))
	} else {
		fmt.Println("new leader: none seen")
	}
	if firstAck >= 0 {
		fmt.Printf("first acknowledged write sent after the kill: %s after the kill\n", firstAck.Round(time.Millisecond))
	} else {
		fmt.Printf("first acknowledged write sent after the kill: none within %s\n", limit)
	}
	fmt.Printf("statements in flight at the kill: %d, %d of them failed; the last returned %s after the kill\n",
		inflight, inflightFailed, inflightMax.Round(time.Millisecond))
	fmt.Printf("acknowledged writes: %d before the kill, %d after; missing on %s afterwards: %d\n", beforeKill, afterKill, survivor, missing)
	if firstAck >= 0 {
		fmt.Printf("failover_seconds=%.3f\n", firstAck.Seconds())
	}
	if missing > 0 {
		return fmt.Errorf("%d acknowledged writes are missing", missing)
	}
	if firstAck < 0 {
		return errors.New("no write was acknowledged after the kill")
	}
	return nil
}

// election is a new leader and when watchLeader saw it.
type election struct {
	id string
	at time.Time
}

// writer inserts rows with ids of its own, one statement at a time with no
// client timeout, reconnecting after any failure.
func writer(ctx context.Context, dsn, via string, w int64, rec *recorder) {
	var conn *pgx.Conn
	defer func() {
		if conn != nil {
			conn.Close(context.Background())
		}
	}()
	for seq := int64(0); ctx.Err() == nil; seq++ {
		if conn == nil {
			c, err := pgx.Connect(ctx, dsn)
			if err != nil {
				select {
				case <-ctx.Done():
				case <-time.After(100 * time.Millisecond):
				}
				continue
			}
			conn = c
		}
		id := w<<32 | seq
		start := time.Now()
		_, err := conn.Exec(ctx, "INSERT INTO bench_failover (id, via) VALUES ($1, $2)", id, via)
		if ctx.Err() != nil {
			return // the load ended; this statement's outcome is not counted
		}
		rec.add(write{id: id, start: start, end: time.Now(), err: err})
		if err != nil {
			conn.Close(context.Background())
			conn = nil
		}
	}
}

// watchLeader polls SHOW CLUSTER on a survivor until it reports a leader
// other than old, and sends it.
func watchLeader(ctx context.Context, dsn, old string, out chan<- election) {
	var conn *pgx.Conn
	defer func() {
		if conn != nil {
			conn.Close(context.Background())
		}
	}()
	for ctx.Err() == nil {
		if conn == nil {
			c, err := pgx.Connect(ctx, dsn)
			if err != nil {
				time.Sleep(20 * time.Millisecond)
				continue
			}
			conn = c
		}
		rows, err := conn.Query(ctx, "SHOW CLUSTER")
		if err != nil {
			conn.Close(context.Background())
			conn = nil
			continue
		}
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil || len(vals) < 3 {
				continue
			}
			id, _ := vals[0].(string)
			role, _ := vals[2].(string)
			if role == "leader" && id != old {
				rows.Close()
				out <- election{id: id, at: time.Now()}
				return
			}
		}
		rows.Close()
		time.Sleep(20 * time.Millisecond)
	}
}

// checkAcked counts the acknowledged ids missing from the table on the
// member at dsn (a linearizable read).
func checkAcked(ctx context.Context, dsn string, acked []int64) (int, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT id FROM bench_failover")
	if err != nil {
		return 0, err
	}
	have := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return 0, err
		}
		have[id] = true
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	missing := 0
	for _, id := range acked {
		if !have[id] {
			missing++
		}
	}
	return missing, nil
}
