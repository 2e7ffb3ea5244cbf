package pgwire

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// raw builds a message from its type byte and body.
func raw(typ byte, body []byte) []byte {
	b := []byte{typ, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[1:], uint32(len(body)+4))
	return append(b, body...)
}

// startupPacket is a StartupMessage for user u.
func startupPacket(version uint32, params ...string) []byte {
	body := binary.BigEndian.AppendUint32(nil, version)
	for _, p := range params {
		body = append(append(body, p...), 0)
	}
	body = append(body, 0)
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(body)+4)), body...)
}

func (c *rawClient) write(b []byte) {
	c.t.Helper()
	if _, err := c.nc.Write(b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

func TestStartupParameters(t *testing.T) {
	ts := startServer(t, func(s *Server) { s.Version = "15.7" })
	c := connectRaw(t, ts.addr)
	want := map[string]string{
		"application_name":            "rawtest",
		"client_encoding":             "UTF8",
		"DateStyle":                   "ISO, MDY",
		"IntervalStyle":               "postgres",
		"integer_datetimes":           "on",
		"is_superuser":                "on",
		"server_encoding":             "UTF8",
		"server_version":              "15.7",
		"session_authorization":       "u",
		"standard_conforming_strings": "on",
		"TimeZone":                    "UTC",
		"in_hot_standby":              "off",
	}
	for k, v := range want {
		if got := c.params[k]; got != v {
			t.Errorf("ParameterStatus %s = %q, want %q", k, got, v)
		}
	}
	if len(c.params) != len(want) {
		t.Errorf("got parameters %v", c.params)
	}
	if c.pid == 0 || c.pid > 1<<31-1 || len(c.key) != 4 {
		t.Errorf("BackendKeyData pid %d key %x", c.pid, c.key)
	}
	ts.eng.mu.Lock()
	p := ts.eng.mu.params[c.pid]
	ts.eng.mu.Unlock()
	if p.User != "u" || p.Database != "db" || p.Options["application_name"] != "rawtest" || p.ProcessID != c.pid {
		t.Errorf("engine got %+v", p)
	}
}

func TestDatabaseDefaultsToUser(t *testing.T) {
	ts := startServer(t)
	c := dialRaw(t, ts.addr)
	c.startup(map[string]string{"user": "alice"})
	ts.eng.mu.Lock()
	p := ts.eng.mu.params[c.pid]
	ts.eng.mu.Unlock()
	if p.Database != "alice" {
		t.Errorf("database = %q, want the user name", p.Database)
	}
}

// TestEncryptionRequests checks that SSLRequest and GSSENCRequest are
// answered 'N' and the client then starts up in plain text, as libpq does
// with gssencmode=prefer and sslmode=prefer.
func TestEncryptionRequests(t *testing.T) {
	ts := startServer(t)
	for _, seq := range [][]uint32{
		{sslRequestCode},
		{gssEncRequestCode},
		{gssEncRequestCode, sslRequestCode},
	} {
		c := dialRaw(t, ts.addr)
		for _, code := range seq {
			req := binary.BigEndian.AppendUint32([]byte{0, 0, 0, 8}, code)
			c.write(req)
			var b [1]byte
			if _, err := io.ReadFull(c.nc, b[:]); err != nil || b[0] != 'N' {
				t.Fatalf("answer to %d: %q, %v", code, b[0], err)
			}
		}
		c.startup(map[string]string{"user": "u"})
		c.send(&pgproto3.Query{String: "select 1"})
		c.until("ReadyForQuery")
	}

	// A second SSLRequest is a protocol violation.
	c := dialRaw(t, ts.addr)
	req := binary.BigEndian.AppendUint32([]byte{0, 0, 0, 8}, sslRequestCode)
	c.write(append(req, req...))
	var b [1]byte
	if _, err := io.ReadFull(c.nc, b[:]); err != nil || b[0] != 'N' {
		t.Fatalf("first answer %q, %v", b[0], err)
	}
	got := c.expectClosed()
	if len(got) != 1 || !strings.Contains(got[0], `"Code":"08P01"`) || !strings.Contains(got[0], `"FATAL"`) {
		t.Errorf("second SSLRequest got %v", got)
	}
}

func TestStartupErrors(t *testing.T) {
	ts := startServer(t)
	// A correct length, but the parameter list lacks its terminator.
	unterminated := startupPacket(pgproto3.ProtocolVersion30, "user", "u")
	unterminated = unterminated[:len(unterminated)-1]
	binary.BigEndian.PutUint32(unterminated, uint32(len(unterminated)))
	for _, tc := range []struct {
		name   string
		packet []byte
		want   []string // substrings of the one message before close; nil: closed silently
	}{
		{"no user", startupPacket(pgproto3.ProtocolVersion30, "database", "db"),
			[]string{`"Code":"28000"`, "no PostgreSQL user name specified in startup packet", `"FATAL"`}},
		{"protocol 2", startupPacket(2<<16, "user", "u"),
			[]string{`"Code":"0A000"`, "unsupported frontend protocol 2.0"}},
		{"no such database", startupPacket(pgproto3.ProtocolVersion30, "user", "u", "database", "nodb"),
			[]string{`"Code":"3D000"`, `database \"nodb\" does not exist`}},
		{"unterminated params", unterminated,
			[]string{`"Code":"08P01"`, "invalid startup packet layout"}},
		{"truncated packet", startupPacket(pgproto3.ProtocolVersion30, "user", "u")[:10], nil},
		{"short length", []byte{0, 0, 0, 4, 0, 3, 0, 0}, nil},
		{"huge length", []byte{0x7f, 0xff, 0xff, 0xff, 0, 3, 0, 0}, nil},
		{"negative length", []byte{0xff, 0xff, 0xff, 0xf0, 0, 3, 0, 0}, nil},
		{"unknown code", []byte{0, 0, 0, 8, 0x12, 0x34, 0x56, 0x78},
			[]string{`"Code":"0A000"`, "unsupported frontend protocol 4660.22136"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dialRaw(t, ts.addr)
			c.write(tc.packet)
			c.nc.(*net.TCPConn).CloseWrite()
			got := c.expectClosed()
			if tc.want == nil {
				if len(got) != 0 {
					t.Errorf("got %v, want a silent close", got)
				}
				return
			}
			// Authentication precedes the database check, as in
			// PostgreSQL.
			if len(got) == 2 && got[0] == `{"Type":"AuthenticationOK"}` {
				got = got[1:]
			}
			if len(got) != 1 {
				t.Fatalf("got %v", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got[0], w) {
					t.Errorf("got %s, want it to contain %s", got[0], w)
				}
			}
		})
	}
}

// TestNegotiateProtocolVersion: a client asking for 3.2 or _pq_ options is
// told the server speaks 3.0 and goes on.
func TestNegotiateProtocolVersion(t *testing.T) {
	ts := startServer(t)
	c := dialRaw(t, ts.addr)
	c.write(startupPacket(3<<16|2, "user", "u", "_pq_.something", "x"))
	m := c.receive()
	npv, ok := m.(*pgproto3.NegotiateProtocolVersion)
	if !ok || npv.NewestMinorProtocol != 0 || len(npv.UnrecognizedOptions) != 1 || npv.UnrecognizedOptions[0] != "_pq_.something" {
		t.Fatalf("got %s", toJSON(m))
	}
	if got := c.until("ReadyForQuery"); len(got) < 3 {
		t.Fatalf("startup went on with %v", got)
	}
}

// TestCancelRequest cancels a running statement from another connection;
// a wrong key does nothing.
func TestCancelRequest(t *testing.T) {
	ts := startServer(t)
	ts.eng.sleeping = make(chan struct{}, 1)
	c := connectRaw(t, ts.addr)
	c.send(&pgproto3.Query{String: "sleep"})
	<-ts.eng.sleeping

	cancel := func(pid uint32, key []byte) {
		cc := dialRaw(t, ts.addr)
		cc.send(&pgproto3.CancelRequest{ProcessID: pid, SecretKey: key})
		if got := cc.expectClosed(); len(got) != 0 {
			t.Errorf("CancelRequest got a reply %v", got)
		}
	}
	wrong := append([]byte(nil), c.key...)
	wrong[0] ^= 0xff
	cancel(c.pid, wrong)
	cancel(c.pid+1, c.key)

	// Still running: the Query has not answered.
	_ = c.nc.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if m, err := c.fe.Receive(); err == nil {
		t.Fatalf("statement ended after a wrong cancel: %s", toJSON(m))
	}
	// The timed-out read left the frontend unusable; use a fresh one on
	// the same connection (nothing was read).
	_ = c.nc.SetDeadline(time.Now().Add(testTimeout))
	c.fe = pgproto3.NewFrontend(c.nc, c.nc)

	cancel(c.pid, c.key)
	c.expect(
		`{"Type":"ErrorResponse","Code":"57014","Message":"canceling statement due to user request","Severity":"ERROR","SeverityUnlocalized":"ERROR"}`,
		`{"Type":"ReadyForQuery","TxStatus":"I"}`,
	)
	// The session goes on; the extended protocol is cancelled the same way.
	c.send(&pgproto3.Parse{Query: "sleep"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{})
	<-ts.eng.sleeping
	cancel(c.pid, c.key)
	c.expect(
		`{"Type":"ParseComplete"}`,
		`{"Type":"BindComplete"}`,
		`{"Type":"ErrorResponse","Code":"57014","Message":"canceling statement due to user request","Severity":"ERROR","SeverityUnlocalized":"ERROR"}`,
		`{"Type":"ReadyForQuery","TxStatus":"I"}`,
	)
}

// TestBadInput sends garbage and impossible lengths after startup: each
// closes only its own connection, with FATAL 08P01 where the server can
// still say something.
func TestBadInput(t *testing.T) {
	const limit = 1 << 20
	ts := startServer(t, func(s *Server) { s.MaxMessageSize = limit })
	bystander := connectRaw(t, ts.addr)
	header := func(typ byte, length uint32) []byte {
		return binary.BigEndian.AppendUint32([]byte{typ}, length)
	}
	for _, tc := range []struct {
		name  string
		input []byte
		want  string // substring of the FATAL message; "" for a silent close
	}{
		{"unknown type", []byte("GET / HTTP/1.1\r\n\r\n"), "invalid frontend message type 71"},
		{"length over the limit", header('Q', limit+1), "invalid message length 1048577"},
		{"1 GiB claim", header('Q', 1<<30+1), "invalid message length 1073741825"},
		{"max int32 claim", header('Q', 1<<31-1), "invalid message length 2147483647"},
		{"negative length", header('Q', 0xfffffffe), "invalid message length -2"},
		{"length below 4", header('Q', 3), "invalid message length 3"},
		{"big Sync", header('S', 20000), "invalid message length 20000"},
		{"password after startup", raw('p', []byte("secret\x00")), "invalid frontend message type 112"},
		{"dropped mid-message", raw('Q', []byte("select 1\x00"))[:8], ""},
		{"dropped in the header", []byte{'Q', 0, 0}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := connectRaw(t, ts.addr)
			c.write(tc.input)
			c.nc.(*net.TCPConn).CloseWrite()
			got := c.expectClosed()
			if tc.want == "" {
				if len(got) != 0 {
					t.Errorf("got %v, want a silent close", got)
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0], tc.want) ||
				!strings.Contains(got[0], `"Code":"08P01"`) || !strings.Contains(got[0], `"Severity":"FATAL"`) {
				t.Errorf("got %v, want one FATAL 08P01 with %q", got, tc.want)
			}
		})
	}
	waitFor(t, func() bool { return ts.eng.openSessions() == 1 })
	bystander.send(&pgproto3.Query{String: "select 1"})
	if got := bystander.until("ReadyForQuery"); len(got) != 4 {
		t.Errorf("bystander got %v", got)
	}
}

// TestMalformedMessages: a frame whose body does not decode fails that
// message only.
func TestMalformedMessages(t *testing.T) {
	ts := startServer(t)
	c := connectRaw(t, ts.addr)
	// A Query without its terminating NUL.
	c.write(raw('Q', []byte("select 1")))
	c.expect(
		`{"Type":"ErrorResponse","Code":"08P01","Message":"invalid Query message format","Severity":"ERROR","SeverityUnlocalized":"ERROR"}`,
		`{"Type":"ReadyForQuery","TxStatus":"I"}`,
	)
	// A truncated Bind starts skipping to Sync.
	c.write(raw('B', []byte("\x00\x00\x00")))
	c.write(raw('E', []byte("\x00\x00\x00\x00\x00")))
	c.write(raw('S', nil))
	c.expect(
		`{"Type":"ErrorResponse","Code":"08P01","Message":"invalid Bind message format","Severity":"ERROR","SeverityUnlocalized":"ERROR"}`,
		`{"Type":"ReadyForQuery","TxStatus":"I"}`,
	)
}

// TestPanicClosesOnlyThatConnection: a panicking statement gets FATAL
// XX000 on its connection; the others go on.
func TestPanicClosesOnlyThatConnection(t *testing.T) {
	ts := startServer(t)
	other := connectRaw(t, ts.addr)
	c := connectRaw(t, ts.addr)
	c.send(&pgproto3.Query{String: "panic"})
	got := c.expectClosed()
	if len(got) != 1 || !strings.Contains(got[0], `"Code":"XX000"`) || !strings.Contains(got[0], `"FATAL"`) {
		t.Errorf("got %v", got)
	}
	other.send(&pgproto3.Query{String: "insert 1"})
	other.expect(`{"Type":"CommandComplete","CommandTag":"INSERT 0 1"}`, `{"Type":"ReadyForQuery","TxStatus":"I"}`)
}

// TestLargeResultStreams reads a result larger than the flush threshold.
func TestLargeResultStreams(t *testing.T) {
	ts := startServer(t)
	c := connectRaw(t, ts.addr)
	c.send(&pgproto3.Query{String: "generate 50000"})
	rows := 0
	for {
		m := c.receive()
		if _, ok := m.(*pgproto3.DataRow); ok {
			rows++
		}
		if _, ok := m.(*pgproto3.ReadyForQuery); ok {
			break
		}
	}
	if rows != 50000 {
		t.Errorf("got %d rows", rows)
	}
}

// TestClientGoneDuringResult: a client that disconnects while rows stream
// ends its session and nothing else.
func TestClientGoneDuringResult(t *testing.T) {
	ts := startServer(t)
	c := connectRaw(t, ts.addr)
	c.send(&pgproto3.Query{String: "generate 100000"})
	c.receive()
	c.nc.Close()
	waitFor(t, func() bool { return ts.eng.openSessions() == 0 })
}

// TestShutdown: idle and busy sessions get FATAL 57P01, Serve returns
// ErrServerClosed, and a connection arriving afterwards gets 57P03.
func TestShutdown(t *testing.T) {
	eng := &fakeEngine{sleeping: make(chan struct{}, 1)}
	srv := &Server{Engine: eng, Logger: testLogger(t)}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(context.Background(), l) }()

	idle := connectRaw(t, l.Addr().String())
	busy := connectRaw(t, l.Addr().String())
	busy.send(&pgproto3.Query{String: "sleep"})
	<-eng.sleeping
	silent := dialRaw(t, l.Addr().String()) // connected, no startup yet
	waitFor(t, func() bool {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		return len(srv.mu.conns) == 3
	})

	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := <-served; err != ErrServerClosed {
		t.Errorf("Serve returned %v", err)
	}
	const fatal = `{"Type":"ErrorResponse","Code":"57P01","Message":"terminating connection due to administrator command","Severity":"FATAL","SeverityUnlocalized":"FATAL"}`
	for name, c := range map[string]*rawClient{"idle": idle, "busy": busy} {
		if got := c.expectClosed(); len(got) != 1 || got[0] != fatal {
			t.Errorf("%s session got %v", name, got)
		}
	}
	if got := silent.expectClosed(); len(got) != 0 {
		t.Errorf("connection in startup got %v", got)
	}
	if n := eng.openSessions(); n != 0 {
		t.Errorf("%d sessions open", n)
	}

	// After Shutdown: ServeConn refuses, Serve returns at once.
	client, server := net.Pipe()
	go srv.ServeConn(context.Background(), server)
	fe := pgproto3.NewFrontend(client, client)
	m, err := fe.Receive()
	if err != nil || !strings.Contains(toJSON(m), `"Code":"57P03"`) {
		t.Errorf("connection after Shutdown got %v, %v", m, err)
	}
	client.Close()
	l2, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Serve(context.Background(), l2); err != ErrServerClosed {
		t.Errorf("Serve after Shutdown: %v", err)
	}
}

// TestServeConnContext: when ServeConn's context ends the session ends as
// on Shutdown.
func TestServeConnContext(t *testing.T) {
	eng := &fakeEngine{}
	srv := &Server{Engine: eng, Logger: testLogger(t)}
	client, server := net.Pipe()
	defer client.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		srv.ServeConn(ctx, server)
		close(done)
	}()
	c := &rawClient{t: t, nc: client, fe: pgproto3.NewFrontend(client, client)}
	_ = client.SetDeadline(time.Now().Add(testTimeout))
	c.startup(map[string]string{"user": "u"})
	cancel()
	if got := c.expectClosed(); len(got) != 1 || !strings.Contains(got[0], `"Code":"57P01"`) {
		t.Errorf("got %v", got)
	}
	<-done
	if eng.openSessions() != 0 {
		t.Error("session left open")
	}
}

// TestStartupTimeout: a client that never finishes startup is dropped.
func TestStartupTimeout(t *testing.T) {
	ts := startServer(t, func(s *Server) { s.StartupTimeout = 50 * time.Millisecond })
	c := dialRaw(t, ts.addr)
	c.write([]byte{0, 0, 0, 40}) // a startup length, then nothing
	start := time.Now()
	if got := c.expectClosed(); len(got) != 0 {
		t.Errorf("got %v", got)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("closed after %v", d)
	}
}

// waitFor polls cond until it holds or the test times out.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestLargeMessage sends a Query larger than the read chunk.
func TestLargeMessage(t *testing.T) {
	ts := startServer(t)
	c := connectRaw(t, ts.addr)
	big := strings.Repeat("x", 300<<10)
	c.send(&pgproto3.Query{String: "select '" + big + "'"})
	got := c.until("ReadyForQuery")
	if len(got) != 4 || !strings.Contains(got[1], big) {
		t.Errorf("got %d messages", len(got))
	}
}

// TestShutdownDeadline: a client that stops reading cannot hold Shutdown
// beyond its context; the connection is closed.
func TestShutdownDeadline(t *testing.T) {
	eng := &fakeEngine{}
	srv := &Server{Engine: eng, Logger: testLogger(t)}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	// Small socket buffers on both ends (autotuning could grow them to
	// tens of MB), so that an unread result blocks the server's writes.
	go func() {
		nc, err := l.Accept()
		if err != nil {
			return
		}
		_ = nc.(*net.TCPConn).SetWriteBuffer(32 << 10)
		srv.ServeConn(context.Background(), nc)
	}()
	c := dialRaw(t, l.Addr().String())
	if err := c.nc.(*net.TCPConn).SetReadBuffer(32 << 10); err != nil {
		t.Fatal(err)
	}
	c.startup(map[string]string{"user": "u"})
	c.send(&pgproto3.Query{String: "generate 100000"}) // never read
	waitFor(t, func() bool {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		return len(srv.mu.conns) == 1
	})
	time.Sleep(50 * time.Millisecond)

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := srv.Shutdown(ctx); err != context.DeadlineExceeded {
		t.Errorf("Shutdown: %v, want the context's error", err)
	}
	waitFor(t, func() bool { return eng.openSessions() == 0 })
}
