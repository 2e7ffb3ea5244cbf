package storage

import (
	"math"

	"github.com/cockroachdb/apd/v3"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
)

// addValue computes old + add for an increment op on a column of type t.
// NULL on either side gives NULL. Overflow is 22003, as in PostgreSQL.
func addValue(old, add types.Value, t types.T) (types.Value, error) {
	if old == nil || add == nil {
		return nil, nil
	}
	switch t.OID {
	case types.OIDInt2, types.OIDInt4, types.OIDInt8:
		a, ok1 := old.(int64)
		b, ok2 := add.(int64)
		if !ok1 || !ok2 {
			return nil, internalf("increment of %s column by %T", t, add)
		}
		s := a + b
		if (b > 0 && s < a) || (b < 0 && s > a) {
			return nil, errIntRange(t)
		}
		if (t.OID == types.OIDInt2 && (s < math.MinInt16 || s > math.MaxInt16)) ||
			(t.OID == types.OIDInt4 && (s < math.MinInt32 || s > math.MaxInt32)) {
			return nil, errIntRange(t)
		}
		return s, nil
	case types.OIDFloat4, types.OIDFloat8:
		a, ok1 := toFloat(old)
		b, ok2 := toFloat(add)
		if !ok1 || !ok2 {
			return nil, internalf("increment of %s column by %T", t, add)
		}
		s := a + b
		if math.IsInf(s, 0) && !math.IsInf(a, 0) && !math.IsInf(b, 0) {
			return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: overflow")
		}
		if t.OID == types.OIDFloat4 {
			return types.ToFloat4(s)
		}
		return s, nil
	case types.OIDNumeric:
		a, ok1 := toDecimal(old)
		b, ok2 := toDecimal(add)
		if !ok1 || !ok2 {
			return nil, internalf("increment of %s column by %T", t, add)
		}
		s := new(apd.Decimal)
		if _, err := numericContext.Add(s, a, b); err != nil {
			return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value overflows numeric format")
		}
		return types.Cast(s, types.Numeric, t, false)
	}
	return nil, internalf("increment of a column of type %s", t)
}

// numericContext is wide enough for any sum of PostgreSQL numerics.
var numericContext = apd.BaseContext.WithPrecision(2000)

func errIntRange(t types.T) error {
	name := "bigint"
	switch t.OID {
	case types.OIDInt2:
		name = "smallint"
	case types.OIDInt4:
		name = "integer"
	}
	return sqlerr.New(sqlerr.NumericValueOutOfRange, "%s out of range", name)
}

func toFloat(v types.Value) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	}
	return 0, false
}

func toDecimal(v types.Value) (*apd.Decimal, bool) {
	switch x := v.(type) {
	case *apd.Decimal:
		return x, true
	case int64:
		return apd.New(x, 0), true
	}
	return nil, false
}
