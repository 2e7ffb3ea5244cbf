package dialect

// quoteReserved reports whether the word in[i] must be quoted for the TiDB
// parser: a word TiDB reserves that PostgreSQL allows as a name, used as a
// name here.
func quoteReserved(in []token, i int) bool {
	t := in[i]
	if t.kind != tkIdent {
		return false
	}
	rule, ok := tidbReserved[t.val]
	if !ok {
		return false
	}
	prev, next := token{}, token{}
	if i > 0 {
		prev = in[i-1]
	}
	if i+1 < len(in) {
		next = in[i+1]
	}
	if next.isPunct("(") && rule != quoteAlways {
		return false
	}
	switch rule {
	case quoteUnlessCall, quoteAlways:
		return true
	case quoteKey:
		return !prev.is("primary") && !prev.is("foreign")
	case quoteIndex:
		return !prev.is("create") && !prev.is("unique") && !prev.is("drop")
	case quoteFrame:
		return !next.is("between") && !next.is("unbounded") && !next.is("current") && next.kind != tkNumber
	case quotePartition:
		return !next.is("by")
	case quoteRead:
		return !next.is("only") && !next.is("write") && !next.is("committed") && !next.is("uncommitted")
	case quoteGenerated:
		return !next.is("always") && !next.is("by")
	case quoteStored:
		return !prev.isPunct(")")
	case quoteMatch:
		return !next.is("full") && !next.is("partial") && !next.is("simple")
	case quoteDouble:
		return !next.is("precision")
	case quotePrecision:
		return !prev.is("double")
	case quoteInterval:
		return next.kind != tkString
	}
	return false
}

// The rules of tidbReserved.
const (
	quoteAlways = iota + 1
	quoteUnlessCall
	quoteKey
	quoteIndex
	quoteFrame
	quotePartition
	quoteRead
	quoteGenerated
	quoteStored
	quoteMatch
	quoteDouble
	quotePrecision
	quoteInterval
)

// tidbReserved lists words the TiDB parser reserves that PostgreSQL lets
// name columns and tables, with the rule that tells a name from the keyword.
var tidbReserved = map[string]int{
	"key": quoteKey, "keys": quoteAlways, "index": quoteIndex, "usage": quoteAlways,
	"option": quoteAlways, "lines": quoteAlways, "long": quoteAlways, "sql": quoteAlways,
	"ssl": quoteAlways, "require": quoteAlways, "spatial": quoteAlways, "starting": quoteAlways,
	"terminated": quoteAlways, "escaped": quoteAlways, "enclosed": quoteAlways,
	"infile": quoteAlways, "outfile": quoteAlways, "linear": quoteAlways, "maxvalue": quoteAlways,
	"delayed": quoteAlways, "fulltext": quoteAlways, "low_priority": quoteAlways,
	"high_priority": quoteAlways, "optimize": quoteAlways, "unsigned": quoteAlways,
	"zerofill": quoteAlways, "xor": quoteAlways, "kill": quoteAlways, "leave": quoteAlways,
	"exit": quoteAlways, "iterate": quoteAlways, "elseif": quoteAlways, "while": quoteAlways,
	"until": quoteAlways, "cursor": quoteAlways, "inout": quoteAlways, "out": quoteAlways,
	"procedure": quoteAlways, "sqlexception": quoteAlways, "sqlstate": quoteAlways,
	"sqlwarning": quoteAlways, "change": quoteAlways, "continue": quoteAlways,
	"year_month": quoteAlways, "day_hour": quoteAlways, "day_microsecond": quoteAlways,
	"day_minute": quoteAlways, "day_second": quoteAlways, "hour_microsecond": quoteAlways,
	"hour_minute": quoteAlways, "hour_second": quoteAlways, "minute_microsecond": quoteAlways,
	"minute_second": quoteAlways, "second_microsecond": quoteAlways, "middleint": quoteAlways,
	"int1": quoteAlways, "int3": quoteAlways, "mediumint": quoteAlways, "tinyint": quoteAlways,
	"tinyblob": quoteAlways, "tinytext": quoteAlways, "mediumblob": quoteAlways,
	"mediumtext": quoteAlways, "longblob": quoteAlways, "longtext": quoteAlways,
	"varbinary": quoteAlways, "varcharacter": quoteAlways, "distinctrow": quoteAlways,
	"straight_join": quoteAlways, "sql_big_result": quoteAlways, "sql_small_result": quoteAlways,
	"sql_calc_found_rows": quoteAlways, "no_write_to_binlog": quoteAlways, "unlock": quoteAlways,
	"use": quoteAlways, "release": quoteAlways, "dual": quoteAlways, "tidb_current_tso": quoteAlways,
	"virtual": quoteAlways, "force": quoteAlways, "ignore": quoteAlways, "rlike": quoteAlways,
	"regexp": quoteAlways, "load": quoteAlways, "stored": quoteStored,
	"generated": quoteGenerated, "match": quoteMatch,
	"replace": quoteUnlessCall, "repeat": quoteUnlessCall, "convert": quoteUnlessCall,
	"mod": quoteUnlessCall, "div": quoteUnlessCall, "rank": quoteUnlessCall,
	"dense_rank": quoteUnlessCall, "row_number": quoteUnlessCall, "percent_rank": quoteUnlessCall,
	"cume_dist": quoteUnlessCall, "ntile": quoteUnlessCall, "lag": quoteUnlessCall,
	"lead": quoteUnlessCall, "first_value": quoteUnlessCall, "last_value": quoteUnlessCall,
	"nth_value": quoteUnlessCall, "int2": quoteUnlessCall, "int4": quoteUnlessCall,
	"int8": quoteUnlessCall, "float4": quoteUnlessCall, "float8": quoteUnlessCall,
	"utc_date": quoteUnlessCall, "utc_time": quoteUnlessCall, "utc_timestamp": quoteUnlessCall,
	"range": quoteFrame, "rows": quoteFrame, "groups": quoteFrame, "partition": quotePartition,
	"read": quoteRead, "double": quoteDouble, "precision": quotePrecision, "interval": quoteInterval,
}
