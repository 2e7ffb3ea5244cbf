package expr

import (
	"strconv"
	"strings"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/cockroachdb/apd/v3"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
	"github.com/pingcap/tidb/pkg/parser/test_driver"
)

// compiler holds the state of one Compile call.
type compiler struct {
	r Resolver
	p *Params
	// params lists the parameters referenced, so those nothing
	// constrained can default to text at the end.
	params []int
}

// Compile compiles a scalar expression. Untyped literals and parameters take
// their types from context (`id = $1` gives $1 the column's type); what is
// still untyped at the top (SELECT 'a', SELECT $1) becomes text, as in
// PostgreSQL. p may be nil when the statement has no parameters.
func Compile(e ast.ExprNode, r Resolver, p *Params) (Expr, error) {
	c := &compiler{r: r, p: p}
	x, err := c.compile(e)
	if err != nil {
		return nil, err
	}
	if x.Type().IsUnknown() {
		if x, err = c.coerce(x, types.Text); err != nil {
			return nil, err
		}
	}
	c.finish()
	return x, nil
}

// CompileAs compiles an expression whose value is stored as type want (an
// INSERT value, an UPDATE SET, a LIMIT): untyped literals and parameters
// take want, and the result is converted with an assignment cast (typmods
// applied: varchar(n) 22001, numeric(p,s) rounding). A type with no
// assignment cast to want is a 42804 error.
func CompileAs(e ast.ExprNode, r Resolver, p *Params, want types.T) (Expr, error) {
	return CompileAssign(e, r, p, want, "")
}

// CompileAssign is CompileAs for a value stored into the named column; the
// name only words the 42804 error as PostgreSQL does ("column \"a\" is of
// type integer but expression is of type text").
func CompileAssign(e ast.ExprNode, r Resolver, p *Params, want types.T, column string) (Expr, error) {
	c := &compiler{r: r, p: p}
	x, err := c.compile(e)
	if err != nil {
		return nil, err
	}
	x, err = c.assign(x, want, column)
	if err != nil {
		return nil, err
	}
	c.finish()
	return x, nil
}

// assign converts x to want with assignment-cast rules.
func (c *compiler) assign(x Expr, want types.T, column string) (Expr, error) {
	from := x.Type()
	if from == want {
		return x, nil
	}
	if from.IsUnknown() {
		if k, ok := x.(*constExpr); ok {
			if k.v == nil {
				return Const(nil, want), nil
			}
			v, err := types.Cast(k.v, types.Unknown, want, false)
			if err != nil {
				return nil, err
			}
			return Const(v, want), nil
		}
		if pe, ok := x.(*paramExpr); ok {
			c.p.Types[pe.index] = want.Base()
			if want.Mod < 0 {
				return x, nil
			}
			return &castExpr{arg: x, from: want.Base(), to: want}, nil
		}
		return &castExpr{arg: x, from: from, to: want}, nil
	}
	if !types.CanCast(from, want, types.CastAssignment) {
		if column != "" {
			return nil, sqlerr.New(sqlerr.DatatypeMismatch, "column \"%s\" is of type %s but expression is of type %s", column, want, from).
				WithHint("You will need to rewrite or cast the expression.")
		}
		return nil, sqlerr.New(sqlerr.DatatypeMismatch, "expression is of type %s but type %s is required", from, want).
			WithHint("You will need to rewrite or cast the expression.")
	}
	if k, ok := x.(*constExpr); ok {
		v, err := types.Cast(k.v, from, want, false)
		if err != nil {
			return nil, err
		}
		return Const(v, want), nil
	}
	return &castExpr{arg: x, from: from, to: want}, nil
}

// finish gives text to every parameter this compilation referenced and
// nothing typed.
func (c *compiler) finish() {
	for _, i := range c.params {
		if c.p.Types[i].IsUnknown() {
			c.p.Types[i] = types.Text
		}
	}
}

func (c *compiler) compile(n ast.ExprNode) (Expr, error) {
	if c.r != nil {
		if e, ok, err := c.r.Replace(n); err != nil {
			return nil, err
		} else if ok {
			return e, nil
		}
	}
	switch x := n.(type) {
	case *test_driver.ParamMarkerExpr:
		return c.param(x.Order)
	case *test_driver.ValueExpr:
		return literal(x)
	case *ast.ParenthesesExpr:
		return c.compile(x.Expr)
	case *ast.ColumnNameExpr:
		if c.r == nil {
			return nil, sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" does not exist", x.Name.Name.O)
		}
		return c.r.Column(x)
	case *ast.BinaryOperationExpr:
		return c.binary(x)
	case *ast.UnaryOperationExpr:
		return c.unary(x)
	case *ast.IsNullExpr:
		return c.isNull(x)
	case *ast.IsTruthExpr:
		return c.isTruth(x)
	case *ast.BetweenExpr:
		return c.between(x)
	case *ast.PatternInExpr:
		return c.in(x)
	case *ast.PatternLikeOrIlikeExpr:
		return c.like(x)
	case *ast.CaseExpr:
		return c.caseExpr(x)
	case *ast.FuncCallExpr:
		return c.call(x)
	case *ast.SubqueryExpr:
		return c.scalarSubquery(x)
	case *ast.ExistsSubqueryExpr:
		return c.exists(x)
	case *ast.CompareSubqueryExpr:
		return c.compareSubquery(x)
	case *ast.AggregateFuncExpr:
		return nil, sqlerr.New(sqlerr.GroupingError, "aggregate functions are not allowed here")
	case *ast.WindowFuncExpr:
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "window functions are not supported")
	case *ast.RowExpr:
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "row expressions are not supported here")
	case *ast.DefaultExpr:
		return nil, sqlerr.New(sqlerr.SyntaxError, "DEFAULT is not allowed in this context")
	case *ast.FuncCastExpr:
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "CAST to %s is not supported", x.Tp.String())
	case *ast.VariableExpr:
		return nil, sqlerr.New(sqlerr.SyntaxError, "syntax error at or near \"@\"")
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "expression %T is not supported", n)
}

// param returns the expression for $(order+1).
func (c *compiler) param(order int) (Expr, error) {
	if c.p == nil {
		return nil, sqlerr.New(sqlerr.UndefinedParameter, "there is no parameter $%d", order+1)
	}
	for len(c.p.Types) <= order {
		c.p.Types = append(c.p.Types, types.Unknown)
	}
	c.params = append(c.params, order)
	return &paramExpr{index: order, p: c.p}, nil
}

// literal types a constant as PostgreSQL's lexer and make_const do.
func literal(v *test_driver.ValueExpr) (Expr, error) {
	switch v.Kind() {
	case test_driver.KindNull:
		return Const(nil, types.Unknown), nil
	case test_driver.KindInt64:
		if v.Type.GetFlag()&isBooleanFlag != 0 {
			return Const(v.GetInt64() != 0, types.Bool), nil
		}
		return intLiteral(v.GetInt64()), nil
	case test_driver.KindUint64:
		return numericLiteral(strconv.FormatUint(v.GetUint64(), 10))
	case test_driver.KindMysqlDecimal:
		return numericLiteral(v.GetMysqlDecimal().String())
	case test_driver.KindFloat64:
		// 1e5 is numeric in PostgreSQL even when integral.
		return numericConst(strconv.FormatFloat(v.GetFloat64(), 'g', -1, 64))
	case test_driver.KindFloat32:
		return numericConst(strconv.FormatFloat(float64(v.GetFloat32()), 'g', -1, 32))
	case test_driver.KindString:
		return Const(v.GetString(), types.Unknown), nil
	case test_driver.KindBytes:
		return Const(string(v.GetBytes()), types.Unknown), nil
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "literal %s is not supported", v.GetDatumString())
}

// isBooleanFlag is mysql.IsBooleanFlag: the parser's mark on TRUE/FALSE.
const isBooleanFlag = 1 << 19

func intLiteral(i int64) Expr {
	if i >= -1<<31 && i < 1<<31 {
		return Const(i, types.Int4)
	}
	return Const(i, types.Int8)
}

// numericLiteral types a number that is not a plain int64: an integer
// that fits int8 is int8 (the negated lower bound), otherwise numeric.
func numericLiteral(s string) (Expr, error) {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return intLiteral(i), nil
	}
	return numericConst(s)
}

func numericConst(s string) (Expr, error) {
	v, err := types.ParseText(s, types.Numeric)
	if err != nil {
		return nil, err
	}
	return Const(v, types.Numeric), nil
}

// negateLiteral folds a minus sign into a numeric constant, as PostgreSQL's
// grammar does, so that -2147483648 is an int4 and not an overflow.
func negateLiteral(v *test_driver.ValueExpr) (Expr, bool, error) {
	switch v.Kind() {
	case test_driver.KindInt64:
		if v.Type.GetFlag()&isBooleanFlag != 0 {
			return nil, false, nil
		}
		return intLiteral(-v.GetInt64()), true, nil
	case test_driver.KindUint64:
		e, err := numericLiteral("-" + strconv.FormatUint(v.GetUint64(), 10))
		return e, true, err
	case test_driver.KindMysqlDecimal, test_driver.KindFloat64, test_driver.KindFloat32:
		e, err := literal(v)
		if err != nil {
			return nil, true, err
		}
		d := e.(*constExpr)
		if i, ok := d.v.(int64); ok {
			return intLiteral(-i), true, nil
		}
		n := new(apd.Decimal).Neg(d.v.(*apd.Decimal))
		if n.IsZero() {
			n.Negative = false
		}
		return Const(n, types.Numeric), true, nil
	}
	return nil, false, nil
}

// coerce converts x to want in an implicit context: an untyped literal is
// read as want (22P02 if it cannot be), an untyped parameter takes want,
// other types need an implicit cast.
func (c *compiler) coerce(x Expr, want types.T) (Expr, error) {
	from := x.Type()
	if from == want || want.IsUnknown() {
		return x, nil
	}
	if from.IsUnknown() {
		switch k := x.(type) {
		case *constExpr:
			if k.v == nil {
				return Const(nil, want), nil
			}
			v, err := types.Cast(k.v, types.Unknown, want, true)
			if err != nil {
				return nil, err
			}
			return Const(v, want), nil
		case *paramExpr:
			c.p.Types[k.index] = want.Base()
			if want.Mod < 0 {
				return x, nil
			}
			return &castExpr{arg: x, from: want.Base(), to: want, explicit: true}, nil
		}
		return &castExpr{arg: x, from: from, to: want, explicit: true}, nil
	}
	if from.OID == want.OID && want.Mod < 0 {
		return x, nil
	}
	if !types.CanCast(from, want, types.CastImplicit) {
		return nil, sqlerr.New(sqlerr.CannotCoerce, "cannot cast type %s to %s", from, want)
	}
	return castTo(x, want), nil
}

// castTo wraps x in a conversion to want, folding constants.
func castTo(x Expr, want types.T) Expr {
	from := x.Type()
	if from == want || from.OID == want.OID && want.Mod < 0 {
		return x
	}
	if k, ok := x.(*constExpr); ok {
		if v, err := types.Cast(k.v, from, want, true); err == nil {
			return Const(v, want)
		}
	}
	return &castExpr{arg: x, from: from, to: want, explicit: true}
}

// funcName returns the lower-case name of a called function.
func funcName(f *ast.FuncCallExpr) string { return strings.ToLower(f.FnName.L) }

// opName is how PostgreSQL names an operator in messages.
func opName(op opcode.Op) string {
	switch op {
	case opcode.EQ:
		return "="
	case opcode.NE:
		return "<>"
	case opcode.LT:
		return "<"
	case opcode.LE:
		return "<="
	case opcode.GT:
		return ">"
	case opcode.GE:
		return ">="
	case opcode.NullEQ:
		return "IS NOT DISTINCT FROM"
	case opcode.Plus:
		return "+"
	case opcode.Minus:
		return "-"
	case opcode.Mul:
		return "*"
	case opcode.Div, opcode.IntDiv:
		return "/"
	case opcode.Mod:
		return "%"
	case opcode.And:
		return "&"
	case opcode.Or:
		return "|"
	case opcode.Xor:
		return "^"
	case opcode.LeftShift:
		return "<<"
	case opcode.RightShift:
		return ">>"
	case opcode.BitNeg:
		return "~"
	}
	return op.String()
}

// noOperator is PostgreSQL's 42883 for a binary operator.
func noOperator(op string, l, r types.T) error {
	return sqlerr.New(sqlerr.UndefinedFunction, "operator does not exist: %s %s %s", l, op, r).
		WithHint("No operator matches the given name and argument types. You might need to add explicit type casts.")
}

// noPrefixOperator is 42883 for a prefix operator.
func noPrefixOperator(op string, t types.T) error {
	return sqlerr.New(sqlerr.UndefinedFunction, "operator does not exist: %s %s", op, t).
		WithHint("No operator matches the given name and argument type. You might need to add an explicit type cast.")
}
