package types

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/chronos-db/chronos/engine/sqlerr"
)

// typeNames maps the names PostgreSQL (and Chronos's STRING) accept for a type
// without modifiers to the type.
var typeNames = map[string]T{
	"bool":                        Bool,
	"boolean":                     Bool,
	"int2":                        Int2,
	"smallint":                    Int2,
	"int":                         Int4,
	"int4":                        Int4,
	"integer":                     Int4,
	"int8":                        Int8,
	"bigint":                      Int8,
	"float4":                      Float4,
	"real":                        Float4,
	"float8":                      Float8,
	"float":                       Float8,
	"double precision":            Float8,
	"double":                      Float8,
	"numeric":                     Numeric,
	"decimal":                     Numeric,
	"dec":                         Numeric,
	"text":                        Text,
	"string":                      Text,
	"varchar":                     Varchar,
	"character varying":           Varchar,
	"char varying":                Varchar,
	"bpchar":                      BPChar,
	"char":                        {OIDBPChar, 1 + 4},
	"character":                   {OIDBPChar, 1 + 4},
	"name":                        Name,
	"bytea":                       Bytea,
	"date":                        Date,
	"timestamp":                   Timestamp,
	"timestamp without time zone": Timestamp,
	"timestamptz":                 Timestamptz,
	"timestamp with time zone":    Timestamptz,
	"oid":                         Oid,
	"regclass":                    Regclass,
	"regtype":                     Regtype,
	"regproc":                     Regproc,
	"unknown":                     Unknown,
	"serial":                      Int4,
	"serial4":                     Int4,
	"bigserial":                   Int8,
	"serial8":                     Int8,
	"smallserial":                 Int2,
	"serial2":                     Int2,
}

// unsupportedTypes are PostgreSQL types Chronos does not implement; naming
// one is 0A000 rather than "does not exist".
var unsupportedTypes = map[string]bool{
	"time": true, "time without time zone": true, "time with time zone": true, "timetz": true,
	"interval": true, "json": true, "jsonb": true, "uuid": true, "money": true, "bit": true,
	"bit varying": true, "varbit": true, "inet": true, "cidr": true, "macaddr": true, "xml": true,
	"point": true, "line": true, "box": true, "circle": true, "polygon": true, "path": true,
	"tsvector": true, "tsquery": true, "int4range": true, "int8range": true, "daterange": true,
	"tsrange": true, "tstzrange": true, "numrange": true, "record": true, "regproc": false,
}

// ParseTypeName parses a type name as written in SQL: "int", "integer",
// "varchar(10)", "character varying", "numeric(10,2)", "double precision",
// "timestamptz", "timestamp(3) with time zone", "pg_catalog.text",
// "string"... Unknown names are 42704 errors.
func ParseTypeName(name string) (T, error) {
	orig := name
	s := strings.ToLower(strings.Join(strings.Fields(name), " "))
	s = strings.ReplaceAll(s, "\"", "")
	s = strings.TrimPrefix(s, "pg_catalog.")
	undefined := func() (T, error) {
		return T{}, sqlerr.New(sqlerr.UndefinedObject, "type \"%s\" does not exist", strings.TrimSpace(orig))
	}
	if strings.HasSuffix(s, "[]") {
		return T{}, sqlerr.New(sqlerr.FeatureNotSupported, "array types are not supported: %s", strings.TrimSpace(orig))
	}
	// Split "base(mods) suffix".
	base, mods, suffix := s, "", ""
	if i := strings.IndexByte(s, '('); i >= 0 {
		j := strings.IndexByte(s[i:], ')')
		if j < 0 {
			return undefined()
		}
		base = strings.TrimSpace(s[:i])
		mods = s[i+1 : i+j]
		suffix = strings.TrimSpace(s[i+j+1:])
	}
	if suffix != "" {
		switch {
		case base == "timestamp" && (suffix == "with time zone" || suffix == "without time zone"):
			base += " " + suffix
		case base == "time" && (suffix == "with time zone" || suffix == "without time zone"):
			base += " " + suffix
		default:
			return undefined()
		}
	}
	t, ok := typeNames[base]
	if !ok {
		if unsupportedTypes[base] {
			return T{}, sqlerr.New(sqlerr.FeatureNotSupported, "type %s is not supported", base)
		}
		return undefined()
	}
	if mods == "" {
		if strings.IndexByte(s, '(') >= 0 {
			return undefined()
		}
		return t, nil
	}
	var nums []int
	for _, m := range strings.Split(mods, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(m))
		if err != nil {
			return T{}, sqlerr.New(sqlerr.SyntaxError, "type modifiers must be simple constants or identifiers")
		}
		nums = append(nums, n)
	}
	switch t.OID {
	case OIDVarchar, OIDBPChar:
		if len(nums) != 1 {
			return T{}, sqlerr.New(sqlerr.SyntaxError, "invalid type modifier")
		}
		if nums[0] < 1 {
			return T{}, sqlerr.New(sqlerr.InvalidParameterValue, "length for type %s must be at least 1", shortName(t.OID))
		}
		if nums[0] > 10485760 {
			return T{}, sqlerr.New(sqlerr.InvalidParameterValue, "length for type %s cannot exceed 10485760", shortName(t.OID))
		}
		return T{t.OID, int32(nums[0]) + 4}, nil
	case OIDNumeric:
		if len(nums) > 2 {
			return T{}, sqlerr.New(sqlerr.SyntaxError, "invalid NUMERIC type modifier")
		}
		p, sc := nums[0], 0
		if len(nums) == 2 {
			sc = nums[1]
		}
		if p < 1 || p > 1000 {
			return T{}, sqlerr.New(sqlerr.InvalidParameterValue, "NUMERIC precision %d must be between 1 and 1000", p)
		}
		if sc < 0 || sc > p {
			return T{}, sqlerr.New(sqlerr.InvalidParameterValue, "NUMERIC scale %d must be between 0 and precision %d", sc, p)
		}
		return NumericType(p, sc), nil
	case OIDTimestamp, OIDTimestamptz:
		if len(nums) != 1 {
			return T{}, sqlerr.New(sqlerr.SyntaxError, "invalid type modifier")
		}
		p := nums[0]
		if p < 0 {
			return T{}, sqlerr.New(sqlerr.InvalidParameterValue, "TIMESTAMP(%d) precision must not be negative", p)
		}
		if p > 6 {
			p = 6
		}
		return T{t.OID, int32(p)}, nil
	case OIDFloat8:
		if base != "float" || len(nums) != 1 {
			return undefined()
		}
		switch p := nums[0]; {
		case p < 1:
			return T{}, sqlerr.New(sqlerr.InvalidParameterValue, "precision for type float must be at least 1 bit")
		case p <= 24:
			return Float4, nil
		case p <= 53:
			return Float8, nil
		default:
			return T{}, sqlerr.New(sqlerr.InvalidParameterValue, "precision for type float must be less than 54 bits")
		}
	}
	return undefined()
}

// NumericType returns numeric(precision, scale).
func NumericType(precision, scale int) T {
	return T{OIDNumeric, int32(precision<<16|scale) + 4}
}

// VarcharType returns character varying(n).
func VarcharType(n int) T { return T{OIDVarchar, int32(n) + 4} }

// BPCharType returns character(n).
func BPCharType(n int) T { return T{OIDBPChar, int32(n) + 4} }

// Length returns n of varchar(n) and character(n), or -1 when unlimited.
func (t T) Length() int {
	if (t.OID == OIDVarchar || t.OID == OIDBPChar) && t.Mod >= 4 {
		return int(t.Mod - 4)
	}
	return -1
}

// NumericPrecisionScale returns the precision and scale of numeric(p,s);
// ok is false for unconstrained numeric.
func (t T) NumericPrecisionScale() (precision, scale int, ok bool) {
	if t.OID != OIDNumeric || t.Mod < 4 {
		return 0, 0, false
	}
	m := t.Mod - 4
	return int(m >> 16 & 0xffff), int(m & 0xffff), true
}

// shortName is the name PostgreSQL uses in messages about a type without
// its modifier (format_type's name with typemod -1).
func shortName(o OID) string {
	switch o {
	case OIDUnknown:
		return "unknown"
	case OIDBool:
		return "boolean"
	case OIDBytea:
		return "bytea"
	case OIDName:
		return "name"
	case OIDInt8:
		return "bigint"
	case OIDInt2:
		return "smallint"
	case OIDInt4:
		return "integer"
	case OIDRegproc:
		return "regproc"
	case OIDText:
		return "text"
	case OIDOid:
		return "oid"
	case OIDFloat4:
		return "real"
	case OIDFloat8:
		return "double precision"
	case OIDUnknownLit:
		return "unknown"
	case OIDBPChar:
		return "character"
	case OIDVarchar:
		return "character varying"
	case OIDDate:
		return "date"
	case OIDTime:
		return "time without time zone"
	case OIDTimestamp:
		return "timestamp without time zone"
	case OIDTimestamptz:
		return "timestamp with time zone"
	case OIDInterval:
		return "interval"
	case OIDNumeric:
		return "numeric"
	case OIDRegclass:
		return "regclass"
	case OIDRegtype:
		return "regtype"
	}
	return fmt.Sprintf("type %d", uint32(o))
}

// String is PostgreSQL's format_type(): "integer", "character varying(10)",
// "numeric(10,2)", "timestamp without time zone", ...
func (t T) String() string {
	switch t.OID {
	case OIDBPChar:
		if t.Mod < 4 {
			return "bpchar"
		}
		return fmt.Sprintf("character(%d)", t.Mod-4)
	case OIDVarchar:
		if t.Mod < 4 {
			return "character varying"
		}
		return fmt.Sprintf("character varying(%d)", t.Mod-4)
	case OIDNumeric:
		if p, s, ok := t.NumericPrecisionScale(); ok {
			return fmt.Sprintf("numeric(%d,%d)", p, s)
		}
	case OIDTimestamp:
		if t.Mod >= 0 {
			return fmt.Sprintf("timestamp(%d) without time zone", t.Mod)
		}
	case OIDTimestamptz:
		if t.Mod >= 0 {
			return fmt.Sprintf("timestamp(%d) with time zone", t.Mod)
		}
	}
	return shortName(t.OID)
}

// TypName is the type's pg_type.typname: "int4", "varchar", "bpchar",
// "timestamptz"... It names a cast's output column ('1'::int is "int4").
func (t T) TypName() string {
	switch t.OID {
	case OIDUnknown, OIDUnknownLit:
		return "unknown"
	case OIDBool:
		return "bool"
	case OIDBytea:
		return "bytea"
	case OIDName:
		return "name"
	case OIDInt8:
		return "int8"
	case OIDInt2:
		return "int2"
	case OIDInt4:
		return "int4"
	case OIDRegproc:
		return "regproc"
	case OIDText:
		return "text"
	case OIDOid:
		return "oid"
	case OIDFloat4:
		return "float4"
	case OIDFloat8:
		return "float8"
	case OIDBPChar:
		return "bpchar"
	case OIDVarchar:
		return "varchar"
	case OIDDate:
		return "date"
	case OIDTime:
		return "time"
	case OIDTimestamp:
		return "timestamp"
	case OIDTimestamptz:
		return "timestamptz"
	case OIDInterval:
		return "interval"
	case OIDNumeric:
		return "numeric"
	case OIDRegclass:
		return "regclass"
	case OIDRegtype:
		return "regtype"
	}
	return shortName(t.OID)
}

// Size is pg_type.typlen, as sent in RowDescription: the fixed byte width,
// -1 for variable-length types, -2 for unknown.
func (t T) Size() int16 {
	switch t.OID {
	case OIDBool:
		return 1
	case OIDInt2:
		return 2
	case OIDInt4, OIDFloat4, OIDOid, OIDRegclass, OIDRegtype, OIDRegproc, OIDDate:
		return 4
	case OIDInt8, OIDFloat8, OIDTimestamp, OIDTimestamptz, OIDTime:
		return 8
	case OIDInterval:
		return 16
	case OIDName:
		return 64
	case OIDUnknown, OIDUnknownLit:
		return -2
	}
	return -1
}

// Category is PostgreSQL's pg_type.typcategory: 'B' boolean, 'N' numeric,
// 'S' string, 'D' date/time, 'U' user (bytea), 'X' unknown.
func (t T) Category() byte {
	switch t.OID {
	case OIDBool:
		return 'B'
	case OIDInt2, OIDInt4, OIDInt8, OIDFloat4, OIDFloat8, OIDNumeric, OIDOid, OIDRegclass, OIDRegtype, OIDRegproc:
		return 'N'
	case OIDText, OIDVarchar, OIDBPChar, OIDName:
		return 'S'
	case OIDDate, OIDTimestamp, OIDTimestamptz, OIDTime:
		return 'D'
	case OIDUnknown, OIDUnknownLit:
		return 'X'
	}
	return 'U'
}

// IsInteger reports whether t is int2, int4 or int8.
func (t T) IsInteger() bool {
	return t.OID == OIDInt2 || t.OID == OIDInt4 || t.OID == OIDInt8
}

// IsFloat reports whether t is float4 or float8.
func (t T) IsFloat() bool { return t.OID == OIDFloat4 || t.OID == OIDFloat8 }

// IsString reports whether t is text, varchar, bpchar or name.
func (t T) IsString() bool { return t.Category() == 'S' }

// IsUnknown reports whether t is the type of an untyped literal or NULL.
func (t T) IsUnknown() bool { return t.OID == OIDUnknown || t.OID == OIDUnknownLit }

// IsOIDLike reports whether t is oid or one of the reg* alias types, whose
// values are int64 object identifiers.
func (t T) IsOIDLike() bool {
	return t.OID == OIDOid || t.OID == OIDRegclass || t.OID == OIDRegtype || t.OID == OIDRegproc
}

// Base returns t without its modifier.
func (t T) Base() T { return T{t.OID, -1} }
