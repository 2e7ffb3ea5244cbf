package storage

import (
	"encoding/binary"

	"github.com/google/btree"

	"github.com/chronos-db/chronos/engine/types"
)

// Bound is one end of an index range scan: a prefix of the index's columns
// (Values[i] is compared with column Indexes[indexPos].Columns[i]) and
// whether keys equal to it on that prefix are included. A Bound with no
// Values is an open end.
//
// Values must already have the column types (the planner casts constants);
// a NULL value is allowed and sorts after every other value, as NULLs do in
// the index. Index order puts NULLs last, so an open upper end includes rows
// with NULL in the first column; to scan `a > 5` use lo = {[5], false} and
// hi = {[NULL], false}.
type Bound struct {
	Values    []types.Value
	Inclusive bool
}

// Unbounded reports whether b is an open end.
func (b Bound) Unbounded() bool { return len(b.Values) == 0 }

// appendIndexKey appends the encoded key of row values vals for index ix and
// reports whether one of the key's values is NULL.
func appendIndexKey(buf []byte, def *TableDef, ix *Index, vals []types.Value) ([]byte, bool) {
	hasNull := false
	for _, c := range ix.Columns {
		v := vals[c]
		if v == nil {
			hasNull = true
		}
		buf = types.AppendKey(buf, v, def.Columns[c].Type)
	}
	return buf, hasNull
}

// entryKey returns the index entry's key for the row id holding vals: the
// encoded values, plus the big-endian row ID unless the index is unique and
// the key has no NULL. It also reports whether the key must be unique in
// the tree. buf is scratch space, reused across calls.
func entryKey(buf *[]byte, def *TableDef, ix *Index, id uint64, vals []types.Value) (string, bool) {
	b, hasNull := appendIndexKey((*buf)[:0], def, ix, vals)
	unique := ix.Unique && !hasNull
	if !unique {
		b = binary.BigEndian.AppendUint64(b, id)
	}
	*buf = b
	return string(b), unique
}

// boundKey encodes a bound's prefix values for index ix.
func boundKey(def *TableDef, ix *Index, vals []types.Value) []byte {
	if len(vals) > len(ix.Columns) {
		vals = vals[:len(ix.Columns)]
	}
	var buf []byte
	for i, v := range vals {
		c := ix.Columns[i]
		buf = types.AppendKey(buf, v, def.Columns[c].Type)
	}
	return buf
}

// prefixEnd returns the smallest byte string greater than every string with
// prefix p, or ok=false when there is none (p is empty or all 0xFF).
func prefixEnd(p []byte) ([]byte, bool) {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xFF {
			end[i]++
			return end[:i+1], true
		}
	}
	return nil, false
}

// keyRange converts bounds to a half-open key range [start, stop): hasStart
// and hasStop are false for open ends; empty reports a range that cannot
// hold any key.
type keyRange struct {
	start, stop       string
	hasStart, hasStop bool
	empty             bool
}

func (t *Table) keyRange(indexPos int, lo, hi Bound) keyRange {
	def := t.def
	ix := &def.Indexes[indexPos]
	var r keyRange
	if !lo.Unbounded() {
		p := boundKey(def, ix, lo.Values)
		if lo.Inclusive {
			r.start, r.hasStart = string(p), true
		} else {
			end, ok := prefixEnd(p)
			if !ok {
				r.empty = true
				return r
			}
			r.start, r.hasStart = string(end), true
		}
	}
	if !hi.Unbounded() {
		p := boundKey(def, ix, hi.Values)
		if hi.Inclusive {
			if end, ok := prefixEnd(p); ok {
				r.stop, r.hasStop = string(end), true
			}
		} else {
			r.stop, r.hasStop = string(p), true
		}
	}
	if r.hasStart && r.hasStop && r.start >= r.stop {
		r.empty = true
	}
	return r
}

// IndexScan calls fn, in ascending index order, for every row whose key lies
// between lo and hi (see Bound), until fn returns false. indexPos is a
// position in Def().Indexes.
func (t *Table) IndexScan(indexPos int, lo, hi Bound, fn func(*Row) bool) {
	r := t.keyRange(indexPos, lo, hi)
	if r.empty {
		return
	}
	tree := t.indexes[indexPos]
	iter := func(it indexItem) bool {
		if r.hasStop && it.key >= r.stop {
			return false
		}
		return t.visit(it.id, fn)
	}
	if r.hasStart {
		tree.AscendGreaterOrEqual(newIndexItem(r.start, 0), iter)
	} else {
		tree.Ascend(iter)
	}
}

// IndexScanReverse is IndexScan in descending index order.
func (t *Table) IndexScanReverse(indexPos int, lo, hi Bound, fn func(*Row) bool) {
	r := t.keyRange(indexPos, lo, hi)
	if r.empty {
		return
	}
	tree := t.indexes[indexPos]
	iter := func(it indexItem) bool {
		if r.hasStart && it.key < r.start {
			return false
		}
		if r.hasStop && it.key >= r.stop {
			return true // only the pivot itself can be here
		}
		return t.visit(it.id, fn)
	}
	if r.hasStop {
		tree.DescendLessOrEqual(newIndexItem(r.stop, 0), iter)
	} else {
		tree.Descend(iter)
	}
}

// Lookup returns the row whose values in index indexPos's columns equal key
// (one value per index column, of the columns' types). With a NULL in key
// there is no match, as NULL = NULL is not true. On a non-unique index it
// returns the first match in index order; use IndexScan for all of them.
func (t *Table) Lookup(indexPos int, key []types.Value) (*Row, bool) {
	ix := &t.def.Indexes[indexPos]
	if len(key) != len(ix.Columns) {
		return nil, false
	}
	for _, v := range key {
		if v == nil {
			return nil, false
		}
	}
	p := string(boundKey(t.def, ix, key))
	tree := t.indexes[indexPos]
	if ix.Unique {
		it, ok := tree.Get(newIndexItem(p, 0))
		if !ok {
			return nil, false
		}
		return t.Get(it.id)
	}
	var id uint64
	found := false
	tree.AscendGreaterOrEqual(newIndexItem(p, 0), func(it indexItem) bool {
		// Non-unique entries are the key followed by 8 bytes of row ID.
		if len(it.key) == len(p)+8 && it.key[:len(p)] == p {
			id, found = it.id, true
		}
		return false
	})
	if !found {
		return nil, false
	}
	return t.Get(id)
}

// visit looks up the row an index entry names and passes it to fn. Every
// entry names a row of the same Table, so a miss cannot happen; it would be
// skipped.
func (t *Table) visit(id uint64, fn func(*Row) bool) bool {
	row, ok := t.Get(id)
	if !ok {
		return true
	}
	return fn(row)
}

// indexTree is the type of an index B-tree, for brevity.
type indexTree = btree.BTreeG[indexItem]
