package types

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/cockroachdb/apd/v3"
)

// CastContext is where a conversion happens, as pg_cast.castcontext: an
// implicit cast may happen anywhere (operator arguments), an assignment
// cast when storing into a column, an explicit cast only when written.
type CastContext int

// The cast contexts, from most to least permissive requirement.
const (
	CastImplicit CastContext = iota
	CastAssignment
	CastExplicit
)

// CastContextOf returns the least context in which PostgreSQL converts from
// to to, and false when no conversion exists at all.
func CastContextOf(from, to T) (CastContext, bool) {
	if from.OID == to.OID || from.IsUnknown() || to.IsUnknown() {
		return CastImplicit, true
	}
	fc, tc := from.Category(), to.Category()
	switch {
	case fc == 'S' && tc == 'S':
		return CastImplicit, true
	case tc == 'S':
		// Any type's output function makes text on assignment.
		return CastAssignment, true
	case fc == 'S':
		// Any type's input function reads text in an explicit cast.
		return CastExplicit, true
	}
	f, t := from.OID, to.OID
	switch {
	case from.IsInteger() && to.IsInteger():
		if intWidth(f) <= intWidth(t) {
			return CastImplicit, true
		}
		return CastAssignment, true
	case from.IsInteger() && (to.IsFloat() || t == OIDNumeric):
		return CastImplicit, true
	case f == OIDFloat4 && t == OIDFloat8:
		return CastImplicit, true
	case f == OIDFloat8 && t == OIDFloat4:
		return CastAssignment, true
	case from.IsFloat() && (to.IsInteger() || t == OIDNumeric):
		return CastAssignment, true
	case f == OIDNumeric && to.IsFloat():
		return CastImplicit, true
	case f == OIDNumeric && to.IsInteger():
		return CastAssignment, true
	case from.IsOIDLike() && to.IsOIDLike():
		return CastImplicit, true
	case from.IsInteger() && to.IsOIDLike():
		return CastImplicit, true
	case from.IsOIDLike() && (t == OIDInt4 || t == OIDInt8):
		return CastAssignment, true
	case f == OIDBool && t == OIDInt4, f == OIDInt4 && t == OIDBool:
		return CastExplicit, true
	case f == OIDDate && (t == OIDTimestamp || t == OIDTimestamptz):
		return CastImplicit, true
	case f == OIDTimestamp && t == OIDTimestamptz:
		return CastImplicit, true
	case f == OIDTimestamptz && t == OIDTimestamp:
		return CastAssignment, true
	case (f == OIDTimestamp || f == OIDTimestamptz) && t == OIDDate:
		return CastAssignment, true
	}
	return CastExplicit, false
}

// CanCast reports whether from converts to to in context ctx.
func CanCast(from, to T, ctx CastContext) bool {
	c, ok := CastContextOf(from, to)
	return ok && c <= ctx
}

func intWidth(o OID) int {
	switch o {
	case OIDInt2:
		return 2
	case OIDInt4:
		return 4
	}
	return 8
}

// intOutOfRange is the 22003 error for an integer type.
func intOutOfRange(t T) error {
	switch t.OID {
	case OIDInt2:
		return sqlerr.New(sqlerr.NumericValueOutOfRange, "smallint out of range")
	case OIDInt4:
		return sqlerr.New(sqlerr.NumericValueOutOfRange, "integer out of range")
	}
	return sqlerr.New(sqlerr.NumericValueOutOfRange, "bigint out of range")
}

// IntOutOfRange returns PostgreSQL's "integer out of range" error (or the
// smallint/bigint wording) for an integer type.
func IntOutOfRange(t T) error { return intOutOfRange(t) }

// CheckInt returns i if it fits integer type t, else 22003.
func CheckInt(i int64, t T) (int64, error) {
	lo, hi := IntRange(t)
	if i < lo || i > hi {
		return 0, intOutOfRange(t)
	}
	return i, nil
}

// Cast converts v of type from to type to, applying to's modifier: the
// lengths of varchar(n) and character(n) (22001 on assignment, truncation
// when explicit), numeric(p,s) rounding and overflow (22003), integer range
// (22003), text input syntax (22P02...). explicit selects CAST semantics;
// otherwise the conversion must be allowed on assignment (42846 if not).
// NULL converts to NULL.
func Cast(v Value, from, to T, explicit bool) (Value, error) {
	if v == nil {
		return nil, nil
	}
	ctx := CastAssignment
	if explicit {
		ctx = CastExplicit
	}
	if !CanCast(from, to, ctx) {
		return nil, sqlerr.New(sqlerr.CannotCoerce, "cannot cast type %s to %s", from, to)
	}
	if to.IsUnknown() {
		return v, nil
	}
	// Conversions to and from strings go through the text forms.
	if to.IsString() {
		var s string
		switch x := v.(type) {
		case string:
			s = x
			if from.OID == OIDBPChar && to.OID != OIDBPChar {
				s = strings.TrimRight(s, " ")
			}
		case bool:
			s = "false"
			if x {
				s = "true"
			}
		default:
			s = FormatText(v, from)
		}
		if to.OID == OIDName {
			return truncateName(s), nil
		}
		return applyStringTypmod(s, to, explicit)
	}
	if s, ok := v.(string); ok && (from.IsString() || from.IsUnknown()) {
		if from.OID == OIDBPChar {
			s = strings.TrimRight(s, " ")
		}
		return ParseText(s, to)
	}
	switch x := v.(type) {
	case int64:
		return castInt(x, from, to)
	case float64:
		return castFloat(x, from, to)
	case *apd.Decimal:
		return castNumeric(x, to)
	case bool:
		if to.OID == OIDInt4 {
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		}
		if to.OID == OIDBool {
			return x, nil
		}
	case time.Time:
		return castTime(x, from, to)
	case []byte:
		if to.OID == OIDBytea {
			return x, nil
		}
	}
	return nil, sqlerr.New(sqlerr.CannotCoerce, "cannot cast type %s to %s", from, to)
}

func castInt(x int64, from, to T) (Value, error) {
	switch {
	case to.IsInteger():
		if from.IsOIDLike() && to.OID == OIDInt4 && x > math.MaxInt32 {
			return x - 1<<32, nil
		}
		return CheckInt(x, to)
	case to.OID == OIDFloat8:
		return float64(x), nil
	case to.OID == OIDFloat4:
		return float64(float32(x)), nil
	case to.OID == OIDNumeric:
		return applyNumericTypmod(NumericFromInt(x), to)
	case to.OID == OIDBool:
		return x != 0, nil
	case to.IsOIDLike():
		if from.IsOIDLike() {
			return x, nil
		}
		if x < math.MinInt32 || x > math.MaxUint32 {
			return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "OID out of range")
		}
		if x < 0 {
			x += 1 << 32
		}
		return x, nil
	}
	return nil, sqlerr.New(sqlerr.CannotCoerce, "cannot cast type %s to %s", from, to)
}

// FloatToInt rounds f to the nearest integer, ties to even (rint), and
// checks it against integer type t.
func FloatToInt(f float64, t T) (int64, error) {
	r := math.RoundToEven(f)
	if math.IsNaN(r) || r < -9223372036854775808.0 || r >= 9223372036854775808.0 {
		return 0, intOutOfRange(t)
	}
	return CheckInt(int64(r), t)
}

// FloatToNumeric converts a float as PostgreSQL does: through its text with
// 15 significant digits for float8 (6 for float4).
func FloatToNumeric(f float64, from T) (*apd.Decimal, error) {
	switch {
	case math.IsNaN(f):
		return &apd.Decimal{Form: apd.NaN}, nil
	case math.IsInf(f, 1):
		return &apd.Decimal{Form: apd.Infinite}, nil
	case math.IsInf(f, -1):
		return &apd.Decimal{Form: apd.Infinite, Negative: true}, nil
	}
	digits := 15
	if from.OID == OIDFloat4 {
		digits = 6
	}
	return parseNumeric(strconv.FormatFloat(f, 'g', digits, 64))
}

func castFloat(x float64, from, to T) (Value, error) {
	switch to.OID {
	case OIDFloat8:
		return x, nil
	case OIDFloat4:
		return ToFloat4(x)
	case OIDInt2, OIDInt4, OIDInt8:
		return FloatToInt(x, to)
	case OIDNumeric:
		d, err := FloatToNumeric(x, from)
		if err != nil {
			return nil, err
		}
		return applyNumericTypmod(d, to)
	}
	return nil, sqlerr.New(sqlerr.CannotCoerce, "cannot cast type %s to %s", from, to)
}

// NumericToInt rounds d half away from zero and checks it against integer
// type t.
func NumericToInt(d *apd.Decimal, t T) (int64, error) {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return 0, sqlerr.New(sqlerr.FeatureNotSupported, "cannot convert NaN to %s", t.Base())
	case apd.Infinite:
		return 0, sqlerr.New(sqlerr.FeatureNotSupported, "cannot convert infinity to %s", t.Base())
	}
	r := RoundNumeric(d, 0)
	i, err := r.Int64()
	if err != nil {
		return 0, intOutOfRange(t)
	}
	return CheckInt(i, t)
}

func castNumeric(x *apd.Decimal, to T) (Value, error) {
	switch to.OID {
	case OIDNumeric:
		return applyNumericTypmod(x, to)
	case OIDInt2, OIDInt4, OIDInt8:
		return NumericToInt(x, to)
	case OIDFloat8, OIDFloat4:
		f, err := NumericToFloat(x)
		if err != nil || (math.IsInf(f, 0) && x.Form == apd.Finite) {
			return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: overflow")
		}
		if to.OID == OIDFloat4 {
			return ToFloat4(f)
		}
		return f, nil
	}
	return nil, sqlerr.New(sqlerr.CannotCoerce, "cannot cast type numeric to %s", to)
}

func castTime(x time.Time, from, to T) (Value, error) {
	switch to.OID {
	case OIDDate:
		return DateOf(x), nil
	case OIDTimestamp, OIDTimestamptz:
		return roundTimestamp(x, to), nil
	}
	return nil, sqlerr.New(sqlerr.CannotCoerce, "cannot cast type %s to %s", from, to)
}
