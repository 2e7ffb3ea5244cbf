package storage

import (
	"math"
	"testing"
	"time"

	"github.com/cockroachdb/apd/v3"
	"github.com/google/go-cmp/cmp"

	"github.com/chronos-db/chronos/engine/types"
)

func TestRowValuesRoundTrip(t *testing.T) {
	dec := func(s string) *apd.Decimal {
		d, _, err := apd.NewFromString(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct {
		name string
		vals []types.Value
	}{
		{"empty row", []types.Value{}},
		{"nulls", []types.Value{nil, nil}},
		{"booleans", []types.Value{true, false}},
		{"integers", []types.Value{int64(0), int64(1), int64(-1), int64(255), int64(256), int64(math.MaxInt64), int64(math.MinInt64)}},
		{"floats", []types.Value{0.0, math.Copysign(0, -1), 1.5, -2.25e300, math.Inf(1), math.Inf(-1), math.SmallestNonzeroFloat64}},
		{"text", []types.Value{"", "alice", "ünïcødé ✓", string(make([]byte, 300))}},
		{"bytea", []types.Value{[]byte{}, []byte{0, 1, 0xff}, make([]byte, 200)}},
		{"times", []types.Value{
			time.Date(2026, 11, 26, 19, 0, 0, 123456000, time.UTC),
			time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC),
			time.Date(-4712, 1, 1, 0, 0, 0, 0, time.UTC),
			time.Date(294276, 12, 31, 23, 59, 59, 999999000, time.UTC),
			time.Unix(0, 1).UTC(),
		}},
		{"numerics", []types.Value{dec("0"), dec("-0"), dec("1.50"), dec("-123456789012345678901234567890.000001"), dec("1E+10"), dec("NaN"), dec("Infinity")}},
		{"mixed", []types.Value{int64(7), nil, "x", 2.5, true, []byte("b"), dec("3.14")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row, err := NewRow(9, 4, tt.vals)
			if err != nil {
				t.Fatal(err)
			}
			got := row.Values()
			if len(got) != len(tt.vals) {
				t.Fatalf("%d values back, want %d", len(got), len(tt.vals))
			}
			for i, want := range tt.vals {
				if !sameStoredValue(got[i], want) {
					t.Errorf("value %d: got %#v (%T), want %#v (%T)", i, got[i], got[i], want, want)
				}
			}
			// Values gives a new slice each time: changing one changes
			// neither the row nor the next reader's.
			if len(got) > 0 {
				got[0] = "changed"
				if again := row.Values(); !sameStoredValue(again[0], tt.vals[0]) {
					t.Errorf("changing a returned slice changed the row: %#v", again[0])
				}
			}
			if row.ID != 9 || row.Version != 4 {
				t.Errorf("row %d version %d, want 9 and 4", row.ID, row.Version)
			}
		})
	}
}

// sameStoredValue compares exactly: same Go type, same bits (a float's
// sign of zero, a numeric's exponent, a time's instant and UTC location).
func sameStoredValue(a, b types.Value) bool {
	switch x := b.(type) {
	case float64:
		y, ok := a.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(y)
	case *apd.Decimal:
		y, ok := a.(*apd.Decimal)
		return ok && x.Form == y.Form && x.Negative == y.Negative && x.Exponent == y.Exponent && x.Coeff.Cmp(&y.Coeff) == 0
	case time.Time:
		y, ok := a.(time.Time)
		return ok && x.Equal(y) && y.Location() == time.UTC
	}
	return cmp.Equal(a, b)
}

func TestNewRowRefusesUnknownTypes(t *testing.T) {
	for _, v := range []types.Value{int32(1), struct{}{}, (*apd.Decimal)(nil)} {
		if _, err := NewRow(1, 1, []types.Value{v}); err == nil {
			t.Errorf("NewRow accepted %#v (%T)", v, v)
		}
	}
}

func TestDecodeColumns(t *testing.T) {
	vals := []types.Value{int64(1 << 40), "text", nil, 2.5, []byte{7}, true, time.Unix(5, 6).UTC(), int64(-3)}
	row, err := NewRow(1, 1, vals)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range [][]bool{
		nil,
		{true, false, false, false, false, false, false, false},
		{false, false, false, false, false, false, false, true},
		{false, true, true, false, true, false, true, false},
		{false, false, false},
	} {
		got := row.DecodeColumns(make([]types.Value, len(vals)), want)
		for i, v := range got {
			decoded := want == nil || i < len(want) && want[i]
			switch {
			case decoded && !sameStoredValue(v, vals[i]):
				t.Errorf("want %v, column %d: %#v, want %#v", want, i, v, vals[i])
			case !decoded && v != nil:
				t.Errorf("want %v, column %d: %#v, want nil (not decoded)", want, i, v)
			}
		}
	}
}
