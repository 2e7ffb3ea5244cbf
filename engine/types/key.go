package types

import (
	"encoding/binary"
	"math"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"
)

// Key encoding markers. Every encoded value starts with one; NULL's marker
// is the largest so that NULL sorts last, as in PostgreSQL's default
// ascending order.
const (
	keyValue byte = 0x01
	keyNull  byte = 0xFF
)

// Numeric key classes, in sort order.
const (
	keyNumNegInf byte = 0x02
	keyNumNeg    byte = 0x03
	keyNumZero   byte = 0x04
	keyNumPos    byte = 0x05
	keyNumPosInf byte = 0x06
	keyNumNaN    byte = 0x07
)

// AppendKey appends a memcomparable encoding of v (of type t) to buf:
// bytes.Compare of two encodings equals Compare of the values, values that
// compare equal encode identically (1 and 1.0 numerics, int2/int4/int8 of the
// same number, -0 and 0, character(n) with different trailing spaces), and
// NULL (v == nil) sorts after everything. Keys of several columns concatenate
// into a key for the tuple.
func AppendKey(buf []byte, v Value, t T) []byte {
	if v == nil {
		return append(buf, keyNull)
	}
	buf = append(buf, keyValue)
	switch x := v.(type) {
	case bool:
		if x {
			return append(buf, 1)
		}
		return append(buf, 0)
	case int64:
		switch t.OID {
		case OIDFloat4, OIDFloat8:
			return appendFloatKey(buf, float64(x))
		case OIDNumeric:
			return appendNumericKey(buf, NumericFromInt(x))
		}
		return binary.BigEndian.AppendUint64(buf, uint64(x)^(1<<63))
	case float64:
		return appendFloatKey(buf, x)
	case *apd.Decimal:
		return appendNumericKey(buf, x)
	case string:
		if t.OID == OIDBPChar {
			x = strings.TrimRight(x, " ")
		}
		return appendBytesKey(buf, x)
	case []byte:
		return appendBytesKey(buf, string(x))
	case time.Time:
		return binary.BigEndian.AppendUint64(buf, uint64(x.UnixMicro())^(1<<63))
	}
	panic("types.AppendKey: unexpected value " + describe(v))
}

func appendFloatKey(buf []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		f = math.NaN()
	case f == 0:
		f = 0
	}
	bits := math.Float64bits(f)
	if bits&(1<<63) != 0 {
		bits = ^bits
	} else {
		bits |= 1 << 63
	}
	return binary.BigEndian.AppendUint64(buf, bits)
}

// appendBytesKey escapes 0x00 as 0x00 0xFF and ends with 0x00 0x01, so that
// a prefix sorts first and the next column's bytes cannot interfere.
func appendBytesKey(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		buf = append(buf, c)
		if c == 0 {
			buf = append(buf, 0xFF)
		}
	}
	return append(buf, 0x00, 0x01)
}

// appendNumericKey writes a class byte, then for finite non-zero values
// the decimal exponent of the leading digit and the significant digits
// without trailing zeros; negative values have both complemented.
func appendNumericKey(buf []byte, d *apd.Decimal) []byte {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return append(buf, keyNumNaN)
	case apd.Infinite:
		if d.Negative {
			return append(buf, keyNumNegInf)
		}
		return append(buf, keyNumPosInf)
	}
	if d.Coeff.Sign() == 0 {
		return append(buf, keyNumZero)
	}
	digits := d.Coeff.Text(10)
	exp := int64(d.Exponent)
	trimmed := strings.TrimRight(digits, "0")
	adj := exp + int64(len(digits)) // position of the leading digit
	if d.Negative {
		buf = append(buf, keyNumNeg)
		buf = binary.BigEndian.AppendUint32(buf, ^(uint32(int32(adj)) ^ (1 << 31)))
		for i := 0; i < len(trimmed); i++ {
			buf = append(buf, ^trimmed[i])
		}
		return append(buf, 0xFF)
	}
	buf = append(buf, keyNumPos)
	buf = binary.BigEndian.AppendUint32(buf, uint32(int32(adj))^(1<<31))
	buf = append(buf, trimmed...)
	return append(buf, 0x00)
}
