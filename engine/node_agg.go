package engine

import (
	"github.com/chronos-db/chronos/engine/expr"
	"github.com/chronos-db/chronos/engine/types"
)

// aggSpec is one aggregate call of a grouped query.
type aggSpec struct {
	name     string
	distinct bool
	agg      expr.Aggregate
	args     []expr.Expr
}

// aggNode groups its input by keys and computes the aggregates of each
// group. Its rows are the key values followed by the aggregate results,
// groups in order of first appearance. Without keys there is exactly one
// group, even over no rows.
type aggNode struct {
	input planNode
	keys  []expr.Expr
	aggs  []aggSpec
	cols  []colInfo
}

func (n *aggNode) columns() []colInfo { return n.cols }

type group struct {
	keys   []types.Value
	states []expr.AggState
}

func (n *aggNode) newGroup(keys []types.Value) *group {
	g := &group{keys: keys, states: make([]expr.AggState, len(n.aggs))}
	for i, a := range n.aggs {
		g.states[i] = a.agg.New()
	}
	return g
}

func (n *aggNode) run(st *execState, emit rowFunc) error {
	var groups []*group
	var index map[string]*group
	var single *group
	if len(n.keys) == 0 {
		single = n.newGroup(nil)
		groups = append(groups, single)
	} else {
		index = map[string]*group{}
	}
	var buf []byte
	err := n.input.run(st, func(row []types.Value) error {
		g := single
		if g == nil {
			keys := make([]types.Value, len(n.keys))
			buf = buf[:0]
			for i, k := range n.keys {
				v, err := k.Eval(&st.ectx, row)
				if err != nil {
					return err
				}
				keys[i] = v
				buf = types.AppendKey(buf, v, k.Type())
			}
			g = index[string(buf)]
			if g == nil {
				g = n.newGroup(keys)
				index[string(buf)] = g
				groups = append(groups, g)
			}
		}
		for i, a := range n.aggs {
			// A fresh slice each time: a state may keep what it is given.
			args := make([]types.Value, len(a.args))
			for j, e := range a.args {
				v, err := e.Eval(&st.ectx, row)
				if err != nil {
					return err
				}
				args[j] = v
			}
			if err := g.states[i].Add(&st.ectx, args); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, g := range groups {
		out := make([]types.Value, 0, len(n.keys)+len(n.aggs))
		out = append(out, g.keys...)
		for _, s := range g.states {
			v, err := s.Result()
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		if err := emit(out); err != nil {
			return err
		}
	}
	return nil
}
