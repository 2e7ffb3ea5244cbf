package storage

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/apd/v3"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/chronos-db/chronos/engine/types"
	pb "github.com/chronos-db/chronos/proto/commandpb"
)

// protoEncode is EncodeCommand's generic path, the reference for the fast
// Write encoder.
func protoEncode(cmd Command) ([]byte, error) {
	m, err := commandToProto(cmd)
	if err != nil {
		return nil, err
	}
	return proto.MarshalOptions{Deterministic: true}.Marshal(m)
}

// protoDecode is DecodeCommand's generic path, the reference for the fast
// Write decoder.
func protoDecode(data []byte) (Command, error) {
	var m pb.Command
	if err := proto.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	return commandFromProto(&m)
}

// exactCmp compares decoded commands strictly: nil and empty slices differ,
// floats by their bits (NaN, -0), times by ==, which includes the location.
var exactCmp = cmp.Options{
	cmp.Comparer(func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }),
	cmp.Comparer(func(a, b *apd.Decimal) bool { return a.String() == b.String() }),
	cmp.Comparer(func(a, b time.Time) bool { return a == b }),
}

// writeCases are Write commands covering every value kind and op kind.
func writeCases() []struct {
	name string
	w    *Write
} {
	rows := allTypesRows()
	long := strings.Repeat("x", 300)
	return []struct {
		name string
		w    *Write
	}{
		{"empty", &Write{}},
		{"empty ops slice", &Write{Ops: []Op{}}},
		{"null", &Write{Ops: []Op{{Kind: OpInsert, Table: "t", Values: []types.Value{nil}}}}},
		{"ints", &Write{Ops: []Op{{Kind: OpInsert, Table: "t", Values: []types.Value{
			int64(0), int64(1), int64(-1), int64(63), int64(-64), int64(64), int64(255), int64(256),
			int64(math.MaxInt64), int64(math.MinInt64), int64(math.MaxInt32), int64(math.MinInt16)}}}}},
		{"floats", &Write{Ops: []Op{{Kind: OpInsert, Table: "t", Values: []types.Value{
			0.0, math.Copysign(0, -1), math.NaN(), math.Float64frombits(0x7ff8000000000001), math.Inf(1), math.Inf(-1),
			1.5, -3.25e30, math.SmallestNonzeroFloat64, math.MaxFloat64}}}}},
		{"numerics", &Write{Ops: []Op{{Kind: OpInsert, Table: "t", Values: []types.Value{
			dec("0"), dec("-0"), dec("0.000"), dec("12.345"), dec("1e-20"), dec("NaN"), dec("Infinity"), dec("-Infinity"),
			dec("-0.500"), dec("123456789012345678901234567890.123456789"), dec("1" + strings.Repeat("0", 200))}}}}},
		{"texts", &Write{Ops: []Op{{Kind: OpInsert, Table: "t", Values: []types.Value{
			"", "a", "日本語 😀", "a,\"b\"\nc\r\nd", "\x00", long, strings.Repeat("é", 100)}}}}},
		{"bytea", &Write{Ops: []Op{{Kind: OpInsert, Table: "t", Values: []types.Value{
			[]byte{}, []byte{0, 1, 2, 0xff}, []byte(long), []byte{0xc3}}}}}},
		{"bools", &Write{Ops: []Op{{Kind: OpInsert, Table: "t", Values: []types.Value{true, false}}}}},
		{"times", &Write{Ops: []Op{{Kind: OpInsert, Table: "t", Values: []types.Value{
			ts("2024-02-29 00:00:00"), ts("2024-01-02 03:04:05.123456"), ts("1970-01-01 00:00:00"),
			ts("0001-01-01 00:00:00"), ts("1969-12-31 23:59:59.999999"), types.InfinityTime, types.NegInfinityTime}}}}},
		{"all types rows", &Write{Ops: []Op{
			{Kind: OpInsert, Table: "all types", Values: rows[0], SerialColumns: []int{0}, TableOID: 16387, SchemaVersion: 3},
			{Kind: OpInsert, Table: "all types", Values: rows[1]},
			{Kind: OpInsert, Table: "all types", Values: rows[2]},
			{Kind: OpUpdate, Table: "all types", RowID: 9, Version: 12, Values: rows[3]},
			{Kind: OpInsert, Table: "all types", Values: rows[4], Version: 1},
		}}},
		{"op kinds", &Write{Ops: []Op{
			{Kind: OpInsert, Table: "t", Values: []types.Value{int64(1)}, SerialColumns: []int{0, 2, 200, 70000}},
			{Kind: OpInsert, Table: "t", Values: []types.Value{}},
			{Kind: OpUpdate, Table: "t", RowID: 7, Version: 99, Values: []types.Value{"x"}, TableOID: math.MaxUint32, SchemaVersion: math.MaxUint64},
			{Kind: OpUpdate, Table: "u", RowID: 1, Values: []types.Value{}},
			{Kind: OpDelete, Table: "t", RowID: 1 << 60, Version: 1},
			{Kind: OpDelete, Table: "t", RowID: math.MaxUint64, Version: math.MaxUint64, TableOID: 1},
			{Kind: OpIncrement, Table: "t", RowID: 2, Deltas: []Delta{
				{Column: 0, Add: int64(-1)}, {Column: 6, Add: dec("0.25")}, {Column: 5, Add: 1.5}, {Column: 300, Add: nil}}},
		}}},
		{"reads", &Write{
			Ops: []Op{{Kind: OpDelete, Table: "t", RowID: 3, Version: 4}},
			Reads: []Read{{Table: "t", RowID: 3, Version: 4}, {Table: "u", Version: 10, Rows: 1000},
				{}, {Table: "日本", RowID: math.MaxUint64, Version: math.MaxUint64, Rows: math.MaxUint64}},
		}},
		{"reads only", &Write{Reads: []Read{{Table: "t", Version: 1}}}},
		{"empty table name and zero kind fields", &Write{Ops: []Op{{Kind: OpDelete}}}},
		{"large row", &Write{Ops: []Op{{Kind: OpInsert, Table: "wide", Values: []types.Value{
			strings.Repeat("y", 20000), []byte(strings.Repeat("z", 70000)), int64(5)}}}}},
		{"many ops", manyOps(200)},
		{"pgbench", benchWrite()},
	}
}

func manyOps(n int) *Write {
	w := &Write{}
	for i := range n {
		w.Ops = append(w.Ops, Op{Kind: OpInsert, Table: "t", Values: []types.Value{int64(i), strings.Repeat("v", i)}})
	}
	return w
}

// benchWrite is a single-row insert of (BIGINT, 100-byte TEXT), what a
// pgbench-like INSERT proposes.
func benchWrite() *Write {
	return &Write{Ops: []Op{{
		Kind:          OpInsert,
		Table:         "pgbench_history",
		Values:        []types.Value{int64(123456789), strings.Repeat("p", 100)},
		TableOID:      16390,
		SchemaVersion: 1,
	}}}
}

// TestWriteCodecMatchesProto: the fast encoder writes the generic path's
// bytes, and the fast decoder returns the generic path's command.
func TestWriteCodecMatchesProto(t *testing.T) {
	for _, tc := range writeCases() {
		t.Run(tc.name, func(t *testing.T) {
			want, err := protoEncode(tc.w)
			if err != nil {
				t.Fatal(err)
			}
			got, err := EncodeCommand(tc.w)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("encoding differs:\n got %x\nwant %x", got, want)
			}
			if len(got) != cap(got) {
				t.Errorf("buffer not sized exactly: len %d cap %d", len(got), cap(got))
			}
			wantCmd, err := protoDecode(want)
			if err != nil {
				t.Fatal(err)
			}
			w, ok, err := decodeWriteCommand(got)
			if !ok || err != nil {
				t.Fatalf("fast decoder: ok %v, %v", ok, err)
			}
			if diff := cmp.Diff(wantCmd, Command(w), exactCmp); diff != "" {
				t.Fatalf("decoded differently (-proto +fast):\n%s", diff)
			}
			viaAPI, err := DecodeCommand(got)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wantCmd, viaAPI, exactCmp); diff != "" {
				t.Fatalf("DecodeCommand differs (-proto +fast):\n%s", diff)
			}
		})
	}
}

// TestWriteEncodeErrors: what the generic path refuses to encode, the fast
// one refuses too.
func TestWriteEncodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		w    *Write
	}{
		{"unknown Go type", &Write{Ops: []Op{{Kind: OpInsert, Table: "t", Values: []types.Value{int32(1)}}}}},
		{"unknown Go type in delta", &Write{Ops: []Op{{Kind: OpIncrement, Table: "t", Deltas: []Delta{{Add: uint64(1)}}}}}},
		{"invalid UTF-8 text", &Write{Ops: []Op{{Kind: OpInsert, Table: "t", Values: []types.Value{"a\xffb"}}}}},
		{"invalid UTF-8 delta text", &Write{Ops: []Op{{Kind: OpIncrement, Table: "t", Deltas: []Delta{{Add: "\xc3"}}}}}},
		{"invalid UTF-8 table", &Write{Ops: []Op{{Kind: OpDelete, Table: "\xff", RowID: 1}}}},
		{"invalid UTF-8 read table", &Write{Reads: []Read{{Table: "t\xfe"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := protoEncode(tc.w); err == nil {
				t.Fatal("the proto path encoded it: the case tests nothing")
			}
			if data, err := EncodeCommand(tc.w); err == nil {
				t.Fatalf("fast path encoded it: %x", data)
			}
		})
	}
}

// wire builds protobuf bytes by hand for the decoder cases.
type wire []byte

func (w wire) varint(num protowire.Number, v uint64) wire {
	return protowire.AppendVarint(protowire.AppendTag(w, num, protowire.VarintType), v)
}

func (w wire) fixed64(num protowire.Number, v uint64) wire {
	return protowire.AppendFixed64(protowire.AppendTag(w, num, protowire.Fixed64Type), v)
}

func (w wire) fixed32(num protowire.Number, v uint32) wire {
	return protowire.AppendFixed32(protowire.AppendTag(w, num, protowire.Fixed32Type), v)
}

func (w wire) bytes(num protowire.Number, v []byte) wire {
	return protowire.AppendBytes(protowire.AppendTag(w, num, protowire.BytesType), v)
}

func (w wire) raw(b ...byte) wire { return append(w, b...) }

// cmdWrite wraps Write message bytes in a Command.
func cmdWrite(parts ...wire) []byte {
	var out wire
	for _, p := range parts {
		out = out.bytes(fieldCommandWrite, p)
	}
	return out
}

func opMsg(fields wire) wire { return wire{}.bytes(fieldWriteOps, fields) }

func insertOf(values ...wire) wire {
	op := wire{}.varint(fieldOpKind, 1).bytes(fieldOpTable, []byte("t"))
	for _, v := range values {
		op = op.bytes(fieldOpValues, v)
	}
	return opMsg(op)
}

// decodeCases are hand-made entries probing the corners of protobuf
// decoding; wantErr is what both decoders must say.
func decodeCases() []struct {
	name    string
	data    []byte
	wantErr bool
} {
	insert := wire{}.varint(fieldOpKind, 1).bytes(fieldOpTable, []byte("t"))
	group := wire{}.raw(0x9b, 0x01).varint(1, 5).raw(0x9c, 0x01) // field 19 as a group holding a varint
	return []struct {
		name    string
		data    []byte
		wantErr bool
	}{
		{"empty write", cmdWrite(wire{}), false},
		{"two write fields merge", cmdWrite(insertOf(), wire{}.bytes(fieldWriteReads, wire{}.varint(fieldReadRowID, 3)), insertOf()), false},
		{"write then noop", append(cmdWrite(insertOf()), noopCommand...), false},
		{"noop then write", append(append([]byte{}, noopCommand...), cmdWrite(insertOf())...), false},
		{"unknown top-level field", append(cmdWrite(insertOf()), wire{}.varint(99, 1)...), false},
		{"write field as varint", wire{}.varint(fieldCommandWrite, 1), true},
		{"unknown fields everywhere", cmdWrite(wire{}.varint(50, 1).fixed32(51, 2).fixed64(52, 3).bytes(53, []byte("x")).raw(group...).
			bytes(fieldWriteOps, insert.varint(60, 1).raw(group...).bytes(fieldOpValues, wire{}.fixed32(9, 1).varint(fieldValueInt, 4).bytes(10, nil)).
				bytes(fieldOpDeltas, wire{}.varint(3, 3)))), false},
		{"wrong wire types are unknown fields", cmdWrite(wire{}.varint(fieldWriteOps, 1).fixed64(fieldWriteReads, 2).
			bytes(fieldWriteOps, insert.bytes(fieldOpKind, []byte{2}).fixed32(fieldOpRowID, 1).varint(fieldOpTable, 7).
				varint(fieldOpValues, 1).fixed64(fieldOpDeltas, 1).fixed32(fieldOpSerialColumns, 1).
				bytes(fieldOpValues, wire{}.varint(fieldValueFloatBits, 1).bytes(fieldValueInt, []byte{1}).fixed64(fieldValueText, 1).
					varint(fieldValueBytes, 3).fixed32(fieldValueBool, 1)))), false},
		{"last singular field wins", cmdWrite(opMsg(wire{}.varint(fieldOpKind, 9).bytes(fieldOpTable, []byte("a")).varint(fieldOpRowID, 1).
			varint(fieldOpKind, 3).bytes(fieldOpTable, []byte("b")).varint(fieldOpRowID, 2).varint(fieldOpTableOID, 1).varint(fieldOpTableOID, 0))), false},
		{"kind 0", cmdWrite(opMsg(wire{}.bytes(fieldOpTable, []byte("t")))), true},
		{"kind 5", cmdWrite(opMsg(wire{}.varint(fieldOpKind, 5))), true},
		{"kind 257 wraps to insert", cmdWrite(opMsg(wire{}.varint(fieldOpKind, 257))), false},
		{"kind negative", cmdWrite(opMsg(wire{}.varint(fieldOpKind, math.MaxUint64))), true},
		{"kind 2^32+2", cmdWrite(opMsg(wire{}.varint(fieldOpKind, 1<<32+2))), false},
		{"delete with values", cmdWrite(opMsg(wire{}.varint(fieldOpKind, 3).bytes(fieldOpValues, nil))), false},
		{"increment without deltas", cmdWrite(opMsg(wire{}.varint(fieldOpKind, 4))), false},
		{"table oid and columns truncate to uint32", cmdWrite(opMsg(insert.varint(fieldOpTableOID, 1<<40+5).varint(fieldOpSerialColumns, 1<<33+1).
			bytes(fieldOpDeltas, wire{}.varint(fieldDeltaColumn, 1<<32+7)))), false},
		{"serial columns packed and unpacked", cmdWrite(opMsg(insert.varint(fieldOpSerialColumns, 4).
			bytes(fieldOpSerialColumns, protowire.AppendVarint([]byte{1, 2}, 300)).varint(fieldOpSerialColumns, 5))), false},
		{"empty packed serial columns", cmdWrite(opMsg(insert.bytes(fieldOpSerialColumns, nil))), false},
		{"truncated packed serial column", cmdWrite(opMsg(insert.bytes(fieldOpSerialColumns, []byte{1, 0x80}))), true},
		{"value oneof last wins", cmdWrite(insertOf(wire{}.bytes(fieldValueNumeric, []byte("junk")).varint(fieldValueInt, 6))), false},
		{"bad numeric", cmdWrite(insertOf(wire{}.bytes(fieldValueNumeric, []byte("junk")))), true},
		{"bad numeric overwritten by null", cmdWrite(insertOf(wire{}.bytes(fieldValueNumeric, []byte("1x")).varint(fieldValueNull, 0))), false},
		{"empty value is null", cmdWrite(insertOf(wire{})), false},
		{"null false is null", cmdWrite(insertOf(wire{}.varint(fieldValueNull, 0))), false},
		{"bool 2 is true", cmdWrite(insertOf(wire{}.varint(fieldValueBool, 2))), false},
		{"empty bytes", cmdWrite(insertOf(wire{}.bytes(fieldValueBytes, nil))), false},
		{"invalid UTF-8 text", cmdWrite(insertOf(wire{}.bytes(fieldValueText, []byte{0xff}))), true},
		{"invalid UTF-8 text overwritten", cmdWrite(insertOf(wire{}.bytes(fieldValueText, []byte{0xff}).varint(fieldValueInt, 1))), true},
		{"invalid UTF-8 numeric", cmdWrite(insertOf(wire{}.bytes(fieldValueNumeric, []byte{'1', 0xff}))), true},
		{"invalid UTF-8 bytes are fine", cmdWrite(insertOf(wire{}.bytes(fieldValueBytes, []byte{0xff}))), false},
		{"invalid UTF-8 table", cmdWrite(opMsg(wire{}.varint(fieldOpKind, 3).bytes(fieldOpTable, []byte{0xc3}))), true},
		{"invalid UTF-8 table overwritten", cmdWrite(opMsg(wire{}.varint(fieldOpKind, 3).bytes(fieldOpTable, []byte{0xc3}).bytes(fieldOpTable, nil))), true},
		{"invalid UTF-8 read table", cmdWrite(wire{}.bytes(fieldWriteReads, wire{}.bytes(fieldReadTable, []byte{0xe2, 0x82}))), true},
		{"delta add merged", cmdWrite(opMsg(wire{}.varint(fieldOpKind, 4).bytes(fieldOpDeltas, wire{}.varint(fieldDeltaColumn, 2).
			bytes(fieldDeltaAdd, wire{}.varint(fieldValueInt, 2)).bytes(fieldDeltaAdd, wire{}).varint(fieldDeltaColumn, 3)))), false},
		{"delta add replaced", cmdWrite(opMsg(wire{}.varint(fieldOpKind, 4).bytes(fieldOpDeltas, wire{}.
			bytes(fieldDeltaAdd, wire{}.varint(fieldValueInt, 2)).bytes(fieldDeltaAdd, wire{}.fixed64(fieldValueFloatBits, 7))))), false},
		{"delta bad numeric merged away", cmdWrite(opMsg(wire{}.varint(fieldOpKind, 4).bytes(fieldOpDeltas, wire{}.
			bytes(fieldDeltaAdd, wire{}.bytes(fieldValueNumeric, []byte("?"))).bytes(fieldDeltaAdd, wire{}.varint(fieldValueBool, 1))))), false},
		{"delta without add", cmdWrite(opMsg(wire{}.varint(fieldOpKind, 4).bytes(fieldOpDeltas, wire{}.varint(fieldDeltaColumn, 1)))), false},
		{"read fields", cmdWrite(wire{}.bytes(fieldWriteReads, wire{}.varint(fieldReadRows, 5).varint(fieldReadRowID, 1).varint(fieldReadRowID, 2).
			bytes(fieldReadTable, []byte("x")).varint(fieldReadVersion, 9))), false},
		{"ten-byte varint", cmdWrite(opMsg(insert.raw(byte(fieldOpRowID<<3), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01))), false},
		{"overlong varint", cmdWrite(opMsg(insert.raw(byte(fieldOpRowID<<3), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02))), true},
		{"eleven-byte varint", cmdWrite(opMsg(insert.raw(byte(fieldOpRowID<<3), 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00))), true},
		{"non-minimal varint", cmdWrite(opMsg(insert.raw(byte(fieldOpRowID<<3), 0x81, 0x80, 0x00))), false},
		{"field number 0", cmdWrite(opMsg(insert.raw(0x00, 0x00))), true},
		{"field number too large", cmdWrite(wire{}.raw(0xf8, 0xff, 0xff, 0xff, 0x1f, 0x00)), true},
		{"field number max", cmdWrite(wire{}.raw(0xf8, 0xff, 0xff, 0xff, 0x0f, 0x00)), false},
		{"reserved wire type", cmdWrite(opMsg(insert.raw(byte(15<<3|6), 0x00))), true},
		{"end group at top", cmdWrite(opMsg(insert.raw(byte(15<<3 | 4)))), true},
		{"unterminated group", cmdWrite(opMsg(insert.raw(byte(15<<3|3)).varint(1, 1))), true},
		{"mismatched group end", cmdWrite(opMsg(insert.raw(byte(15<<3|3), byte(14<<3|4)))), true},
		{"group with huge inner field number", cmdWrite(opMsg(insert.raw(byte(15<<3|3), 0xf8, 0xff, 0xff, 0xff, 0x1f, 0x00, byte(15<<3|4)))), false},
		{"group with field number 0 inside", cmdWrite(opMsg(insert.raw(byte(15<<3|3), 0x00, 0x00, byte(15<<3|4)))), true},
		{"huge length prefix", cmdWrite(opMsg(insert.raw(byte(fieldOpValues<<3|2), 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2))), true},
		{"huge top-level length prefix", wire{}.raw(0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), true},
		{"truncated fixed64", cmdWrite(insertOf(wire{}.raw(byte(fieldValueFloatBits<<3|1), 1, 2, 3))), true},
		{"truncated write", wire{}.raw(0x12, 0x05, 0x0a, 0x03), true},
	}
}

// TestDecodeWriteAgreesWithProto: on the hand-made entries both decoders
// accept or refuse alike, and what they accept is the same command.
func TestDecodeWriteAgreesWithProto(t *testing.T) {
	for _, tc := range decodeCases() {
		t.Run(tc.name, func(t *testing.T) {
			_, protoErr := protoDecode(tc.data)
			if (protoErr != nil) != tc.wantErr {
				t.Fatalf("proto path: err %v, want error %v (the case is wrong)", protoErr, tc.wantErr)
			}
			checkAgreement(t, tc.data)
		})
	}
}

// checkAgreement fails unless DecodeCommand and the generic path agree on
// data, and the fast path never panics.
func checkAgreement(t *testing.T, data []byte) {
	t.Helper()
	want, wantErr := protoDecode(data)
	got, gotErr := DecodeCommand(data)
	switch {
	case wantErr != nil && gotErr != nil:
		if !errors.Is(gotErr, ErrBadCommand) {
			t.Fatalf("error does not wrap ErrBadCommand: %v", gotErr)
		}
	case wantErr != nil:
		t.Fatalf("%x: fast path accepted %#v, proto path refused: %v", data, got, wantErr)
	case gotErr != nil:
		t.Fatalf("%x: fast path refused (%v), proto path accepted %#v", data, gotErr, want)
	default:
		if diff := cmp.Diff(want, got, exactCmp); diff != "" {
			t.Fatalf("%x: decoded differently (-proto +fast):\n%s", data, diff)
		}
		// What decodes encodes alike on both paths.
		a, errA := protoEncode(got)
		b, errB := EncodeCommand(got)
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Fatalf("re-encoding %#v: proto %x (%v), fast %x (%v)", got, a, errA, b, errB)
		}
	}
}

func TestDecodeCommandNoop(t *testing.T) {
	data, err := EncodeCommand(&Noop{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := protoEncode(&Noop{})
	if err != nil || !bytes.Equal(data, want) {
		t.Fatalf("noop: %x, want %x (%v)", data, want, err)
	}
	data[0] = 0 // the returned slice is the caller's
	if again, _ := EncodeCommand(&Noop{}); !bytes.Equal(again, want) {
		t.Fatal("EncodeCommand returned a shared buffer")
	}
	cmd, err := DecodeCommand(want)
	if _, ok := cmd.(*Noop); !ok || err != nil {
		t.Fatalf("DecodeCommand(noop) = %#v, %v", cmd, err)
	}
}

// TestDecodeWriteCopies: decoded strings and bytes do not alias the entry.
func TestDecodeWriteCopies(t *testing.T) {
	data, err := EncodeCommand(&Write{Ops: []Op{{Kind: OpInsert, Table: "t", Values: []types.Value{"abc", []byte("xyz")}}}})
	if err != nil {
		t.Fatal(err)
	}
	cmd, err := DecodeCommand(data)
	if err != nil {
		t.Fatal(err)
	}
	for i := range data {
		data[i] = 'Z'
	}
	vals := cmd.(*Write).Ops[0].Values
	if vals[0] != "abc" || string(vals[1].([]byte)) != "xyz" || cmd.(*Write).Ops[0].Table != "t" {
		t.Fatalf("decoded values changed with the buffer: %q", vals)
	}
}

// FuzzDecodeWrite: the fast decoder never panics and agrees with
// proto.Unmarshal + commandFromProto on every input, taken both as a whole
// entry and as the content of a Write.
func FuzzDecodeWrite(f *testing.F) {
	for _, tc := range writeCases() {
		if tc.name == "large row" || tc.name == "many ops" {
			continue
		}
		data, err := EncodeCommand(tc.w)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		for _, cut := range []int{1, 2, 3, len(data) / 2, len(data) - 1} {
			if cut > 0 && cut < len(data) {
				f.Add(data[:cut])
			}
		}
	}
	for _, tc := range decodeCases() {
		f.Add(tc.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkAgreement(t, data)
		var wrapped wire
		checkAgreement(t, wrapped.bytes(fieldCommandWrite, data))
	})
}

func BenchmarkEncodeWrite(b *testing.B) {
	w := benchWrite()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EncodeCommand(w); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeWriteProto(b *testing.B) {
	w := benchWrite()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := protoEncode(w); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeWrite(b *testing.B) {
	data, err := EncodeCommand(benchWrite())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeCommand(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeWriteProto(b *testing.B) {
	data, err := EncodeCommand(benchWrite())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := protoDecode(data); err != nil {
			b.Fatal(err)
		}
	}
}
