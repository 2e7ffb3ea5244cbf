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
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

var (
	buildOnce sync.Once
	binDir    string // the temporary directory binPath is in; TestMain removes it
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// chronosBinary builds cmd/chronos once per test run.
func chronosBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "chronos-bin-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "chronos")
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

// process is a chronos process started by a test: a single node or a
// cluster member.
type process struct {
	cmd    *exec.Cmd
	addr   string
	output *syncBuffer
	exited chan struct{}
}

// syncBuffer is the combined output of a process, readable while the
// process still writes it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startProcess runs `chronos single-node --no-repl` on dataDir and waits
// until it accepts connections.
func startProcess(t *testing.T, dataDir, addr string) *process {
	t.Helper()
	return startChronos(t, addr, "single-node", "--no-repl", "--data-dir", dataDir, "--address", addr)
}

// startNode runs `chronos node` with the given flags, whose --address
// must be addr, and waits until it accepts connections.
func startNode(t *testing.T, addr string, flags ...string) *process {
	t.Helper()
	return startChronos(t, addr, append([]string{"node"}, flags...)...)
}

// startChronos runs the chronos binary with args and waits until it
// accepts PostgreSQL connections on addr. The test's cleanup kills it if
// it still runs.
func startChronos(t *testing.T, addr string, args ...string) *process {
	t.Helper()
	p := &process{addr: addr, output: new(syncBuffer), exited: make(chan struct{})}
	p.cmd = exec.Command(chronosBinary(t), args...)
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

// pause stops the process with SIGSTOP: it keeps its sockets but answers
// nothing until resume.
func (p *process) pause(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
}

// resume continues a paused process with SIGCONT.
func (p *process) resume(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
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
