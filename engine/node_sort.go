package engine

import (
	"sort"

	"github.com/chronos-db/chronos/engine/types"
)

// sortKey is one ORDER BY key: a column of the input rows.
type sortKey struct {
	col        int
	desc       bool
	nullsFirst bool
}

// sortNode orders its input. NULLs sort as if larger than every value
// (last ascending, first descending) unless NULLS FIRST/LAST says
// otherwise, as in PostgreSQL. The sort is stable.
type sortNode struct {
	input planNode
	keys  []sortKey
}

func (n *sortNode) columns() []colInfo { return n.input.columns() }

func (n *sortNode) run(st *execState, emit rowFunc) error {
	rows, err := collect(st, n.input)
	if err != nil {
		return err
	}
	cols := n.input.columns()
	sort.SliceStable(rows, func(i, j int) bool {
		return compareRows(rows[i], rows[j], n.keys, cols) < 0
	})
	for _, r := range rows {
		if err := emit(r); err != nil {
			return err
		}
	}
	return nil
}

// compareRows orders two rows by keys.
func compareRows(a, b []types.Value, keys []sortKey, cols []colInfo) int {
	for _, k := range keys {
		x, y := a[k.col], b[k.col]
		var c int
		switch {
		case x == nil && y == nil:
			c = 0
		case x == nil:
			c = 1
			if k.nullsFirst {
				c = -1
			}
			if c != 0 {
				return c
			}
		case y == nil:
			c = -1
			if k.nullsFirst {
				c = 1
			}
			return c
		default:
			c = types.Compare(x, y, cols[k.col].typ)
			if k.desc {
				c = -c
			}
		}
		if c != 0 {
			return c
		}
	}
	return 0
}
