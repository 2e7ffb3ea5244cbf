package storage

import (
	"reflect"
	"testing"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
)

func simpleTable(name string, cols ...string) *CreateTable {
	def := TableDef{Name: name}
	for _, c := range cols {
		def.Columns = append(def.Columns, Column{Name: c, Type: types.Int8})
	}
	return &CreateTable{Def: def}
}

func insertInts(table string, rows ...[]types.Value) *Write {
	w := &Write{}
	for _, r := range rows {
		w.Ops = append(w.Ops, Op{Kind: OpInsert, Table: table, Values: r})
	}
	return w
}

func vals(xs ...any) []types.Value {
	out := make([]types.Value, len(xs))
	for i, x := range xs {
		if n, ok := x.(int); ok {
			out[i] = int64(n)
		} else {
			out[i] = x
		}
	}
	return out
}

func indexNames(s *Snapshot, table string) []string {
	tb, _ := s.Table(table)
	var out []string
	for _, ix := range tb.Def().Indexes {
		out = append(out, ix.Name)
	}
	return out
}

func TestApplyDDL(t *testing.T) {
	view := &CreateView{Def: ViewDef{Name: "v", Query: "SELECT id FROM users", Columns: []string{"id"}, DependsOn: []string{"users"}}}
	runApplyCases(t, []applyCase{
		{name: "create table assigns OIDs and names", cmd: &CreateTable{Def: TableDef{Name: "t", Columns: []Column{{Name: "a", Type: types.Int4}, {Name: "b", Type: types.Text}},
			Indexes: []Index{{Columns: []int{1}, Unique: true, Constraint: true}, {Columns: []int{0, 1}, Primary: true}}}},
			check: func(t *testing.T, s *Snapshot, res Result) {
				u, _ := s.Table("users")
				if u.OID() != FirstOID || u.Def().Indexes[0].OID != FirstOID+1 || u.Def().Indexes[1].OID != FirstOID+2 {
					t.Errorf("users OIDs %d %+v", u.OID(), u.Def().Indexes)
				}
				tb, _ := s.Table("t")
				d := tb.Def()
				if d.OID != FirstOID+3 || d.Version != 3 {
					t.Errorf("t oid %d version %d", d.OID, d.Version)
				}
				if got := indexNames(s, "t"); !reflect.DeepEqual(got, []string{"t_pkey", "t_b_key"}) {
					t.Errorf("indexes %v", got)
				}
				if !d.Columns[0].NotNull || !d.Columns[1].NotNull {
					t.Error("primary key columns not NOT NULL")
				}
				if tb2, pos, ok := s.Index("t_b_key"); !ok || tb2 != tb || pos != 1 {
					t.Errorf("Index(t_b_key) = %v %d %v", tb2, pos, ok)
				}
				if s.NextOID() != FirstOID+6 {
					t.Errorf("next OID %d", s.NextOID())
				}
			}},
		{name: "create existing table", cmd: &CreateTable{Def: usersDef()}, code: sqlerr.DuplicateTable, msg: `relation "users" already exists`},
		{name: "create table if not exists", cmd: &CreateTable{Def: usersDef(), IfNotExists: true},
			check: func(t *testing.T, s *Snapshot, res Result) {
				if !reflect.DeepEqual(res.Notices, []string{`relation "users" already exists, skipping`}) {
					t.Errorf("notices %q", res.Notices)
				}
			}},
		{name: "create table named like an index", cmd: simpleTable("users_pkey", "a"), code: sqlerr.DuplicateTable},
		{name: "duplicate column", cmd: simpleTable("t", "a", "b", "a"), code: sqlerr.DuplicateColumn, msg: `column "a" specified more than once`},
		{name: "two primary keys", cmd: &CreateTable{Def: TableDef{Name: "t", Columns: []Column{{Name: "a", Type: types.Int4}},
			Indexes: []Index{{Columns: []int{0}, Primary: true}, {Columns: []int{0}, Primary: true}}}},
			code: sqlerr.InvalidTableDefinition, msg: `multiple primary keys for table "t" are not allowed`},
		{name: "generated names avoid collisions", setup: []Command{simpleTable("t", "x")},
			cmd: &CreateIndex{Table: "t", Index: Index{Columns: []int{0}, Unique: true, Constraint: true}},
			check: func(t *testing.T, s *Snapshot, res Result) {
				if got := indexNames(s, "t"); !reflect.DeepEqual(got, []string{"t_x_key"}) {
					t.Errorf("indexes %v", got)
				}
			}},
		{name: "generated name suffix", setup: []Command{simpleTable("t", "x"), &CreateIndex{Table: "t", Index: Index{Columns: []int{0}}}},
			cmd: &CreateIndex{Table: "t", Index: Index{Columns: []int{0}}},
			check: func(t *testing.T, s *Snapshot, res Result) {
				if got := indexNames(s, "t"); !reflect.DeepEqual(got, []string{"t_x_idx", "t_x_idx1"}) {
					t.Errorf("indexes %v", got)
				}
			}},
		{name: "drop tables", setup: []Command{simpleTable("a", "x"), simpleTable("b", "x")},
			cmd: &DropTable{Names: []string{"a", "users"}},
			check: func(t *testing.T, s *Snapshot, res Result) {
				if len(s.Tables()) != 1 || s.RelationExists("users_pkey") || s.RelationExists("a") {
					t.Errorf("left: %v", s.Tables())
				}
			}},
		{name: "drop missing table", setup: []Command{simpleTable("a", "x")}, cmd: &DropTable{Names: []string{"a", "nope"}},
			code: sqlerr.UndefinedTable, msg: `table "nope" does not exist`},
		{name: "drop if exists", cmd: &DropTable{Names: []string{"nope", "users"}, IfExists: true},
			check: func(t *testing.T, s *Snapshot, res Result) {
				if !reflect.DeepEqual(res.Notices, []string{`table "nope" does not exist, skipping`}) || len(s.Tables()) != 0 {
					t.Errorf("notices %q tables %v", res.Notices, s.Tables())
				}
			}},
		{name: "drop table of a view", setup: []Command{view}, cmd: &DropTable{Names: []string{"v"}}, code: sqlerr.WrongObjectType, msg: `"v" is not a table`},
		{name: "drop table a view depends on", setup: []Command{view}, cmd: &DropTable{Names: []string{"users"}},
			code: "2BP01", msg: "cannot drop table users because other objects depend on it", detail: "view v depends on table users"},
		{name: "create index", setup: []Command{insertInts("users", vals(3, "alice", nil, 10, 3))},
			cmd: &CreateIndex{Table: "users", Index: Index{Name: "by_name", Columns: []int{1}}},
			check: func(t *testing.T, s *Snapshot, res Result) {
				tb, _ := s.Table("users")
				pos := tb.Def().IndexByName("by_name")
				var ids []uint64
				tb.IndexScan(pos, Bound{Values: vals("alice"), Inclusive: true}, Bound{Values: vals("alice"), Inclusive: true}, func(r *Row) bool {
					ids = append(ids, r.ID)
					return true
				})
				if !reflect.DeepEqual(ids, []uint64{1, 3}) || tb.IndexLen(pos) != 3 {
					t.Errorf("scan by name: %v", ids)
				}
				if tb.Def().Version != 4 {
					t.Errorf("def version %d", tb.Def().Version)
				}
			}},
		{name: "create unique index over duplicates", setup: []Command{insertInts("users", vals(3, "alice", nil, 10, 3))},
			cmd:  &CreateIndex{Table: "users", Index: Index{Columns: []int{1}, Unique: true}},
			code: sqlerr.UniqueViolation, msg: `could not create unique index "users_name_idx"`, detail: "Key (name)=(alice) is duplicated."},
		{name: "create index on missing table", cmd: &CreateIndex{Table: "nope", Index: Index{Columns: []int{0}}}, code: sqlerr.UndefinedTable},
		{name: "create index with a taken name", cmd: &CreateIndex{Table: "users", Index: Index{Name: "users", Columns: []int{0}}}, code: sqlerr.DuplicateTable},
		{name: "create index if not exists", cmd: &CreateIndex{Table: "users", Index: Index{Name: "users_pkey", Columns: []int{1}}, IfNotExists: true},
			check: func(t *testing.T, s *Snapshot, res Result) {
				if len(res.Notices) != 1 || len(indexNames(s, "users")) != 2 {
					t.Errorf("notices %q", res.Notices)
				}
			}},
		{name: "drop index", setup: []Command{&CreateIndex{Table: "users", Index: Index{Name: "i", Columns: []int{3}}}},
			cmd: &DropIndex{Names: []string{"i"}},
			check: func(t *testing.T, s *Snapshot, res Result) {
				if got := indexNames(s, "users"); !reflect.DeepEqual(got, []string{"users_pkey", "users_email_key"}) || s.RelationExists("i") {
					t.Errorf("indexes %v", got)
				}
			}},
		{name: "drop missing index", cmd: &DropIndex{Names: []string{"i"}}, code: sqlerr.UndefinedObject, msg: `index "i" does not exist`},
		{name: "drop index if exists", cmd: &DropIndex{Names: []string{"i"}, IfExists: true},
			check: func(t *testing.T, s *Snapshot, res Result) {
				if !reflect.DeepEqual(res.Notices, []string{`index "i" does not exist, skipping`}) {
					t.Errorf("notices %q", res.Notices)
				}
			}},
		{name: "drop constraint index", cmd: &DropIndex{Names: []string{"users_pkey"}}, code: "2BP01",
			msg: "cannot drop index users_pkey because constraint users_pkey on table users requires it"},
		{name: "drop index of a table", cmd: &DropIndex{Names: []string{"users"}}, code: sqlerr.WrongObjectType},
		{name: "add column with fill", cmd: &AddColumn{Table: "users", Column: Column{Name: "c", Type: types.Text, Default: "'x'"}, Fill: "x"},
			check: func(t *testing.T, s *Snapshot, res Result) {
				wantRows(t, s, "users", `("1", "alice", "a@x", "10", "1", "x")`, `("2", "bob", NULL, NULL, "2", "x")`)
				if r, ok := lookup(t, s, "users", "users_pkey", int64(2)); !ok || len(r.Values()) != 6 || r.Version != 3 {
					t.Errorf("index still points at old rows: %+v", r)
				}
				if res.Count != 2 {
					t.Errorf("count %d", res.Count)
				}
			}},
		{name: "add serial column numbers rows", cmd: &AddColumn{Table: "users", Column: Column{Name: "s", Type: types.Int8, Serial: true, NotNull: true}},
			check: func(t *testing.T, s *Snapshot, res Result) {
				wantRows(t, s, "users", `("1", "alice", "a@x", "10", "1", "1")`, `("2", "bob", NULL, NULL, "2", "2")`)
				tb, _ := s.Table("users")
				if tb.Sequence(5) != 2 || tb.Sequence(4) != 2 {
					t.Errorf("sequences %d %d", tb.Sequence(4), tb.Sequence(5))
				}
			}},
		{name: "add existing column", cmd: &AddColumn{Table: "users", Column: Column{Name: "name", Type: types.Text}},
			code: sqlerr.DuplicateColumn, msg: `column "name" of relation "users" already exists`},
		{name: "add column if not exists", cmd: &AddColumn{Table: "users", Column: Column{Name: "name", Type: types.Text}, IfNotExists: true},
			check: func(t *testing.T, s *Snapshot, res Result) {
				if len(res.Notices) != 1 {
					t.Errorf("notices %q", res.Notices)
				}
			}},
		{name: "add not null column without default", cmd: &AddColumn{Table: "users", Column: Column{Name: "c", Type: types.Text, NotNull: true}},
			code: sqlerr.NotNullViolation, msg: `column "c" of relation "users" contains null values`},
		{name: "add unique column with a duplicate fill", cmd: &AddColumn{Table: "users", Column: Column{Name: "c", Type: types.Int4}, Fill: int64(7),
			Indexes: []Index{{Columns: []int{5}, Unique: true, Constraint: true}}},
			code: sqlerr.UniqueViolation, msg: `could not create unique index "users_c_key"`, detail: "Key (c)=(7) is duplicated."},
		{name: "add column to missing table", cmd: &AddColumn{Table: "nope", Column: Column{Name: "c", Type: types.Int4}}, code: sqlerr.UndefinedTable},
		{name: "drop column drops its indexes and renumbers", setup: []Command{&CreateIndex{Table: "users", Index: Index{Name: "by_score", Columns: []int{3}}}},
			cmd: &DropColumn{Table: "users", Column: "email"},
			check: func(t *testing.T, s *Snapshot, res Result) {
				wantRows(t, s, "users", `("1", "alice", "10", "1")`, `("2", "bob", NULL, "2")`)
				tb, _ := s.Table("users")
				d := tb.Def()
				if got := indexNames(s, "users"); !reflect.DeepEqual(got, []string{"users_pkey", "by_score"}) || s.RelationExists("users_email_key") {
					t.Errorf("indexes %v", got)
				}
				if !reflect.DeepEqual(d.Indexes[1].Columns, []int{2}) || tb.Sequence(3) != 2 {
					t.Errorf("by_score columns %v, n sequence %d", d.Indexes[1].Columns, tb.Sequence(3))
				}
				if r, ok := tb.Lookup(1, vals(10)); !ok || r.ID != 1 {
					t.Errorf("by_score lookup %+v", r)
				}
			}},
		{name: "drop missing column", cmd: &DropColumn{Table: "users", Column: "zz"}, code: sqlerr.UndefinedColumn, msg: `column "zz" of relation "users" does not exist`},
		{name: "drop column if exists", cmd: &DropColumn{Table: "users", Column: "zz", IfExists: true},
			check: func(t *testing.T, s *Snapshot, res Result) {
				if len(res.Notices) != 1 {
					t.Errorf("notices %q", res.Notices)
				}
			}},
		{name: "add primary key", setup: []Command{simpleTable("t", "a", "b"), insertInts("t", vals(1, 1), vals(2, 1))},
			cmd: &AddPrimaryKey{Table: "t", Columns: []int{0}},
			check: func(t *testing.T, s *Snapshot, res Result) {
				tb, _ := s.Table("t")
				if tb.Def().PrimaryKey() != 0 || !tb.Def().Columns[0].NotNull || tb.Def().Indexes[0].Name != "t_pkey" {
					t.Errorf("def %+v", tb.Def())
				}
			}},
		{name: "add second primary key", cmd: &AddPrimaryKey{Table: "users", Columns: []int{1}}, code: sqlerr.InvalidTableDefinition},
		{name: "add primary key over nulls", setup: []Command{simpleTable("t", "a"), insertInts("t", vals(1), vals(nil))},
			cmd: &AddPrimaryKey{Table: "t", Columns: []int{0}}, code: sqlerr.NotNullViolation, msg: `column "a" of relation "t" contains null values`},
		{name: "add primary key over duplicates", setup: []Command{simpleTable("t", "a"), insertInts("t", vals(1), vals(1))},
			cmd: &AddPrimaryKey{Table: "t", Columns: []int{0}}, code: sqlerr.UniqueViolation, msg: `could not create unique index "t_pkey"`, detail: "Key (a)=(1) is duplicated."},
		{name: "add primary key to missing table", cmd: &AddPrimaryKey{Table: "nope", Columns: []int{0}}, code: sqlerr.UndefinedTable},
		{name: "truncate keeps counters", cmd: &Truncate{Names: []string{"users"}},
			check: func(t *testing.T, s *Snapshot, res Result) {
				tb, _ := s.Table("users")
				if tb.Len() != 0 || tb.IndexLen(0) != 0 || tb.LastRowID() != 2 || tb.Sequence(4) != 2 || res.Count != 2 {
					t.Errorf("len %d last %d seq %d count %d", tb.Len(), tb.LastRowID(), tb.Sequence(4), res.Count)
				}
			}},
		{name: "truncate restart identity", cmd: &Truncate{Names: []string{"users"}, RestartIdentity: true},
			check: func(t *testing.T, s *Snapshot, res Result) {
				if tb, _ := s.Table("users"); tb.Sequence(4) != 0 || tb.LastRowID() != 2 {
					t.Errorf("seq %d", tb.Sequence(4))
				}
			}},
		{name: "truncate missing table", cmd: &Truncate{Names: []string{"users", "nope"}}, code: sqlerr.UndefinedTable},
		{name: "create view", cmd: view,
			check: func(t *testing.T, s *Snapshot, res Result) {
				v, ok := s.View("v")
				if !ok || v.OID != FirstOID+3 || v.Query != "SELECT id FROM users" || len(s.Views()) != 1 {
					t.Errorf("view %+v", v)
				}
			}},
		{name: "create existing view", setup: []Command{view}, cmd: view, code: sqlerr.DuplicateTable},
		{name: "create view named like a table", cmd: &CreateView{Def: ViewDef{Name: "users"}}, code: sqlerr.DuplicateTable},
		{name: "create or replace view on a table", cmd: &CreateView{Def: ViewDef{Name: "users"}, OrReplace: true}, code: sqlerr.WrongObjectType},
		{name: "replace view keeps OID", setup: []Command{view},
			cmd: &CreateView{Def: ViewDef{Name: "v", Query: "SELECT 1", Columns: []string{"x"}}, OrReplace: true},
			check: func(t *testing.T, s *Snapshot, res Result) {
				if v, _ := s.View("v"); v.OID != FirstOID+3 || v.Query != "SELECT 1" || s.NextOID() != FirstOID+4 {
					t.Errorf("view %+v", v)
				}
			}},
		{name: "drop view", setup: []Command{view}, cmd: &DropView{Names: []string{"v"}},
			check: func(t *testing.T, s *Snapshot, res Result) {
				if _, ok := s.View("v"); ok {
					t.Error("view still there")
				}
			}},
		{name: "drop missing view", cmd: &DropView{Names: []string{"v"}}, code: sqlerr.UndefinedTable, msg: `view "v" does not exist`},
		{name: "drop view if exists", cmd: &DropView{Names: []string{"v"}, IfExists: true},
			check: func(t *testing.T, s *Snapshot, res Result) {
				if len(res.Notices) != 1 {
					t.Errorf("notices %q", res.Notices)
				}
			}},
		{name: "drop view of a table", cmd: &DropView{Names: []string{"users"}}, code: sqlerr.WrongObjectType, msg: `"users" is not a view`},
		{name: "drop view another view depends on", setup: []Command{view, &CreateView{Def: ViewDef{Name: "w", DependsOn: []string{"v"}}}},
			cmd: &DropView{Names: []string{"v"}}, code: "2BP01"},
		{name: "drop view with its dependent", setup: []Command{view, &CreateView{Def: ViewDef{Name: "w", DependsOn: []string{"v"}}}},
			cmd: &DropView{Names: []string{"w", "v"}}},
	})
}

// TestWriteAfterDDL checks writes keep working on tables rebuilt by DDL.
func TestWriteAfterDDL(t *testing.T) {
	s := newUsers(t)
	must(t, s, &AddColumn{Table: "users", Column: Column{Name: "c", Type: types.Int8}})
	must(t, s, &DropColumn{Table: "users", Column: "email"})
	must(t, s, &CreateIndex{Table: "users", Index: Index{Columns: []int{4}, Unique: true}})
	res := must(t, s, &Write{Ops: []Op{
		{Kind: OpInsert, Table: "users", Values: vals(3, "c", nil, nil, 6), SerialColumns: []int{3}},
		{Kind: OpUpdate, Table: "users", RowID: 1, Version: 4, Values: vals(1, "alice", 10, 1, 7)},
	}})
	if res.Rows[0].Values()[3] != int64(3) {
		t.Errorf("serial after DDL: %v", res.Rows[0].Values())
	}
	res = next(s, &Write{Ops: []Op{{Kind: OpInsert, Table: "users", Values: vals(4, "d", nil, nil, 7), SerialColumns: []int{3}}}})
	if code(res.Err) != sqlerr.UniqueViolation || sqlerr.As(res.Err).Message != `duplicate key value violates unique constraint "users_c_idx"` {
		t.Fatalf("insert of duplicate c: %v", res.Err)
	}
	wantRows(t, s.Snapshot(), "users", `("1", "alice", "10", "1", "7")`, `("2", "bob", NULL, "2", NULL)`, `("3", "c", NULL, "3", "6")`)
}
