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
