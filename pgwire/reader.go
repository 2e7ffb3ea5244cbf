package pgwire

import (
	"bufio"
	"encoding/binary"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// The reader goroutine. It reads frames and hands them to the serving
// goroutine in batches: after each frame that had to be waited for, it
// also takes every following frame already complete in its read buffer,
// without waiting for more input. A client's Bind, Execute and Sync sent
// in one packet thus cost the serving goroutine one wake-up, not three,
// and a frame is never held back waiting for the next one.
//
// A batch ends at a failed read or a Terminate, after which the reader
// stops. Batches travel over an unbuffered channel, so the reader is at
// most one batch ahead of the serving goroutine, and a batch holds at most
// the frames of one read buffer besides its first: reading ahead does not
// buffer more than it did one frame at a time.
//
// The reader owns two batch buffers and fills them in turn. The serving
// goroutine receives a batch only once it has taken every frame of the
// previous one (conn.pending is empty), so when a send succeeds the buffer
// sent before it is free again. A frame's message and body are never
// reused (frameReader allocates them from slabs that are only ever
// appended to), so whatever a handler keeps of a message stays intact.

// maxBatch bounds the frames of one batch.
const maxBatch = 64

// readResult is one frame, or the failed read that ends the input.
type readResult struct {
	frame frame
	// err ends the connection: an *sqlerr.Error is a protocol violation to
	// report, anything else a read failure.
	err error
}

// last reports whether nothing follows r: a failed read or Terminate.
func (r readResult) last() bool {
	if r.err != nil {
		return true
	}
	_, ok := r.frame.msg.(*pgproto3.Terminate)
	return ok
}

// readLoop is the connection's reader. It reads batches of frames and
// sends them on frames until a read fails or Terminate arrives (the failure
// or the Terminate ends the last batch it sends), or until stop is closed.
// It closes done when it returns.
func (c *conn) readLoop(frames chan<- []readResult, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	fr := &frameReader{rd: c.rd, max: c.srv.maxMessageSize()}
	var bufs [2][]readResult
	for turn := 0; ; turn ^= 1 {
		batch := bufs[turn][:0]
		f, err := fr.read()
		batch = append(batch, readResult{frame: f, err: err})
		for !batch[len(batch)-1].last() && len(batch) < maxBatch && frameBuffered(c.rd) {
			f, err := fr.read()
			batch = append(batch, readResult{frame: f, err: err})
		}
		select {
		case frames <- batch:
		case <-stop:
			return
		}
		if batch[len(batch)-1].last() {
			return
		}
		// The other buffer was sent before this one and is free now.
		other := bufs[turn^1][:cap(bufs[turn^1])]
		clear(other) // let its messages go
		bufs[turn] = batch
	}
}

// frameBuffered reports whether r holds a whole frame, or a header that
// is bad on its own: reading it does not wait for input.
func frameBuffered(r *bufio.Reader) bool {
	n := r.Buffered()
	if n < 5 {
		return false
	}
	hdr, err := r.Peek(5)
	if err != nil {
		return false
	}
	length := int64(int32(binary.BigEndian.Uint32(hdr[1:])))
	if length < 4 {
		return true // readFrame fails on the header alone
	}
	return int64(n) >= 1+length
}

// nextFrame returns the next frame from the reader goroutine, one of a
// batch already received first; it blocks until one arrives, drainC is
// closed (drained) or idle fires (idled). A closed drainC wins over
// frames already received.
func (c *conn) nextFrame(idle <-chan time.Time) (r readResult, drained, idled bool) {
	select {
	case <-c.drainC:
		return readResult{}, true, false
	default:
	}
	if len(c.pending) == 0 {
		select {
		case <-c.drainC:
			return readResult{}, true, false
		case <-idle:
			return readResult{}, false, true
		case c.pending = <-c.frames:
		}
	}
	r = c.pending[0]
	c.pending = c.pending[1:]
	return r, false, false
}
