package storage

import (
	"maps"
	"math/rand"
	"slices"
	"testing"
)

// trieModel checks a rowTrie against a map holding the same rows.
type trieModel struct {
	trie *rowTrie
	rows map[uint64]*Row
}

func newTrieModel() *trieModel { return &trieModel{trie: new(rowTrie), rows: map[uint64]*Row{}} }

func (m *trieModel) clone() *trieModel {
	c := &trieModel{trie: m.trie.Clone(), rows: make(map[uint64]*Row, len(m.rows))}
	for id, r := range m.rows {
		c.rows[id] = r
	}
	return c
}

func (m *trieModel) put(t *testing.T, id uint64, version uint64) {
	t.Helper()
	r := &Row{ID: id, Version: version}
	if got, want := m.trie.Put(r), m.rows[id]; got != want {
		t.Fatalf("Put(%d) replaced %v, want %v", id, got, want)
	}
	m.rows[id] = r
}

func (m *trieModel) delete(t *testing.T, id uint64) {
	t.Helper()
	if got, want := m.trie.Delete(id), m.rows[id]; got != want {
		t.Fatalf("Delete(%d) returned %v, want %v", id, got, want)
	}
	delete(m.rows, id)
}

// check compares every read of the trie with the model's.
func (m *trieModel) check(t *testing.T, probes []uint64) {
	t.Helper()
	if m.trie.Len() != len(m.rows) {
		t.Fatalf("Len() = %d, want %d", m.trie.Len(), len(m.rows))
	}
	ids := make([]uint64, 0, len(m.rows))
	for id := range m.rows {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var asc, desc []uint64
	m.trie.Ascend(0, func(r *Row) bool { asc = append(asc, r.ID); return true })
	m.trie.Descend(func(r *Row) bool { desc = append(desc, r.ID); return true })
	if !slices.Equal(asc, ids) {
		t.Fatalf("Ascend(0) = %v, want %v", asc, ids)
	}
	slices.Reverse(desc)
	if !slices.Equal(desc, ids) {
		t.Fatalf("Descend reversed = %v, want %v", desc, ids)
	}
	for _, id := range probes {
		if got, want := m.trie.Get(id), m.rows[id]; got != want {
			t.Fatalf("Get(%d) = %v, want %v", id, got, want)
		}
		var from []uint64
		m.trie.Ascend(id, func(r *Row) bool { from = append(from, r.ID); return len(from) < 3 })
		i, _ := slices.BinarySearch(ids, id)
		want := ids[i:min(len(ids), i+3)]
		if !slices.Equal(from, want) {
			t.Fatalf("Ascend(%d) stopped after 3 = %v, want %v", id, from, want)
		}
	}
}

func TestRowTrie(t *testing.T) {
	tests := []struct {
		name string
		ids  func(r *rand.Rand) uint64
	}{
		{"dense", func(r *rand.Rand) uint64 { return uint64(r.Intn(3000)) }},
		{"sparse", func(r *rand.Rand) uint64 { return r.Uint64() >> uint(r.Intn(64)) }},
		{"edges", func(r *rand.Rand) uint64 {
			return []uint64{0, 1, 31, 32, 33, 1023, 1024, 1<<35 - 1, 1 << 35, 1<<64 - 1}[r.Intn(10)]
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewSource(1))
			m := newTrieModel()
			var probes []uint64
			var snapshots []*trieModel
			for step := 0; step < 4000; step++ {
				id := tc.ids(r)
				probes = append(probes, id, id+1, id-1)
				if r.Intn(3) == 0 {
					m.delete(t, id)
				} else {
					m.put(t, id, uint64(step))
				}
				if step%200 == 0 {
					// A clone is a snapshot: later changes to m leave it
					// alone, and changes to the clone leave m alone.
					snapshots = append(snapshots, m.clone())
					recent := probes[max(0, len(probes)-30):]
					m.check(t, recent)
					c := m.clone()
					c.put(t, tc.ids(r), 1)
					c.delete(t, id)
					c.check(t, recent)
				}
			}
			for _, id := range slices.Collect(maps.Keys(m.rows)) {
				m.delete(t, id)
			}
			m.check(t, probes[:100])
			if m.trie.root != nil {
				t.Fatal("an emptied trie keeps nodes")
			}
			for _, s := range snapshots {
				s.check(t, probes[:100])
			}
		})
	}
}

// TestRowTrieDense checks that sequential IDs fill the leaves: the trie's
// reason to exist.
func TestRowTrieDense(t *testing.T) {
	var tr rowTrie
	const n = 100000
	for id := uint64(1); id <= n; id++ {
		tr.Put(&Row{ID: id})
	}
	leaves := 0
	var count func(n *trieInner, level int)
	count = func(n *trieInner, level int) {
		for i := range trieFanout {
			if level > 1 {
				if c := n.inner[i]; c != nil {
					count(c, level-1)
				}
			} else if n.leaves[i] != nil {
				leaves++
			}
		}
	}
	count(tr.root, tr.height)
	if want := n/trieFanout + 1; leaves != want {
		t.Fatalf("%d sequential rows fill %d leaves, want %d", n, leaves, want)
	}
}
