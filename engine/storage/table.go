package storage

import (
	"encoding/binary"
	"sync/atomic"

	"github.com/google/btree"

	"github.com/chronos-db/chronos/engine/types"
)

// btreeDegree is the degree of every B-tree: nodes hold up to 2*degree-1
// items. A small degree keeps the copy-on-write path copy of a write short.
const btreeDegree = 16

// indexItem is an entry of an index B-tree: the encoded key and its row's
// ID. The ID, not the *Row: an update that leaves an index's key alone then
// leaves that index alone too, where a pointer to the new Row would make it
// copy the tree's path down to the entry (most updates keep the primary
// key). Readers find the row by ID in the rows trie.
//
// prefix holds the key's first 8 bytes, big-endian (zero-padded), so that
// comparing two items rarely needs the key itself: the search down a tree
// compares inside the nodes it loads instead of loading a string from
// elsewhere in memory at every step (a cache miss each, which made
// inserting under random keys the costliest part of applying an INSERT).
type indexItem struct {
	prefix uint64
	key    string
	id     uint64
}

// newIndexItem returns the entry for key and row id; with id 0, a probe to
// search for key.
func newIndexItem(key string, id uint64) indexItem {
	var b [8]byte
	copy(b[:], key)
	return indexItem{prefix: binary.BigEndian.Uint64(b[:]), key: key, id: id}
}

// lessIndexItem orders items by key. Differing prefixes order as their keys
// do: where two padded prefixes first differ, either both keys have a byte
// there, or one key has ended and is a prefix of the other (the padding
// zero is then below the other's byte, which cannot also be zero there).
func lessIndexItem(a, b indexItem) bool {
	if a.prefix != b.prefix {
		return a.prefix < b.prefix
	}
	return a.key < b.key
}

// generation numbers every Table value Apply or Load creates, so a checkpoint
// can tell a table unchanged since the last one it wrote (and hard-link its
// file) without keeping the old Table alive. Lineages take their numbers
// from it too.
var generation atomic.Uint64

// Table is one table as of a Snapshot: immutable and safe for concurrent
// use. Apply never modifies a published Table; it builds a new one from
// copy-on-write clones of the B-trees.
type Table struct {
	def     *TableDef
	rows    *rowTrie
	indexes []*btree.BTreeG[indexItem] // parallel to def.Indexes
	// lastRowID is the last row ID handed out; never decreases.
	lastRowID uint64
	// seqs[c] is the last value handed out by column c's sequence (0 when
	// none yet, or when c is not serial); parallel to def.Columns.
	seqs []int64
	gen  uint64
	// lineage stays the same from a Table to the clones made from it as
	// long as they only add rows: a write that replaces or removes a row
	// gives its table a new one. Two Tables of one lineage hold the same
	// rows up to the older one's last row ID, so a checkpoint can append
	// the newer one's other rows to the file it wrote of the older one.
	lineage uint64
}

func newTable(def *TableDef) *Table {
	t := &Table{
		def:     def,
		rows:    new(rowTrie),
		seqs:    make([]int64, len(def.Columns)),
		gen:     generation.Add(1),
		lineage: generation.Add(1),
	}
	t.indexes = make([]*btree.BTreeG[indexItem], len(def.Indexes))
	for i := range t.indexes {
		t.indexes[i] = btree.NewG(btreeDegree, lessIndexItem)
	}
	return t
}

// clone returns a writable copy sharing nodes copy-on-write with t.
func (t *Table) clone() *Table {
	c := *t
	c.rows = t.rows.Clone()
	c.indexes = make([]*btree.BTreeG[indexItem], len(t.indexes))
	for i, ix := range t.indexes {
		c.indexes[i] = ix.Clone()
	}
	c.seqs = append([]int64(nil), t.seqs...)
	c.gen = generation.Add(1)
	return &c
}

// Def returns the table's definition; it must not be modified.
func (t *Table) Def() *TableDef { return t.def }

// Name returns the table's name.
func (t *Table) Name() string { return t.def.Name }

// OID returns the table's OID.
func (t *Table) OID() uint32 { return t.def.OID }

// Len returns the number of rows.
func (t *Table) Len() int { return t.rows.Len() }

// LastRowID returns the last row ID assigned (0 if none ever was).
func (t *Table) LastRowID() uint64 { return t.lastRowID }

// Sequence returns the last value handed out by the sequence of serial
// column col (PostgreSQL's last_value; 0 when nextval was never called).
func (t *Table) Sequence(col int) int64 {
	if col < 0 || col >= len(t.seqs) {
		return 0
	}
	return t.seqs[col]
}

// Get returns the row with the given ID.
func (t *Table) Get(rowID uint64) (*Row, bool) {
	r := t.rows.Get(rowID)
	return r, r != nil
}

// putRow stores r, in place of the row with its ID if there is one.
func (t *Table) putRow(r *Row) { t.rows.Put(r) }

// Scan calls fn for every row in row-ID order until fn returns false.
func (t *Table) Scan(fn func(*Row) bool) {
	t.rows.Ascend(0, fn)
}

// ScanReverse calls fn for every row in descending row-ID order until fn
// returns false.
func (t *Table) ScanReverse(fn func(*Row) bool) {
	t.rows.Descend(fn)
}

// ScanFrom calls fn for every row with ID >= from in row-ID order until fn
// returns false (to resume a scan).
func (t *Table) ScanFrom(from uint64, fn func(*Row) bool) {
	t.rows.Ascend(from, fn)
}

// IndexLen returns the number of entries of index indexPos (equal to Len).
func (t *Table) IndexLen(indexPos int) int { return t.indexes[indexPos].Len() }

// columnType returns the type of column c.
func (t *Table) columnType(c int) types.T { return t.def.Columns[c].Type }
