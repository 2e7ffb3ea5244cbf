package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chronos-db/chronos/engine/types"
)

// benchRows is the table size of the point-select benchmark, as the
// pgbench workload of bench/ uses.
const benchRows = 100000

// loadBenchTable creates bench(id BIGINT PRIMARY KEY, filler TEXT) with n
// rows, inserted 1000 at a time.
func loadBenchTable(b *testing.B, s *Session, n int) {
	b.Helper()
	mustExec(b, s, "CREATE TABLE bench (id BIGINT PRIMARY KEY, filler TEXT)")
	filler := strings.Repeat("x", 100)
	for i := 0; i < n; i += 1000 {
		var sb strings.Builder
		sb.WriteString("INSERT INTO bench VALUES ")
		for j := i; j < i+1000 && j < n; j++ {
			if j > i {
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, "(%d, '%s')", j, filler)
		}
		mustExec(b, s, sb.String())
	}
}

// BenchmarkPointSelect executes a prepared SELECT by primary key, the
// point-select workload: one B-tree lookup per execution.
func BenchmarkPointSelect(b *testing.B) {
	s := newTestSession(b)
	loadBenchTable(b, s, benchRows)
	ctx := context.Background()
	ps, err := s.Prepare(ctx, "SELECT id, filler FROM bench WHERE id = $1", nil)
	if err != nil {
		b.Fatal(err)
	}
	params := make([]types.Value, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		params[0] = int64(i % benchRows)
		res, err := ps.Execute(ctx, params)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Rows) != 1 {
			b.Fatalf("%d rows", len(res.Rows))
		}
	}
}

// BenchmarkInsert executes a prepared single-row INSERT of a 100-byte row,
// the insert workload: evaluation, command encoding and apply.
func BenchmarkInsert(b *testing.B) {
	s := newTestSession(b)
	mustExec(b, s, "CREATE TABLE bench (id BIGINT PRIMARY KEY, filler TEXT)")
	ctx := context.Background()
	ps, err := s.Prepare(ctx, "INSERT INTO bench (id, filler) VALUES ($1, $2)", nil)
	if err != nil {
		b.Fatal(err)
	}
	filler := strings.Repeat("x", 100)
	params := make([]types.Value, 2)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		params[0], params[1] = int64(i), filler
		if _, err := ps.Execute(ctx, params); err != nil {
			b.Fatal(err)
		}
	}
}
