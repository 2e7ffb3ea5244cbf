package dialect

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
	"github.com/pingcap/tidb/pkg/parser/test_driver"
)

func mustParse(t *testing.T, sql string) []*Statement {
	t.Helper()
	stmts, err := Parse(sql)
	if err != nil {
		t.Fatalf("Parse(%q): %v", sql, err)
	}
	return stmts
}

func mustParseOne(t *testing.T, sql string) *Statement {
	t.Helper()
	stmts := mustParse(t, sql)
	if len(stmts) != 1 {
		t.Fatalf("Parse(%q) = %d statements, want 1", sql, len(stmts))
	}
	return stmts[0]
}

func TestSplit(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  \n\t", nil},
		{";;  ; ", nil},
		{"-- only a comment\n/* and another */", nil},
		{"select 1", []string{"select 1"}},
		{"select 1;", []string{"select 1"}},
		{"  select 1 ;select 2;;\n select 3  ", []string{"select 1", "select 2", "select 3"}},
		{"select ';'; select $$;$$; select $a$ ; $a$", []string{"select ';'", "select $$;$$", "select $a$ ; $a$"}},
		{`select "a;b" from t; select E'\';'`, []string{`select "a;b" from t`, `select E'\';'`}},
		{"select 1 -- ; not a split\n; select /* ; */ 2", []string{"select 1", "select /* ; */ 2"}},
		{"begin; insert into t values (1); commit", []string{"begin", "insert into t values (1)", "commit"}},
	}
	for _, tc := range tests {
		stmts := mustParse(t, tc.in)
		var got []string
		for _, s := range stmts {
			got = append(got, s.Text)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("Parse(%q) texts = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSplitKeepsParenthesisedSemicolon(t *testing.T) {
	// A semicolon inside parentheses does not end the statement; the whole
	// is a syntax error at that semicolon, as in PostgreSQL.
	_, err := Parse("select (1; select 2)")
	e := sqlerr.As(err)
	if e == nil || e.Code != sqlerr.SyntaxError || e.Position != 10 {
		t.Fatalf("err = %#v, want 42601 at 10", err)
	}
}

func boolp(b bool) *bool { return &b }

func TestSpecialStatements(t *testing.T) {
	tests := []struct {
		in   string
		want any
	}{
		{"SHOW transaction_isolation", &Show{Name: "transaction_isolation"}},
		{"show TRANSACTION ISOLATION LEVEL", &Show{Name: "transaction_isolation"}},
		{"SHOW ALL", &Show{Name: "all"}},
		{"show DateStyle", &Show{Name: "datestyle"}},
		{"show time zone", &Show{Name: "timezone"}},
		{"show chronos.read_consistency", &Show{Name: "chronos.read_consistency"}},
		{"SET application_name = 'psql'", &Set{Name: "application_name", Values: []string{"psql"}}},
		{"SET extra_float_digits = 3", &Set{Name: "extra_float_digits", Values: []string{"3"}}},
		{"set session search_path to \"$user\", public", &Set{Name: "search_path", Values: []string{"$user", "public"}}},
		{"set local statement_timeout = -5", &Set{Name: "statement_timeout", Values: []string{"-5"}, Local: true}},
		{"set client_min_messages to WARNING", &Set{Name: "client_min_messages", Values: []string{"warning"}}},
		{"set datestyle to default", &Set{Name: "datestyle", Default: true}},
		{"set datestyle = ISO, MDY", &Set{Name: "datestyle", Values: []string{"iso", "mdy"}}},
		{"set chronos.read_consistency = 'stale'", &Set{Name: "chronos.read_consistency", Values: []string{"stale"}}},
		{"SET TIME ZONE 'UTC'", &Set{Name: "timezone", Values: []string{"UTC"}}},
		{"set time zone local", &Set{Name: "timezone", Default: true}},
		{"set time zone interval '+02:00' hour to minute", &Set{Name: "timezone", Values: []string{"+02:00"}}},
		{"set names 'UTF8'", &Set{Name: "client_encoding", Values: []string{"UTF8"}}},
		{"set schema 'public'", &Set{Name: "search_path", Values: []string{"public"}}},
		{"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE",
			&Set{Transaction: &TransactionModes{Isolation: "serializable"}}},
		{"SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED, READ ONLY",
			&Set{Transaction: &TransactionModes{Isolation: "read committed", ReadOnly: boolp(true)}, Session: true}},
		{"reset all", &Reset{Name: "all"}},
		{"RESET DateStyle", &Reset{Name: "datestyle"}},
		{"begin", &Begin{}},
		{"BEGIN WORK", &Begin{}},
		{"begin transaction isolation level repeatable read read write not deferrable",
			&Begin{TransactionModes{Isolation: "repeatable read", ReadOnly: boolp(false), Deferrable: boolp(false)}}},
		{"start transaction read only, deferrable",
			&Begin{TransactionModes{ReadOnly: boolp(true), Deferrable: boolp(true)}}},
		{"START TRANSACTION ISOLATION LEVEL READ UNCOMMITTED", &Begin{TransactionModes{Isolation: "read uncommitted"}}},
		{"commit", &Commit{}},
		{"END", &Commit{}},
		{"commit work", &Commit{}},
		{"commit transaction and no chain", &Commit{}},
		{"rollback", &Rollback{}},
		{"ABORT", &Rollback{}},
		{"rollback transaction", &Rollback{}},
		{"savepoint sp1", &Savepoint{Name: "sp1"}},
		{"SAVEPOINT \"Sp\"", &Savepoint{Name: "Sp"}},
		{"release savepoint sp1", &Release{Name: "sp1"}},
		{"release SP1", &Release{Name: "sp1"}},
		{"rollback to savepoint sp1", &RollbackTo{Name: "sp1"}},
		{"ROLLBACK WORK TO sp1", &RollbackTo{Name: "sp1"}},
		{"truncate table pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers",
			&Truncate{Tables: []string{"pgbench_accounts", "pgbench_branches", "pgbench_history", "pgbench_tellers"}}},
		{"truncate pgbench_history", &Truncate{Tables: []string{"pgbench_history"}}},
		{"TRUNCATE ONLY a, public.b * RESTART IDENTITY CASCADE", &Truncate{Tables: []string{"a", "b"}, RestartIdentity: true, Cascade: true}},
		{"truncate a continue identity restrict", &Truncate{Tables: []string{"a"}}},
		{"vacuum pgbench_branches", &Vacuum{Tables: []string{"pgbench_branches"}}},
		{"vacuum analyze pgbench_accounts", &Vacuum{Tables: []string{"pgbench_accounts"}}},
		{"VACUUM (VERBOSE, ANALYZE) a, b (c)", &Vacuum{Tables: []string{"a", "b"}}},
		{"vacuum", &Vacuum{}},
		{"analyze", &Analyze{}},
		{"ANALYZE verbose t", &Analyze{Tables: []string{"t"}}},
		{"copy pgbench_accounts from stdin with (freeze on)", &Copy{Table: "pgbench_accounts", From: true,
			Delimiter: "\t", Null: `\N`, Quote: `"`, Escape: `"`, Freeze: true}},
		{"COPY t (a, \"B\") FROM STDIN WITH CSV HEADER DELIMITER ';' NULL AS 'NULL' QUOTE '''' ESCAPE '\\'",
			&Copy{Table: "t", Columns: []string{"a", "B"}, From: true, Format: CopyCSV, Header: true,
				Delimiter: ";", Null: "NULL", Quote: "'", Escape: `\`}},
		{"copy t to stdout (format csv, header true, force_quote *)", &Copy{Table: "t", Format: CopyCSV, Header: true,
			Delimiter: ",", Null: "", Quote: `"`, Escape: `"`, ForceQuoteAll: true}},
		{"copy t to stdout with (format csv, force_quote (a, b))", &Copy{Table: "t", Format: CopyCSV,
			Delimiter: ",", Null: "", Quote: `"`, Escape: `"`, ForceQuote: []string{"a", "b"}}},
		{"copy t from stdin (format csv, force_not_null (a), force_null (b))", &Copy{Table: "t", From: true, Format: CopyCSV,
			Delimiter: ",", Null: "", Quote: `"`, Escape: `"`, ForceNotNull: []string{"a"}, ForceNull: []string{"b"}}},
		{"copy binary t to stdout", &Copy{Table: "t", Format: CopyBinary}},
		{"copy t from stdin (format text, delimiter '|', null '', header, encoding 'UTF8')",
			&Copy{Table: "t", From: true, Header: true, Delimiter: "|", Null: "", Quote: `"`, Escape: `"`}},
		{"discard all", &Discard{What: "all"}},
		{"DISCARD TEMPORARY", &Discard{What: "temp"}},
		{"deallocate prepare s1", &Deallocate{Name: "s1"}},
		{"DEALLOCATE ALL", &Deallocate{All: true}},
		{"drop index if exists a, public.b cascade", &DropIndex{Names: []string{"a", "b"}, IfExists: true, Cascade: true}},
		{"drop index concurrently x restrict", &DropIndex{Names: []string{"x"}}},
		{"CHECKPOINT", &Checkpoint{}},
	}
	for _, tc := range tests {
		st := mustParseOne(t, tc.in)
		if st.AST != nil {
			t.Errorf("Parse(%q).AST = %T, want nil", tc.in, st.AST)
		}
		if !reflect.DeepEqual(st.Special, tc.want) {
			t.Errorf("Parse(%q).Special =\n %#v\nwant\n %#v", tc.in, st.Special, tc.want)
		}
		if st.Text != tc.in {
			t.Errorf("Parse(%q).Text = %q", tc.in, st.Text)
		}
	}
}

func TestCopyQuery(t *testing.T) {
	st := mustParseOne(t, "copy (select a from t where b = 1) to stdout with (format binary)")
	cp, ok := st.Special.(*Copy)
	if !ok {
		t.Fatalf("Special = %T, want *Copy", st.Special)
	}
	if cp.Query == nil || cp.Table != "" || cp.Format != CopyBinary || cp.From {
		t.Fatalf("Copy = %+v", cp)
	}
	if _, ok := cp.Query.AST.(*ast.SelectStmt); !ok || cp.Query.Text != "select a from t where b = 1" {
		t.Errorf("Copy.Query = %T %q", cp.Query.AST, cp.Query.Text)
	}
}

func TestASTKinds(t *testing.T) {
	tests := []struct {
		in   string
		want ast.StmtNode
	}{
		{"select 1", &ast.SelectStmt{}},
		{"select a from t union select b from u", &ast.SetOprStmt{}},
		{"insert into t values (1)", &ast.InsertStmt{}},
		{"update t set a = 1", &ast.UpdateStmt{}},
		{"delete from t", &ast.DeleteStmt{}},
		{"create table t (a int)", &ast.CreateTableStmt{}},
		{"create index on t (a)", &ast.CreateIndexStmt{}},
		{"create view v as select 1", &ast.CreateViewStmt{}},
		{"drop table if exists a, b", &ast.DropTableStmt{}},
		{"drop view v", &ast.DropTableStmt{}},
		{"alter table t add column b int", &ast.AlterTableStmt{}},
		{"explain select 1", &ast.ExplainStmt{}},
	}
	for _, tc := range tests {
		st := mustParseOne(t, tc.in)
		if reflect.TypeOf(st.AST) != reflect.TypeOf(tc.want) {
			t.Errorf("Parse(%q).AST = %T, want %T", tc.in, st.AST, tc.want)
		}
		if st.Special != nil {
			t.Errorf("Parse(%q).Special = %T, want nil", tc.in, st.Special)
		}
	}
}

// markers returns the parameter markers of n in text order.
func markers(n ast.Node) []*test_driver.ParamMarkerExpr {
	v := &markerCollector{}
	n.Accept(v)
	slices.SortFunc(v.found, func(a, b *test_driver.ParamMarkerExpr) int { return a.Offset - b.Offset })
	return v.found
}

type markerCollector struct {
	found []*test_driver.ParamMarkerExpr
}

func (v *markerCollector) Enter(n ast.Node) (ast.Node, bool) {
	if m, ok := n.(*test_driver.ParamMarkerExpr); ok {
		v.found = append(v.found, m)
	}
	return n, false
}

func (v *markerCollector) Leave(n ast.Node) (ast.Node, bool) { return n, true }

func orders(n ast.Node) []int {
	var out []int
	for _, m := range markers(n) {
		out = append(out, m.Order)
	}
	return out
}

func TestParams(t *testing.T) {
	tests := []struct {
		in     string
		num    int
		orders []int
	}{
		{"select abalance from pgbench_accounts where aid = $1", 1, []int{0}},
		{"update t set a = a + $1 where id = $2", 2, []int{0, 1}},
		{"select $2, $1, $2", 2, []int{1, 0, 1}},
		{"select $3::int", 3, []int{2}},
		{"select * from t where a = $1 or b = $1 limit $2 offset $3", 3, []int{0, 0, 1, 2}},
		{"select * from t order by a + $1 nulls first", 1, []int{0, 0}},
		{"select a ~ $2 from t where b = $1", 2, []int{1, 0}},
		{"select cast($1 as int), $2 at time zone 'UTC'", 2, []int{0, 1}},
		{"select 1", 0, nil},
	}
	for _, tc := range tests {
		st := mustParseOne(t, tc.in)
		if st.NumParams != tc.num {
			t.Errorf("Parse(%q).NumParams = %d, want %d", tc.in, st.NumParams, tc.num)
		}
		if got := orders(st.AST); !slices.Equal(got, tc.orders) {
			t.Errorf("Parse(%q) marker orders = %v, want %v", tc.in, got, tc.orders)
		}
	}
}

func TestReturning(t *testing.T) {
	st := mustParseOne(t, "insert into t (a, b) values ($1, $2) returning a, b + $3 as x")
	if _, ok := st.AST.(*ast.InsertStmt); !ok {
		t.Fatalf("AST = %T", st.AST)
	}
	if st.NumParams != 3 {
		t.Errorf("NumParams = %d, want 3", st.NumParams)
	}
	if len(st.Returning) != 2 {
		t.Fatalf("Returning = %d fields, want 2", len(st.Returning))
	}
	if c, ok := st.Returning[0].Expr.(*ast.ColumnNameExpr); !ok || c.Name.Name.O != "a" {
		t.Errorf("Returning[0] = %#v", st.Returning[0].Expr)
	}
	if st.Returning[1].AsName.O != "x" {
		t.Errorf("Returning[1].AsName = %q", st.Returning[1].AsName.O)
	}
	b, ok := st.Returning[1].Expr.(*ast.BinaryOperationExpr)
	if !ok {
		t.Fatalf("Returning[1] = %T", st.Returning[1].Expr)
	}
	if m, ok := b.R.(*test_driver.ParamMarkerExpr); !ok || m.Order != 2 {
		t.Errorf("Returning[1].R = %#v, want $3", b.R)
	}
	if got := orders(st.AST); !slices.Equal(got, []int{0, 1}) {
		t.Errorf("main orders = %v", got)
	}

	st = mustParseOne(t, "delete from t where a = 1 returning *")
	if len(st.Returning) != 1 || st.Returning[0].WildCard == nil {
		t.Errorf("RETURNING * = %#v", st.Returning)
	}
	st = mustParseOne(t, "update t set a = 1 RETURNING t.*, a::text")
	if len(st.Returning) != 2 || st.Returning[0].WildCard == nil || st.Returning[0].WildCard.Table.O != "t" {
		t.Errorf("RETURNING t.*, a::text = %#v", st.Returning)
	}
	if f, ok := st.Returning[1].Expr.(*ast.FuncCallExpr); !ok || f.FnName.L != "chronos_cast" {
		t.Errorf("RETURNING a::text = %#v", st.Returning[1].Expr)
	}
	// RETURNING inside a subquery is not the statement's.
	st = mustParseOne(t, "insert into t select * from u")
	if st.Returning != nil || st.OnConflict != nil {
		t.Errorf("plain INSERT has Returning %v OnConflict %v", st.Returning, st.OnConflict)
	}
}

func TestOnConflict(t *testing.T) {
	st := mustParseOne(t, "insert into t (a, b) values ($1, $2) on conflict (a) do update set b = excluded.b + $3, c = 1 where t.b <> excluded.b returning a")
	oc := st.OnConflict
	if oc == nil {
		t.Fatal("OnConflict = nil")
	}
	if !slices.Equal(oc.Columns, []string{"a"}) || oc.DoNothing || oc.Constraint != "" {
		t.Errorf("OnConflict = %+v", oc)
	}
	if len(oc.Set) != 2 || oc.Set[0].Column.Name.O != "b" || oc.Set[1].Column.Name.O != "c" {
		t.Fatalf("Set = %#v", oc.Set)
	}
	add, ok := oc.Set[0].Expr.(*ast.BinaryOperationExpr)
	if !ok || add.Op != opcode.Plus {
		t.Fatalf("Set[0].Expr = %#v", oc.Set[0].Expr)
	}
	if col, ok := add.L.(*ast.ColumnNameExpr); !ok || col.Name.Table.O != "excluded" || col.Name.Name.O != "b" {
		t.Errorf("excluded.b = %#v", add.L)
	}
	if m, ok := add.R.(*test_driver.ParamMarkerExpr); !ok || m.Order != 2 {
		t.Errorf("$3 = %#v", add.R)
	}
	if oc.Where == nil {
		t.Error("Where = nil")
	}
	if st.NumParams != 3 || len(st.Returning) != 1 {
		t.Errorf("NumParams = %d, Returning = %d", st.NumParams, len(st.Returning))
	}
	if ins, ok := st.AST.(*ast.InsertStmt); !ok || ins.OnDuplicate != nil {
		t.Errorf("AST = %#v", st.AST)
	}

	st = mustParseOne(t, "insert into t values (1) on conflict do nothing")
	if st.OnConflict == nil || !st.OnConflict.DoNothing || st.OnConflict.Columns != nil {
		t.Errorf("DO NOTHING = %+v", st.OnConflict)
	}
	st = mustParseOne(t, "insert into t values (1) on conflict on constraint t_pkey do nothing")
	if st.OnConflict == nil || st.OnConflict.Constraint != "t_pkey" || !st.OnConflict.DoNothing {
		t.Errorf("ON CONSTRAINT = %+v", st.OnConflict)
	}
	st = mustParseOne(t, `insert into t select a from u join v on conflict = 1`)
	if st.OnConflict != nil {
		t.Errorf("a column named conflict made an ON CONFLICT clause")
	}
}

func TestDistinctPrecedence(t *testing.T) {
	// a IS DISTINCT FROM b AND c: (a <=> b) IS FALSE, then AND.
	st := mustParseOne(t, "select * from t where a is distinct from b and c")
	and, ok := st.AST.(*ast.SelectStmt).Where.(*ast.BinaryOperationExpr)
	if !ok || and.Op != opcode.LogicAnd {
		t.Fatalf("Where = %#v", st.AST.(*ast.SelectStmt).Where)
	}
	is, ok := and.L.(*ast.IsTruthExpr)
	if !ok || is.Not || is.True != 0 {
		t.Fatalf("left of AND = %#v", and.L)
	}
	if eq, ok := is.Expr.(*ast.BinaryOperationExpr); !ok || eq.Op != opcode.NullEQ {
		t.Fatalf("IS FALSE operand = %#v", is.Expr)
	}
	// x = a IS DISTINCT FROM b + 1: PostgreSQL's IS binds looser than =
	// and tighter than +.
	st = mustParseOne(t, "select * from t where x = a is distinct from b + 1")
	is, ok = st.AST.(*ast.SelectStmt).Where.(*ast.IsTruthExpr)
	if !ok {
		t.Fatalf("Where = %#v", st.AST.(*ast.SelectStmt).Where)
	}
	ne := is.Expr.(*ast.BinaryOperationExpr)
	if ne.Op != opcode.NullEQ {
		t.Fatalf("op = %v", ne.Op)
	}
	if l, ok := ne.L.(*ast.BinaryOperationExpr); !ok || l.Op != opcode.EQ {
		t.Errorf("left = %#v, want x = a", ne.L)
	}
	if r, ok := ne.R.(*ast.BinaryOperationExpr); !ok || r.Op != opcode.Plus {
		t.Errorf("right = %#v, want b + 1", ne.R)
	}
	// NOT DISTINCT is plain <=>.
	st = mustParseOne(t, "select * from t where a is not distinct from b or c")
	or := st.AST.(*ast.SelectStmt).Where.(*ast.BinaryOperationExpr)
	if l, ok := or.L.(*ast.BinaryOperationExpr); or.Op != opcode.LogicOr || !ok || l.Op != opcode.NullEQ {
		t.Errorf("Where = %#v", or)
	}
}

func TestRegexpNegation(t *testing.T) {
	st := mustParseOne(t, "select * from t where a !~ 'x' and b")
	and := st.AST.(*ast.SelectStmt).Where.(*ast.BinaryOperationExpr)
	p, ok := and.L.(*ast.ParenthesesExpr)
	if !ok {
		t.Fatalf("left = %#v", and.L)
	}
	not, ok := p.Expr.(*ast.UnaryOperationExpr)
	if !ok || not.Op != opcode.Not {
		t.Fatalf("negation = %#v", p.Expr)
	}
	if f, ok := not.V.(*ast.FuncCallExpr); !ok || f.FnName.L != "chronos_regexp_match" || len(f.Args) != 2 {
		t.Errorf("match = %#v", not.V)
	}
}

func TestDerivedTableColumnNames(t *testing.T) {
	// (query) AS v(n, "S") becomes (WITH v(n, "S") AS (query) SELECT *
	// FROM v) AS v.
	st := mustParseOne(t, `select * from (values (1, 'a')) as v(n, "S") join (select 1) as w(x) on true`)
	v := &tableSourceCollector{}
	st.AST.Accept(v)
	var got [][]string
	for _, ts := range v.found {
		sel, ok := ts.Source.(*ast.SelectStmt)
		if !ok || sel.With == nil || len(sel.With.CTEs) != 1 {
			continue
		}
		cte := sel.With.CTEs[0]
		if cte.Name.O != ts.AsName.O {
			t.Errorf("CTE %q inside derived table %q", cte.Name.O, ts.AsName.O)
		}
		var names []string
		for _, c := range cte.ColNameList {
			names = append(names, c.O)
		}
		got = append(got, names)
	}
	want := [][]string{{"n", "S"}, {"x"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("column names = %q, want %q", got, want)
	}
}

type tableSourceCollector struct{ found []*ast.TableSource }

func (v *tableSourceCollector) Enter(n ast.Node) (ast.Node, bool) {
	if ts, ok := n.(*ast.TableSource); ok {
		v.found = append(v.found, ts)
	}
	return n, false
}

func (v *tableSourceCollector) Leave(n ast.Node) (ast.Node, bool) { return n, true }

func TestIdentifierNames(t *testing.T) {
	st := mustParseOne(t, `SELECT Id, "Name" FROM "Users" AS U`)
	sel := st.AST.(*ast.SelectStmt)
	if n := sel.Fields.Fields[0].Expr.(*ast.ColumnNameExpr).Name.Name.O; n != "id" {
		t.Errorf("unquoted = %q, want id", n)
	}
	if n := sel.Fields.Fields[1].Expr.(*ast.ColumnNameExpr).Name.Name.O; n != "Name" {
		t.Errorf("quoted = %q, want Name", n)
	}
	src := sel.From.TableRefs.Left.(*ast.TableSource)
	if src.Source.(*ast.TableName).Name.O != "Users" || src.AsName.O != "u" {
		t.Errorf("table = %q AS %q", src.Source.(*ast.TableName).Name.O, src.AsName.O)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		in   string
		code sqlerr.Code
		pos  int
		msg  string
	}{
		{"select a frm t", sqlerr.SyntaxError, 14, `syntax error at or near "t"`},
		{"select a from t where", sqlerr.SyntaxError, 22, "syntax error at end of input"},
		{"select a from t where;", sqlerr.SyntaxError, 22, `syntax error at or near ";"`},
		{"select 1; selec 2", sqlerr.SyntaxError, 11, `syntax error at or near "selec"`},
		{"SELECT * FROM t WHERE id = $1 AND AND", sqlerr.SyntaxError, 35, `syntax error at or near "AND"`},
		{"select 'é', x::int frm t", sqlerr.SyntaxError, 24, `syntax error at or near "t"`},
		{"select x::int from t where (", sqlerr.SyntaxError, 29, "syntax error at end of input"},
		{"select 'abc", sqlerr.SyntaxError, 8, `unterminated quoted string at or near "'abc"`},
		{`select "abc`, sqlerr.SyntaxError, 8, `unterminated quoted identifier at or near ""abc"`},
		{"select /* x", sqlerr.SyntaxError, 8, `unterminated /* comment at or near "/* x"`},
		{"select $$abc", sqlerr.SyntaxError, 8, `unterminated dollar-quoted string at or near "$$abc"`},
		{`select ""`, sqlerr.SyntaxError, 8, `zero-length delimited identifier at or near """"`},
		{"select 'a' 'b'", sqlerr.SyntaxError, 12, `syntax error at or near "'b'"`},
		{"select a @> b", sqlerr.UndefinedFunction, 10, "operator does not exist: @>"},
		{"select a # b", sqlerr.UndefinedFunction, 10, "operator does not exist: #"},
		{"select a ? b", sqlerr.UndefinedFunction, 10, "operator does not exist: ?"},
		{"select `a`", sqlerr.UndefinedFunction, 8, "operator does not exist: `"},
		{"select a::", sqlerr.SyntaxError, 11, "syntax error at end of input"},
		{"select ::int", sqlerr.SyntaxError, 8, `syntax error at or near "::"`},
		{"select cast(a)", sqlerr.SyntaxError, 14, `syntax error at or near ")"`},
		{`select E'\u12'`, sqlerr.InvalidEscapeSequence, 10, "invalid Unicode escape value"},
		{`select E'\0'`, sqlerr.CharacterNotInRepertoire, 10, `invalid byte sequence for encoding "UTF8": 0x00`},
		{"select $0", sqlerr.UndefinedParameter, 8, "there is no parameter $0"},
		{"select B'101'", sqlerr.FeatureNotSupported, 8, "bit-string constants are not supported"},
		{`select a collate "de_DE"`, sqlerr.FeatureNotSupported, 10, `collation "de_DE" is not supported`},
		{"select * from t order by 1 nulls first", sqlerr.FeatureNotSupported, 28, "NULLS FIRST/LAST on an output column number is not supported"},
		{"select distinct on (a) a from t", sqlerr.FeatureNotSupported, 8, "SELECT DISTINCT ON is not supported"},
		{"values (1), (1, 2)", sqlerr.SyntaxError, 13, "VALUES lists must all be the same length"},
		{"select * from t fetch first 1 rows with ties", sqlerr.FeatureNotSupported, 36, "FETCH ... WITH TIES is not supported"},
		{"create table t (a foo)", sqlerr.UndefinedObject, 19, `type "foo" does not exist`},
		{"create table t (a json)", sqlerr.FeatureNotSupported, 19, "type json is not supported"},
		{"create table t (a int[])", sqlerr.FeatureNotSupported, 19, "array types are not supported"},
		{"create table t (a varchar(0))", sqlerr.InvalidParameterValue, 19, "length for type varchar must be at least 1"},
		{"create table t (a numeric(1001))", sqlerr.InvalidParameterValue, 19, "NUMERIC precision 1001 must be between 1 and 1000"},
		{"create table t (a numeric(5, 6))", sqlerr.InvalidParameterValue, 19, "NUMERIC scale 6 must be between 0 and precision 5"},
		{"create table t (a float(54))", sqlerr.InvalidParameterValue, 19, "precision for type float must be less than 54 bits"},
		{"create table t (a text(5))", sqlerr.SyntaxError, 19, `type modifier is not allowed for type "text"`},
		{"create table t (a text generated always as (b) stored)", sqlerr.FeatureNotSupported, 24, "generated columns are not supported"},
		{"create table t (a text generated always as identity)", sqlerr.InvalidParameterValue, 19, "identity column type must be smallint, integer, or bigint"},
		{"create table t (a)", sqlerr.SyntaxError, 18, `syntax error at or near ")"`},
		{"create table t (like u)", sqlerr.FeatureNotSupported, 17, "CREATE TABLE ... LIKE is not supported"},
		{"create index on t using gin (a)", sqlerr.FeatureNotSupported, 25, `access method "gin" is not supported`},
		{"create index on t (a) where a > 0", sqlerr.FeatureNotSupported, 23, "partial indexes are not supported"},
		{"insert into t values (1) on conflict do update set a = 1", sqlerr.SyntaxError, 26, "ON CONFLICT DO UPDATE requires inference specification or constraint name"},
		{"insert into t values (1) on conflict (lower(a)) do nothing", sqlerr.FeatureNotSupported, 39, "ON CONFLICT with an expression target is not supported"},
		{"insert into t values (1) returning", sqlerr.SyntaxError, 35, "syntax error at end of input"},
		{"alter table t alter column a type text", sqlerr.FeatureNotSupported, 15, "ALTER COLUMN ... TYPE is not supported"},
		{"begin foo", sqlerr.SyntaxError, 7, `syntax error at or near "foo"`},
		{"set", sqlerr.SyntaxError, 4, "syntax error at end of input"},
		{"set a b", sqlerr.SyntaxError, 7, `syntax error at or near "b"`},
		{"show", sqlerr.SyntaxError, 5, "syntax error at end of input"},
		{"commit and chain", sqlerr.FeatureNotSupported, 8, "AND CHAIN is not supported"},
		{"copy t from '/etc/passwd'", sqlerr.FeatureNotSupported, 13, "COPY to or from a file or program is not supported"},
		{"copy t from stdin (format text, delimiter 'ab')", sqlerr.FeatureNotSupported, 33, "COPY delimiter must be a single one-byte character"},
		{"copy t from stdin (format binary, header)", sqlerr.FeatureNotSupported, 35, "cannot specify HEADER in BINARY mode"},
		{"copy t from stdin (quote '\"')", sqlerr.FeatureNotSupported, 20, "COPY quote available only in CSV mode"},
		{"copy t from stdin (format csv, delimiter ',', quote ',')", sqlerr.InvalidParameterValue, 47, "COPY delimiter and quote must be different"},
		{"copy t from stdin (header, header)", sqlerr.SyntaxError, 28, "conflicting or redundant options"},
		{"copy t from stdin (bogus)", sqlerr.SyntaxError, 20, `option "bogus" not recognized`},
		{"copy t from stdin (format xml)", sqlerr.InvalidParameterValue, 20, `COPY format "xml" not recognized`},
		{"copy (select 1) from stdin", sqlerr.SyntaxError, 17, `syntax error at or near "from"`},
		{"drop index", sqlerr.SyntaxError, 11, "syntax error at end of input"},
	}
	for _, tc := range tests {
		_, err := Parse(tc.in)
		e := sqlerr.As(err)
		if e == nil {
			t.Errorf("Parse(%q) error = %v, want %s", tc.in, err, tc.code)
			continue
		}
		if e.Code != tc.code || e.Position != tc.pos || e.Message != tc.msg {
			t.Errorf("Parse(%q) = %s at %d %q\n                   want %s at %d %q", tc.in, e.Code, e.Position, e.Message, tc.code, tc.pos, tc.msg)
		}
	}
}

// pgbenchAndPsql are the statements pgbench 15 and psql 15 send
// (REFERENCE.md §7) and the example of issue 2.
var pgbenchAndPsql = []string{
	"drop table if exists pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers",
	"create table pgbench_history(tid int,bid int,aid    int,delta int,mtime timestamp,filler char(22))",
	"create table pgbench_tellers(tid int not null,bid int,tbalance int,filler char(84)) with (fillfactor=100)",
	"create table pgbench_accounts(aid    int not null,bid int,abalance int,filler char(84)) with (fillfactor=100)",
	"create table pgbench_branches(bid int not null,bbalance int,filler char(88)) with (fillfactor=100)",
	"begin",
	"truncate table pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers",
	"insert into pgbench_branches(bid,bbalance) values(1,0)",
	"insert into pgbench_tellers(tid,bid,tbalance) values (1,1,0)",
	"copy pgbench_accounts from stdin with (freeze on)",
	"commit",
	"alter table pgbench_branches add primary key (bid)",
	"alter table pgbench_tellers add primary key (tid)",
	"alter table pgbench_accounts add primary key (aid)",
	"vacuum analyze pgbench_branches",
	"insert into pgbench_branches(bid,bbalance) select bid, 0 from generate_series(1, 1) as bid",
	"insert into pgbench_tellers(tid,bid,tbalance) select tid, (tid - 1) / 10 + 1, 0 from generate_series(1, 10) as tid",
	"insert into pgbench_accounts(aid,bid,abalance,filler) select aid, (aid - 1) / 100000 + 1, 0, '' from generate_series(1, 100000) as aid",
	"alter table pgbench_tellers add constraint pgbench_tellers_bid_fkey foreign key (bid) references pgbench_branches",
	"vacuum pgbench_branches",
	"truncate pgbench_history",
	"select count(*) from pgbench_branches",
	"select o.n, p.partstrat, pg_catalog.count(i.inhparent) from pg_catalog.pg_class as c join pg_catalog.pg_namespace as n on (n.oid = c.relnamespace) cross join lateral (select pg_catalog.array_position(pg_catalog.current_schemas(true), n.nspname)) as o(n) left join pg_catalog.pg_partitioned_table as p on (p.partrelid = c.oid) left join pg_catalog.pg_inherits as i on (c.oid = i.inhparent) where c.relname = 'pgbench_accounts' and o.n is not null group by 1, 2 order by 1 asc limit 1",
	"BEGIN;",
	"UPDATE pgbench_accounts SET abalance = abalance + 1234 WHERE aid = 5678;",
	"SELECT abalance FROM pgbench_accounts WHERE aid = 5678;",
	"UPDATE pgbench_tellers SET tbalance = tbalance + -1234 WHERE tid = 3;",
	"UPDATE pgbench_branches SET bbalance = bbalance + 1234 WHERE bid = 1;",
	"INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (3, 1, 5678, 1234, CURRENT_TIMESTAMP);",
	"END;",
	"SELECT abalance FROM pgbench_accounts WHERE aid = $1;",
	"UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2;",
	"INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP);",
	`SELECT n.nspname as "Schema", c.relname as "Name",
  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index'
   WHEN 'S' THEN 'sequence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table'
   WHEN 'I' THEN 'partitioned index' END as "Type",
  pg_catalog.pg_get_userbyid(c.relowner) as "Owner"
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
WHERE c.relkind IN ('r','p','')
      AND n.nspname <> 'pg_catalog' AND n.nspname !~ '^pg_toast' AND n.nspname <> 'information_schema'
  AND pg_catalog.pg_table_is_visible(c.oid)
ORDER BY 1,2;`,
	"SELECT c.oid, n.nspname, c.relname FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relname OPERATOR(pg_catalog.~) '^(t)$' COLLATE pg_catalog.default AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 2, 3;",
	"SELECT c.relchecks, c.relkind, c.relhasindex, c.relhasrules, c.relhastriggers, c.relrowsecurity, c.relforcerowsecurity, false AS relhasoids, c.relispartition, '', c.reltablespace, CASE WHEN c.reloftype = 0 THEN '' ELSE c.reloftype::pg_catalog.regtype::pg_catalog.text END, c.relpersistence, c.relreplident, am.amname FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_class tc ON (c.reltoastrelid = tc.oid) LEFT JOIN pg_catalog.pg_am am ON (c.relam = am.oid) WHERE c.oid = '16390';",
	"SELECT c.oid::pg_catalog.regclass FROM pg_catalog.pg_class c, pg_catalog.pg_inherits i WHERE c.oid = i.inhparent AND i.inhrelid = '16390' AND c.relkind != 'p' AND c.relkind != 'I' ORDER BY inhseqno;",
	"SET application_name = 'pgbench'",
	"CREATE TABLE users (id INT, name STRING);",
	"INSERT INTO users (id, name) VALUES (1, 'Alice');",
	"INSERT INTO users (id, name) VALUES (2, 'Bob');",
	"SELECT id, name FROM users;",
}

func TestPgbenchAndPsqlStatements(t *testing.T) {
	for _, sql := range pgbenchAndPsql {
		st := mustParseOne(t, sql)
		if (st.AST == nil) == (st.Special == nil) {
			t.Errorf("Parse(%q): AST %T, Special %T", sql, st.AST, st.Special)
		}
	}
	// The whole simple-protocol transaction as one string.
	stmts := mustParse(t, strings.Join(pgbenchAndPsql[23:30], "\n"))
	if len(stmts) != 7 {
		t.Errorf("tpcb-like body = %d statements, want 7", len(stmts))
	}
	if _, ok := stmts[0].Special.(*Begin); !ok {
		t.Errorf("first = %T", stmts[0].Special)
	}
	if _, ok := stmts[6].Special.(*Commit); !ok {
		t.Errorf("last = %T", stmts[6].Special)
	}
}

func BenchmarkParsePointSelect(b *testing.B) {
	const q = "SELECT abalance FROM pgbench_accounts WHERE aid = $1"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(q); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseParallel(b *testing.B) {
	const q = "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2"
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := Parse(q); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func TestTooComplex(t *testing.T) {
	// Each level of a cast chain moves the whole operand; a budget stops
	// quadratic work on hostile input, as PostgreSQL's stack depth limit
	// does.
	_, err := Parse("select a" + strings.Repeat("::int", 3000))
	if e := sqlerr.As(err); e == nil || e.Code != complexStatement || e.Position < 9 {
		t.Fatalf("err = %#v, want 54001", err)
	}
	// Ordinary chains stay well inside it.
	mustParseOne(t, "select a"+strings.Repeat("::text", 50))
}

func TestParseConcurrent(t *testing.T) {
	// Parsers come from a pool; results must not share state across
	// goroutines (run with -race).
	queries := []string{
		"select abalance from pgbench_accounts where aid = $1",
		"update t set a = a || $2 where id = $1 returning a",
		"create table t (a serial, b text)",
		"show all",
	}
	done := make(chan error)
	for g := 0; g < 4; g++ {
		go func(g int) {
			for i := 0; i < 200; i++ {
				q := queries[(g+i)%len(queries)]
				stmts, err := Parse(q)
				if err == nil && (len(stmts) != 1 || stmts[0].Text != q) {
					err = sqlerr.New(sqlerr.InternalError, "Parse(%q) = %d statements", q, len(stmts))
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}(g)
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
