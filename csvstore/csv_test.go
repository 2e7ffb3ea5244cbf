package csvstore

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"testing/quick"
)

// record is a random CSV record for testing/quick: fields drawn from an
// alphabet rich in the characters CSV must quote, NULLs and empty strings.
type record []Field

var alphabet = []string{"a", "b", "Z", "0", " ", "\t", ",", "\"", "\n", "\r", "\r\n", "é", "日本", "😀", "\\", ".", "''", "\x00"}

func randomString(r *rand.Rand, max int) string {
	var b strings.Builder
	for n := r.Intn(max + 1); n > 0; n-- {
		b.WriteString(alphabet[r.Intn(len(alphabet))])
	}
	return b.String()
}

func randomField(r *rand.Rand) Field {
	switch r.Intn(6) {
	case 0:
		return Null
	case 1:
		return Str("")
	case 2:
		return Str(`\.`)
	}
	return Str(randomString(r, 8))
}

// Generate implements quick.Generator.
func (record) Generate(r *rand.Rand, size int) reflect.Value {
	rec := make(record, 1+r.Intn(5))
	for i := range rec {
		rec[i] = randomField(r)
	}
	return reflect.ValueOf(rec)
}

func writeAll(t *testing.T, recs []record) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, rec := range recs {
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readAll(data []byte) ([]record, error) {
	r := NewReader(bytes.NewReader(data))
	var out []record
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, append(record(nil), rec...))
	}
}

// TestRoundTripQuick: whatever Writer writes, Reader reads back exactly,
// NULL and "" kept apart.
func TestRoundTripQuick(t *testing.T) {
	f := func(recs []record) bool {
		got, err := readAll(writeAll(t, recs))
		if err != nil {
			t.Logf("read: %v", err)
			return false
		}
		if len(recs) == 0 {
			return len(got) == 0
		}
		return reflect.DeepEqual(got, recs)
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 2000}); err != nil {
		t.Fatal(err)
	}
}

// TestEncodingCSVCompatible: encoding/csv reads the files Writer writes as
// the same strings (NULL as ""), for records of two or more fields (it skips
// empty lines, which are one-field NULL records) and values without CRLF
// (which it turns into LF inside quotes). And Reader reads what encoding/csv
// writes as the same strings, an empty unquoted field being NULL.
func TestEncodingCSVCompatible(t *testing.T) {
	f := func(recs []record) bool {
		for _, rec := range recs {
			for i := range rec {
				for strings.Contains(rec[i].Value, "\r\n") {
					rec[i].Value = strings.ReplaceAll(rec[i].Value, "\r\n", "\n")
				}
			}
		}
		recs = append(recs, record{Null, Null}) // at least one record
		for i, rec := range recs {
			if len(rec) == 1 {
				recs[i] = append(rec, Str("x"))
			}
		}
		data := writeAll(t, recs)
		cr := csv.NewReader(bytes.NewReader(data))
		cr.FieldsPerRecord = -1
		got, err := cr.ReadAll()
		if err != nil {
			t.Logf("encoding/csv: %v\n%q", err, data)
			return false
		}
		if len(got) != len(recs) {
			t.Logf("encoding/csv read %d records, want %d", len(got), len(recs))
			return false
		}
		for i, rec := range recs {
			if len(got[i]) != len(rec) {
				return false
			}
			for j, f := range rec {
				if got[i][j] != f.Value {
					t.Logf("record %d field %d: encoding/csv %q, want %q", i, j, got[i][j], f.Value)
					return false
				}
			}
		}
		// The other direction.
		var buf bytes.Buffer
		cw := csv.NewWriter(&buf)
		if err := cw.WriteAll(got); err != nil {
			t.Log(err)
			return false
		}
		back, err := readAll(buf.Bytes())
		if err != nil || len(back) != len(got) {
			t.Logf("reading encoding/csv output: %v", err)
			return false
		}
		for i := range got {
			for j, s := range got[i] {
				// encoding/csv writes "" unquoted: that is NULL here.
				if back[i][j].Value != s || back[i][j].Null != (s == "") {
					t.Logf("record %d field %d: read %+v from encoding/csv's %q", i, j, back[i][j], s)
					return false
				}
			}
		}
		return true
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 2000}); err != nil {
		t.Fatal(err)
	}
}

func TestWriterQuoting(t *testing.T) {
	tests := []struct {
		in   []Field
		want string
	}{
		{[]Field{Str("1"), Str("Alice")}, "1,Alice\n"},
		{[]Field{Null, Str("")}, `,""` + "\n"},
		{[]Field{Str("a,b"), Str(`say "hi"`)}, `"a,b","say ""hi"""` + "\n"},
		{[]Field{Str("line\nbreak"), Str("cr\rx")}, "\"line\nbreak\",\"cr\rx\"\n"},
		{[]Field{Str(" lead"), Str("trail ")}, `" lead",trail ` + "\n"},
		{[]Field{Str(`\.`)}, `"\."` + "\n"},
		{[]Field{Null}, "\n"},
		{[]Field{Str("日本")}, "日本\n"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		w := NewWriter(&buf)
		if err := w.Write(tt.in); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		if buf.String() != tt.want {
			t.Errorf("Write(%v) = %q, want %q", tt.in, buf.String(), tt.want)
		}
	}
}

func TestReaderAccepts(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []record
	}{
		{"crlf", "a,b\r\n1,\r\n", []record{{Str("a"), Str("b")}, {Str("1"), Null}}},
		{"no final newline", "a,\"b\"", []record{{Str("a"), Str("b")}}},
		{"bom", "\xEF\xBB\xBFid\n1\n", []record{{Str("id")}, {Str("1")}}},
		{"crlf in quotes kept", "\"x\r\ny\",z\n", []record{{Str("x\r\ny"), Str("z")}}},
		{"empty line is one null", "a\n\nb\n", []record{{Str("a")}, {Null}, {Str("b")}}},
		{"trailing comma", "a,\n", []record{{Str("a"), Null}}},
		{"quoted empty", "\"\",\"\"\n", []record{{Str(""), Str("")}}},
		{"bare cr kept", "a\rb,c\n", []record{{Str("a\rb"), Str("c")}}},
	}
	for _, tt := range tests {
		got, err := readAll([]byte(tt.in))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestReaderErrors(t *testing.T) {
	tests := []struct {
		in   string
		line int
		err  error
	}{
		{"a,b\n1,x\"y\n", 2, ErrBareQuote},
		{"a,b\n\"1\"x,2\n", 2, ErrQuote},
		{"a,b\n1,2\n\"open,\nstill open\n", 3, ErrUnterminated},
		{"a\n\"multi\nline\"oops\n", 3, ErrQuote},
	}
	for _, tt := range tests {
		_, err := readAll([]byte(tt.in))
		var pe *ParseError
		if !errors.As(err, &pe) || !errors.Is(err, tt.err) || pe.Line != tt.line {
			t.Errorf("read %q: err %v, want %v on line %d", tt.in, err, tt.err, tt.line)
		}
	}
}

func TestReadRecordsErrorsNameFileAndLine(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"", "users.csv:1: missing header row"},
		{"id,nom\n", "users.csv:1: header (id, nom) does not match the table's columns (id, name)"},
		{"id,name\n1,a\n2\n", "users.csv:3: record has 1 fields, want 2"},
		{"id,name\n1,a\n\"2\nx\",b,c\n", "users.csv:3: record has 3 fields, want 2"},
		{"id,name\n1,a\n2,b\"\n", "users.csv:3: " + ErrBareQuote.Error()},
		{"id,name\n1,a\n2,b\n3,bad\n", "users.csv:4: rejected"},
	}
	for _, tt := range tests {
		err := ReadRecords(strings.NewReader(tt.in), "users.csv", []string{"id", "name"}, func(rec []Field) error {
			if rec[1].Value == "bad" {
				return errors.New("rejected")
			}
			return nil
		})
		if err == nil || err.Error() != tt.want {
			t.Errorf("ReadRecords(%q) = %v, want %q", tt.in, err, tt.want)
		}
	}
}

// FuzzReader: the reader never panics, and whatever it accepts survives a
// write/read round trip unchanged.
func FuzzReader(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "\"x\"\"y\",\n", ",,\n\n", "\"a\r\nb\"\r\n", "\xEF\xBB\xBF\"", "a\"b", "\"\"\"", "1,\"2\"x"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := readAll(data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		again, err := readAll(writeAll(t, recs))
		if err != nil {
			t.Fatalf("re-reading written records: %v", err)
		}
		if len(recs) > 0 && !reflect.DeepEqual(again, recs) {
			t.Fatalf("round trip changed records:\n%+v\n%+v", recs, again)
		}
	})
}

// BenchmarkWrite writes the rows of a checkpoint of pgbench's tables: a
// BIGINT and a 100-byte text value that needs no quotes.
func BenchmarkWrite(b *testing.B) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	rec := []Field{Str("1234567"), Str(strings.Repeat("v", 100))}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if i%10000 == 0 {
			buf.Reset()
		}
		if err := w.Write(rec); err != nil {
			b.Fatal(err)
		}
	}
}
