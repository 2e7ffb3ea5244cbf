package expr

import (
	"strings"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
)

// preferred reports PostgreSQL's typispreferred.
func preferred(t types.T) bool {
	switch t.OID {
	case types.OIDBool, types.OIDFloat8, types.OIDText, types.OIDTimestamptz, types.OIDOid:
		return true
	}
	return false
}

// commonType is PostgreSQL's select_common_type: the type that CASE,
// COALESCE, GREATEST, LEAST, IN and VALUES results are converted to. All
// untyped gives text; mixed categories are 42804 ("CASE types integer and
// text cannot be matched").
func commonType(es []Expr, context string) (types.T, error) {
	var p types.T
	found := false
	for _, e := range es {
		t := e.Type()
		if t.IsUnknown() {
			continue
		}
		if !found {
			p, found = t, true
			continue
		}
		if t == p {
			continue
		}
		if t.OID == p.OID {
			// Same type, different modifiers: drop the modifier.
			p = p.Base()
			continue
		}
		if t.Category() != p.Category() {
			return types.T{}, sqlerr.New(sqlerr.DatatypeMismatch, "%s types %s and %s cannot be matched", context, p, t)
		}
		if !preferred(p) && types.CanCast(p, t, types.CastImplicit) && !types.CanCast(t, p, types.CastImplicit) {
			p = t
		}
	}
	if !found {
		return types.Text, nil
	}
	return p, nil
}

// coerceAll converts es to t for a CASE, COALESCE...
func (c *compiler) coerceAll(es []Expr, t types.T, context string) error {
	for i, e := range es {
		if e.Type() == t {
			continue
		}
		if !e.Type().IsUnknown() && !types.CanCast(e.Type(), t, types.CastImplicit) {
			return sqlerr.New(sqlerr.CannotCoerce, "%s could not convert type %s to %s", context, e.Type(), t)
		}
		x, err := c.coerce(e, t)
		if err != nil {
			return err
		}
		es[i] = x
	}
	return nil
}

// caseExpr compiles simple and searched CASE.
func (c *compiler) caseExpr(x *ast.CaseExpr) (Expr, error) {
	var subject Expr
	var err error
	ce := &caseExpr{}
	var placeholder Expr
	if x.Value != nil {
		if subject, err = c.compile(x.Value); err != nil {
			return nil, err
		}
		if subject.Type().IsUnknown() {
			if subject, err = c.coerce(subject, types.Text); err != nil {
				return nil, err
			}
		}
		// The subject is evaluated once; each WHEN compares its value,
		// held in a one-column row, with the WHEN expression.
		ce.subject = subject
		placeholder = Column(0, subject.Type(), subject.String())
	}
	results := make([]Expr, 0, len(x.WhenClauses)+1)
	for _, w := range x.WhenClauses {
		cond, err := c.compile(w.Expr)
		if err != nil {
			return nil, err
		}
		if subject != nil {
			l, r, t, err := c.compareType("=", placeholder, cond)
			if err != nil {
				return nil, err
			}
			ce.subjects = append(ce.subjects, l)
			ce.cmpTypes = append(ce.cmpTypes, t)
			cond = r
		} else if cond, err = c.boolArg(cond, "CASE/WHEN"); err != nil {
			return nil, err
		}
		res, err := c.compile(w.Result)
		if err != nil {
			return nil, err
		}
		ce.conds = append(ce.conds, cond)
		results = append(results, res)
	}
	if x.ElseClause != nil {
		res, err := c.compile(x.ElseClause)
		if err != nil {
			return nil, err
		}
		results = append(results, res)
	} else {
		results = append(results, Const(nil, types.Unknown))
	}
	// PostgreSQL weighs the ELSE result first.
	order := append([]Expr{results[len(results)-1]}, results[:len(results)-1]...)
	t, err := commonType(order, "CASE")
	if err != nil {
		return nil, err
	}
	if err := c.coerceAll(results, t, "CASE"); err != nil {
		return nil, err
	}
	ce.results = results[:len(ce.conds)]
	ce.els = results[len(ce.conds)]
	ce.t = t
	return ce, nil
}

// caseExpr evaluates the first result whose condition is true. A simple
// CASE (with a subject) compares the subject's value with each condition
// instead: subjects[i] converts it (reading it as column 0 of a one-value
// row) and cmpTypes[i] is the comparison's type.
type caseExpr struct {
	subject  Expr
	subjects []Expr
	cmpTypes []types.T
	conds    []Expr
	results  []Expr
	els      Expr
	t        types.T
}

func (e *caseExpr) Eval(ctx *Context, row []types.Value) (types.Value, error) {
	if e.subject != nil {
		return e.evalSimple(ctx, row)
	}
	for i, cond := range e.conds {
		v, err := cond.Eval(ctx, row)
		if err != nil {
			return nil, err
		}
		if v == true {
			return e.results[i].Eval(ctx, row)
		}
	}
	return e.els.Eval(ctx, row)
}

func (e *caseExpr) evalSimple(ctx *Context, row []types.Value) (types.Value, error) {
	sv, err := e.subject.Eval(ctx, row)
	if err != nil {
		return nil, err
	}
	if sv != nil {
		one := []types.Value{sv}
		for i, cond := range e.conds {
			a, err := e.subjects[i].Eval(ctx, one)
			if err != nil {
				return nil, err
			}
			b, err := cond.Eval(ctx, row)
			if err != nil {
				return nil, err
			}
			if a != nil && b != nil && types.Compare(a, b, e.cmpTypes[i]) == 0 {
				return e.results[i].Eval(ctx, row)
			}
		}
	}
	return e.els.Eval(ctx, row)
}

func (e *caseExpr) Type() types.T { return e.t }
func (e *caseExpr) String() string {
	var b strings.Builder
	b.WriteString("CASE")
	if e.subject != nil {
		b.WriteString(" " + e.subject.String())
	}
	for i := range e.conds {
		b.WriteString(" WHEN " + e.conds[i].String() + " THEN " + e.results[i].String())
	}
	b.WriteString(" ELSE " + e.els.String() + " END")
	return b.String()
}

// compileArgs compiles function arguments.
func (c *compiler) compileArgs(args []ast.ExprNode) ([]Expr, error) {
	out := make([]Expr, len(args))
	for i, a := range args {
		e, err := c.compile(a)
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

// coalesce, greatest and least share common-type resolution.
func (c *compiler) variadicCommon(name string, args []ast.ExprNode) ([]Expr, types.T, error) {
	if len(args) == 0 {
		return nil, types.T{}, sqlerr.New(sqlerr.SyntaxError, "syntax error at or near \")\"")
	}
	es, err := c.compileArgs(args)
	if err != nil {
		return nil, types.T{}, err
	}
	ctxName := strings.ToUpper(name)
	t, err := commonType(es, ctxName)
	if err != nil {
		return nil, types.T{}, err
	}
	if err := c.coerceAll(es, t, ctxName); err != nil {
		return nil, types.T{}, err
	}
	return es, t, nil
}

// coalesceExpr returns its first non-NULL argument.
type coalesceExpr struct {
	args []Expr
	t    types.T
}

func (e *coalesceExpr) Eval(ctx *Context, row []types.Value) (types.Value, error) {
	for _, a := range e.args {
		v, err := a.Eval(ctx, row)
		if err != nil || v != nil {
			return v, err
		}
	}
	return nil, nil
}

func (e *coalesceExpr) Type() types.T { return e.t }
func (e *coalesceExpr) String() string {
	return (&funcExpr{name: "COALESCE", args: e.args}).String()
}

// extremeExpr is GREATEST (sign 1) or LEAST (sign -1): NULLs are ignored.
type extremeExpr struct {
	name string
	args []Expr
	t    types.T
	sign int
}

func (e *extremeExpr) Eval(ctx *Context, row []types.Value) (types.Value, error) {
	var best types.Value
	for _, a := range e.args {
		v, err := a.Eval(ctx, row)
		if err != nil {
			return nil, err
		}
		if v == nil {
			continue
		}
		if best == nil || types.Compare(v, best, e.t)*e.sign > 0 {
			best = v
		}
	}
	return best, nil
}

func (e *extremeExpr) Type() types.T { return e.t }
func (e *extremeExpr) String() string {
	return (&funcExpr{name: e.name, args: e.args}).String()
}

// nullifExpr is NULLIF(a, b): NULL when a = b, else a.
type nullifExpr struct {
	a   Expr
	eq  Expr
	t   types.T
	str string
}

func (e *nullifExpr) Eval(ctx *Context, row []types.Value) (types.Value, error) {
	eq, err := e.eq.Eval(ctx, row)
	if err != nil {
		return nil, err
	}
	if eq == true {
		return nil, nil
	}
	return e.a.Eval(ctx, row)
}

func (e *nullifExpr) Type() types.T  { return e.t }
func (e *nullifExpr) String() string { return e.str }

// conditionalCall compiles COALESCE, NULLIF, GREATEST and LEAST; ok is
// false for other names.
func (c *compiler) conditionalCall(name string, args []ast.ExprNode) (Expr, bool, error) {
	switch name {
	case "coalesce":
		es, t, err := c.variadicCommon(name, args)
		if err != nil {
			return nil, true, err
		}
		return &coalesceExpr{args: es, t: t}, true, nil
	case "greatest", "least":
		es, t, err := c.variadicCommon(name, args)
		if err != nil {
			return nil, true, err
		}
		sign := 1
		if name == "least" {
			sign = -1
		}
		return &extremeExpr{name: strings.ToUpper(name), args: es, t: t, sign: sign}, true, nil
	case "nullif":
		if len(args) != 2 {
			return nil, true, undefinedFunction(name, nil)
		}
		a, err := c.compile(args[0])
		if err != nil {
			return nil, true, err
		}
		b, err := c.compile(args[1])
		if err != nil {
			return nil, true, err
		}
		if a.Type().IsUnknown() && !b.Type().IsUnknown() {
			if a, err = c.coerce(a, b.Type().Base()); err != nil {
				return nil, true, err
			}
		}
		if a.Type().IsUnknown() {
			if a, err = c.coerce(a, types.Text); err != nil {
				return nil, true, err
			}
		}
		eq, err := c.comparison(opcode.EQ, a, b)
		if err != nil {
			return nil, true, err
		}
		// The result has the type the comparison converted a to.
		a = eq.(*compareExpr).l
		return &nullifExpr{a: a, eq: eq, t: a.Type(), str: "NULLIF(" + a.String() + ", " + b.String() + ")"}, true, nil
	}
	return nil, false, nil
}
