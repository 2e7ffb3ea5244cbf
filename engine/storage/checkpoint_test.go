package storage

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/apd/v3"
	"github.com/google/go-cmp/cmp"

	"github.com/chronos-db/chronos/csvstore"
	"github.com/chronos-db/chronos/engine/types"
)

// valueCmp compares values exactly: floats by bits (NaN, -0), numerics by
// text (scale included), times by instant.
var valueCmp = cmp.Options{
	cmp.Comparer(func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }),
	cmp.Comparer(func(a, b *apd.Decimal) bool { return a.String() == b.String() }),
}

func dec(s string) *apd.Decimal {
	d, _, err := apd.NewFromString(s)
	if err != nil {
		panic(err)
	}
	return d
}

func ts(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05.999999", s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// allTypesDef has a column of every type, an index on several of them.
func allTypesDef() TableDef {
	return TableDef{Name: "all types",
		Columns: []Column{
			{Name: "id", Type: types.Int8, Serial: true},
			{Name: "b", Type: types.Bool},
			{Name: "i2", Type: types.Int2},
			{Name: "i4", Type: types.Int4},
			{Name: "f4", Type: types.Float4},
			{Name: "f8", Type: types.Float8},
			{Name: "n", Type: types.NumericType(10, 3)},
			{Name: "nn", Type: types.Numeric},
			{Name: "t", Type: types.Text},
			{Name: "vc", Type: types.VarcharType(20)},
			{Name: "c", Type: types.BPCharType(4)},
			{Name: "by", Type: types.Bytea},
			{Name: "d", Type: types.Date},
			{Name: "ts", Type: types.Timestamp},
			{Name: "tz", Type: types.Timestamptz},
			{Name: "Odd, \"Name\"", Type: types.Text, Default: "'x'"},
		},
		Indexes: []Index{{Columns: []int{0}, Primary: true}, {Columns: []int{8, 5}}, {Columns: []int{9}, Unique: true}},
	}
}

// allTypesRows are rows of allTypesDef, values already of the column types
// with their typmods applied (numeric(10,3) has 3 decimals, character(4) is
// padded), as the engine proposes them.
func allTypesRows() [][]types.Value {
	return [][]types.Value{
		{nil, true, int64(-32768), int64(math.MaxInt32), float64(float32(1.5)), 0.1, dec("12.345"), dec("1e-20"),
			"", "", "ab  ", []byte{}, ts("2024-02-29 00:00:00"), ts("2024-01-02 03:04:05.123456"), ts("1999-12-31 23:59:59.000001"), "plain"},
		{nil, false, int64(32767), int64(math.MinInt32), float64(float32(-3.25e30)), math.Inf(-1), dec("-0.500"), dec("NaN"),
			"a,\"b\"\nc\r\nd", "with space ", "x   ", []byte{0, 1, 2, 0xff, ',', '"', '\n'}, ts("0001-01-01 00:00:00"), types.InfinityTime, types.NegInfinityTime, `\.`},
		{nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil},
		{nil, true, int64(0), int64(0), math.Copysign(0, -1), math.NaN(), dec("0.000"), dec("123456789012345678901234567890.123456789"),
			"日本語 😀", " lead", "    ", []byte("\\x"), ts("2000-01-01 00:00:00"), ts("1970-01-01 00:00:00"), ts("2262-04-11 23:47:16.854775"), ""},
		{nil, false, int64(1), int64(2), math.MaxFloat32, math.MaxFloat64, dec("9999999.999"), dec("-1.0"),
			"NULL", "null", "    ", []byte("null"), ts("2024-12-31 00:00:00"), ts("2024-12-31 23:59:59.999999"), ts("2024-06-15 12:00:00"), "\"\""},
	}
}

// buildCommands returns fresh commands building a store that exercises
// everything a checkpoint keeps: all types, NULL vs ”, serial sequences,
// gaps in row IDs, several versions, indexes, views, OIDs, dropped objects.
// Command i is meant for raft index i+1.
func buildCommands() []Command {
	cmds := []Command{
		&CreateTable{Def: usersDef()},
		&Write{Ops: []Op{user(1, "alice", "a@x", int64(10)), user(2, "bob", nil, nil)}},
		&CreateTable{Def: allTypesDef()},
	}
	for _, r := range allTypesRows() {
		cmds = append(cmds, &Write{Ops: []Op{{Kind: OpInsert, Table: "all types", Values: r, SerialColumns: []int{0}}}})
	}
	return append(cmds,
		&Write{Ops: []Op{{Kind: OpDelete, Table: "all types", RowID: 2, Version: 5}}},
		&Write{Ops: []Op{user(3, "carol", "", int64(0)), user(4, "dave", nil, nil), user(5, "", "e", nil)}},
		&Write{Ops: []Op{{Kind: OpIncrement, Table: "users", RowID: 4, Deltas: []Delta{{Column: 3, Add: int64(1)}}}}},
		&CreateTable{Def: TableDef{Name: "dropped", Columns: []Column{{Name: "x", Type: types.Int4}}}},
		&DropTable{Names: []string{"dropped"}},
		&CreateTable{Def: TableDef{Name: "empty", Columns: []Column{{Name: "x", Type: types.Text}}}},
		&CreateTable{Def: TableDef{Name: "../escape/Me", Columns: []Column{{Name: "only", Type: types.Text}}}},
		&Write{Ops: []Op{
			{Kind: OpInsert, Table: "../escape/Me", Values: vals(nil)},
			{Kind: OpInsert, Table: "../escape/Me", Values: vals("")},
			{Kind: OpInsert, Table: "../escape/Me", Values: vals(nil)},
		}},
		&CreateView{Def: ViewDef{Name: "v", Query: "SELECT name FROM users", Columns: []string{"name"}, DependsOn: []string{"users"}}},
	)
}

// buildStore applies buildCommands to a new store.
func buildStore(t testing.TB) *Store {
	s := New()
	for _, c := range buildCommands() {
		must(t, s, c)
	}
	return s
}

// sameState fails unless a and b hold the same state, values compared
// exactly.
func sameState(t *testing.T, a, b *Snapshot) {
	t.Helper()
	if da, db := dump(a), dump(b); da != db {
		t.Fatalf("states differ:\n%s\n----\n%s", da, db)
	}
	if a.AppliedIndex() != b.AppliedIndex() {
		t.Fatalf("applied index %d vs %d", a.AppliedIndex(), b.AppliedIndex())
	}
	for _, ta := range a.Tables() {
		tb, _ := b.Table(ta.Name())
		ta.Scan(func(ra *Row) bool {
			rb, _ := tb.Get(ra.ID)
			if diff := cmp.Diff(exposeRow(ra), exposeRow(rb), valueCmp); diff != "" {
				t.Fatalf("table %s row %d differs:\n%s", ta.Name(), ra.ID, diff)
			}
			return true
		})
	}
}

// loadSame loads the checkpoint under dir, checks that it holds want's
// state, and returns the loaded store.
func loadSame(t *testing.T, dir string, want *Snapshot) *Store {
	t.Helper()
	loaded, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	sameState(t, want, loaded.Snapshot())
	return loaded
}

func TestCheckpointRoundTrip(t *testing.T) {
	s := buildStore(t)
	dir := t.TempDir()
	if err := s.WriteCheckpoint(dir); err != nil {
		t.Fatal(err)
	}
	loaded := loadSame(t, dir, s.Snapshot())

	// The loaded store goes on exactly like the original: same row IDs,
	// versions, serial values and OIDs, and version checks against rows
	// read before the checkpoint still pass.
	more := []Command{
		&Write{Ops: []Op{user(6, "f", nil, nil), {Kind: OpUpdate, Table: "users", RowID: 3, Version: 10, Values: vals(3, "C", "", 0, 3)}}},
		&Write{Ops: []Op{{Kind: OpInsert, Table: "all types", Values: make([]types.Value, 16), SerialColumns: []int{0}}}},
		&CreateIndex{Table: "users", Index: Index{Columns: []int{1}}},
		&CreateTable{Def: TableDef{Name: "later", Columns: []Column{{Name: "x", Type: types.Int4}}}},
	}
	for _, c := range more {
		must(t, s, c)
	}
	for _, c := range more {
		must(t, loaded, c)
	}
	sameState(t, s.Snapshot(), loaded.Snapshot())

	// Files are plain CSV with a header; NULL is empty, '' is "".
	data, err := os.ReadFile(filepath.Join(dir, csvstore.CurrentDir, "users.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want := "id,name,email,score,n\n1,alice,a@x,10,1\n2,bob,,,2\n3,carol,\"\",0,3\n4,dave,,,4\n5,\"\",e,,5\n"
	if string(data) != want {
		t.Errorf("users.csv:\n%s\nwant:\n%s", data, want)
	}
	if _, err := os.Stat(filepath.Join(dir, csvstore.CurrentDir, "%2E%2E%2Fescape%2F%4De.csv")); err != nil {
		t.Errorf("odd table name: %v", err)
	}
}

func TestLoadEmpty(t *testing.T) {
	s, err := Load(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if s.AppliedIndex() != 0 || len(s.Snapshot().Tables()) != 0 || s.Snapshot().NextOID() != FirstOID {
		t.Fatal("Load of an empty directory is not an empty store")
	}
	// An empty store checkpoints and loads too.
	dir := t.TempDir()
	if err := New().WriteCheckpoint(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err != nil {
		t.Fatal(err)
	}
}

// TestCheckpointBuildsOnTheLast: a checkpoint hard-links the files of
// tables unchanged since the store's last one, appends to those of tables
// that only gained rows, and rewrites the others; whichever it does, the
// checkpoint loads as the store's state.
func TestCheckpointBuildsOnTheLast(t *testing.T) {
	const (
		linked    = "linked"
		appended  = "appended"
		rewritten = "rewritten"
	)
	// first and last return the first and the last row of users.
	first := func(s *Store) *Row {
		var r *Row
		tb, _ := s.Snapshot().Table("users")
		tb.Scan(func(row *Row) bool { r = row; return false })
		return r
	}
	last := func(s *Store) *Row {
		var r *Row
		tb, _ := s.Snapshot().Table("users")
		tb.ScanReverse(func(row *Row) bool { r = row; return false })
		return r
	}
	insert := func(s *Store, round int) Command {
		id := int64(100 + 10*round)
		return &Write{Ops: []Op{user(id, "z", nil, nil), user(id+1, "y", fmt.Sprint(id), int64(3))}}
	}
	deleteRow := func(r *Row) Command {
		return &Write{Ops: []Op{{Kind: OpDelete, Table: "users", RowID: r.ID, Version: r.Version}}}
	}
	tests := []struct {
		name string
		// change returns the next command to apply between two
		// checkpoints, nil after the last.
		change func(s *Store, round, step int) Command
		users  string // what the second checkpoint does to users's files
	}{
		{"no change", func(*Store, int, int) Command { return nil }, linked},
		{"insert", func(s *Store, round, step int) Command {
			if step > 0 {
				return nil
			}
			return insert(s, round)
		}, appended},
		{"insert twice", func(s *Store, round, step int) Command {
			if step > 1 {
				return nil
			}
			return insert(s, 2*round+step)
		}, appended},
		{"update", func(s *Store, round, step int) Command {
			if step > 0 {
				return nil
			}
			return &Write{Ops: []Op{{Kind: OpIncrement, Table: "users", RowID: first(s).ID, Deltas: []Delta{{Column: 3, Add: int64(1)}}}}}
		}, rewritten},
		{"delete", func(s *Store, round, step int) Command {
			if step > 0 {
				return nil
			}
			return deleteRow(first(s))
		}, rewritten},
		{"insert, then delete the new row", func(s *Store, round, step int) Command {
			switch step {
			case 0:
				return insert(s, round)
			case 1:
				return deleteRow(last(s))
			}
			return nil
		}, rewritten},
		{"add column", func(s *Store, round, step int) Command {
			if step > 0 {
				return nil
			}
			return &AddColumn{Table: "users", Column: Column{Name: fmt.Sprint("extra", round), Type: types.Int4}}
		}, rewritten},
		{"truncate, insert", func(s *Store, round, step int) Command {
			switch step {
			case 0:
				return &Truncate{Names: []string{"users"}}
			case 1:
				return insert(s, round)
			}
			return nil
		}, rewritten},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := buildStore(t)
			dir := t.TempDir()
			stat := func(name string) os.FileInfo {
				t.Helper()
				fi, err := os.Stat(filepath.Join(dir, csvstore.CurrentDir, name))
				if err != nil {
					t.Fatal(err)
				}
				return fi
			}
			files := []string{"users.csv", "users.rowruns.csv"}
			// Twice: on a store's own checkpoint, then on one it loaded.
			for round := range 2 {
				if err := s.WriteCheckpoint(dir); err != nil {
					t.Fatal(err)
				}
				var before []os.FileInfo
				for _, f := range files {
					before = append(before, stat(f))
				}
				all := stat("all%20types.csv")
				for step := 0; ; step++ {
					c := tt.change(s, round, step)
					if c == nil {
						break
					}
					must(t, s, c)
				}
				if err := s.WriteCheckpoint(dir); err != nil {
					t.Fatal(err)
				}
				for i, f := range files {
					after := stat(f)
					got := rewritten
					if os.SameFile(before[i], after) {
						got = linked
						if after.Size() > before[i].Size() {
							got = appended
						}
					}
					if got != tt.users {
						t.Errorf("round %d: %s was %s, want %s", round, f, got, tt.users)
					}
				}
				if !os.SameFile(all, stat("all%20types.csv")) {
					t.Errorf("round %d: unchanged table was rewritten", round)
				}
				s = loadSame(t, dir, s.Snapshot())
			}
			// Another directory gets every file whole.
			other := t.TempDir()
			if err := s.WriteCheckpoint(other); err != nil {
				t.Fatal(err)
			}
			loadSame(t, other, s.Snapshot())
		})
	}
}

// TestLoadRejectsBadFiles edits a checkpoint's files by hand: every file
// that does not parse, or that breaks the catalog's rules, fails the load
// with file and line.
func TestLoadRejectsBadFiles(t *testing.T) {
	tests := []struct {
		name string
		file string
		edit func(string) string
		want string
	}{
		{"bad integer", "users.csv", func(s string) string { return strings.Replace(s, "\n2,bob", "\nx2,bob", 1) },
			`users.csv:3: column "id": invalid input syntax for type bigint: "x2"`},
		{"bad quoting", "users.csv", func(s string) string { return strings.Replace(s, "3,carol", "3,ca\"rol", 1) },
			`users.csv:4: bare " in non-quoted field`},
		{"unterminated quote", "users.csv", func(s string) string { return strings.Replace(s, "4,dave", "4,\"dave", 1) },
			`users.csv:5: unterminated quoted field`},
		{"missing field", "users.csv", func(s string) string { return strings.Replace(s, "2,bob,,,2", "2,bob,,2", 1) },
			`users.csv:3: record has 4 fields, want 5`},
		{"null in not null column", "users.csv", func(s string) string { return strings.Replace(s, "2,bob,", "2,,", 1) },
			`users.csv:3: null value in column "name" violates not-null constraint`},
		{"duplicate key", "users.csv", func(s string) string { return strings.Replace(s, "2,bob", "1,bob", 1) },
			`users.csv:3: duplicate key value violates unique constraint "users_pkey"`},
		{"extra row", "users.csv", func(s string) string { return s + "6,frank,,,6\n" },
			`users.csv:7: more rows than users.rowruns.csv has runs for`},
		{"missing row", "users.csv", func(s string) string { return strings.Replace(s, "4,dave,,,4\n", "", 1) },
			`users.csv: 4 rows, but catalog.json records 5`},
		{"renamed column", "users.csv", func(s string) string { return strings.Replace(s, "id,name", "id,nom", 1) },
			`users.csv:1: header (id, nom, email, score, n) does not match the table's columns (id, name, email, score, n)`},
		{"value too long", "all%20types.csv", func(s string) string { return strings.Replace(s, `" lead"`, strings.Repeat("y", 21), 1) },
			`all%20types.csv:4: column "vc": value too long for type character varying(20)`},
		{"bad run", "users.rowruns.csv", func(s string) string { return strings.Replace(s, "\n3,1,10", "\n3,x,10", 1) },
			`users.rowruns.csv:3: count "x" is not a row ID, count or version`},
		{"runs out of order", "users.rowruns.csv", func(s string) string { return strings.Replace(s, "\n4,1,11", "\n2,1,11", 1) },
			`users.csv:5: users.rowruns.csv: row ID 2 out of order`},
		{"runs of more rows", "users.rowruns.csv", func(s string) string { return strings.Replace(s, "\n5,1,10", "\n5,2,10", 1) },
			`users.csv: 5 rows, but users.rowruns.csv has runs of more`},
		{"runs header", "users.rowruns.csv", func(s string) string { return strings.Replace(s, "first_row_id", "id", 1) },
			`users.rowruns.csv:1: header (id, count, version) does not match`},
		{"catalog garbage", csvstore.CatalogFile, func(s string) string { return s[:len(s)/2] },
			`catalog.json`},
	}
	s := buildStore(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := s.WriteCheckpoint(dir); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, csvstore.CurrentDir, tt.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			edited := tt.edit(string(data))
			if edited == string(data) {
				t.Fatal("edit changed nothing")
			}
			if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err = Load(dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load = %v\nwant an error containing %q", err, tt.want)
			}
		})
	}
}

// TestLoadHandMadeCheckpoint: a catalog without row runs (written by hand
// or by a tool) loads its rows with fresh IDs.
func TestLoadHandMadeCheckpoint(t *testing.T) {
	dir := t.TempDir()
	// No next_oid, no row runs, a type given by name only.
	cat := `{"format":1,"tables":[{"name":"t","oid":16384,"version":1,"last_row_id":0,"rows":0,
		"columns":[{"name":"a","type_oid":23,"type_mod":-1},{"name":"b","type":"varchar(3)"}],
		"indexes":[{"name":"t_pkey","oid":16385,"columns":[0],"unique":true,"primary":true,"constraint":true}]}],"views":[]}`
	err := csvstore.Write(dir, 7, []byte(cat), []csvstore.Table{{Name: "t", Columns: []string{"a", "b"},
		Rows: func(emit func([]csvstore.Field) error) error {
			for _, r := range [][]csvstore.Field{{csvstore.Str("5"), csvstore.Str("x")}, {csvstore.Str("3"), csvstore.Null}} {
				if err := emit(r); err != nil {
					return err
				}
			}
			return nil
		}}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	tb, _ := s.Snapshot().Table("t")
	r, ok := tb.Lookup(0, vals(3))
	if !ok || r.ID != 2 || r.Version != 7 || tb.LastRowID() != 2 || s.AppliedIndex() != 7 {
		t.Fatalf("row %+v last %d", r, tb.LastRowID())
	}
	res := must(t, s, &Write{Ops: []Op{{Kind: OpInsert, Table: "t", Values: vals(9, "y")}}})
	if res.Rows[0].ID != 3 {
		t.Errorf("next row ID %d", res.Rows[0].ID)
	}
	if got := tb.Def().Columns[1].Type; got != types.VarcharType(3) {
		t.Errorf("type by name: %v", got)
	}
	if s.Snapshot().NextOID() != FirstOID+2 {
		t.Errorf("next OID %d", s.Snapshot().NextOID())
	}
}

// TestLoadCrashStates arranges the checkpoint directory in every state a
// crash during WriteCheckpoint can leave and checks Load restores the old
// or the new state completely.
func TestLoadCrashStates(t *testing.T) {
	oldStore := buildStore(t)
	newStore := buildStore(t)
	must(t, newStore, &Write{Ops: []Op{user(10, "new", nil, nil)}})
	must(t, newStore, &DropTable{Names: []string{"empty"}})
	checkpoint := func(s *Store) string {
		d := t.TempDir()
		if err := s.WriteCheckpoint(d); err != nil {
			t.Fatal(err)
		}
		return filepath.Join(d, csvstore.CurrentDir)
	}
	partial := func() string {
		// A checkpoint.tmp cut short: some files written, no catalog.
		d := checkpoint(newStore)
		os.Remove(filepath.Join(d, csvstore.CatalogFile))
		os.Remove(filepath.Join(d, "users.csv"))
		return d
	}
	tests := []struct {
		name string
		dirs map[string]func() string
		want *Store // nil: empty store
	}{
		{"writing files", map[string]func() string{csvstore.CurrentDir: func() string { return checkpoint(oldStore) }, csvstore.TempDir: partial}, oldStore},
		{"tmp complete, not switched", map[string]func() string{csvstore.CurrentDir: func() string { return checkpoint(oldStore) }, csvstore.TempDir: func() string { return checkpoint(newStore) }}, oldStore},
		{"old moved aside", map[string]func() string{csvstore.OldDir: func() string { return checkpoint(oldStore) }, csvstore.TempDir: func() string { return checkpoint(newStore) }}, newStore},
		{"new in place", map[string]func() string{csvstore.OldDir: func() string { return checkpoint(oldStore) }, csvstore.CurrentDir: func() string { return checkpoint(newStore) }}, newStore},
		{"first checkpoint cut short", map[string]func() string{csvstore.TempDir: partial}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, make := range tt.dirs {
				if err := os.Rename(make(), filepath.Join(dir, name)); err != nil {
					t.Fatal(err)
				}
			}
			s, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == nil {
				if s.AppliedIndex() != 0 || len(s.Snapshot().Tables()) != 0 {
					t.Fatal("expected an empty store")
				}
				return
			}
			sameState(t, tt.want.Snapshot(), s.Snapshot())
		})
	}
}

// exposedRow is a Row with its values decoded, for cmp.
type exposedRow struct {
	ID, Version uint64
	Values      []types.Value
}

func exposeRow(r *Row) *exposedRow {
	if r == nil {
		return nil
	}
	return &exposedRow{r.ID, r.Version, r.Values()}
}

// TestLoadFormat1 loads a checkpoint as catalog format 1 wrote it, with
// the row runs in catalog.json and no lengths of files, then checkpoints
// over it.
func TestLoadFormat1(t *testing.T) {
	s := buildStore(t)
	dir := t.TempDir()
	if err := s.WriteCheckpoint(dir); err != nil {
		t.Fatal(err)
	}
	cp, err := csvstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var cat catalogJSON
	if err := json.Unmarshal(cp.Catalog, &cat); err != nil {
		t.Fatal(err)
	}
	cat.Format = 1
	for i := range cat.Tables {
		tj := &cat.Tables[i]
		if tj.RowRuns, err = readRuns(cp, tj.Name); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(filepath.Join(cp.Path, csvstore.CompanionFileName(tj.Name, runsKind))); err != nil {
			t.Fatal(err)
		}
	}
	catalog, err := json.Marshal(cat)
	if err != nil {
		t.Fatal(err)
	}
	old := fmt.Sprintf(`{"applied_index": %d, "catalog": %s}`, cp.Index, catalog)
	if err := os.WriteFile(filepath.Join(cp.Path, csvstore.CatalogFile), []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	loaded := loadSame(t, dir, s.Snapshot())
	must(t, loaded, &Write{Ops: []Op{user(50, "new", nil, nil)}})
	if err := loaded.WriteCheckpoint(dir); err != nil {
		t.Fatal(err)
	}
	loadSame(t, dir, loaded.Snapshot())
}

// TestCheckpointOfAnOlderSnapshot: a checkpoint of a snapshot older than
// the one the store wrote last does not build on the newer files.
func TestCheckpointOfAnOlderSnapshot(t *testing.T) {
	s := buildStore(t)
	older := s.Snapshot()
	must(t, s, &Write{Ops: []Op{user(60, "later", nil, nil)}})
	dir := t.TempDir()
	if err := s.WriteCheckpoint(dir); err != nil {
		t.Fatal(err)
	}
	if err := older.WriteCheckpoint(dir); err != nil {
		t.Fatal(err)
	}
	loadSame(t, dir, older)
}
