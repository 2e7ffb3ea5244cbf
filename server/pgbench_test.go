package server_test

import (
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"

	"github.com/chronos-db/chronos/server/servertest"
)

// pgbench runs the real pgbench against addr with args and returns its
// output; the test skips when pgbench is not installed.
func pgbench(t *testing.T, addr string, args ...string) (string, error) {
	t.Helper()
	bin, err := exec.LookPath("pgbench")
	if err != nil {
		t.Skip("pgbench is not installed (apt-get install postgresql-client)")
	}
	host, port, _ := net.SplitHostPort(addr)
	base := []string{"-h", host, "-p", port, "-U", "chronos"}
	cmd := exec.Command(bin, append(append(base, args...), "chronos")...)
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

var (
	pgbenchFailed  = regexp.MustCompile(`number of failed transactions: (\d+)`)
	pgbenchRetried = regexp.MustCompile(`number of transactions retried: (\d+)`)
	pgbenchDone    = regexp.MustCompile(`number of transactions actually processed: (\d+)`)
)

// pgbenchFigure reads a count from pgbench's report, -1 when absent.
func pgbenchFigure(re *regexp.Regexp, out string) int {
	m := re.FindStringSubmatch(out)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// runPgbench initializes scale 1 through addr (client-side generation:
// COPY), then runs the built-in TPC-B-like script and -S in every
// protocol mode, expecting no failed transaction.
func runPgbench(t *testing.T, addr string) {
	if out, err := pgbench(t, addr, "-i", "-s", "1", "-I", "dtgp", "-q"); err != nil {
		t.Fatalf("pgbench -i -I dtgp: %v\n%s", err, out)
	}
	for _, script := range [][]string{nil, {"-S"}} {
		for _, mode := range []string{"simple", "extended", "prepared"} {
			args := append([]string{"-c", "4", "-j", "2", "-T", "2", "--max-tries=20", "-M", mode}, script...)
			out, err := pgbench(t, addr, args...)
			if err != nil {
				t.Fatalf("pgbench %v: %v\n%s", args, err, out)
			}
			done, failed := pgbenchFigure(pgbenchDone, out), pgbenchFigure(pgbenchFailed, out)
			if done <= 0 || failed != 0 {
				t.Errorf("pgbench %v: %d transactions, %d failed\n%s", args, done, failed, out)
			}
			t.Logf("pgbench %v: %d transactions, %d retried", args, done, pgbenchFigure(pgbenchRetried, out))
		}
	}
}

// TestPgbench runs pgbench against a single node, and checks the other
// initialization paths: server-side generation (generate_series) and the
// default steps (vacuum is a no-op).
func TestPgbench(t *testing.T) {
	n := servertest.Start(t)
	runPgbench(t, n.Addr())
	for _, steps := range [][]string{{"-I", "dtGp"}, nil} {
		args := append([]string{"-i", "-s", "1", "-q"}, steps...)
		if out, err := pgbench(t, n.Addr(), args...); err != nil {
			t.Fatalf("pgbench %v: %v\n%s", args, err, out)
		}
	}
	c := n.Connect()
	if d := copyDump(t, c, "SELECT count(*), sum(abalance) FROM pgbench_accounts"); d != "100000|0" {
		t.Errorf("after pgbench -i: %s", d)
	}
}

// TestPgbenchFollower runs pgbench against a follower of a three-node
// cluster.
func TestPgbenchFollower(t *testing.T) {
	if _, err := exec.LookPath("pgbench"); err != nil {
		t.Skip("pgbench is not installed (apt-get install postgresql-client)")
	}
	c := startCluster(t, 3)
	runPgbench(t, c.addrs["node3"])
}
