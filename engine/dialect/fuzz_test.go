package dialect

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/pingcap/tidb/pkg/parser"
)

// fuzzSeeds are inputs for FuzzParse beyond the test tables.
var fuzzSeeds = []string{
	"select 1; select 2",
	"select E'\\x41\\u00e9\\101', $a$ $$ $a$, 'x''y', U&'d'",
	"select a::int[]::text, cast(b as varchar(3)), date 'x' at time zone 'UTC'",
	"select * from t where a ~ $1 order by b desc nulls last offset 2 rows fetch next 3 rows only",
	"insert into t default values on conflict (a) do update set b = excluded.b returning *",
	"copy (select 1) to stdout with csv header",
	"create table t (a serial primary key, b numeric(3,1) default 1.5, c text collate \"C\")",
	"create index on t (lower(a) desc nulls first)",
	"/* /* */ */ -- x\n;",
}

func FuzzParse(f *testing.F) {
	for _, tc := range rewrites {
		f.Add(tc.in)
	}
	for _, s := range pgbenchAndPsql {
		f.Add(s)
	}
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		checkRewrittenTextParses(t, sql)
		stmts, err := Parse(sql)
		if err != nil {
			e := sqlerr.As(err)
			if e == nil {
				t.Fatalf("Parse(%q) error %T %v is not an *sqlerr.Error", sql, err, err)
			}
			if e.Code == sqlerr.InternalError {
				t.Fatalf("Parse(%q) internal error: %v", sql, e)
			}
			if e.Position < 1 || e.Position > utf8.RuneCountInString(sql)+1 {
				t.Fatalf("Parse(%q) error %q has position %d, outside 1..%d", sql, e.Message, e.Position, utf8.RuneCountInString(sql)+1)
			}
			return
		}
		for _, st := range stmts {
			if (st.AST == nil) == (st.Special == nil) {
				t.Fatalf("Parse(%q): statement %q has AST %T and Special %T", sql, st.Text, st.AST, st.Special)
			}
			if st.Text == "" || !strings.Contains(sql, st.Text) {
				t.Fatalf("Parse(%q): Text %q is not part of the input", sql, st.Text)
			}
			if st.AST != nil {
				for _, m := range markers(st.AST) {
					if m.Order < 0 || m.Order >= st.NumParams {
						t.Fatalf("Parse(%q): marker order %d with NumParams %d", sql, m.Order, st.NumParams)
					}
				}
			}
		}
	})
}

// checkRewrittenTextParses renders each statement of sql the way Parse
// does and runs the TiDB parser on it without Parse's recover, so that a
// parser panic on rewritten text fails the fuzz run with that text.
func checkRewrittenTextParses(t *testing.T, sql string) {
	toks, err := lex(sql)
	if err != nil {
		return
	}
	p := parser.New()
	p.SetSQLMode(sqlMode)
	sp := &stmtParse{compiler: &compiler{src: sql, p: p}, end: len(sql)}
	start := 0
	for i := 0; i <= len(toks); i++ {
		if i < len(toks) && !toks[i].isPunct(";") {
			continue
		}
		if i > start {
			if parts, err := sp.structure(toks[start:i]); err == nil {
				r := newRewriter(sql, len(sql))
				if r.expr(parts.main) == nil {
					text, _ := render(r.out)
					func() {
						defer func() {
							if x := recover(); x != nil {
								t.Fatalf("TiDB parser panicked on %q (from %q): %v", text, sql, x)
							}
						}()
						_, _, _ = p.ParseSQL(text)
					}()
				}
			}
		}
		start = i + 1
	}
}
