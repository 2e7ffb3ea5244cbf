package dialect

import (
	"strconv"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	parsertypes "github.com/pingcap/tidb/pkg/parser/types"
)

// The PostgreSQL column types and the TiDB types they are written as in the
// text given to the TiDB parser. Each PostgreSQL type has its own TiDB type,
// so ColumnType can map it back exactly:
//
//	smallint, int2                      SMALLINT
//	integer, int, int4                  INT
//	bigint, int8                        BIGINT
//	smallserial, serial, bigserial      SMALLINT / INT / BIGINT UNSIGNED NOT NULL
//	real, float4, float(1..24)          FLOAT
//	double precision, float8, float     DOUBLE
//	numeric, decimal                    DECIMAL            (unconstrained)
//	numeric(p[,s])                      DECIMAL(p,s)
//	text, string                        TEXT
//	varchar, character varying          MEDIUMTEXT         (no length limit)
//	varchar(n)                          VARCHAR(n)
//	char(n), character(n), char         CHAR(n)            (char is char(1))
//	bpchar                              LONGTEXT           (blank-padded, no length)
//	boolean, bool                       BOOLEAN
//	bytea                               BLOB
//	date                                DATE
//	timestamp [(p)] [without time zone] DATETIME[(p)]
//	timestamptz, timestamp with time zone TIMESTAMP[(p)]
//	time [(p)] [without time zone]      TIME[(p)]

// maxVarcharLen is PostgreSQL's limit on varchar(n) and char(n).
const maxVarcharLen = 10485760

// unsupportedTypes are PostgreSQL types Chronos does not store yet.
var unsupportedTypes = map[string]bool{
	"json": true, "jsonb": true, "uuid": true, "interval": true, "timetz": true, "money": true,
	"inet": true, "cidr": true, "macaddr": true, "macaddr8": true, "xml": true, "bit": true,
	"bit varying": true, "varbit": true, "point": true, "line": true, "lseg": true, "box": true,
	"path": true, "polygon": true, "circle": true, "tsvector": true, "tsquery": true, "oid": true,
	"name": true, "regclass": true, "regtype": true, "regproc": true, "int4range": true,
	"int8range": true, "numrange": true, "tsrange": true, "tstzrange": true, "daterange": true,
	"pg_lsn": true, "txid_snapshot": true,
}

// tidbType returns the TiDB column type for a PostgreSQL type name and
// whether it is a serial type. Errors carry no position.
func tidbType(tn typeName) (string, bool, *sqlerr.Error) {
	if tn.arrays > 0 {
		return "", false, sqlerr.New(sqlerr.FeatureNotSupported, "array types are not supported")
	}
	base := tn.base
	if tn.quoted {
		if base == "char" {
			return "", false, sqlerr.New(sqlerr.FeatureNotSupported, "type \"char\" is not supported")
		}
		if _, ok := canonicalTypes[base]; !ok {
			return "", false, sqlerr.New(sqlerr.UndefinedObject, "type \"%s\" does not exist", base)
		}
	}
	noMods := func(s string, serial bool) (string, bool, *sqlerr.Error) {
		if len(tn.mods) > 0 {
			return "", false, sqlerr.New(sqlerr.SyntaxError, "type modifier is not allowed for type \"%s\"", base)
		}
		return s, serial, nil
	}
	switch base {
	case "smallint", "int2":
		return noMods("SMALLINT", false)
	case "integer", "int", "int4":
		return noMods("INT", false)
	case "bigint", "int8":
		return noMods("BIGINT", false)
	case "smallserial", "serial2":
		return noMods("SMALLINT", true)
	case "serial", "serial4":
		return noMods("INT", true)
	case "bigserial", "serial8":
		return noMods("BIGINT", true)
	case "real", "float4":
		return noMods("FLOAT", false)
	case "double precision", "float8":
		return noMods("DOUBLE", false)
	case "float":
		if len(tn.mods) == 0 {
			return "DOUBLE", false, nil
		}
		p, ok := tn.modInt(0)
		switch {
		case !ok || len(tn.mods) > 1:
			return "", false, sqlerr.New(sqlerr.SyntaxError, "invalid type modifier for type float")
		case p < 1:
			return "", false, sqlerr.New(sqlerr.InvalidParameterValue, "precision for type float must be at least 1 bit")
		case p > 53:
			return "", false, sqlerr.New(sqlerr.InvalidParameterValue, "precision for type float must be less than 54 bits")
		case p <= 24:
			return "FLOAT", false, nil
		}
		return "DOUBLE", false, nil
	case "numeric", "decimal", "dec":
		return numericType(tn)
	case "text", "string":
		return noMods("TEXT", false)
	case "varchar", "character varying", "char varying":
		if len(tn.mods) == 0 {
			return "MEDIUMTEXT", false, nil
		}
		n, err := lengthMod(tn, "varchar")
		if err != nil {
			return "", false, err
		}
		return "VARCHAR(" + strconv.Itoa(n) + ")", false, nil
	case "character", "char", "bpchar":
		if len(tn.mods) == 0 {
			if base == "bpchar" {
				return "LONGTEXT", false, nil
			}
			return "CHAR(1)", false, nil
		}
		n, err := lengthMod(tn, "char")
		if err != nil {
			return "", false, err
		}
		return "CHAR(" + strconv.Itoa(n) + ")", false, nil
	case "boolean", "bool":
		return noMods("BOOLEAN", false)
	case "bytea":
		return noMods("BLOB", false)
	case "date":
		return noMods("DATE", false)
	case "timestamp", "timestamptz", "time":
		tidb := map[string]string{"timestamp": "DATETIME", "timestamptz": "TIMESTAMP", "time": "TIME"}[base]
		if tn.zone == "with time zone" {
			if base == "time" {
				return "", false, sqlerr.New(sqlerr.FeatureNotSupported, "type time with time zone is not supported")
			}
			tidb = "TIMESTAMP"
		}
		if len(tn.mods) == 0 {
			return tidb, false, nil
		}
		p, ok := tn.modInt(0)
		if !ok || len(tn.mods) > 1 {
			return "", false, sqlerr.New(sqlerr.SyntaxError, "invalid type modifier")
		}
		if p < 0 {
			return "", false, sqlerr.New(sqlerr.InvalidParameterValue, "TIMESTAMP(%d) precision must not be negative", p)
		}
		return tidb + "(" + strconv.Itoa(min(p, 6)) + ")", false, nil
	}
	if unsupportedTypes[base] {
		return "", false, sqlerr.New(sqlerr.FeatureNotSupported, "type %s is not supported", base)
	}
	return "", false, sqlerr.New(sqlerr.UndefinedObject, "type \"%s\" does not exist", base)
}

// canonicalTypes are the type names that may also be written quoted.
var canonicalTypes = map[string]struct{}{
	"int2": {}, "int4": {}, "int8": {}, "float4": {}, "float8": {}, "numeric": {}, "text": {},
	"varchar": {}, "bpchar": {}, "bool": {}, "bytea": {}, "date": {}, "timestamp": {},
	"timestamptz": {}, "time": {},
}

// numericType maps numeric[(p[,s])].
func numericType(tn typeName) (string, bool, *sqlerr.Error) {
	if len(tn.mods) == 0 {
		return "DECIMAL", false, nil
	}
	if len(tn.mods) > 2 {
		return "", false, sqlerr.New(sqlerr.SyntaxError, "invalid NUMERIC type modifier")
	}
	p, ok := tn.modInt(0)
	s := 0
	if ok && len(tn.mods) == 2 {
		s, ok = tn.modInt(1)
	}
	if !ok {
		return "", false, sqlerr.New(sqlerr.SyntaxError, "invalid NUMERIC type modifier")
	}
	if p < 1 || p > 1000 {
		return "", false, sqlerr.New(sqlerr.InvalidParameterValue, "NUMERIC precision %d must be between 1 and 1000", p)
	}
	if s < 0 || s > p {
		return "", false, sqlerr.New(sqlerr.InvalidParameterValue, "NUMERIC scale %d must be between 0 and precision %d", s, p)
	}
	return "DECIMAL(" + strconv.Itoa(p) + "," + strconv.Itoa(s) + ")", false, nil
}

// lengthMod checks the length of varchar(n) or char(n).
func lengthMod(tn typeName, name string) (int, *sqlerr.Error) {
	n, ok := tn.modInt(0)
	if !ok || len(tn.mods) > 1 {
		return 0, sqlerr.New(sqlerr.SyntaxError, "invalid type modifier")
	}
	if n < 1 {
		return 0, sqlerr.New(sqlerr.InvalidParameterValue, "length for type %s must be at least 1", name)
	}
	if n > maxVarcharLen {
		return 0, sqlerr.New(sqlerr.InvalidParameterValue, "length for type %s cannot exceed %d", name, maxVarcharLen)
	}
	return n, nil
}

// ColumnType maps a column type parsed from a rewritten CREATE TABLE or
// ALTER TABLE ADD COLUMN back to the PostgreSQL type the user wrote (see the
// table above). serial is true for smallserial, serial and bigserial (and
// GENERATED AS IDENTITY), whose column takes its default from a sequence;
// the rewrite has added NOT NULL to such a column already.
func ColumnType(ft *parsertypes.FieldType) (t types.T, serial bool, err error) {
	unsigned := mysql.HasUnsignedFlag(ft.GetFlag())
	binary := ft.GetCharset() == "binary" || mysql.HasBinaryFlag(ft.GetFlag())
	flen, dec := ft.GetFlen(), ft.GetDecimal()
	switch ft.GetType() {
	case mysql.TypeShort:
		return types.Int2, unsigned, nil
	case mysql.TypeLong:
		return types.Int4, unsigned, nil
	case mysql.TypeLonglong:
		return types.Int8, unsigned, nil
	case mysql.TypeFloat:
		return types.Float4, false, nil
	case mysql.TypeDouble:
		return types.Float8, false, nil
	case mysql.TypeNewDecimal:
		if flen <= 0 {
			return types.Numeric, false, nil
		}
		return types.T{OID: types.OIDNumeric, Mod: int32(flen<<16|max(dec, 0)) + 4}, false, nil
	case mysql.TypeBlob:
		if binary {
			return types.Bytea, false, nil
		}
		return types.Text, false, nil
	case mysql.TypeMediumBlob:
		if !binary {
			return types.Varchar, false, nil
		}
	case mysql.TypeLongBlob:
		if !binary {
			return types.BPChar, false, nil
		}
	case mysql.TypeVarchar:
		if !binary && flen > 0 {
			return types.T{OID: types.OIDVarchar, Mod: int32(flen) + 4}, false, nil
		}
	case mysql.TypeString:
		if !binary && flen > 0 {
			return types.T{OID: types.OIDBPChar, Mod: int32(flen) + 4}, false, nil
		}
	case mysql.TypeTiny:
		if flen == 1 {
			return types.Bool, false, nil
		}
	case mysql.TypeDate:
		return types.Date, false, nil
	case mysql.TypeDatetime:
		return types.T{OID: types.OIDTimestamp, Mod: precisionMod(dec)}, false, nil
	case mysql.TypeTimestamp:
		return types.T{OID: types.OIDTimestamptz, Mod: precisionMod(dec)}, false, nil
	case mysql.TypeDuration:
		return types.T{OID: types.OIDTime, Mod: precisionMod(dec)}, false, nil
	}
	return types.Unknown, false, sqlerr.New(sqlerr.FeatureNotSupported, "column type %s is not supported", ft.String())
}

// precisionMod is the typmod of a time type with fractional precision dec
// (-1 when none was given).
func precisionMod(dec int) int32 {
	if dec < 0 {
		return -1
	}
	return int32(dec)
}
