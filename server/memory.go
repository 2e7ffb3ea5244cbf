package server

import (
	"log/slog"
	"os"
	"runtime/debug"
)

// The defaults of Config.MemoryLimit and Config.GCPercent.
const (
	DefaultMemoryLimit = 512 << 20 // 512 MiB
	DefaultGCPercent   = 400
)

// setMemory applies cfg's runtime memory settings, except those the
// environment sets (GOMEMLIMIT, GOGC), which take precedence.
func setMemory(cfg Config, log *slog.Logger) {
	if cfg.MemoryLimit > 0 && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(cfg.MemoryLimit)
		log.Debug("runtime memory limit set", "bytes", cfg.MemoryLimit)
	}
	if cfg.GCPercent > 0 && os.Getenv("GOGC") == "" {
		debug.SetGCPercent(cfg.GCPercent)
		log.Debug("garbage collector target set", "percent", cfg.GCPercent)
	}
}
