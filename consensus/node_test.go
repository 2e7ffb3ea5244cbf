package consensus

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.etcd.io/etcd/server/v3/storage/wal"
)

func TestMain(m *testing.M) {
	// Small WAL segments: tests cut and purge segments, and copy data
	// directories, without 64 MB preallocated files.
	wal.SegmentSizeBytes = 256 << 10
	os.Exit(m.Run())
}

// testWriter sends log lines to t.Log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// testLogger logs to t.Log, which shows only when the test fails (or with
// -v). Benchmarks log nowhere.
func testLogger(t testing.TB) *slog.Logger {
	if _, ok := t.(*testing.B); ok {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// single is a one-member cluster in dir: raft in dir/raft, the kv state
// machine in dir/sm.
type single struct {
	t   testing.TB
	dir string
	cfg Config
	sm  *kvSM
	n   *Node
}

func startSingle(t testing.TB, dir string, mod func(*Config)) *single {
	t.Helper()
	s := &single{t: t, dir: dir}
	s.cfg = Config{ID: 1, Name: "n1", Dir: filepath.Join(dir, "raft"), TickInterval: 10 * time.Millisecond, Logger: testLogger(t)}
	if mod != nil {
		mod(&s.cfg)
	}
	s.start()
	return s
}

func (s *single) start() {
	s.t.Helper()
	sm, err := loadKV(filepath.Join(s.dir, "sm"))
	if err != nil {
		s.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n, err := Start(ctx, s.cfg, sm)
	if err != nil {
		s.t.Fatalf("Start: %v", err)
	}
	s.sm, s.n = sm, n
	s.t.Cleanup(func() { n.Stop() })
}

// crash stops the node as a crash would: no final checkpoint.
func (s *single) crash() {
	s.n.crash = true
	s.n.Stop()
}

func (s *single) stop() {
	s.t.Helper()
	if err := s.n.Stop(); err != nil {
		s.t.Fatalf("Stop: %v", err)
	}
}

func (s *single) propose(cmd string) any {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := s.n.Propose(ctx, []byte(cmd))
	if err != nil {
		s.t.Fatalf("Propose(%q): %v", cmd, err)
	}
	return res
}

func TestProposeApplies(t *testing.T) {
	s := startSingle(t, t.TempDir(), nil)
	tests := []struct {
		cmd  string
		want any
	}{
		{"set a=1", 1},
		{"set b=2", 2},
		{"set a=3", 2},
	}
	for _, tt := range tests {
		if got := s.propose(tt.cmd); got != tt.want {
			t.Errorf("Propose(%q) = %v, want %v", tt.cmd, got, tt.want)
		}
	}
	// A rejection by the state machine is a result, not a replication error.
	res := s.propose("reject read version changed")
	if err, ok := res.(error); !ok || err.Error() != "read version changed" {
		t.Errorf("rejecting command: result %v, want the state machine's error", res)
	}
	if v, _ := s.sm.get("a"); v != "3" {
		t.Errorf("a = %q, want 3", v)
	}
	if n := s.n.waiters.len(); n != 0 {
		t.Errorf("%d waiters left registered", n)
	}
	st := s.n.Stats()
	if st.Role != "leader" || st.Leader != 1 || st.EntriesApplied != 4 {
		t.Errorf("stats = %+v; want leader 1 with 4 entries applied", st)
	}
}

func TestGroupCommit(t *testing.T) {
	s := startSingle(t, t.TempDir(), nil)
	before := s.n.Stats()
	const writers, each = 32, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if _, err := s.n.Propose(context.Background(), fmt.Appendf(nil, "set w%d-%d=x", w, i)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := s.sm.len(); got != writers*each {
		t.Fatalf("%d keys, want %d", got, writers*each)
	}
	after := s.n.Stats()
	entries := after.EntriesSaved - before.EntriesSaved
	fsyncs := after.Fsyncs - before.Fsyncs
	ratio := float64(entries) / float64(fsyncs)
	t.Logf("%d entries in %d fsyncs: %.1f entries per fsync", entries, fsyncs, ratio)
	if entries < writers*each {
		t.Errorf("%d entries saved, want at least %d", entries, writers*each)
	}
	if ratio < 2 {
		t.Errorf("%.2f entries per fsync with %d concurrent writers; want proposals to share fsyncs", ratio, writers)
	}
}

func TestRestartReplaysOnlyAfterCheckpoint(t *testing.T) {
	dir := t.TempDir()
	s := startSingle(t, dir, func(c *Config) { c.CheckpointEntries = 10; c.CatchUpEntries = 3 })
	for i := range 25 {
		s.propose(fmt.Sprintf("set k%d=%d", i, i))
	}
	// Checkpoints run in the background; the second starts at index 20 or
	// later, so one more entry (index 28) is surely not in it.
	waitFor(t, 5*time.Second, "two checkpoints after 25 entries with CheckpointEntries 10",
		func() bool { return s.n.Stats().Checkpoints >= 2 })
	s.propose("set tail=1")
	lastApplied := s.sm.AppliedIndex()
	s.crash()

	onDisk, err := loadKV(filepath.Join(dir, "sm"))
	if err != nil {
		t.Fatal(err)
	}
	checkpointed := onDisk.AppliedIndex()
	if checkpointed == 0 || checkpointed >= lastApplied {
		t.Fatalf("checkpoint on disk covers %d, applied was %d; want a checkpoint behind the applied index", checkpointed, lastApplied)
	}

	s.start() // replay happens inside Start
	calls := s.sm.calls()
	if len(calls) == 0 || calls[0] != checkpointed+1 {
		t.Fatalf("replay applied %v; want it to start right after the checkpoint at %d", calls, checkpointed)
	}
	if !slices.IsSorted(calls) || calls[len(calls)-1] < lastApplied {
		t.Errorf("replay applied %v; want an increasing run reaching %d", calls, lastApplied)
	}
	for i := range 25 {
		if v, ok := s.sm.get(fmt.Sprintf("k%d", i)); !ok || v != fmt.Sprint(i) {
			t.Errorf("after restart k%d = %q, %v", i, v, ok)
		}
	}
	// The log keeps working after the restart.
	if got := s.propose("set after=1"); got != 27 {
		t.Errorf("proposal after restart returned %v, want 27", got)
	}
}

func TestStopCheckpoints(t *testing.T) {
	dir := t.TempDir()
	s := startSingle(t, dir, nil)
	for i := range 5 {
		s.propose(fmt.Sprintf("set k%d=v", i))
	}
	applied := s.sm.AppliedIndex()
	s.stop()
	if s.sm.checkpointCount() != 1 {
		t.Errorf("Stop made %d checkpoints, want 1", s.sm.checkpointCount())
	}
	onDisk, err := loadKV(filepath.Join(dir, "sm"))
	if err != nil {
		t.Fatal(err)
	}
	if onDisk.AppliedIndex() != applied || onDisk.len() != 5 {
		t.Errorf("checkpoint after Stop covers %d with %d keys; want %d with 5", onDisk.AppliedIndex(), onDisk.len(), applied)
	}
	if _, err := s.n.Propose(context.Background(), []byte("set late=1")); !errors.Is(err, ErrStopped) {
		t.Errorf("Propose after Stop: %v, want ErrStopped", err)
	}
	if err := s.n.LinearizableRead(context.Background()); !errors.Is(err, ErrStopped) {
		t.Errorf("LinearizableRead after Stop: %v, want ErrStopped", err)
	}
	s.start()
	if calls := s.sm.calls(); len(calls) != 0 {
		t.Errorf("restart after a clean stop applied %v again", calls)
	}
	if s.sm.len() != 5 {
		t.Errorf("%d keys after restart, want 5", s.sm.len())
	}
}

// TestCrashRecoversAcknowledged copies the data directory while the Ready
// loop is paused right after a log fsync, as kill -9 would leave it (the
// page cache holds what was written; nothing more), and restarts a node
// from the copy: every proposal acknowledged before the copy must be there.
func TestCrashRecoversAcknowledged(t *testing.T) {
	dir := t.TempDir()
	image := t.TempDir()

	var mu sync.Mutex
	acked := map[string]bool{}
	var ackedAtCrash map[string]bool
	takeImage := make(chan struct{}, 1)
	imageTaken := make(chan struct{})
	var copyErr error

	s := startSingle(t, dir, func(c *Config) {
		c.CheckpointEntries = 50
		c.CatchUpEntries = 10
		c.Knobs.AfterLogSave = func() {
			select {
			case <-takeImage:
			default:
				return
			}
			mu.Lock()
			ackedAtCrash = make(map[string]bool, len(acked))
			for k := range acked {
				ackedAtCrash[k] = true
			}
			mu.Unlock()
			copyErr = os.CopyFS(filepath.Join(image, "x"), os.DirFS(dir))
			close(imageTaken)
		}
	})

	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				key := fmt.Sprintf("w%d-%d", w, i)
				if _, err := s.n.Propose(context.Background(), []byte("set "+key+"=v")); err != nil {
					return
				}
				mu.Lock()
				acked[key] = true
				n := len(acked)
				mu.Unlock()
				if n == 300 {
					takeImage <- struct{}{}
				}
			}
		}()
	}
	select {
	case <-imageTaken:
	case <-time.After(20 * time.Second):
		t.Fatal("no crash image taken")
	}
	close(stop)
	wg.Wait()
	s.crash()
	if copyErr != nil {
		t.Fatal(copyErr)
	}
	if len(ackedAtCrash) < 300 {
		t.Fatalf("only %d acknowledged at the crash", len(ackedAtCrash))
	}

	r := startSingle(t, filepath.Join(image, "x"), func(c *Config) { c.CheckpointEntries = 50; c.CatchUpEntries = 10 })
	if err := r.n.LinearizableRead(context.Background()); err != nil {
		t.Fatal(err)
	}
	missing := 0
	for k := range ackedAtCrash {
		if _, ok := r.sm.get(k); !ok {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d acknowledged proposals missing after crash recovery", missing, len(ackedAtCrash))
	}
	t.Logf("recovered %d keys; %d were acknowledged at the crash", r.sm.len(), len(ackedAtCrash))
}

func TestProposeCancelFreesWaiter(t *testing.T) {
	var blocking atomic.Bool
	release := make(chan struct{})
	s := startSingle(t, t.TempDir(), func(c *Config) {
		c.Knobs.BeforeLogSave = func() {
			if blocking.Load() {
				<-release
			}
		}
	})
	// No write may be left to block on before the loop takes a: the
	// caller would then give a up before raft took it. After a proposal
	// applied, a round through the loop (Stats) handles the Ready that
	// still writes its commit index.
	s.propose("set x=0")
	s.n.Stats()
	blocking.Store(true)

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := s.n.Propose(ctx, []byte("set a=1"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Propose with an expiring context: %v, want DeadlineExceeded", err)
	}
	if !errors.Is(err, ErrOutcomeUnknown) {
		t.Errorf("Propose timed out after raft took the entry: %v, want ErrOutcomeUnknown", err)
	}
	if n := s.n.waiters.len(); n != 0 {
		t.Errorf("%d waiters registered after the caller gave up, want 0", n)
	}
	close(release)
	// The entry was in the log: it applies even though nobody waits for it,
	// before any entry proposed after it.
	s.propose("set b=2")
	if v, ok := s.sm.get("a"); !ok || v != "1" {
		t.Errorf("abandoned proposal: a = %q, %v; want it applied", v, ok)
	}
}

// TestProposeAbandonedBeforeTaken: a proposal whose caller gives up while
// it still waits for the loop never reaches the log, and the error says so:
// its outcome is known.
func TestProposeAbandonedBeforeTaken(t *testing.T) {
	var paused atomic.Bool
	held, gate := make(chan struct{}), make(chan struct{})
	s := startSingle(t, t.TempDir(), func(c *Config) {
		c.Knobs.ReadyHandled = func() {
			if paused.CompareAndSwap(true, false) {
				close(held)
				<-gate
			}
		}
	})
	s.propose("set x=0")
	paused.Store(true)
	before := make(chan error, 1)
	go func() {
		_, err := s.n.Propose(context.Background(), []byte("set b=1"))
		before <- err
	}()
	<-held // the loop is stopped, at the end of b's Ready or of one before it

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := s.n.Propose(ctx, []byte("set a=1"))
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrOutcomeUnknown) {
		t.Errorf("Propose given up before the loop took it: %v, want DeadlineExceeded without ErrOutcomeUnknown", err)
	}
	close(gate)
	if err := <-before; err != nil {
		t.Fatal(err)
	}
	s.propose("set c=1")
	if v, ok := s.sm.get("a"); ok {
		t.Errorf("abandoned proposal applied: a = %q", v)
	}
	if n := s.n.waiters.len(); n != 0 {
		t.Errorf("%d waiters left, want 0", n)
	}
}

func TestLinearizableRead(t *testing.T) {
	var paused atomic.Bool
	var gate chan struct{}
	s := startSingle(t, t.TempDir(), func(c *Config) {
		c.Knobs.ForceReadIndex = true // a lone voter would answer locally (localread_test.go)
		c.Knobs.ReadyHandled = func() {
			if paused.CompareAndSwap(true, false) {
				<-gate
			}
		}
	})
	s.propose("set a=1")
	if err := s.n.LinearizableRead(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s.n.applied.Load() < s.n.Stats().Commit {
		t.Errorf("read returned with applied %d below commit %d", s.n.applied.Load(), s.n.Stats().Commit)
	}

	// Readers that arrive while a round is in flight share the next one.
	// Stats goes through the loop, so it comes before the pause: the
	// loop may pause at once, at the end of the Ready that answered the
	// read above.
	before := s.n.Stats().ReadIndexRequests
	gate = make(chan struct{})
	paused.Store(true)
	const readers = 50
	var wg sync.WaitGroup
	errs := make(chan error, readers)
	for range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.n.LinearizableRead(context.Background()); err != nil {
				errs <- err
			}
		}()
	}
	time.Sleep(50 * time.Millisecond) // let the readers queue behind the paused loop
	close(gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := s.n.Stats().ReadIndexRequests - before; got > 5 {
		t.Errorf("%d concurrent readers sent %d ReadIndex requests; want them batched", readers, got)
	}
}

func TestRestartChecksOwnership(t *testing.T) {
	dir := t.TempDir()
	s := startSingle(t, dir, nil)
	s.propose("set a=1")
	s.stop()

	sm, _ := loadKV(filepath.Join(dir, "sm"))
	_, err := Start(context.Background(), Config{ID: 2, Name: "n2", Dir: filepath.Join(dir, "raft")}, sm)
	if err == nil || !strings.Contains(err.Error(), "belongs to member") {
		t.Errorf("starting another member on n1's log: %v, want a refusal", err)
	}

	// Table files without a log must not be silently put under a new log.
	_, err = Start(context.Background(), Config{ID: 1, Dir: filepath.Join(t.TempDir(), "raft")}, sm)
	if err == nil || !strings.Contains(err.Error(), "no raft log") {
		t.Errorf("starting a new log under existing data: %v, want a refusal", err)
	}
}

func TestLogCompaction(t *testing.T) {
	dir := t.TempDir()
	s := startSingle(t, dir, func(c *Config) { c.CheckpointEntries = 100; c.CatchUpEntries = 10 })
	big := strings.Repeat("x", 4000)
	for i := range 400 {
		s.propose(fmt.Sprintf("set k%d=%s", i, big))
	}
	// Checkpoints run in the background, so compaction and purging may
	// trail the last proposals a little. 400 entries of 4 KB is about
	// 1.6 MB of log: 6 or more 256 KB segments unless purged.
	var wals, snaps []string
	purged := func() bool {
		wals, _ = listSuffix(filepath.Join(dir, "raft", "wal"), ".wal")
		snaps, _ = listSuffix(filepath.Join(dir, "raft", "snap"), ".snap")
		return s.n.Stats().SnapshotIndex >= 300 && len(wals) <= 4 && len(snaps) <= keepSnapshots
	}
	// Two snapshots are kept, and the log from the older one on; small
	// writes lead to the next checkpoints (spaced by checkpointGap).
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; !purged() && time.Now().Before(deadline); i++ {
		s.propose(fmt.Sprintf("set small%d=x", i))
		time.Sleep(2 * time.Millisecond)
	}
	st := s.n.Stats()
	if st.SnapshotIndex < 300 || len(wals) > 4 || len(snaps) > keepSnapshots {
		t.Errorf("snapshot at %d with %d WAL segments and %d snapshot files kept; want a checkpoint after entry 300 and old files purged",
			st.SnapshotIndex, len(wals), len(snaps))
	}
	first, _ := s.n.storage.FirstIndex()
	if first < st.SnapshotIndex-10 {
		t.Errorf("snapshot at %d, in-memory log starts at %d; want compaction behind the checkpoint", st.SnapshotIndex, first)
	}
	want := s.sm.len()
	s.crash()
	s.start()
	if s.sm.len() != want {
		t.Errorf("%d keys after restart from a compacted log, want %d", s.sm.len(), want)
	}
}
