package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestNodeFlags checks `chronos node remove` usage errors and failures,
// and the advanced flags of `chronos node`, in process. The removal itself
// runs against a real cluster in server/cluster_test.go.
func TestNodeFlags(t *testing.T) {
	closed := freeAddress(t) // nothing listens there
	tests := []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{args: []string{"node", "remove", "--help"}, code: 0, stdout: "--via HOST:PORT"},
		{args: []string{"node", "remove", "--via", "127.0.0.1:1"}, code: 2, stderr: "--id is required"},
		{args: []string{"node", "remove", "--id", "node3"}, code: 2, stderr: "--via is required"},
		{args: []string{"node", "remove", "--id", "node3", "--via", "nowhere"}, code: 2, stderr: `bad --via "nowhere"`},
		{args: []string{"node", "remove", "--id", "node3", "--via", closed, "--timeout", "3s"}, code: 1, stderr: "cannot reach the member at " + closed},
		{args: []string{"node", "--help"}, code: 0, stdout: "--checkpoint-entries N"},
		{args: []string{"node", "--id", "n1", "--address", "127.0.0.1:1", "--data-dir", "d", "--checkpoint-entries", "0"}, code: 2, stderr: "--checkpoint-entries must be at least 1"},
		{args: []string{"node", "--id", "n1", "--address", "127.0.0.1:1", "--data-dir", "d", "--request-timeout", "0s"}, code: 2, stderr: "--request-timeout must be positive"},
		{args: []string{"--help"}, code: 0, stdout: "chronos node remove --id ID --via HOST:PORT"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(tt.args, nil, &out, &errb)
			if code != tt.code {
				t.Errorf("exit status %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out.String(), errb.String())
			}
			if !strings.Contains(out.String(), tt.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.stdout, out.String())
			}
			if !strings.Contains(errb.String(), tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, errb.String())
			}
		})
	}
}
