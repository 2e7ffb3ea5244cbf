package storage

import (
	"fmt"
	"math/rand"
	"reflect"
	"slices"
	"testing"
	"testing/quick"

	"github.com/chronos-db/chronos/engine/types"
)

// cmpNullLast orders values of type t with NULL after everything, as the
// index does.
func cmpNullLast(x, y types.Value, t types.T) int {
	switch {
	case x == nil && y == nil:
		return 0
	case x == nil:
		return 1
	case y == nil:
		return -1
	}
	return types.Compare(x, y, t)
}

// prefixCmp compares the row's index columns with a bound's prefix.
func prefixCmp(def *TableDef, ix *Index, row *Row, prefix []types.Value) int {
	for i, v := range prefix {
		c := ix.Columns[i]
		if r := cmpNullLast(row.Values()[c], v, def.Columns[c].Type); r != 0 {
			return r
		}
	}
	return 0
}

// bruteScan is IndexScan done the slow way: filter every row, then sort by
// the index columns and row ID.
func bruteScan(tb *Table, pos int, lo, hi Bound) []uint64 {
	def := tb.Def()
	ix := &def.Indexes[pos]
	var rows []*Row
	tb.Scan(func(r *Row) bool {
		if !lo.Unbounded() {
			c := prefixCmp(def, ix, r, lo.Values)
			if c < 0 || c == 0 && !lo.Inclusive {
				return true
			}
		}
		if !hi.Unbounded() {
			c := prefixCmp(def, ix, r, hi.Values)
			if c > 0 || c == 0 && !hi.Inclusive {
				return true
			}
		}
		rows = append(rows, r)
		return true
	})
	slices.SortStableFunc(rows, func(a, b *Row) int {
		for _, c := range ix.Columns {
			if r := cmpNullLast(a.Values()[c], b.Values()[c], def.Columns[c].Type); r != 0 {
				return r
			}
		}
		return 0 // Scan gave row-ID order; the sort is stable
	})
	ids := make([]uint64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids
}

func randValue(r *rand.Rand, t types.T) types.Value {
	if r.Intn(6) == 0 {
		return nil
	}
	switch t.OID {
	case types.OIDInt8:
		return int64(r.Intn(9) - 4)
	case types.OIDFloat8:
		return float64(r.Intn(7)-3) / 2
	}
	return []string{"", "a", "ab", "b", "b\x00", "é", "A"}[r.Intn(7)]
}

// scanTableDef: t(a bigint, b text, c float8, d bigint) with a composite
// non-unique index on (a, b), a unique index on c (NULLs allowed) and a
// descending-agnostic unique index on (b, d).
func scanTableDef() TableDef {
	return TableDef{Name: "t",
		Columns: []Column{{Name: "a", Type: types.Int8}, {Name: "b", Type: types.Text}, {Name: "c", Type: types.Float8}, {Name: "d", Type: types.Int8}},
		Indexes: []Index{
			{Name: "t_ab", Columns: []int{0, 1}},
			{Name: "t_c", Columns: []int{2}, Unique: true},
			{Name: "t_bd", Columns: []int{1, 3}, Unique: true},
		},
	}
}

// randomTable fills the table with random inserts, updates and deletes
// (some rejected as duplicates) through Apply.
func randomTable(t *testing.T, r *rand.Rand) *Store {
	s := New()
	must(t, s, &CreateTable{Def: scanTableDef()})
	def := scanTableDef()
	row := func() []types.Value {
		v := make([]types.Value, 4)
		for i, c := range def.Columns {
			v[i] = randValue(r, c.Type)
		}
		return v
	}
	for i := 0; i < 150; i++ {
		tb, _ := s.Snapshot().Table("t")
		var op Op
		switch k := r.Intn(10); {
		case k < 6 || tb.Len() == 0:
			op = Op{Kind: OpInsert, Table: "t", Values: row()}
		default:
			var target *Row
			n := r.Intn(tb.Len())
			tb.Scan(func(row *Row) bool {
				target = row
				n--
				return n >= 0
			})
			if k < 9 {
				op = Op{Kind: OpUpdate, Table: "t", RowID: target.ID, Version: target.Version, Values: row()}
			} else {
				op = Op{Kind: OpDelete, Table: "t", RowID: target.ID, Version: target.Version}
			}
		}
		next(s, &Write{Ops: []Op{op}}) // duplicates are rejected: fine
	}
	return s
}

func randBound(r *rand.Rand, def *TableDef, ix *Index) Bound {
	n := r.Intn(len(ix.Columns) + 1)
	b := Bound{Inclusive: r.Intn(2) == 0}
	for i := 0; i < n; i++ {
		b.Values = append(b.Values, randValue(r, def.Columns[ix.Columns[i]].Type))
	}
	return b
}

// TestIndexScanQuick compares IndexScan, IndexScanReverse and Lookup with a
// brute-force filter over random tables and bounds.
func TestIndexScanQuick(t *testing.T) {
	f := func(seed int64) bool {
		r := rand.New(rand.NewSource(seed))
		s := randomTable(t, r)
		tb, _ := s.Snapshot().Table("t")
		def := tb.Def()
		for q := 0; q < 60; q++ {
			pos := r.Intn(len(def.Indexes))
			ix := &def.Indexes[pos]
			lo, hi := randBound(r, def, ix), randBound(r, def, ix)
			want := bruteScan(tb, pos, lo, hi)
			var got []uint64
			tb.IndexScan(pos, lo, hi, func(row *Row) bool { got = append(got, row.ID); return true })
			if len(got) != len(want) || len(got) > 0 && !reflect.DeepEqual(got, want) {
				t.Logf("seed %d index %s lo %v hi %v:\n got %v\nwant %v", seed, ix.Name, lo, hi, got, want)
				return false
			}
			var rev []uint64
			tb.IndexScanReverse(pos, lo, hi, func(row *Row) bool { rev = append(rev, row.ID); return true })
			slices.Reverse(rev)
			if len(rev) != len(want) || len(rev) > 0 && !reflect.DeepEqual(rev, want) {
				t.Logf("seed %d index %s lo %v hi %v reverse:\n got %v\nwant %v", seed, ix.Name, lo, hi, rev, want)
				return false
			}
			// Stopping early yields a prefix.
			var first []uint64
			tb.IndexScan(pos, lo, hi, func(row *Row) bool { first = append(first, row.ID); return len(first) < 2 })
			if len(want) > 0 && !reflect.DeepEqual(first, want[:min(2, len(want))]) {
				t.Logf("early stop: %v vs %v", first, want)
				return false
			}
			// Lookup by a full key: the first row of the equality scan, none
			// with NULLs.
			key := make([]types.Value, len(ix.Columns))
			for i, c := range ix.Columns {
				key[i] = randValue(r, def.Columns[c].Type)
			}
			eq := bruteScan(tb, pos, Bound{Values: key, Inclusive: true}, Bound{Values: key, Inclusive: true})
			row, ok := tb.Lookup(pos, key)
			if slices.Contains(key, nil) {
				eq = nil
			}
			if ok != (len(eq) > 0) || ok && row.ID != eq[0] {
				t.Logf("seed %d Lookup(%s, %v) = %v, %v; brute %v", seed, ix.Name, key, row, ok, eq)
				return false
			}
		}
		// Full scans: row-ID order both ways.
		var fwd, back []uint64
		tb.Scan(func(row *Row) bool { fwd = append(fwd, row.ID); return true })
		tb.ScanReverse(func(row *Row) bool { back = append(back, row.ID); return true })
		slices.Reverse(back)
		if len(fwd) != tb.Len() || !slices.IsSorted(fwd) || !slices.Equal(fwd, back) {
			t.Logf("full scans: %v / %v", fwd, back)
			return false
		}
		// Every index has one entry per row, each naming a stored row whose
		// current values give the entry's key.
		for pos := range def.Indexes {
			if tb.IndexLen(pos) != tb.Len() {
				t.Logf("index %d has %d entries for %d rows", pos, tb.IndexLen(pos), tb.Len())
				return false
			}
			ok := true
			var buf []byte
			tb.indexes[pos].Ascend(func(it indexItem) bool {
				cur, found := tb.Get(it.id)
				if found {
					key, _ := entryKey(&buf, tb.def, &tb.def.Indexes[pos], cur.ID, cur.Values())
					found = key == it.key
				}
				ok = found
				return ok
			})
			if !ok {
				t.Logf("index %d has an entry whose row is gone or has another key", pos)
				return false
			}
		}
		return true
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 60}); err != nil {
		t.Fatal(err)
	}
}

func TestPrefixEnd(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"ab", "ac", true},
		{"a\xff", "b", true},
		{"\xff\xff", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := prefixEnd([]byte(tt.in))
		if ok != tt.ok || string(got) != tt.want {
			t.Errorf("prefixEnd(%q) = %q, %v", tt.in, got, ok)
		}
	}
}

// TestSnapshotIsolation: a snapshot taken before an apply never sees it,
// while the store's next snapshot does.
func TestSnapshotIsolation(t *testing.T) {
	s := newUsers(t)
	old := s.Snapshot()
	oldDump := dump(old)
	must(t, s, &Write{Ops: []Op{
		user(3, "carol", "c@x", nil),
		{Kind: OpUpdate, Table: "users", RowID: 1, Version: 2, Values: vals(1, "ALICE", "a2@x", 1, 1)},
		{Kind: OpDelete, Table: "users", RowID: 2, Version: 2},
	}})
	must(t, s, &CreateIndex{Table: "users", Index: Index{Columns: []int{1}}})
	must(t, s, &AddColumn{Table: "users", Column: Column{Name: "z", Type: types.Text}, Fill: "z"})
	must(t, s, &CreateTable{Def: TableDef{Name: "other"}})
	if got := dump(old); got != oldDump {
		t.Fatalf("old snapshot changed:\n%s\nwas:\n%s", got, oldDump)
	}
	if old.AppliedIndex() != 2 {
		t.Errorf("old applied index %d", old.AppliedIndex())
	}
	if r, ok := lookup(t, old, "users", "users_email_key", "a@x"); !ok || r.Values()[1] != "alice" {
		t.Errorf("old snapshot lookup: %+v", r)
	}
	wantRows(t, s.Snapshot(), "users", `("1", "ALICE", "a2@x", "1", "1", "z")`, `("3", "carol", "c@x", NULL, "3", "z")`)
}

// TestSnapshotConcurrentReads runs readers over snapshots while Apply goes
// on (meaningful under -race).
func TestSnapshotConcurrentReads(t *testing.T) {
	s := newUsers(t)
	done := make(chan struct{})
	errs := make(chan error, 1)
	go func() {
		defer close(errs)
		for {
			select {
			case <-done:
				return
			default:
			}
			snap := s.Snapshot()
			tb, _ := snap.Table("users")
			n := 0
			tb.Scan(func(*Row) bool { n++; return true })
			m := 0
			tb.IndexScan(0, Bound{}, Bound{}, func(*Row) bool { m++; return true })
			if n != tb.Len() || m != n {
				errs <- fmt.Errorf("snapshot at %d: scan %d, index %d, len %d", snap.AppliedIndex(), n, m, tb.Len())
				return
			}
		}
	}()
	for i := 3; i < 300; i++ {
		must(t, s, &Write{Ops: []Op{user(int64(i), "u", nil, nil)}})
	}
	close(done)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
}

// TestLessIndexItemOrdersByKey checks that comparing items by their
// prefixes first orders them exactly as their keys: keys of every length
// around the 8-byte prefix, with zero bytes where padding could confuse it,
// half of them pairs sharing their start.
func TestLessIndexItemOrdersByKey(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	key := func() string {
		b := make([]byte, r.Intn(12))
		for i := range b {
			b[i] = []byte{0, 0, 1, 0x7f, 0x80, 0xff, byte(r.Intn(256))}[r.Intn(7)]
		}
		return string(b)
	}
	for i := range 200000 {
		a, b := key(), key()
		if i%2 == 0 {
			// Keys sharing their start, so that the prefixes often tie.
			b = a[:r.Intn(len(a)+1)] + b
		}
		if got, want := lessIndexItem(newIndexItem(a, 0), newIndexItem(b, 0)), a < b; got != want {
			t.Fatalf("lessIndexItem(%q, %q) = %v, want %v", a, b, got, want)
		}
	}
}
