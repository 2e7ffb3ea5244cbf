// Package pgtest starts a throwaway PostgreSQL server for tests that
// compare Chronos (the server, psql's output against it, the chronos shell)
// with the real thing. It is test support only.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Server is a running PostgreSQL server listening on 127.0.0.1, with a
// trusted superuser "chronos" and a database "chronos".
type Server struct {
	// DSN is the connection URL of the chronos database.
	DSN string
	// Addr is the server's host:port.
	Addr string
	cmd  *exec.Cmd
	dir  string
}

// ErrUnavailable wraps the reason no server could be started (PostgreSQL
// is not installed, for example); tests skip on it.
var ErrUnavailable = errors.New("PostgreSQL unavailable")

// Start initializes a new cluster in a temporary directory and starts it on
// a free port. As root it runs the server as the postgres user, since
// PostgreSQL refuses to run as root. Stop it with Stop.
func Start() (*Server, error) {
	s := &Server{}
	if err := s.start(); err != nil {
		s.Stop()
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return s, nil
}

// binDir finds the directory of initdb and postgres.
func binDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Dir(real), nil
		}
		return filepath.Dir(p), nil
	}
	out, err := exec.Command("pg_config", "--bindir").Output()
	if err != nil {
		return "", fmt.Errorf("initdb is not on PATH and pg_config failed: %v", err)
	}
	dir := strings.TrimSpace(string(out))
	if _, err := os.Stat(filepath.Join(dir, "initdb")); err != nil {
		return "", err
	}
	return dir, nil
}

func (s *Server) start() error {
	bin, err := binDir()
	if err != nil {
		return err
	}
	s.dir, err = os.MkdirTemp("", "chronos-pgtest-")
	if err != nil {
		return err
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return errors.New("running as root and there is no postgres user to run PostgreSQL as")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(s.dir, uid, gid); err != nil {
			return err
		}
	}
	command := func(name string, args ...string) *exec.Cmd {
		c := exec.Command(filepath.Join(bin, name), args...)
		c.Dir = s.dir
		if cred != nil {
			c.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		}
		return c
	}
	data := filepath.Join(s.dir, "data")
	if out, err := command("initdb", "-D", data, "-U", "chronos", "--auth=trust", "-E", "UTF8",
		"--locale=C.UTF-8", "--no-sync").CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %v: %s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	s.cmd = command("postgres", "-D", data, "-p", strconv.Itoa(port), "-k", s.dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "shared_buffers=16MB")
	if log, err := os.Create(filepath.Join(s.dir, "postgres.log")); err == nil {
		s.cmd.Stdout, s.cmd.Stderr = log, log
	}
	if err := s.cmd.Start(); err != nil {
		s.cmd = nil
		return err
	}
	s.Addr = fmt.Sprintf("127.0.0.1:%d", port)
	base := "postgres://chronos@" + s.Addr + "/"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		conn, err := pgconn.Connect(ctx, base+"postgres?sslmode=disable")
		if err == nil {
			_, err = conn.Exec(ctx, "CREATE DATABASE chronos").ReadAll()
			conn.Close(ctx)
			if err != nil {
				return err
			}
			break
		}
		if ctx.Err() != nil {
			return fmt.Errorf("PostgreSQL did not start: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.DSN = base + "chronos?sslmode=disable"
	return nil
}

// Stop shuts the server down (fast shutdown) and removes its files.
func (s *Server) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGINT)
		done := make(chan struct{})
		go func() { s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
			<-done
		}
		s.cmd = nil
	}
	if s.dir != "" {
		os.RemoveAll(s.dir)
		s.dir = ""
	}
}
