package server_test

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
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// realPostgres is a throwaway PostgreSQL server on 127.0.0.1 with a trusted
// superuser "chronos" and a database "chronos", for tests that compare
// Chronos with the real thing.
type realPostgres struct {
	host, port string
	cmd        *exec.Cmd
	dir        string
}

// startPostgres starts PostgreSQL 15 in a temporary directory, or skips the
// test when it is not installed. As root it runs the server as the
// postgres user, since PostgreSQL refuses to run as root.
func startPostgres(t *testing.T) *realPostgres {
	t.Helper()
	bin, err := postgresBinDir()
	if err != nil {
		t.Skipf("PostgreSQL 15 is not installed: %v", err)
	}
	p := &realPostgres{}
	t.Cleanup(p.stop)
	if err := p.start(bin); err != nil {
		t.Fatalf("start PostgreSQL: %v", err)
	}
	return p
}

// postgresBinDir finds PostgreSQL 15's initdb and postgres.
func postgresBinDir() (string, error) {
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dir := strings.TrimSpace(string(out))
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir, nil
		}
	}
	dir := "/usr/lib/postgresql/15/bin"
	if _, err := os.Stat(filepath.Join(dir, "initdb")); err != nil {
		return "", errors.New("no initdb found")
	}
	return dir, nil
}

func (p *realPostgres) start(bin string) error {
	var err error
	p.dir, err = os.MkdirTemp("", "chronos-realpg-")
	if err != nil {
		return err
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return errors.New("running as root and there is no postgres user")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(p.dir, uid, gid); err != nil {
			return err
		}
	}
	command := func(name string, args ...string) *exec.Cmd {
		c := exec.Command(filepath.Join(bin, name), args...)
		c.Dir = p.dir
		if cred != nil {
			c.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		}
		return c
	}
	data := filepath.Join(p.dir, "data")
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
	p.cmd = command("postgres", "-D", data, "-p", strconv.Itoa(port), "-k", p.dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "shared_buffers=16MB")
	if err := p.cmd.Start(); err != nil {
		p.cmd = nil
		return err
	}
	p.host, p.port = "127.0.0.1", strconv.Itoa(port)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		conn, err := pgconn.Connect(ctx, "postgres://chronos@"+net.JoinHostPort(p.host, p.port)+"/postgres?sslmode=disable")
		if err == nil {
			_, err = conn.Exec(ctx, "CREATE DATABASE chronos").ReadAll()
			conn.Close(ctx)
			return err
		}
		if ctx.Err() != nil {
			return fmt.Errorf("PostgreSQL did not start: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop shuts the server down and removes its files.
func (p *realPostgres) stop() {
	if p.cmd != nil && p.cmd.Process != nil {
		p.cmd.Process.Signal(syscall.SIGINT)
		done := make(chan struct{})
		go func() { p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			p.cmd.Process.Kill()
			<-done
		}
		p.cmd = nil
	}
	if p.dir != "" {
		os.RemoveAll(p.dir)
		p.dir = ""
	}
}
