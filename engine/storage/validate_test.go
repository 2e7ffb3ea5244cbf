package storage

import (
	"testing"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
)

// TestTableRead checks that a table read rejects a Write after any insert,
// update, increment or delete of the table since the snapshot, and accepts
// it otherwise.
func TestTableRead(t *testing.T) {
	tests := []struct {
		name   string
		change Command // applied after the snapshot; nil for none
		want   sqlerr.Code
	}{
		{"unchanged", nil, ""},
		{"insert", &Write{Ops: []Op{user(3, "carol", nil, nil)}}, sqlerr.SerializationFailure},
		{"update", &Write{Ops: []Op{{Kind: OpUpdate, Table: "users", RowID: 2, Version: 2, Values: []types.Value{int64(2), "bob", nil, nil, int64(2)}}}}, sqlerr.SerializationFailure},
		{"increment", &Write{Ops: []Op{{Kind: OpIncrement, Table: "users", RowID: 1, Deltas: []Delta{{Column: 3, Add: int64(1)}}}}}, sqlerr.SerializationFailure},
		{"delete", &Write{Ops: []Op{{Kind: OpDelete, Table: "users", RowID: 2, Version: 2}}}, sqlerr.SerializationFailure},
		{"other table", &CreateTable{Def: TableDef{Name: "other", Columns: []Column{{Name: "a", Type: types.Int8}}}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newUsers(t)
			snap := s.Snapshot()
			tb, _ := snap.Table("users")
			read := Read{Table: "users", Version: snap.AppliedIndex(), Rows: uint64(tb.Len())}
			if tc.change != nil {
				must(t, s, tc.change)
			}
			res := next(s, &Write{Ops: []Op{user(9, "zed", nil, nil)}, Reads: []Read{read}})
			if got := code(res.Err); got != tc.want {
				t.Fatalf("commit after %s: got %q, want %q", tc.name, got, tc.want)
			}
			after, _ := s.Snapshot().Table("users")
			_, inserted := after.Lookup(0, []types.Value{int64(9)})
			if inserted != (tc.want == "") {
				t.Fatalf("row 9 inserted = %v, want %v", inserted, tc.want == "")
			}
		})
	}
}

// TestOverlay checks that an overlay shows a transaction's own writes
// without changing the snapshot under it, and that ops of a later step on
// rows written by an earlier one pass the version checks.
func TestOverlay(t *testing.T) {
	s := newUsers(t)
	base := s.Snapshot()
	o1, res := base.Overlay(1, &Write{Ops: []Op{user(3, "carol", nil, nil)}})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	row := res.Rows[0]
	if row.Version != OverlayBase+1 {
		t.Fatalf("overlay row version %d", row.Version)
	}
	o2, res := o1.Overlay(2, &Write{Ops: []Op{{Kind: OpUpdate, Table: "users", RowID: row.ID, Version: row.Version,
		Values: []types.Value{int64(3), "carol2", nil, nil, row.Values()[4]}}}})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if o2.AppliedIndex() != base.AppliedIndex() {
		t.Fatalf("overlay applied index %d, want %d", o2.AppliedIndex(), base.AppliedIndex())
	}
	t2, _ := o2.Table("users")
	if got, ok := t2.Get(row.ID); !ok || got.Values()[1] != "carol2" {
		t.Fatalf("overlay row = %v, %v", got, ok)
	}
	if tb, _ := base.Table("users"); tb.Len() != 2 {
		t.Fatalf("base changed: %d rows", tb.Len())
	}
	if tb, _ := s.Snapshot().Table("users"); tb.Len() != 2 {
		t.Fatalf("store changed: %d rows", tb.Len())
	}
	if _, res := o2.Overlay(3, &Write{Ops: []Op{user(3, "dup", nil, nil)}}); code(res.Err) != sqlerr.UniqueViolation {
		t.Fatalf("duplicate in overlay: %v", res.Err)
	}
}

// TestProvisionalSerial checks an insert carrying the serial values its
// transaction showed: accepted when the sequence gives the same values,
// rejected with 40001 when it does not.
func TestProvisionalSerial(t *testing.T) {
	s := newUsers(t) // the sequence of n is at 2
	op := user(3, "carol", nil, nil)
	op.Values[4], op.Version = int64(4), 1
	if res := next(s, &Write{Ops: []Op{op}}); code(res.Err) != sqlerr.SerializationFailure {
		t.Fatalf("stale provisional serial: %v", res.Err)
	}
	op = user(3, "carol", nil, nil)
	op.Values[4], op.Version = int64(3), 1
	res := must(t, s, &Write{Ops: []Op{op}})
	if got := res.Rows[0].Values()[4]; got != int64(3) {
		t.Fatalf("serial %v, want 3", got)
	}
}
