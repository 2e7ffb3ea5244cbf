package expr

import (
	"strings"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
)

// compareType resolves the operands of a comparison to a common type, as
// PostgreSQL's operator resolution does for =, <, ... An untyped side takes
// the other side's type; numbers compare across widths and kinds;
// character(n) compared with text becomes text; dates and timestamps compare
// as timestamps. It returns the converted operands and the type whose
// order Compare applies.
func (c *compiler) compareType(op string, l, r Expr) (Expr, Expr, types.T, error) {
	lt, rt := l.Type(), r.Type()
	var err error
	switch {
	case lt.IsUnknown() && rt.IsUnknown():
		if l, err = c.coerce(l, types.Text); err != nil {
			return nil, nil, types.T{}, err
		}
		if r, err = c.coerce(r, types.Text); err != nil {
			return nil, nil, types.T{}, err
		}
		return l, r, types.Text, nil
	case lt.IsUnknown():
		if l, err = c.coerce(l, rt.Base()); err != nil {
			return nil, nil, types.T{}, err
		}
		lt = l.Type()
	case rt.IsUnknown():
		if r, err = c.coerce(r, lt.Base()); err != nil {
			return nil, nil, types.T{}, err
		}
		rt = r.Type()
	}
	lc, rc := lt.Category(), rt.Category()
	switch {
	case lc == 'N' && rc == 'N':
		ln, rn := numericRank(lt), numericRank(rt)
		switch {
		case (ln <= 3 || lt.IsOIDLike()) && (rn <= 3 || rt.IsOIDLike()):
			return l, r, types.Int8, nil
		case ln >= 5 || rn >= 5:
			return castTo(l, types.Float8), castTo(r, types.Float8), types.Float8, nil
		}
		return castTo(l, types.Numeric), castTo(r, types.Numeric), types.Numeric, nil
	case lc == 'S' && rc == 'S':
		if lt.OID == types.OIDBPChar && rt.OID == types.OIDBPChar {
			return l, r, types.BPChar, nil
		}
		if lt.OID == types.OIDBPChar {
			l = castTo(l, types.Text)
		}
		if rt.OID == types.OIDBPChar {
			r = castTo(r, types.Text)
		}
		return l, r, types.Text, nil
	case lc == 'D' && rc == 'D':
		if lt.OID == types.OIDTime || rt.OID == types.OIDTime {
			break
		}
		if lt.OID == rt.OID {
			return l, r, lt.Base(), nil
		}
		return l, r, types.Timestamptz, nil
	case lt.OID == rt.OID && (lt.OID == types.OIDBool || lt.OID == types.OIDBytea):
		return l, r, lt.Base(), nil
	}
	return nil, nil, types.T{}, noOperator(op, lt, rt)
}

// comparison compiles l op r for =, <>, <, <=, >, >= and IS NOT DISTINCT
// FROM (<=>).
func (c *compiler) comparison(op opcode.Op, l, r Expr) (Expr, error) {
	name := opName(op)
	if op == opcode.NullEQ {
		name = "="
	}
	l, r, t, err := c.compareType(name, l, r)
	if err != nil {
		return nil, err
	}
	return newCompare(op, l, r, t), nil
}

// compareExpr is a comparison operator.
type compareExpr struct {
	op   opcode.Op
	l, r Expr
	t    types.T
	ints bool // both sides are int64 values
}

func newCompare(op opcode.Op, l, r Expr, t types.T) *compareExpr {
	return &compareExpr{op: op, l: l, r: r, t: t, ints: t == types.Int8}
}

// cmpResult turns a three-way comparison into op's truth value.
func cmpResult(op opcode.Op, c int) bool {
	switch op {
	case opcode.EQ, opcode.NullEQ:
		return c == 0
	case opcode.NE:
		return c != 0
	case opcode.LT:
		return c < 0
	case opcode.LE:
		return c <= 0
	case opcode.GT:
		return c > 0
	case opcode.GE:
		return c >= 0
	}
	return false
}

func (e *compareExpr) Eval(ctx *Context, row []types.Value) (types.Value, error) {
	a, err := e.l.Eval(ctx, row)
	if err != nil {
		return nil, err
	}
	if a == nil && e.op != opcode.NullEQ {
		return nil, nil
	}
	b, err := e.r.Eval(ctx, row)
	if err != nil {
		return nil, err
	}
	if a == nil || b == nil {
		if e.op == opcode.NullEQ {
			return a == nil && b == nil, nil
		}
		return nil, nil
	}
	if e.ints {
		x, ok1 := a.(int64)
		y, ok2 := b.(int64)
		if ok1 && ok2 {
			switch e.op {
			case opcode.EQ, opcode.NullEQ:
				return x == y, nil
			case opcode.NE:
				return x != y, nil
			case opcode.LT:
				return x < y, nil
			case opcode.LE:
				return x <= y, nil
			case opcode.GT:
				return x > y, nil
			case opcode.GE:
				return x >= y, nil
			}
		}
	}
	return cmpResult(e.op, types.Compare(a, b, e.t)), nil
}

func (e *compareExpr) Type() types.T { return types.Bool }

func (e *compareExpr) String() string {
	return "(" + e.l.String() + " " + opName(e.op) + " " + e.r.String() + ")"
}

// Comparison describes a compiled comparison for the planner (index
// selection): its operator ("=", "<>", "<", "<=", ">", ">=", "IS NOT
// DISTINCT FROM"), operands, and the type in which the operands are
// compared (int8 for any integers, float8, numeric, text, bpchar, ...).
func Comparison(e Expr) (op string, left, right Expr, t types.T, ok bool) {
	ce, ok := e.(*compareExpr)
	if !ok {
		return "", nil, nil, types.T{}, false
	}
	return opName(ce.op), ce.l, ce.r, ce.t, true
}

// Conjuncts splits e into the operands of its top-level ANDs.
func Conjuncts(e Expr) []Expr {
	if a, ok := e.(*andExpr); ok {
		return append(Conjuncts(a.l), Conjuncts(a.r)...)
	}
	return []Expr{e}
}

// rowCompare compiles (a, b) op (c, d) lexicographically, as PostgreSQL's
// row comparison: = and <> over all columns, ordering by the first unequal
// column; NULL where a NULL decides.
func (c *compiler) rowCompare(op opcode.Op, l, r *ast.RowExpr) (Expr, error) {
	if len(l.Values) != len(r.Values) {
		return nil, sqlerr.New(sqlerr.SyntaxError, "unequal number of entries in row expressions")
	}
	re := &rowCompareExpr{op: op}
	for i := range l.Values {
		a, err := c.compile(l.Values[i])
		if err != nil {
			return nil, err
		}
		b, err := c.compile(r.Values[i])
		if err != nil {
			return nil, err
		}
		a, b, t, err := c.compareType(opName(op), a, b)
		if err != nil {
			return nil, err
		}
		re.l = append(re.l, a)
		re.r = append(re.r, b)
		re.t = append(re.t, t)
	}
	return re, nil
}

type rowCompareExpr struct {
	op   opcode.Op
	l, r []Expr
	t    []types.T
}

func (e *rowCompareExpr) Eval(ctx *Context, row []types.Value) (types.Value, error) {
	sawNull := false
	for i := range e.l {
		a, err := e.l[i].Eval(ctx, row)
		if err != nil {
			return nil, err
		}
		b, err := e.r[i].Eval(ctx, row)
		if err != nil {
			return nil, err
		}
		if a == nil || b == nil {
			if e.op == opcode.NullEQ {
				if a != nil || b != nil {
					return false, nil
				}
				continue
			}
			if e.op == opcode.EQ || e.op == opcode.NE {
				sawNull = true
				continue
			}
			return nil, nil
		}
		cmp := types.Compare(a, b, e.t[i])
		if cmp != 0 {
			switch e.op {
			case opcode.EQ, opcode.NullEQ:
				return false, nil
			case opcode.NE:
				return true, nil
			}
			return cmpResult(e.op, cmp), nil
		}
	}
	if sawNull {
		return nil, nil
	}
	return cmpResult(e.op, 0), nil
}

func (e *rowCompareExpr) Type() types.T { return types.Bool }
func (e *rowCompareExpr) String() string {
	ls, rs := make([]string, len(e.l)), make([]string, len(e.r))
	for i := range e.l {
		ls[i], rs[i] = e.l[i].String(), e.r[i].String()
	}
	return "(ROW(" + strings.Join(ls, ", ") + ") " + opName(e.op) + " ROW(" + strings.Join(rs, ", ") + "))"
}

// boolArg requires a boolean operand: an untyped literal is read as
// boolean; anything else is 42804 "argument of NOT must be type boolean".
func (c *compiler) boolArg(e Expr, what string) (Expr, error) {
	t := e.Type()
	if t.OID == types.OIDBool {
		return e, nil
	}
	if t.IsUnknown() {
		return c.coerce(e, types.Bool)
	}
	return nil, sqlerr.New(sqlerr.DatatypeMismatch, "argument of %s must be type boolean, not type %s", what, t)
}

// CompileCondition compiles a WHERE, HAVING, ON or CHECK condition: the
// result must be boolean (42804 "argument of WHERE must be type boolean,
// not type integer"). clause names the clause in that message.
func CompileCondition(e ast.ExprNode, r Resolver, p *Params, clause string) (Expr, error) {
	c := &compiler{r: r, p: p}
	x, err := c.compile(e)
	if err != nil {
		return nil, err
	}
	if x, err = c.boolArg(x, clause); err != nil {
		return nil, err
	}
	c.finish()
	return x, nil
}

// logic compiles AND and OR with three-valued logic.
func (c *compiler) logic(x *ast.BinaryOperationExpr) (Expr, error) {
	name := "AND"
	if x.Op == opcode.LogicOr {
		name = "OR"
	}
	l, err := c.compile(x.L)
	if err != nil {
		return nil, err
	}
	if l, err = c.boolArg(l, name); err != nil {
		return nil, err
	}
	r, err := c.compile(x.R)
	if err != nil {
		return nil, err
	}
	if r, err = c.boolArg(r, name); err != nil {
		return nil, err
	}
	if x.Op == opcode.LogicAnd {
		return &andExpr{l: l, r: r}, nil
	}
	return &orExpr{l: l, r: r}, nil
}

type andExpr struct{ l, r Expr }

func (e *andExpr) Eval(ctx *Context, row []types.Value) (types.Value, error) {
	a, err := e.l.Eval(ctx, row)
	if err != nil {
		return nil, err
	}
	if a == false {
		return false, nil
	}
	b, err := e.r.Eval(ctx, row)
	if err != nil {
		return nil, err
	}
	if b == false {
		return false, nil
	}
	if a == nil || b == nil {
		return nil, nil
	}
	return true, nil
}

func (e *andExpr) Type() types.T  { return types.Bool }
func (e *andExpr) String() string { return "(" + e.l.String() + " AND " + e.r.String() + ")" }

type orExpr struct{ l, r Expr }

func (e *orExpr) Eval(ctx *Context, row []types.Value) (types.Value, error) {
	a, err := e.l.Eval(ctx, row)
	if err != nil {
		return nil, err
	}
	if a == true {
		return true, nil
	}
	b, err := e.r.Eval(ctx, row)
	if err != nil {
		return nil, err
	}
	if b == true {
		return true, nil
	}
	if a == nil || b == nil {
		return nil, nil
	}
	return false, nil
}

func (e *orExpr) Type() types.T  { return types.Bool }
func (e *orExpr) String() string { return "(" + e.l.String() + " OR " + e.r.String() + ")" }

type notExpr struct{ arg Expr }

func (e *notExpr) Eval(ctx *Context, row []types.Value) (types.Value, error) {
	v, err := e.arg.Eval(ctx, row)
	if err != nil || v == nil {
		return nil, err
	}
	return !v.(bool), nil
}

func (e *notExpr) Type() types.T  { return types.Bool }
func (e *notExpr) String() string { return "(NOT " + e.arg.String() + ")" }

// isNull compiles IS [NOT] NULL.
func (c *compiler) isNull(x *ast.IsNullExpr) (Expr, error) {
	v, err := c.compile(x.Expr)
	if err != nil {
		return nil, err
	}
	return &isNullExpr{arg: v, not: x.Not}, nil
}

type isNullExpr struct {
	arg Expr
	not bool
}

func (e *isNullExpr) Eval(ctx *Context, row []types.Value) (types.Value, error) {
	v, err := e.arg.Eval(ctx, row)
	if err != nil {
		return nil, err
	}
	return (v == nil) != e.not, nil
}

func (e *isNullExpr) Type() types.T { return types.Bool }
func (e *isNullExpr) String() string {
	if e.not {
		return "(" + e.arg.String() + " IS NOT NULL)"
	}
	return "(" + e.arg.String() + " IS NULL)"
}

// isTruth compiles IS [NOT] TRUE / FALSE.
func (c *compiler) isTruth(x *ast.IsTruthExpr) (Expr, error) {
	v, err := c.compile(x.Expr)
	if err != nil {
		return nil, err
	}
	what := "IS TRUE"
	if x.True == 0 {
		what = "IS FALSE"
	}
	if x.Not {
		what = strings.Replace(what, "IS", "IS NOT", 1)
	}
	if v, err = c.boolArg(v, what); err != nil {
		return nil, err
	}
	return &isTruthExpr{arg: v, want: x.True != 0, not: x.Not, name: what}, nil
}

type isTruthExpr struct {
	arg       Expr
	want, not bool
	name      string
}

func (e *isTruthExpr) Eval(ctx *Context, row []types.Value) (types.Value, error) {
	v, err := e.arg.Eval(ctx, row)
	if err != nil {
		return nil, err
	}
	r := v != nil && v.(bool) == e.want
	return r != e.not, nil
}

func (e *isTruthExpr) Type() types.T  { return types.Bool }
func (e *isTruthExpr) String() string { return "(" + e.arg.String() + " " + e.name + ")" }

// between compiles x [NOT] BETWEEN a AND b as x >= a AND x <= b (or
// x < a OR x > b).
func (c *compiler) between(x *ast.BetweenExpr) (Expr, error) {
	v, err := c.compile(x.Expr)
	if err != nil {
		return nil, err
	}
	lo, err := c.compile(x.Left)
	if err != nil {
		return nil, err
	}
	hi, err := c.compile(x.Right)
	if err != nil {
		return nil, err
	}
	if x.Not {
		a, err := c.comparison(opcode.LT, v, lo)
		if err != nil {
			return nil, err
		}
		b, err := c.comparison(opcode.GT, v, hi)
		if err != nil {
			return nil, err
		}
		return &orExpr{l: a, r: b}, nil
	}
	a, err := c.comparison(opcode.GE, v, lo)
	if err != nil {
		return nil, err
	}
	b, err := c.comparison(opcode.LE, v, hi)
	if err != nil {
		return nil, err
	}
	return &andExpr{l: a, r: b}, nil
}

// in compiles x [NOT] IN (list) and x [NOT] IN (subquery).
func (c *compiler) in(x *ast.PatternInExpr) (Expr, error) {
	if x.Sel != nil {
		return c.inSubquery(x)
	}
	if row, ok := x.Expr.(*ast.RowExpr); ok {
		var or Expr
		for _, item := range x.List {
			r, ok := item.(*ast.RowExpr)
			if !ok {
				return nil, sqlerr.New(sqlerr.SyntaxError, "IN list of a row must hold rows")
			}
			eq, err := c.rowCompare(opcode.EQ, row, r)
			if err != nil {
				return nil, err
			}
			if or == nil {
				or = eq
			} else {
				or = &orExpr{l: or, r: eq}
			}
		}
		if x.Not {
			return &notExpr{arg: or}, nil
		}
		return or, nil
	}
	v, err := c.compile(x.Expr)
	if err != nil {
		return nil, err
	}
	items := make([]Expr, len(x.List))
	for i, item := range x.List {
		if items[i], err = c.compile(item); err != nil {
			return nil, err
		}
	}
	// An untyped left side takes the common type of the list.
	if v.Type().IsUnknown() {
		t, err := commonType(items, "IN")
		if err != nil {
			return nil, err
		}
		if v, err = c.coerce(v, t); err != nil {
			return nil, err
		}
	}
	e := &inExpr{arg: v, not: x.Not}
	for _, item := range items {
		l, r, t, err := c.compareType("=", v, item)
		if err != nil {
			return nil, err
		}
		e.args = append(e.args, l)
		e.items = append(e.items, r)
		e.types = append(e.types, t)
	}
	e.buildSet()
	return e, nil
}

// inExpr is x IN (a, b, ...): true if x equals an item, else NULL if x or
// an item is NULL, else false. NOT IN negates that.
type inExpr struct {
	arg   Expr
	not   bool
	args  []Expr // arg converted for each item's comparison
	items []Expr
	types []types.T
	// set holds the keys of constant items when all are constants of
	// one comparison type and arg needs no conversion.
	set     map[string]struct{}
	setNull bool
	setType types.T
}

func (e *inExpr) buildSet() {
	if len(e.items) < 4 {
		return
	}
	set := make(map[string]struct{}, len(e.items))
	for i, item := range e.items {
		v, ok := IsConst(item)
		if !ok || e.args[i] != e.arg || e.types[i] != e.types[0] {
			return
		}
		if v == nil {
			e.setNull = true
			continue
		}
		set[string(types.AppendKey(nil, v, e.types[0]))] = struct{}{}
	}
	e.set, e.setType = set, e.types[0]
}

func (e *inExpr) Eval(ctx *Context, row []types.Value) (types.Value, error) {
	if e.set != nil {
		v, err := e.arg.Eval(ctx, row)
		if err != nil || v == nil {
			return nil, err
		}
		if _, ok := e.set[string(types.AppendKey(nil, v, e.setType))]; ok {
			return !e.not, nil
		}
		if e.setNull {
			return nil, nil
		}
		return e.not, nil
	}
	sawNull := false
	var cache types.Value
	var cached Expr
	for i, item := range e.items {
		var a types.Value
		var err error
		if e.args[i] == cached {
			a = cache
		} else {
			a, err = e.args[i].Eval(ctx, row)
			if err != nil {
				return nil, err
			}
			cache, cached = a, e.args[i]
		}
		if a == nil {
			return nil, nil
		}
		b, err := item.Eval(ctx, row)
		if err != nil {
			return nil, err
		}
		if b == nil {
			sawNull = true
			continue
		}
		if types.Compare(a, b, e.types[i]) == 0 {
			return !e.not, nil
		}
	}
	if sawNull {
		return nil, nil
	}
	return e.not, nil
}

func (e *inExpr) Type() types.T { return types.Bool }
func (e *inExpr) String() string {
	parts := make([]string, len(e.items))
	for i, it := range e.items {
		parts[i] = it.String()
	}
	op := " IN "
	if e.not {
		op = " NOT IN "
	}
	return "(" + e.arg.String() + op + "(" + strings.Join(parts, ", ") + "))"
}
