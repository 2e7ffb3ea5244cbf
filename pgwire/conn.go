package pgwire

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"runtime/debug"
	"sync"
	"time"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/jackc/pgx/v5/pgproto3"
)

// conn is one client connection. Its serving goroutine (run, then serve)
// alone reads and writes the socket, calls the Session and touches the
// statement and portal maps. Other goroutines reach a conn only through
// drain and cancelStatement.
type conn struct {
	srv    *Server
	nc     net.Conn
	rd     *bufio.Reader
	be     *pgproto3.Backend
	logger *slog.Logger

	// Set during startup and read-only afterwards; pid and secret are
	// published to CancelRequest through Server.mu.
	pid    uint32
	secret []byte
	sess   Session

	// Owned by the serving goroutine.
	stmts      map[string]Statement
	portals    map[string]*portal
	skipToSync bool   // an extended-protocol message failed: ignore input until Sync
	unflushed  int    // bytes sent since the last flush, roughly
	rowBuf     []byte // scratch space for encoding a DataRow
	writeErr   error  // the first failed write; the connection is finished
	// fr reads the client's messages once serve runs (reader.go); COPY
	// FROM STDIN reads them in the middle of a message too (copy.go).
	// readErr is a failed read (or Terminate) seen there, for serve.
	fr      *frameReader
	readErr error
	// detached is serve's context without its cancellation, the parent of
	// every statement's context (runStatement).
	detached context.Context
	// Messages reused for every result (Send encodes them at once).
	rfq      pgproto3.ReadyForQuery
	complete pgproto3.CommandComplete
	dataRow  pgproto3.DataRow
	rowEnds  []int
	desc     lastDescription
	// sparePortal is the unnamed portal of the last cycle, recycled by
	// the next Bind to it (extended.go).
	sparePortal *portal

	mu struct {
		sync.Mutex
		// cancel cancels the context of the running statement; nil
		// between statements.
		cancel context.CancelCauseFunc
		// draining is set by drain: the session ends at the next
		// message boundary, and a statement error becomes 57P01.
		draining bool
		// serving is set once startup no longer reads from the client;
		// before, drain closes the connection at once.
		serving bool
	}
}

// flushThreshold is how much result data is buffered before it is written
// out in the middle of a result.
const flushThreshold = 64 << 10

// errNoReads is the Backend's reader: frames are read by frame.go, never by
// pgproto3.Backend.Receive.
type errNoReads struct{}

func (errNoReads) Read([]byte) (int, error) {
	return 0, errors.New("pgwire: messages are read by readFrame")
}

func newConn(s *Server, nc net.Conn) *conn {
	return &conn{
		srv:     s,
		nc:      nc,
		rd:      bufio.NewReaderSize(nc, 16<<10),
		be:      pgproto3.NewBackend(errNoReads{}, nc),
		logger:  s.logger().With("remote", nc.RemoteAddr().String()),
		stmts:   make(map[string]Statement),
		portals: make(map[string]*portal),
	}
}

// run serves the connection from its first byte to its end and closes it.
func (c *conn) run(ctx context.Context) {
	defer c.nc.Close()
	defer c.closeSession()
	stop := context.AfterFunc(ctx, c.drain)
	defer stop()
	if !c.startup(ctx) {
		return
	}
	c.serve(ctx)
}

// serve runs the message loop of an established session: one message at a
// time, through the flat switch of handle. It ends when
//
//  1. the client sends Terminate;
//  2. a read fails: the client closed the connection or dropped it in the
//     middle of a message, or the socket broke (nothing is sent);
//  3. the client breaks the framing: an unknown message type, a length over
//     MaxMessageSize or negative (FATAL 08P01);
//  4. the server drains (Shutdown) or ServeConn's ctx is done (FATAL
//     57P01; a running statement is cancelled first);
//  5. a write to the client fails;
//  6. handling a message panics (FATAL XX000, stack logged);
//  7. the engine returns an error of FATAL severity.
//
// A CancelRequest does not end it: it cancels the running statement's
// context and the statement fails with 57014.
//
// Between statements serve waits for the client's next message
// (reader.go); a drain ends that wait at once and wins over messages
// already received.
func (c *conn) serve(ctx context.Context) {
	c.fr = &frameReader{rd: c.rd, max: c.srv.maxMessageSize()}
	c.detached = context.WithoutCancel(ctx)
	for {
		r, drained, idled := c.nextFrame(c.idleTimeout())
		switch {
		case drained:
			c.sendFatal(errAdminShutdown)
			return
		case idled:
			c.sendFatal(errIdleInTransaction)
			return
		case r.err != nil:
			c.readFailed(r.err)
			return
		}
		if !c.handle(ctx, r.frame) {
			return
		}
		if c.readErr != nil {
			if c.readErr != errTerminated {
				c.readFailed(c.readErr)
			}
			return
		}
	}
}

// readFailed ends the session after a failed read: a protocol violation
// is reported first, a broken connection is not.
func (c *conn) readFailed(err error) {
	if e := sqlerr.As(err); e != nil {
		c.logger.Debug("pgwire: protocol violation; closing the connection", "err", err)
		c.sendFatal(e)
		c.linger()
		return
	}
	if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
		c.logger.Debug("pgwire: read failed; closing the connection", "err", err)
	}
}

// Bounds of linger.
const (
	lingerTimeout = time.Second
	lingerMax     = 1 << 20
)

// linger half-closes the connection after a FATAL error and discards what
// the client still sends, for a moment, so that closing with unread input
// does not reset the connection before the client has read the error
// (net/http's closeWriteAndWait does the same). Only the serving goroutine
// calls it, after the reader goroutine has stopped.
func (c *conn) linger() {
	if cw, ok := c.nc.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
	}
	_ = c.nc.SetReadDeadline(time.Now().Add(lingerTimeout))
	_, _ = io.Copy(io.Discard, io.LimitReader(c.rd, lingerMax))
}

// handle handles one message and reports whether the session goes on. It
// is the protocol's message switch; the handlers live in query.go (simple
// Query) and extended.go.
func (c *conn) handle(ctx context.Context, f frame) (more bool) {
	defer func() {
		if r := recover(); r != nil {
			c.logger.Error("pgwire: panic while handling a message; closing the connection",
				"panic", r, "message", messageName(f.typ), "stack", string(debug.Stack()))
			e := sqlerr.New(sqlerr.InternalError, "internal error: %v", r)
			e.Severity = "FATAL"
			c.sendFatal(e)
			more = false
		}
	}()
	if f.decodeErr != nil {
		return c.handleMalformed(f)
	}
	if c.skipToSync {
		switch f.msg.(type) {
		case *pgproto3.Sync, *pgproto3.Terminate:
		default:
			return true
		}
	}
	var err error
	switch m := f.msg.(type) {
	case *pgproto3.Query:
		return c.handleQuery(ctx, m.String)
	case *pgproto3.Parse:
		err = c.handleParse(ctx, m)
	case *pgproto3.Bind:
		err = c.handleBind(m)
	case *pgproto3.Describe:
		err = c.handleDescribe(m)
	case *pgproto3.Execute:
		err = c.handleExecute(ctx, m)
	case *pgproto3.Close:
		err = c.handleClose(m)
	case *pgproto3.Sync:
		return c.handleSync()
	case *pgproto3.Flush:
		return c.flush() == nil
	case *pgproto3.Terminate:
		return false
	case *pgproto3.FunctionCall:
		if !c.reportError(sqlerr.New(sqlerr.FeatureNotSupported, "function call messages are not supported")) {
			return false
		}
		return c.readyForQuery()
	case *pgproto3.CopyData, *pgproto3.CopyDone, *pgproto3.CopyFail:
		// Outside COPY PostgreSQL ignores these: they are what is left
		// of a COPY that already failed.
		return true
	}
	if err != nil {
		c.skipToSync = true
		return c.reportError(err)
	}
	return c.writeErr == nil
}

// handleMalformed answers a message whose body did not decode. The framing
// is intact, so only that message fails, as in PostgreSQL.
func (c *conn) handleMalformed(f frame) bool {
	switch f.typ {
	case 'X':
		return false
	case 'S':
		c.skipToSync = false
		return c.reportError(f.decodeErr) && c.readyForQuery()
	}
	if c.skipToSync {
		return true
	}
	switch f.typ {
	case 'd', 'c', 'f':
		return true
	case 'Q', 'F':
		return c.reportError(f.decodeErr) && c.readyForQuery()
	}
	c.skipToSync = true
	return c.reportError(f.decodeErr)
}

// runStatement runs fn with a context that CancelRequest (cause
// errQueryCanceled) and drain (cause errAdminShutdown) can cancel. The
// context keeps ctx's values but not its cancellation: a server context
// that ends drains the session instead.
func (c *conn) runStatement(ctx context.Context, fn func(context.Context) error) error {
	parent := c.detached
	if parent == nil {
		parent = context.WithoutCancel(ctx)
	}
	sctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	c.mu.Lock()
	if c.mu.draining {
		c.mu.Unlock()
		return errAdminShutdown
	}
	c.mu.cancel = cancel
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.mu.cancel = nil
		c.mu.Unlock()
	}()
	if err := fn(sctx); err != nil {
		return engineError{err}
	}
	return nil
}

// engineError marks an error the Session returned, which the session has
// therefore seen; reportError tells the session about the others.
type engineError struct{ err error }

func (e engineError) Error() string { return e.err.Error() }
func (e engineError) Unwrap() error { return e.err }

// cancelStatement cancels the running statement, if any (CancelRequest).
func (c *conn) cancelStatement() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mu.cancel != nil {
		c.mu.cancel(errQueryCanceled)
	}
}

// drain asks the session to end: its running statement is cancelled, a
// wait for the client's next message ends, and the serve loop sends 57P01
// at the next message boundary; a connection still in startup is closed.
// Safe to call from any goroutine, more than once.
func (c *conn) drain() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mu.draining {
		return
	}
	c.mu.draining = true
	if c.mu.cancel != nil {
		c.mu.cancel(errAdminShutdown)
	}
	if !c.mu.serving {
		c.nc.Close()
		return
	}
	_ = c.nc.SetReadDeadline(drainDeadline)
}

// startServing marks the end of the phase in which drain closes the
// connection; it fails if drain already did.
func (c *conn) startServing() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.mu.serving = true
	return !c.mu.draining
}

func (c *conn) isDraining() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mu.draining
}

// reportError sends err as an ErrorResponse and reports whether the
// session goes on. While draining any statement error becomes the 57P01
// that ends the session.
func (c *conn) reportError(err error) bool {
	if c.writeErr != nil {
		return false
	}
	e, internal := toSQLError(err)
	if internal {
		c.logger.Error("pgwire: error without SQLSTATE", "err", err)
	}
	if c.isDraining() {
		e = errAdminShutdown
	}
	if isFatal(e) {
		c.sendFatal(e)
		return false
	}
	c.be.Send(errorResponse(e))
	if a, ok := c.sess.(TxAborter); ok && !errors.As(err, new(engineError)) {
		a.AbortTransaction()
	}
	return true
}

// sendFatal sends a FATAL error and flushes; the caller closes.
func (c *conn) sendFatal(e *sqlerr.Error) {
	if c.writeErr != nil {
		return
	}
	if !isFatal(e) {
		f := *e
		f.Severity = "FATAL"
		e = &f
	}
	c.be.Send(errorResponse(e))
	_ = c.flush()
}

// flush writes out what has been sent; the first failure is kept in
// writeErr and ends the session.
func (c *conn) flush() error {
	if c.writeErr != nil {
		return c.writeErr
	}
	c.unflushed = 0
	if err := c.be.Flush(); err != nil {
		c.writeErr = err
		c.logger.Debug("pgwire: write failed; closing the connection", "err", err)
		return err
	}
	return nil
}

// closeSession closes the engine session, if startup opened one.
func (c *conn) closeSession() {
	if c.sess == nil {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			c.logger.Error("pgwire: panic closing a session", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	c.sess.Close()
}
