package server_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chronos-db/chronos/server/servertest"
)

// TestNodePostgres runs testdata/node/test.js, node-postgres (npm "pg")
// checks of parameters, named prepared statements, rowMode 'array',
// transactions and error codes, against a node. It skips when node is not
// installed or the packages are not (.ci/run runs `npm ci` there).
func TestNodePostgres(t *testing.T) {
	bin, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	dir := filepath.Join("testdata", "node")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "pg")); err != nil {
		t.Skip("node-postgres is not installed: run `npm ci` in server/testdata/node")
	}
	n := servertest.Start(t)
	cmd := exec.Command(bin, "test.js")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CHRONOS_URL="+n.DSN())
	out, err := cmd.CombinedOutput()
	t.Logf("node test.js:\n%s", out)
	if err != nil {
		t.Fatalf("node test.js: %v", err)
	}
	if !strings.Contains(string(out), "ok errorCodes") {
		t.Fatal("node test.js did not run its checks")
	}
}
