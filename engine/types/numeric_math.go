package types

import (
	"math"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/cockroachdb/apd/v3"
)

// SQLSTATEs for math function arguments (not in sqlerr's catalogue).
const (
	codeInvalidLogArgument   sqlerr.Code = "2201E"
	codeInvalidPowerArgument sqlerr.Code = "2201F"
)

// approxNumeric evaluates fn with enough working precision for rscale
// digits after the point of a result whose magnitude is about 10^weight,
// then rounds to rscale half away from zero.
func approxNumeric(fn func(ctx *apd.Context, d *apd.Decimal) error, rscale, weight int) (*apd.Decimal, error) {
	ctx := exactCtx
	ctx.Precision = uint32(max(rscale+max(weight, 0)+12, 34))
	d := new(apd.Decimal)
	if err := fn(&ctx, d); err != nil {
		return nil, err
	}
	return RoundNumeric(d, rscale), nil
}

func clampScale(rscale int, ds ...int) int {
	for _, d := range ds {
		rscale = max(rscale, d)
	}
	return min(max(rscale, 0), NumericMaxDisplayScale)
}

// estimateLnWeight is PostgreSQL's estimate_ln_dweight: the decimal weight
// of ln(d).
func estimateLnWeight(d *apd.Decimal) int {
	f, _ := NumericToFloat(d)
	if f >= 0.9 && f <= 1.1 {
		x := math.Abs(f - 1)
		if x == 0 {
			return 0
		}
		return int(math.Floor(math.Log10(x)))
	}
	if f <= 0 || math.IsInf(f, 0) {
		return 0
	}
	l := math.Abs(math.Log(f))
	if l == 0 {
		return 0
	}
	return int(math.Log10(l))
}

func numericWeightDigits(d *apd.Decimal) int {
	if d.Form != apd.Finite || d.IsZero() {
		return 0
	}
	return int(d.NumDigits()) + int(d.Exponent)
}

// SqrtNumeric is sqrt(numeric) with PostgreSQL's result scale.
func SqrtNumeric(x *apd.Decimal) (*apd.Decimal, error) {
	if x.Form == apd.NaN {
		return x, nil
	}
	if x.Sign() < 0 {
		return nil, sqlerr.New(codeInvalidPowerArgument, "cannot take square root of a negative number")
	}
	if x.Form == apd.Infinite {
		return x, nil
	}
	w := 0
	if !x.IsZero() {
		w, _ = numericWeight(x)
	}
	sweight := (w+1)*4/2 - 1
	rscale := clampScale(numericMinSigDigits-sweight, NumericScale(x))
	return approxNumeric(func(ctx *apd.Context, d *apd.Decimal) error {
		_, err := ctx.Sqrt(d, x)
		return err
	}, rscale, numericWeightDigits(x)/2+1)
}

// ExpNumeric is exp(numeric).
func ExpNumeric(x *apd.Decimal) (*apd.Decimal, error) {
	if x.Form == apd.NaN {
		return x, nil
	}
	if x.Form == apd.Infinite {
		if x.Negative {
			return apd.New(0, 0), nil
		}
		return x, nil
	}
	f, _ := NumericToFloat(x)
	val := f * 0.434294481903252
	if val > 131072 {
		return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value overflows numeric format")
	}
	val = max(min(val, 2000), -2000)
	rscale := clampScale(numericMinSigDigits-int(val), NumericScale(x))
	return approxNumeric(func(ctx *apd.Context, d *apd.Decimal) error {
		_, err := ctx.Exp(d, x)
		return err
	}, rscale, int(val)+1)
}

func checkLogArg(x *apd.Decimal) error {
	if x.Form == apd.Finite && x.IsZero() {
		return sqlerr.New(codeInvalidLogArgument, "cannot take logarithm of zero")
	}
	if x.Sign() < 0 {
		return sqlerr.New(codeInvalidLogArgument, "cannot take logarithm of a negative number")
	}
	return nil
}

// LnNumeric is ln(numeric).
func LnNumeric(x *apd.Decimal) (*apd.Decimal, error) {
	if x.Form == apd.NaN {
		return x, nil
	}
	if err := checkLogArg(x); err != nil {
		return nil, err
	}
	if x.Form == apd.Infinite {
		return x, nil
	}
	w := estimateLnWeight(x)
	rscale := clampScale(numericMinSigDigits-w, NumericScale(x))
	return approxNumeric(func(ctx *apd.Context, d *apd.Decimal) error {
		_, err := ctx.Ln(d, x)
		return err
	}, rscale, w+1)
}

// LogNumeric is log(base, x) for numerics; log(x) is LogNumeric(10, x).
func LogNumeric(base, x *apd.Decimal) (*apd.Decimal, error) {
	if base.Form == apd.NaN || x.Form == apd.NaN {
		return &apd.Decimal{Form: apd.NaN}, nil
	}
	if err := checkLogArg(base); err != nil {
		return nil, err
	}
	if err := checkLogArg(x); err != nil {
		return nil, err
	}
	if base.Form == apd.Finite && base.Cmp(apd.New(1, 0)) == 0 {
		return nil, sqlerr.New(sqlerr.DivisionByZero, "division by zero")
	}
	if base.Form == apd.Infinite || x.Form == apd.Infinite {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "logarithm of infinity is not supported")
	}
	w := estimateLnWeight(x) - estimateLnWeight(base)
	rscale := clampScale(numericMinSigDigits-w, NumericScale(base), NumericScale(x))
	return approxNumeric(func(ctx *apd.Context, d *apd.Decimal) error {
		lb, lx := new(apd.Decimal), new(apd.Decimal)
		if _, err := ctx.Ln(lb, base); err != nil {
			return err
		}
		if _, err := ctx.Ln(lx, x); err != nil {
			return err
		}
		_, err := ctx.Quo(d, lx, lb)
		return err
	}, rscale, w+1)
}

// PowNumeric is numeric ^ numeric (power).
func PowNumeric(x, y *apd.Decimal) (*apd.Decimal, error) {
	if x.Form == apd.NaN || y.Form == apd.NaN {
		if x.Form == apd.Finite && x.Cmp(apd.New(1, 0)) == 0 {
			return apd.New(1, 0), nil
		}
		if y.Form == apd.Finite && y.IsZero() {
			return apd.New(1, 0), nil
		}
		return &apd.Decimal{Form: apd.NaN}, nil
	}
	if x.Form == apd.Finite && x.IsZero() && y.Sign() < 0 {
		return nil, sqlerr.New(codeInvalidPowerArgument, "zero raised to a negative power is undefined")
	}
	yInt := y.Form == apd.Finite && isIntegral(y)
	if x.Sign() < 0 && !yInt && y.Form == apd.Finite {
		return nil, sqlerr.New(codeInvalidPowerArgument, "a negative number raised to a non-integer power yields a complex result")
	}
	if x.Form == apd.Infinite || y.Form == apd.Infinite {
		xf, _ := NumericToFloat(x)
		yf, _ := NumericToFloat(y)
		return FloatToNumeric(math.Pow(xf, yf), Float8)
	}
	xf, _ := NumericToFloat(x)
	yf, _ := NumericToFloat(y)
	var rscale int
	if yInt && math.Abs(yf) <= math.MaxInt32 {
		rscale = clampScale(numericMinSigDigits, NumericScale(x))
	} else {
		val := yf * math.Log(math.Abs(xf)) * 0.434294481903252
		if x.IsZero() {
			val = 0
		}
		rscale = clampScale(numericMinSigDigits-int(val), NumericScale(x), NumericScale(y))
	}
	weight := 0
	if xf != 0 {
		weight = int(yf*math.Log10(math.Abs(xf))) + 1
	}
	if weight > 131072 {
		return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value overflows numeric format")
	}
	return approxNumeric(func(ctx *apd.Context, d *apd.Decimal) error {
		_, err := ctx.Pow(d, x, y)
		return err
	}, rscale, weight)
}

func isIntegral(d *apd.Decimal) bool {
	if d.Exponent >= 0 {
		return true
	}
	r := TruncNumeric(d, 0)
	return r.Cmp(d) == 0
}

// CeilNumeric, FloorNumeric round toward +/- infinity to an integer.
func CeilNumeric(x *apd.Decimal) *apd.Decimal { return rescale(x, 0, apd.RoundCeiling) }

// FloorNumeric rounds toward negative infinity to an integer.
func FloorNumeric(x *apd.Decimal) *apd.Decimal { return rescale(x, 0, apd.RoundFloor) }
