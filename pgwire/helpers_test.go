package pgwire

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// testTimeout bounds every wait in these tests.
const testTimeout = 10 * time.Second

// tWriter sends log lines to t.Log.
type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// testServer is a Server with a fakeEngine listening on 127.0.0.1.
type testServer struct {
	srv  *Server
	eng  *fakeEngine
	addr string
}

// startServer starts a server whose cleanup shuts it down and checks that
// Serve ended with ErrServerClosed and every session was closed.
func startServer(t testing.TB, configure ...func(*Server)) *testServer {
	t.Helper()
	eng := &fakeEngine{}
	srv := &Server{Engine: eng, Logger: testLogger(t)}
	for _, f := range configure {
		f(srv)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(context.Background(), l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
		if n := eng.openSessions(); n != 0 {
			t.Errorf("%d engine sessions left open", n)
		}
	})
	return &testServer{srv: srv, eng: eng, addr: l.Addr().String()}
}

// rawClient speaks the protocol message by message through a pgproto3
// Frontend.
type rawClient struct {
	t   *testing.T
	nc  net.Conn
	fe  *pgproto3.Frontend
	pid uint32
	key []byte
	// params are the ParameterStatus values of startup.
	params map[string]string
}

func dialRaw(t *testing.T, addr string) *rawClient {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	_ = nc.SetDeadline(time.Now().Add(testTimeout))
	return &rawClient{t: t, nc: nc, fe: pgproto3.NewFrontend(nc, nc)}
}

// connectRaw dials and completes startup as user "u".
func connectRaw(t *testing.T, addr string) *rawClient {
	t.Helper()
	c := dialRaw(t, addr)
	c.startup(map[string]string{"user": "u", "database": "db", "application_name": "rawtest"})
	return c
}

// startup sends a StartupMessage and reads up to ReadyForQuery, keeping
// the ParameterStatus values and the BackendKeyData.
func (c *rawClient) startup(params map[string]string) {
	c.t.Helper()
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: params})
	c.params = map[string]string{}
	for {
		switch m := c.receive().(type) {
		case *pgproto3.AuthenticationOk:
		case *pgproto3.ParameterStatus:
			c.params[m.Name] = m.Value
		case *pgproto3.BackendKeyData:
			c.pid, c.key = m.ProcessID, append([]byte(nil), m.SecretKey...)
		case *pgproto3.ReadyForQuery:
			if m.TxStatus != 'I' {
				c.t.Fatalf("startup ReadyForQuery status %q", m.TxStatus)
			}
			return
		default:
			c.t.Fatalf("unexpected startup message %s", toJSON(m))
		}
	}
}

func (c *rawClient) send(msgs ...pgproto3.FrontendMessage) {
	c.t.Helper()
	for _, m := range msgs {
		c.fe.Send(m)
	}
	if err := c.fe.Flush(); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

func (c *rawClient) receive() pgproto3.BackendMessage {
	c.t.Helper()
	m, err := c.fe.Receive()
	if err != nil {
		c.t.Fatalf("receive: %v", err)
	}
	return m
}

// until receives messages up to and including one of type last and returns
// them as compact JSON lines (see toJSON).
func (c *rawClient) until(last string) []string {
	c.t.Helper()
	var out []string
	for {
		m := c.receive()
		out = append(out, toJSON(m))
		if messageType(m) == last {
			return out
		}
	}
}

// expect receives messages up to ReadyForQuery and compares them with want.
func (c *rawClient) expect(want ...string) {
	c.t.Helper()
	got := c.until("ReadyForQuery")
	if !reflect.DeepEqual(got, want) {
		c.t.Fatalf("got messages:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// expectClosed reads until the server closes the connection and returns
// what came before.
func (c *rawClient) expectClosed() []string {
	c.t.Helper()
	var out []string
	for {
		m, err := c.fe.Receive()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				c.t.Fatalf("connection not closed; got %v", out)
			}
			return out
		}
		out = append(out, toJSON(m))
	}
}

func messageType(m pgproto3.BackendMessage) string {
	return reflect.TypeOf(m).Elem().Name()
}

// toJSON renders a message as JSON without its empty fields, so that
// expectations stay short: {"Type":"CommandComplete","CommandTag":"SELECT 1"}.
func toJSON(m pgproto3.BackendMessage) string {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(b, &fields); err != nil {
		panic(err)
	}
	for k, v := range fields {
		switch v := v.(type) {
		case nil:
			delete(fields, k)
		case string:
			if v == "" && k != "CommandTag" {
				delete(fields, k)
			}
		case float64:
			if v == 0 && k != "Format" {
				delete(fields, k)
			}
		case map[string]any:
			if len(v) == 0 {
				delete(fields, k)
			}
		}
	}
	// "Type" first, then the rest in encoding/json's sorted order.
	// (NoticeResponse marshals without its type.)
	typ, ok := fields["Type"]
	if !ok || typ == nil {
		typ = messageType(m)
	}
	delete(fields, "Type")
	rest, _ := json.Marshal(fields)
	head, _ := json.Marshal(typ)
	if string(rest) == "{}" {
		return `{"Type":` + string(head) + `}`
	}
	return `{"Type":` + string(head) + `,` + string(rest[1:])
}

// shutdownPromptly shuts srv down and fails the test if that takes longer
// than half of testTimeout: the sessions did not end without their clients.
func shutdownPromptly(t *testing.T, srv *Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	start := time.Now()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if took := time.Since(start); took > testTimeout/2 {
		t.Errorf("Shutdown took %v", took)
	}
}
