package types

import (
	"testing"

	"github.com/chronos-db/chronos/engine/sqlerr"
)

// TestCast covers the conversion matrix: each row converts the text input
// (read as from) to to, explicitly or on assignment, and shows the text
// output or the SQLSTATE. Results agree with PostgreSQL 15's
// CAST(... AS to) (explicit) and INSERT into a column of type to.
func TestCast(t *testing.T) {
	for _, c := range []struct {
		from, to T
		in       string
		explicit bool
		want     string
	}{
		{Int4, Int2, "40000", true, "ERROR 22003"},
		{Int8, Int4, "-5", false, "-5"},
		{Int4, Int8, "7", false, "7"},
		{Int4, Float8, "7", false, "7"},
		{Int4, Numeric, "7", false, "7"},
		{Int4, NumericType(3, 1), "100", false, "ERROR 22003"},
		{Int4, NumericType(4, 1), "100", false, "100.0"},
		{Float8, Int4, "2.5", false, "2"},
		{Float8, Int4, "-3.5", false, "-4"},
		{Float8, Int8, "9.3e18", true, "ERROR 22003"},
		{Float8, Float4, "1e300", false, "ERROR 22003"},
		{Float8, Numeric, "0.1", false, "0.1"},
		{Float8, Numeric, "NaN", false, "NaN"},
		{Float4, Numeric, "0.1", false, "0.1"},
		{Numeric, Int4, "2.5", false, "3"},
		{Numeric, Int4, "-2.5", false, "-3"},
		{Numeric, Int2, "NaN", true, "ERROR 0A000"},
		{Numeric, Float8, "1.25", false, "1.25"},
		{Numeric, NumericType(4, 2), "3.14159", false, "3.14"},
		{Bool, Int4, "t", true, "1"},
		{Bool, Int4, "t", false, "ERROR 42846"},
		{Int4, Bool, "0", true, "f"},
		{Bool, Text, "t", false, "true"},
		{Int4, Text, "12", false, "12"},
		{Text, Int4, "12", true, "12"},
		{Text, Int4, "12", false, "ERROR 42846"},
		{Text, Int4, "1x", true, "ERROR 22P02"},
		{Text, VarcharType(3), "abcd", false, "ERROR 22001"},
		{Text, VarcharType(3), "abcd", true, "abc"},
		{Text, VarcharType(3), "ab  ", false, "ab "},
		{Text, BPCharType(4), "ab", false, "ab  "},
		{Text, BPCharType(2), "abc", false, "ERROR 22001"},
		{BPCharType(4), Text, "ab", false, "ab"},
		{BPCharType(4), VarcharType(10), "ab", false, "ab"},
		{BPCharType(4), BPCharType(6), "ab", false, "ab    "},
		{Text, Name, "abc", false, "abc"},
		{Float8, Text, "0.1", false, "0.1"},
		{Numeric, Text, "1.50", false, "1.50"},
		{Date, Timestamp, "2024-01-02", false, "2024-01-02 00:00:00"},
		{Date, Timestamptz, "2024-01-02", false, "2024-01-02 00:00:00+00"},
		{Timestamp, Date, "2024-01-02 23:59:59", false, "2024-01-02"},
		{Timestamptz, Timestamp, "2024-01-02 23:59:59+00", false, "2024-01-02 23:59:59"},
		{Timestamp, T{OIDTimestamp, 0}, "2024-01-02 23:59:59.5", false, "2024-01-03 00:00:00"},
		{Date, Int4, "2024-01-02", true, "ERROR 42846"},
		{Int4, Date, "5", true, "ERROR 42846"},
		{Bytea, Text, `\x41`, false, `\x41`},
		{Text, Bytea, `\x41`, true, `\x41`},
		{Int4, Oid, "-1", false, "4294967295"},
		{Oid, Int4, "4294967295", false, "-1"},
		{Unknown, Int4, "42", false, "42"},
		{Unknown, Date, "2024-02-30", false, "ERROR 22008"},
	} {
		v, err := ParseText(c.in, c.from)
		if err != nil {
			t.Fatalf("ParseText(%q, %s): %v", c.in, c.from, err)
		}
		got := ""
		r, err := Cast(v, c.from, c.to, c.explicit)
		if err != nil {
			got = "ERROR " + string(sqlerr.CodeOf(err))
		} else {
			got = FormatText(r, c.to)
		}
		if got != c.want {
			t.Errorf("Cast(%q, %s -> %s, explicit=%v) = %s, want %s", c.in, c.from, c.to, c.explicit, got, c.want)
		}
	}
	if v, err := Cast(nil, Int4, Text, false); v != nil || err != nil {
		t.Errorf("NULL cast: %v %v", v, err)
	}
}

func TestCastContext(t *testing.T) {
	for _, c := range []struct {
		from, to T
		ctx      CastContext
		ok       bool
	}{
		{Int2, Int8, CastImplicit, true},
		{Int8, Int2, CastAssignment, true},
		{Int4, Numeric, CastImplicit, true},
		{Numeric, Float8, CastImplicit, true},
		{Float8, Numeric, CastAssignment, true},
		{Text, Int4, CastExplicit, true},
		{Int4, Text, CastAssignment, true},
		{Date, Timestamptz, CastImplicit, true},
		{Timestamptz, Date, CastAssignment, true},
		{Bool, Int8, CastExplicit, false},
		{Date, Int4, CastExplicit, false},
		{Bytea, Int4, CastExplicit, false},
	} {
		got, ok := CastContextOf(c.from, c.to)
		if ok != c.ok || ok && got != c.ctx {
			t.Errorf("CastContextOf(%s, %s) = %d %v, want %d %v", c.from, c.to, got, ok, c.ctx, c.ok)
		}
	}
}
