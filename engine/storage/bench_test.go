package storage

import (
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chronos-db/chronos/engine/types"
)

// benchDef is the benchmark table: (id BIGINT PRIMARY KEY, v TEXT).
func benchDef() TableDef {
	return TableDef{Name: "bench",
		Columns: []Column{{Name: "id", Type: types.Int8}, {Name: "v", Type: types.Text}},
		Indexes: []Index{{Columns: []int{0}, Primary: true}}}
}

// payload returns a distinct 100-byte text for row i.
func payload(i int) string {
	s := fmt.Sprintf("row %d ", i)
	return s + strings.Repeat("x", 100-len(s))
}

// bulkStore returns a store with n rows in bench, inserted by Writes of
// 10,000 ops.
func bulkStore(b testing.TB, n int) *Store {
	s := New()
	must(b, s, &CreateTable{Def: benchDef()})
	const batch = 10000
	for i := 0; i < n; i += batch {
		w := &Write{}
		for j := i; j < min(n, i+batch); j++ {
			w.Ops = append(w.Ops, Op{Kind: OpInsert, Table: "bench", Values: []types.Value{int64(j), payload(j)}})
		}
		must(b, s, w)
	}
	return s
}

func BenchmarkApplyInsert(b *testing.B) {
	s := bulkStore(b, 100000)
	b.ReportAllocs()
	before := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := &Write{Ops: []Op{{Kind: OpInsert, Table: "bench", Values: []types.Value{int64(1000000 + i), payload(i)}}}}
		if res := next(s, w); res.Err != nil {
			b.Fatal(res.Err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-before).Nanoseconds())/float64(b.N), "CPU-ns/op")
}

// randomKeyStore returns a store whose bench table holds 300,000 rows
// under random keys drawn from r, inserted by Writes of 10,000 ops.
func randomKeyStore(b *testing.B, r *rand.Rand) *Store {
	s := New()
	must(b, s, &CreateTable{Def: benchDef()})
	for i := 0; i < 300000; i += 10000 {
		w := &Write{}
		for j := i; j < i+10000; j++ {
			w.Ops = append(w.Ops, Op{Kind: OpInsert, Table: "bench", Values: []types.Value{r.Int63(), payload(j)}})
		}
		must(b, s, w)
	}
	return s
}

// BenchmarkApplyInsertRandomKey is the insert workload at the
// storage layer: one row per command under a random BIGINT key, into a
// table that already holds 300,000 rows under random keys, so that the
// primary key's B-tree is deep and each insert lands in a different leaf.
func BenchmarkApplyInsertRandomKey(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	s := randomKeyStore(b, r)
	writes := make([]*Write, b.N)
	for i := range writes {
		writes[i] = &Write{Ops: []Op{{Kind: OpInsert, Table: "bench", Values: []types.Value{r.Int63(), payload(i)}}}}
	}
	b.ReportAllocs()
	before := cpuTime()
	b.ResetTimer()
	for _, w := range writes {
		if res := next(s, w); res.Err != nil {
			b.Fatal(res.Err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-before).Nanoseconds())/float64(b.N), "CPU-ns/op")
}

// BenchmarkApplyBatchRandomKey is the same workload through ApplyBatch in
// batches of 4 commands, as a loaded node's Ready loop hands them over.
// "unread" takes no snapshot, so the store's run of writes stays open and
// changes its clones in place; "read-each-batch" takes a Snapshot after
// every batch, which publishes the run: every batch then starts from frozen
// trees and copies the paths it changes, as all batches did before runs
// stayed open.
func BenchmarkApplyBatchRandomKey(b *testing.B) {
	for _, read := range []bool{false, true} {
		name := "unread"
		if read {
			name = "read-each-batch"
		}
		b.Run(name, func(b *testing.B) {
			r := rand.New(rand.NewSource(1))
			s := randomKeyStore(b, r)
			const batch = 4
			entries := make([]Entry, b.N)
			for i := range entries {
				entries[i] = Entry{Index: s.AppliedIndex() + 1 + uint64(i),
					Cmd: &Write{Ops: []Op{{Kind: OpInsert, Table: "bench", Values: []types.Value{r.Int63(), payload(i)}}}}}
			}
			b.ReportAllocs()
			before := cpuTime()
			b.ResetTimer()
			for i := 0; i < len(entries); i += batch {
				for _, res := range s.ApplyBatch(entries[i:min(i+batch, len(entries))]) {
					if res.Err != nil {
						b.Fatal(res.Err)
					}
				}
				if read {
					s.Snapshot()
				}
			}
			b.StopTimer()
			b.ReportMetric(float64((cpuTime()-before).Nanoseconds())/float64(b.N), "CPU-ns/op")
		})
	}
}

func BenchmarkApplyUpdate(b *testing.B) {
	s := bulkStore(b, 100000)
	r := rand.New(rand.NewSource(1))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tb, _ := s.Snapshot().Table("bench")
		row, _ := tb.Get(uint64(r.Intn(100000) + 1))
		w := &Write{Ops: []Op{{Kind: OpUpdate, Table: "bench", RowID: row.ID, Version: row.Version, Values: []types.Value{row.Values()[0], "updated"}}}}
		if res := next(s, w); res.Err != nil {
			b.Fatal(res.Err)
		}
	}
}

func BenchmarkPointLookup(b *testing.B) {
	s := bulkStore(b, 100000)
	tb, _ := s.Snapshot().Table("bench")
	r := rand.New(rand.NewSource(1))
	key := make([]types.Value, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		key[0] = int64(r.Intn(100000))
		if _, ok := tb.Lookup(0, key); !ok {
			b.Fatal("missing row")
		}
	}
}

func BenchmarkSnapshot(b *testing.B) {
	s := bulkStore(b, 10000)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if s.Snapshot() == nil {
			b.Fatal("nil snapshot")
		}
	}
}

// BenchmarkCheckpoint1M writes a checkpoint of 1,000,000 (BIGINT, 100-byte
// TEXT) rows. Run with -benchtime=1x.
func BenchmarkCheckpoint1M(b *testing.B) {
	s := bulkStore(b, 1000000)
	dir := b.TempDir()
	before := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// A different directory each time, so nothing is hard-linked.
		if err := s.Snapshot().WriteCheckpoint(fmt.Sprintf("%s/%d", dir, i)); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric((cpuTime()-before).Seconds()/float64(b.N), "CPU-s/op")
}

// BenchmarkCheckpointAppend10k measures a checkpoint of a table of
// 1,000,000 rows that gained 10,000 since the last one, in single-row
// writes at raft indexes of their own (as an insert load writes them): the
// checkpoint appends to the table's files rather than writing them anew.
func BenchmarkCheckpointAppend10k(b *testing.B) {
	const n, added = 1000000, 10000
	s := bulkStore(b, n)
	dir := b.TempDir()
	if err := s.WriteCheckpoint(dir); err != nil {
		b.Fatal(err)
	}
	var cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		for j := 0; j < added; j++ {
			k := n + i*added + j
			if res := next(s, &Write{Ops: []Op{{Kind: OpInsert, Table: "bench", Values: []types.Value{int64(k), payload(k)}}}}); res.Err != nil {
				b.Fatal(res.Err)
			}
		}
		before := cpuTime()
		b.StartTimer()
		if err := s.WriteCheckpoint(dir); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu += cpuTime() - before
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(cpu.Seconds()/float64(b.N), "CPU-s/op")
}

// cpuTime returns the process's user plus system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkLoad1M loads a checkpoint of 1,000,000 (BIGINT, 100-byte TEXT)
// rows and reports the live heap the loaded store holds per row. Run with
// -benchtime=1x.
func BenchmarkLoad1M(b *testing.B) {
	const n = 1000000
	dir := b.TempDir()
	if err := bulkStore(b, n).WriteCheckpoint(dir); err != nil {
		b.Fatal(err)
	}
	var perRow float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		b.StartTimer()
		s, err := Load(dir)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&after)
		if tb, _ := s.Snapshot().Table("bench"); tb.Len() != n {
			b.Fatalf("loaded %d rows", tb.Len())
		}
		perRow = float64(after.HeapAlloc-before.HeapAlloc) / n
		runtime.KeepAlive(s)
		b.StartTimer()
	}
	b.ReportMetric(perRow, "heap-B/row")

	// The resident set of a fresh process that only loads the checkpoint
	// (this one also built the table): the figure the server's 600 MB
	// budget is about.
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoadRSSChild$", "-test.v")
	cmd.Env = append(os.Environ(), rssDirEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("child: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`rss_after_load_kB=(\d+) peak_rss_kB=(\d+)`).FindSubmatch(out)
	if m == nil {
		b.Fatalf("child printed no RSS:\n%s", out)
	}
	rss, _ := strconv.Atoi(string(m[1]))
	peak, _ := strconv.Atoi(string(m[2]))
	b.ReportMetric(float64(rss)/1024, "RSS-MB")
	b.ReportMetric(float64(peak)/1024, "peak-RSS-MB")
	// CPU time is what the load costs on an idle machine; wall time on a
	// shared one says little.
	b.ReportMetric((cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds(), "child-CPU-s")
}

// rssDirEnv names the checkpoint directory TestLoadRSSChild loads.
const rssDirEnv = "CHRONOS_STORAGE_RSS_DIR"

// TestLoadRSSChild is BenchmarkLoad1M's child process: it loads the
// checkpoint named by rssDirEnv and prints its resident set size. Without
// the variable it does nothing.
func TestLoadRSSChild(t *testing.T) {
	dir := os.Getenv(rssDirEnv)
	if dir == "" {
		t.Skip("run by BenchmarkLoad1M")
	}
	s, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip(err)
	}
	field := func(name string) string {
		m := regexp.MustCompile(name + `:\s+(\d+) kB`).FindSubmatch(status)
		if m == nil {
			t.Fatalf("no %s in /proc/self/status", name)
		}
		return string(m[1])
	}
	fmt.Printf("rows=%d rss_after_load_kB=%s peak_rss_kB=%s\n", s.Snapshot().Tables()[0].Len(), field("VmRSS"), field("VmHWM"))
}
