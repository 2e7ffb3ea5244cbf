package sqllogictest

import (
	"crypto/md5"
	"encoding/hex"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"
)

func TestFormatValue(t *testing.T) {
	null := []byte(nil)
	tests := []struct {
		raw    []byte
		oid    uint32
		letter byte
		want   string
	}{
		{null, pgtype.Int4OID, 'I', "NULL"},
		{null, pgtype.TextOID, 'T', "NULL"},
		{null, pgtype.Float8OID, 'R', "NULL"},
		{[]byte("-7"), pgtype.Int8OID, 'I', "-7"},
		{[]byte("42"), pgtype.Int2OID, 'I', "42"},
		{[]byte("t"), pgtype.BoolOID, 'I', "1"},
		{[]byte("f"), pgtype.BoolOID, 'I', "0"},
		{[]byte("t"), pgtype.BoolOID, 'T', "1"},
		{[]byte("f"), pgtype.BoolOID, 'R', "0.000"},
		{[]byte("t"), pgtype.TextOID, 'T', "t"},
		{[]byte("70.19"), pgtype.NumericOID, 'I', "70"},
		{[]byte("-2.5"), pgtype.NumericOID, 'I', "-2"},
		{[]byte("-2.5"), pgtype.Float8OID, 'I', "-2"},
		{[]byte("1e+20"), pgtype.Float8OID, 'I', "9223372036854775807"},
		{[]byte("-1e+20"), pgtype.Float8OID, 'I', "-9223372036854775808"},
		{[]byte("NaN"), pgtype.Float8OID, 'I', "0"},
		{[]byte("123456789012345678901234.9"), pgtype.NumericOID, 'I', "9223372036854775807"},
		{[]byte("hdikx"), pgtype.TextOID, 'I', "0"},
		{[]byte("12abc"), pgtype.VarcharOID, 'I', "12"},
		{[]byte(" -34.9"), pgtype.TextOID, 'I', "-34"},
		{[]byte("1e5"), pgtype.TextOID, 'I', "1"},
		{[]byte("99999999999999999999"), pgtype.TextOID, 'I', "9223372036854775807"},
		{[]byte("-99999999999999999999"), pgtype.TextOID, 'I', "-9223372036854775808"},
		{[]byte("2"), pgtype.Int4OID, 'R', "2.000"},
		{[]byte("-0.5"), pgtype.Float8OID, 'R', "-0.500"},
		{[]byte("1.0005"), pgtype.NumericOID, 'R', "1.000"}, // 1.0005 is just below in binary, as printf rounds it
		{[]byte("2.25"), pgtype.Float4OID, 'R', "2.250"},
		{[]byte("1e+20"), pgtype.Float8OID, 'R', "100000000000000000000.000"},
		{[]byte("abc"), pgtype.TextOID, 'R', "0.000"},
		{[]byte("3.5e1x"), pgtype.TextOID, 'R', "35.000"},
		{[]byte(".5"), pgtype.TextOID, 'R', "0.500"},
		{[]byte("0x10"), pgtype.TextOID, 'R', "0.000"},
		{[]byte("hello world"), pgtype.TextOID, 'T', "hello world"},
		{[]byte(""), pgtype.TextOID, 'T', "(empty)"},
		{[]byte("a\tb\x01~\x7f"), pgtype.TextOID, 'T', "a@b@~@"},
		{[]byte("é"), pgtype.TextOID, 'T', "@@"},
		{[]byte("-12"), pgtype.Int4OID, 'T', "-12"},
		{[]byte("1.50"), pgtype.NumericOID, 'T', "1.50"},
	}
	for _, tt := range tests {
		if got := FormatValue(tt.raw, tt.oid, tt.letter); got != tt.want {
			t.Errorf("FormatValue(%q, %d, %c) = %q, want %q", tt.raw, tt.oid, tt.letter, got, tt.want)
		}
	}
}

func TestSortValues(t *testing.T) {
	tests := []struct {
		in    []string
		width int
		mode  SortMode
		want  []string
	}{
		{[]string{"9", "10", "-5", "-10", "NULL"}, 1, RowSort, []string{"-10", "-5", "10", "9", "NULL"}},
		{[]string{"2", "b", "1", "z", "1", "a"}, 2, RowSort, []string{"1", "a", "1", "z", "2", "b"}},
		{[]string{"2", "b", "1", "z", "1", "a"}, 2, ValueSort, []string{"1", "1", "2", "a", "b", "z"}},
		{[]string{"2", "b", "1", "z"}, 2, NoSort, []string{"2", "b", "1", "z"}},
		{nil, 3, RowSort, nil},
	}
	for _, tt := range tests {
		got := append([]string(nil), tt.in...)
		SortValues(got, tt.width, tt.mode)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SortValues(%v, %d, %v) = %v, want %v", tt.in, tt.width, tt.mode, got, tt.want)
		}
	}
}

func TestHashAndMatch(t *testing.T) {
	sum := md5.Sum([]byte("1\n2\n3\n"))
	want := "3 values hashing to " + hex.EncodeToString(sum[:])
	if got := HashValues([]string{"1", "2", "3"}); got != want {
		t.Errorf("HashValues = %q, want %q", got, want)
	}
	if !IsHashLine(want) || IsHashLine("3 values hashing to xyz") || IsHashLine("1") {
		t.Error("IsHashLine misclassifies")
	}
	tests := []struct {
		values, expected []string
		want             bool
	}{
		{[]string{"1", "2", "3"}, []string{want}, true},
		{[]string{"1", "2", "4"}, []string{want}, false},
		{[]string{"1", "2", "3"}, []string{"1", "2", "3"}, true},
		{[]string{"1", "2"}, []string{"1", "2", "3"}, false},
		{nil, nil, true},
		{[]string{"NULL"}, nil, false},
	}
	for _, tt := range tests {
		if got := Matches(tt.values, tt.expected); got != tt.want {
			t.Errorf("Matches(%v, %v) = %v, want %v", tt.values, tt.expected, got, tt.want)
		}
	}
}
