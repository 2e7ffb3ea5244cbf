package engine

import (
	"fmt"

	"github.com/chronos-db/chronos/engine/expr"
	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
)

// numericRank orders the numeric types by PostgreSQL's implicit casts:
// a mix of them resolves to the highest.
var numericRank = map[types.OID]int{
	types.OIDInt2:    1,
	types.OIDInt4:    2,
	types.OIDInt8:    3,
	types.OIDNumeric: 4,
	types.OIDFloat4:  5,
	types.OIDFloat8:  6,
}

// datetimeRank does the same for date and time stamps.
var datetimeRank = map[types.OID]int{
	types.OIDDate:        1,
	types.OIDTimestamp:   2,
	types.OIDTimestamptz: 3,
}

// commonType picks the type a set of expressions resolves to, like
// PostgreSQL's select_common_type for UNION, CASE and VALUES: untyped
// literals take the others' type (text if all are untyped), numbers widen,
// strings become text. ctx names the construct in the error message.
func commonType(ts []types.T, ctx string) (types.T, error) {
	var out types.T
	have := false
	for _, t := range ts {
		if t.IsUnknown() {
			continue
		}
		if !have {
			out, have = t, true
			continue
		}
		if t == out {
			continue
		}
		if t.OID == out.OID {
			out = out.Base()
			continue
		}
		if r1, ok1 := numericRank[out.OID]; ok1 {
			if r2, ok2 := numericRank[t.OID]; ok2 {
				if r2 > r1 {
					out = t.Base()
				} else {
					out = out.Base()
				}
				continue
			}
		}
		if r1, ok1 := datetimeRank[out.OID]; ok1 {
			if r2, ok2 := datetimeRank[t.OID]; ok2 {
				if r2 > r1 {
					out = t.Base()
				} else {
					out = out.Base()
				}
				continue
			}
		}
		if out.IsString() && t.IsString() {
			out = types.Text
			continue
		}
		return types.T{}, sqlerr.New(sqlerr.DatatypeMismatch, "%s types %s and %s cannot be matched", ctx, out.String(), t.String())
	}
	if !have {
		return types.Text, nil
	}
	return out, nil
}

// castExpr converts e's values to type t (an implicit cast); it returns e
// itself when nothing needs converting.
func castExpr(e expr.Expr, t types.T) expr.Expr {
	from := e.Type()
	if from == t || (from.OID == t.OID && t.Mod < 0) {
		return e
	}
	return &castNode{e: e, to: t}
}

// castNode is an implicit conversion added by the planner.
type castNode struct {
	e  expr.Expr
	to types.T
}

func (c *castNode) Eval(ctx *expr.Context, row []types.Value) (types.Value, error) {
	v, err := c.e.Eval(ctx, row)
	if err != nil || v == nil {
		return v, err
	}
	return types.Cast(v, c.e.Type(), c.to, false)
}

func (c *castNode) Type() types.T { return c.to }

func (c *castNode) String() string {
	return fmt.Sprintf("(%s)::%s", c.e.String(), c.to.String())
}

// castValue converts one value for storing into a column of type t.
func castValue(v types.Value, from, to types.T) (types.Value, error) {
	if v == nil || from == to {
		return v, nil
	}
	return types.Cast(v, from, to, false)
}

// columnN names the i-th column of a VALUES list as PostgreSQL does.
func columnN(i int) string {
	return fmt.Sprintf("column%d", i+1)
}
