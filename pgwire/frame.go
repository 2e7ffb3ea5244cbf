package pgwire

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/jackc/pgx/v5/pgproto3"
)

// Framing: every message after startup is a type byte, an int32 length that
// counts itself, and the body; the startup packets have no type byte. This
// file reads frames itself instead of through pgproto3.Backend.Receive for
// two reasons: the length is checked against the limit before any of the
// body is buffered (the Backend allocates the claimed length up front), and
// every message owns its bytes, so a handler may keep it past the next read
// (Receive returns flyweights valid only until the next call).
// Bodies are decoded by the pgproto3 message types.

// The codes of the startup packets.
const (
	sslRequestCode    = 80877103
	gssEncRequestCode = 80877104
	cancelRequestCode = 80877102
)

// Limits on message lengths, as in PostgreSQL's pqcomm.c.
const (
	// maxStartupPacket is MAX_STARTUP_PACKET_LENGTH.
	maxStartupPacket = 10000
	// smallMessageLimit is PQ_SMALL_MESSAGE_LIMIT, for messages that
	// never carry data.
	smallMessageLimit = 10000
	// readChunk is how much of a large body is buffered ahead of its bytes
	// arriving.
	readChunk = 64 << 10
)

// errStartupLength ends a connection whose first packet has an impossible
// length; PostgreSQL closes such connections without a reply.
var errStartupLength = errors.New("pgwire: invalid length of startup packet")

// readStartupPacket reads a startup-phase packet and returns its code (the
// protocol version, or a request code) and the bytes after the code.
func readStartupPacket(r *bufio.Reader) (code uint32, body []byte, err error) {
	var hdr [8]byte
	if _, err := io.ReadFull(r, hdr[:4]); err != nil {
		return 0, nil, err
	}
	n := int32(binary.BigEndian.Uint32(hdr[:4]))
	if n < 8 || n > maxStartupPacket {
		return 0, nil, errStartupLength
	}
	if _, err := io.ReadFull(r, hdr[4:8]); err != nil {
		return 0, nil, noEOF(err)
	}
	body = make([]byte, n-8)
	if _, err := io.ReadFull(r, body); err != nil {
		return 0, nil, noEOF(err)
	}
	return binary.BigEndian.Uint32(hdr[4:8]), body, nil
}

// parseStartupParams decodes the name/value pairs of a StartupMessage: each
// a NUL-terminated string, the list ended by an empty name.
func parseStartupParams(b []byte) (map[string]string, error) {
	params := make(map[string]string)
	for {
		i := bytes.IndexByte(b, 0)
		if i < 0 {
			return nil, protocolViolation("invalid startup packet layout: expected terminator as last byte")
		}
		name := string(b[:i])
		b = b[i+1:]
		if name == "" {
			if len(b) != 0 {
				return nil, protocolViolation("invalid startup packet layout: expected terminator as last byte")
			}
			return params, nil
		}
		i = bytes.IndexByte(b, 0)
		if i < 0 {
			return nil, protocolViolation("invalid startup packet layout: expected terminator as last byte")
		}
		params[name] = string(b[:i])
		b = b[i+1:]
	}
}

// frame is one message read after startup.
type frame struct {
	// typ is the message type byte.
	typ byte
	// msg is the decoded message, nil when decodeErr is set.
	msg pgproto3.FrontendMessage
	// decodeErr reports a body that did not decode. The framing is intact,
	// so the session answers ERROR 08P01 and goes on.
	decodeErr *sqlerr.Error
}

// newFrontendMessage returns an empty message for a type byte the server
// accepts after startup, or nil.
func newFrontendMessage(typ byte) pgproto3.FrontendMessage {
	switch typ {
	case 'Q':
		return &pgproto3.Query{}
	case 'P':
		return &pgproto3.Parse{}
	case 'B':
		return &pgproto3.Bind{}
	case 'D':
		return &pgproto3.Describe{}
	case 'E':
		return &pgproto3.Execute{}
	case 'C':
		return &pgproto3.Close{}
	case 'S':
		return &pgproto3.Sync{}
	case 'H':
		return &pgproto3.Flush{}
	case 'X':
		return &pgproto3.Terminate{}
	case 'F':
		return &pgproto3.FunctionCall{}
	case 'd':
		return &pgproto3.CopyData{}
	case 'c':
		return &pgproto3.CopyDone{}
	case 'f':
		return &pgproto3.CopyFail{}
	}
	return nil
}

// bodyLimit is the largest body accepted for a message type.
func bodyLimit(typ byte, maxMessage int) int {
	switch typ {
	case 'Q', 'P', 'B', 'F', 'd':
		return maxMessage - 4
	}
	return min(smallMessageLimit, maxMessage) - 4
}

// Slab sizes of frameReader.
const (
	// smallBody is the largest body carved from a body slab.
	smallBody = 512
	// bodySlab is the size of a body slab.
	bodySlab = 8 << 10
	// messageSlab is how many messages of a type a message slab holds.
	messageSlab = 32
)

// frameReader reads frames. Small bodies, and the messages that every
// prepared-statement execution sends (Bind, Execute), are carved from
// slabs that are only ever appended to: a frame then mostly costs no
// allocation of its own, and still owns its bytes, since no part of a slab
// is handed out twice (pgproto3's Decode methods keep slices of the body:
// Bind's parameters, CopyData's data). A slab lives as long as anything
// handed out of it.
type frameReader struct {
	rd *bufio.Reader
	// max is the MaxMessageSize limit.
	max int
	// bodies is what is left of the current body slab.
	bodies []byte
	binds  slab[pgproto3.Bind]
	execs  slab[pgproto3.Execute]
}

// slab hands out values of T carved from arrays of messageSlab.
type slab[T any] struct{ free []T }

func (s *slab[T]) new() *T {
	if len(s.free) == 0 {
		s.free = make([]T, messageSlab)
	}
	p := &s.free[0]
	s.free = s.free[1:]
	return p
}

// readFrame reads and decodes one message from r.
func readFrame(r *bufio.Reader, maxMessage int) (frame, error) {
	return (&frameReader{rd: r, max: maxMessage}).read()
}

// read reads and decodes one message. An *sqlerr.Error return is a
// protocol violation (FATAL 08P01); any other error is the connection's
// (EOF, reset, deadline), and either way the connection is finished.
func (fr *frameReader) read() (frame, error) {
	hdr, err := fr.rd.Peek(5)
	if err != nil {
		if err == io.EOF && len(hdr) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return frame{}, err
	}
	typ := hdr[0]
	n := int64(int32(binary.BigEndian.Uint32(hdr[1:]))) - 4
	_, _ = fr.rd.Discard(5)
	msg := fr.message(typ)
	if msg == nil {
		return frame{}, protocolViolation("invalid frontend message type %d", typ)
	}
	if n < 0 || n > int64(bodyLimit(typ, fr.max)) {
		return frame{}, protocolViolation("invalid message length %d for message type %q", n+4, typ)
	}
	body, err := fr.body(int(n))
	if err != nil {
		return frame{}, noEOF(err)
	}
	if e, ok := msg.(*pgproto3.Execute); ok {
		err = decodeExecute(e, body)
	} else {
		err = msg.Decode(body)
	}
	if err != nil {
		return frame{typ: typ, decodeErr: sqlerr.New(sqlerr.ProtocolViolation,
			"invalid %s message format", messageName(typ))}, nil
	}
	return frame{typ: typ, msg: msg}, nil
}

// message returns an empty message for a type byte the server accepts
// after startup, or nil.
func (fr *frameReader) message(typ byte) pgproto3.FrontendMessage {
	switch typ {
	case 'B':
		return fr.binds.new()
	case 'E':
		return fr.execs.new()
	}
	return newFrontendMessage(typ)
}

// body reads an n-byte body; a small one goes into the body slab.
func (fr *frameReader) body(n int) ([]byte, error) {
	if n > smallBody {
		return readBody(fr.rd, n)
	}
	if len(fr.bodies) < n {
		fr.bodies = make([]byte, bodySlab)
	}
	b := fr.bodies[:n:n]
	fr.bodies = fr.bodies[n:]
	_, err := io.ReadFull(fr.rd, b)
	return b, err
}

// errExecuteFormat is a malformed Execute body.
var errExecuteFormat = errors.New("invalid Execute message format")

// decodeExecute decodes an Execute body as pgproto3's Execute.Decode does
// (a portal name ended by NUL, a row limit, anything after ignored), without
// its allocations.
func decodeExecute(dst *pgproto3.Execute, src []byte) error {
	i := bytes.IndexByte(src, 0)
	if i < 0 {
		return errExecuteFormat
	}
	dst.Portal = string(src[:i])
	if len(src)-i-1 < 4 {
		return errExecuteFormat
	}
	dst.MaxRows = binary.BigEndian.Uint32(src[i+1:])
	return nil
}

// readBody reads an n-byte body, growing its buffer as the bytes arrive so
// that a length claim alone does not reserve memory.
func readBody(r io.Reader, n int) ([]byte, error) {
	if n <= readChunk {
		b := make([]byte, n)
		_, err := io.ReadFull(r, b)
		return b, err
	}
	var buf bytes.Buffer
	buf.Grow(readChunk)
	if _, err := io.CopyN(&buf, r, int64(n)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// noEOF turns an EOF in the middle of a frame into io.ErrUnexpectedEOF.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// messageName names a frontend message type for error messages.
func messageName(typ byte) string {
	switch typ {
	case 'Q':
		return "Query"
	case 'P':
		return "Parse"
	case 'B':
		return "Bind"
	case 'D':
		return "Describe"
	case 'E':
		return "Execute"
	case 'C':
		return "Close"
	case 'S':
		return "Sync"
	case 'H':
		return "Flush"
	case 'X':
		return "Terminate"
	case 'F':
		return "FunctionCall"
	case 'd':
		return "CopyData"
	case 'c':
		return "CopyDone"
	case 'f':
		return "CopyFail"
	}
	return fmt.Sprintf("type %d", typ)
}
