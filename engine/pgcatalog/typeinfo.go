package pgcatalog

import "github.com/chronos-db/chronos/engine/types"

// typeInfo is one pg_type row: the properties of a builtin type that
// psql and drivers read.
type typeInfo struct {
	oid       types.OID
	name      string
	len       int
	byVal     bool
	category  string
	align     string
	storage   string // 'p' plain, 'x' extended, 'm' main
	collation uint32
}

// builtinTypes are the types Chronos implements, with PostgreSQL's
// properties.
var builtinTypes = []typeInfo{
	{types.OIDBool, "bool", 1, true, "B", "c", "p", 0},
	{types.OIDBytea, "bytea", -1, false, "U", "i", "x", 0},
	{18, "char", 1, true, "Z", "c", "p", 0},
	{types.OIDName, "name", 64, false, "S", "c", "p", oidCollC},
	{types.OIDInt8, "int8", 8, true, "N", "d", "p", 0},
	{types.OIDInt2, "int2", 2, true, "N", "s", "p", 0},
	{types.OIDInt4, "int4", 4, true, "N", "i", "p", 0},
	{types.OIDRegproc, "regproc", 4, true, "N", "i", "p", 0},
	{types.OIDText, "text", -1, false, "S", "i", "x", oidCollDefault},
	{types.OIDOid, "oid", 4, true, "N", "i", "p", 0},
	{types.OIDFloat4, "float4", 4, true, "N", "i", "p", 0},
	{types.OIDFloat8, "float8", 8, true, "N", "d", "p", 0},
	{types.OIDUnknownLit, "unknown", -2, false, "X", "c", "p", 0},
	{types.OIDBPChar, "bpchar", -1, false, "S", "i", "x", oidCollDefault},
	{types.OIDVarchar, "varchar", -1, false, "S", "i", "x", oidCollDefault},
	{types.OIDDate, "date", 4, true, "D", "i", "p", 0},
	{types.OIDTime, "time", 8, true, "D", "d", "p", 0},
	{types.OIDTimestamp, "timestamp", 8, true, "D", "d", "p", 0},
	{types.OIDTimestamptz, "timestamptz", 8, true, "D", "d", "p", 0},
	{types.OIDInterval, "interval", 16, false, "T", "d", "p", 0},
	{types.OIDNumeric, "numeric", -1, false, "N", "i", "m", 0},
	{types.OIDRegclass, "regclass", 4, true, "N", "i", "p", 0},
	{types.OIDRegtype, "regtype", 4, true, "N", "i", "p", 0},
}

// typeByOID returns the pg_type properties of a type.
func typeByOID(o types.OID) typeInfo {
	for _, t := range builtinTypes {
		if t.oid == o {
			return t
		}
	}
	return typeInfo{oid: o, name: "unknown", len: -1, category: "U", align: "i", storage: "x"}
}
