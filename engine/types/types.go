// Package types is Chronos's SQL type system: the PostgreSQL types the engine
// stores and computes with, how their values are represented in Go, and their
// text forms.
//
// A value is a types.Value holding one of these Go types, chosen by the
// column's type:
//
//	NULL                          nil
//	bool                          bool
//	int2, int4, int8              int64 (range checked against the type)
//	float4, float8                float64 (float4 rounded to float32 precision)
//	numeric                       *apd.Decimal (github.com/cockroachdb/apd/v3), never mutated once stored
//	text, varchar, bpchar, name   string
//	bytea                         []byte
//	date                          time.Time, midnight UTC of that day
//	timestamp                     time.Time in UTC, the wall-clock reading without a zone
//	timestamptz                   time.Time in UTC
//	unknown (untyped literal)     string
//
// FormatText and ParseText are the PostgreSQL text forms (what psql prints,
// what COPY text and CSV files hold); pgwire adds the binary forms.
package types

// Value is one SQL value; see the package documentation for the Go type held
// for each SQL type.
type Value = any

// OID is a PostgreSQL type object identifier, as sent in RowDescription and
// ParameterDescription.
type OID uint32

// The type OIDs Chronos knows, with PostgreSQL's numbers.
const (
	OIDUnknown     OID = 0
	OIDBool        OID = 16
	OIDBytea       OID = 17
	OIDName        OID = 19
	OIDInt8        OID = 20
	OIDInt2        OID = 21
	OIDInt4        OID = 23
	OIDRegproc     OID = 24
	OIDText        OID = 25
	OIDOid         OID = 26
	OIDFloat4      OID = 700
	OIDFloat8      OID = 701
	OIDUnknownLit  OID = 705
	OIDBPChar      OID = 1042
	OIDVarchar     OID = 1043
	OIDDate        OID = 1082
	OIDTime        OID = 1083
	OIDTimestamp   OID = 1114
	OIDTimestamptz OID = 1184
	OIDInterval    OID = 1186
	OIDNumeric     OID = 1700
	OIDRegclass    OID = 2205
	OIDRegtype     OID = 2206
)

// T is a SQL type: a type OID and its type modifier, as PostgreSQL's atttypmod
// (-1 when none; varchar(n) and bpchar(n) store n+4; numeric(p,s) stores
// ((p<<16)|s)+4).
type T struct {
	OID OID
	Mod int32
}

// The unmodified types.
var (
	Unknown     = T{OIDUnknown, -1}
	Bool        = T{OIDBool, -1}
	Bytea       = T{OIDBytea, -1}
	Int2        = T{OIDInt2, -1}
	Int4        = T{OIDInt4, -1}
	Int8        = T{OIDInt8, -1}
	Float4      = T{OIDFloat4, -1}
	Float8      = T{OIDFloat8, -1}
	Numeric     = T{OIDNumeric, -1}
	Text        = T{OIDText, -1}
	Varchar     = T{OIDVarchar, -1}
	BPChar      = T{OIDBPChar, -1}
	Name        = T{OIDName, -1}
	Date        = T{OIDDate, -1}
	Timestamp   = T{OIDTimestamp, -1}
	Timestamptz = T{OIDTimestamptz, -1}
	Oid         = T{OIDOid, -1}
	Regclass    = T{OIDRegclass, -1}
	Regtype     = T{OIDRegtype, -1}
	Regproc     = T{OIDRegproc, -1}
	UnknownLit  = T{OIDUnknownLit, -1}
)
