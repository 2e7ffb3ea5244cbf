package storage

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/cockroachdb/apd/v3"
	"google.golang.org/protobuf/proto"

	"github.com/chronos-db/chronos/engine/types"
	pb "github.com/chronos-db/chronos/proto/commandpb"
)

// ErrBadCommand is wrapped by DecodeCommand's errors: the bytes are not a
// command this version understands.
var ErrBadCommand = errors.New("storage: bad command")

// EncodeCommand returns the log entry bytes of cmd (protobuf, see
// proto/command.proto). Values are encoded exactly: integers, float bits,
// numerics as text, times as microseconds since the Unix epoch in UTC.
// Write, the hot command, takes the hand-written codec of writecodec.go,
// which produces the same bytes as the generated code.
func EncodeCommand(cmd Command) ([]byte, error) {
	switch c := cmd.(type) {
	case *Write:
		return encodeWrite(c) // the hot path, see writecodec.go
	case *Noop:
		return append([]byte(nil), noopCommand...), nil
	}
	m, err := commandToProto(cmd)
	if err != nil {
		return nil, err
	}
	return proto.MarshalOptions{Deterministic: true}.Marshal(m)
}

// DecodeCommand is the inverse of EncodeCommand. Errors wrap ErrBadCommand.
func DecodeCommand(data []byte) (Command, error) {
	if string(data) == string(noopCommand) {
		return &Noop{}, nil
	}
	if w, ok, err := decodeWriteCommand(data); ok {
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadCommand, err)
		}
		return w, nil
	}
	var m pb.Command
	if err := proto.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadCommand, err)
	}
	cmd, err := commandFromProto(&m)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadCommand, err)
	}
	return cmd, nil
}

func commandToProto(cmd Command) (*pb.Command, error) {
	m := &pb.Command{}
	switch c := cmd.(type) {
	case *Noop:
		m.Command = &pb.Command_Noop{Noop: &pb.Noop{}}
	case *Write:
		w := &pb.Write{Ops: make([]*pb.Op, len(c.Ops)), Reads: make([]*pb.Read, len(c.Reads))}
		for i := range c.Ops {
			op, err := opToProto(&c.Ops[i])
			if err != nil {
				return nil, err
			}
			w.Ops[i] = op
		}
		for i, r := range c.Reads {
			w.Reads[i] = &pb.Read{Table: r.Table, RowId: r.RowID, Version: r.Version, Rows: r.Rows}
		}
		m.Command = &pb.Command_Write{Write: w}
	case *CreateTable:
		m.Command = &pb.Command_CreateTable{CreateTable: &pb.CreateTable{
			Def: tableDefToProto(&c.Def), IfNotExists: c.IfNotExists}}
	case *DropTable:
		m.Command = &pb.Command_DropTable{DropTable: &pb.DropTable{Names: c.Names, IfExists: c.IfExists}}
	case *CreateIndex:
		m.Command = &pb.Command_CreateIndex{CreateIndex: &pb.CreateIndex{
			Table: c.Table, Index: indexToProto(&c.Index), IfNotExists: c.IfNotExists}}
	case *DropIndex:
		m.Command = &pb.Command_DropIndex{DropIndex: &pb.DropIndex{Names: c.Names, IfExists: c.IfExists}}
	case *AddColumn:
		fill, err := valueToProto(c.Fill)
		if err != nil {
			return nil, err
		}
		a := &pb.AddColumn{Table: c.Table, Column: columnToProto(&c.Column), Fill: fill, IfNotExists: c.IfNotExists}
		for i := range c.Indexes {
			a.Indexes = append(a.Indexes, indexToProto(&c.Indexes[i]))
		}
		m.Command = &pb.Command_AddColumn{AddColumn: a}
	case *DropColumn:
		m.Command = &pb.Command_DropColumn{DropColumn: &pb.DropColumn{Table: c.Table, Column: c.Column, IfExists: c.IfExists}}
	case *AddPrimaryKey:
		m.Command = &pb.Command_AddPrimaryKey{AddPrimaryKey: &pb.AddPrimaryKey{
			Table: c.Table, Name: c.Name, Columns: intsToProto(c.Columns)}}
	case *Truncate:
		m.Command = &pb.Command_Truncate{Truncate: &pb.Truncate{Names: c.Names, RestartIdentity: c.RestartIdentity}}
	case *CreateView:
		m.Command = &pb.Command_CreateView{CreateView: &pb.CreateView{Def: &pb.ViewDef{
			Name: c.Def.Name, Query: c.Def.Query, Columns: c.Def.Columns, DependsOn: c.Def.DependsOn,
		}, OrReplace: c.OrReplace}}
	case *DropView:
		m.Command = &pb.Command_DropView{DropView: &pb.DropView{Names: c.Names, IfExists: c.IfExists}}
	case roleCommand:
		return c.toProto(), nil
	default:
		return nil, fmt.Errorf("storage: cannot encode command %T", cmd)
	}
	return m, nil
}

func commandFromProto(m *pb.Command) (Command, error) {
	switch c := m.Command.(type) {
	case *pb.Command_Noop:
		return &Noop{}, nil
	case *pb.Command_Write:
		w := &Write{Ops: make([]Op, len(c.Write.Ops))}
		for i, op := range c.Write.Ops {
			if err := opFromProto(op, &w.Ops[i]); err != nil {
				return nil, fmt.Errorf("op %d: %w", i, err)
			}
		}
		if len(c.Write.Reads) > 0 {
			w.Reads = make([]Read, len(c.Write.Reads))
			for i, r := range c.Write.Reads {
				w.Reads[i] = Read{Table: r.Table, RowID: r.RowId, Version: r.Version, Rows: r.Rows}
			}
		}
		return w, nil
	case *pb.Command_CreateTable:
		def, err := tableDefFromProto(c.CreateTable.Def)
		if err != nil {
			return nil, err
		}
		return &CreateTable{Def: def, IfNotExists: c.CreateTable.IfNotExists}, nil
	case *pb.Command_DropTable:
		return &DropTable{Names: c.DropTable.Names, IfExists: c.DropTable.IfExists}, nil
	case *pb.Command_CreateIndex:
		return &CreateIndex{Table: c.CreateIndex.Table, Index: indexFromProto(c.CreateIndex.Index),
			IfNotExists: c.CreateIndex.IfNotExists}, nil
	case *pb.Command_DropIndex:
		return &DropIndex{Names: c.DropIndex.Names, IfExists: c.DropIndex.IfExists}, nil
	case *pb.Command_AddColumn:
		a := c.AddColumn
		fill, err := valueFromProto(a.Fill)
		if err != nil {
			return nil, err
		}
		out := &AddColumn{Table: a.Table, Column: columnFromProto(a.Column), Fill: fill, IfNotExists: a.IfNotExists}
		for _, ix := range a.Indexes {
			out.Indexes = append(out.Indexes, indexFromProto(ix))
		}
		return out, nil
	case *pb.Command_DropColumn:
		return &DropColumn{Table: c.DropColumn.Table, Column: c.DropColumn.Column, IfExists: c.DropColumn.IfExists}, nil
	case *pb.Command_AddPrimaryKey:
		return &AddPrimaryKey{Table: c.AddPrimaryKey.Table, Name: c.AddPrimaryKey.Name,
			Columns: intsFromProto(c.AddPrimaryKey.Columns)}, nil
	case *pb.Command_Truncate:
		return &Truncate{Names: c.Truncate.Names, RestartIdentity: c.Truncate.RestartIdentity}, nil
	case *pb.Command_CreateView:
		d := c.CreateView.Def
		if d == nil {
			return nil, errors.New("create view without a definition")
		}
		return &CreateView{Def: ViewDef{Name: d.Name, Query: d.Query, Columns: d.Columns, DependsOn: d.DependsOn},
			OrReplace: c.CreateView.OrReplace}, nil
	case *pb.Command_DropView:
		return &DropView{Names: c.DropView.Names, IfExists: c.DropView.IfExists}, nil
	case nil:
		return nil, errors.New("empty command")
	}
	if cmd := roleCommandFromProto(m); cmd != nil {
		return cmd, nil
	}
	return nil, fmt.Errorf("unknown command %T", m.Command)
}

func opToProto(op *Op) (*pb.Op, error) {
	m := &pb.Op{
		Kind:          pb.Op_Kind(op.Kind),
		Table:         op.Table,
		RowId:         op.RowID,
		Version:       op.Version,
		SerialColumns: intsToProto(op.SerialColumns),
		TableOid:      op.TableOID,
		SchemaVersion: op.SchemaVersion,
	}
	if op.Values != nil {
		m.Values = make([]*pb.Value, len(op.Values))
		for i, v := range op.Values {
			pv, err := valueToProto(v)
			if err != nil {
				return nil, fmt.Errorf("storage: %s of %q, value %d: %w", op.Kind, op.Table, i, err)
			}
			m.Values[i] = pv
		}
	}
	for _, d := range op.Deltas {
		pv, err := valueToProto(d.Add)
		if err != nil {
			return nil, fmt.Errorf("storage: increment of %q: %w", op.Table, err)
		}
		m.Deltas = append(m.Deltas, &pb.Delta{Column: uint32(d.Column), Add: pv})
	}
	return m, nil
}

func opFromProto(m *pb.Op, op *Op) error {
	kind := OpKind(m.Kind)
	if kind < OpInsert || kind > OpIncrement {
		return fmt.Errorf("unknown op kind %d", m.Kind)
	}
	*op = Op{
		Kind:          kind,
		Table:         m.Table,
		RowID:         m.RowId,
		Version:       m.Version,
		SerialColumns: intsFromProto(m.SerialColumns),
		TableOID:      m.TableOid,
		SchemaVersion: m.SchemaVersion,
	}
	if len(m.Values) > 0 || kind == OpInsert || kind == OpUpdate {
		op.Values = make([]types.Value, len(m.Values))
		for i, pv := range m.Values {
			v, err := valueFromProto(pv)
			if err != nil {
				return fmt.Errorf("value %d: %w", i, err)
			}
			op.Values[i] = v
		}
	}
	for _, d := range m.Deltas {
		v, err := valueFromProto(d.Add)
		if err != nil {
			return err
		}
		op.Deltas = append(op.Deltas, Delta{Column: int(d.Column), Add: v})
	}
	return nil
}

// valueToProto encodes one value; nil is NULL.
func valueToProto(v types.Value) (*pb.Value, error) {
	switch x := v.(type) {
	case nil:
		return &pb.Value{Kind: &pb.Value_Null{Null: true}}, nil
	case bool:
		return &pb.Value{Kind: &pb.Value_Bool{Bool: x}}, nil
	case int64:
		return &pb.Value{Kind: &pb.Value_Int{Int: x}}, nil
	case float64:
		return &pb.Value{Kind: &pb.Value_FloatBits{FloatBits: math.Float64bits(x)}}, nil
	case *apd.Decimal:
		return &pb.Value{Kind: &pb.Value_Numeric{Numeric: x.String()}}, nil
	case string:
		return &pb.Value{Kind: &pb.Value_Text{Text: x}}, nil
	case []byte:
		return &pb.Value{Kind: &pb.Value_Bytes{Bytes: x}}, nil
	case time.Time:
		return &pb.Value{Kind: &pb.Value_TimeMicros{TimeMicros: x.UnixMicro()}}, nil
	}
	return nil, fmt.Errorf("cannot encode a value of Go type %T", v)
}

// valueFromProto decodes one value; a missing value (nil) is NULL.
func valueFromProto(m *pb.Value) (types.Value, error) {
	if m == nil {
		return nil, nil
	}
	switch k := m.Kind.(type) {
	case nil, *pb.Value_Null:
		return nil, nil
	case *pb.Value_Bool:
		return k.Bool, nil
	case *pb.Value_Int:
		return k.Int, nil
	case *pb.Value_FloatBits:
		return math.Float64frombits(k.FloatBits), nil
	case *pb.Value_Numeric:
		d, _, err := apd.NewFromString(k.Numeric)
		if err != nil {
			return nil, fmt.Errorf("numeric %q: %w", k.Numeric, err)
		}
		return d, nil
	case *pb.Value_Text:
		return k.Text, nil
	case *pb.Value_Bytes:
		if k.Bytes == nil {
			return []byte{}, nil
		}
		return k.Bytes, nil
	case *pb.Value_TimeMicros:
		return time.UnixMicro(k.TimeMicros).UTC(), nil
	}
	return nil, fmt.Errorf("unknown value kind %T", m.Kind)
}

func tableDefToProto(d *TableDef) *pb.TableDef {
	m := &pb.TableDef{Name: d.Name}
	for i := range d.Columns {
		m.Columns = append(m.Columns, columnToProto(&d.Columns[i]))
	}
	for i := range d.Indexes {
		m.Indexes = append(m.Indexes, indexToProto(&d.Indexes[i]))
	}
	return m
}

func tableDefFromProto(m *pb.TableDef) (TableDef, error) {
	if m == nil {
		return TableDef{}, errors.New("create table without a definition")
	}
	d := TableDef{Name: m.Name}
	for _, c := range m.Columns {
		d.Columns = append(d.Columns, columnFromProto(c))
	}
	for _, ix := range m.Indexes {
		d.Indexes = append(d.Indexes, indexFromProto(ix))
	}
	return d, nil
}

func columnToProto(c *Column) *pb.Column {
	return &pb.Column{
		Name:    c.Name,
		Type:    &pb.Type{Oid: uint32(c.Type.OID), Mod: c.Type.Mod},
		NotNull: c.NotNull,
		Default: c.Default,
		Serial:  c.Serial,
	}
}

func columnFromProto(m *pb.Column) Column {
	if m == nil {
		return Column{}
	}
	c := Column{Name: m.Name, NotNull: m.NotNull, Default: m.Default, Serial: m.Serial, Type: types.T{Mod: -1}}
	if m.Type != nil {
		c.Type = types.T{OID: types.OID(m.Type.Oid), Mod: m.Type.Mod}
	}
	return c
}

func indexToProto(ix *Index) *pb.Index {
	return &pb.Index{Name: ix.Name, Columns: intsToProto(ix.Columns), Unique: ix.Unique,
		Primary: ix.Primary, Constraint: ix.Constraint}
}

func indexFromProto(m *pb.Index) Index {
	if m == nil {
		return Index{}
	}
	return Index{Name: m.Name, Columns: intsFromProto(m.Columns), Unique: m.Unique,
		Primary: m.Primary, Constraint: m.Constraint}
}

func intsToProto(xs []int) []uint32 {
	if xs == nil {
		return nil
	}
	out := make([]uint32, len(xs))
	for i, x := range xs {
		out[i] = uint32(x)
	}
	return out
}

func intsFromProto(xs []uint32) []int {
	if xs == nil {
		return nil
	}
	out := make([]int, len(xs))
	for i, x := range xs {
		out[i] = int(x)
	}
	return out
}
