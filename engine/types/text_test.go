package types

import (
	"testing"

	"github.com/chronos-db/chronos/engine/sqlerr"
)

// textCases are the results of SELECT 'input'::type in PostgreSQL 15 with
// DateStyle ISO, MDY and TimeZone UTC: the text output or "ERROR code:
// message". A modifier applies as in that cast (explicit: strings are cut).
var textCases = []struct{ typ, in, want string }{
	{"int2", "32767", "32767"},
	{"int2", "32768", `ERROR 22003: value "32768" is out of range for type smallint`},
	{"int2", "-32768", "-32768"},
	{"int2", " 12 ", "12"},
	{"int2", "1.0", `ERROR 22P02: invalid input syntax for type smallint: "1.0"`},
	{"int4", "-2147483648", "-2147483648"},
	{"int4", "2147483648", `ERROR 22003: value "2147483648" is out of range for type integer`},
	{"int4", "+15", "15"},
	{"int4", "0x10", `ERROR 22P02: invalid input syntax for type integer: "0x10"`},
	{"int4", "1_000", `ERROR 22P02: invalid input syntax for type integer: "1_000"`},
	{"int4", "", `ERROR 22P02: invalid input syntax for type integer: ""`},
	{"int4", "- 5", `ERROR 22P02: invalid input syntax for type integer: "- 5"`},
	{"int8", "9223372036854775807", "9223372036854775807"},
	{"int8", "-9223372036854775809", `ERROR 22003: value "-9223372036854775809" is out of range for type bigint`},
	{"int8", "abc", `ERROR 22P02: invalid input syntax for type bigint: "abc"`},
	{"float8", "0.1", "0.1"},
	{"float8", "1e20", "1e+20"},
	{"float8", "1e15", "1e+15"},
	{"float8", "1e14", "100000000000000"},
	{"float8", "123456789012345.6", "123456789012345.6"},
	{"float8", "0.0001", "0.0001"},
	{"float8", "0.00001", "1e-05"},
	{"float8", "-0", "-0"},
	{"float8", "NaN", "NaN"},
	{"float8", "nan", "NaN"},
	{"float8", "-inf", "-Infinity"},
	{"float8", "Infinity", "Infinity"},
	{"float8", "1e308", "1e+308"},
	{"float8", "1e309", `ERROR 22003: "1e309" is out of range for type double precision`},
	{"float8", "4.9e-324", "5e-324"},
	{"float8", "1e-400", `ERROR 22003: "1e-400" is out of range for type double precision`},
	{"float8", "  3.25  ", "3.25"},
	{"float8", "3.25x", `ERROR 22P02: invalid input syntax for type double precision: "3.25x"`},
	{"float8", ".5", "0.5"},
	{"float8", "5.", "5"},
	{"float8", "1E+2", "100"},
	{"float8", "2.2250738585072014e-308", "2.2250738585072014e-308"},
	{"float4", "0.1", "0.1"},
	{"float4", "1e10", "1e+10"},
	{"float4", "123456", "123456"},
	{"float4", "1234567", "1.234567e+06"},
	{"float4", "3.4028235e38", "3.4028235e+38"},
	{"float4", "3.5e38", `ERROR 22003: "3.5e38" is out of range for type real`},
	{"float4", "1e-46", `ERROR 22003: "1e-46" is out of range for type real`},
	{"float4", "16777217", "1.6777216e+07"},
	{"numeric", "0", "0"},
	{"numeric", "-0", "0"},
	{"numeric", "0.000", "0.000"},
	{"numeric", "-0.00", "0.00"},
	{"numeric", "1.50", "1.50"},
	{"numeric", "  -1.50  ", "-1.50"},
	{"numeric", "1e3", "1000"},
	{"numeric", "1.5e-3", "0.0015"},
	{"numeric", "-1.5E+3", "-1500"},
	{"numeric", "123456789012345678901234567890.123456789", "123456789012345678901234567890.123456789"},
	{"numeric", "NaN", "NaN"},
	{"numeric", "-Infinity", "-Infinity"},
	{"numeric", "inf", "Infinity"},
	{"numeric", ".5", "0.5"},
	{"numeric", "5.", "5"},
	{"numeric", "1e", `ERROR 22P02: invalid input syntax for type numeric: "1e"`},
	{"numeric", "abc", `ERROR 22P02: invalid input syntax for type numeric: "abc"`},
	{"numeric", "1 2", `ERROR 22P02: invalid input syntax for type numeric: "1 2"`},
	{"numeric(5,2)", "123.456", "123.46"},
	{"numeric(5,2)", "999.995", "ERROR 22003: numeric field overflow"},
	{"numeric(5,2)", "-999.994", "-999.99"},
	{"numeric(3,0)", "2.5", "3"},
	{"numeric(3,0)", "-2.5", "-3"},
	{"numeric(2,2)", "0.995", "ERROR 22003: numeric field overflow"},
	{"numeric(4,1)", "NaN", "NaN"},
	{"numeric(4,1)", "Infinity", "ERROR 22003: numeric field overflow"},
	{"bool", "t", "t"},
	{"bool", "TRUE", "t"},
	{"bool", "yes", "t"},
	{"bool", "y", "t"},
	{"bool", "on", "t"},
	{"bool", "off", "f"},
	{"bool", "of", "f"},
	{"bool", "o", `ERROR 22P02: invalid input syntax for type boolean: "o"`},
	{"bool", "1", "t"},
	{"bool", "0", "f"},
	{"bool", " f ", "f"},
	{"bool", "2", `ERROR 22P02: invalid input syntax for type boolean: "2"`},
	{"bool", "", `ERROR 22P02: invalid input syntax for type boolean: ""`},
	{"text", "hello", "hello"},
	{"varchar(3)", "abc", "abc"},
	{"varchar(3)", "abcd", "abc"},
	{"varchar(3)", "ab   ", "ab "},
	{"varchar(3)", "日本語", "日本語"},
	{"varchar(3)", "日本語x", "日本語"},
	{"char(3)", "a", "a  "},
	{"char(3)", "abcd", "abc"},
	{"char(3)", "abc   ", "abc"},
	{"bpchar", "a  ", "a  "},
	{"name", "abc", "abc"},
	{"bytea", `\x0aFF`, `\x0aff`},
	{"bytea", `\x 0a ff`, `\x0aff`},
	{"bytea", `\x0`, "ERROR 22023: invalid hexadecimal data: odd number of digits"},
	{"bytea", `\xgg`, `ERROR 22023: invalid hexadecimal digit: "g"`},
	{"bytea", "abc", `\x616263`},
	{"bytea", `a\\b`, `\x615c62`},
	{"bytea", `a\101`, `\x6141`},
	{"bytea", `a\1`, "ERROR 22P02: invalid input syntax for type bytea"},
	{"bytea", `\`, "ERROR 22P02: invalid input syntax for type bytea"},
	{"date", "2024-01-02", "2024-01-02"},
	{"date", "2024-1-2", "2024-01-02"},
	{"date", "1/2/2024", "2024-01-02"},
	{"date", "01/02/24", "2024-01-02"},
	{"date", "2024/01/02", "2024-01-02"},
	{"date", "January 8, 1999", "1999-01-08"},
	{"date", "8 Jan 1999", "1999-01-08"},
	{"date", "Jan-08-1999", "1999-01-08"},
	{"date", "08-Jan-1999", "1999-01-08"},
	{"date", "1999-Jan-08", "1999-01-08"},
	{"date", "19990108", "1999-01-08"},
	{"date", "2024-02-29", "2024-02-29"},
	{"date", "2023-02-29", `ERROR 22008: date/time field value out of range: "2023-02-29"`},
	{"date", "2024-00-10", `ERROR 22008: date/time field value out of range: "2024-00-10"`},
	{"date", "0001-01-01", "0001-01-01"},
	{"date", "0001-01-01 BC", "0001-01-01 BC"},
	{"date", "4713-11-24 BC", "4713-11-24 BC"},
	{"date", "4714-11-23 BC", `ERROR 22008: date out of range: "4714-11-23 BC"`},
	{"date", "infinity", "infinity"},
	{"date", "-infinity", "-infinity"},
	{"date", "epoch", "1970-01-01"},
	{"date", "garbage", `ERROR 22007: invalid input syntax for type date: "garbage"`},
	{"date", "2024-01-02 10:00:00", "2024-01-02"},
	{"date", "2024-01-02T10:00:00", "2024-01-02"},
	{"timestamp", "2024-01-02 03:04:05", "2024-01-02 03:04:05"},
	{"timestamp", "2024-01-02 03:04:05.123456", "2024-01-02 03:04:05.123456"},
	{"timestamp", "2024-01-02 03:04:05.1234565", "2024-01-02 03:04:05.123456"},
	{"timestamp", "2024-01-02 03:04:05.9999995", "2024-01-02 03:04:06"},
	{"timestamp", "2024-01-02 03:04:05.5", "2024-01-02 03:04:05.5"},
	{"timestamp", "2024-01-02T03:04:05", "2024-01-02 03:04:05"},
	{"timestamp", "2024-01-02 03:04", "2024-01-02 03:04:00"},
	{"timestamp", "2024-01-02", "2024-01-02 00:00:00"},
	{"timestamp", "2024-01-02 24:00:00", "2024-01-03 00:00:00"},
	{"timestamp", "2024-01-02 24:00:01", `ERROR 22008: date/time field value out of range: "2024-01-02 24:00:01"`},
	{"timestamp", "2024-01-02 23:60:00", `ERROR 22008: date/time field value out of range: "2024-01-02 23:60:00"`},
	{"timestamp", "2024-01-02 23:59:60", "2024-01-03 00:00:00"},
	{"timestamp", "2024-01-02 03:04:05+05", "2024-01-02 03:04:05"},
	{"timestamp", "2024-01-02 03:04:05 BC", "2024-01-02 03:04:05 BC"},
	{"timestamp", "infinity", "infinity"},
	{"timestamp", "1999-01-08 04:05:06 UTC", "1999-01-08 04:05:06"},
	{"timestamp", "garbage", `ERROR 22007: invalid input syntax for type timestamp: "garbage"`},
	{"timestamptz", "2024-01-02 03:04:05+02", "2024-01-02 01:04:05+00"},
	{"timestamptz", "2024-01-02 03:04:05-0230", "2024-01-02 05:34:05+00"},
	{"timestamptz", "2024-01-02 03:04:05.5Z", "2024-01-02 03:04:05.5+00"},
	{"timestamptz", "2024-01-02 03:04:05 UTC", "2024-01-02 03:04:05+00"},
	{"timestamptz", "2024-01-02 03:04:05 +02:00", "2024-01-02 01:04:05+00"},
	{"timestamptz", "2024-01-02T03:04:05+01:00", "2024-01-02 02:04:05+00"},
	{"timestamptz", "2024-01-02 03:04:05 America/New_York", "2024-01-02 08:04:05+00"},
	{"timestamptz", "2024-07-02 03:04:05 Europe/Paris", "2024-07-02 01:04:05+00"},
	{"timestamptz", "2024-01-02", "2024-01-02 00:00:00+00"},
	{"timestamptz", "-infinity", "-infinity"},
	{"timestamptz", "2024-01-02 03:04:05+16", `ERROR 22009: time zone displacement out of range: "2024-01-02 03:04:05+16"`},
	{"timestamp(2)", "2024-01-02 03:04:05.125", "2024-01-02 03:04:05.13"},
	{"timestamp(0)", "2024-01-02 03:04:05.5", "2024-01-02 03:04:06"},
	{"timestamptz(3)", "2024-01-02 03:04:05.1235+00", "2024-01-02 03:04:05.124+00"},
	{"oid", "12", "12"},
	{"oid", "-1", "4294967295"},
	{"oid", "4294967295", "4294967295"},
	{"oid", "4294967296", `ERROR 22003: value "4294967296" is out of range for type oid`},
	{"oid", "abc", `ERROR 22P02: invalid input syntax for type oid: "abc"`},
	{"regtype", "integer", "integer"},
	{"regtype", "int4", "integer"},
	{"regtype", "character varying", "character varying"},
	{"regtype", "nosuchtype", `ERROR 42704: type "nosuchtype" does not exist`},
}

// castText is what 'in'::typ does: the base type's input function, then
// the explicit length/precision coercion for the modifier.
func castText(in string, t T) (Value, error) {
	v, err := ParseText(in, t.Base())
	if err != nil || t.Mod < 0 {
		return v, err
	}
	return Cast(v, t.Base(), t, true)
}

func TestTextInputOutput(t *testing.T) {
	for _, c := range textCases {
		typ, err := ParseTypeName(c.typ)
		if err != nil {
			t.Fatalf("ParseTypeName(%q): %v", c.typ, err)
		}
		got := ""
		v, err := castText(c.in, typ)
		if err != nil {
			e := sqlerr.As(err)
			if e == nil {
				t.Errorf("%s %q: error without a code: %v", c.typ, c.in, err)
				continue
			}
			got = "ERROR " + string(e.Code) + ": " + e.Message
		} else {
			got = FormatText(v, typ)
		}
		if got != c.want {
			t.Errorf("'%s'::%s = %s, want %s", c.in, c.typ, got, c.want)
		}
	}
}
