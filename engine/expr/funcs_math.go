package expr

import (
	"math"
	"math/rand/v2"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/cockroachdb/apd/v3"
)

// codeInvalidLogArgument is SQLSTATE 2201E.
const codeInvalidLogArgument sqlerr.Code = "2201E"

// float8Fn wraps a float8 -> float8 math function with PostgreSQL's
// overflow check.
func float8Fn(f func(float64) (float64, error)) overload {
	return overload{args: []types.T{types.Float8}, ret: types.Float8, fn: func(_ *Context, a []types.Value) (types.Value, error) {
		return f(a[0].(float64))
	}}
}

func numericFn(f func(*apd.Decimal) (*apd.Decimal, error)) overload {
	return overload{args: []types.T{types.Numeric}, ret: types.Numeric, fn: func(_ *Context, a []types.Value) (types.Value, error) {
		return f(a[0].(*apd.Decimal))
	}}
}

func checkFloat(r float64, inputs ...float64) (float64, error) {
	if math.IsInf(r, 0) {
		for _, in := range inputs {
			if math.IsInf(in, 0) {
				return r, nil
			}
		}
		return 0, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: overflow")
	}
	return r, nil
}

func init() {
	register("abs",
		overload{args: []types.T{types.Int2}, ret: types.Int2, fn: absIntFn(types.Int2)},
		overload{args: []types.T{types.Int4}, ret: types.Int4, fn: absIntFn(types.Int4)},
		overload{args: []types.T{types.Int8}, ret: types.Int8, fn: absIntFn(types.Int8)},
		overload{args: []types.T{types.Float4}, ret: types.Float4, fn: func(_ *Context, a []types.Value) (types.Value, error) {
			return math.Abs(a[0].(float64)), nil
		}},
		float8Fn(func(x float64) (float64, error) { return math.Abs(x), nil }),
		numericFn(func(x *apd.Decimal) (*apd.Decimal, error) { return new(apd.Decimal).Abs(x), nil }),
	)
	roundFloat := float8Fn(func(x float64) (float64, error) { return math.RoundToEven(x), nil })
	register("round",
		roundFloat,
		numericFn(func(x *apd.Decimal) (*apd.Decimal, error) { return types.RoundNumeric(x, 0), nil }),
		overload{args: []types.T{types.Numeric, types.Int4}, ret: types.Numeric, fn: func(_ *Context, a []types.Value) (types.Value, error) {
			return types.RoundNumeric(a[0].(*apd.Decimal), clampDigits(a[1].(int64))), nil
		}},
	)
	register("trunc",
		float8Fn(func(x float64) (float64, error) { return math.Trunc(x), nil }),
		numericFn(func(x *apd.Decimal) (*apd.Decimal, error) { return types.TruncNumeric(x, 0), nil }),
		overload{args: []types.T{types.Numeric, types.Int4}, ret: types.Numeric, fn: func(_ *Context, a []types.Value) (types.Value, error) {
			return types.TruncNumeric(a[0].(*apd.Decimal), clampDigits(a[1].(int64))), nil
		}},
	)
	ceil := []overload{
		float8Fn(func(x float64) (float64, error) { return math.Ceil(x), nil }),
		numericFn(func(x *apd.Decimal) (*apd.Decimal, error) { return types.CeilNumeric(x), nil }),
	}
	register("ceil", ceil...)
	register("ceiling", ceil...)
	register("floor",
		float8Fn(func(x float64) (float64, error) { return math.Floor(x), nil }),
		numericFn(func(x *apd.Decimal) (*apd.Decimal, error) { return types.FloorNumeric(x), nil }),
	)
	register("sign",
		float8Fn(func(x float64) (float64, error) {
			switch {
			case x > 0:
				return 1, nil
			case x < 0:
				return -1, nil
			}
			return 0, nil
		}),
		numericFn(func(x *apd.Decimal) (*apd.Decimal, error) {
			if x.Form == apd.NaN {
				return x, nil
			}
			return apd.New(int64(x.Sign()), 0), nil
		}),
	)
	register("mod",
		overload{args: []types.T{types.Int2, types.Int2}, ret: types.Int2, fn: modInt},
		overload{args: []types.T{types.Int4, types.Int4}, ret: types.Int4, fn: modInt},
		overload{args: []types.T{types.Int8, types.Int8}, ret: types.Int8, fn: modInt},
		overload{args: []types.T{types.Numeric, types.Numeric}, ret: types.Numeric, fn: func(_ *Context, a []types.Value) (types.Value, error) {
			return types.ModNumeric(a[0].(*apd.Decimal), a[1].(*apd.Decimal))
		}},
	)
	register("div", overload{args: []types.T{types.Numeric, types.Numeric}, ret: types.Numeric, fn: func(_ *Context, a []types.Value) (types.Value, error) {
		x, y := a[0].(*apd.Decimal), a[1].(*apd.Decimal)
		if y.Form == apd.Finite && y.IsZero() {
			return nil, errDivisionByZero()
		}
		// (x - x mod y) / y is an exact integer.
		r, err := types.ModNumeric(x, y)
		if err != nil {
			return nil, err
		}
		diff, err := types.SubNumeric(x, r)
		if err != nil {
			return nil, err
		}
		q, err := types.DivNumeric(diff, y)
		if err != nil {
			return nil, err
		}
		return types.TruncNumeric(q, 0), nil
	}})
	power := []overload{
		{args: []types.T{types.Float8, types.Float8}, ret: types.Float8, fn: func(_ *Context, a []types.Value) (types.Value, error) {
			return floatPower(a[0].(float64), a[1].(float64))
		}},
		{args: []types.T{types.Numeric, types.Numeric}, ret: types.Numeric, fn: func(_ *Context, a []types.Value) (types.Value, error) {
			return types.PowNumeric(a[0].(*apd.Decimal), a[1].(*apd.Decimal))
		}},
	}
	register("power", power...)
	register("pow", power...)
	register("sqrt",
		float8Fn(func(x float64) (float64, error) {
			if x < 0 {
				return 0, sqlerr.New(codeInvalidPowerArgument, "cannot take square root of a negative number")
			}
			return math.Sqrt(x), nil
		}),
		numericFn(types.SqrtNumeric),
	)
	register("cbrt", float8Fn(func(x float64) (float64, error) { return math.Cbrt(x), nil }))
	register("exp",
		float8Fn(func(x float64) (float64, error) {
			r := math.Exp(x)
			if r == 0 && !math.IsInf(x, -1) {
				return 0, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: underflow")
			}
			return checkFloat(r, x)
		}),
		numericFn(types.ExpNumeric),
	)
	register("ln",
		float8Fn(func(x float64) (float64, error) {
			if err := floatLogArg(x); err != nil {
				return 0, err
			}
			return math.Log(x), nil
		}),
		numericFn(types.LnNumeric),
	)
	log10 := []overload{
		float8Fn(func(x float64) (float64, error) {
			if err := floatLogArg(x); err != nil {
				return 0, err
			}
			return math.Log10(x), nil
		}),
		numericFn(func(x *apd.Decimal) (*apd.Decimal, error) { return types.LogNumeric(apd.New(10, 0), x) }),
	}
	register("log", log10...)
	register("log10", log10...)
	register("log", overload{args: []types.T{types.Numeric, types.Numeric}, ret: types.Numeric, fn: func(_ *Context, a []types.Value) (types.Value, error) {
		return types.LogNumeric(a[0].(*apd.Decimal), a[1].(*apd.Decimal))
	}})
	register("pi", overload{args: nil, ret: types.Float8, fn: func(*Context, []types.Value) (types.Value, error) { return math.Pi, nil }})
	register("random", overload{args: nil, ret: types.Float8, volatile: true, fn: func(*Context, []types.Value) (types.Value, error) {
		return rand.Float64(), nil
	}})
	register("degrees", float8Fn(func(x float64) (float64, error) { return x * 180 / math.Pi, nil }))
	register("radians", float8Fn(func(x float64) (float64, error) { return x * math.Pi / 180, nil }))
	trig := map[string]func(float64) float64{
		"sin": math.Sin, "cos": math.Cos, "tan": math.Tan, "asin": math.Asin, "acos": math.Acos, "atan": math.Atan,
		"sinh": math.Sinh, "cosh": math.Cosh, "tanh": math.Tanh,
		"cot": func(x float64) float64 { return 1 / math.Tan(x) },
	}
	for name, f := range trig {
		register(name, float8Fn(func(x float64) (float64, error) {
			r := f(x)
			if math.IsNaN(r) && !math.IsNaN(x) {
				return 0, sqlerr.New(sqlerr.NumericValueOutOfRange, "input is out of range")
			}
			return r, nil
		}))
	}
	register("atan2", overload{args: []types.T{types.Float8, types.Float8}, ret: types.Float8, fn: func(_ *Context, a []types.Value) (types.Value, error) {
		return math.Atan2(a[0].(float64), a[1].(float64)), nil
	}})
	register("gcd",
		overload{args: []types.T{types.Int4, types.Int4}, ret: types.Int4, fn: gcdInt(types.Int4)},
		overload{args: []types.T{types.Int8, types.Int8}, ret: types.Int8, fn: gcdInt(types.Int8)},
	)
}

// clampDigits bounds round/trunc's digit argument to what numeric holds.
func clampDigits(n int64) int {
	return int(max(min(n, types.NumericMaxDisplayScale), -types.NumericMaxDisplayScale))
}

func floatLogArg(x float64) error {
	if x == 0 {
		return sqlerr.New(codeInvalidLogArgument, "cannot take logarithm of zero")
	}
	if x < 0 {
		return sqlerr.New(codeInvalidLogArgument, "cannot take logarithm of a negative number")
	}
	return nil
}

func absIntFn(t types.T) func(*Context, []types.Value) (types.Value, error) {
	lo, _ := types.IntRange(t)
	return func(_ *Context, a []types.Value) (types.Value, error) {
		x := a[0].(int64)
		if x == lo {
			return nil, types.IntOutOfRange(t)
		}
		if x < 0 {
			return -x, nil
		}
		return x, nil
	}
}

func modInt(_ *Context, a []types.Value) (types.Value, error) {
	x, y := a[0].(int64), a[1].(int64)
	if y == 0 {
		return nil, errDivisionByZero()
	}
	if y == -1 {
		return int64(0), nil
	}
	return x % y, nil
}

func gcdInt(t types.T) func(*Context, []types.Value) (types.Value, error) {
	return func(_ *Context, a []types.Value) (types.Value, error) {
		x, y := a[0].(int64), a[1].(int64)
		for y != 0 {
			x, y = y, x%y
		}
		if x < 0 {
			lo, _ := types.IntRange(t)
			if x == lo {
				return nil, types.IntOutOfRange(t)
			}
			x = -x
		}
		return x, nil
	}
}
