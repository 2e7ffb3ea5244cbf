package storage

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/cockroachdb/apd/v3"

	"github.com/chronos-db/chronos/engine/types"
)

// Row is one stored row. A *Row is immutable once stored: an update stores a
// new Row with the same ID, so a Snapshot's rows never change under a reader.
//
// The values are kept encoded in one string (see appendRowValue) rather than
// as a []types.Value: a row is then two heap objects, one of them without
// pointers, instead of one per value plus the slice and the Row. That is
// about a third less memory per row, and the garbage collector, which must
// trace every object a table holds, has far less to trace. Values decodes
// them for each reader.
type Row struct {
	// ID identifies the row within its table. It is assigned at apply from
	// the table's counter and never reused, not even after TRUNCATE.
	ID uint64
	// Version is the raft index of the command that last wrote the row; a
	// write set's Update and Delete ops carry the version they read.
	Version uint64
	// data holds one encoded value per column of the table's definition.
	data string
}

// NewRow returns a row holding vals, which must be of the Go types the
// package types documents.
func NewRow(id, version uint64, vals []types.Value) (*Row, error) {
	var scratch [256]byte // most rows fit: one allocation, the string
	b := scratch[:0]
	for i, v := range vals {
		var err error
		if b, err = appendRowValue(b, v); err != nil {
			return nil, fmt.Errorf("storage: row %d, value %d: %w", id, i, err)
		}
	}
	return &Row{ID: id, Version: version, data: string(b)}, nil
}

// Values returns the row's values, one per column, in a new slice the
// caller may keep and modify.
func (r *Row) Values() []types.Value {
	vals := make([]types.Value, 0, 4)
	for s := r.data; len(s) > 0; {
		var v types.Value
		v, s = decodeRowValue(s)
		vals = append(vals, v)
	}
	return vals
}

// DecodeColumns decodes into dst, which must have one element per column,
// the values of the columns want marks (all of them if want is nil), and
// sets the others to nil; the values it skips cost no allocation. It
// returns dst.
func (r *Row) DecodeColumns(dst []types.Value, want []bool) []types.Value {
	s := r.data
	for i := range dst {
		if want == nil || i < len(want) && want[i] {
			dst[i], s = decodeRowValue(s)
		} else {
			dst[i], s = nil, skipRowValue(s)
		}
	}
	return dst
}

// The kinds of encoded row values: a kind byte, then the payload.
const (
	rowNull    byte = iota
	rowFalse        // no payload
	rowTrue         // no payload
	rowInt          // zigzag varint
	rowFloat        // 8 bytes: the IEEE 754 bits, little-endian
	rowText         // uvarint length, then the bytes
	rowBytes        // uvarint length, then the bytes
	rowTime         // zigzag varint Unix seconds, uvarint nanoseconds; UTC
	rowNumeric      // uvarint length, then apd's 'G' text form
)

// appendRowValue appends v's encoding to b.
func appendRowValue(b []byte, v types.Value) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, rowNull), nil
	case bool:
		if x {
			return append(b, rowTrue), nil
		}
		return append(b, rowFalse), nil
	case int64:
		return binary.AppendVarint(append(b, rowInt), x), nil
	case float64:
		return binary.LittleEndian.AppendUint64(append(b, rowFloat), math.Float64bits(x)), nil
	case string:
		return append(binary.AppendUvarint(append(b, rowText), uint64(len(x))), x...), nil
	case []byte:
		return append(binary.AppendUvarint(append(b, rowBytes), uint64(len(x))), x...), nil
	case time.Time:
		b = binary.AppendVarint(append(b, rowTime), x.Unix())
		return binary.AppendUvarint(b, uint64(x.Nanosecond())), nil
	case *apd.Decimal:
		if x == nil {
			return nil, fmt.Errorf("nil numeric")
		}
		var buf [32]byte
		text := x.Append(buf[:0], 'G')
		return append(binary.AppendUvarint(append(b, rowNumeric), uint64(len(text))), text...), nil
	}
	return nil, fmt.Errorf("cannot store a value of Go type %T", v)
}

// decodeRowValue decodes the value at the start of s, which appendRowValue
// wrote, and returns it with the rest of s. Text values share s's memory.
func decodeRowValue(s string) (types.Value, string) {
	kind, s := s[0], s[1:]
	switch kind {
	case rowFalse:
		return false, s
	case rowTrue:
		return true, s
	case rowInt:
		x, n := varint(s)
		return x, s[n:]
	case rowFloat:
		return math.Float64frombits(uint64le(s)), s[8:]
	case rowText, rowBytes, rowNumeric:
		l, n := uvarint(s)
		body, rest := s[n:n+int(l)], s[n+int(l):]
		switch kind {
		case rowText:
			return body, rest
		case rowBytes:
			return []byte(body), rest
		}
		d, _, err := apd.NewFromString(body)
		if err != nil {
			panic(fmt.Sprintf("storage: stored numeric %q: %v", body, err))
		}
		return d, rest
	case rowTime:
		sec, n := varint(s)
		nsec, m := uvarint(s[n:])
		return time.Unix(sec, int64(nsec)).UTC(), s[n+m:]
	}
	return nil, s
}

// skipRowValue returns s after the value at its start.
func skipRowValue(s string) string {
	kind, s := s[0], s[1:]
	switch kind {
	case rowInt:
		_, n := uvarint(s)
		return s[n:]
	case rowFloat:
		return s[8:]
	case rowText, rowBytes, rowNumeric:
		l, n := uvarint(s)
		return s[n+int(l):]
	case rowTime:
		_, n := uvarint(s)
		_, m := uvarint(s[n:])
		return s[n+m:]
	}
	return s // NULL, false, true: no payload
}

// uint64le decodes the 8 little-endian bytes at the start of s.
func uint64le(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// uvarint decodes an unsigned varint at the start of s, as
// binary.Uvarint does, without converting s to a byte slice.
func uvarint(s string) (uint64, int) {
	var x uint64
	var shift uint
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 {
			return x | uint64(c)<<shift, i + 1
		}
		x |= uint64(c&0x7f) << shift
		shift += 7
	}
	panic("storage: truncated varint in a stored row")
}

// varint decodes a zigzag varint, as binary.Varint does.
func varint(s string) (int64, int) {
	ux, n := uvarint(s)
	x := int64(ux >> 1)
	if ux&1 != 0 {
		x = ^x
	}
	return x, n
}
