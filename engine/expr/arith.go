package expr

import (
	"math"
	"math/bits"
	"time"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/cockroachdb/apd/v3"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
	"github.com/pingcap/tidb/pkg/parser/test_driver"
)

// binary compiles a binary operator.
func (c *compiler) binary(x *ast.BinaryOperationExpr) (Expr, error) {
	switch x.Op {
	case opcode.LogicAnd, opcode.LogicOr:
		return c.logic(x)
	case opcode.EQ, opcode.NE, opcode.LT, opcode.LE, opcode.GT, opcode.GE, opcode.NullEQ:
		if lr, ok := x.L.(*ast.RowExpr); ok {
			if rr, ok := x.R.(*ast.RowExpr); ok {
				return c.rowCompare(x.Op, lr, rr)
			}
		}
		l, err := c.compile(x.L)
		if err != nil {
			return nil, err
		}
		r, err := c.compile(x.R)
		if err != nil {
			return nil, err
		}
		return c.comparison(x.Op, l, r)
	case opcode.LogicXor:
		return nil, sqlerr.New(sqlerr.SyntaxError, "syntax error at or near \"XOR\"")
	}
	l, err := c.compile(x.L)
	if err != nil {
		return nil, err
	}
	r, err := c.compile(x.R)
	if err != nil {
		return nil, err
	}
	return c.arith(x.Op, l, r)
}

// numericRank orders the numeric types for result-type resolution.
func numericRank(t types.T) int {
	switch t.OID {
	case types.OIDInt2:
		return 1
	case types.OIDInt4:
		return 2
	case types.OIDInt8:
		return 3
	case types.OIDNumeric:
		return 4
	case types.OIDFloat4:
		return 5
	case types.OIDFloat8:
		return 6
	}
	return 0
}

// arithType is the type PostgreSQL's operator resolution picks for a
// binary arithmetic operator over two numeric types: integers widen,
// integer with numeric gives numeric, float4 with float4 stays float4, and
// any other float operand makes float8.
func arithType(l, r types.T) types.T {
	lr, rr := numericRank(l), numericRank(r)
	switch {
	case lr <= 3 && rr <= 3:
		if lr >= rr {
			return l.Base()
		}
		return r.Base()
	case lr == 6 || rr == 6:
		return types.Float8
	case lr == 5 && rr == 5:
		return types.Float4
	case lr == 5 || rr == 5:
		return types.Float8
	}
	return types.Numeric
}

// arith compiles + - * / % ^ and the bitwise operators.
func (c *compiler) arith(op opcode.Op, l, r Expr) (Expr, error) {
	name := opName(op)
	lt, rt := l.Type(), r.Type()
	if lt.IsUnknown() && rt.IsUnknown() {
		if op == opcode.Xor {
			// Only float8 ^ float8 and numeric ^ numeric exist; PostgreSQL
			// prefers float8.
			var err error
			if l, err = c.coerce(l, types.Float8); err != nil {
				return nil, err
			}
			if r, err = c.coerce(r, types.Float8); err != nil {
				return nil, err
			}
			return c.arith(op, l, r)
		}
		return nil, sqlerr.New(sqlerr.AmbiguousFunction, "operator is not unique: unknown %s unknown", name).
			WithHint("Could not choose a best candidate operator. You might need to add explicit type casts.")
	}
	var err error
	if lt.IsUnknown() || rt.IsUnknown() {
		known := lt
		if lt.IsUnknown() {
			known = rt
		}
		if known.OID == types.OIDDate && op != opcode.Minus {
			// date + unknown could be integer, interval or time.
			return nil, sqlerr.New(sqlerr.AmbiguousFunction, "operator is not unique: %s %s %s", lt, name, rt).
				WithHint("Could not choose a best candidate operator. You might need to add explicit type casts.")
		}
	}
	if lt.IsUnknown() {
		if l, err = c.coerce(l, rt.Base()); err != nil {
			return nil, err
		}
		lt = l.Type()
	}
	if rt.IsUnknown() {
		if r, err = c.coerce(r, lt.Base()); err != nil {
			return nil, err
		}
		rt = r.Type()
	}
	if lt.IsOIDLike() {
		lt = types.Int8
	}
	if rt.IsOIDLike() {
		rt = types.Int8
	}
	ln, rn := numericRank(lt), numericRank(rt)
	if ln > 0 && rn > 0 {
		switch op {
		case opcode.Plus, opcode.Minus, opcode.Mul, opcode.Div, opcode.IntDiv, opcode.Mod:
			t := arithType(lt, rt)
			if op == opcode.Mod && t.IsFloat() {
				return nil, noOperator(name, lt, rt)
			}
			if op == opcode.IntDiv {
				op = opcode.Div
			}
			return newArith(op, castTo(l, t), castTo(r, t), t), nil
		case opcode.Xor:
			t := types.Float8
			if ln <= 4 && rn <= 4 && (ln == 4 || rn == 4) {
				t = types.Numeric
			}
			return newArith(op, castTo(l, t), castTo(r, t), t), nil
		case opcode.And, opcode.Or, opcode.LeftShift, opcode.RightShift:
			if ln <= 3 && rn <= 3 {
				t := arithType(lt, rt)
				if op == opcode.LeftShift || op == opcode.RightShift {
					t = lt.Base()
					r = castTo(r, types.Int4)
				}
				return newArith(op, castTo(l, t), castTo(r, t), t), nil
			}
		}
		return nil, noOperator(name, lt, rt)
	}
	// Date arithmetic: date ± integer, integer + date, date - date.
	if lt.OID == types.OIDDate && rt.IsInteger() && (op == opcode.Plus || op == opcode.Minus) {
		return &dateArith{op: op, l: l, r: castTo(r, types.Int8)}, nil
	}
	if lt.IsInteger() && rt.OID == types.OIDDate && op == opcode.Plus {
		return &dateArith{op: op, l: r, r: castTo(l, types.Int8)}, nil
	}
	if lt.OID == types.OIDDate && rt.OID == types.OIDDate && op == opcode.Minus {
		return &dateDiff{l: l, r: r}, nil
	}
	return nil, noOperator(name, lt, rt)
}

// arithExpr evaluates an arithmetic operator over two values of type t.
type arithExpr struct {
	op   opcode.Op
	l, r Expr
	t    types.T
	fn   func(a, b types.Value) (types.Value, error)
}

func newArith(op opcode.Op, l, r Expr, t types.T) *arithExpr {
	e := &arithExpr{op: op, l: l, r: r, t: t}
	switch {
	case t.IsInteger():
		e.fn = intOp(op, t)
	case t.IsFloat():
		e.fn = floatOp(op, t)
	default:
		e.fn = numericOp(op)
	}
	return e
}

func (e *arithExpr) Eval(ctx *Context, row []types.Value) (types.Value, error) {
	a, err := e.l.Eval(ctx, row)
	if err != nil || a == nil {
		return nil, err
	}
	b, err := e.r.Eval(ctx, row)
	if err != nil || b == nil {
		return nil, err
	}
	return e.fn(a, b)
}

func (e *arithExpr) Type() types.T { return e.t }
func (e *arithExpr) String() string {
	name := opName(e.op)
	if e.op == opcode.Xor {
		name = "^"
	}
	return "(" + e.l.String() + " " + name + " " + e.r.String() + ")"
}

// codeInvalidPowerArgument is SQLSTATE 2201F, invalid argument for power
// function (not in sqlerr's catalogue).
const codeInvalidPowerArgument sqlerr.Code = "2201F"

func errDivisionByZero() error { return sqlerr.New(sqlerr.DivisionByZero, "division by zero") }

// intOp returns the integer implementation of op with overflow checks
// against t's range.
func intOp(op opcode.Op, t types.T) func(a, b types.Value) (types.Value, error) {
	lo, hi := types.IntRange(t)
	check := func(v int64, overflow bool) (types.Value, error) {
		if overflow || v < lo || v > hi {
			return nil, types.IntOutOfRange(t)
		}
		return v, nil
	}
	switch op {
	case opcode.Plus:
		return func(a, b types.Value) (types.Value, error) {
			x, y := a.(int64), b.(int64)
			s := x + y
			return check(s, (x >= 0) == (y >= 0) && (s >= 0) != (x >= 0))
		}
	case opcode.Minus:
		return func(a, b types.Value) (types.Value, error) {
			x, y := a.(int64), b.(int64)
			s := x - y
			return check(s, (x >= 0) != (y >= 0) && (s >= 0) != (x >= 0))
		}
	case opcode.Mul:
		return func(a, b types.Value) (types.Value, error) {
			x, y := a.(int64), b.(int64)
			hiBits, loBits := bits.Mul64(uint64(absInt(x)), uint64(absInt(y)))
			neg := (x < 0) != (y < 0)
			if hiBits != 0 || (loBits > math.MaxInt64 && !(neg && loBits == 1<<63)) || x == math.MinInt64 && y != 1 && y != 0 || y == math.MinInt64 && x != 1 && x != 0 {
				return nil, types.IntOutOfRange(t)
			}
			return check(x*y, false)
		}
	case opcode.Div:
		return func(a, b types.Value) (types.Value, error) {
			x, y := a.(int64), b.(int64)
			if y == 0 {
				return nil, errDivisionByZero()
			}
			if y == -1 {
				if x == lo {
					return nil, types.IntOutOfRange(t)
				}
				return -x, nil
			}
			return x / y, nil
		}
	case opcode.Mod:
		return func(a, b types.Value) (types.Value, error) {
			x, y := a.(int64), b.(int64)
			if y == 0 {
				return nil, errDivisionByZero()
			}
			if y == -1 {
				return int64(0), nil
			}
			return x % y, nil
		}
	case opcode.And:
		return func(a, b types.Value) (types.Value, error) { return a.(int64) & b.(int64), nil }
	case opcode.Or:
		return func(a, b types.Value) (types.Value, error) { return a.(int64) | b.(int64), nil }
	case opcode.LeftShift:
		width := widthBits(t)
		return func(a, b types.Value) (types.Value, error) {
			return signExtend(a.(int64)<<(uint64(b.(int64))%uint64(width)), width), nil
		}
	case opcode.RightShift:
		width := widthBits(t)
		return func(a, b types.Value) (types.Value, error) {
			return a.(int64) >> (uint64(b.(int64)) % uint64(width)), nil
		}
	}
	return func(types.Value, types.Value) (types.Value, error) {
		return nil, sqlerr.New(sqlerr.UndefinedFunction, "operator does not exist: %s %s %s", t, opName(op), t)
	}
}

func widthBits(t types.T) int {
	switch t.OID {
	case types.OIDInt2:
		return 16
	case types.OIDInt4:
		return 32
	}
	return 64
}

func signExtend(v int64, width int) int64 {
	shift := 64 - width
	return v << shift >> shift
}

func absInt(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// floatOp implements op over float8 or float4 with PostgreSQL's overflow,
// underflow and division-by-zero errors.
func floatOp(op opcode.Op, t types.T) func(a, b types.Value) (types.Value, error) {
	single := t.OID == types.OIDFloat4
	return func(a, b types.Value) (types.Value, error) {
		x, y := a.(float64), b.(float64)
		var r float64
		switch op {
		case opcode.Plus:
			r = x + y
		case opcode.Minus:
			r = x - y
		case opcode.Mul:
			r = x * y
		case opcode.Div:
			if y == 0 {
				return nil, errDivisionByZero()
			}
			r = x / y
		case opcode.Xor:
			return floatPower(x, y)
		}
		if single {
			r = float64(float32(r))
		}
		if math.IsInf(r, 0) && !math.IsInf(x, 0) && !math.IsInf(y, 0) {
			return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: overflow")
		}
		if r == 0 && op == opcode.Mul && x != 0 && y != 0 {
			return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: underflow")
		}
		if r == 0 && op == opcode.Div && x != 0 && !math.IsInf(y, 0) {
			return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: underflow")
		}
		return r, nil
	}
}

// floatPower is float8 ^ float8 (dpow).
func floatPower(x, y float64) (types.Value, error) {
	if x == 0 && y < 0 {
		return nil, sqlerr.New(codeInvalidPowerArgument, "zero raised to a negative power is undefined")
	}
	if x < 0 && y != math.Trunc(y) && !math.IsInf(y, 0) {
		return nil, sqlerr.New(codeInvalidPowerArgument, "a negative number raised to a non-integer power yields a complex result")
	}
	r := math.Pow(x, y)
	if math.IsInf(r, 0) && !math.IsInf(x, 0) && !math.IsInf(y, 0) {
		return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: overflow")
	}
	if r == 0 && x != 0 && !math.IsInf(y, 0) {
		return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: underflow")
	}
	return r, nil
}

// numericOp implements op over numeric.
func numericOp(op opcode.Op) func(a, b types.Value) (types.Value, error) {
	return func(a, b types.Value) (types.Value, error) {
		x, y := a.(*apd.Decimal), b.(*apd.Decimal)
		switch op {
		case opcode.Plus:
			return types.AddNumeric(x, y)
		case opcode.Minus:
			return types.SubNumeric(x, y)
		case opcode.Mul:
			return types.MulNumeric(x, y)
		case opcode.Div:
			return types.DivNumeric(x, y)
		case opcode.Mod:
			return types.ModNumeric(x, y)
		case opcode.Xor:
			return types.PowNumeric(x, y)
		}
		return nil, sqlerr.New(sqlerr.UndefinedFunction, "operator does not exist: numeric %s numeric", opName(op))
	}
}

// dateArith is date ± integer days.
type dateArith struct {
	op   opcode.Op
	l, r Expr
}

func (e *dateArith) Eval(ctx *Context, row []types.Value) (types.Value, error) {
	a, err := e.l.Eval(ctx, row)
	if err != nil || a == nil {
		return nil, err
	}
	b, err := e.r.Eval(ctx, row)
	if err != nil || b == nil {
		return nil, err
	}
	d, n := a.(time.Time), b.(int64)
	if d.Equal(types.InfinityTime) || d.Equal(types.NegInfinityTime) {
		return d, nil
	}
	if e.op == opcode.Minus {
		n = -n
	}
	if n > 1<<31 || n < -(1<<31) {
		return nil, sqlerr.New(sqlerr.DatetimeFieldOverflow, "date out of range")
	}
	return d.AddDate(0, 0, int(n)), nil
}

func (e *dateArith) Type() types.T { return types.Date }
func (e *dateArith) String() string {
	return "(" + e.l.String() + " " + opName(e.op) + " " + e.r.String() + ")"
}

// dateDiff is date - date in days.
type dateDiff struct{ l, r Expr }

func (e *dateDiff) Eval(ctx *Context, row []types.Value) (types.Value, error) {
	a, err := e.l.Eval(ctx, row)
	if err != nil || a == nil {
		return nil, err
	}
	b, err := e.r.Eval(ctx, row)
	if err != nil || b == nil {
		return nil, err
	}
	x, y := a.(time.Time), b.(time.Time)
	if x.Equal(types.InfinityTime) || x.Equal(types.NegInfinityTime) || y.Equal(types.InfinityTime) || y.Equal(types.NegInfinityTime) {
		return nil, sqlerr.New(sqlerr.DatetimeFieldOverflow, "cannot subtract infinite dates")
	}
	return int64(math.Round(x.Sub(y).Hours() / 24)), nil
}

func (e *dateDiff) Type() types.T  { return types.Int4 }
func (e *dateDiff) String() string { return "(" + e.l.String() + " - " + e.r.String() + ")" }

// unary compiles prefix -, +, ~ and NOT.
func (c *compiler) unary(x *ast.UnaryOperationExpr) (Expr, error) {
	if x.Op == opcode.Minus {
		// Signs folded into a numeric constant, through parentheses and
		// repeated minus signs, as PostgreSQL's grammar does.
		neg, inner := true, x.V
	loop:
		for {
			switch y := inner.(type) {
			case *ast.ParenthesesExpr:
				inner = y.Expr
			case *ast.UnaryOperationExpr:
				if y.Op != opcode.Minus {
					break loop
				}
				neg, inner = !neg, y.V
			default:
				break loop
			}
		}
		if lit, ok := inner.(*test_driver.ValueExpr); ok {
			if !neg {
				if e, err := literal(lit); err == nil && numericRank(e.Type()) > 0 {
					return e, nil
				}
			} else if e, ok, err := negateLiteral(lit); ok || err != nil {
				return e, err
			}
		}
	}
	v, err := c.compile(x.V)
	if err != nil {
		return nil, err
	}
	switch x.Op {
	case opcode.Not, opcode.Not2:
		if v, err = c.boolArg(v, "NOT"); err != nil {
			return nil, err
		}
		return &notExpr{arg: v}, nil
	case opcode.Plus:
		t := v.Type()
		if t.IsUnknown() {
			return nil, sqlerr.New(sqlerr.AmbiguousFunction, "operator is not unique: + unknown")
		}
		if numericRank(t) == 0 {
			return nil, noPrefixOperator("+", t)
		}
		return v, nil
	case opcode.Minus:
		t := v.Type()
		if t.IsUnknown() {
			return nil, sqlerr.New(sqlerr.AmbiguousFunction, "operator is not unique: - unknown").
				WithHint("Could not choose a best candidate operator. You might need to add explicit type casts.")
		}
		if numericRank(t) == 0 {
			return nil, noPrefixOperator("-", t)
		}
		return &negExpr{arg: v, t: t.Base()}, nil
	case opcode.BitNeg:
		t := v.Type()
		if !t.IsInteger() {
			return nil, noPrefixOperator("~", t)
		}
		return &funcExpr{name: "~", args: []Expr{v}, t: t.Base(), strict: true, fn: func(_ *Context, a []types.Value) (types.Value, error) {
			return ^a[0].(int64), nil
		}}, nil
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "operator %s is not supported", x.Op)
}

// negExpr is unary minus.
type negExpr struct {
	arg Expr
	t   types.T
}

func (e *negExpr) Eval(ctx *Context, row []types.Value) (types.Value, error) {
	v, err := e.arg.Eval(ctx, row)
	if err != nil || v == nil {
		return nil, err
	}
	switch x := v.(type) {
	case int64:
		if lo, _ := types.IntRange(e.t); x == lo {
			return nil, types.IntOutOfRange(e.t)
		}
		return -x, nil
	case float64:
		return -x, nil
	case *apd.Decimal:
		r := new(apd.Decimal).Neg(x)
		if r.Form == apd.Finite && r.IsZero() {
			r.Negative = false
		}
		return r, nil
	}
	return nil, noPrefixOperator("-", e.t)
}

func (e *negExpr) Type() types.T  { return e.t }
func (e *negExpr) String() string { return "(- " + e.arg.String() + ")" }
