package engine

import (
	"strings"

	"github.com/chronos-db/chronos/engine/expr"
	"github.com/chronos-db/chronos/engine/pgcatalog"
	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Set-returning functions in the select list: generate_series(start,
// stop[, step]) over integers and unnest(array) over the text form of the
// catalogs' arrays. A FROM item f(args) AS alias reaches here too: the
// dialect makes it the derived table (SELECT f(args) AS alias) AS alias.
// One set-returning call per select list, at its top level, in a query
// without aggregates; each input row is repeated once per value.

// srfNames are the set-returning functions.
var srfNames = map[string]bool{"generate_series": true, "unnest": true}

// planSRF puts the select list's set-returning call, if any, under the
// projection: ss.node becomes an srfNode appending the call's values to
// each input row, and the output item reads that column.
func (b *builder) planSRF(ss *selectState) error {
	var item *outputItem
	var call *ast.FuncCallExpr
	for _, o := range ss.outputs {
		f, ok := unparen(o.node).(*ast.FuncCallExpr)
		if !ok || !srfNames[strings.ToLower(f.FnName.L)] {
			continue
		}
		if item != nil {
			return sqlerr.New(sqlerr.FeatureNotSupported, "only one set-returning function per select list is supported")
		}
		item, call = o, f
	}
	if item == nil {
		return nil
	}
	if ss.s.grouped != nil {
		return sqlerr.New(sqlerr.FeatureNotSupported, "set-returning functions in an aggregating query are not supported")
	}
	n := &srfNode{input: ss.node, name: strings.ToLower(call.FnName.L)}
	for _, a := range call.Args {
		e, err := b.compile(ss.s, a)
		if err != nil {
			return err
		}
		n.args = append(n.args, e)
	}
	typ, err := n.resultType()
	if err != nil {
		return err
	}
	n.cols = append(append([]colInfo{}, ss.node.columns()...), colInfo{name: item.name, typ: typ, hidden: true})
	ss.s.cols = append(ss.s.cols, colInfo{name: item.name, typ: typ, hidden: true})
	idx := len(ss.s.cols) - 1
	item.node, item.col, item.fp = nil, idx, colFingerprint(0, idx)
	ss.node = n
	return nil
}

// srfNode repeats each input row once per value of a set-returning call,
// with the value appended.
type srfNode struct {
	input planNode
	name  string
	args  []expr.Expr
	cols  []colInfo
}

// resultType checks the arguments and returns the type of the values.
func (n *srfNode) resultType() (types.T, error) {
	argTypes := func() string {
		names := make([]string, len(n.args))
		for i, a := range n.args {
			names[i] = a.Type().String()
		}
		return strings.Join(names, ", ")
	}
	if n.name == "unnest" {
		if len(n.args) != 1 {
			return types.T{}, sqlerr.New(sqlerr.UndefinedFunction, "function unnest(%s) does not exist", argTypes())
		}
		return types.Text, nil
	}
	if len(n.args) < 2 || len(n.args) > 3 {
		return types.T{}, sqlerr.New(sqlerr.UndefinedFunction, "function generate_series(%s) does not exist", argTypes()).
			WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
	}
	typ := types.Int4
	for _, a := range n.args {
		if v, ok := expr.IsConst(a); ok && v == nil {
			continue // NULL: no rows
		}
		switch t := a.Type(); {
		case t.OID == types.OIDInt8:
			typ = types.Int8
		case t.IsInteger(), t.IsUnknown():
		default:
			return types.T{}, sqlerr.New(sqlerr.FeatureNotSupported, "generate_series(%s) is not supported", argTypes())
		}
	}
	return typ, nil
}

func (n *srfNode) columns() []colInfo { return n.cols }

func (n *srfNode) run(st *execState, emit rowFunc) error {
	return n.input.run(st, func(row []types.Value) error {
		vals := make([]types.Value, len(n.args))
		for i, a := range n.args {
			v, err := a.Eval(&st.ectx, row)
			if err != nil || v == nil {
				return err
			}
			vals[i] = v
		}
		out := func(v types.Value) error {
			r := make([]types.Value, len(row)+1)
			copy(r, row)
			r[len(row)] = v
			return emit(r)
		}
		if n.name == "unnest" {
			for _, e := range pgcatalog.ArrayElements(types.FormatText(vals[0], n.args[0].Type())) {
				if err := out(e); err != nil {
					return err
				}
			}
			return nil
		}
		ints := [3]int64{0, 0, 1}
		for i, v := range vals {
			x, err := types.Cast(v, n.args[i].Type(), types.Int8, false)
			if err != nil {
				return err
			}
			ints[i] = x.(int64)
		}
		from, to, step := ints[0], ints[1], ints[2]
		if step == 0 {
			return sqlerr.New(sqlerr.InvalidParameterValue, "step size cannot equal zero")
		}
		for x := from; step > 0 && x <= to || step < 0 && x >= to; x += step {
			if err := st.tick(); err != nil {
				return err
			}
			if err := out(x); err != nil {
				return err
			}
			if step > 0 && x > to-step || step < 0 && x < to-step {
				break // the next value would pass the end or overflow
			}
		}
		return nil
	})
}

func (n *srfNode) explain(e *explainer) {
	e.node("ProjectSet "+n.name, nil, n.input)
}
