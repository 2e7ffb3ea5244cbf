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
// every message owns its bytes, so the reader goroutine can hand it across
// a channel (Receive returns flyweights valid only until the next call).
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

// readFrame reads and decodes one message. An *sqlerr.Error return is a
// protocol violation (FATAL 08P01); any other error is the connection's
// (EOF, reset, deadline), and either way the connection is finished.
func readFrame(r *bufio.Reader, maxMessage int) (frame, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return frame{}, err
	}
	typ := hdr[0]
	msg := newFrontendMessage(typ)
	if msg == nil {
		return frame{}, protocolViolation("invalid frontend message type %d", typ)
	}
	n := int64(int32(binary.BigEndian.Uint32(hdr[1:]))) - 4
	if n < 0 || n > int64(bodyLimit(typ, maxMessage)) {
		return frame{}, protocolViolation("invalid message length %d for message type %q", n+4, typ)
	}
	body, err := readBody(r, int(n))
	if err != nil {
		return frame{}, noEOF(err)
	}
	if err := msg.Decode(body); err != nil {
		return frame{typ: typ, decodeErr: sqlerr.New(sqlerr.ProtocolViolation,
			"invalid %s message format", messageName(typ))}, nil
	}
	return frame{typ: typ, msg: msg}, nil
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
