package pgwire

import (
	"encoding/hex"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/cockroachdb/apd/v3"
	"github.com/jackc/pgx/v5/pgtype"
)

// TestBinaryFormats encodes values of every type in the binary format and
// checks the bytes with pgx's own decoder (an independent implementation
// of PostgreSQL's formats), then decodes them back with decodeBinary.
func TestBinaryFormats(t *testing.T) {
	m := pgtype.NewMap()
	day := func(y int, mo time.Month, d int) time.Time { return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC) }
	cases := []struct {
		t    types.T
		v    types.Value
		dest any // pgx scans the bytes into this
		want any // and should get this
	}{
		{types.Bool, true, new(bool), true},
		{types.Bool, false, new(bool), false},
		{types.Int2, int64(math.MinInt16), new(int16), int16(math.MinInt16)},
		{types.Int4, int64(math.MaxInt32), new(int32), int32(math.MaxInt32)},
		{types.Int4, int64(-1), new(int32), int32(-1)},
		{types.Int8, int64(math.MinInt64), new(int64), int64(math.MinInt64)},
		{types.Oid, int64(math.MaxUint32), new(uint32), uint32(math.MaxUint32)},
		{types.Float4, float64(float32(3.14)), new(float32), float32(3.14)},
		{types.Float4, math.Inf(-1), new(float32), float32(math.Inf(-1))},
		{types.Float8, 1e-300, new(float64), 1e-300},
		{types.Text, "tëxt", new(string), "tëxt"},
		{types.Varchar, "", new(string), ""},
		{types.BPChar, "ab  ", new(string), "ab  "},
		{types.Name, "pg_class", new(string), "pg_class"},
		{types.Bytea, []byte{0, 0xff, 'a'}, new([]byte), []byte{0, 0xff, 'a'}},
		{types.Date, day(2000, 1, 1), new(time.Time), day(2000, 1, 1)},
		{types.Date, day(1999, 12, 31), new(time.Time), day(1999, 12, 31)},
		{types.Date, day(1, 1, 1), new(time.Time), day(1, 1, 1)},
		{types.Date, day(5874897, 12, 31), new(time.Time), day(5874897, 12, 31)},
		{types.Timestamp, time.Date(1999, 12, 31, 23, 59, 59, 999999000, time.UTC), new(time.Time),
			time.Date(1999, 12, 31, 23, 59, 59, 999999000, time.UTC)},
		{types.Timestamp, time.Date(2262, 4, 11, 23, 47, 16, 854775000, time.UTC), new(time.Time),
			time.Date(2262, 4, 11, 23, 47, 16, 854775000, time.UTC)},
		{types.Timestamptz, time.Date(1900, 3, 4, 5, 6, 7, 8000, time.UTC), new(time.Time),
			time.Date(1900, 3, 4, 5, 6, 7, 8000, time.UTC)},
	}
	for _, tc := range cases {
		buf, err := appendBinary([]byte{}, tc.v, tc.t)
		if err != nil {
			t.Errorf("%s %v: %v", tc.t, tc.v, err)
			continue
		}
		dest := reflect.New(reflect.TypeOf(tc.dest).Elem()).Interface()
		if err := m.Scan(uint32(tc.t.OID), pgtype.BinaryFormatCode, buf, dest); err != nil {
			t.Errorf("%s %v: pgx cannot read %x: %v", tc.t, tc.v, buf, err)
			continue
		}
		got := reflect.ValueOf(dest).Elem().Interface()
		if !sameValue(got, tc.want) {
			t.Errorf("%s: pgx read %#v, want %#v", tc.t, got, tc.want)
		}
		back, err := decodeBinary(buf, tc.t.OID, 0)
		if err != nil || !sameValue(back, tc.v) {
			t.Errorf("%s: decoded %#v (%v), want %#v", tc.t, back, err, tc.v)
		}
		// And what pgx encodes decodes to the same value.
		enc, err := m.Encode(uint32(tc.t.OID), pgtype.BinaryFormatCode, tc.want, nil)
		if err != nil {
			t.Errorf("%s: pgx cannot encode %v: %v", tc.t, tc.want, err)
			continue
		}
		if back, err := decodeBinary(enc, tc.t.OID, 0); err != nil || !sameValue(back, tc.v) {
			t.Errorf("%s: decoded pgx's %x as %#v (%v), want %#v", tc.t, enc, back, err, tc.v)
		}
	}
}

func sameValue(a, b any) bool {
	if ta, ok := a.(time.Time); ok {
		tb, ok := b.(time.Time)
		return ok && ta.Equal(tb)
	}
	return reflect.DeepEqual(a, b)
}

// TestBinaryNumeric checks numeric_send's format (base-10000 digits,
// weight, sign, display scale) against pgx's reading of it, including the
// scale's trailing zeros and the special values.
func TestBinaryNumeric(t *testing.T) {
	m := pgtype.NewMap()
	for _, tc := range []struct {
		in   string // apd syntax
		text string // the value with its display scale
		hex  string // the exact bytes, when given
		pgx  string // what pgx reads, when it differs from text
	}{
		{"0", "0", "0000000000000000", ""},
		// pgx drops the scale of a zero; PostgreSQL prints 0.00.
		{"0.00", "0.00", "0000000000000002", "0"},
		{"-0.5", "-0.5", "0001ffff400000011388", ""},
		{"1", "1", "0001000000000000" + "0001", ""},
		{"10000", "10000", "0001000100000000" + "0001", ""},
		{"99990000", "99990000", "0001000100000000270f", ""},
		{"1E+5", "100000", "000100010000000000" + "0a", ""},
		{"123456789.000001", "123456789.000001", "", ""},
		{"1E-20", "0.00000000000000000001", "", ""},
		{"-12345678901234567890.12345678901234567890", "-12345678901234567890.12345678901234567890", "", ""},
		{"0.1", "0.1", "0001ffff000000010" + "3e8", ""},
		{"NaN", "NaN", "00000000c0000000", ""},
		{"Infinity", "Infinity", "00000000d0000000", ""},
		{"-Infinity", "-Infinity", "00000000f0000000", ""},
	} {
		d, _, err := apd.NewFromString(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		buf, err := appendBinary(nil, d, types.Numeric)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if tc.hex != "" && hex.EncodeToString(buf) != tc.hex {
			t.Errorf("%s: bytes %x, want %s", tc.in, buf, tc.hex)
		}
		wantPgx := tc.text
		if tc.pgx != "" {
			wantPgx = tc.pgx
		}
		var s string
		if err := m.Scan(pgtype.NumericOID, pgtype.BinaryFormatCode, buf, &s); err != nil || s != wantPgx {
			t.Errorf("%s: pgx read %q (%v), want %q", tc.in, s, err, wantPgx)
		}
		back, err := decodeBinary(buf, types.OIDNumeric, 0)
		if err != nil {
			t.Errorf("%s: decode: %v", tc.in, err)
			continue
		}
		if got := back.(*apd.Decimal).Text('f'); got != tc.text {
			t.Errorf("%s: decoded %s, want %s", tc.in, got, tc.text)
		}
	}
}

// TestDecodeBinaryErrors feeds malformed binary parameters.
func TestDecodeBinaryErrors(t *testing.T) {
	for _, tc := range []struct {
		oid  types.OID
		hex  string
		code sqlerr.Code
	}{
		{types.OIDInt4, "000001", sqlerr.InvalidBinaryRepresentation},
		{types.OIDInt8, "0000000000000001ff", sqlerr.InvalidBinaryRepresentation},
		{types.OIDBool, "", sqlerr.InvalidBinaryRepresentation},
		{types.OIDFloat8, "00", sqlerr.InvalidBinaryRepresentation},
		{types.OIDDate, "7fffffff", sqlerr.FeatureNotSupported},
		{types.OIDTimestamp, "7fffffffffffffff", sqlerr.FeatureNotSupported},
		{types.OIDNumeric, "0001", sqlerr.InvalidBinaryRepresentation},                      // short header
		{types.OIDNumeric, "0002000000000000" + "0001", sqlerr.InvalidBinaryRepresentation}, // digit missing
		{types.OIDNumeric, "0001000012340000" + "0001", sqlerr.InvalidBinaryRepresentation}, // bad sign
		{types.OIDNumeric, "0001000000000000" + "2710", sqlerr.InvalidBinaryRepresentation}, // digit 10000
		{types.OIDNumeric, "000000000000ffff", sqlerr.InvalidBinaryRepresentation},          // scale too big
		{types.OIDText, "ff", sqlerr.CharacterNotInRepertoire},
		{types.OIDInterval, "00", sqlerr.FeatureNotSupported},
	} {
		b, _ := hex.DecodeString(tc.hex)
		_, err := decodeBinary(b, tc.oid, 2)
		if got := sqlerr.CodeOf(err); err == nil || got != tc.code {
			t.Errorf("oid %d %s: %v (%s), want %s", tc.oid, tc.hex, err, got, tc.code)
		}
	}
	// A text parameter must be UTF-8 too.
	if _, err := decodeParam([]byte("a\xc3("), types.OIDText, textFormat, 0); sqlerr.CodeOf(err) != sqlerr.CharacterNotInRepertoire ||
		err.Error() != `invalid byte sequence for encoding "UTF8": 0xc3 0x28` {
		t.Errorf("bad UTF-8: %v", err)
	}
}

// TestNumericTruncatesToScale: digits beyond the display scale are cut,
// as numeric_recv does.
func TestNumericTruncatesToScale(t *testing.T) {
	// 1.2345 with dscale 2: digits [1, 2345], weight 0.
	b, _ := hex.DecodeString("00020000000000020001" + "0929")
	v, err := decodeBinary(b, types.OIDNumeric, 0)
	if err != nil || v.(*apd.Decimal).Text('f') != "1.23" {
		t.Errorf("got %v, %v", v, err)
	}
}

func TestAppendBinaryTypeMismatch(t *testing.T) {
	if _, err := appendBinary(nil, "x", types.Int4); err == nil {
		t.Error("a string encoded as int4")
	}
	if _, err := appendBinary(nil, int64(1<<40), types.Int4); err == nil {
		t.Error("an out-of-range int4 encoded")
	}
	if _, err := appendBinary(nil, "1 day", types.T{OID: types.OIDInterval, Mod: -1}); sqlerr.CodeOf(err) != sqlerr.FeatureNotSupported {
		t.Errorf("interval: %v", err)
	}
}

func TestRetag(t *testing.T) {
	for _, tc := range []struct {
		tag  string
		n    int
		want string
	}{
		{"SELECT 5", 2, "SELECT 2"},
		{"INSERT 0 5", 0, "INSERT 0 0"},
		{"FETCH 10", 3, "FETCH 3"},
		{"CREATE TABLE", 1, "CREATE TABLE"},
		{"BEGIN", 1, "BEGIN"},
	} {
		if got := retag(tc.tag, tc.n); got != tc.want {
			t.Errorf("retag(%q, %d) = %q, want %q", tc.tag, tc.n, got, tc.want)
		}
	}
}

func TestResultFormats(t *testing.T) {
	for _, tc := range []struct {
		codes []int16
		ncols int
		want  []int16
		code  sqlerr.Code
	}{
		{nil, 3, nil, ""},
		{[]int16{0}, 3, nil, ""},
		{[]int16{1}, 2, []int16{1, 1}, ""},
		{[]int16{0, 1}, 2, []int16{0, 1}, ""},
		{[]int16{0, 0}, 2, nil, ""},
		{[]int16{1, 1}, 3, nil, sqlerr.ProtocolViolation},
		{[]int16{0, 0}, 3, nil, sqlerr.ProtocolViolation},
		{[]int16{3}, 1, nil, sqlerr.InvalidParameterValue},
		{[]int16{1}, 0, []int16{}, ""},
	} {
		got, err := resultFormats(tc.codes, tc.ncols)
		if tc.code != "" {
			if sqlerr.CodeOf(err) != tc.code {
				t.Errorf("%v/%d: err %v, want %s", tc.codes, tc.ncols, err, tc.code)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%v/%d: %v %v, want %v", tc.codes, tc.ncols, got, err, tc.want)
		}
	}
}
