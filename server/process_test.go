package server_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// chronosBinary builds cmd/chronos once per test run.
func chronosBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "chronos-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "chronos")
		out, err := exec.Command("go", "build", "-o", binPath, "../cmd/chronos").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// freeAddr returns a 127.0.0.1 address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// process is a chronos single-node process started by a test.
type process struct {
	cmd    *exec.Cmd
	addr   string
	output *bytes.Buffer
	exited chan struct{}
}

// startProcess runs `chronos single-node --no-repl` on dataDir and waits
// until it accepts connections.
func startProcess(t *testing.T, dataDir, addr string) *process {
	t.Helper()
	p := &process{addr: addr, output: new(bytes.Buffer), exited: make(chan struct{})}
	p.cmd = exec.Command(chronosBinary(t), "single-node", "--no-repl", "--data-dir", dataDir, "--address", addr)
	p.cmd.Stdout = p.output
	p.cmd.Stderr = p.output
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			p.cmd.Process.Kill()
			<-p.exited
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			t.Fatalf("chronos exited during start-up:\n%s", p.output)
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		c, err := pgx.Connect(ctx, p.dsn())
		cancel()
		if err == nil {
			c.Close(context.Background())
			return p
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("chronos did not accept connections within 30s:\n%s", p.output)
	return nil
}

func (p *process) dsn() string {
	return fmt.Sprintf("postgres://chronos@%s/chronos?sslmode=disable", p.addr)
}

// kill ends the process with SIGKILL: no shutdown code runs.
func (p *process) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-p.exited
}

// stop ends the process with SIGTERM and waits for its clean shutdown.
func (p *process) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("chronos did not stop within 30s of SIGINT:\n%s", p.output)
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("chronos exited with status %d after SIGINT:\n%s", code, p.output)
	}
}

// chronosCommand returns a command running the chronos binary with args.
func chronosCommand(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	return exec.Command(chronosBinary(t), args...)
}
