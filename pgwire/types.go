package pgwire

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/cockroachdb/apd/v3"
)

// The format codes of Bind and RowDescription.
const (
	textFormat   int16 = 0
	binaryFormat int16 = 1
)

// pgEpoch is PostgreSQL's date and timestamp epoch, 2000-01-01 00:00 UTC, in
// Unix seconds.
const pgEpoch = 946684800

// usPerSec is microseconds per second, the unit of binary timestamps.
const usPerSec = 1_000_000

// Special numeric sign words of the binary format.
const (
	numericPos  = 0x0000
	numericNeg  = 0x4000
	numericNaN  = 0xC000
	numericPInf = 0xD000
	numericNInf = 0xF000
	// numericMaxScale is NUMERIC_DSCALE_MASK: the largest display scale.
	numericMaxScale = 0x3FFF
	// numericMaxWeight bounds the base-10000 weight a binary value may
	// claim: PostgreSQL's numeric holds up to 131072 digits before the
	// point.
	numericMaxWeight = 131072 / 4
)

// appendValue appends the wire form of the non-NULL value v of type t in
// the given format to buf.
func appendValue(buf []byte, v types.Value, t types.T, format int16) ([]byte, error) {
	if format == binaryFormat {
		return appendBinary(buf, v, t)
	}
	return append(buf, types.FormatText(v, t)...), nil
}

// appendBinary appends PostgreSQL's binary send format of v (typsend).
func appendBinary(buf []byte, v types.Value, t types.T) ([]byte, error) {
	switch t.OID {
	case types.OIDBool:
		if b, ok := v.(bool); ok {
			if b {
				return append(buf, 1), nil
			}
			return append(buf, 0), nil
		}
	case types.OIDInt2:
		if i, ok := v.(int64); ok && i >= math.MinInt16 && i <= math.MaxInt16 {
			return binary.BigEndian.AppendUint16(buf, uint16(int16(i))), nil
		}
	case types.OIDInt4:
		if i, ok := v.(int64); ok && i >= math.MinInt32 && i <= math.MaxInt32 {
			return binary.BigEndian.AppendUint32(buf, uint32(int32(i))), nil
		}
	case types.OIDInt8:
		if i, ok := v.(int64); ok {
			return binary.BigEndian.AppendUint64(buf, uint64(i)), nil
		}
	case types.OIDOid, types.OIDRegproc, types.OIDRegclass, types.OIDRegtype:
		if i, ok := v.(int64); ok && i >= 0 && i <= math.MaxUint32 {
			return binary.BigEndian.AppendUint32(buf, uint32(i)), nil
		}
	case types.OIDFloat4:
		if f, ok := v.(float64); ok {
			return binary.BigEndian.AppendUint32(buf, math.Float32bits(float32(f))), nil
		}
	case types.OIDFloat8:
		if f, ok := v.(float64); ok {
			return binary.BigEndian.AppendUint64(buf, math.Float64bits(f)), nil
		}
	case types.OIDNumeric:
		if d, ok := v.(*apd.Decimal); ok {
			return appendNumeric(buf, d)
		}
	case types.OIDText, types.OIDVarchar, types.OIDBPChar, types.OIDName,
		types.OIDUnknown, types.OIDUnknownLit:
		if s, ok := v.(string); ok {
			return append(buf, s...), nil
		}
	case types.OIDBytea:
		if b, ok := v.([]byte); ok {
			return append(buf, b...), nil
		}
	case types.OIDDate:
		if tm, ok := v.(time.Time); ok {
			days := floorDiv(tm.Unix()-pgEpoch, 86400)
			if days < math.MinInt32 || days > math.MaxInt32 {
				return nil, sqlerr.New(sqlerr.DatetimeFieldOverflow, "date out of range")
			}
			return binary.BigEndian.AppendUint32(buf, uint32(int32(days))), nil
		}
	case types.OIDTimestamp, types.OIDTimestamptz:
		if tm, ok := v.(time.Time); ok {
			sec := tm.Unix() - pgEpoch
			if sec > math.MaxInt64/usPerSec-1 || sec < math.MinInt64/usPerSec+1 {
				return nil, sqlerr.New(sqlerr.DatetimeFieldOverflow, "timestamp out of range")
			}
			us := sec*usPerSec + int64(tm.Nanosecond()/1000)
			return binary.BigEndian.AppendUint64(buf, uint64(us)), nil
		}
	default:
		return nil, sqlerr.New(sqlerr.FeatureNotSupported,
			"binary format for type %s is not supported", t.String())
	}
	return nil, fmt.Errorf("pgwire: cannot send a %T as %s", v, t.String())
}

// appendNumeric appends numeric_send's format: int16 ndigits, int16 weight,
// uint16 sign, uint16 dscale, then ndigits base-10000 digits, most
// significant first; the value is sum(digit[i] * 10000^(weight-i)).
func appendNumeric(buf []byte, d *apd.Decimal) ([]byte, error) {
	header := func(buf []byte, ndigits, weight int16, sign, dscale uint16) []byte {
		buf = binary.BigEndian.AppendUint16(buf, uint16(ndigits))
		buf = binary.BigEndian.AppendUint16(buf, uint16(weight))
		buf = binary.BigEndian.AppendUint16(buf, sign)
		return binary.BigEndian.AppendUint16(buf, dscale)
	}
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return header(buf, 0, 0, numericNaN, 0), nil
	case apd.Infinite:
		if d.Negative {
			return header(buf, 0, 0, numericNInf, 0), nil
		}
		return header(buf, 0, 0, numericPInf, 0), nil
	}
	if d.Exponent > 4*numericMaxWeight || d.Exponent < -numericMaxScale {
		return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value overflows numeric format")
	}
	// The decimal digits of the coefficient, then the point placed by the
	// exponent: split into the integer and fraction digit strings.
	coeff := d.Coeff.Text(10)
	var intPart, fracPart string
	if d.Exponent >= 0 {
		intPart = coeff + strings.Repeat("0", int(d.Exponent))
	} else if scale := int(-d.Exponent); len(coeff) > scale {
		intPart, fracPart = coeff[:len(coeff)-scale], coeff[len(coeff)-scale:]
	} else {
		fracPart = strings.Repeat("0", scale-len(coeff)) + coeff
	}
	dscale := len(fracPart)
	// Pad both to whole groups of four digits around the point.
	if r := len(intPart) % 4; r != 0 {
		intPart = strings.Repeat("0", 4-r) + intPart
	}
	if r := len(fracPart) % 4; r != 0 {
		fracPart += strings.Repeat("0", 4-r)
	}
	all := intPart + fracPart
	digits := make([]int16, 0, len(all)/4)
	for i := 0; i < len(all); i += 4 {
		n, _ := strconv.Atoi(all[i : i+4])
		digits = append(digits, int16(n))
	}
	weight := len(intPart)/4 - 1
	// Strip zero groups: leading ones lower the weight, trailing ones are
	// implied by it.
	for len(digits) > 0 && digits[0] == 0 {
		digits = digits[1:]
		weight--
	}
	for len(digits) > 0 && digits[len(digits)-1] == 0 {
		digits = digits[:len(digits)-1]
	}
	sign := uint16(numericPos)
	if d.Negative && len(digits) > 0 {
		sign = numericNeg
	}
	if len(digits) == 0 {
		weight = 0
	}
	if len(digits) > math.MaxInt16 || weight > math.MaxInt16 || weight < math.MinInt16 {
		return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value overflows numeric format")
	}
	buf = header(buf, int16(len(digits)), int16(weight), sign, uint16(dscale))
	for _, g := range digits {
		buf = binary.BigEndian.AppendUint16(buf, uint16(g))
	}
	return buf, nil
}

// decodeParam turns one Bind parameter into a value of the parameter's type;
// i is its 0-based position, for messages.
func decodeParam(b []byte, oid types.OID, format int16, i int) (types.Value, error) {
	if b == nil {
		return nil, nil
	}
	if format == binaryFormat {
		return decodeBinary(b, oid, i)
	}
	if !utf8.Valid(b) {
		return nil, invalidUTF8(b)
	}
	switch oid {
	case types.OIDUnknown, types.OIDUnknownLit:
		return string(b), nil
	}
	return types.ParseText(string(b), types.T{OID: oid, Mod: -1})
}

// decodeBinary is typreceive for the types Chronos has: it checks the
// length and range of the PostgreSQL binary format of oid and returns the
// value.
func decodeBinary(b []byte, oid types.OID, i int) (types.Value, error) {
	bad := func() error {
		return sqlerr.New(sqlerr.InvalidBinaryRepresentation,
			"incorrect binary data format in bind parameter %d", i+1)
	}
	switch oid {
	case types.OIDBool:
		if len(b) != 1 {
			return nil, bad()
		}
		return b[0] != 0, nil
	case types.OIDInt2:
		if len(b) != 2 {
			return nil, bad()
		}
		return int64(int16(binary.BigEndian.Uint16(b))), nil
	case types.OIDInt4:
		if len(b) != 4 {
			return nil, bad()
		}
		return int64(int32(binary.BigEndian.Uint32(b))), nil
	case types.OIDInt8:
		if len(b) != 8 {
			return nil, bad()
		}
		return int64(binary.BigEndian.Uint64(b)), nil
	case types.OIDOid, types.OIDRegproc, types.OIDRegclass, types.OIDRegtype:
		if len(b) != 4 {
			return nil, bad()
		}
		return int64(binary.BigEndian.Uint32(b)), nil
	case types.OIDFloat4:
		if len(b) != 4 {
			return nil, bad()
		}
		return float64(math.Float32frombits(binary.BigEndian.Uint32(b))), nil
	case types.OIDFloat8:
		if len(b) != 8 {
			return nil, bad()
		}
		return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
	case types.OIDNumeric:
		d, err := decodeNumeric(b)
		if err != nil {
			return nil, err
		}
		if d == nil {
			return nil, bad()
		}
		return d, nil
	case types.OIDText, types.OIDVarchar, types.OIDBPChar, types.OIDName,
		types.OIDUnknown, types.OIDUnknownLit:
		if !utf8.Valid(b) {
			return nil, invalidUTF8(b)
		}
		return string(b), nil
	case types.OIDBytea:
		return append([]byte(nil), b...), nil
	case types.OIDDate:
		if len(b) != 4 {
			return nil, bad()
		}
		days := int64(int32(binary.BigEndian.Uint32(b)))
		if days == math.MaxInt32 || days == math.MinInt32 {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "infinite dates are not supported")
		}
		return time.Unix(pgEpoch+days*86400, 0).UTC(), nil
	case types.OIDTimestamp, types.OIDTimestamptz:
		if len(b) != 8 {
			return nil, bad()
		}
		us := int64(binary.BigEndian.Uint64(b))
		if us == math.MaxInt64 || us == math.MinInt64 {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "infinite timestamps are not supported")
		}
		sec := floorDiv(us, usPerSec)
		return time.Unix(pgEpoch+sec, (us-sec*usPerSec)*1000).UTC(), nil
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported,
		"binary format for parameters of type %s is not supported", types.T{OID: oid, Mod: -1}.String())
}

// decodeNumeric is numeric_recv: nil with a nil error means a malformed
// value. Digits beyond dscale are truncated, as PostgreSQL does.
func decodeNumeric(b []byte) (*apd.Decimal, error) {
	if len(b) < 8 {
		return nil, nil
	}
	ndigits := int(int16(binary.BigEndian.Uint16(b[0:])))
	weight := int(int16(binary.BigEndian.Uint16(b[2:])))
	sign := binary.BigEndian.Uint16(b[4:])
	dscale := int(binary.BigEndian.Uint16(b[6:]))
	if ndigits < 0 || len(b) != 8+2*ndigits {
		return nil, nil
	}
	switch sign {
	case numericNaN:
		return &apd.Decimal{Form: apd.NaN}, nil
	case numericPInf:
		return &apd.Decimal{Form: apd.Infinite}, nil
	case numericNInf:
		return &apd.Decimal{Form: apd.Infinite, Negative: true}, nil
	case numericPos, numericNeg:
	default:
		return nil, sqlerr.New(sqlerr.InvalidBinaryRepresentation, "invalid sign in external \"numeric\" value")
	}
	if dscale > numericMaxScale {
		return nil, sqlerr.New(sqlerr.InvalidBinaryRepresentation, "invalid scale in external \"numeric\" value")
	}
	var sb strings.Builder
	for i := 0; i < ndigits; i++ {
		g := binary.BigEndian.Uint16(b[8+2*i:])
		if g >= 10000 {
			return nil, sqlerr.New(sqlerr.InvalidBinaryRepresentation, "invalid digit in external \"numeric\" value")
		}
		fmt.Fprintf(&sb, "%04d", g)
	}
	// The digit string read as an integer is the value times
	// 10000^(ndigits-1-weight); bring it to exactly dscale fraction digits.
	digits := sb.String()
	exp := 4 * (weight - ndigits + 1) // the value is digits * 10^exp
	switch {
	case ndigits == 0:
		digits, exp = "0", -dscale
	case exp > -dscale:
		if exp+dscale > 4*numericMaxWeight+numericMaxScale {
			return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value overflows numeric format")
		}
		digits += strings.Repeat("0", exp+dscale)
		exp = -dscale
	case exp < -dscale:
		cut := -dscale - exp
		if cut >= len(digits) {
			digits = "0"
		} else {
			digits = digits[:len(digits)-cut]
		}
		exp = -dscale
	}
	d := new(apd.Decimal)
	if _, ok := d.Coeff.SetString(digits, 10); !ok {
		return nil, nil
	}
	d.Exponent = int32(exp)
	d.Negative = sign == numericNeg && d.Coeff.Sign() != 0
	return d, nil
}

func invalidUTF8(b []byte) error {
	// PostgreSQL names the offending bytes; the first few will do.
	i := 0
	for i < len(b) {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		i += n
	}
	end := min(i+2, len(b))
	var hex strings.Builder
	for j, c := range b[i:end] {
		if j > 0 {
			hex.WriteByte(' ')
		}
		fmt.Fprintf(&hex, "0x%02x", c)
	}
	return sqlerr.New(sqlerr.CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\": %s", hex.String())
}

// floorDiv is integer division rounding toward negative infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
