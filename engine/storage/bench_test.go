package storage

import (
	"fmt"
	"math/rand"
	"runtime"
	"strings"
	"testing"

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
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := &Write{Ops: []Op{{Kind: OpInsert, Table: "bench", Values: []types.Value{int64(1000000 + i), payload(i)}}}}
		if res := next(s, w); res.Err != nil {
			b.Fatal(res.Err)
		}
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
		w := &Write{Ops: []Op{{Kind: OpUpdate, Table: "bench", RowID: row.ID, Version: row.Version, Values: []types.Value{row.Values[0], "updated"}}}}
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
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// A different directory each time, so nothing is hard-linked.
		if err := s.Snapshot().WriteCheckpoint(fmt.Sprintf("%s/%d", dir, i)); err != nil {
			b.Fatal(err)
		}
	}
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
}
