package server

import (
	"context"
	"log/slog"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// The defaults of Config.MemoryLimit and Config.GCPercent.
const (
	DefaultMemoryLimit = 512 << 20 // 512 MiB
	DefaultGCPercent   = 400
)

// setMemory applies cfg's runtime memory settings, except those the
// environment sets (GOMEMLIMIT, GOGC), which take precedence. It reports
// whether it set the memory limit, which adjustMemoryLimit then keeps above
// the live data.
func setMemory(cfg Config, log *slog.Logger) (limitSet bool) {
	if cfg.MemoryLimit > 0 && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(cfg.MemoryLimit)
		log.Debug("runtime memory limit set", "bytes", cfg.MemoryLimit)
		limitSet = true
	}
	if cfg.GCPercent > 0 && os.Getenv("GOGC") == "" {
		debug.SetGCPercent(cfg.GCPercent)
		log.Debug("garbage collector target set", "percent", cfg.GCPercent)
	}
	return limitSet
}

// memoryHeadroom is the share of the live heap, and memoryMinHeadroom the
// least amount, that adaptiveLimit leaves for garbage between collections.
const (
	memoryHeadroom    = 4 // a quarter of the live heap
	memoryMinHeadroom = 64 << 20
)

// adaptiveLimit is the memory limit for a node whose live heap is live
// bytes: the configured base while the data fits well below it, and above
// that the live heap plus headroom. A fixed soft limit below the live data
// would make the collector run almost continuously (a node holding
// pgbench's scale-10 tables crawled at 14-70 transactions per second);
// growing with the data keeps collections proportional to it.
func adaptiveLimit(base, live int64) int64 {
	need := live + max(live/memoryHeadroom, memoryMinHeadroom)
	return max(base, need)
}

// adjustMemoryLimit raises or lowers the runtime's memory limit every
// interval as the live heap changes, until ctx ends.
func adjustMemoryLimit(ctx context.Context, base int64, interval time.Duration, log *slog.Logger) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	current := base
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return
		}
		limit := adaptiveLimit(base, int64(sample[0].Value.Uint64()))
		if limit != current {
			debug.SetMemoryLimit(limit)
			log.Debug("runtime memory limit adjusted", "bytes", limit)
			current = limit
		}
	}
}
