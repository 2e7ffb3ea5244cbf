package storage

// This file is a hand-written protobuf codec for the Write command, the hot
// path of replication: every DML statement proposes a Write and every node
// decodes and applies it. Going through the generated structs of
// proto/commandpb cost one heap object per Op, Value and Read on both sides
// (plus the copy into the Go types), which showed up as several percent of
// server CPU under pgbench.
//
// proto/command.proto remains the schema: the bytes written here are exactly
// those of proto.MarshalOptions{Deterministic: true}.Marshal of
// commandToProto's message, and the decoder accepts what proto.Unmarshal
// followed by commandFromProto accepts, with the same result (unknown and
// wrongly typed fields skipped, the last of repeated singular fields winning,
// repeated messages merged, UTF-8 checked in string fields). The tests in
// writecodec_test.go hold both paths to that; a change to the Write, Op,
// Delta, Value or Read messages must be made here as well.

import (
	"errors"
	"fmt"
	"math"
	"time"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/chronos-db/chronos/engine/types"
)

// Field numbers of proto/command.proto.
const (
	fieldCommandNoop  protowire.Number = 1
	fieldCommandWrite protowire.Number = 2

	fieldWriteOps   protowire.Number = 1
	fieldWriteReads protowire.Number = 2

	fieldOpKind          protowire.Number = 1
	fieldOpTable         protowire.Number = 2
	fieldOpRowID         protowire.Number = 3
	fieldOpVersion       protowire.Number = 4
	fieldOpValues        protowire.Number = 5
	fieldOpSerialColumns protowire.Number = 6
	fieldOpDeltas        protowire.Number = 7
	fieldOpTableOID      protowire.Number = 8
	fieldOpSchemaVersion protowire.Number = 9

	fieldDeltaColumn protowire.Number = 1
	fieldDeltaAdd    protowire.Number = 2

	fieldValueNull       protowire.Number = 1
	fieldValueInt        protowire.Number = 2
	fieldValueFloatBits  protowire.Number = 3
	fieldValueNumeric    protowire.Number = 4
	fieldValueText       protowire.Number = 5
	fieldValueBytes      protowire.Number = 6
	fieldValueBool       protowire.Number = 7
	fieldValueTimeMicros protowire.Number = 8

	fieldReadTable   protowire.Number = 1
	fieldReadRowID   protowire.Number = 2
	fieldReadVersion protowire.Number = 3
	fieldReadRows    protowire.Number = 4
)

// noopCommand is the encoding of pb.Command{Command: &pb.Command_Noop{...}}.
var noopCommand = []byte{byte(fieldCommandNoop<<3 | protowire.Number(protowire.BytesType)), 0}

// errMalformed is the decoder's error for bytes that are not protobuf.
var errMalformed = errors.New("malformed protobuf")

// encodeWrite returns the encoding of the command holding w. A first pass
// checks the values and computes the exact size, so the second appends into
// one buffer of that size.
func encodeWrite(w *Write) ([]byte, error) {
	n, err := writeSize(w)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, sizeField(fieldCommandWrite, n))
	b = protowire.AppendTag(b, fieldCommandWrite, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(n))
	for i := range w.Ops {
		b = protowire.AppendTag(b, fieldWriteOps, protowire.BytesType)
		mark := len(b)
		b = append(b, 0) // length placeholder, see closeLen
		b = appendOp(b, &w.Ops[i])
		b = closeLen(b, mark)
	}
	for i := range w.Reads {
		b = protowire.AppendTag(b, fieldWriteReads, protowire.BytesType)
		mark := len(b)
		b = append(b, 0) // length placeholder, see closeLen
		b = appendRead(b, &w.Reads[i])
		b = closeLen(b, mark)
	}
	return b, nil
}

// sizeField is the size of a length-delimited field whose content is n bytes.
func sizeField(num protowire.Number, n int) int {
	return protowire.SizeTag(num) + protowire.SizeBytes(n)
}

// sizeVarintField is the size of a varint field, 0 when v is 0 (proto3
// leaves zero scalars out).
func sizeVarintField(num protowire.Number, v uint64) int {
	if v == 0 {
		return 0
	}
	return protowire.SizeTag(num) + protowire.SizeVarint(v)
}

// sizeStringField is the size of a string field, 0 when s is empty.
func sizeStringField(num protowire.Number, s string) int {
	if s == "" {
		return 0
	}
	return sizeField(num, len(s))
}

// closeLen fills in the length prefix of a message: the caller appended one
// placeholder byte at mark, then the message. A message of 128 bytes or more
// needs a longer prefix, so its bytes move up; encodeWrite's buffer is sized
// exactly, so this never grows it.
func closeLen(b []byte, mark int) []byte {
	n := len(b) - mark - 1
	if n < 0x80 {
		b[mark] = byte(n)
		return b
	}
	k := protowire.SizeVarint(uint64(n))
	b = append(b, make([]byte, k-1)...)
	copy(b[mark+k:], b[mark+1:mark+1+n])
	protowire.AppendVarint(b[mark:mark], uint64(n))
	return b
}

// writeSize is the size of w's Write message, after checking that every
// value can be encoded.
func writeSize(w *Write) (int, error) {
	n := 0
	for i := range w.Ops {
		s, err := opSize(&w.Ops[i])
		if err != nil {
			return 0, err
		}
		n += sizeField(fieldWriteOps, s)
	}
	for i := range w.Reads {
		r := &w.Reads[i]
		if !utf8.ValidString(r.Table) {
			return 0, fmt.Errorf("storage: read of table %q: name is not valid UTF-8", r.Table)
		}
		n += sizeField(fieldWriteReads, readSize(r))
	}
	return n, nil
}

func opSize(op *Op) (int, error) {
	if !utf8.ValidString(op.Table) {
		return 0, fmt.Errorf("storage: %s of %q: table name is not valid UTF-8", op.Kind, op.Table)
	}
	n := sizeVarintField(fieldOpKind, uint64(op.Kind)) +
		sizeStringField(fieldOpTable, op.Table) +
		sizeVarintField(fieldOpRowID, op.RowID) +
		sizeVarintField(fieldOpVersion, op.Version) +
		sizeVarintField(fieldOpTableOID, uint64(op.TableOID)) +
		sizeVarintField(fieldOpSchemaVersion, op.SchemaVersion)
	for i, v := range op.Values {
		s, err := valueSize(v)
		if err != nil {
			return 0, fmt.Errorf("storage: %s of %q, value %d: %w", op.Kind, op.Table, i, err)
		}
		n += sizeField(fieldOpValues, s)
	}
	if len(op.SerialColumns) > 0 {
		s := 0
		for _, c := range op.SerialColumns {
			s += protowire.SizeVarint(uint64(uint32(c)))
		}
		n += sizeField(fieldOpSerialColumns, s)
	}
	for _, d := range op.Deltas {
		s, err := valueSize(d.Add)
		if err != nil {
			return 0, fmt.Errorf("storage: increment of %q: %w", op.Table, err)
		}
		n += sizeField(fieldOpDeltas, sizeVarintField(fieldDeltaColumn, uint64(uint32(d.Column)))+sizeField(fieldDeltaAdd, s))
	}
	return n, nil
}

// valueSize is the size of v's Value message. Every kind is a member of a
// oneof, so it is written even when zero.
func valueSize(v types.Value) (int, error) {
	switch x := v.(type) {
	case nil, bool:
		return 2, nil
	case int64:
		return 1 + protowire.SizeVarint(protowire.EncodeZigZag(x)), nil
	case float64:
		return 1 + 8, nil
	case *apd.Decimal:
		if x == nil {
			return 0, errors.New("nil numeric")
		}
		var buf [32]byte
		return sizeField(fieldValueNumeric, len(x.Append(buf[:0], 'G'))), nil
	case string:
		if !utf8.ValidString(x) {
			return 0, errors.New("text is not valid UTF-8")
		}
		return sizeField(fieldValueText, len(x)), nil
	case []byte:
		return sizeField(fieldValueBytes, len(x)), nil
	case time.Time:
		return 1 + protowire.SizeVarint(protowire.EncodeZigZag(x.UnixMicro())), nil
	}
	return 0, fmt.Errorf("cannot encode a value of Go type %T", v)
}

func readSize(r *Read) int {
	return sizeStringField(fieldReadTable, r.Table) +
		sizeVarintField(fieldReadRowID, r.RowID) +
		sizeVarintField(fieldReadVersion, r.Version) +
		sizeVarintField(fieldReadRows, r.Rows)
}

// appendVarintField appends a varint field unless v is 0.
func appendVarintField(b []byte, num protowire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

// appendStringField appends a string field unless s is empty.
func appendStringField(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

// appendOp appends op's fields in field-number order, as proto.Marshal does.
// The values were checked by opSize.
func appendOp(b []byte, op *Op) []byte {
	b = appendVarintField(b, fieldOpKind, uint64(op.Kind))
	b = appendStringField(b, fieldOpTable, op.Table)
	b = appendVarintField(b, fieldOpRowID, op.RowID)
	b = appendVarintField(b, fieldOpVersion, op.Version)
	for _, v := range op.Values {
		b = protowire.AppendTag(b, fieldOpValues, protowire.BytesType)
		mark := len(b)
		b = append(b, 0) // length placeholder, see closeLen
		b = appendValue(b, v)
		b = closeLen(b, mark)
	}
	if len(op.SerialColumns) > 0 {
		b = protowire.AppendTag(b, fieldOpSerialColumns, protowire.BytesType)
		mark := len(b)
		b = append(b, 0) // length placeholder, see closeLen
		for _, c := range op.SerialColumns {
			b = protowire.AppendVarint(b, uint64(uint32(c)))
		}
		b = closeLen(b, mark)
	}
	for _, d := range op.Deltas {
		b = protowire.AppendTag(b, fieldOpDeltas, protowire.BytesType)
		mark := len(b)
		b = append(b, 0) // length placeholder, see closeLen
		b = appendVarintField(b, fieldDeltaColumn, uint64(uint32(d.Column)))
		b = protowire.AppendTag(b, fieldDeltaAdd, protowire.BytesType)
		vmark := len(b)
		b = append(b, 0) // length placeholder, see closeLen
		b = appendValue(b, d.Add)
		b = closeLen(b, vmark)
		b = closeLen(b, mark)
	}
	b = appendVarintField(b, fieldOpTableOID, uint64(op.TableOID))
	return appendVarintField(b, fieldOpSchemaVersion, op.SchemaVersion)
}

// appendValue appends the fields of v's Value message; v was checked by
// valueSize.
func appendValue(b []byte, v types.Value) []byte {
	switch x := v.(type) {
	case nil:
		b = protowire.AppendTag(b, fieldValueNull, protowire.VarintType)
		return protowire.AppendVarint(b, 1)
	case bool:
		b = protowire.AppendTag(b, fieldValueBool, protowire.VarintType)
		return protowire.AppendVarint(b, protowire.EncodeBool(x))
	case int64:
		b = protowire.AppendTag(b, fieldValueInt, protowire.VarintType)
		return protowire.AppendVarint(b, protowire.EncodeZigZag(x))
	case float64:
		b = protowire.AppendTag(b, fieldValueFloatBits, protowire.Fixed64Type)
		return protowire.AppendFixed64(b, math.Float64bits(x))
	case *apd.Decimal:
		b = protowire.AppendTag(b, fieldValueNumeric, protowire.BytesType)
		mark := len(b)
		b = append(b, 0) // length placeholder, see closeLen
		b = x.Append(b, 'G')
		return closeLen(b, mark)
	case string:
		b = protowire.AppendTag(b, fieldValueText, protowire.BytesType)
		return protowire.AppendString(b, x)
	case []byte:
		b = protowire.AppendTag(b, fieldValueBytes, protowire.BytesType)
		return protowire.AppendBytes(b, x)
	case time.Time:
		b = protowire.AppendTag(b, fieldValueTimeMicros, protowire.VarintType)
		return protowire.AppendVarint(b, protowire.EncodeZigZag(x.UnixMicro()))
	}
	panic(fmt.Sprintf("storage: appendValue of unchecked type %T", v))
}

func appendRead(b []byte, r *Read) []byte {
	b = appendStringField(b, fieldReadTable, r.Table)
	b = appendVarintField(b, fieldReadRowID, r.RowID)
	b = appendVarintField(b, fieldReadVersion, r.Version)
	return appendVarintField(b, fieldReadRows, r.Rows)
}

// decodeWriteCommand decodes data when it is a Command holding a Write:
// one or more occurrences of the write field (proto merges them) and
// nothing else at the top level. ok is false for anything else, which the
// caller hands to proto.Unmarshal.
func decodeWriteCommand(data []byte) (w *Write, ok bool, err error) {
	nOps, nReads := 0, 0
	chunks := 0
	for b := data; len(b) > 0; {
		num, typ, n := consumeTag(b)
		if n < 0 || num != fieldCommandWrite || typ != protowire.BytesType {
			return nil, false, nil
		}
		b = b[n:]
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return nil, false, nil
		}
		b = b[n:]
		o, r, err := countWrite(v)
		if err != nil {
			return nil, true, err
		}
		nOps += o
		nReads += r
		chunks++
	}
	if chunks == 0 {
		return nil, false, nil
	}
	if nOps == 1 {
		// Most writes change one row: allocate the Write and its Op together.
		wo := new(struct {
			w  Write
			op [1]Op
		})
		w = &wo.w
		w.Ops = wo.op[:0:1]
	} else {
		w = &Write{Ops: make([]Op, 0, nOps)}
	}
	if nReads > 0 {
		w.Reads = make([]Read, 0, nReads)
	}
	var d writeDecoder
	for b := data; len(b) > 0; {
		_, _, n := consumeTag(b)
		v, m := protowire.ConsumeBytes(b[n:])
		b = b[n+m:]
		if err := d.write(v, w); err != nil {
			return nil, true, err
		}
	}
	return w, true, nil
}

// consumeTag parses a field's tag like proto.Unmarshal does: the field
// number must be in the valid range. n is negative on error.
func consumeTag(b []byte) (num protowire.Number, typ protowire.Type, n int) {
	v, n := protowire.ConsumeVarint(b)
	if n < 0 {
		return 0, 0, n
	}
	if f := v >> 3; f < uint64(protowire.MinValidNumber) || f > uint64(protowire.MaxValidNumber) {
		return 0, 0, -1
	}
	return protowire.Number(v >> 3), protowire.Type(v & 7), n
}

// field is one field of a message: its number and wire type, and its value
// (the payload of a length-delimited field, the number of a varint or
// fixed64 one; nothing for the other wire types).
type field struct {
	num   protowire.Number
	typ   protowire.Type
	bytes []byte
	u     uint64
}

// fieldReader walks the fields of a message in order. A field the decoder
// does not use (unknown, or known with another wire type, which proto also
// treats as unknown) is simply passed over by the caller; an end-group or
// reserved wire type, like any broken framing, ends the walk with err set.
type fieldReader struct {
	b   []byte
	err error
}

// next returns the next field, or ok false at the end of the message or
// on an error (then r.err is set).
func (r *fieldReader) next() (f field, ok bool) {
	if len(r.b) == 0 || r.err != nil {
		return field{}, false
	}
	num, typ, n := consumeTag(r.b)
	if n < 0 {
		r.err = errMalformed
		return field{}, false
	}
	r.b = r.b[n:]
	f = field{num: num, typ: typ}
	switch typ {
	case protowire.BytesType:
		f.bytes, n = protowire.ConsumeBytes(r.b)
	case protowire.VarintType:
		f.u, n = protowire.ConsumeVarint(r.b)
	case protowire.Fixed64Type:
		f.u, n = protowire.ConsumeFixed64(r.b)
	default:
		n = protowire.ConsumeFieldValue(num, typ, r.b)
	}
	if n < 0 {
		r.err = errMalformed
		return field{}, false
	}
	r.b = r.b[n:]
	return f, true
}

// countFields counts the length-delimited occurrences of fields a and c in
// message b, checking its framing.
func countFields(b []byte, a, c protowire.Number) (na, nc int, err error) {
	r := fieldReader{b: b}
	for f, ok := r.next(); ok; f, ok = r.next() {
		if f.typ == protowire.BytesType {
			switch f.num {
			case a:
				na++
			case c:
				nc++
			}
		}
	}
	if r.err != nil {
		return 0, 0, r.err
	}
	return na, nc, nil
}

func countWrite(b []byte) (ops, reads int, err error) {
	return countFields(b, fieldWriteOps, fieldWriteReads)
}

// writeDecoder decodes Write messages; it remembers the last table name so
// that the ops of a statement share one string.
type writeDecoder struct {
	table string
}

// tableName returns raw as a string, reusing the previous one when equal.
func (d *writeDecoder) tableName(raw []byte) string {
	if string(raw) != d.table {
		d.table = string(raw)
	}
	return d.table
}

func (d *writeDecoder) write(b []byte, w *Write) error {
	r := fieldReader{b: b}
	for f, ok := r.next(); ok; f, ok = r.next() {
		if f.typ != protowire.BytesType {
			continue
		}
		switch f.num {
		case fieldWriteOps:
			w.Ops = append(w.Ops, Op{})
			if err := d.op(f.bytes, &w.Ops[len(w.Ops)-1]); err != nil {
				return fmt.Errorf("op %d: %w", len(w.Ops)-1, err)
			}
		case fieldWriteReads:
			w.Reads = append(w.Reads, Read{})
			if err := d.read(f.bytes, &w.Reads[len(w.Reads)-1]); err != nil {
				return err
			}
		}
	}
	return r.err
}

// op decodes one Op message into op (zero on entry), with commandFromProto's
// conversions: the kind is checked once the whole message is read (a later
// occurrence of a field wins), Values is non-nil for an insert or update.
func (d *writeDecoder) op(b []byte, op *Op) error {
	nValues, nDeltas, err := countFields(b, fieldOpValues, fieldOpDeltas)
	if err != nil {
		return err
	}
	if nValues > 0 {
		op.Values = make([]types.Value, 0, nValues)
	}
	if nDeltas > 0 {
		op.Deltas = make([]Delta, 0, nDeltas)
	}
	var kind int32
	var table []byte
	r := fieldReader{b: b}
	for f, ok := r.next(); ok; f, ok = r.next() {
		switch f.typ {
		case protowire.VarintType:
			switch f.num {
			case fieldOpKind:
				kind = int32(f.u)
			case fieldOpRowID:
				op.RowID = f.u
			case fieldOpVersion:
				op.Version = f.u
			case fieldOpSerialColumns:
				op.SerialColumns = append(op.SerialColumns, int(uint32(f.u)))
			case fieldOpTableOID:
				op.TableOID = uint32(f.u)
			case fieldOpSchemaVersion:
				op.SchemaVersion = f.u
			}
		case protowire.BytesType:
			switch f.num {
			case fieldOpTable:
				if !utf8.Valid(f.bytes) {
					return errors.New("table name is not valid UTF-8")
				}
				table = f.bytes
			case fieldOpValues:
				var vs valueState
				if err := vs.merge(f.bytes); err != nil {
					return fmt.Errorf("value %d: %w", len(op.Values), err)
				}
				x, err := vs.value()
				if err != nil {
					return fmt.Errorf("value %d: %w", len(op.Values), err)
				}
				op.Values = append(op.Values, x)
			case fieldOpSerialColumns:
				for v := f.bytes; len(v) > 0; {
					c, n := protowire.ConsumeVarint(v)
					if n < 0 {
						return errMalformed
					}
					op.SerialColumns = append(op.SerialColumns, int(uint32(c)))
					v = v[n:]
				}
			case fieldOpDeltas:
				delta, err := decodeDelta(f.bytes)
				if err != nil {
					return err
				}
				op.Deltas = append(op.Deltas, delta)
			}
		}
	}
	if r.err != nil {
		return r.err
	}
	// OpKind is a uint8: commandFromProto converts the int32 enum the same way.
	op.Kind = OpKind(kind)
	if op.Kind < OpInsert || op.Kind > OpIncrement {
		return fmt.Errorf("unknown op kind %d", kind)
	}
	op.Table = d.tableName(table)
	if op.Values == nil && (op.Kind == OpInsert || op.Kind == OpUpdate) {
		op.Values = []types.Value{}
	}
	return nil
}

func decodeDelta(b []byte) (Delta, error) {
	var column uint32
	var add valueState
	r := fieldReader{b: b}
	for f, ok := r.next(); ok; f, ok = r.next() {
		switch {
		case f.num == fieldDeltaColumn && f.typ == protowire.VarintType:
			column = uint32(f.u)
		case f.num == fieldDeltaAdd && f.typ == protowire.BytesType:
			// A repeated message field is merged into the first, which for
			// a oneof means the last kind set wins.
			if err := add.merge(f.bytes); err != nil {
				return Delta{}, err
			}
		}
	}
	if r.err != nil {
		return Delta{}, r.err
	}
	x, err := add.value()
	if err != nil {
		return Delta{}, err
	}
	return Delta{Column: int(column), Add: x}, nil
}

// valueState is a Value message being decoded: the oneof member last seen
// (0 for none, which is NULL) and its raw content.
type valueState struct {
	kind protowire.Number
	u    uint64
	raw  []byte
}

// merge decodes the fields of a Value message into s.
func (s *valueState) merge(b []byte) error {
	r := fieldReader{b: b}
	for f, ok := r.next(); ok; f, ok = r.next() {
		switch {
		case f.typ == protowire.VarintType && (f.num == fieldValueNull || f.num == fieldValueInt ||
			f.num == fieldValueBool || f.num == fieldValueTimeMicros):
			s.kind, s.u = f.num, f.u
		case f.typ == protowire.Fixed64Type && f.num == fieldValueFloatBits:
			s.kind, s.u = f.num, f.u
		case f.typ == protowire.BytesType && (f.num == fieldValueNumeric || f.num == fieldValueText || f.num == fieldValueBytes):
			if f.num != fieldValueBytes && !utf8.Valid(f.bytes) {
				return errors.New("string field is not valid UTF-8")
			}
			s.kind, s.raw = f.num, f.bytes
		}
	}
	return r.err
}

// value converts s like valueFromProto. Strings and bytes are copied out of
// the entry's buffer.
func (s *valueState) value() (types.Value, error) {
	switch s.kind {
	case fieldValueInt:
		return protowire.DecodeZigZag(s.u), nil
	case fieldValueFloatBits:
		return math.Float64frombits(s.u), nil
	case fieldValueNumeric:
		d, _, err := apd.NewFromString(string(s.raw))
		if err != nil {
			return nil, fmt.Errorf("numeric %q: %w", s.raw, err)
		}
		return d, nil
	case fieldValueText:
		return string(s.raw), nil
	case fieldValueBytes:
		return append([]byte{}, s.raw...), nil
	case fieldValueBool:
		return protowire.DecodeBool(s.u), nil
	case fieldValueTimeMicros:
		return time.UnixMicro(protowire.DecodeZigZag(s.u)).UTC(), nil
	}
	return nil, nil // no kind, or null
}

func (d *writeDecoder) read(b []byte, rd *Read) error {
	r := fieldReader{b: b}
	for f, ok := r.next(); ok; f, ok = r.next() {
		switch {
		case f.num == fieldReadTable && f.typ == protowire.BytesType:
			if !utf8.Valid(f.bytes) {
				return errors.New("read table name is not valid UTF-8")
			}
			rd.Table = d.tableName(f.bytes)
		case f.typ == protowire.VarintType:
			switch f.num {
			case fieldReadRowID:
				rd.RowID = f.u
			case fieldReadVersion:
				rd.Version = f.u
			case fieldReadRows:
				rd.Rows = f.u
			}
		}
	}
	return r.err
}
