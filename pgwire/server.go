package pgwire

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"
)

// ErrServerClosed is returned by Serve after Shutdown has been called.
var ErrServerClosed = errors.New("pgwire: server closed")

// Defaults for the zero values of Server's configuration fields.
const (
	// DefaultMaxMessageSize is PostgreSQL's own limit on a message (1 GiB).
	DefaultMaxMessageSize = 1 << 30
	// DefaultVersion is the server_version reported to clients.
	DefaultVersion = "15.0"
	// DefaultStartupTimeout is PostgreSQL's authentication_timeout.
	DefaultStartupTimeout = 60 * time.Second
)

// Server serves the PostgreSQL v3 protocol. The exported fields are its
// configuration; set them before the first Serve or ServeConn and do not
// change them afterwards. A Server must not be copied after first use.
type Server struct {
	// Engine opens a Session for every client that completes startup. It
	// is required.
	Engine Engine

	// Logger receives connection-level events: protocol violations at Debug,
	// internal errors (an error without SQLSTATE, a recovered panic) at
	// Error. nil means slog.Default().
	Logger *slog.Logger

	// MaxMessageSize is the largest message a client may send, in bytes,
	// counting the four length bytes as the protocol does. A longer (or
	// negative) length claim ends that connection with a 08P01 FATAL
	// error before any of the body is read. Zero means
	// DefaultMaxMessageSize (1 GiB). Sync, Flush, Execute, Describe, Close
	// and Terminate are further limited to 10,000 bytes, as in PostgreSQL.
	MaxMessageSize int

	// Version is reported as the server_version parameter. psql picks its
	// catalog queries by it, so it should be a PostgreSQL version whose
	// queries the engine answers. Empty means DefaultVersion ("15.0").
	Version string

	// StartupTimeout bounds the time from accepting a connection to the
	// end of authentication (SSLRequest, StartupMessage, auth); a client
	// that takes longer is disconnected. Zero means DefaultStartupTimeout;
	// a negative value means no limit.
	StartupTimeout time.Duration

	// Security holds client authentication, TLS and connection limits
	// (security.go). Its zero value is trust, plain text, no limit.
	Security Security

	mu struct {
		sync.Mutex
		// sessions holds the connections that finished startup, by their
		// BackendKeyData process ID, for CancelRequest.
		sessions map[uint32]*conn
		// conns holds every open connection, in startup or not, so that
		// Shutdown can reach them.
		conns map[*conn]struct{}
		// listeners are the listeners of running Serve calls.
		listeners map[*net.Listener]struct{}
		// draining is set by Shutdown: no new connections or sessions.
		draining bool
		// idle is closed when draining and conns becomes empty; created by
		// Shutdown.
		idle chan struct{}
	}
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

func (s *Server) maxMessageSize() int {
	if s.MaxMessageSize > 0 {
		return s.MaxMessageSize
	}
	return DefaultMaxMessageSize
}

func (s *Server) version() string {
	if s.Version != "" {
		return s.Version
	}
	return DefaultVersion
}

func (s *Server) startupTimeout() time.Duration {
	if s.StartupTimeout == 0 {
		return DefaultStartupTimeout
	}
	return s.StartupTimeout
}

// Serve accepts connections on l and serves each on its own goroutine
// until l fails, ctx is done or Shutdown is called. A temporary accept
// error is retried with a doubling delay capped at one second. Serve
// closes l when it returns; it returns ErrServerClosed after Shutdown,
// ctx.Err() when ctx is done, else the accept error.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	if !s.trackListener(&l, true) {
		l.Close()
		return ErrServerClosed
	}
	defer s.trackListener(&l, false)

	stop := context.AfterFunc(ctx, func() { l.Close() })
	defer stop()

	var delay time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if s.isDraining() {
				return ErrServerClosed
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				s.logger().Warn("pgwire: accept error; retrying", "err", err, "delay", delay)
				select {
				case <-time.After(delay):
				case <-ctx.Done():
				}
				continue
			}
			l.Close()
			return err
		}
		delay = 0
		go s.ServeConn(ctx, nc)
	}
}

// trackListener adds or removes l from the set Shutdown closes; adding
// fails once the server is draining.
func (s *Server) trackListener(l *net.Listener, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add {
		if s.mu.draining {
			return false
		}
		if s.mu.listeners == nil {
			s.mu.listeners = make(map[*net.Listener]struct{})
		}
		s.mu.listeners[l] = struct{}{}
		return true
	}
	delete(s.mu.listeners, l)
	return true
}

// ServeConn serves one client connection, from its first byte (an
// SSLRequest, GSSENCRequest, CancelRequest or StartupMessage) to
// Terminate, and closes it. It returns when the connection ends. When ctx
// is done the session ends as on Shutdown. The server's port multiplexer
// calls it for every connection it recognises as PostgreSQL.
func (s *Server) ServeConn(ctx context.Context, nc net.Conn) {
	c := newConn(s, nc)
	if !s.addConn(c) {
		// Shutting down: PostgreSQL answers new connections so.
		c.startupFatal(errShuttingDown)
		nc.Close()
		return
	}
	defer s.removeConn(c)
	c.run(ctx)
}

// addConn registers c; it fails once the server is draining.
func (s *Server) addConn(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.draining {
		return false
	}
	if s.mu.conns == nil {
		s.mu.conns = make(map[*conn]struct{})
	}
	s.mu.conns[c] = struct{}{}
	return true
}

// removeConn forgets c and its session key.
func (s *Server) removeConn(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.mu.conns, c)
	if c.pid != 0 && s.mu.sessions[c.pid] == c {
		delete(s.mu.sessions, c.pid)
	}
	if s.mu.draining && len(s.mu.conns) == 0 && s.mu.idle != nil {
		close(s.mu.idle)
		s.mu.idle = nil
	}
}

// registerSession gives c a fresh BackendKeyData process ID and random
// secret key and makes it reachable by CancelRequest. It fails while
// draining.
func (s *Server) registerSession(c *conn) error {
	var secret [4]byte
	if _, err := rand.Read(secret[:]); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.draining {
		return errShuttingDown
	}
	if s.mu.sessions == nil {
		s.mu.sessions = make(map[uint32]*conn)
	}
	for {
		var b [4]byte
		if _, err := rand.Read(b[:]); err != nil {
			return err
		}
		// Positive as an int4, as pg_backend_pid() returns it.
		pid := binary.BigEndian.Uint32(b[:]) & 0x7fffffff
		if _, taken := s.mu.sessions[pid]; pid == 0 || taken {
			continue
		}
		c.pid, c.secret = pid, secret[:]
		s.mu.sessions[pid] = c
		return nil
	}
}

// sessionByKey returns the session with that process ID, or nil.
func (s *Server) sessionByKey(pid uint32) *conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mu.sessions[pid]
}

func (s *Server) isDraining() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mu.draining
}

// Shutdown stops the server as PostgreSQL's fast shutdown does:
//
//  1. it closes the listeners of every Serve call, which then return
//     ErrServerClosed, and refuses new connections (57P03);
//  2. it tells every session to end: an idle session sends FATAL 57P01
//     "terminating connection due to administrator command" and closes;
//     a running statement has its context cancelled, and its session
//     sends the same 57P01 in place of the statement's error (or after
//     its result, if it completed anyway); a connection still in startup
//     is closed;
//  3. it waits until every connection has closed, or until ctx is done,
//     when it closes the remaining connections and returns ctx.Err().
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.mu.draining = true
	for l := range s.mu.listeners {
		(*l).Close()
	}
	var idle chan struct{}
	if len(s.mu.conns) > 0 {
		if s.mu.idle == nil {
			s.mu.idle = make(chan struct{})
		}
		idle = s.mu.idle
	}
	for c := range s.mu.conns {
		c.drain()
	}
	s.mu.Unlock()

	if idle == nil {
		return nil
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		for c := range s.mu.conns {
			c.nc.Close()
		}
		s.mu.Unlock()
		return ctx.Err()
	}
}
