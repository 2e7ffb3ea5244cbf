package expr

import (
	"strings"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/test_driver"
)

// anyType is the pseudo-type "any" of PostgreSQL's variadic functions
// such as concat: it accepts every type, untyped becomes text.
var anyType = types.T{OID: 2276, Mod: -1}

// overload is one signature of a builtin function.
type overload struct {
	args     []types.T
	variadic bool // the last argument repeats
	ret      types.T
	// retFn computes the result type from the argument types when set.
	retFn func(args []types.T) types.T
	// lazy functions see NULL arguments; others return NULL for them.
	lazy bool
	// volatile functions (random, clock_timestamp) are never folded.
	volatile bool
	// anyAsText passes "any" arguments as their text output (concat).
	anyAsText bool
	fn        func(ctx *Context, args []types.Value) (types.Value, error)
}

// builtins maps a lower-case function name to its overloads; filled by
// the init functions of the funcs_*.go files.
var builtins = map[string][]overload{}

func register(name string, ovs ...overload) {
	builtins[name] = append(builtins[name], ovs...)
}

// IsFunction reports whether name is a builtin scalar function.
func IsFunction(name string) bool {
	_, ok := builtins[strings.ToLower(name)]
	return ok
}

func undefinedFunction(name string, args []Expr) error {
	names := make([]string, len(args))
	for i, a := range args {
		names[i] = a.Type().String()
	}
	return sqlerr.New(sqlerr.UndefinedFunction, "function %s(%s) does not exist", name, strings.Join(names, ", ")).
		WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
}

// call compiles a function call.
func (c *compiler) call(f *ast.FuncCallExpr) (Expr, error) {
	name := funcName(f)
	if e, ok, err := c.conditionalCall(name, f.Args); ok {
		return e, err
	}
	switch name {
	case "chronos_cast":
		return c.cast(f)
	case ast.DateLiteral, ast.TimestampLiteral, ast.TimeLiteral:
		return c.typedLiteral(name, f.Args)
	case "trim":
		return c.trim(f)
	case "extract":
		return c.extract(f)
	case "pg_typeof":
		if len(f.Args) != 1 {
			return nil, undefinedFunction(name, nil)
		}
		x, err := c.compile(f.Args[0])
		if err != nil {
			return nil, err
		}
		return Const(int64(x.Type().OID), types.Regtype), nil
	}
	if IsAggregate(name) {
		return nil, sqlerr.New(sqlerr.GroupingError, "aggregate functions are not allowed here")
	}
	args, err := c.compileArgs(f.Args)
	if err != nil {
		return nil, err
	}
	switch name {
	case "concat":
		return c.concatOp(args)
	case "chronos_regexp_match", "chronos_regexp_imatch":
		return c.regexpMatch(name, args)
	case "position":
		// POSITION(a IN b) arrives as position(a, b): strpos(b, a).
		if len(args) == 2 {
			args = []Expr{args[1], args[0]}
		}
		return c.callBuiltin("position", "strpos", args)
	}
	return c.callBuiltin(name, name, args)
}

// callBuiltin resolves name's overload for args and builds the call; shown
// is the name used in String.
func (c *compiler) callBuiltin(shown, name string, args []Expr) (Expr, error) {
	ovs, ok := builtins[name]
	if !ok {
		return nil, undefinedFunction(shown, args)
	}
	ov, err := c.pickOverload(ovs, args)
	if err != nil {
		return nil, err
	}
	if ov == nil {
		return nil, undefinedFunction(shown, args)
	}
	params := make([]types.T, len(args))
	for i, a := range args {
		p := ov.param(i)
		if p == anyType {
			if a.Type().IsUnknown() {
				if a, err = c.coerce(a, types.Text); err != nil {
					return nil, err
				}
			}
			params[i] = a.Type()
			if ov.anyAsText && !a.Type().IsString() {
				a = &textOutExpr{arg: a}
			}
			args[i] = a
			continue
		}
		if args[i], err = c.coerce(a, p); err != nil {
			return nil, err
		}
		params[i] = p
	}
	t := ov.ret
	if ov.retFn != nil {
		t = ov.retFn(params)
	}
	return &funcExpr{name: shown, args: args, t: t, strict: !ov.lazy, fn: ov.fn}, nil
}

func (o *overload) param(i int) types.T {
	if i >= len(o.args) {
		return o.args[len(o.args)-1]
	}
	return o.args[i]
}

// pickOverload chooses among signatures as PostgreSQL's
// func_select_candidate does, simplified: every argument must be untyped
// or implicitly convertible; most exact matches win, then most preferred
// types where conversion is needed, then string types for untyped
// arguments, then preferred types for untyped arguments.
func (c *compiler) pickOverload(ovs []overload, args []Expr) (*overload, error) {
	var best *overload
	bestScore := [4]int{-1, -1, -1, -1}
	for i := range ovs {
		ov := &ovs[i]
		if len(args) != len(ov.args) && !(ov.variadic && len(args) >= len(ov.args)-1) {
			continue
		}
		if len(ov.args) == 0 && len(args) != 0 {
			continue
		}
		var score [4]int
		ok := true
		for j, a := range args {
			p := ov.param(j)
			at := a.Type()
			switch {
			case p == anyType:
				score[0]++
			case at.IsUnknown():
				if p.Category() == 'S' {
					score[2]++
				}
				if preferred(p) {
					score[3]++
				}
			case at.OID == p.OID:
				score[0]++
			case types.CanCast(at, p, types.CastImplicit):
				if preferred(p) {
					score[1]++
				}
			default:
				ok = false
			}
		}
		if !ok {
			continue
		}
		if best == nil || better(score, bestScore) {
			best, bestScore = ov, score
		}
	}
	return best, nil
}

// better compares overload scores lexicographically.
func better(a, b [4]int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] > b[i]
		}
	}
	return false
}

// cast compiles chronos_cast(expr, 'type name'), the dialect's form of
// expr::type and CAST(expr AS type).
func (c *compiler) cast(f *ast.FuncCallExpr) (Expr, error) {
	if len(f.Args) != 2 {
		return nil, undefinedFunction("chronos_cast", nil)
	}
	lit, ok := f.Args[1].(*test_driver.ValueExpr)
	if !ok || lit.Kind() != test_driver.KindString {
		return nil, sqlerr.New(sqlerr.SyntaxError, "chronos_cast needs a type name literal")
	}
	to, err := types.ParseTypeName(lit.GetString())
	if err != nil {
		return nil, err
	}
	x, err := c.compile(f.Args[0])
	if err != nil {
		return nil, err
	}
	return c.castExpr(x, to)
}

// castExpr converts x to type to with explicit-cast rules.
func (c *compiler) castExpr(x Expr, to types.T) (Expr, error) {
	from := x.Type()
	if from.IsUnknown() {
		switch k := x.(type) {
		case *constExpr:
			if k.v == nil {
				return Const(nil, to), nil
			}
			v, err := types.Cast(k.v, types.Unknown, to, true)
			if err != nil {
				return nil, err
			}
			return Const(v, to), nil
		case *paramExpr:
			c.p.Types[k.index] = to.Base()
			if to.Mod < 0 {
				return x, nil
			}
			return &castExpr{arg: x, from: to.Base(), to: to, explicit: true}, nil
		}
	}
	if from == to {
		return x, nil
	}
	if !types.CanCast(from, to, types.CastExplicit) {
		return nil, sqlerr.New(sqlerr.CannotCoerce, "cannot cast type %s to %s", from, to)
	}
	if k, ok := x.(*constExpr); ok {
		v, err := types.Cast(k.v, from, to, true)
		if err != nil {
			return nil, err
		}
		return Const(v, to), nil
	}
	return &castExpr{arg: x, from: from, to: to, explicit: true}, nil
}

// typedLiteral compiles DATE '...', TIMESTAMP '...'.
func (c *compiler) typedLiteral(name string, args []ast.ExprNode) (Expr, error) {
	if len(args) != 1 {
		return nil, sqlerr.New(sqlerr.SyntaxError, "syntax error in typed literal")
	}
	x, err := c.compile(args[0])
	if err != nil {
		return nil, err
	}
	to := types.Date
	switch name {
	case ast.TimestampLiteral:
		to = types.Timestamp
	case ast.TimeLiteral:
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "type time is not supported")
	}
	return c.castExpr(x, to)
}

// concatOp compiles the || operator: text || text, text || anything and
// anything || text give text; bytea || bytea gives bytea; NULL if any
// operand is NULL.
func (c *compiler) concatOp(args []Expr) (Expr, error) {
	if len(args) < 2 {
		return nil, undefinedFunction("concat", args)
	}
	l := args[0]
	for _, r := range args[1:] {
		var err error
		if l, err = c.concat2(l, r); err != nil {
			return nil, err
		}
	}
	return l, nil
}

func (c *compiler) concat2(l, r Expr) (Expr, error) {
	lt, rt := l.Type(), r.Type()
	if lt.OID == types.OIDBytea && (rt.OID == types.OIDBytea || rt.IsUnknown()) || rt.OID == types.OIDBytea && lt.IsUnknown() {
		var err error
		if l, err = c.coerce(l, types.Bytea); err != nil {
			return nil, err
		}
		if r, err = c.coerce(r, types.Bytea); err != nil {
			return nil, err
		}
		return &concatExpr{l: l, r: r, t: types.Bytea}, nil
	}
	lText := lt.IsString() || lt.IsUnknown()
	rText := rt.IsString() || rt.IsUnknown()
	if !lText && !rText {
		return nil, noOperator("||", lt, rt)
	}
	var err error
	if l, err = c.textOperand(l); err != nil {
		return nil, err
	}
	if r, err = c.textOperand(r); err != nil {
		return nil, err
	}
	return &concatExpr{l: l, r: r, t: types.Text}, nil
}

// textOperand converts any value to text as the anytextcat operators do
// (a cast to text: booleans become true/false).
func (c *compiler) textOperand(e Expr) (Expr, error) {
	t := e.Type()
	switch {
	case t.IsUnknown():
		return c.coerce(e, types.Text)
	case t.OID == types.OIDText || t.OID == types.OIDVarchar || t.OID == types.OIDName:
		return e, nil
	}
	return castTo(e, types.Text), nil
}

type concatExpr struct {
	l, r Expr
	t    types.T
}

func (e *concatExpr) Eval(ctx *Context, row []types.Value) (types.Value, error) {
	a, err := e.l.Eval(ctx, row)
	if err != nil || a == nil {
		return nil, err
	}
	b, err := e.r.Eval(ctx, row)
	if err != nil || b == nil {
		return nil, err
	}
	if e.t.OID == types.OIDBytea {
		x, y := a.([]byte), b.([]byte)
		out := make([]byte, 0, len(x)+len(y))
		return append(append(out, x...), y...), nil
	}
	return a.(string) + b.(string), nil
}

func (e *concatExpr) Type() types.T  { return e.t }
func (e *concatExpr) String() string { return "(" + e.l.String() + " || " + e.r.String() + ")" }

// textOutExpr is its argument's text output (the type's output function,
// booleans as t/f), for concat and format.
type textOutExpr struct{ arg Expr }

func (e *textOutExpr) Eval(ctx *Context, row []types.Value) (types.Value, error) {
	v, err := e.arg.Eval(ctx, row)
	if err != nil || v == nil {
		return nil, err
	}
	return types.FormatText(v, e.arg.Type()), nil
}

func (e *textOutExpr) Type() types.T  { return types.Text }
func (e *textOutExpr) String() string { return e.arg.String() }

// trim compiles the parser's TRIM forms: trim(s), trim(s, chars) and
// trim(s, chars, direction), as btrim, ltrim or rtrim.
func (c *compiler) trim(f *ast.FuncCallExpr) (Expr, error) {
	fn := "btrim"
	args := f.Args
	if len(args) == 3 {
		if d, ok := args[2].(*ast.TrimDirectionExpr); ok {
			switch d.Direction {
			case ast.TrimLeading:
				fn = "ltrim"
			case ast.TrimTrailing:
				fn = "rtrim"
			}
			args = args[:2]
		}
	}
	es, err := c.compileArgs(args)
	if err != nil {
		return nil, err
	}
	return c.callBuiltin(fn, fn, es)
}
