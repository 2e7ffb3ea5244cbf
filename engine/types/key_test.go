package types

import (
	"bytes"
	"math"
	"math/rand"
	"strings"
	"testing"
	"testing/quick"
	"time"

	"github.com/cockroachdb/apd/v3"
)

// genValue returns a random value of type t, biased towards edge cases,
// or nil (NULL) now and then.
func genValue(r *rand.Rand, t T) Value {
	if r.Intn(12) == 0 {
		return nil
	}
	switch t.OID {
	case OIDBool:
		return r.Intn(2) == 0
	case OIDInt2, OIDInt4, OIDInt8:
		lo, hi := IntRange(t)
		switch r.Intn(6) {
		case 0:
			return lo
		case 1:
			return hi
		case 2:
			return int64(r.Intn(21) - 10)
		}
		v := r.Int63()
		if r.Intn(2) == 0 {
			v = -v
		}
		if t.OID != OIDInt8 {
			v = v%(hi+1) + 0
		}
		return v
	case OIDFloat4, OIDFloat8:
		specials := []float64{0, math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1), 1, -1, 0.1, math.SmallestNonzeroFloat64, math.MaxFloat64}
		var f float64
		if r.Intn(4) == 0 {
			f = specials[r.Intn(len(specials))]
		} else if r.Intn(2) == 0 {
			f = math.Float64frombits(r.Uint64())
		} else {
			f = (r.Float64() - 0.5) * math.Pow(10, float64(r.Intn(40)-20))
		}
		if t.OID == OIDFloat4 {
			f = float64(float32(f))
		}
		return f
	case OIDNumeric:
		switch r.Intn(10) {
		case 0:
			return &apd.Decimal{Form: apd.NaN}
		case 1:
			return &apd.Decimal{Form: apd.Infinite, Negative: r.Intn(2) == 0}
		case 2:
			return apd.New(0, -int32(r.Intn(4)))
		}
		coeff := r.Int63n(1_000_000_000)
		if r.Intn(3) == 0 {
			coeff = r.Int63()
		}
		if r.Intn(2) == 0 {
			coeff = -coeff
		}
		return normalizeNumeric(apd.New(coeff, -int32(r.Intn(12))))
	case OIDText, OIDVarchar, OIDBPChar, OIDName:
		alphabet := "ab\x00 \xffz"
		n := r.Intn(6)
		var b strings.Builder
		for range n {
			b.WriteByte(alphabet[r.Intn(len(alphabet))])
		}
		return b.String()
	case OIDBytea:
		b := make([]byte, r.Intn(5))
		for i := range b {
			b[i] = []byte{0, 1, 0xff, 'a'}[r.Intn(4)]
		}
		return b
	case OIDDate:
		switch r.Intn(10) {
		case 0:
			return InfinityTime
		case 1:
			return NegInfinityTime
		}
		return time.Date(r.Intn(4000)-1000, time.Month(r.Intn(12)+1), r.Intn(28)+1, 0, 0, 0, 0, time.UTC)
	case OIDTimestamp, OIDTimestamptz:
		switch r.Intn(10) {
		case 0:
			return InfinityTime
		case 1:
			return NegInfinityTime
		}
		return time.UnixMicro(r.Int63n(1<<50) - 1<<49).UTC()
	}
	panic("genValue: type " + t.String())
}

var keyTypes = []T{Bool, Int2, Int4, Int8, Float4, Float8, Numeric, Text, BPCharType(3), Bytea, Date, Timestamp, Timestamptz}

// compareNull extends Compare with NULL last.
func compareNull(a, b Value, t T) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return Compare(a, b, t)
}

func sign(i int) int {
	switch {
	case i < 0:
		return -1
	case i > 0:
		return 1
	}
	return 0
}

// TestAppendKeyOrder checks with testing/quick that the key encoding
// orders pairs of values, and pairs of two-column tuples, as Compare does.
func TestAppendKeyOrder(t *testing.T) {
	for _, typ := range keyTypes {
		t.Run(typ.String(), func(t *testing.T) {
			f := func(seed int64) bool {
				r := rand.New(rand.NewSource(seed))
				a, b := genValue(r, typ), genValue(r, typ)
				if r.Intn(8) == 0 {
					b = a
				}
				want := compareNull(a, b, typ)
				got := sign(bytes.Compare(AppendKey(nil, a, typ), AppendKey(nil, b, typ)))
				if got != want {
					t.Logf("%v vs %v: key order %d, Compare %d", a, b, got, want)
					return false
				}
				// Tuples (a, c) and (b, d) order lexicographically.
				c, d := genValue(r, Text), genValue(r, Text)
				wantT := want
				if wantT == 0 {
					wantT = compareNull(c, d, Text)
				}
				ka := AppendKey(AppendKey(nil, a, typ), c, Text)
				kb := AppendKey(AppendKey(nil, b, typ), d, Text)
				if g := sign(bytes.Compare(ka, kb)); g != wantT {
					t.Logf("(%v,%q) vs (%v,%q): key order %d, want %d", a, c, b, d, g, wantT)
					return false
				}
				return true
			}
			if err := quick.Check(f, &quick.Config{MaxCount: 3000}); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestAppendKeyEqualities(t *testing.T) {
	// Integers of every width encode alike.
	for _, v := range []int64{0, 1, -1, 32767, -32768} {
		k2, k4, k8 := AppendKey(nil, v, Int2), AppendKey(nil, v, Int4), AppendKey(nil, v, Int8)
		if !bytes.Equal(k2, k4) || !bytes.Equal(k4, k8) {
			t.Errorf("%d: int2/int4/int8 keys differ", v)
		}
	}
	pairs := []struct {
		a, b Value
		t    T
	}{
		{mustNumeric(t, "1"), mustNumeric(t, "1.000"), Numeric},
		{mustNumeric(t, "-0.50"), mustNumeric(t, "-0.5"), Numeric},
		{mustNumeric(t, "0"), mustNumeric(t, "0.00"), Numeric},
		{0.0, math.Copysign(0, -1), Float8},
		{math.NaN(), -math.NaN(), Float8},
		{"ab", "ab   ", BPCharType(5)},
	}
	for _, p := range pairs {
		if Compare(p.a, p.b, p.t) != 0 {
			t.Errorf("Compare(%v, %v) != 0", p.a, p.b)
		}
		if !bytes.Equal(AppendKey(nil, p.a, p.t), AppendKey(nil, p.b, p.t)) {
			t.Errorf("keys of %v and %v differ", p.a, p.b)
		}
	}
	// NULL sorts after the largest values.
	for _, v := range []Value{int64(math.MaxInt64), math.NaN(), "\xff\xff", &apd.Decimal{Form: apd.NaN}, InfinityTime} {
		var typ T
		switch v.(type) {
		case int64:
			typ = Int8
		case float64:
			typ = Float8
		case string:
			typ = Text
		case time.Time:
			typ = Timestamp
		default:
			typ = Numeric
		}
		if bytes.Compare(AppendKey(nil, v, typ), AppendKey(nil, nil, typ)) >= 0 {
			t.Errorf("NULL does not sort after %v", v)
		}
	}
}

func mustNumeric(t *testing.T, s string) Value {
	t.Helper()
	v, err := ParseText(s, Numeric)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestTextRoundTrip checks that every value's text output reads back to an
// equal value (and, for floats and numerics, the same text).
func TestTextRoundTrip(t *testing.T) {
	for _, typ := range keyTypes {
		t.Run(typ.String(), func(t *testing.T) {
			r := rand.New(rand.NewSource(1))
			for range 2000 {
				v := genValue(r, typ)
				if v == nil {
					continue
				}
				if typ.OID == OIDText || typ.OID == OIDBPChar {
					// Text values are their own text form.
					continue
				}
				s := FormatText(v, typ)
				back, err := ParseText(s, typ)
				if err != nil {
					t.Fatalf("%v formats as %q which does not parse: %v", v, s, err)
				}
				if Compare(v, back, typ) != 0 || FormatText(back, typ) != s {
					t.Fatalf("%v -> %q -> %v", v, s, back)
				}
				if f, ok := v.(float64); ok && !math.IsNaN(f) && math.Float64bits(f) != math.Float64bits(back.(float64)) {
					t.Fatalf("float %v -> %q -> %v is not exact", f, s, back)
				}
			}
		})
	}
}

// FuzzParseText checks that no input makes a parser panic and that what
// parses formats to text that parses to the same value.
func FuzzParseText(f *testing.F) {
	for _, c := range textCases {
		f.Add(c.in, c.typ)
	}
	f.Fuzz(func(t *testing.T, in, typName string) {
		typ, err := ParseTypeName(typName)
		if err != nil || typ.IsUnknown() {
			return
		}
		v, err := ParseText(in, typ)
		if err != nil {
			return
		}
		s := FormatText(v, typ)
		back, err := ParseText(s, typ)
		if err != nil {
			t.Fatalf("%q::%s formats as %q which fails: %v", in, typ, s, err)
		}
		if Compare(v, back, typ) != 0 {
			t.Fatalf("%q::%s -> %q -> %v", in, typ, s, back)
		}
	})
}
