package pgwire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/jackc/pgx/v5/pgproto3"
)

// COPY's sub-protocol. A statement whose Result carries a CopyIn (COPY ...
// FROM STDIN) switches the connection to copy-in mode: CopyInResponse,
// then the client's CopyData messages are fed to the CopyIn until CopyDone
// (the statement's result follows) or CopyFail (an error). A Result with a
// CopyOut (COPY ... TO STDOUT) is sent as CopyOutResponse, one CopyData per
// row and CopyDone before CommandComplete. Both work in the simple and the
// extended protocol; in the extended one the copy runs within Execute.
//
// An error in the middle of copy-in ends it at once with an ErrorResponse,
// as in PostgreSQL: the CopyData, CopyDone and CopyFail the client still
// sends are ignored by the message loop (and Sync ends the cycle as usual).

// errTerminated is a Terminate received during copy-in: the session ends.
var errTerminated = errors.New("pgwire: Terminate during COPY from stdin")

// CopyIn is a COPY ... FROM STDIN waiting for its data.
type CopyIn interface {
	// Columns is the number of fields of each row of the data.
	Columns() int
	// Binary reports whether the data is in PostgreSQL's binary COPY
	// format. pgwire then decodes the tuples and calls WriteRow; for the
	// text and CSV formats it calls Write with the raw data.
	Binary() bool
	// ColumnTypes are the types of the fields, for the binary format.
	ColumnTypes() []types.T
	// Write takes one chunk of text or CSV data; chunks may split rows
	// anywhere.
	Write(data []byte) error
	// WriteRow takes one row of binary data, one value per field, decoded
	// to the Go representation of its ColumnTypes entry (nil = NULL).
	WriteRow(row []types.Value) error
	// Done ends the data (CopyDone) and returns the statement's result,
	// whose Tag is "COPY n".
	Done() (Result, error)
	// Fail abandons the copy (CopyFail) and returns the error to report.
	Fail(reason string) error
}

// CopyOut is the data of a COPY ... TO STDOUT.
type CopyOut struct {
	// Binary selects PostgreSQL's binary COPY format: Types and Values
	// hold the rows and pgwire encodes them. Otherwise Rows holds the
	// formatted text or CSV lines, each with its line terminator.
	Binary bool
	// Columns is the number of columns of each row.
	Columns int
	Rows    [][]byte
	Types   []types.T
	Values  [][]types.Value
}

// copyFormats is the format code list of CopyInResponse and
// CopyOutResponse: every column in the overall format.
func copyFormats(n int, binary bool) (overall byte, cols []uint16) {
	cols = make([]uint16, n)
	if binary {
		overall = 1
		for i := range cols {
			cols[i] = 1
		}
	}
	return overall, cols
}

// runCopyIn runs copy-in mode for ci and returns the statement's result.
// It reads the client's messages itself; a failed read is kept in readErr
// for the message loop.
func (c *conn) runCopyIn(ci CopyIn) (Result, error) {
	overall, cols := copyFormats(ci.Columns(), ci.Binary())
	c.be.Send(&pgproto3.CopyInResponse{OverallFormat: overall, ColumnFormatCodes: cols})
	if err := c.flush(); err != nil {
		return Result{}, err
	}
	var bin *binaryCopyReader
	if ci.Binary() {
		bin = &binaryCopyReader{types: ci.ColumnTypes()}
	}
	for {
		r, drained, _ := c.nextFrame(0)
		if drained {
			_ = ci.Fail("server shutting down")
			return Result{}, errAdminShutdown
		}
		if r.err != nil {
			c.readErr = r.err
			_ = ci.Fail("connection lost")
			return Result{}, r.err
		}
		if r.frame.decodeErr != nil {
			_ = ci.Fail("malformed message")
			return Result{}, r.frame.decodeErr
		}
		switch m := r.frame.msg.(type) {
		case *pgproto3.CopyData:
			var err error
			if bin != nil {
				err = bin.feed(m.Data, ci.WriteRow)
			} else {
				err = ci.Write(m.Data)
			}
			if err != nil {
				_ = ci.Fail(err.Error())
				return Result{}, err
			}
		case *pgproto3.CopyDone:
			if bin != nil {
				if err := bin.finish(); err != nil {
					_ = ci.Fail(err.Error())
					return Result{}, err
				}
			}
			return ci.Done()
		case *pgproto3.CopyFail:
			return Result{}, ci.Fail(m.Message)
		case *pgproto3.Flush, *pgproto3.Sync:
			// PostgreSQL ignores these during copy-in.
		case *pgproto3.Terminate:
			// PostgreSQL answers it as any other unexpected message (its
			// client is gone, but the log and a client that reads on see
			// 08P01); then the session ends.
			c.readErr = errTerminated
			_ = ci.Fail("connection terminated")
			return Result{}, sqlerr.New(sqlerr.ProtocolViolation,
				"unexpected message type 0x%02X during COPY from stdin", r.frame.typ)
		default:
			_ = ci.Fail("protocol violation")
			return Result{}, sqlerr.New(sqlerr.ProtocolViolation,
				"unexpected message type 0x%02X during COPY from stdin", r.frame.typ)
		}
	}
}

// sendCopyOut sends the data of a COPY ... TO STDOUT: CopyOutResponse,
// CopyData per row, CopyDone. The caller sends CommandComplete.
func (c *conn) sendCopyOut(co *CopyOut) error {
	overall, cols := copyFormats(co.Columns, co.Binary)
	c.be.Send(&pgproto3.CopyOutResponse{OverallFormat: overall, ColumnFormatCodes: cols})
	send := func(b []byte) error {
		c.be.Send(&pgproto3.CopyData{Data: b})
		c.unflushed += len(b) + 5
		if c.unflushed >= flushThreshold {
			return c.flush()
		}
		return nil
	}
	if co.Binary {
		if err := send(binaryCopyHeader()); err != nil {
			return err
		}
		for _, row := range co.Values {
			b, err := appendBinaryTuple(nil, row, co.Types)
			if err != nil {
				return err
			}
			if err := send(b); err != nil {
				return err
			}
		}
		if err := send([]byte{0xff, 0xff}); err != nil {
			return err
		}
	} else {
		for _, row := range co.Rows {
			if err := send(row); err != nil {
				return err
			}
		}
	}
	c.be.Send(&pgproto3.CopyDone{})
	return c.writeErr
}

// binarySignature starts PostgreSQL's binary COPY format.
var binarySignature = []byte("PGCOPY\n\xff\r\n\x00")

// binaryCopyHeader is the signature, the flags and an empty extension.
func binaryCopyHeader() []byte {
	return append(append([]byte(nil), binarySignature...), 0, 0, 0, 0, 0, 0, 0, 0)
}

// appendBinaryTuple appends one tuple of the binary format.
func appendBinaryTuple(buf []byte, row []types.Value, ts []types.T) ([]byte, error) {
	buf = binary.BigEndian.AppendUint16(buf, uint16(len(row)))
	for i, v := range row {
		if v == nil {
			buf = binary.BigEndian.AppendUint32(buf, 0xffffffff)
			continue
		}
		at := len(buf)
		buf = append(buf, 0, 0, 0, 0)
		var err error
		if buf, err = appendBinary(buf, v, ts[i]); err != nil {
			return nil, err
		}
		binary.BigEndian.PutUint32(buf[at:], uint32(len(buf)-at-4))
	}
	return buf, nil
}

// binaryCopyReader decodes the binary COPY format from chunks that may
// split it anywhere.
type binaryCopyReader struct {
	types     []types.T
	buf       []byte
	gotHeader bool
	ended     bool // the trailer (field count -1) was read
	line      int  // tuples read so far
}

// feed takes a chunk and passes each complete tuple to write.
func (r *binaryCopyReader) feed(data []byte, write func([]types.Value) error) error {
	r.buf = append(r.buf, data...)
	if !r.gotHeader {
		const fixed = 11 + 4 + 4
		if len(r.buf) < fixed {
			return nil
		}
		if !bytes.Equal(r.buf[:11], binarySignature) {
			return sqlerr.New(sqlerr.BadCopyFileFormat, "COPY file signature not recognized")
		}
		ext := int(binary.BigEndian.Uint32(r.buf[15:19]))
		if ext < 0 || ext > 1<<20 {
			return sqlerr.New(sqlerr.BadCopyFileFormat, "invalid COPY file header (wrong length)")
		}
		if len(r.buf) < fixed+ext {
			return nil
		}
		r.buf = r.buf[fixed+ext:]
		r.gotHeader = true
	}
	for !r.ended {
		row, n, err := r.tuple()
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
		r.buf = r.buf[n:]
		if row == nil {
			r.ended = true
			break
		}
		r.line++
		if err := write(row); err != nil {
			return err
		}
	}
	if len(r.buf) == 0 {
		r.buf = nil // let a large chunk go
	}
	return nil
}

// tuple decodes one tuple at the start of buf: the row (nil for the
// trailer) and the bytes used, 0 when it is incomplete.
func (r *binaryCopyReader) tuple() ([]types.Value, int, error) {
	b := r.buf
	if len(b) < 2 {
		return nil, 0, nil
	}
	count := int16(binary.BigEndian.Uint16(b))
	if count == -1 {
		return nil, 2, nil
	}
	if int(count) != len(r.types) {
		return nil, 0, sqlerr.New(sqlerr.BadCopyFileFormat, "row field count is %d, expected %d", count, len(r.types))
	}
	pos := 2
	row := make([]types.Value, count)
	for i := range row {
		if len(b) < pos+4 {
			return nil, 0, nil
		}
		n := int32(binary.BigEndian.Uint32(b[pos:]))
		pos += 4
		if n == -1 {
			continue
		}
		if n < 0 {
			return nil, 0, sqlerr.New(sqlerr.BadCopyFileFormat, "invalid field size")
		}
		if len(b) < pos+int(n) {
			return nil, 0, nil
		}
		v, err := decodeBinary(b[pos:pos+int(n)], r.types[i].OID, i)
		if err != nil {
			return nil, 0, r.fieldError(err, i)
		}
		row[i] = v
		pos += int(n)
	}
	return row, pos, nil
}

// fieldError places a field's decoding error in the data, as PostgreSQL's
// COPY context does.
func (r *binaryCopyReader) fieldError(err error, field int) error {
	e := sqlerr.As(err)
	if e == nil {
		return err
	}
	out := *e
	if out.Code == sqlerr.InvalidBinaryRepresentation {
		out.Message = "incorrect binary data format"
	}
	out.Detail = fmt.Sprintf("COPY line %d, column %d", r.line+1, field+1)
	return &out
}

// finish checks that the data ended where it may.
func (r *binaryCopyReader) finish() error {
	if !r.gotHeader && len(r.buf) == 0 {
		return nil
	}
	if !r.gotHeader || len(r.buf) > 0 && !r.ended {
		return sqlerr.New(sqlerr.BadCopyFileFormat, "unexpected EOF in COPY data")
	}
	return nil
}
