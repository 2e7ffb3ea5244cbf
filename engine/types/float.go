package types

import (
	"math"
	"strconv"
	"strings"

	"github.com/chronos-db/chronos/engine/sqlerr"
)

// FormatFloat formats a float the way PostgreSQL 12 and later do with the
// default extra_float_digits = 1: the shortest text that reads back to the
// same value, in fixed notation when the decimal exponent lies in
// [-4, 15) for float8 ([-4, 6) for float4), otherwise in exponential
// notation with at least two exponent digits ("1e+20", "1.5e-05").
// bitSize is 32 for float4 and 64 for float8.
func FormatFloat(f float64, bitSize int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0"
		}
		return "0"
	}
	e := strconv.FormatFloat(f, 'e', -1, bitSize)
	i := strings.LastIndexByte(e, 'e')
	exp, _ := strconv.Atoi(e[i+1:])
	limit := 15
	if bitSize == 32 {
		limit = 6
	}
	if exp >= -4 && exp < limit {
		return strconv.FormatFloat(f, 'f', -1, bitSize)
	}
	return e
}

// parseFloat reads float4 or float8 input: surrounding spaces, decimal or
// exponential notation, NaN, Infinity, inf, with optional signs.
func parseFloat(s string, t T) (float64, error) {
	typeName := t.String()
	in := strings.TrimSpace(s)
	bitSize := 64
	if t.OID == OIDFloat4 {
		bitSize = 32
	}
	switch strings.ToLower(in) {
	case "nan", "+nan", "-nan":
		return math.NaN(), nil
	case "infinity", "+infinity", "inf", "+inf":
		return math.Inf(1), nil
	case "-infinity", "-inf":
		return math.Inf(-1), nil
	}
	if in == "" || strings.ContainsAny(in, "_xXpP") || strings.ContainsAny(strings.ToLower(in), "in") {
		return 0, sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type %s: \"%s\"", typeName, s)
	}
	f, err := strconv.ParseFloat(in, bitSize)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, sqlerr.New(sqlerr.NumericValueOutOfRange, "\"%s\" is out of range for type %s", in, typeName)
		}
		return 0, sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type %s: \"%s\"", typeName, s)
	}
	if f == 0 && !isZeroLiteral(in) {
		return 0, sqlerr.New(sqlerr.NumericValueOutOfRange, "\"%s\" is out of range for type %s", in, typeName)
	}
	if bitSize == 32 {
		f = float64(float32(f))
	}
	return f, nil
}

// isZeroLiteral reports whether a decimal literal has only zero digits in
// its mantissa (so that parsing it as 0 is not an underflow).
func isZeroLiteral(s string) bool {
	for _, c := range s {
		if c == 'e' || c == 'E' {
			break
		}
		if c >= '1' && c <= '9' {
			return false
		}
	}
	return true
}

// ToFloat4 rounds a float8 to float4, with PostgreSQL's overflow and
// underflow errors.
func ToFloat4(f float64) (float64, error) {
	r := float32(f)
	if math.IsInf(float64(r), 0) && !math.IsInf(f, 0) {
		return 0, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: overflow")
	}
	if r == 0 && f != 0 {
		return 0, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: underflow")
	}
	return float64(r), nil
}
