package csvstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
)

// rowsOf returns a Rows function emitting recs.
func rowsOf(recs [][]Field) func(func([]Field) error) error {
	return func(emit func([]Field) error) error {
		for _, r := range recs {
			if err := emit(r); err != nil {
				return err
			}
		}
		return nil
	}
}

func readTable(t *testing.T, cp *Checkpoint, name string, cols []string) [][]Field {
	t.Helper()
	var out [][]Field
	err := cp.ReadTable(name, cols, func(rec []Field) error {
		out = append(out, append([]Field(nil), rec...))
		return nil
	})
	if err != nil {
		t.Fatalf("ReadTable(%q): %v", name, err)
	}
	return out
}

var (
	usersCols = []string{"id", "name"}
	usersRows = [][]Field{{Str("1"), Str("Alice")}, {Str("2"), Null}, {Str("3"), Str("")}, {Str("4"), Str("a,\"b\"\nc")}}
	oddName   = "../we/ird Name"
	oddCols   = []string{"x"}
	oddRows   = [][]Field{{Null}, {Str("")}, {Str("y")}}
)

func writeVersion(t *testing.T, dir string, index uint64) error {
	t.Helper()
	rows := append([][]Field{{Str(strconv.FormatUint(index, 10)), Str("v")}}, usersRows...)
	return Write(dir, index, []byte(fmt.Sprintf(`{"v":%d}`, index)), []Table{
		{Name: "users", Columns: usersCols, Rows: rowsOf(rows)},
		{Name: oddName, Columns: oddCols, Rows: rowsOf(oddRows)},
		{Name: "empty", Columns: []string{"a", "b"}},
	})
}

// checkVersion asserts dir's checkpoint is the one writeVersion(index) wrote.
func checkVersion(t *testing.T, dir string, index uint64) {
	t.Helper()
	cp, err := Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if cp.Index != index || string(cp.Catalog) != fmt.Sprintf(`{"v":%d}`, index) {
		t.Fatalf("checkpoint has index %d catalog %s, want %d", cp.Index, cp.Catalog, index)
	}
	want := append([][]Field{{Str(strconv.FormatUint(index, 10)), Str("v")}}, usersRows...)
	if got := readTable(t, cp, "users", usersCols); !reflect.DeepEqual(got, want) {
		t.Fatalf("users = %v, want %v", got, want)
	}
	if got := readTable(t, cp, oddName, oddCols); !reflect.DeepEqual(got, oddRows) {
		t.Fatalf("odd table = %v, want %v", got, oddRows)
	}
	if got := readTable(t, cp, "empty", []string{"a", "b"}); len(got) != 0 {
		t.Fatalf("empty table has %d rows", len(got))
	}
	files, err := cp.Files()
	if err != nil {
		t.Fatal(err)
	}
	wantFiles := []string{FileName(oddName), CatalogFile, "empty.csv", "users.csv"}
	if !reflect.DeepEqual(files, wantFiles) {
		t.Fatalf("files %v, want %v", files, wantFiles)
	}
	for _, leftover := range []string{TempDir, OldDir} {
		if _, err := os.Stat(filepath.Join(dir, leftover)); err == nil {
			t.Fatalf("%s left behind", leftover)
		}
	}
}

func TestWriteOpen(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(dir); !errors.Is(err, ErrNoCheckpoint) {
		t.Fatalf("Open of an empty dir: %v, want ErrNoCheckpoint", err)
	}
	if err := writeVersion(t, dir, 7); err != nil {
		t.Fatal(err)
	}
	checkVersion(t, dir, 7)
	if err := writeVersion(t, dir, 9); err != nil {
		t.Fatal(err)
	}
	checkVersion(t, dir, 9)
	data, err := os.ReadFile(filepath.Join(dir, CurrentDir, "users.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want := "id,name\n9,v\n1,Alice\n2,\n3,\"\"\n4,\"a,\"\"b\"\"\nc\"\n"
	if string(data) != want {
		t.Fatalf("users.csv = %q, want %q", data, want)
	}
}

func TestWriteRejects(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, 1, []byte("not json"), nil); err == nil {
		t.Error("Write accepted a catalog that is not JSON")
	}
	if err := Write(dir, 1, []byte("{}"), []Table{{Name: "a"}, {Name: "a"}}); err == nil {
		t.Error("Write accepted a table listed twice")
	}
	if err := Write(dir, 1, []byte("{}"), []Table{{Name: ""}}); err == nil {
		t.Error("Write accepted an empty table name")
	}
	bad := Table{Name: "t", Columns: []string{"a"}, Rows: rowsOf([][]Field{{Str("1"), Str("2")}})}
	if err := Write(dir, 1, []byte("{}"), []Table{bad}); err == nil {
		t.Error("Write accepted a record with the wrong number of fields")
	}
	failing := Table{Name: "t", Columns: []string{"a"}, Rows: func(func([]Field) error) error { return errors.New("boom") }}
	if err := Write(dir, 1, []byte("{}"), []Table{failing}); err == nil {
		t.Error("Write ignored the rows' error")
	}
	// The failed attempts leave nothing that stops the next one.
	if err := writeVersion(t, dir, 3); err != nil {
		t.Fatal(err)
	}
	checkVersion(t, dir, 3)
}

func TestReuseHardLinks(t *testing.T) {
	dir := t.TempDir()
	if err := writeVersion(t, dir, 1); err != nil {
		t.Fatal(err)
	}
	before, err := os.Stat(filepath.Join(dir, CurrentDir, "users.csv"))
	if err != nil {
		t.Fatal(err)
	}
	mustNotRun := func(func([]Field) error) error { return errors.New("rows of a reused table were produced") }
	err = Write(dir, 2, []byte(`{}`), []Table{
		{Name: "users", Columns: usersCols, Rows: mustNotRun, Reuse: true},
		{Name: "fresh", Columns: []string{"a"}, Rows: rowsOf([][]Field{{Str("x")}}), Reuse: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(filepath.Join(dir, CurrentDir, "users.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(before, after) {
		t.Error("reused table file was rewritten, not linked")
	}
	cp, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := readTable(t, cp, "fresh", []string{"a"}); !reflect.DeepEqual(got, [][]Field{{Str("x")}}) {
		t.Errorf("fresh = %v", got)
	}
	if got := readTable(t, cp, "users", usersCols); len(got) != len(usersRows)+1 {
		t.Errorf("linked users has %d rows", len(got))
	}
}

// TestCrashRecovery stops Write at each crash point, as a crash would, and
// checks that Open finds a complete checkpoint: the old one before the
// commit point, the new one after it.
func TestCrashRecovery(t *testing.T) {
	tests := []struct {
		point     string
		first     bool   // no checkpoint existed before
		wantIndex uint64 // 0: no checkpoint
	}{
		{"table", true, 0},
		{"catalog", true, 0},
		{"renamed-new", true, 2},
		{"table", false, 1},
		{"catalog", false, 1},
		{"moved-old", false, 2},
		{"renamed-new", false, 2},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/first=%v", tt.point, tt.first), func(t *testing.T) {
			dir := t.TempDir()
			if !tt.first {
				if err := writeVersion(t, dir, 1); err != nil {
					t.Fatal(err)
				}
			}
			crash := errors.New("crash")
			crashHook = func(p string) error {
				if p == tt.point {
					return crash
				}
				return nil
			}
			err := writeVersion(t, dir, 2)
			crashHook = nil
			if !errors.Is(err, crash) {
				t.Fatalf("Write did not stop at %s: %v", tt.point, err)
			}
			if tt.wantIndex == 0 {
				if _, err := Open(dir); !errors.Is(err, ErrNoCheckpoint) {
					t.Fatalf("Open = %v, want ErrNoCheckpoint", err)
				}
				if _, err := os.Stat(filepath.Join(dir, TempDir)); err == nil {
					t.Fatal("partial checkpoint left behind")
				}
			} else {
				checkVersion(t, dir, tt.wantIndex)
			}
			// The next checkpoint works from whatever was left.
			if err := writeVersion(t, dir, 3); err != nil {
				t.Fatal(err)
			}
			checkVersion(t, dir, 3)
		})
	}
}

// TestRecoverStates builds each directory state by hand.
func TestRecoverStates(t *testing.T) {
	tests := []struct {
		name      string
		dirs      map[string]uint64 // directory name -> version written into it
		wantIndex uint64
	}{
		{"current only", map[string]uint64{CurrentDir: 1}, 1},
		{"current and partial tmp", map[string]uint64{CurrentDir: 1, TempDir: 2}, 1},
		{"current and old", map[string]uint64{CurrentDir: 2, OldDir: 1}, 2},
		{"old and tmp", map[string]uint64{OldDir: 1, TempDir: 2}, 2},
		{"old only", map[string]uint64{OldDir: 1}, 1},
		{"tmp only", map[string]uint64{TempDir: 2}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, v := range tt.dirs {
				src := t.TempDir()
				if err := writeVersion(t, src, v); err != nil {
					t.Fatal(err)
				}
				if err := os.Rename(filepath.Join(src, CurrentDir), filepath.Join(dir, name)); err != nil {
					t.Fatal(err)
				}
			}
			if tt.wantIndex == 0 {
				if _, err := Open(dir); !errors.Is(err, ErrNoCheckpoint) {
					t.Fatalf("Open = %v, want ErrNoCheckpoint", err)
				}
				return
			}
			checkVersion(t, dir, tt.wantIndex)
		})
	}
}

func TestReadTableErrors(t *testing.T) {
	dir := t.TempDir()
	if err := writeVersion(t, dir, 1); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, CurrentDir, "users.csv")
	if err := os.WriteFile(path, []byte("id,name\n1,a\n2,\"b\n3,c\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cp, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	err = cp.ReadTable("users", usersCols, func([]Field) error { return nil })
	if err == nil || err.Error() != "users.csv:3: "+ErrUnterminated.Error() {
		t.Errorf("ReadTable = %v", err)
	}
	if err := cp.ReadTable("missing", usersCols, func([]Field) error { return nil }); err == nil {
		t.Error("ReadTable of a missing file succeeded")
	}
}

func TestZeroColumnTable(t *testing.T) {
	dir := t.TempDir()
	err := Write(dir, 1, []byte(`{}`), []Table{{Name: "z", Rows: rowsOf([][]Field{{}, {}})}})
	if err != nil {
		t.Fatal(err)
	}
	cp, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := readTable(t, cp, "z", nil); len(got) != 2 {
		t.Fatalf("zero-column table read %d rows, want 2", len(got))
	}
}

// strs returns records of one field each.
func strs(vals ...string) [][]Field {
	out := make([][]Field, len(vals))
	for i, v := range vals {
		out[i] = []Field{Str(v)}
	}
	return out
}

// TestAppended writes a table and its companion, then checkpoints that
// append to them, and checks what each checkpoint holds: after appends,
// after a Write interrupted while appending, and when the file cannot be
// built on.
func TestAppended(t *testing.T) {
	mustNotRun := func(func([]Field) error) error { return errors.New("Rows used instead of Appended") }
	cols := []string{"v"}
	// step writes checkpoint index with "log" holding all, where the
	// current checkpoint's file holds the first len(all)-len(added).
	step := func(dir string, index uint64, all, added []string, appended bool) error {
		rows := rowsOf(strs(all...))
		if appended {
			rows = mustNotRun
		}
		return Write(dir, index, []byte(`{}`), []Table{
			{Name: "log", Columns: cols, Rows: rows, Appended: rowsOf(strs(added...))},
			{Name: "log", Kind: "extra", Columns: cols, Rows: rowsOf(strs(all...))},
		})
	}
	check := func(t *testing.T, dir string, index uint64, want ...string) {
		t.Helper()
		cp, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		if cp.Index != index {
			t.Fatalf("index %d, want %d", cp.Index, index)
		}
		if got := readTable(t, cp, "log", cols); !reflect.DeepEqual(got, strs(want...)) {
			t.Fatalf("log = %v, want %v", got, want)
		}
		var extra [][]Field
		if err := cp.ReadCompanion("log", "extra", cols, func(r []Field) error {
			extra = append(extra, append([]Field(nil), r...))
			return nil
		}); err != nil || !reflect.DeepEqual(extra, strs(want...)) {
			t.Fatalf("companion = %v, %v; want %v", extra, err, want)
		}
		// catalog.json records every file's length.
		cf, err := readCatalogFile(cp.Path)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"log.csv", "log.extra.csv"} {
			fi, err := os.Stat(filepath.Join(cp.Path, f))
			if err != nil || cf.Files[f] != fi.Size() {
				t.Fatalf("%s: catalog.json records %d bytes, file has %v (%v)", f, cf.Files[f], fi.Size(), err)
			}
		}
	}
	dir := t.TempDir()
	// A table new to the checkpoint is written whole, Appended or not.
	if err := step(dir, 1, []string{"a", "b"}, []string{"b"}, false); err != nil {
		t.Fatal(err)
	}
	check(t, dir, 1, "a", "b")
	before, _ := os.Stat(filepath.Join(dir, CurrentDir, "log.csv"))
	if err := step(dir, 2, []string{"a", "b", "c"}, []string{"c"}, true); err != nil {
		t.Fatal(err)
	}
	check(t, dir, 2, "a", "b", "c")
	after, _ := os.Stat(filepath.Join(dir, CurrentDir, "log.csv"))
	if !os.SameFile(before, after) {
		t.Error("appended file was written anew, not linked")
	}

	// Interrupted after appending "d" to the file the current checkpoint
	// shares: Open cuts it off again.
	for _, point := range []string{"table", "catalog"} {
		crashHook = func(p string) error {
			if p == point {
				return errors.New("crash")
			}
			return nil
		}
		err := step(dir, 3, []string{"a", "b", "c", "d"}, []string{"d"}, true)
		crashHook = nil
		if err == nil {
			t.Fatalf("Write did not stop at %s", point)
		}
		check(t, dir, 2, "a", "b", "c")
	}
	if err := step(dir, 4, []string{"a", "b", "c", "e"}, []string{"e"}, true); err != nil {
		t.Fatal(err)
	}
	check(t, dir, 4, "a", "b", "c", "e")

	// A file edited by hand (another length) is not built on.
	path := filepath.Join(dir, CurrentDir, "log.csv")
	if err := os.WriteFile(path, []byte("v\nAA\nB\nC\nE\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := step(dir, 5, []string{"a", "b", "c", "e", "f"}, []string{"f"}, false); err != nil {
		t.Fatal(err)
	}
	check(t, dir, 5, "a", "b", "c", "e", "f")

	// Nor is a file of a checkpoint without recorded lengths.
	cf, err := readCatalogFile(filepath.Join(dir, CurrentDir))
	if err != nil {
		t.Fatal(err)
	}
	cf.Files = nil
	data, _ := json.Marshal(cf)
	if err := os.WriteFile(filepath.Join(dir, CurrentDir, CatalogFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := step(dir, 6, []string{"a", "g"}, []string{"g"}, false); err != nil {
		t.Fatal(err)
	}
	check(t, dir, 6, "a", "g")
}

func TestCompanionFiles(t *testing.T) {
	if got := CompanionFileName("My T", "rowruns"); got != "%4Dy%20%54.rowruns.csv" {
		t.Errorf("CompanionFileName = %q", got)
	}
	if name, ok := TableName("users.rowruns.csv"); ok {
		t.Errorf("TableName took a companion file for table %q", name)
	}
	dir := t.TempDir()
	for _, kind := range []string{"Runs", "a.b", "x1"} {
		if err := Write(dir, 1, []byte(`{}`), []Table{{Name: "t", Kind: kind}}); err == nil {
			t.Errorf("Write accepted companion kind %q", kind)
		}
	}
	err := Write(dir, 1, []byte(`{}`), []Table{{Name: "t", Kind: "k"}, {Name: "t", Kind: "k"}})
	if err == nil {
		t.Error("Write accepted a companion listed twice")
	}
}
