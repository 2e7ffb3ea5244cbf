package server

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"
)

// protocolKind says which service a connection on the shared port belongs to.
type protocolKind int

const (
	protoUnknown  protocolKind = iota
	protoPostgres              // a PostgreSQL startup, SSL, GSSENC or cancel request
	protoGRPC                  // the HTTP/2 client preface of a gRPC peer
)

// http2Preface starts every HTTP/2 connection, so every gRPC peer.
var http2Preface = []byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")

// The request codes a PostgreSQL client sends in its first packet.
const (
	pgProtocol3   = 196608   // StartupMessage, protocol 3.0
	pgSSLRequest  = 80877103 // SSLRequest
	pgGSSENC      = 80877104 // GSSENCRequest
	pgCancel      = 80877102 // CancelRequest
	sniffLen      = 8
	sniffDeadline = 10 * time.Second
)

// classify decides from a connection's first eight bytes which service it is
// for. A PostgreSQL packet starts with its int32 length and an int32 code;
// gRPC starts with the HTTP/2 preface.
func classify(first []byte) protocolKind {
	if len(first) < sniffLen {
		return protoUnknown
	}
	if bytes.HasPrefix(http2Preface, first[:sniffLen]) || isTLSHello(first) {
		return protoGRPC // peers with --peer-ca speak gRPC over TLS (peertls.go)
	}
	length := binary.BigEndian.Uint32(first[0:4])
	code := binary.BigEndian.Uint32(first[4:8])
	switch code {
	case pgSSLRequest, pgGSSENC:
		if length == 8 {
			return protoPostgres
		}
	case pgCancel:
		if length == 16 {
			return protoPostgres
		}
	default:
		// A StartupMessage: protocol major 3 (any minor), length bounded as
		// pgproto3 bounds it.
		if code>>16 == 3 && length >= 8 && length <= 10000 {
			return protoPostgres
		}
	}
	return protoUnknown
}

// sniffedConn replays the bytes read while classifying a connection.
type sniffedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *sniffedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// mux accepts connections on the shared port and routes each to PostgreSQL
// or gRPC by its first bytes, like rqlite's tcp/mux and CockroachDB's Match.
type mux struct {
	ln     net.Listener
	logger *slog.Logger
	// pg receives PostgreSQL connections; it is called on its own goroutine.
	pg func(net.Conn)
	// grpc is a listener fed with gRPC connections, for grpc.Server.Serve.
	grpc *chanListener
}

// serve accepts until the listener is closed.
func (m *mux) serve() error {
	var delay time.Duration
	for {
		c, err := m.ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				time.Sleep(delay)
				continue
			}
			m.grpc.Close()
			return err
		}
		delay = 0
		go m.route(c)
	}
}

func (m *mux) route(c net.Conn) {
	_ = c.SetReadDeadline(time.Now().Add(sniffDeadline))
	r := bufio.NewReader(c)
	first, err := r.Peek(sniffLen)
	if err != nil {
		c.Close()
		return
	}
	_ = c.SetReadDeadline(time.Time{})
	sc := &sniffedConn{Conn: c, r: r}
	switch classify(first) {
	case protoPostgres:
		m.pg(sc)
	case protoGRPC:
		if !m.grpc.deliver(sc) {
			c.Close()
		}
	default:
		m.logger.Debug("closing connection with an unknown protocol", "remote", c.RemoteAddr())
		c.Close()
	}
}

// chanListener is a net.Listener whose connections come from the mux.
type chanListener struct {
	addr  net.Addr
	conns chan net.Conn
	once  sync.Once
	done  chan struct{}
}

func newChanListener(addr net.Addr) *chanListener {
	return &chanListener{addr: addr, conns: make(chan net.Conn), done: make(chan struct{})}
}

// deliver hands c to Accept; it reports false once the listener is closed.
func (l *chanListener) deliver(c net.Conn) bool {
	select {
	case l.conns <- c:
		return true
	case <-l.done:
		return false
	}
}

// Accept implements net.Listener.
func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close implements net.Listener.
func (l *chanListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

// Addr implements net.Listener.
func (l *chanListener) Addr() net.Addr { return l.addr }
