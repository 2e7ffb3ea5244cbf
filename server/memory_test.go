package server

import (
	"io"
	"log/slog"
	"math"
	"runtime/debug"
	"testing"
)

func TestSetMemory(t *testing.T) {
	// The settings are process-wide: restore them afterwards.
	oldLimit := debug.SetMemoryLimit(-1)
	oldPercent := debug.SetGCPercent(100)
	t.Cleanup(func() {
		debug.SetMemoryLimit(oldLimit)
		debug.SetGCPercent(oldPercent)
	})
	const before, beforePercent = math.MaxInt64, 100
	tests := []struct {
		name        string
		env         map[string]string
		cfg         Config
		wantLimit   int64
		wantPercent int
	}{
		{"defaults", nil, Config{DataDir: "d"}, DefaultMemoryLimit, DefaultGCPercent},
		{"configured", nil, Config{DataDir: "d", MemoryLimit: 300 << 20, GCPercent: 150}, 300 << 20, 150},
		{"environment wins", map[string]string{"GOMEMLIMIT": "1GiB", "GOGC": "50"}, Config{DataDir: "d"}, before, beforePercent},
		{"negative leaves them alone", nil, Config{DataDir: "d", MemoryLimit: -1, GCPercent: -1}, before, beforePercent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("GOMEMLIMIT", tt.env["GOMEMLIMIT"])
			t.Setenv("GOGC", tt.env["GOGC"])
			debug.SetMemoryLimit(before)
			debug.SetGCPercent(beforePercent)
			cfg := tt.cfg
			if err := cfg.Validate(); err != nil {
				t.Fatal(err)
			}
			setMemory(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if got := debug.SetMemoryLimit(-1); got != tt.wantLimit {
				t.Errorf("memory limit %d, want %d", got, tt.wantLimit)
			}
			if got := debug.SetGCPercent(beforePercent); got != tt.wantPercent {
				t.Errorf("GC percent %d, want %d", got, tt.wantPercent)
			}
		})
	}
}

func TestAdaptiveLimit(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		base, live, want int64
	}{
		{512 * mib, 0, 512 * mib},
		{512 * mib, 350 * mib, 512 * mib},   // 1M rows of (bigint, 100-byte text): the base holds
		{512 * mib, 448 * mib, 560 * mib},   // past the base: 448 plus a quarter
		{512 * mib, 600 * mib, 750 * mib},   // larger data: live plus a quarter
		{512 * mib, 2048 * mib, 2560 * mib}, // scale-10 pgbench and beyond
		{100 * mib, 100 * mib, 164 * mib},   // small base: at least 64 MiB of headroom
	}
	for _, tt := range tests {
		if got := adaptiveLimit(tt.base, tt.live); got != tt.want {
			t.Errorf("adaptiveLimit(%d MiB, %d MiB) = %d MiB, want %d MiB", tt.base/mib, tt.live/mib, got/mib, tt.want/mib)
		}
	}
}
