package storage

// rowTrie maps row IDs to rows: a persistent radix trie whose leaves hold
// trieFanout row pointers, indexed by the ID's bits, and which clones
// copy-on-write like the B-trees of the indexes.
//
// Row IDs are handed out in increasing order and never reused, so rows fill
// the leaves densely: 8 bytes of trie per row, where a B-tree holding
// (ID, *Row) items split by sequential inserts is half full, at about 50.
// The live heap per row is what sets how often the collector runs near the
// memory limit, and every byte of the trie is scanned by it.
//
// The zero value is an empty trie. A rowTrie is not safe for concurrent
// mutation; a clone may be read while its source is mutated and the other
// way round.
type rowTrie struct {
	root *trieInner
	// height is the level of root: a level-1 node's children are leaves,
	// a level-n node's (n > 1) children are level n-1 nodes. The trie
	// holds IDs below 1<<(trieBits*(height+1)).
	height int
	count  int
	// owner marks the nodes this trie may modify in place: the ones it
	// made itself since it was last cloned.
	owner *trieOwner
}

const (
	trieBits   = 5
	trieFanout = 1 << trieBits
	trieMask   = trieFanout - 1
)

// trieOwner is an identity: nodes whose owner is a trie's may be modified
// in place by it. It has a field so that each allocation is distinct.
type trieOwner struct{ _ byte }

// trieLeaf holds the rows of trieFanout consecutive IDs, nil where none is.
type trieLeaf struct {
	owner *trieOwner
	rows  [trieFanout]*Row
}

// trieInner is an interior node: inner holds the children of a node above
// level 1, leaves those of a level-1 node.
type trieInner struct {
	owner  *trieOwner
	inner  [trieFanout]*trieInner
	leaves [trieFanout]*trieLeaf
}

// Len returns the number of rows.
func (t *rowTrie) Len() int { return t.count }

// Clone returns a copy of t sharing its nodes; from then on t and the
// copy each copy a shared node before they modify it.
func (t *rowTrie) Clone() *rowTrie {
	c := *t
	t.owner, c.owner = new(trieOwner), new(trieOwner)
	return &c
}

// holds reports whether id is within the IDs the trie's current height
// covers.
func (t *rowTrie) holds(id uint64) bool {
	if t.root == nil {
		return false
	}
	shift := trieBits * (t.height + 1)
	return shift >= 64 || id>>shift == 0
}

// childIndex returns the slot of id in a node at level.
func childIndex(id uint64, level int) int {
	return int(id >> (trieBits * level) & trieMask)
}

// Get returns the row with the given ID, or nil.
func (t *rowTrie) Get(id uint64) *Row {
	if !t.holds(id) {
		return nil
	}
	n := t.root
	for level := t.height; level > 1; level-- {
		n = n.inner[childIndex(id, level)]
		if n == nil {
			return nil
		}
	}
	leaf := n.leaves[childIndex(id, 1)]
	if leaf == nil {
		return nil
	}
	return leaf.rows[id&trieMask]
}

// mutableInner returns n itself if t may modify it, else a copy owned by
// t; for nil, a new empty node.
func (t *rowTrie) mutableInner(n *trieInner) *trieInner {
	if n == nil {
		return &trieInner{owner: t.owner}
	}
	if n.owner == t.owner {
		return n
	}
	c := *n
	c.owner = t.owner
	return &c
}

// mutableLeaf is mutableInner for leaves.
func (t *rowTrie) mutableLeaf(n *trieLeaf) *trieLeaf {
	if n == nil {
		return &trieLeaf{owner: t.owner}
	}
	if n.owner == t.owner {
		return n
	}
	c := *n
	c.owner = t.owner
	return &c
}

// Put stores r under r.ID and returns the row it replaced, or nil.
func (t *rowTrie) Put(r *Row) (old *Row) {
	if t.owner == nil {
		t.owner = new(trieOwner)
	}
	if t.root == nil {
		t.root, t.height = &trieInner{owner: t.owner}, 1
	}
	for !t.holds(r.ID) {
		root := &trieInner{owner: t.owner}
		root.inner[0] = t.root
		t.root = root
		t.height++
	}
	t.root = t.mutableInner(t.root)
	n := t.root
	for level := t.height; level > 1; level-- {
		i := childIndex(r.ID, level)
		n.inner[i] = t.mutableInner(n.inner[i])
		n = n.inner[i]
	}
	i := childIndex(r.ID, 1)
	leaf := t.mutableLeaf(n.leaves[i])
	n.leaves[i] = leaf
	old = leaf.rows[r.ID&trieMask]
	leaf.rows[r.ID&trieMask] = r
	if old == nil {
		t.count++
	}
	return old
}

// Delete removes the row with the given ID and returns it, or nil if
// there was none. Nodes left empty are removed.
func (t *rowTrie) Delete(id uint64) (old *Row) {
	if t.Get(id) == nil {
		return nil
	}
	t.root = t.mutableInner(t.root)
	old = t.deleteIn(t.root, t.height, id)
	t.count--
	if t.count == 0 {
		t.root, t.height = nil, 0
	}
	return old
}

// deleteIn removes id below n, a mutable node at level, which holds it.
func (t *rowTrie) deleteIn(n *trieInner, level int, id uint64) (old *Row) {
	i := childIndex(id, level)
	if level == 1 {
		leaf := t.mutableLeaf(n.leaves[i])
		old = leaf.rows[id&trieMask]
		leaf.rows[id&trieMask] = nil
		if leaf.rows == ([trieFanout]*Row{}) {
			leaf = nil
		}
		n.leaves[i] = leaf
		return old
	}
	child := t.mutableInner(n.inner[i])
	old = t.deleteIn(child, level-1, id)
	if child.inner == ([trieFanout]*trieInner{}) && child.leaves == ([trieFanout]*trieLeaf{}) {
		child = nil
	}
	n.inner[i] = child
	return old
}

// Ascend calls fn for every row with ID >= from in ID order until fn
// returns false.
func (t *rowTrie) Ascend(from uint64, fn func(*Row) bool) {
	if !t.holds(from) {
		return
	}
	ascendInner(t.root, t.height, from, fn)
}

// ascendInner visits n, a node at level, from ID from (whose bits below
// the node's only count in its first child visited).
func ascendInner(n *trieInner, level int, from uint64, fn func(*Row) bool) bool {
	start := childIndex(from, level)
	for i := start; i < trieFanout; i++ {
		sub := from
		if i != start {
			sub = 0
		}
		if level > 1 {
			if c := n.inner[i]; c != nil && !ascendInner(c, level-1, sub, fn) {
				return false
			}
			continue
		}
		leaf := n.leaves[i]
		if leaf == nil {
			continue
		}
		for _, r := range leaf.rows[sub&trieMask:] {
			if r != nil && !fn(r) {
				return false
			}
		}
	}
	return true
}

// Descend calls fn for every row in descending ID order until fn returns
// false.
func (t *rowTrie) Descend(fn func(*Row) bool) {
	if t.root != nil {
		descendInner(t.root, t.height, fn)
	}
}

func descendInner(n *trieInner, level int, fn func(*Row) bool) bool {
	for i := trieFanout - 1; i >= 0; i-- {
		if level > 1 {
			if c := n.inner[i]; c != nil && !descendInner(c, level-1, fn) {
				return false
			}
			continue
		}
		leaf := n.leaves[i]
		if leaf == nil {
			continue
		}
		for j := trieFanout - 1; j >= 0; j-- {
			if r := leaf.rows[j]; r != nil && !fn(r) {
				return false
			}
		}
	}
	return true
}
