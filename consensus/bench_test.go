package consensus

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkPropose measures propose-and-wait throughput on a one-member
// cluster with a real WAL (fsync per Ready), with 1 and 16 concurrent
// proposers, and reports the group-commit ratio.
func BenchmarkPropose(b *testing.B) {
	for _, proposers := range []int{1, 16} {
		b.Run(fmt.Sprintf("proposers=%d", proposers), func(b *testing.B) {
			s := startSingle(b, b.TempDir(), func(c *Config) { c.CheckpointEntries = 1 << 40 })
			payload := []byte("set k=" + string(make([]byte, 100)))
			before := s.n.Stats()
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for range proposers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for next.Add(1) <= int64(b.N) {
						if _, err := s.n.Propose(context.Background(), payload); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			after := s.n.Stats()
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")
			if f := after.Fsyncs - before.Fsyncs; f > 0 {
				b.ReportMetric(float64(after.EntriesSaved-before.EntriesSaved)/float64(f), "entries/fsync")
			}
			s.stop()
		})
	}
}

// BenchmarkProposeCluster measures propose-and-wait throughput on the
// leader of a three-member in-process cluster (gRPC on loopback, a real
// WAL on each member) with 16 concurrent proposers.
func BenchmarkProposeCluster(b *testing.B) {
	c := newCluster(b, func(cfg *Config) { cfg.CheckpointEntries = 1 << 40 })
	c.startN(3)
	lead := c.leader()
	payload := []byte("set k=" + string(make([]byte, 100)))
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				if _, err := lead.n.Propose(context.Background(), payload); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "ops/s")
}
