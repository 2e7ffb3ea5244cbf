package expr

import (
	"fmt"
	"strings"

	"github.com/chronos-db/chronos/engine/types"
)

// constExpr is a constant. An untyped string literal or NULL has type
// Unknown until its context gives it one.
type constExpr struct {
	v types.Value
	t types.T
}

// Const returns an expression that always yields v, of type t.
func Const(v types.Value, t types.T) Expr { return &constExpr{v: v, t: t} }

func (e *constExpr) Eval(*Context, []types.Value) (types.Value, error) { return e.v, nil }
func (e *constExpr) Type() types.T                                     { return e.t }
func (e *constExpr) String() string {
	if e.v == nil {
		return "NULL"
	}
	s := types.FormatText(e.v, e.t)
	switch {
	case e.t.IsUnknown():
		return quoteString(s)
	case e.t.IsInteger() || e.t.OID == types.OIDNumeric:
		return s
	case e.t.OID == types.OIDBool:
		if e.v.(bool) {
			return "true"
		}
		return "false"
	}
	return quoteString(s) + "::" + e.t.String()
}

func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// IsConst reports whether e is a constant, and its value.
func IsConst(e Expr) (types.Value, bool) {
	if c, ok := e.(*constExpr); ok {
		return c.v, true
	}
	return nil, false
}

// columnExpr reads a column of the input row.
type columnExpr struct {
	index int
	t     types.T
	name  string
}

// Column returns an expression reading row[index], of type t, shown as name
// in EXPLAIN.
func Column(index int, t types.T, name string) Expr {
	return &columnExpr{index: index, t: t, name: name}
}

func (e *columnExpr) Eval(_ *Context, row []types.Value) (types.Value, error) {
	return row[e.index], nil
}
func (e *columnExpr) Type() types.T  { return e.t }
func (e *columnExpr) String() string { return e.name }

// ColumnIndex reports whether e reads a column of the current row directly,
// and which one (the planner uses it to find index lookups).
func ColumnIndex(e Expr) (int, bool) {
	if c, ok := e.(*columnExpr); ok {
		return c.index, true
	}
	return 0, false
}

// outerExpr reads a column of an enclosing query's current row.
type outerExpr struct {
	depth, index int
	t            types.T
	name         string
}

// Outer returns an expression reading column index of the enclosing row
// depth levels out: ctx.Outer[len(ctx.Outer)-1-depth][index].
func Outer(depth, index int, t types.T, name string) Expr {
	return &outerExpr{depth: depth, index: index, t: t, name: name}
}

func (e *outerExpr) Eval(ctx *Context, _ []types.Value) (types.Value, error) {
	return ctx.Outer[len(ctx.Outer)-1-e.depth][e.index], nil
}
func (e *outerExpr) Type() types.T  { return e.t }
func (e *outerExpr) String() string { return e.name }

// paramExpr reads $n. Its type is read from the shared Params, so a use
// compiled before the type was inferred still reports it.
type paramExpr struct {
	index int
	p     *Params
}

func (e *paramExpr) Eval(ctx *Context, _ []types.Value) (types.Value, error) {
	if e.index >= len(ctx.Params) {
		return nil, fmt.Errorf("expr: no value for parameter $%d", e.index+1)
	}
	return ctx.Params[e.index], nil
}

func (e *paramExpr) Type() types.T {
	if e.index < len(e.p.Types) {
		return e.p.Types[e.index]
	}
	return types.Unknown
}

func (e *paramExpr) String() string { return fmt.Sprintf("$%d", e.index+1) }

// ParamIndex reports whether e is a parameter reference and its 0-based
// index.
func ParamIndex(e Expr) (int, bool) {
	if c, ok := e.(*paramExpr); ok {
		return c.index, true
	}
	return 0, false
}

// castExpr converts its argument's value to another type.
type castExpr struct {
	arg      Expr
	from, to types.T
	explicit bool
}

func (e *castExpr) Eval(ctx *Context, row []types.Value) (types.Value, error) {
	v, err := e.arg.Eval(ctx, row)
	if err != nil || v == nil {
		return nil, err
	}
	return types.Cast(v, e.from, e.to, e.explicit)
}
func (e *castExpr) Type() types.T { return e.to }
func (e *castExpr) String() string {
	return "(" + e.arg.String() + ")::" + e.to.String()
}

// funcExpr is a call of a scalar function: fn gets the evaluated
// arguments. When strict, a NULL argument yields NULL without calling fn.
type funcExpr struct {
	name   string
	args   []Expr
	t      types.T
	strict bool
	fn     func(ctx *Context, args []types.Value) (types.Value, error)
}

func (e *funcExpr) Eval(ctx *Context, row []types.Value) (types.Value, error) {
	var buf [4]types.Value
	vals := buf[:0]
	if len(e.args) > len(buf) {
		vals = make([]types.Value, 0, len(e.args))
	}
	for _, a := range e.args {
		v, err := a.Eval(ctx, row)
		if err != nil {
			return nil, err
		}
		if v == nil && e.strict {
			return nil, nil
		}
		vals = append(vals, v)
	}
	return e.fn(ctx, vals)
}

func (e *funcExpr) Type() types.T { return e.t }

func (e *funcExpr) String() string {
	parts := make([]string, len(e.args))
	for i, a := range e.args {
		parts[i] = a.String()
	}
	return e.name + "(" + strings.Join(parts, ", ") + ")"
}
