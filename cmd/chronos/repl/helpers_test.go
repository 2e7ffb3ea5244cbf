package repl

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestErrorPosition compares the LINE and caret lines with what psql 15
// printed for the same statements.
func TestErrorPosition(t *testing.T) {
	tests := []struct {
		query, at string // the error is at the first occurrence of at
		want      string
	}{
		{
			"SELECT aaaaaaaaaa, bbbbbbbbbb, cccccccccc, dddddddddd, eeeeeeeeee, ffffffffff, gggggggggg, hhhhhhhhhh FROM nosuch1;", "nosuch1",
			"LINE 1: ...eeeeeeeeee, ffffffffff, gggggggggg, hhhhhhhhhh FROM nosuch1;\n" +
				"                                                               ^\n",
		},
		{
			"SELECT nosuch2, aaaaaaaaaa, bbbbbbbbbb, cccccccccc, dddddddddd, eeeeeeeeee, ffffffffff, gggggggggg, hhhhhhhhhh;", "nosuch2",
			"LINE 1: SELECT nosuch2, aaaaaaaaaa, bbbbbbbbbb, cccccccccc, dddddddd...\n" +
				"               ^\n",
		},
		{
			"SELECT 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, nosuch8, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33;", "nosuch8",
			"LINE 1: ..., 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, nosuch8, 2...\n" +
				"                                                             ^\n",
		},
		{
			"SELECT '日本語日本語' AS x, nosuch4;", "nosuch4",
			"LINE 1: SELECT '日本語日本語' AS x, nosuch4;\n" +
				"                                    ^\n",
		},
		{
			"SELECT\t1,\tnosuch5;", "nosuch5",
			"LINE 1: SELECT 1, nosuch5;\n" +
				"                  ^\n",
		},
		{
			"SELECT 1\n  , 2\n  , nosuch6\n  , 3;", "nosuch6",
			"LINE 3:   , nosuch6\n" +
				"            ^\n",
		},
		{
			"SELECT 1\r\n  , nosuch9;", "nosuch9",
			"LINE 2:   , nosuch9;\n" +
				"            ^\n",
		},
	}
	for _, tt := range tests {
		pos := len([]rune(tt.query[:strings.Index(tt.query, tt.at)])) + 1
		if got := errorPosition(tt.query, pos); got != tt.want {
			t.Errorf("errorPosition(%q, %d) =\n%s\nwant\n%s", tt.query, pos, got, tt.want)
		}
	}
	if got := errorPosition("SELECT 1", 99); got != "" {
		t.Errorf("position past the end: %q, want nothing", got)
	}
}

func TestFormatServerError(t *testing.T) {
	e := &pgconn.PgError{Severity: "ERROR", Code: "23505", Message: `duplicate key value violates unique constraint "t_pkey"`,
		Detail: "Key (id)=(1) already exists.", Hint: "Use another key.", Position: 13}
	want := "ERROR:  duplicate key value violates unique constraint \"t_pkey\" (SQLSTATE 23505)\n" +
		"LINE 1: INSERT INTO t VALUES (1);\n" +
		"                    ^\n" +
		"DETAIL:  Key (id)=(1) already exists.\n" +
		"HINT:  Use another key.\n"
	if got := formatServerError(e, "INSERT INTO t VALUES (1);"); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	notice := &pgconn.PgError{Severity: "NOTICE", Code: "00000", Message: "table \"x\" does not exist, skipping"}
	if got := formatServerError(notice, ""); got != "NOTICE:  table \"x\" does not exist, skipping\n" {
		t.Errorf("notice: %q", got)
	}
}

func TestParseAddresses(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{in: "127.0.0.1:8001", want: []string{"postgres://chronos@127.0.0.1:8001/chronos?sslmode=disable&connect_timeout=5"}},
		{in: "127.0.0.1:8001, 127.0.0.1:8002", want: []string{
			"postgres://chronos@127.0.0.1:8001/chronos?sslmode=disable&connect_timeout=5",
			"postgres://chronos@127.0.0.1:8002/chronos?sslmode=disable&connect_timeout=5"}},
		{in: "localhost", want: []string{"postgres://chronos@localhost:5432/chronos?sslmode=disable&connect_timeout=5"}},
		{in: "[::1]:8001", want: []string{"postgres://chronos@[::1]:8001/chronos?sslmode=disable&connect_timeout=5"}},
		{in: "postgres://bob@h:1/db?sslmode=disable", want: []string{"postgres://bob@h:1/db?connect_timeout=5&sslmode=disable"}},
		{in: "postgresql://h:1/db?connect_timeout=9", want: []string{"postgresql://h:1/db?connect_timeout=9"}},
		{in: "http://h:1", wantErr: true},
		{in: "h:notaport", wantErr: true},
		{in: " , ", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseAddresses(tt.in, "chronos", "chronos")
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseAddresses(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if !tt.wantErr && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseAddresses(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := displayAddress("postgres://chronos@127.0.0.1:8001/chronos?sslmode=disable"); got != "127.0.0.1:8001" {
		t.Errorf("displayAddress = %q", got)
	}
}

func TestSettingsLog(t *testing.T) {
	var l settingsLog
	steps := []struct{ sql, tag string }{
		{"SET application_name = 'a';", "SET"},
		{"set search_path to public", "SET"},
		{"SET chronos.read_consistency = 'stale'", "SET"},
		{"SET LOCAL statement_timeout = 5", "SET"},              // transaction scope: not replayed
		{"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", "SET"}, // not a parameter
		{"SET TIME ZONE 'UTC'", "SET"},
		{"SET application_name = 'b'", "SET"}, // replaces the first
		{"RESET search_path", "RESET"},
		{"SELECT 1", "SELECT 1"},
	}
	for _, s := range steps {
		l.record(s.sql, s.tag)
	}
	want := []string{"SET application_name = 'b'", "SET chronos.read_consistency = 'stale'", "SET TIME ZONE 'UTC'"}
	if got := l.statements(); !reflect.DeepEqual(got, want) {
		t.Errorf("statements = %q, want %q", got, want)
	}
	l.record("RESET ALL", "RESET")
	if got := l.statements(); len(got) != 0 {
		t.Errorf("after RESET ALL: %q", got)
	}
}

func TestSplitMetaArgs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"on", []string{"on"}},
		{"null '(null)'", []string{"null", "(null)"}},
		{"title 'it''s here'", []string{"title", "it's here"}},
		{`"My Table"`, []string{`"My Table"`}},
		{"  a   b  ", []string{"a", "b"}},
		{"null ''", []string{"null", ""}},
	}
	for _, tt := range tests {
		got, err := splitMetaArgs(tt.in)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitMetaArgs(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := splitMetaArgs("'open"); err == nil {
		t.Error("unterminated quote: no error")
	}
}

func TestParseCopy(t *testing.T) {
	tests := []struct {
		in   string
		want copySpec
	}{
		{"t FROM STDIN", copySpec{target: "t", from: true, source: "STDIN"}},
		{"t (a, b) from '/tmp/x y.csv' with (format csv)", copySpec{target: "t (a, b)", from: true, source: "/tmp/x y.csv", options: "with (format csv)"}},
		{"(SELECT 'from' FROM t) TO stdout csv", copySpec{target: "(SELECT 'from' FROM t)", source: "stdout", options: "csv"}},
		{"t to 'it''s.csv'", copySpec{target: "t", source: "it's.csv"}},
	}
	for _, tt := range tests {
		got, err := parseCopy(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("parseCopy(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"t", "FROM x", "t from"} {
		if _, err := parseCopy(bad); err == nil {
			t.Errorf("parseCopy(%q): no error", bad)
		}
	}
}

func TestPatternRegex(t *testing.T) {
	tests := []struct{ in, schema, name string }{
		{"users", "", "users"},
		{"Users", "", "users"},
		{`"Users"`, "", "Users"},
		{"us*", "", "us.*"},
		{"u?ers", "", "u.ers"},
		{"public.users", "public", "users"},
		{`"a.b"`, "", `a\.b`},
		{"a$b", "", `a\$b`},
	}
	for _, tt := range tests {
		s, n := patternRegex(tt.in)
		if s != tt.schema || n != tt.name {
			t.Errorf("patternRegex(%q) = %q, %q; want %q, %q", tt.in, s, n, tt.schema, tt.name)
		}
	}
}

func TestFormatTiming(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{1500 * time.Microsecond, "Time: 1.500 ms"},
		{2*time.Second + 250*time.Millisecond, "Time: 2250.000 ms (00:02.250)"},
		{61 * time.Minute, "Time: 3660000.000 ms (01:01:00.000)"},
		{25 * time.Hour, "Time: 90000000.000 ms (1 d 01:00:00.000)"},
	}
	for _, tt := range tests {
		if got := formatTiming(tt.d); got != tt.want {
			t.Errorf("formatTiming(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestCompleter(t *testing.T) {
	s := &session{}
	s.tables.s = s
	s.tables.valid = true
	s.tables.names = []string{"users", "user_roles", "items"}
	c := &completer{s: s}
	complete := func(line string) []string {
		cands, n := c.Do([]rune(line), len([]rune(line)))
		var out []string
		for _, r := range cands {
			out = append(out, line[len(line)-n:]+string(r))
		}
		return out
	}
	tests := []struct {
		line string
		want []string
	}{
		{"SEL", []string{"SELECT "}},
		{"sel", []string{"select "}},
		{"SELECT * FROM us", []string{"user_roles ", "users "}},
		{"select * from users wh", []string{"when ", "where "}},
		{"INSERT INTO it", []string{"items "}},
		{`\x`, []string{`\x `}},
		{`\tim`, []string{`\timing `}},
		{`\d us`, []string{"user_roles ", "users "}},
		{"SELECT 1 ORDER", []string{"ORDER BY "}},
	}
	for _, tt := range tests {
		if got := complete(tt.line); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("complete(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}
