package types

import (
	"testing"

	"github.com/chronos-db/chronos/engine/sqlerr"
)

func TestParseTypeName(t *testing.T) {
	for _, c := range []struct {
		in   string
		want T
		// str is format_type's text in PostgreSQL 15; typname is
		// pg_type.typname.
		str, typname string
		size         int16
	}{
		{"int", Int4, "integer", "int4", 4},
		{"INTEGER", Int4, "integer", "int4", 4},
		{"int4", Int4, "integer", "int4", 4},
		{"smallint", Int2, "smallint", "int2", 2},
		{"bigint", Int8, "bigint", "int8", 8},
		{"serial", Int4, "integer", "int4", 4},
		{"bigserial", Int8, "bigint", "int8", 8},
		{"real", Float4, "real", "float4", 4},
		{"float4", Float4, "real", "float4", 4},
		{"double precision", Float8, "double precision", "float8", 8},
		{"double  precision", Float8, "double precision", "float8", 8},
		{"float", Float8, "double precision", "float8", 8},
		{"float(24)", Float4, "real", "float4", 4},
		{"float(25)", Float8, "double precision", "float8", 8},
		{"numeric", Numeric, "numeric", "numeric", -1},
		{"decimal(10,2)", NumericType(10, 2), "numeric(10,2)", "numeric", -1},
		{"numeric(5)", NumericType(5, 0), "numeric(5,0)", "numeric", -1},
		{"text", Text, "text", "text", -1},
		{"string", Text, "text", "text", -1},
		{"varchar", Varchar, "character varying", "varchar", -1},
		{"varchar(10)", VarcharType(10), "character varying(10)", "varchar", -1},
		{"character varying(10)", VarcharType(10), "character varying(10)", "varchar", -1},
		{"char", BPCharType(1), "character(1)", "bpchar", -1},
		{"char(22)", BPCharType(22), "character(22)", "bpchar", -1},
		{"character(5)", BPCharType(5), "character(5)", "bpchar", -1},
		{"bpchar", BPChar, "bpchar", "bpchar", -1},
		{"bool", Bool, "boolean", "bool", 1},
		{"boolean", Bool, "boolean", "bool", 1},
		{"bytea", Bytea, "bytea", "bytea", -1},
		{"date", Date, "date", "date", 4},
		{"timestamp", Timestamp, "timestamp without time zone", "timestamp", 8},
		{"timestamp without time zone", Timestamp, "timestamp without time zone", "timestamp", 8},
		{"timestamp(3)", T{OIDTimestamp, 3}, "timestamp(3) without time zone", "timestamp", 8},
		{"timestamptz", Timestamptz, "timestamp with time zone", "timestamptz", 8},
		{"timestamp with time zone", Timestamptz, "timestamp with time zone", "timestamptz", 8},
		{"timestamp(0) with time zone", T{OIDTimestamptz, 0}, "timestamp(0) with time zone", "timestamptz", 8},
		{"name", Name, "name", "name", 64},
		{"oid", Oid, "oid", "oid", 4},
		{"pg_catalog.regclass", Regclass, "regclass", "regclass", 4},
		{"regtype", Regtype, "regtype", "regtype", 4},
		{"pg_catalog.text", Text, "text", "text", -1},
		{"unknown", Unknown, "unknown", "unknown", -2},
	} {
		got, err := ParseTypeName(c.in)
		if err != nil {
			t.Errorf("ParseTypeName(%q): %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("ParseTypeName(%q) = %+v, want %+v", c.in, got, c.want)
		}
		if s := got.String(); s != c.str {
			t.Errorf("%q: String() = %q, want %q", c.in, s, c.str)
		}
		if s := got.TypName(); s != c.typname {
			t.Errorf("%q: TypName() = %q, want %q", c.in, s, c.typname)
		}
		if n := got.Size(); n != c.size {
			t.Errorf("%q: Size() = %d, want %d", c.in, n, c.size)
		}
	}
	for _, c := range []struct {
		in   string
		code sqlerr.Code
	}{
		{"nosuchtype", sqlerr.UndefinedObject},
		{"int(5)", sqlerr.UndefinedObject},
		{"varchar(0)", sqlerr.InvalidParameterValue},
		{"numeric(3,4)", sqlerr.InvalidParameterValue},
		{"numeric(0)", sqlerr.InvalidParameterValue},
		{"float(60)", sqlerr.InvalidParameterValue},
		{"interval", sqlerr.FeatureNotSupported},
		{"int[]", sqlerr.FeatureNotSupported},
		{"varchar(x)", sqlerr.SyntaxError},
	} {
		if _, err := ParseTypeName(c.in); sqlerr.CodeOf(err) != c.code {
			t.Errorf("ParseTypeName(%q): %v, want %s", c.in, err, c.code)
		}
	}
}

func TestNumericTypmod(t *testing.T) {
	typ := NumericType(10, 2)
	p, s, ok := typ.NumericPrecisionScale()
	if !ok || p != 10 || s != 2 || typ.Mod != (10<<16|2)+4 {
		t.Errorf("numeric(10,2): %d %d %v mod %d", p, s, ok, typ.Mod)
	}
	if VarcharType(10).Mod != 14 || VarcharType(10).Length() != 10 || Varchar.Length() != -1 {
		t.Error("varchar(10) typmod")
	}
}
