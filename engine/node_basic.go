package engine

import (
	"github.com/chronos-db/chronos/engine/expr"
	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
)

// filterNode passes the rows for which cond is true.
type filterNode struct {
	input planNode
	cond  expr.Expr
}

func (n *filterNode) columns() []colInfo { return n.input.columns() }

func (n *filterNode) run(st *execState, emit rowFunc) error {
	return n.input.run(st, func(row []types.Value) error {
		v, err := n.cond.Eval(&st.ectx, row)
		if err != nil {
			return err
		}
		if v != true {
			return nil
		}
		return emit(row)
	})
}

// projectNode computes the select list (and ORDER BY helpers) from each
// input row.
type projectNode struct {
	input planNode
	exprs []expr.Expr
	cols  []colInfo
}

func (n *projectNode) columns() []colInfo { return n.cols }

func (n *projectNode) run(st *execState, emit rowFunc) error {
	return n.input.run(st, func(row []types.Value) error {
		out := make([]types.Value, len(n.exprs))
		for i, e := range n.exprs {
			v, err := e.Eval(&st.ectx, row)
			if err != nil {
				return err
			}
			out[i] = v
		}
		return emit(out)
	})
}

// valuesNode produces constant rows: VALUES lists and the single empty
// row of a SELECT without FROM.
type valuesNode struct {
	rows [][]expr.Expr
	cols []colInfo
}

func (n *valuesNode) columns() []colInfo { return n.cols }

func (n *valuesNode) run(st *execState, emit rowFunc) error {
	for _, r := range n.rows {
		out := make([]types.Value, len(r))
		for i, e := range r {
			v, err := e.Eval(&st.ectx, nil)
			if err != nil {
				return err
			}
			out[i] = v
		}
		if err := emit(out); err != nil {
			return err
		}
	}
	return nil
}

// limitNode implements LIMIT and OFFSET.
type limitNode struct {
	input         planNode
	count, offset expr.Expr
}

func (n *limitNode) columns() []colInfo { return n.input.columns() }

func (n *limitNode) run(st *execState, emit rowFunc) error {
	count, offset := int64(-1), int64(0)
	if n.count != nil {
		v, err := evalCount(st, n.count, "LIMIT")
		if err != nil {
			return err
		}
		count = v
	}
	if n.offset != nil {
		v, err := evalCount(st, n.offset, "OFFSET")
		if err != nil {
			return err
		}
		if v > 0 {
			offset = v
		}
	}
	if count == 0 {
		return nil
	}
	seen := int64(0)
	emitted := int64(0)
	err := n.input.run(st, func(row []types.Value) error {
		seen++
		if seen <= offset {
			return nil
		}
		if err := emit(row); err != nil {
			return err
		}
		emitted++
		if count >= 0 && emitted >= count {
			return errStop
		}
		return nil
	})
	if err == errStop {
		return nil
	}
	return err
}

// evalCount evaluates a LIMIT or OFFSET value: NULL means none (-1 for
// LIMIT, 0 for OFFSET), a negative value is an error.
func evalCount(st *execState, e expr.Expr, clause string) (int64, error) {
	v, err := e.Eval(&st.ectx, nil)
	if err != nil {
		return 0, err
	}
	if v == nil {
		if clause == "LIMIT" {
			return -1, nil
		}
		return 0, nil
	}
	var n int64
	switch x := v.(type) {
	case int64:
		n = x
	default:
		c, err := types.Cast(v, e.Type(), types.Int8, false)
		if err != nil {
			return 0, err
		}
		n = c.(int64)
	}
	if n < 0 {
		return 0, sqlerr.New("2201W", "%s must not be negative", clause)
	}
	return n, nil
}

// distinctNode drops rows equal to an earlier one in their first width
// columns.
type distinctNode struct {
	input planNode
	width int
}

func (n *distinctNode) columns() []colInfo { return n.input.columns() }

func (n *distinctNode) run(st *execState, emit rowFunc) error {
	cols := n.input.columns()
	seen := map[string]struct{}{}
	var buf []byte
	return n.input.run(st, func(row []types.Value) error {
		buf = buf[:0]
		for i := 0; i < n.width; i++ {
			buf = types.AppendKey(buf, row[i], cols[i].typ)
		}
		if _, dup := seen[string(buf)]; dup {
			return nil
		}
		seen[string(buf)] = struct{}{}
		return emit(row)
	})
}

// trimNode drops the ORDER BY helper columns at the end of each row.
type trimNode struct {
	input planNode
	width int
}

func (n *trimNode) columns() []colInfo { return n.input.columns()[:n.width] }

func (n *trimNode) run(st *execState, emit rowFunc) error {
	return n.input.run(st, func(row []types.Value) error {
		return emit(row[:n.width:n.width])
	})
}

// renameNode gives a subquery's rows the column names of the FROM item
// (derived tables and views).
type renameNode struct {
	input planNode
	cols  []colInfo
}

func (n *renameNode) columns() []colInfo { return n.cols }

func (n *renameNode) run(st *execState, emit rowFunc) error { return n.input.run(st, emit) }

// permuteNode rearranges the columns of its input rows: output column i
// is input column from[i] (joins done in another order than FROM's).
type permuteNode struct {
	input planNode
	from  []int
	cols  []colInfo
}

func (n *permuteNode) columns() []colInfo { return n.cols }

func (n *permuteNode) run(st *execState, emit rowFunc) error {
	return n.input.run(st, func(row []types.Value) error {
		out := make([]types.Value, len(n.from))
		for i, f := range n.from {
			out[i] = row[f]
		}
		return emit(out)
	})
}
