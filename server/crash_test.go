package server_test

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestCrashLosesNoAcknowledgedRow kills the server with SIGKILL in the middle
// of a concurrent insert load, restarts it, and checks that every row whose
// INSERT was acknowledged is there. Then it stops the server cleanly and
// checks that the CSV files it leaves parse. The single node checkpoints
// only at the clean stop, so its restart replays the whole log; the node
// checkpoints every 200 entries, each appending the new rows to the
// table's files, so the kill lands among checkpoints (perhaps in one).
func TestCrashLosesNoAcknowledgedRow(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process test")
	}
	tests := []struct {
		name  string
		start func(t *testing.T, dataDir, addr string) *process
	}{
		{"single-node", startProcess},
		{"node, checkpoints every 200 entries", func(t *testing.T, dataDir, addr string) *process {
			return startNode(t, addr, "--id", "node1", "--address", addr, "--data-dir", dataDir, "--checkpoint-entries", "200")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { testCrashLosesNoAcknowledgedRow(t, tt.start) })
	}
}

func testCrashLosesNoAcknowledgedRow(t *testing.T, start func(t *testing.T, dataDir, addr string) *process) {
	dataDir := t.TempDir()
	addr := freeAddr(t)
	p := start(t, dataDir, addr)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	setup, err := pgx.Connect(ctx, p.dsn())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := setup.Exec(ctx, "CREATE TABLE acked (id BIGINT PRIMARY KEY, writer INT, payload TEXT)"); err != nil {
		t.Fatal(err)
	}
	setup.Close(ctx)

	const writers = 8
	var (
		mu    sync.Mutex
		acked []int64
		wg    sync.WaitGroup
	)
	loadCtx, stopLoad := context.WithCancel(ctx)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c, err := pgx.Connect(loadCtx, p.dsn())
			if err != nil {
				return
			}
			defer c.Close(context.Background())
			for i := int64(0); ; i++ {
				id := int64(w)<<32 | i
				_, err := c.Exec(loadCtx, "INSERT INTO acked (id, writer, payload) VALUES ($1, $2, $3)", id, w, strings.Repeat("x", 100))
				if err != nil {
					return // the server died, or the load was stopped
				}
				mu.Lock()
				acked = append(acked, id)
				mu.Unlock()
			}
		}(w)
	}
	time.Sleep(1500 * time.Millisecond)
	p.kill(t)
	stopLoad()
	wg.Wait()
	if len(acked) < 50 {
		t.Fatalf("only %d inserts acknowledged before the kill; the load did not run", len(acked))
	}

	p = start(t, dataDir, addr)
	c, err := pgx.Connect(ctx, p.dsn())
	if err != nil {
		t.Fatal(err)
	}
	rows, err := c.Query(ctx, "SELECT id FROM acked")
	if err != nil {
		t.Fatal(err)
	}
	present, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	have := make(map[int64]bool, len(present))
	for _, id := range present {
		have[id] = true
	}
	missing := 0
	for _, id := range acked {
		if !have[id] {
			missing++
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged rows are missing after SIGKILL and restart", missing, len(acked))
	}
	t.Logf("%d acknowledged rows, %d present after restart", len(acked), len(present))
	c.Close(ctx)

	p.stop(t)
	n := checkCSVFiles(t, dataDir)
	if n == 0 {
		t.Fatal("no CSV files after a clean shutdown")
	}
}

// checkCSVFiles parses every CSV file under dir with encoding/csv and
// returns how many there were.
func checkCSVFiles(t *testing.T, dir string) int {
	t.Helper()
	count := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".csv") {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := csv.NewReader(f).ReadAll(); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		count++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return count
}

// TestCorruptCSVStopsStart edits a checkpointed table file into something
// that does not parse and checks that the node refuses to start, naming the
// file and the line.
func TestCorruptCSVStopsStart(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process test")
	}
	dataDir := t.TempDir()
	addr := freeAddr(t)
	p := startProcess(t, dataDir, addr)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := pgx.Connect(ctx, p.dsn())
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"CREATE TABLE items (id INT PRIMARY KEY, name TEXT)",
		"INSERT INTO items VALUES (1, 'one'), (2, 'two'), (3, 'three')",
	} {
		if _, err := c.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	c.Close(ctx)
	p.stop(t)

	var file string
	filepath.WalkDir(dataDir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && filepath.Base(path) == "items.csv" {
			file = path
		}
		return err
	})
	if file == "" {
		t.Fatal("items.csv not found after a clean shutdown")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	if len(lines) < 4 {
		t.Fatalf("items.csv has %d lines:\n%s", len(lines), data)
	}
	lines[2] = `2,"unterminated`
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}

	cmd := chronosCommand(t, "single-node", "--no-repl", "--data-dir", dataDir, "--address", addr)
	out, err := cmd.CombinedOutput()
	var exitErr *exec.ExitError
	if err == nil || !errors.As(err, &exitErr) {
		t.Fatalf("chronos started on a corrupt CSV file (err %v):\n%s", err, out)
	}
	if !strings.Contains(string(out), "items.csv:3") && !strings.Contains(string(out), "items.csv:2") {
		t.Errorf("error does not name the file and line:\n%s", out)
	}
}
