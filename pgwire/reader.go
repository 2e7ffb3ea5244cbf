package pgwire

import (
	"errors"
	"os"
	"time"
)

// Reading. The serving goroutine reads the client's messages itself,
// between statements, as PostgreSQL's backend does: a message costs no
// hand-over between goroutines, and a client that pipelines (Bind, Execute
// and Sync in one packet, or a pgx batch) has its messages taken from the
// read buffer one after another without waiting. A frame's message and
// body are never reused (frameReader allocates them from slabs that are
// only ever appended to), so whatever a handler keeps of a message stays
// intact.
//
// Two things end a wait for the client: drain (Shutdown) and the
// idle-in-transaction timeout. Both work through the socket's read
// deadline. drain moves it into the past, so a read waiting for the client
// returns at once; the timeout sets it before each read inside a
// transaction block and clears it after. The mutex orders the two: drain
// sets draining and the deadline under it, and setReadDeadline checks
// draining under it, so the deadline of a drain is never replaced.

// readResult is one frame, or the failed read that ends the input.
type readResult struct {
	frame frame
	// err ends the connection: an *sqlerr.Error is a protocol violation to
	// report, anything else a read failure.
	err error
}

// drainDeadline is the read deadline drain sets: any moment in the past.
var drainDeadline = time.Unix(1, 0)

// nextFrame reads the client's next message. It returns drained, and no
// frame, once the server drains, even with messages already buffered;
// idled when idle is positive and passed before a whole message arrived.
func (c *conn) nextFrame(idle time.Duration) (r readResult, drained, idled bool) {
	if c.isDraining() {
		return readResult{}, true, false
	}
	if idle > 0 {
		if !c.setReadDeadline(time.Now().Add(idle)) {
			return readResult{}, true, false
		}
		defer c.setReadDeadline(time.Time{})
	}
	f, err := c.fr.read()
	if err != nil {
		switch {
		case c.isDraining():
			return readResult{}, true, false
		case idle > 0 && errors.Is(err, os.ErrDeadlineExceeded):
			return readResult{}, false, true
		}
	}
	return readResult{frame: f, err: err}, false, false
}

// setReadDeadline sets the socket's read deadline unless the connection
// drains, and reports whether it did.
func (c *conn) setReadDeadline(t time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mu.draining {
		return false
	}
	_ = c.nc.SetReadDeadline(t)
	return true
}
