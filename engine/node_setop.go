package engine

import (
	"github.com/chronos-db/chronos/engine/types"
)

// setOpNode is UNION, INTERSECT or EXCEPT, with or without ALL. Rows are
// compared by their key encoding, so NULLs are equal to each other here,
// as SQL's set operations require.
type setOpNode struct {
	kind        setOpKind
	all         bool
	left, right planNode
	cols        []colInfo
}

func (n *setOpNode) columns() []colInfo { return n.cols }

func (n *setOpNode) rowKey(buf []byte, row []types.Value) []byte {
	for i, c := range n.cols {
		buf = types.AppendKey(buf, row[i], c.typ)
	}
	return buf
}

func (n *setOpNode) run(st *execState, emit rowFunc) error {
	var buf []byte
	switch n.kind {
	case setUnion:
		if n.all {
			if err := n.left.run(st, emit); err != nil {
				return err
			}
			return n.right.run(st, emit)
		}
		seen := map[string]struct{}{}
		f := func(row []types.Value) error {
			buf = n.rowKey(buf[:0], row)
			if _, dup := seen[string(buf)]; dup {
				return nil
			}
			seen[string(buf)] = struct{}{}
			return emit(row)
		}
		if err := n.left.run(st, f); err != nil {
			return err
		}
		return n.right.run(st, f)
	}
	// INTERSECT and EXCEPT count the right side's rows first.
	counts := map[string]int{}
	err := n.right.run(st, func(row []types.Value) error {
		buf = n.rowKey(buf[:0], row)
		counts[string(buf)]++
		return nil
	})
	if err != nil {
		return err
	}
	done := map[string]bool{}
	return n.left.run(st, func(row []types.Value) error {
		buf = n.rowKey(buf[:0], row)
		k := string(buf)
		c := counts[k]
		if n.kind == setIntersect {
			if c == 0 {
				return nil
			}
			if n.all {
				counts[k] = c - 1
			} else {
				if done[k] {
					return nil
				}
				done[k] = true
			}
			return emit(row)
		}
		// EXCEPT
		if n.all {
			if c > 0 {
				counts[k] = c - 1
				return nil
			}
			return emit(row)
		}
		if c > 0 || done[k] {
			return nil
		}
		done[k] = true
		return emit(row)
	})
}

// convertNode converts its input's columns to other types (set
// operations whose operands differ in type).
type convertNode struct {
	input planNode
	from  []types.T
	to    []types.T
	cols  []colInfo
}

// convertTo returns input with its columns converted to ts, or input
// itself when they already have those types.
func convertTo(input planNode, ts []types.T) planNode {
	cols := input.columns()
	same := true
	for i, t := range ts {
		if cols[i].typ != t {
			same = false
		}
	}
	if same {
		return input
	}
	n := &convertNode{input: input, to: ts}
	for i, c := range cols {
		n.from = append(n.from, c.typ)
		nc := c
		nc.typ = ts[i]
		n.cols = append(n.cols, nc)
	}
	return n
}

func (n *convertNode) columns() []colInfo { return n.cols }

func (n *convertNode) run(st *execState, emit rowFunc) error {
	return n.input.run(st, func(row []types.Value) error {
		out := make([]types.Value, len(row))
		for i, v := range row {
			if v == nil || n.from[i] == n.to[i] {
				out[i] = v
				continue
			}
			c, err := types.Cast(v, n.from[i], n.to[i], false)
			if err != nil {
				return err
			}
			out[i] = c
		}
		return emit(out)
	})
}
