package pgwire

import (
	"context"
	"fmt"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// TestPipelineKeepsMessages binds more portals than a message slab holds,
// all in one packet, and executes them afterwards in reverse: every
// portal keeps its own parameter although the frames were carved from
// shared slabs.
func TestPipelineKeepsMessages(t *testing.T) {
	ts := startServer(t)
	c := connectRaw(t, ts.addr)
	const n = 2*messageSlab + 3
	msgs := []interface{ Encode([]byte) ([]byte, error) }{
		&pgproto3.Query{String: "begin"},
		&pgproto3.Parse{Name: "s", Query: "select $1::text, $2::bytea"},
	}
	for i := range n {
		msgs = append(msgs, &pgproto3.Bind{
			DestinationPortal: fmt.Sprintf("p%d", i), PreparedStatement: "s",
			ParameterFormatCodes: []int16{0, 1},
			Parameters:           [][]byte{[]byte(fmt.Sprintf("value %d", i)), {byte(i), 0xff}},
		})
	}
	for i := n - 1; i >= 0; i-- {
		msgs = append(msgs, &pgproto3.Execute{Portal: fmt.Sprintf("p%d", i)})
	}
	msgs = append(msgs, &pgproto3.Sync{}, &pgproto3.Query{String: "commit"})
	c.write(encode(msgs...))

	c.until("ReadyForQuery") // begin
	var want []string
	want = append(want, `{"Type":"ParseComplete"}`)
	for range n {
		want = append(want, `{"Type":"BindComplete"}`)
	}
	for i := n - 1; i >= 0; i-- {
		want = append(want,
			fmt.Sprintf(`{"Type":"DataRow","Values":[{"text":"value %d"},{"text":"\\x%02xff"}]}`, i, i),
			`{"Type":"CommandComplete","CommandTag":"SELECT 1"}`)
	}
	want = append(want, `{"Type":"ReadyForQuery","TxStatus":"T"}`)
	c.expect(want...)
	c.expect(`{"Type":"CommandComplete","CommandTag":"COMMIT"}`, `{"Type":"ReadyForQuery","TxStatus":"I"}`)
}

// TestPipelineErrors: a protocol violation or a Terminate sent behind
// other messages ends the session only after those are answered.
func TestPipelineErrors(t *testing.T) {
	ts := startServer(t)
	const fatal = `{"Type":"ErrorResponse","Code":"08P01","Message":"invalid frontend message type 71","Severity":"FATAL","SeverityUnlocalized":"FATAL"}`
	for _, tc := range []struct {
		name  string
		after []byte
		want  []string
	}{
		{"violation", []byte("GET / HTTP/1.1\r\n\r\n"), []string{fatal}},
		{"Terminate", encode(&pgproto3.Terminate{}, &pgproto3.Query{String: "insert 9"}), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := connectRaw(t, ts.addr)
			c.write(append(encode(&pgproto3.Query{String: "insert 1"}, &pgproto3.Query{String: "insert 2"}), tc.after...))
			want := append([]string{
				`{"Type":"CommandComplete","CommandTag":"INSERT 0 1"}`,
				`{"Type":"ReadyForQuery","TxStatus":"I"}`,
				`{"Type":"CommandComplete","CommandTag":"INSERT 0 2"}`,
				`{"Type":"ReadyForQuery","TxStatus":"I"}`,
			}, tc.want...)
			if got := c.expectClosed(); !reflect.DeepEqual(got, want) {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
	waitFor(t, func() bool { return ts.eng.openSessions() == 0 })
}

// TestCopyTerminatePipelined: a Terminate that arrives with the copy data
// fails the copy and ends the session.
func TestCopyTerminatePipelined(t *testing.T) {
	ts := startServer(t)
	c := connectRaw(t, ts.addr)
	c.write(encode(&pgproto3.Query{String: "copy"}, &pgproto3.CopyData{Data: []byte("x\n")},
		&pgproto3.Terminate{}, &pgproto3.Query{String: "insert 1"}))
	// The copy fails as PostgreSQL fails it, with 08P01; the Query after
	// the Terminate must not run.
	got := c.expectClosed()
	all := strings.Join(got, "\n")
	if len(got) == 0 || got[0] != `{"Type":"CopyInResponse","ColumnFormatCodes":[0]}` ||
		strings.Contains(all, "INSERT") || !strings.Contains(all, `"Code":"08P01"`) ||
		!strings.Contains(all, "unexpected message type 0x58 during COPY from stdin") {
		t.Errorf("got %v", got)
	}
	waitFor(t, func() bool { return ts.eng.openSessions() == 0 })
	copied, failed := ts.eng.copies()
	if len(copied) != 0 || !reflect.DeepEqual(failed, []string{"connection terminated"}) {
		t.Errorf("copies %q, failures %q", copied, failed)
	}
}

// TestDrainBeforePipelined: a drain that comes while a statement runs
// ends the session once the statement is answered, before the messages
// that arrived with it.
func TestDrainBeforePipelined(t *testing.T) {
	eng := &fakeEngine{sleeping: make(chan struct{}, 1), release: make(chan struct{})}
	srv := &Server{Engine: eng, Logger: testLogger(t)}
	addr, served := serveOn(t, srv)
	c := connectRaw(t, addr)
	c.write(encode(&pgproto3.Query{String: "block"}, &pgproto3.Query{String: "insert 1"},
		&pgproto3.Parse{Query: "insert 2"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{}))
	<-eng.sleeping
	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		shut <- srv.Shutdown(ctx)
	}()
	waitFor(t, func() bool {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		for cn := range srv.mu.conns {
			if !cn.isDraining() {
				return false
			}
		}
		return true
	})
	close(eng.release)
	want := []string{
		`{"Type":"CommandComplete","CommandTag":"BLOCK"}`,
		`{"Type":"ReadyForQuery","TxStatus":"I"}`,
		`{"Type":"ErrorResponse","Code":"57P01","Message":"terminating connection due to administrator command","Severity":"FATAL","SeverityUnlocalized":"FATAL"}`,
	}
	if got := c.expectClosed(); !reflect.DeepEqual(got, want) {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := <-served; err != ErrServerClosed {
		t.Errorf("Serve returned %v", err)
	}
	if n := eng.openSessions(); n != 0 {
		t.Errorf("%d sessions open", n)
	}
}

// serveOn serves srv on a 127.0.0.1 listener; the channel receives what
// Serve returns.
func serveOn(t *testing.T, srv *Server) (string, <-chan error) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(context.Background(), l) }()
	return l.Addr().String(), served
}

// TestIdleTimerReset: the one idle timer of a connection restarts at
// every wait, so a session that stays busy inside a block for longer than
// the timeout in all goes on, and ends once it idles.
func TestIdleTimerReset(t *testing.T) {
	const timeout = 300 * time.Millisecond
	ts := startServer(t, func(s *Server) { s.Security.IdleInTransactionTimeout = timeout })
	c := connectRaw(t, ts.addr)
	c.send(&pgproto3.Query{String: "begin"})
	c.until("ReadyForQuery")
	start := time.Now()
	for i := 0; time.Since(start) < 2*timeout; i++ {
		time.Sleep(timeout / 4)
		c.send(&pgproto3.Query{String: fmt.Sprintf("insert %d", i)})
		c.expect(fmt.Sprintf(`{"Type":"CommandComplete","CommandTag":"INSERT 0 %d"}`, i),
			`{"Type":"ReadyForQuery","TxStatus":"T"}`)
	}
	got := c.expectClosed()
	if len(got) != 1 || !strings.Contains(got[0], "25P03") {
		t.Fatalf("got %v, want FATAL 25P03", got)
	}
	if idle := time.Since(start); idle < 2*timeout+timeout/2 {
		t.Errorf("closed after %v in all, before the session idled for %v", idle, timeout)
	}
}

// TestDecodeExecute: decodeExecute accepts and rejects what pgproto3's
// Execute.Decode does, with the same result.
func TestDecodeExecute(t *testing.T) {
	for _, body := range []string{
		"\x00\x00\x00\x00\x00",
		"p1\x00\x00\x00\x01\x00",
		"portal\x00\xff\xff\xff\xff",
		"p\x00\x00\x00\x00\x05extra",
		"",
		"p",
		"p\x00",
		"p\x00\x00\x00\x00",
		"\x00\x00",
	} {
		var want, got pgproto3.Execute
		wantErr := want.Decode([]byte(body))
		gotErr := decodeExecute(&got, []byte(body))
		if (wantErr != nil) != (gotErr != nil) || got != want {
			t.Errorf("%q: got %+v, %v; pgproto3 %+v, %v", body, got, gotErr, want, wantErr)
		}
	}
}

// TestDrainDuringCopy: a drain ends a COPY FROM STDIN that waits for the
// client's data: the copy fails and the session ends with 57P01, without
// waiting for the client.
func TestDrainDuringCopy(t *testing.T) {
	ts := startServer(t)
	c := connectRaw(t, ts.addr)
	c.send(&pgproto3.Query{String: "copy"}, &pgproto3.CopyData{Data: []byte("a\n")})
	if got := toJSON(c.receive()); got != `{"Type":"CopyInResponse","ColumnFormatCodes":[0]}` {
		t.Fatalf("got %s, want CopyInResponse", got)
	}
	shutdownPromptly(t, ts.srv)
	got := c.expectClosed()
	if len(got) == 0 || !strings.Contains(got[len(got)-1], `"Code":"57P01"`) {
		t.Errorf("got %v, want FATAL 57P01 last", got)
	}
	copied, failed := ts.eng.copies()
	if len(copied) != 0 || !reflect.DeepEqual(failed, []string{"server shutting down"}) {
		t.Errorf("copies %q, failures %q", copied, failed)
	}
}
