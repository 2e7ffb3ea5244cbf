package consensus

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// gatedSM is the kv state machine whose first Checkpoint waits for gate.
type gatedSM struct {
	*kvSM
	once    sync.Once
	entered chan struct{} // closed when the first Checkpoint starts
	gate    chan struct{} // closed by the test to let it finish
}

func (g *gatedSM) Checkpoint() (uint64, error) {
	g.once.Do(func() {
		close(g.entered)
		<-g.gate
	})
	return g.kvSM.Checkpoint()
}

// A checkpoint runs beside the Ready loop: writes go on while it is
// stuck, its raft snapshot is recorded when it ends, and Stop waits for it
// before the final checkpoint.
func TestCheckpointRunsInBackground(t *testing.T) {
	dir := t.TempDir()
	kv, err := loadKV(filepath.Join(dir, "sm"))
	if err != nil {
		t.Fatal(err)
	}
	sm := &gatedSM{kvSM: kv, entered: make(chan struct{}), gate: make(chan struct{})}
	cfg := Config{ID: 1, Name: "n1", Dir: filepath.Join(dir, "raft"), TickInterval: 10 * time.Millisecond,
		CheckpointEntries: 20, CatchUpEntries: 5, Logger: testLogger(t)}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n, err := Start(ctx, cfg, sm)
	if err != nil {
		t.Fatal(err)
	}
	propose := func(cmd string) {
		t.Helper()
		if _, err := n.Propose(ctx, []byte(cmd)); err != nil {
			t.Fatalf("Propose(%q): %v", cmd, err)
		}
	}
	for i := range 25 {
		propose(fmt.Sprintf("set a%d=x", i))
	}
	select {
	case <-sm.entered:
	case <-time.After(5 * time.Second):
		t.Fatal("no checkpoint started after 25 entries")
	}
	// The checkpoint is stuck; writes still apply.
	for i := range 100 {
		propose(fmt.Sprintf("set b%d=x", i))
	}
	if st := n.Stats(); st.Checkpoints != 0 || st.SnapshotIndex != 0 {
		t.Fatalf("stats %+v while the checkpoint is stuck; want no checkpoint and no snapshot yet", st)
	}
	close(sm.gate)
	waitFor(t, 5*time.Second, "the checkpoint's snapshot", func() bool { return n.Stats().SnapshotIndex >= 20 })
	propose("set last=x")
	if err := n.Stop(); err != nil {
		t.Fatal(err)
	}
	if got := kv.checkpointCount(); got < 2 {
		t.Errorf("%d checkpoints written, want the background one and the final one", got)
	}
	// A restart finds everything, from the final checkpoint.
	r := startSingle(t, dir, nil)
	if got := r.sm.len(); got != 126 {
		t.Errorf("%d keys after restart, want 126", got)
	}
	if calls := r.sm.calls(); len(calls) != 0 {
		t.Errorf("restart after a clean stop applied %d entries again, want 0", len(calls))
	}
}
