package server_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/jackc/pgx/v5"
)

// A register workload: each key of table reg holds one integer; clients
// read it and overwrite it with values no one else writes, through every
// member, while members are killed and paused. porcupine then checks that
// the history is linearizable: each operation appears to take effect at
// one instant between its call and its return.

// regInput is one register operation.
type regInput struct {
	key   int
	write bool
	value int64 // the value written
}

// regOutput is a read's result; a write has none.
type regOutput struct {
	value int64
}

// registerModel is a set of registers, one per key, all starting at 0.
var registerModel = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[int][]porcupine.Operation{}
		for _, op := range history {
			k := op.Input.(regInput).key
			byKey[k] = append(byKey[k], op)
		}
		var out [][]porcupine.Operation
		for _, ops := range byKey {
			out = append(out, ops)
		}
		return out
	},
	Init: func() any { return int64(0) },
	Step: func(state, input, output any) (bool, any) {
		in := input.(regInput)
		if in.write {
			return true, in.value
		}
		return output.(regOutput).value == state.(int64), state
	},
	DescribeOperation: func(input, output any) string {
		in := input.(regInput)
		if in.write {
			return fmt.Sprintf("write(k%d, %d)", in.key, in.value)
		}
		return fmt.Sprintf("read(k%d) -> %d", in.key, output.(regOutput).value)
	},
}

// history collects completed operations from the clients.
type history struct {
	start time.Time
	mu    sync.Mutex
	ops   []porcupine.Operation
	done  []time.Time // when each successful operation returned
	// unknown counts writes whose outcome the client never learned.
	unknown, reads, writes int
}

func (h *history) now() int64 { return time.Since(h.start).Nanoseconds() }

func (h *history) add(op porcupine.Operation, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ops = append(h.ops, op)
	if !ok {
		h.unknown++
		return
	}
	h.done = append(h.done, time.Now())
	if op.Input.(regInput).write {
		h.writes++
	} else {
		h.reads++
	}
}

// completedSince counts the operations that returned successfully after t.
func (h *history) completedSince(t time.Time) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, d := range h.done {
		if d.After(t) {
			n++
		}
	}
	return n
}

// registerClient runs operations until ctx ends. It talks to one member
// at a time and moves to the next after a failure.
func registerClient(ctx context.Context, c *testCluster, client, keys int, h *history) error {
	rng := rand.New(rand.NewPCG(uint64(client), 42))
	node := client % len(c.ids)
	var conn *pgx.Conn
	defer func() {
		if conn != nil {
			conn.Close(context.Background())
		}
	}()
	drop := func() {
		conn.Close(context.Background())
		conn = nil
		node = (node + 1) % len(c.ids)
	}
	for seq := int64(1); ctx.Err() == nil; seq++ {
		if conn == nil {
			cctx, cancel := context.WithTimeout(ctx, time.Second)
			var err error
			conn, err = pgx.Connect(cctx, c.dsn(c.ids[node]))
			cancel()
			if err != nil {
				conn = nil
				node = (node + 1) % len(c.ids)
				continue
			}
		}
		in := regInput{key: rng.IntN(keys), write: rng.IntN(2) == 0}
		opCtx, cancel := context.WithTimeout(ctx, 4*time.Second)
		call := h.now()
		if in.write {
			in.value = int64(client)<<32 | seq
			tag, err := conn.Exec(opCtx, "UPDATE reg SET v = $1 WHERE k = $2", in.value, in.key)
			ret := h.now()
			cancel()
			if err != nil {
				// It may still take effect at any time after its call.
				h.add(porcupine.Operation{ClientId: client, Input: in, Call: call, Output: regOutput{}, Return: math.MaxInt64}, false)
				drop()
				continue
			}
			if tag.RowsAffected() != 1 {
				return fmt.Errorf("UPDATE of key %d affected %d rows", in.key, tag.RowsAffected())
			}
			h.add(porcupine.Operation{ClientId: client, Input: in, Call: call, Output: regOutput{}, Return: ret}, true)
			continue
		}
		var v int64
		err := conn.QueryRow(opCtx, "SELECT v FROM reg WHERE k = $1", in.key).Scan(&v)
		ret := h.now()
		cancel()
		if err != nil {
			drop() // a failed read has no effect: leave it out
			continue
		}
		h.add(porcupine.Operation{ClientId: client, Input: in, Call: call, Output: regOutput{value: v}, Return: ret}, true)
	}
	return nil
}

// TestClusterLinearizable runs the register workload on a three-member
// cluster while the leader is killed and restarted, the new leader is
// paused (SIGSTOP) and resumed, and a follower is paused and resumed, and
// checks the history with porcupine.
func TestClusterLinearizable(t *testing.T) {
	const (
		keys    = 4
		clients = 6
	)
	c := startCluster(t, 3, "--request-timeout", "2s")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c.mustExec(ctx, "node1", "CREATE TABLE reg (k INT PRIMARY KEY, v BIGINT NOT NULL)")
	for k := 0; k < keys; k++ {
		c.mustExec(ctx, "node1", "INSERT INTO reg VALUES ($1, 0)", k)
	}

	h := &history{start: time.Now()}
	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := registerClient(loadCtx, c, i, keys, h); err != nil {
				errs <- err
			}
		}()
	}
	// progress waits until the clients completed n operations after the
	// fault injected at since: the cluster serves again.
	progress := func(what string, since time.Time, n int) {
		t.Helper()
		waitFor(t, 45*time.Second, "progress after "+what, func() error {
			if got := h.completedSince(since); got < n {
				return fmt.Errorf("%d operations completed", got)
			}
			return nil
		})
	}
	progress("start", h.start, 100)

	leader := c.waitLeader("node1", 10*time.Second)
	at := time.Now()
	c.kill(leader)
	t.Logf("killed leader %s", leader)
	progress("killing "+leader, at, 60)
	c.start(leader)
	progress("restarting "+leader, time.Now(), 30)

	leader = c.waitLeader(leader, 10*time.Second)
	paused := c.procs[leader]
	at = time.Now()
	paused.pause(t)
	t.Logf("paused leader %s", leader)
	progress("pausing "+leader, at, 60)
	paused.resume(t)
	progress("resuming "+leader, time.Now(), 30)

	leader = c.waitLeader(c.others(leader)[0], 10*time.Second)
	follower := c.others(leader)[0]
	at = time.Now()
	c.procs[follower].pause(t)
	t.Logf("paused follower %s", follower)
	progress("pausing "+follower, at, 60)
	c.procs[follower].resume(t)
	progress("resuming "+follower, time.Now(), 30)

	stopLoad()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("%d operations: %d reads, %d writes acknowledged, %d writes of unknown outcome",
		len(h.ops), h.reads, h.writes, h.unknown)

	res, info := porcupine.CheckOperationsVerbose(registerModel, h.ops, time.Minute)
	switch res {
	case porcupine.Ok:
	case porcupine.Illegal:
		path := filepath.Join(os.TempDir(), fmt.Sprintf("chronos-linearizability-%d.html", time.Now().UnixNano()))
		if err := porcupine.VisualizePath(registerModel, info, path); err != nil {
			t.Logf("visualization: %v", err)
		}
		t.Fatalf("the history is not linearizable; see %s", path)
	default:
		t.Fatalf("the linearizability check did not finish within a minute (%d operations)", len(h.ops))
	}
	c.waitSameRows(30*time.Second, "SELECT k, v FROM reg ORDER BY k", c.ids...)
}
