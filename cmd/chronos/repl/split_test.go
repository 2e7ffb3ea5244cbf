package repl

import (
	"reflect"
	"strings"
	"testing"
)

func TestSplitter(t *testing.T) {
	sql := func(s string) Item { return Item{SQL: s} }
	meta := func(s string) Item { return Item{Meta: s} }
	tests := []struct {
		name    string
		lines   []string
		want    []Item
		pending string // Flush() of what is left
		prompt  byte
	}{
		{"one statement", []string{"SELECT 1;"}, []Item{sql("SELECT 1;")}, "", '='},
		{"two on a line", []string{"SELECT 1; SELECT 2;"}, []Item{sql("SELECT 1;"), sql("SELECT 2;")}, "", '='},
		{"multi-line", []string{"SELECT", "  1", ";"}, []Item{sql("SELECT\n  1\n;")}, "", '='},
		{"unfinished", []string{"SELECT 1"}, nil, "SELECT 1", '-'},
		{"finished then unfinished", []string{"SELECT 1; SELECT"}, []Item{sql("SELECT 1;")}, "SELECT", '-'},
		{"semicolon in string", []string{"SELECT 'a;b';"}, []Item{sql("SELECT 'a;b';")}, "", '='},
		{"doubled quote", []string{"SELECT 'it''s;';"}, []Item{sql("SELECT 'it''s;';")}, "", '='},
		{"string across lines", []string{"SELECT 'a", "b;", "c';"}, []Item{sql("SELECT 'a\nb;\nc';")}, "", '='},
		{"open string prompt", []string{"SELECT 'a;"}, nil, "SELECT 'a;", '\''},
		{"backslash in standard string", []string{`SELECT 'a\'; SELECT 2;`}, []Item{sql(`SELECT 'a\';`), sql("SELECT 2;")}, "", '='},
		{"escape string", []string{`SELECT E'a\';b'; SELECT 2;`}, []Item{sql(`SELECT E'a\';b';`), sql("SELECT 2;")}, "", '='},
		{"identifier ending in e is no escape string", []string{`SELECT some'a\'; SELECT 2;`}, []Item{sql(`SELECT some'a\';`), sql("SELECT 2;")}, "", '='},
		{"quoted identifier", []string{`SELECT 1 AS "a;b";`}, []Item{sql(`SELECT 1 AS "a;b";`)}, "", '='},
		{"open identifier prompt", []string{`SELECT 1 AS "a`}, nil, `SELECT 1 AS "a`, '"'},
		{"dollar quote", []string{"SELECT $$a;b$$;"}, []Item{sql("SELECT $$a;b$$;")}, "", '='},
		{"tagged dollar quote", []string{"SELECT $fn$ $$; $fn$;"}, []Item{sql("SELECT $fn$ $$; $fn$;")}, "", '='},
		{"open dollar prompt", []string{"SELECT $x$ ;"}, nil, "SELECT $x$ ;", '$'},
		{"parameter is no dollar quote", []string{"SELECT $1; SELECT 2;"}, []Item{sql("SELECT $1;"), sql("SELECT 2;")}, "", '='},
		{"dollar inside identifier", []string{"SELECT a$b$ FROM t; SELECT 2;"}, []Item{sql("SELECT a$b$ FROM t;"), sql("SELECT 2;")}, "", '='},
		{"line comment", []string{"SELECT 1 -- x;", "+ 1;"}, []Item{sql("SELECT 1 -- x;\n+ 1;")}, "", '='},
		{"leading comment dropped", []string{"-- hello", "SELECT 1;"}, []Item{sql("SELECT 1;")}, "", '='},
		{"comment-only input", []string{"-- nothing here", "/* nor; here */"}, nil, "", '='},
		{"block comment", []string{"SELECT /* ; */ 1;"}, []Item{sql("SELECT /* ; */ 1;")}, "", '='},
		{"nested block comment", []string{"SELECT /* /* ; */ ; */ 1;"}, []Item{sql("SELECT /* /* ; */ ; */ 1;")}, "", '='},
		{"open comment prompt", []string{"SELECT /* ;"}, nil, "SELECT /* ;", '*'},
		{"parentheses", []string{"SELECT (1;", "2);"}, []Item{sql("SELECT (1;\n2);")}, "", '='},
		{"open paren prompt", []string{"SELECT (1"}, nil, "SELECT (1", '('},
		{"empty statements skipped", []string{";;  ; SELECT 1;"}, []Item{sql("SELECT 1;")}, "", '='},
		{"meta-command", []string{`\x`}, []Item{meta(`\x`)}, "", '='},
		{"meta-command with argument", []string{`  \d users  `}, []Item{meta(`\d users`)}, "", '='},
		{"meta after statement", []string{`SELECT 1; \x`}, []Item{sql("SELECT 1;"), meta(`\x`)}, "", '='},
		{"meta keeps partial statement", []string{`SELECT 1 \g`}, []Item{meta(`\g`)}, "SELECT 1", '-'},
		{"backslash in string is no meta", []string{`SELECT '\x';`}, []Item{sql(`SELECT '\x';`)}, "", '='},
		{"blank lines", []string{"", "   ", "SELECT 1;", ""}, []Item{sql("SELECT 1;")}, "", '='},
		{"utf-8", []string{"SELECT 'é;ü' AS \"ñ\";"}, []Item{sql("SELECT 'é;ü' AS \"ñ\";")}, "", '='},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s Splitter
			var got []Item
			for _, l := range tt.lines {
				got = append(got, s.Feed(l)...)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("items = %q, want %q", got, tt.want)
			}
			if p := s.PromptChar(); p != tt.prompt {
				t.Errorf("PromptChar = %q, want %q", p, tt.prompt)
			}
			rest, ok := s.Flush()
			if rest != tt.pending || ok != (tt.pending != "") {
				t.Errorf("Flush = %q, %v; want %q", rest, ok, tt.pending)
			}
			if s.HasPending() || s.Pending() != "" {
				t.Errorf("after Flush: HasPending %v, Pending %q", s.HasPending(), s.Pending())
			}
		})
	}
}

// TestSplitterLineAtATime checks that feeding a script line by line gives the
// same statements as feeding it in one piece.
func TestSplitterLineAtATime(t *testing.T) {
	script := "CREATE TABLE t (a INT,\n b TEXT); -- make it\nINSERT INTO t VALUES (1, 'x;\ny'), (2, $$;$$);\n/* multi\n line; */ SELECT * FROM t;\n"
	var whole, byLine Splitter
	all := whole.Feed(strings.TrimSuffix(script, "\n"))
	var lines []Item
	for _, l := range strings.Split(strings.TrimSuffix(script, "\n"), "\n") {
		lines = append(lines, byLine.Feed(l)...)
	}
	if len(all) != 3 {
		t.Fatalf("got %d statements, want 3: %q", len(all), all)
	}
	if !reflect.DeepEqual(all, lines) {
		t.Errorf("whole = %q\nby line = %q", all, lines)
	}
	if all[2].SQL != "SELECT * FROM t;" {
		t.Errorf("third statement = %q", all[2].SQL)
	}
}

func TestSplitterReset(t *testing.T) {
	var s Splitter
	s.Feed("SELECT 'open")
	s.Reset()
	if got := s.Feed("SELECT 1;"); len(got) != 1 || got[0].SQL != "SELECT 1;" {
		t.Errorf("after Reset: %q", got)
	}
}
