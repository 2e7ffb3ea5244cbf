package pgwire

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// fuzzConn is a net.Conn whose client sent input and then closed its side:
// reads return input, then EOF. Writes are recorded one Write per chunk,
// so that the one-byte answers to SSLRequest/GSSENCRequest can be told
// apart from framed messages.
type fuzzConn struct {
	r *bytes.Reader

	mu     sync.Mutex
	writes [][]byte
	closed bool
}

func (c *fuzzConn) Read(p []byte) (int, error) { return c.r.Read(p) }

func (c *fuzzConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, net.ErrClosed
	}
	c.writes = append(c.writes, append([]byte(nil), p...))
	return len(p), nil
}

func (c *fuzzConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	return nil
}

func (c *fuzzConn) LocalAddr() net.Addr                { return &net.TCPAddr{} }
func (c *fuzzConn) RemoteAddr() net.Addr               { return &net.TCPAddr{} }
func (c *fuzzConn) SetDeadline(t time.Time) error      { return nil }
func (c *fuzzConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *fuzzConn) SetWriteDeadline(t time.Time) error { return nil }

// serveInput runs one connection whose client sends input and checks the
// server's side of the bargain: ServeConn returns promptly, no engine
// session is left open, everything written is a well-formed sequence of
// backend messages, and nothing follows a FATAL error.
func serveInput(t *testing.T, input []byte, configure ...func(*Server)) {
	eng := &fakeEngine{noSleep: true}
	srv := &Server{
		Engine:         eng,
		Logger:         slog.New(slog.DiscardHandler),
		MaxMessageSize: 1 << 20,
	}
	for _, f := range configure {
		f(srv)
	}
	nc := &fuzzConn{r: bytes.NewReader(input)}
	done := make(chan struct{})
	go func() {
		srv.ServeConn(context.Background(), nc)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(testTimeout):
		t.Fatalf("ServeConn did not return for input %q", input)
	}
	if n := eng.openSessions(); n != 0 {
		t.Fatalf("%d sessions left open", n)
	}
	var out []byte
	for _, w := range nc.writes {
		if len(w) == 1 && w[0] == 'N' {
			continue // the answer to an encryption request
		}
		out = append(out, w...)
	}
	fatal := false
	for rest := out; len(rest) > 0; {
		if len(rest) < 5 {
			t.Fatalf("server wrote a truncated message header %x", rest)
		}
		n := int(binary.BigEndian.Uint32(rest[1:5]))
		if n < 4 || len(rest) < 1+n {
			t.Fatalf("server wrote a message of bad length %d: %x", n, rest)
		}
		fe := pgproto3.NewFrontend(bytes.NewReader(rest[:1+n]), io.Discard)
		rest = rest[1+n:]
		m, err := fe.Receive()
		if err != nil {
			t.Fatalf("server wrote a malformed message: %v\noutput %x", err, out)
		}
		if fatal {
			t.Fatalf("a message after FATAL: %s", toJSON(m))
		}
		if e, ok := m.(*pgproto3.ErrorResponse); ok && e.Severity == "FATAL" {
			fatal = true
		}
	}
}

// encode concatenates encoded messages.
func encode(msgs ...interface{ Encode([]byte) ([]byte, error) }) []byte {
	var b []byte
	for _, m := range msgs {
		var err error
		if b, err = m.Encode(b); err != nil {
			panic(err)
		}
	}
	return b
}

var fuzzStartup = encode(&pgproto3.StartupMessage{
	ProtocolVersion: pgproto3.ProtocolVersion30,
	Parameters:      map[string]string{"user": "u", "database": "d"},
})

// FuzzStartup feeds arbitrary bytes as a connection's first packets.
func FuzzStartup(f *testing.F) {
	ssl := binary.BigEndian.AppendUint32([]byte{0, 0, 0, 8}, sslRequestCode)
	gss := binary.BigEndian.AppendUint32([]byte{0, 0, 0, 8}, gssEncRequestCode)
	f.Add(fuzzStartup)
	f.Add(append(append([]byte(nil), ssl...), fuzzStartup...))
	f.Add(append(append(append([]byte(nil), gss...), ssl...), fuzzStartup...))
	f.Add(append(append([]byte(nil), ssl...), ssl...))
	f.Add(encode(&pgproto3.CancelRequest{ProcessID: 1, SecretKey: []byte{1, 2, 3, 4}}))
	f.Add(encode(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion32,
		Parameters: map[string]string{"user": "u", "_pq_.x": "1"}}))
	f.Add(append(append([]byte(nil), fuzzStartup...), encode(&pgproto3.Query{String: "select 1"})...))
	f.Add(startupPacket(pgproto3.ProtocolVersion30, "database", "x"))
	f.Add(startupPacket(pgproto3.ProtocolVersion30, "user", "u", "database", "nodb"))
	f.Add([]byte{0, 0, 0, 9, 0, 3, 0, 0, 0})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, input []byte) {
		serveInput(t, input)
	})
}

// FuzzMessages feeds arbitrary bytes after a valid startup: the message
// decoding, the simple and extended protocols and their error paths.
func FuzzMessages(f *testing.F) {
	seeds := [][]byte{
		encode(&pgproto3.Query{String: "select 1, 'x'::text; generate 3"}),
		encode(&pgproto3.Query{String: ""}, &pgproto3.Query{String: "begin"}, &pgproto3.Query{String: "fail 42P01 x"},
			&pgproto3.Query{String: "rollback"}),
		encode(&pgproto3.Parse{Name: "s", Query: "select $1::int4, $2::numeric"},
			&pgproto3.Describe{ObjectType: 'S', Name: "s"},
			&pgproto3.Bind{DestinationPortal: "p", PreparedStatement: "s", ParameterFormatCodes: []int16{1},
				Parameters: [][]byte{{0, 0, 0, 7}, {0, 1, 0, 0, 0, 0, 0, 0, 0, 5}}, ResultFormatCodes: []int16{1}},
			&pgproto3.Describe{ObjectType: 'P', Name: "p"},
			&pgproto3.Execute{Portal: "p"},
			&pgproto3.Close{ObjectType: 'P', Name: "p"},
			&pgproto3.Sync{}),
		encode(&pgproto3.Parse{Query: "generate 5"}, &pgproto3.Bind{}, &pgproto3.Execute{MaxRows: 2},
			&pgproto3.Execute{MaxRows: 2}, &pgproto3.Flush{}, &pgproto3.Execute{}, &pgproto3.Sync{}),
		encode(&pgproto3.Parse{Query: "select $1::date, $2::timestamptz, $3::bytea"},
			&pgproto3.Bind{ParameterFormatCodes: []int16{0, 1, 1},
				Parameters: [][]byte{[]byte("2024-01-02"), {0, 0, 0, 0, 0, 0, 0, 1}, {0xff}}},
			&pgproto3.Execute{}, &pgproto3.Sync{}),
		encode(&pgproto3.Bind{PreparedStatement: "nope"}, &pgproto3.Execute{}, &pgproto3.Sync{}),
		encode(&pgproto3.Query{String: "panic"}),
		encode(&pgproto3.Query{String: "sleep"}, &pgproto3.Query{String: "set a = b"}, &pgproto3.Query{String: "notice n"}),
		encode(&pgproto3.Query{String: "oops"}, &pgproto3.Terminate{}),
		encode(&pgproto3.CopyData{Data: []byte("x")}, &pgproto3.CopyDone{}, &pgproto3.FunctionCall{Function: 1}),
		raw('B', []byte{0, 0, 0}),
		raw('Q', []byte("no terminator")),
		{'Q', 0x7f, 0xff, 0xff, 0xff},
		{'Z', 0, 0, 0, 4},
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		serveInput(t, append(append([]byte(nil), fuzzStartup...), input...))
	})
}
