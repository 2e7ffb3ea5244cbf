package repl

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// The shell's integration tests run against a throwaway PostgreSQL server
// (the reference the shell imitates), started once per test binary when
// PostgreSQL's server programs are installed and skipped otherwise.

var testPG struct {
	once sync.Once
	dsn  string // connection URL, empty if unavailable
	why  string // why it is unavailable
	cmd  *exec.Cmd
	dir  string
}

func TestMain(m *testing.M) {
	code := m.Run()
	stopTestPostgres()
	os.Exit(code)
}

// postgresDSN returns the URL of the test PostgreSQL, starting it on first
// use, or skips the test when PostgreSQL is not installed.
func postgresDSN(t *testing.T) string {
	t.Helper()
	testPG.once.Do(startTestPostgres)
	if testPG.dsn == "" {
		t.Skipf("no PostgreSQL server for the shell's integration tests: %s", testPG.why)
	}
	return testPG.dsn
}

// postgresBinDir finds the directory of initdb and postgres.
func postgresBinDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Dir(real), nil
		}
		return filepath.Dir(p), nil
	}
	out, err := exec.Command("pg_config", "--bindir").Output()
	if err != nil {
		return "", fmt.Errorf("initdb not on PATH and pg_config failed: %v", err)
	}
	dir := strings.TrimSpace(string(out))
	if _, err := os.Stat(filepath.Join(dir, "initdb")); err != nil {
		return "", err
	}
	return dir, nil
}

func startTestPostgres() {
	bin, err := postgresBinDir()
	if err != nil {
		testPG.why = err.Error()
		return
	}
	dir, err := os.MkdirTemp("", "chronos-repl-pg-")
	if err != nil {
		testPG.why = err.Error()
		return
	}
	testPG.dir = dir
	// PostgreSQL refuses to run as root: use the postgres account then.
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			testPG.why = "running as root and there is no postgres user"
			return
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			testPG.why = err.Error()
			return
		}
	}
	command := func(name string, args ...string) *exec.Cmd {
		c := exec.Command(filepath.Join(bin, name), args...)
		c.Dir = dir
		if cred != nil {
			c.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		}
		return c
	}
	data := filepath.Join(dir, "data")
	if out, err := command("initdb", "-D", data, "-U", "chronos", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync").CombinedOutput(); err != nil {
		testPG.why = fmt.Sprintf("initdb: %v: %s", err, out)
		return
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		testPG.why = err.Error()
		return
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := command("postgres", "-D", data, "-p", strconv.Itoa(port), "-k", dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "shared_buffers=16MB")
	logFile, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err == nil {
		cmd.Stdout, cmd.Stderr = logFile, logFile
	}
	if err := cmd.Start(); err != nil {
		testPG.why = err.Error()
		return
	}
	testPG.cmd = cmd
	base := fmt.Sprintf("postgres://chronos@127.0.0.1:%d/", port)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		conn, err := pgconn.Connect(ctx, base+"postgres?sslmode=disable")
		if err == nil {
			_, err = conn.Exec(ctx, "CREATE DATABASE chronos").ReadAll()
			conn.Close(ctx)
			if err != nil {
				testPG.why = err.Error()
				return
			}
			break
		}
		if ctx.Err() != nil {
			testPG.why = "PostgreSQL did not start: " + err.Error()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	testPG.dsn = base + "chronos?sslmode=disable"
}

func stopTestPostgres() {
	if testPG.cmd != nil && testPG.cmd.Process != nil {
		testPG.cmd.Process.Signal(syscall.SIGINT) // fast shutdown
		done := make(chan struct{})
		go func() { testPG.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			testPG.cmd.Process.Kill()
			<-done
		}
	}
	if testPG.dir != "" {
		os.RemoveAll(testPG.dir)
	}
}
