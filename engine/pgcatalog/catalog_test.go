package pgcatalog

import (
	"slices"
	"strings"
	"testing"

	"github.com/chronos-db/chronos/engine/storage"
	"github.com/chronos-db/chronos/engine/types"
)

// The expected values below were produced by PostgreSQL 15.

func TestSizePretty(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{0, "0 bytes"}, {1, "1 bytes"}, {10239, "10239 bytes"}, {10240, "10 kB"}, {10752, "11 kB"},
		{10751, "10 kB"}, {20479, "20 kB"}, {20480, "20 kB"}, {1048575, "1024 kB"}, {1048576, "1024 kB"},
		{10485760, "10 MB"}, {123456789, "118 MB"}, {10737418240, "10 GB"}, {1099511627776, "1024 GB"},
		{-10240, "-10 kB"}, {-20000, "-20 kB"}, {999999999999999, "909 TB"},
	} {
		if got := sizePretty(tc.n); got != tc.want {
			t.Errorf("sizePretty(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestArrayText(t *testing.T) {
	elems := []types.Value{"a", "b c", "", "NULL", `x"y`, `q\z`, nil}
	text := ArrayText(elems, types.Text)
	if want := `{a,"b c","","NULL","x\"y","q\\z",NULL}`; text != want {
		t.Fatalf("ArrayText = %s, want %s", text, want)
	}
	if back := ArrayElements(text); !slices.Equal(back, elems) {
		t.Errorf("ArrayElements(%s) = %#v", text, back)
	}
	if got := ArrayElements("{}"); len(got) != 0 {
		t.Errorf("ArrayElements({}) = %#v", got)
	}
}

func TestFormatType(t *testing.T) {
	for _, tc := range []struct {
		oid  types.Value
		mod  types.Value
		want types.Value
	}{
		{int64(1043), int64(104), "character varying(100)"},
		{int64(1700), int64(655366), "numeric(10,2)"},
		{int64(1042), int64(-1), "bpchar"},
		{int64(18), int64(-1), `"char"`},
		{int64(1184), int64(-1), "timestamp with time zone"},
		{int64(99999), int64(-1), "???"},
		{int64(16), nil, "boolean"},
		{nil, int64(-1), nil},
	} {
		got, err := fnFormatType(nil, []types.Value{tc.oid, tc.mod})
		if err != nil || got != tc.want {
			t.Errorf("format_type(%v, %v) = %v, %v; want %v", tc.oid, tc.mod, got, err, tc.want)
		}
	}
}

// testSnapshot holds a table with a primary key, a UNIQUE constraint, an
// index, a default and a serial column, and a view.
func testSnapshot(t *testing.T) *storage.Snapshot {
	t.Helper()
	s := storage.New()
	cmds := []storage.Command{
		&storage.CreateTable{Def: storage.TableDef{Name: "users", Columns: []storage.Column{
			{Name: "id", Type: types.Int4, NotNull: true, Serial: true},
			{Name: "email", Type: types.T{OID: types.OIDVarchar, Mod: 104}},
			{Name: "score", Type: types.Numeric, Default: "0"},
		}, Indexes: []storage.Index{
			{Columns: []int{0}, Unique: true, Primary: true, Constraint: true},
			{Columns: []int{1}, Unique: true, Constraint: true},
		}}},
		&storage.CreateIndex{Table: "users", Index: storage.Index{Name: "users_score_idx", Columns: []int{2, 1}}},
		&storage.CreateView{Def: storage.ViewDef{Name: "v", Query: "SELECT id FROM users", Columns: []string{"id"}}},
	}
	for i, c := range cmds {
		if r := s.Apply(uint64(i+1), c); r.Err != nil {
			t.Fatalf("apply %T: %v", c, r.Err)
		}
	}
	return s.Snapshot()
}

// column returns the values of one column of a catalog table's rows.
func column(t *testing.T, schema, table, col string, snap *storage.Snapshot) []string {
	t.Helper()
	cols, ok := Lookup(schema, table)
	if !ok {
		t.Fatalf("no table %s.%s", schema, table)
	}
	i := slices.IndexFunc(cols, func(c Column) bool { return c.Name == col })
	if i < 0 {
		t.Fatalf("no column %s in %s", col, table)
	}
	var out []string
	for _, r := range Rows(schema, table, snap, Info{User: "ann"}) {
		if r[i] == nil {
			out = append(out, "NULL")
		} else {
			out = append(out, types.FormatText(r[i], cols[i].Type))
		}
	}
	return out
}

func TestCatalogRows(t *testing.T) {
	snap := testSnapshot(t)
	users, _ := snap.Table("users")
	def := users.Def()
	firstUser := func(xs []string) []string {
		var out []string
		for _, x := range xs {
			if !strings.HasPrefix(x, "pg_") && !strings.HasPrefix(x, "_pg") && x != "NULL" {
				out = append(out, x)
			}
		}
		return out
	}
	for _, tc := range []struct {
		schema, table, col string
		want               string
	}{
		{"", "pg_namespace", "nspname", "public information_schema"}, // pg_* names are filtered out below
		{SchemaCatalog, "pg_index", "indkey", "1 2 3 2"},
		{"", "pg_constraint", "conname", "users_pkey users_email_key"},
		{"", "pg_constraint", "contype", "p u"},
		{"", "pg_constraint", "conkey", "{1} {2}"},
		{"", "pg_attrdef", "adbin", "nextval('users_id_seq'::regclass) 0"},
		{"", "pg_roles", "rolname", "ann"},
		{SchemaInfo, "table_constraints", "constraint_type", "PRIMARY KEY UNIQUE"},
		{SchemaInfo, "key_column_usage", "column_name", "id email"},
		{"", "pg_sequence", "seqmax", "2147483647"},
		{"", "pg_depend", "refobjsubid", "1"},
	} {
		got := strings.Join(firstUser(column(t, tc.schema, tc.table, tc.col, snap)), " ")
		if got != tc.want {
			t.Errorf("%s.%s.%s = %q, want %q", tc.schema, tc.table, tc.col, got, tc.want)
		}
	}
	var names, kinds []string
	relnames := column(t, "", "pg_class", "relname", snap)
	relkinds := column(t, "", "pg_class", "relkind", snap)
	for i, n := range relnames {
		if !strings.HasPrefix(n, "pg_") && i < len(relkinds) && relkinds[i] != "r" || n == "users" {
			names, kinds = append(names, n), append(kinds, relkinds[i])
		}
	}
	if got := strings.Join(names, " ") + "/" + strings.Join(kinds, ""); !strings.HasPrefix(got, "users users_id_seq users_pkey users_email_key users_score_idx v ") {
		t.Errorf("pg_class user relations: %s", got)
	}
	cols := column(t, SchemaInfo, "columns", "data_type", snap)
	if !slices.Contains(cols, "character varying") || !slices.Contains(cols, "numeric") {
		t.Errorf("information_schema.columns data types: %v", cols)
	}
	g := &gen{snap: snap}
	pkey, ok := g.relationByOID(int64(def.Indexes[0].OID))
	if !ok {
		t.Fatal("primary key index not found by OID")
	}
	if got := indexDef(pkey); got != "CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id)" {
		t.Errorf("indexDef = %q", got)
	}
	if got := constraintDef(pkey); got != "PRIMARY KEY (id)" {
		t.Errorf("constraintDef = %q", got)
	}
}

func TestDeparseDefault(t *testing.T) {
	for _, tc := range []struct {
		def  string
		typ  types.T
		want string
	}{
		{"'x'", types.Text, "'x'::text"},
		{"'x'", types.T{OID: types.OIDVarchar, Mod: 14}, "'x'::character varying"},
		{"'ab'", types.T{OID: types.OIDBPChar, Mod: 7}, "'ab'::bpchar"},
		{"'it''s'", types.Text, "'it''s'::text"},
		{"0", types.Numeric, "0"},
		{"now()", types.Timestamptz, "now()"},
		{"'a' || 'b'", types.Text, "'a' || 'b'"},
		{"'it''s' || 'x'", types.Text, "'it''s' || 'x'"},
	} {
		if got := deparseDefault(tc.def, tc.typ); got != tc.want {
			t.Errorf("deparseDefault(%s, %s) = %s, want %s", tc.def, tc.typ, got, tc.want)
		}
	}
}

func TestTableIsVisible(t *testing.T) {
	snap := testSnapshot(t)
	users, _ := snap.Table("users")
	g := &gen{snap: snap}
	for _, tc := range []struct {
		oid  uint32
		want bool
	}{
		{users.Def().OID, true},
		{catalogTableOID(SchemaCatalog, "pg_class"), true},
		{catalogTableOID(SchemaInfo, "tables"), false},
	} {
		got, err := functions["pg_table_is_visible"].fn(g, []types.Value{int64(tc.oid)})
		if err != nil || got != tc.want {
			t.Errorf("pg_table_is_visible(%d) = %v, %v; want %v", tc.oid, got, err, tc.want)
		}
	}
}
