package engine

import (
	"github.com/chronos-db/chronos/engine/expr"
	"github.com/chronos-db/chronos/engine/types"
)

// joinNode joins two inputs. The right input is read once per execution
// into memory; with equality keys it is hashed on them, otherwise every
// right row is a candidate for every left row (a nested loop). cond, over
// the joined row, decides among the candidates. Outer joins add the
// unmatched rows padded with NULLs.
type joinNode struct {
	left, right           planNode
	kind                  joinKind
	leftWidth, rightWidth int
	// leftKeys[i] = rightKeys[i] are the hash keys, compared as
	// keyTypes[i].
	leftKeys, rightKeys []expr.Expr
	keyTypes            []types.T
	cond                expr.Expr
	cols                []colInfo
}

func (n *joinNode) columns() []colInfo { return n.cols }

func (n *joinNode) run(st *execState, emit rowFunc) error {
	rights, err := collect(st, n.right)
	if err != nil {
		return err
	}
	var table map[string][]int
	var buf []byte
	if len(n.leftKeys) > 0 {
		table = make(map[string][]int, len(rights))
		for i, r := range rights {
			key, ok, err := n.hashKey(st, n.rightKeys, r, buf[:0])
			if err != nil {
				return err
			}
			buf = key
			if !ok {
				continue
			}
			table[string(key)] = append(table[string(key)], i)
		}
	}
	var matched []bool
	if n.kind == rightJoin || n.kind == fullJoin {
		matched = make([]bool, len(rights))
	}
	all := make([]int, len(rights))
	for i := range all {
		all[i] = i
	}
	err = n.left.run(st, func(l []types.Value) error {
		if err := st.tick(); err != nil {
			return err
		}
		cands := all
		if table != nil {
			key, ok, err := n.hashKey(st, n.leftKeys, l, buf[:0])
			if err != nil {
				return err
			}
			buf = key
			if !ok {
				cands = nil
			} else {
				cands = table[string(key)]
			}
		}
		found := false
		for _, ri := range cands {
			row := make([]types.Value, 0, n.leftWidth+n.rightWidth)
			row = append(append(row, l...), rights[ri]...)
			if n.cond != nil {
				v, err := n.cond.Eval(&st.ectx, row)
				if err != nil {
					return err
				}
				if v != true {
					continue
				}
			}
			found = true
			if matched != nil {
				matched[ri] = true
			}
			if err := emit(row); err != nil {
				return err
			}
		}
		if !found && (n.kind == leftJoin || n.kind == fullJoin) {
			row := make([]types.Value, n.leftWidth+n.rightWidth)
			copy(row, l)
			return emit(row)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for ri, m := range matched {
		if !m {
			row := make([]types.Value, n.leftWidth+n.rightWidth)
			copy(row[n.leftWidth:], rights[ri])
			if err := emit(row); err != nil {
				return err
			}
		}
	}
	return nil
}

// hashKey encodes a row's join key; ok is false when part of it is NULL
// (NULL never equals anything).
func (n *joinNode) hashKey(st *execState, keys []expr.Expr, row []types.Value, buf []byte) ([]byte, bool, error) {
	for i, k := range keys {
		v, err := k.Eval(&st.ectx, row)
		if err != nil {
			return buf, false, err
		}
		if v == nil {
			return buf, false, nil
		}
		buf = types.AppendKey(buf, v, n.keyTypes[i])
	}
	return buf, true, nil
}

// hashKeyType returns the type two sides of an equality are compared as,
// when their values can be hashed for a join: numbers of any kind (as
// float8 when a float is involved, numeric when a numeric and an integer
// meet), strings of the same kind, and equal types.
func hashKeyType(a, b types.T) (types.T, bool) {
	num := func(t types.T) bool { return t.IsInteger() || t.IsFloat() || t.OID == types.OIDNumeric }
	switch {
	case a.IsInteger() && b.IsInteger():
		return types.Int8, true
	case num(a) && num(b):
		if a.IsFloat() || b.IsFloat() {
			return types.Float8, true
		}
		return types.Numeric, true
	case a.OID == types.OIDBPChar || b.OID == types.OIDBPChar:
		if a.OID == b.OID {
			return types.BPChar, true
		}
		return types.T{}, false
	case a.IsString() && b.IsString():
		return types.Text, true
	case a.OID == b.OID && !a.IsUnknown():
		return a.Base(), true
	}
	return types.T{}, false
}
