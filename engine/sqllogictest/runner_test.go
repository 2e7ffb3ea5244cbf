package sqllogictest_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/chronos-db/chronos/engine/sqllogictest"
)

// fakeServer is a minimal PostgreSQL backend for the simple protocol that
// answers a few fixed queries, hangs on "SELECT hang" and dies (closes the
// connection and its listener) on "SELECT crash". It lets the runner's
// timeout, reconnection and crash detection be tested without a database.
type fakeServer struct {
	ln       net.Listener
	sessions atomic.Int32 // startup messages received
	wg       sync.WaitGroup
	done     chan struct{} // closed by close: hung handlers return
	once     sync.Once
}

func startFake(t *testing.T) *fakeServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &fakeServer{ln: ln, done: make(chan struct{})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer c.Close()
				s.serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		s.close()
		s.wg.Wait()
	})
	return s
}

func (s *fakeServer) close() {
	s.once.Do(func() {
		close(s.done)
		s.ln.Close()
	})
}

func (s *fakeServer) dsn() string {
	return "postgres://tester@" + s.ln.Addr().String() + "/db?sslmode=disable"
}

func (s *fakeServer) serve(c net.Conn) {
	be := pgproto3.NewBackend(c, c)
	m, err := be.ReceiveStartupMessage()
	if err != nil {
		return
	}
	if _, ok := m.(*pgproto3.StartupMessage); !ok {
		return // pgx sends a CancelRequest when it closes a busy connection
	}
	s.sessions.Add(1)
	be.Send(&pgproto3.AuthenticationOk{})
	// pgx refuses the simple protocol without these two parameters.
	be.Send(&pgproto3.ParameterStatus{Name: "standard_conforming_strings", Value: "on"})
	be.Send(&pgproto3.ParameterStatus{Name: "client_encoding", Value: "UTF8"})
	be.Send(&pgproto3.BackendKeyData{ProcessID: 1, SecretKey: []byte{0, 0, 0, 1}})
	be.Send(&pgproto3.ReadyForQuery{TxStatus: 'I'})
	if be.Flush() != nil {
		return
	}
	for {
		msg, err := be.Receive()
		if err != nil {
			return
		}
		q, ok := msg.(*pgproto3.Query)
		if !ok {
			return // Terminate, or anything this fake does not speak
		}
		switch q.String {
		case "SELECT hang":
			select {
			case <-s.done:
			case <-time.After(10 * time.Second):
			}
			return
		case "SELECT crash":
			s.close()
			return
		case "SELECT t, f":
			be.Send(&pgproto3.RowDescription{Fields: []pgproto3.FieldDescription{
				{Name: []byte("t"), DataTypeOID: pgtype.BoolOID, DataTypeSize: 1, TypeModifier: -1},
				{Name: []byte("f"), DataTypeOID: pgtype.BoolOID, DataTypeSize: 1, TypeModifier: -1},
			}})
			be.Send(&pgproto3.DataRow{Values: [][]byte{[]byte("t"), []byte("f")}})
			be.Send(&pgproto3.CommandComplete{CommandTag: []byte("SELECT 1")})
		case "SELECT 1":
			be.Send(&pgproto3.RowDescription{Fields: []pgproto3.FieldDescription{
				{Name: []byte("?column?"), DataTypeOID: pgtype.Int4OID, DataTypeSize: 4, TypeModifier: -1},
			}})
			be.Send(&pgproto3.DataRow{Values: [][]byte{[]byte("1")}})
			be.Send(&pgproto3.CommandComplete{CommandTag: []byte("SELECT 1")})
		default:
			be.Send(&pgproto3.ErrorResponse{Severity: "ERROR", Code: "42601", Message: "syntax error"})
		}
		be.Send(&pgproto3.ReadyForQuery{TxStatus: 'I'})
		if be.Flush() != nil {
			return
		}
	}
}

func parseScript(t *testing.T, text string) *sqllogictest.Script {
	t.Helper()
	s, err := sqllogictest.Parse("fake.test", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func connectFake(t *testing.T, s *fakeServer) *sqllogictest.Runner {
	t.Helper()
	ctx := context.Background()
	r, err := sqllogictest.Connect(ctx, sqllogictest.Config{ConnString: s.dsn(), Mode: sqllogictest.Simple, Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(ctx) })
	return r
}

func TestRunnerOutcomes(t *testing.T) {
	srv := startFake(t)
	r := connectFake(t, srv)
	script := parseScript(t, `hash-threshold 8

statement ok
SELECT 1

statement error
SELECT nonsense

statement error
SELECT 1

query II nosort
SELECT t, f
----
1
0

query I nosort
SELECT 1
----
2

query II nosort
SELECT 1
----
1
1

query I nosort
SELECT hang
----
1

query I nosort
SELECT 1
----
1

onlyif mysql
query I nosort
SELECT nonsense
`)
	res, err := r.Run(context.Background(), script)
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 10 || res.Counted != 8 || res.Skipped != 1 || res.Passed != 4 {
		t.Errorf("records %d counted %d skipped %d passed %d; want 10, 8, 1, 4",
			res.Records, res.Counted, res.Skipped, res.Passed)
	}
	wantFailures := []struct {
		line   int
		reason string
	}{
		{9, "statement succeeded, error expected"},
		{18, "wrong result"},
		{23, "1 result columns, 2 expected"},
		{29, "timeout"},
	}
	if len(res.Failures) != len(wantFailures) {
		for _, f := range res.Failures {
			t.Log(f)
		}
		t.Fatalf("%d failures, want %d", len(res.Failures), len(wantFailures))
	}
	for i, w := range wantFailures {
		f := res.Failures[i]
		if f.Record.Line != w.line || f.Reason != w.reason {
			t.Errorf("failure %d: line %d %q, want line %d %q", i, f.Record.Line, f.Reason, w.line, w.reason)
		}
	}
	if !strings.Contains(res.Failures[1].String(), "---- actual (1 columns)\n1\n") {
		t.Errorf("verbose failure lacks the actual value:\n%s", res.Failures[1])
	}
	// The timeout closed the first connection; the last query passed on a second.
	if n := srv.sessions.Load(); n != 2 {
		t.Errorf("%d sessions, want 2 (one reconnection after the timeout)", n)
	}
}

func TestRunnerServerDown(t *testing.T) {
	srv := startFake(t)
	r := connectFake(t, srv)
	script := parseScript(t, `statement ok
SELECT 1

statement ok
SELECT crash

statement ok
SELECT 1
`)
	res, err := r.Run(context.Background(), script)
	if !errors.Is(err, sqllogictest.ErrServerDown) {
		t.Fatalf("Run error = %v, want ErrServerDown", err)
	}
	if !strings.Contains(err.Error(), "fake.test:4") {
		t.Errorf("error %q does not name the record", err)
	}
	if res.Counted != 2 || res.Passed != 1 {
		t.Errorf("counted %d passed %d, want 2 and 1 (the run stops at the crash)", res.Counted, res.Passed)
	}
}
