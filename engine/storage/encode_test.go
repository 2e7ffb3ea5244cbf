package storage

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/chronos-db/chronos/engine/types"
)

func allCommands() []Command {
	rows := allTypesRows()
	return []Command{
		&Noop{},
		&Write{
			Ops: []Op{
				{Kind: OpInsert, Table: "all types", Values: rows[0], SerialColumns: []int{0}, TableOID: 16387, SchemaVersion: 3},
				{Kind: OpInsert, Table: "all types", Values: rows[1]},
				{Kind: OpUpdate, Table: "t", RowID: 7, Version: 99, Values: rows[3]},
				{Kind: OpDelete, Table: "t", RowID: 1 << 60, Version: 1},
				{Kind: OpIncrement, Table: "t", RowID: 2, Deltas: []Delta{{Column: 1, Add: int64(-1)}, {Column: 6, Add: dec("0.25")}, {Column: 5, Add: 1.5}}},
				{Kind: OpInsert, Table: "z", Values: []types.Value{}},
			},
			Reads: []Read{{Table: "t", RowID: 3, Version: 4}},
		},
		&Write{Ops: []Op{{Kind: OpInsert, Table: "n", Values: rows[2]}}},
		&CreateTable{Def: allTypesDef(), IfNotExists: true},
		&CreateTable{Def: usersDef()},
		&CreateTable{Def: TableDef{Name: "empty"}},
		&DropTable{Names: []string{"a", "b"}, IfExists: true},
		&CreateIndex{Table: "t", Index: Index{Name: "i", Columns: []int{2, 0}, Unique: true, Constraint: true}, IfNotExists: true},
		&DropIndex{Names: []string{"i"}},
		&AddColumn{Table: "t", Column: Column{Name: "c", Type: types.NumericType(5, 2), NotNull: true, Default: "1.50"}, Fill: dec("1.50"),
			Indexes: []Index{{Columns: []int{3}, Unique: true}}},
		&AddColumn{Table: "t", Column: Column{Name: "s", Type: types.Int8, Serial: true}, IfNotExists: true},
		&DropColumn{Table: "t", Column: "c", IfExists: true},
		&AddPrimaryKey{Table: "t", Name: "pk", Columns: []int{0, 1}},
		&Truncate{Names: []string{"t", "u"}, RestartIdentity: true},
		&CreateView{Def: ViewDef{Name: "v", Query: "SELECT 1", Columns: []string{"?column?"}, DependsOn: []string{"t"}}, OrReplace: true},
		&DropView{Names: []string{"v"}, IfExists: true},
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	for _, cmd := range allCommands() {
		data, err := EncodeCommand(cmd)
		if err != nil {
			t.Fatalf("encode %T: %v", cmd, err)
		}
		got, err := DecodeCommand(data)
		if err != nil {
			t.Fatalf("decode %T: %v", cmd, err)
		}
		if diff := cmp.Diff(cmd, got, valueCmp); diff != "" {
			t.Errorf("%T round trip (-want +got):\n%s", cmd, diff)
		}
		again, err := EncodeCommand(got)
		if err != nil || string(again) != string(data) {
			t.Errorf("%T: re-encoding differs (%v)", cmd, err)
		}
	}
}

func TestEncodeRejects(t *testing.T) {
	if _, err := EncodeCommand(&Write{Ops: []Op{{Kind: OpInsert, Values: []types.Value{struct{}{}}}}}); err == nil {
		t.Error("encoded a value of an unknown Go type")
	}
	if _, err := EncodeCommand(nil); err == nil {
		t.Error("encoded a nil command")
	}
	for _, data := range [][]byte{{0xff}, {}, {0x12, 0x02, 0x0a, 0x05}} {
		if _, err := DecodeCommand(data); !errors.Is(err, ErrBadCommand) {
			t.Errorf("DecodeCommand(%x) = %v, want ErrBadCommand", data, err)
		}
	}
}

// TestApplyEncoded: a store fed encoded entries reaches the same state as
// one fed the commands.
func TestApplyEncoded(t *testing.T) {
	s := New()
	for _, cmd := range buildCommands() {
		data, err := EncodeCommand(cmd)
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.ApplyEncoded(s.AppliedIndex()+1, data)
		if err != nil || res.Err != nil {
			t.Fatalf("%T: %v %v", cmd, err, res.Err)
		}
	}
	sameState(t, buildStore(t).Snapshot(), s.Snapshot())
	if _, err := s.ApplyEncoded(s.AppliedIndex()+1, []byte{0xff}); !errors.Is(err, ErrBadCommand) {
		t.Errorf("ApplyEncoded of garbage: %v", err)
	}
}

// FuzzDecodeCommand: decoding never panics, and what decodes re-encodes to
// something that decodes to the same command.
func FuzzDecodeCommand(f *testing.F) {
	for _, cmd := range allCommands() {
		data, err := EncodeCommand(cmd)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cmd, err := DecodeCommand(data)
		if err != nil {
			return
		}
		again, err := EncodeCommand(cmd)
		if err != nil {
			t.Fatalf("decoded %T does not encode: %v", cmd, err)
		}
		back, err := DecodeCommand(again)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(cmd, back, valueCmp); diff != "" {
			t.Fatalf("unstable: %s", diff)
		}
		// Applying a decoded command must not panic either.
		s := buildStore(t)
		s.Apply(s.AppliedIndex()+1, cmd)
	})
}
