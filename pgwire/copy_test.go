package pgwire

import (
	"reflect"
	"testing"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
)

// binaryCopyData encodes rows in the binary COPY format with the trailer.
func binaryCopyData(t *testing.T, ts []types.T, rows [][]types.Value) []byte {
	t.Helper()
	b := binaryCopyHeader()
	for _, row := range rows {
		var err error
		if b, err = appendBinaryTuple(b, row, ts); err != nil {
			t.Fatal(err)
		}
	}
	return append(b, 0xff, 0xff)
}

func TestBinaryCopyReader(t *testing.T) {
	ts := []types.T{types.Int4, types.Text, types.Int8}
	rows := [][]types.Value{{int64(1), "one", int64(1) << 40}, {nil, "", nil}, {int64(-3), "three", int64(3)}}
	data := binaryCopyData(t, ts, rows)
	for _, chunk := range []int{1, 2, 7, len(data)} {
		r := &binaryCopyReader{types: ts}
		var got [][]types.Value
		for i := 0; i < len(data); i += chunk {
			err := r.feed(data[i:min(i+chunk, len(data))], func(row []types.Value) error {
				got = append(got, row)
				return nil
			})
			if err != nil {
				t.Fatalf("chunk %d: %v", chunk, err)
			}
		}
		if err := r.finish(); err != nil {
			t.Fatalf("chunk %d: finish: %v", chunk, err)
		}
		if !reflect.DeepEqual(got, rows) {
			t.Errorf("chunk %d: rows %v, want %v", chunk, got, rows)
		}
	}

	bad := func(name string, data []byte, ts []types.T, code sqlerr.Code) {
		t.Helper()
		r := &binaryCopyReader{types: ts}
		err := r.feed(data, func([]types.Value) error { return nil })
		if err == nil {
			err = r.finish()
		}
		if sqlerr.CodeOf(err) != code {
			t.Errorf("%s: %v, want %s", name, err, code)
		}
	}
	bad("signature", append([]byte("PGCOPX\n\xff\r\n\x00"), make([]byte, 8)...), ts, sqlerr.BadCopyFileFormat)
	bad("field count", data, ts[:2], sqlerr.BadCopyFileFormat)
	bad("truncated", data[:len(data)-5], ts, sqlerr.BadCopyFileFormat)
	// An int4 field of 8 bytes.
	wrong := binaryCopyData(t, []types.T{types.Int8}, [][]types.Value{{int64(1)}})
	r := &binaryCopyReader{types: []types.T{types.Int4}}
	err := r.feed(wrong, func([]types.Value) error { return nil })
	if e := sqlerr.As(err); e == nil || e.Code != sqlerr.InvalidBinaryRepresentation || e.Detail != "COPY line 1, column 1" {
		t.Errorf("wrong length: %+v", e)
	}
}
