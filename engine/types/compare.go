package types

import (
	"bytes"
	"math"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"
)

// Compare orders two non-NULL values of type t: -1, 0 or +1. It is a total
// order, the one PostgreSQL's btree operator class uses: NaN sorts above
// every other float or numeric and equals itself, -0 equals 0, text compares
// byte-wise (the C collation), character(n) ignores trailing spaces.
func Compare(a, b Value, t T) int {
	switch x := a.(type) {
	case int64:
		switch y := b.(type) {
		case int64:
			return cmpInt(x, y)
		case float64:
			return CompareFloat(float64(x), y)
		case *apd.Decimal:
			return CompareNumeric(NumericFromInt(x), y)
		}
	case float64:
		switch y := b.(type) {
		case float64:
			return CompareFloat(x, y)
		case int64:
			return CompareFloat(x, float64(y))
		case *apd.Decimal:
			f, _ := NumericToFloat(y)
			return CompareFloat(x, f)
		}
	case *apd.Decimal:
		switch y := b.(type) {
		case *apd.Decimal:
			return CompareNumeric(x, y)
		case int64:
			return CompareNumeric(x, NumericFromInt(y))
		case float64:
			f, _ := NumericToFloat(x)
			return CompareFloat(f, y)
		}
	case string:
		if y, ok := b.(string); ok {
			if t.OID == OIDBPChar {
				return strings.Compare(strings.TrimRight(x, " "), strings.TrimRight(y, " "))
			}
			return strings.Compare(x, y)
		}
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0
			case !x:
				return -1
			}
			return 1
		}
	case []byte:
		if y, ok := b.([]byte); ok {
			return bytes.Compare(x, y)
		}
	case time.Time:
		if y, ok := b.(time.Time); ok {
			return x.Compare(y)
		}
	}
	panic("types.Compare: mismatched values " + describe(a) + " and " + describe(b))
}

func describe(v Value) string {
	switch v.(type) {
	case nil:
		return "NULL"
	case int64:
		return "int64"
	case float64:
		return "float64"
	case string:
		return "string"
	case bool:
		return "bool"
	case []byte:
		return "[]byte"
	case *apd.Decimal:
		return "*apd.Decimal"
	case time.Time:
		return "time.Time"
	}
	return "unexpected Go type"
}

func cmpInt(x, y int64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// CompareFloat is float8's btree order: NaN last and equal to itself.
func CompareFloat(x, y float64) int {
	switch {
	case math.IsNaN(x):
		if math.IsNaN(y) {
			return 0
		}
		return 1
	case math.IsNaN(y):
		return -1
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// CompareNumeric is numeric's btree order: -Infinity < finite < Infinity <
// NaN; equal values with different display scales compare equal.
func CompareNumeric(x, y *apd.Decimal) int {
	rx, ry := numericRank(x), numericRank(y)
	if rx != ry {
		return cmpInt(int64(rx), int64(ry))
	}
	if rx != 2 {
		return 0
	}
	return x.Cmp(y)
}

// numericRank: 0 -Infinity, 2 finite, 3 Infinity, 4 NaN.
func numericRank(d *apd.Decimal) int {
	switch d.Form {
	case apd.Infinite:
		if d.Negative {
			return 0
		}
		return 3
	case apd.NaN, apd.NaNSignaling:
		return 4
	}
	return 2
}

// NumericToFloat converts a numeric to float64 (NaN and infinities
// included).
func NumericToFloat(d *apd.Decimal) (float64, error) {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return math.NaN(), nil
	case apd.Infinite:
		if d.Negative {
			return math.Inf(-1), nil
		}
		return math.Inf(1), nil
	}
	return d.Float64()
}
