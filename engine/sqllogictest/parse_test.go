package sqllogictest

import (
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []*Record
	}{{
		name: "statements, CRLF and comments",
		in: "hash-threshold 8\r\n\r\n# a comment\r\nstatement ok\r\nCREATE TABLE t1(x INTEGER,\r\n# inside\r\n y TEXT)\r\n\r\n" +
			"statement error\r\nCREATE TABLE t1(x INTEGER)\r\n",
		want: []*Record{
			{Line: 1, Kind: KindHashThreshold, Threshold: 8},
			{Line: 4, Kind: KindStatement, SQL: "CREATE TABLE t1(x INTEGER,\n y TEXT)"},
			{Line: 9, Kind: KindStatement, ExpectError: true, SQL: "CREATE TABLE t1(x INTEGER)"},
		},
	}, {
		name: "query with types, sort mode, label and results",
		in:   "query IT rowsort label-25\nSELECT a,\n b FROM t\n----\n1\nx\n2\n(empty)\n",
		want: []*Record{{Line: 1, Kind: KindQuery, Types: "IT", Sort: RowSort, Label: "label-25",
			SQL: "SELECT a,\n b FROM t", Expected: []string{"1", "x", "2", "(empty)"}}},
	}, {
		name: "query without results, default sort, blank lines of spaces and tabs",
		in:   "query R\nSELECT 1 WHERE false\n----\n \t \nquery I nosort\nSELECT 2\n",
		want: []*Record{
			{Line: 1, Kind: KindQuery, Types: "R", Sort: NoSort, SQL: "SELECT 1 WHERE false"},
			{Line: 5, Kind: KindQuery, Types: "I", Sort: NoSort, SQL: "SELECT 2"},
		},
	}, {
		name: "skipif and onlyif with trailing comments, halt",
		in: "skipif mysql # aggregate syntax:\nonlyif  postgresql\nquery I valuesort\nSELECT 1\n----\n1\n\n" +
			"skipif sqlite\nhalt\n\nstatement ok # trailing\nSELECT 1\n",
		want: []*Record{
			{Line: 1, Kind: KindQuery, Conditions: []Condition{{Skip: true, Engine: "mysql"}, {Skip: false, Engine: "postgresql"}},
				Types: "I", Sort: ValueSort, SQL: "SELECT 1", Expected: []string{"1"}},
			{Line: 8, Kind: KindHalt, Conditions: []Condition{{Skip: true, Engine: "sqlite"}}},
			{Line: 11, Kind: KindStatement, SQL: "SELECT 1"},
		},
	}, {
		name: "hash result line",
		in:   "query III rowsort\nSELECT * FROM t\n----\n30 values hashing to 3c13dee48d9356ae19af2515e05e6b54\n",
		want: []*Record{{Line: 1, Kind: KindQuery, Types: "III", Sort: RowSort, SQL: "SELECT * FROM t",
			Expected: []string{"30 values hashing to 3c13dee48d9356ae19af2515e05e6b54"}}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("x.test", strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(s.Records, tt.want) {
				for i, r := range s.Records {
					t.Logf("got %d: %+v", i, *r)
				}
				for i, r := range tt.want {
					t.Logf("want %d: %+v", i, *r)
				}
				t.Fatal("records differ")
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"statement maybe\nSELECT 1\n", "x.test:1: want \"statement ok\""},
		{"statement ok\n", "x.test:1: statement without SQL"},
		{"query X\nSELECT 1\n", "x.test:1: unknown column type"},
		{"query I upsidedown\nSELECT 1\n", "x.test:1: unknown sort mode"},
		{"\n\nskipif mysql\n", "x.test:3: skipif/onlyif without a record"},
		{"hash-threshold many\n", "x.test:1: bad hash threshold"},
		{"control sortmode\n", "x.test:1: unknown record type"},
	}
	for _, tt := range tests {
		_, err := Parse("x.test", strings.NewReader(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %v, want an error containing %q", tt.in, err, tt.want)
		}
	}
}

func TestRuns(t *testing.T) {
	tests := []struct {
		conds []Condition
		want  bool
	}{
		{nil, true},
		{[]Condition{{Skip: true, Engine: "mysql"}}, true},
		{[]Condition{{Skip: true, Engine: "PostgreSQL"}}, false},
		{[]Condition{{Skip: false, Engine: "mysql"}}, false},
		{[]Condition{{Skip: false, Engine: "postgresql"}}, true},
		{[]Condition{{Skip: true, Engine: "mssql"}, {Skip: false, Engine: "sqlite"}}, false},
	}
	for _, tt := range tests {
		r := &Record{Conditions: tt.conds}
		if got := r.Runs(DefaultEngine); got != tt.want {
			t.Errorf("Runs(%+v) = %v, want %v", tt.conds, got, tt.want)
		}
	}
}

func TestCounts(t *testing.T) {
	in := "hash-threshold 8\n\nstatement ok\nCREATE TABLE t(x INT)\n\n" +
		"onlyif mysql\nquery I\nSELECT 1\n\nskipif postgresql\nstatement ok\nSELECT 1\n\n" +
		"query I\nSELECT 1\n----\n1\n\nskipif sqlite\nhalt\n\nstatement ok\nSELECT 2\n"
	s, err := Parse("x.test", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	got := s.Counts(DefaultEngine)
	want := Counts{Records: 7, Statements: 1, Queries: 1, Skipped: 2}
	if got != want || got.Counted() != 2 {
		t.Errorf("Counts = %+v (counted %d), want %+v", got, got.Counted(), want)
	}
	if got := s.Counts("sqlite"); got.Counted() != 4 || got.Skipped != 1 {
		t.Errorf("Counts(sqlite) = %+v, want 4 counted (no halt), 1 skipped", got)
	}
}

func TestObjects(t *testing.T) {
	in := "statement ok\nCREATE TABLE t1(x INT)\n\nstatement ok\ncreate  table IF NOT EXISTS Tab0 (y INT)\n\n" +
		"statement ok\nCREATE VIEW view1 AS SELECT x FROM t1\n\nonlyif sqlite\nstatement ok\nCREATE TEMP VIEW view2 AS SELECT 1\n\n" +
		"statement error\nCREATE VIEW view1 AS SELECT 2\n\nstatement ok\nCREATE INDEX i1 ON t1(x)\n"
	s, err := Parse("x.test", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	views, tables := s.Objects(DefaultEngine)
	if !reflect.DeepEqual(views, []string{"view1"}) || !reflect.DeepEqual(tables, []string{"t1", "tab0"}) {
		t.Errorf("Objects = %v, %v; want [view1], [t1 tab0]", views, tables)
	}
}
