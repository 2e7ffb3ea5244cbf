package types

import (
	"math/big"
	"strings"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/cockroachdb/apd/v3"
)

// NumericMaxDisplayScale is PostgreSQL's NUMERIC_MAX_DISPLAY_SCALE.
const NumericMaxDisplayScale = 1000

// numericMinSigDigits is PostgreSQL's NUMERIC_MIN_SIG_DIGITS.
const numericMinSigDigits = 16

// exactCtx computes sums, differences and products exactly: apd does not
// round when the precision is 0.
var exactCtx = apd.Context{
	Precision:   0,
	MaxExponent: apd.MaxExponent,
	MinExponent: apd.MinExponent,
	Traps:       apd.DefaultTraps,
	Rounding:    apd.RoundHalfUp,
}

// NumericScale returns a numeric's display scale: the digits shown after
// the decimal point.
func NumericScale(d *apd.Decimal) int {
	if d.Form != apd.Finite || d.Exponent >= 0 {
		return 0
	}
	return int(-d.Exponent)
}

// normalizeNumeric returns d with a non-positive exponent and no negative
// zero, the canonical form Chronos stores.
func normalizeNumeric(d *apd.Decimal) *apd.Decimal {
	if d.Form != apd.Finite {
		if d.Form == apd.NaNSignaling || d.Form == apd.NaN {
			return &apd.Decimal{Form: apd.NaN}
		}
		return d
	}
	if d.Exponent > 0 {
		r := new(apd.Decimal)
		r.Coeff.Mul(&d.Coeff, new(apd.BigInt).Exp(apd.NewBigInt(10), apd.NewBigInt(int64(d.Exponent)), nil))
		r.Negative = d.Negative
		d = r
	}
	if d.Negative && d.Coeff.Sign() == 0 {
		r := new(apd.Decimal).Set(d)
		r.Negative = false
		d = r
	}
	return d
}

// RoundNumeric rounds d to scale digits after the point, half away from zero
// (PostgreSQL's round_var); a negative scale rounds to tens, hundreds...
// The result has display scale max(scale, 0).
func RoundNumeric(d *apd.Decimal, scale int) *apd.Decimal {
	return rescale(d, scale, apd.RoundHalfUp)
}

// TruncNumeric truncates d to scale digits after the point.
func TruncNumeric(d *apd.Decimal, scale int) *apd.Decimal {
	return rescale(d, scale, apd.RoundDown)
}

func rescale(d *apd.Decimal, scale int, mode apd.Rounder) *apd.Decimal {
	if d.Form != apd.Finite {
		return d
	}
	exp := int32(-scale)
	if exp > 0 {
		return rescalePositive(d, scale, mode)
	}
	ctx := exactCtx
	ctx.Rounding = mode
	ctx.Precision = uint32(d.NumDigits()) + uint32(scale) + 2
	if ctx.Precision < 2 {
		ctx.Precision = 2
	}
	r := new(apd.Decimal)
	if _, err := ctx.Quantize(r, d, exp); err != nil {
		return d
	}
	return normalizeNumeric(r)
}

// rescalePositive rounds d to a multiple of 10^-scale for scale < 0.
func rescalePositive(d *apd.Decimal, scale int, mode apd.Rounder) *apd.Decimal {
	ctx := exactCtx
	ctx.Rounding = mode
	ctx.Precision = uint32(d.NumDigits()) + 2
	r := new(apd.Decimal)
	if _, err := ctx.Quantize(r, d, int32(-scale)); err != nil {
		return d
	}
	return normalizeNumeric(r)
}

// parseNumeric reads numeric input: spaces, a sign, digits with an optional
// point and exponent, NaN, Infinity or inf.
func parseNumeric(s string) (*apd.Decimal, error) {
	in := strings.TrimSpace(s)
	bad := func() (*apd.Decimal, error) {
		return nil, sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type numeric: \"%s\"", s)
	}
	switch strings.ToLower(in) {
	case "nan":
		return &apd.Decimal{Form: apd.NaN}, nil
	case "infinity", "+infinity", "inf", "+inf":
		return &apd.Decimal{Form: apd.Infinite}, nil
	case "-infinity", "-inf":
		return &apd.Decimal{Form: apd.Infinite, Negative: true}, nil
	}
	// Validate the shape ourselves: apd accepts forms PostgreSQL does not.
	i := 0
	if i < len(in) && (in[i] == '+' || in[i] == '-') {
		i++
	}
	digits := 0
	for i < len(in) && in[i] >= '0' && in[i] <= '9' {
		i++
		digits++
	}
	if i < len(in) && in[i] == '.' {
		i++
		for i < len(in) && in[i] >= '0' && in[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return bad()
	}
	if i < len(in) && (in[i] == 'e' || in[i] == 'E') {
		i++
		if i < len(in) && (in[i] == '+' || in[i] == '-') {
			i++
		}
		ed := 0
		for i < len(in) && in[i] >= '0' && in[i] <= '9' {
			i++
			ed++
		}
		if ed == 0 {
			return bad()
		}
	}
	if i != len(in) {
		return bad()
	}
	d, _, err := apd.NewFromString(in)
	if err != nil {
		return bad()
	}
	if d.Exponent > 1000000 || d.Exponent < -1000000 || int64(d.Exponent)+d.NumDigits() > 131072 {
		return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value overflows numeric format")
	}
	if d.Exponent < -NumericMaxDisplayScale {
		d = RoundNumeric(d, NumericMaxDisplayScale)
	}
	return normalizeNumeric(d), nil
}

// FormatNumeric is numeric's text output: plain notation with the display
// scale's digits, NaN, Infinity, -Infinity.
func FormatNumeric(d *apd.Decimal) string {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return "NaN"
	case apd.Infinite:
		if d.Negative {
			return "-Infinity"
		}
		return "Infinity"
	}
	return normalizeNumeric(d).Text('f')
}

// applyNumericTypmod rounds d to numeric(p,s) and checks its precision.
func applyNumericTypmod(d *apd.Decimal, t T) (*apd.Decimal, error) {
	p, s, ok := t.NumericPrecisionScale()
	if !ok {
		return d, nil
	}
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return d, nil
	case apd.Infinite:
		return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "numeric field overflow").
			WithDetail("A field with precision %d, scale %d cannot hold an infinite value.", p, s)
	}
	r := RoundNumeric(d, s)
	// Digits before the point must be at most p-s.
	intDigits := r.NumDigits() + int64(r.Exponent)
	if r.Coeff.Sign() != 0 && intDigits > int64(p-s) {
		e := sqlerr.New(sqlerr.NumericValueOutOfRange, "numeric field overflow")
		if p == s {
			return nil, e.WithDetail("A field with precision %d, scale %d must round to an absolute value less than 1.", p, s)
		}
		return nil, e.WithDetail("A field with precision %d, scale %d must round to an absolute value less than 10^%d.", p, s, p-s)
	}
	return r, nil
}

// numericWeight returns the base-10000 weight of the first non-zero
// base-10000 digit of d and that digit, as PostgreSQL's NumericVar holds
// them. d must be finite and non-zero.
func numericWeight(d *apd.Decimal) (weight int, first int) {
	// d = coeff * 10^exp. Write the digits with the point aligned to a
	// multiple of four.
	digits := d.Coeff.Text(10)
	exp := int(d.Exponent)
	// Position of the most significant digit: 10^(len-1+exp).
	top := len(digits) - 1 + exp
	// Base-10000 weight of that digit.
	w := floorDiv(top, 4)
	// The first base-10000 digit consists of decimal positions w*4+3 .. w*4.
	v := 0
	for pos := w*4 + 3; pos >= w*4; pos-- {
		idx := len(digits) - 1 - (pos - exp)
		dv := 0
		if idx >= 0 && idx < len(digits) {
			dv = int(digits[idx] - '0')
		}
		v = v*10 + dv
	}
	return w, v
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// divScale is PostgreSQL's select_div_scale: the display scale of x / y.
func divScale(x, y *apd.Decimal) int {
	w1, f1, w2, f2 := 0, 0, 0, 0
	if x.Form == apd.Finite && x.Coeff.Sign() != 0 {
		w1, f1 = numericWeight(x)
	}
	if y.Form == apd.Finite && y.Coeff.Sign() != 0 {
		w2, f2 = numericWeight(y)
	}
	qweight := w1 - w2
	if f1 <= f2 {
		qweight--
	}
	rscale := numericMinSigDigits - qweight*4
	rscale = max(rscale, NumericScale(x), NumericScale(y), 0)
	return min(rscale, NumericMaxDisplayScale)
}

// toBig returns d's coefficient as a signed big.Int and its exponent.
func toBig(d *apd.Decimal) (*big.Int, int) {
	b := new(big.Int)
	b.SetString(d.Coeff.Text(10), 10)
	if d.Negative {
		b.Neg(b)
	}
	return b, int(d.Exponent)
}

var bigTen = big.NewInt(10)

func pow10(n int) *big.Int {
	return new(big.Int).Exp(bigTen, big.NewInt(int64(n)), nil)
}

// fromBig builds coeff * 10^-scale.
func fromBig(coeff *big.Int, scale int) *apd.Decimal {
	d := new(apd.Decimal)
	neg := coeff.Sign() < 0
	abs := new(big.Int).Abs(coeff)
	d.Coeff.SetString(abs.Text(10), 10)
	d.Negative = neg && abs.Sign() != 0
	d.Exponent = int32(-scale)
	return d
}

// DivNumeric divides x by y with PostgreSQL's result scale, rounding half
// away from zero; 22012 when y is zero.
func DivNumeric(x, y *apd.Decimal) (*apd.Decimal, error) {
	if r, ok, err := numericSpecialDiv(x, y); ok {
		return r, err
	}
	return divRound(x, y, divScale(x, y))
}

// divRound computes x / y rounded half away from zero to scale digits.
func divRound(x, y *apd.Decimal, scale int) (*apd.Decimal, error) {
	if y.Coeff.Sign() == 0 {
		return nil, sqlerr.New(sqlerr.DivisionByZero, "division by zero")
	}
	xb, xe := toBig(x)
	yb, ye := toBig(y)
	// x/y = xb*10^xe / (yb*10^ye); want q = round(x/y * 10^scale).
	num := new(big.Int).Set(xb)
	den := new(big.Int).Set(yb)
	shift := xe - ye + scale
	if shift >= 0 {
		num.Mul(num, pow10(shift))
	} else {
		den.Mul(den, pow10(-shift))
	}
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	// Round half away from zero: |2r| >= |den|.
	r2 := new(big.Int).Abs(r)
	r2.Lsh(r2, 1)
	if r2.Cmp(new(big.Int).Abs(den)) >= 0 {
		if (num.Sign() < 0) != (den.Sign() < 0) {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return fromBig(q, scale), nil
}

// numericSpecialDiv handles NaN, infinities and zero divisors.
func numericSpecialDiv(x, y *apd.Decimal) (*apd.Decimal, bool, error) {
	if x.Form == apd.Finite && y.Form == apd.Finite {
		if y.Coeff.Sign() == 0 {
			return nil, true, sqlerr.New(sqlerr.DivisionByZero, "division by zero")
		}
		return nil, false, nil
	}
	nan := &apd.Decimal{Form: apd.NaN}
	if x.Form == apd.NaN || y.Form == apd.NaN {
		return nan, true, nil
	}
	if x.Form == apd.Infinite {
		if y.Form == apd.Infinite {
			return nan, true, nil
		}
		if y.Coeff.Sign() == 0 {
			return nil, true, sqlerr.New(sqlerr.DivisionByZero, "division by zero")
		}
		return &apd.Decimal{Form: apd.Infinite, Negative: x.Negative != y.Negative}, true, nil
	}
	// finite / infinity
	return apd.New(0, 0), true, nil
}

// ModNumeric is numeric's %: the remainder with the dividend's sign.
func ModNumeric(x, y *apd.Decimal) (*apd.Decimal, error) {
	if x.Form != apd.Finite || y.Form != apd.Finite {
		if x.Form == apd.NaN || y.Form == apd.NaN {
			return &apd.Decimal{Form: apd.NaN}, nil
		}
		if x.Form == apd.Infinite {
			if y.Form == apd.Finite && y.Coeff.Sign() == 0 {
				return nil, sqlerr.New(sqlerr.DivisionByZero, "division by zero")
			}
			return &apd.Decimal{Form: apd.NaN}, nil
		}
		return x, nil
	}
	if y.Coeff.Sign() == 0 {
		return nil, sqlerr.New(sqlerr.DivisionByZero, "division by zero")
	}
	xb, xe := toBig(x)
	yb, ye := toBig(y)
	scale := max(-xe, -ye, 0)
	xs := new(big.Int).Mul(xb, pow10(scale+xe))
	ys := new(big.Int).Mul(yb, pow10(scale+ye))
	r := new(big.Int).Rem(xs, ys)
	return fromBig(r, scale), nil
}

// AddNumeric, SubNumeric and MulNumeric are exact.
func AddNumeric(x, y *apd.Decimal) (*apd.Decimal, error) {
	return numericOp(x, y, exactCtx.Add)
}

// SubNumeric returns x - y.
func SubNumeric(x, y *apd.Decimal) (*apd.Decimal, error) {
	return numericOp(x, y, exactCtx.Sub)
}

// MulNumeric returns x * y.
func MulNumeric(x, y *apd.Decimal) (*apd.Decimal, error) {
	if x.Form == apd.Infinite || y.Form == apd.Infinite {
		if (x.Form == apd.Finite && x.Coeff.Sign() == 0) || (y.Form == apd.Finite && y.Coeff.Sign() == 0) {
			return &apd.Decimal{Form: apd.NaN}, nil
		}
	}
	r, err := numericOp(x, y, exactCtx.Mul)
	if err != nil {
		return nil, err
	}
	if r.Form == apd.Finite && r.Exponent < -NumericMaxDisplayScale {
		r = RoundNumeric(r, NumericMaxDisplayScale)
	}
	return r, nil
}

func numericOp(x, y *apd.Decimal, op func(d, x, y *apd.Decimal) (apd.Condition, error)) (*apd.Decimal, error) {
	if x.Form == apd.NaN || y.Form == apd.NaN {
		return &apd.Decimal{Form: apd.NaN}, nil
	}
	r := new(apd.Decimal)
	if _, err := op(r, x, y); err != nil {
		if r.Form == apd.NaN {
			return r, nil
		}
		return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value overflows numeric format")
	}
	return normalizeNumeric(r), nil
}

// NumericFromInt returns i as a numeric.
func NumericFromInt(i int64) *apd.Decimal { return apd.New(i, 0) }
