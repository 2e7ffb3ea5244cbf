package server

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportDirection keeps imports pointing one way (STYLE.md): the engine
// knows nothing of the wire protocol, the server or consensus; consensus
// knows nothing of the engine; csvstore imports nothing of ours.
func TestImportDirection(t *testing.T) {
	const module = "github.com/chronos-db/chronos/"
	tests := []struct {
		pkg       string
		forbidden []string
	}{
		{"engine", []string{"pgwire", "server", "consensus", "cmd"}},
		{"consensus", []string{"engine", "pgwire", "server", "cmd", "csvstore"}},
		{"pgwire", []string{"server", "consensus", "cmd", "engine/storage", "csvstore"}},
		{"csvstore", []string{"engine", "pgwire", "server", "consensus", "cmd", "proto"}},
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", module+tt.pkg).Output()
			if err != nil {
				t.Fatalf("go list -deps %s: %v", tt.pkg, err)
			}
			for _, dep := range strings.Fields(string(out)) {
				rel, ok := strings.CutPrefix(dep, module)
				if !ok {
					continue
				}
				for _, f := range tt.forbidden {
					if rel == f || strings.HasPrefix(rel, f+"/") {
						t.Errorf("%s depends on %s", tt.pkg, rel)
					}
				}
			}
		})
	}
}
