package engine

import (
	"testing"

	"github.com/chronos-db/chronos/engine/storage"
	"github.com/chronos-db/chronos/engine/types"
)

func TestCheckpointAndReopen(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.SetLog(NewLocalLog(db))
	s, _ := db.NewSession(SessionOptions{})
	mustExec(t, s, fixture)
	mustExec(t, s, "CREATE VIEW paris AS SELECT name FROM users WHERE city = 'paris'")
	idx, err := db.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	if idx != db.AppliedIndex() || idx == 0 {
		t.Errorf("checkpoint index %d, applied %d", idx, db.AppliedIndex())
	}

	db2, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if db2.AppliedIndex() != idx {
		t.Errorf("reopened at %d, want %d", db2.AppliedIndex(), idx)
	}
	db2.SetLog(NewLocalLog(db2))
	s2, _ := db2.NewSession(SessionOptions{})
	if got := rowsText(mustExec(t, s2, "SELECT name FROM paris ORDER BY 1")); got != "alice;carol" {
		t.Errorf("view after reopen: %q", got)
	}
	// Serial values continue where they were.
	if got := rowsText(mustExec(t, s2, "INSERT INTO orders (user_id) VALUES (1) RETURNING id")); got != "5" {
		t.Errorf("serial after reopen: %q", got)
	}
}

func TestSnapshotDataRestore(t *testing.T) {
	src := newTestDB(t)
	s, _ := src.NewSession(SessionOptions{})
	mustExec(t, s, fixture)
	data, err := src.SnapshotData()
	if err != nil {
		t.Fatal(err)
	}
	dst := newTestDB(t)
	if err := dst.Restore(src.AppliedIndex(), data); err != nil {
		t.Fatal(err)
	}
	if dst.AppliedIndex() != src.AppliedIndex() {
		t.Errorf("restored at %d, want %d", dst.AppliedIndex(), src.AppliedIndex())
	}
	d, _ := dst.NewSession(SessionOptions{})
	if got := rowsText(mustExec(t, d, "SELECT count(*), sum(amount) FROM orders")); got != "4|36.75" {
		t.Errorf("restored data: %q", got)
	}
	if err := dst.Restore(src.AppliedIndex()+10, data); err == nil {
		t.Error("restore of a snapshot older than its index succeeded")
	}
	if err := dst.Restore(1, []byte("not a tar")); err == nil {
		t.Error("restore of garbage succeeded")
	}
}

func TestApplyEntries(t *testing.T) {
	db := newTestDB(t)
	// An empty entry (raft's own at a leader change) advances the index.
	db.Apply(1, nil)
	if db.AppliedIndex() != 1 {
		t.Errorf("applied %d after an empty entry", db.AppliedIndex())
	}
	// An undecodable entry is rejected with XX000 and changes nothing.
	res, ok := db.Apply(2, []byte{0xff, 0xff, 0xff}).(storage.Result)
	if !ok || errCode(res.Err) != "XX000" {
		t.Errorf("garbage entry: %+v", res)
	}
	data, err := storage.EncodeCommand(&storage.CreateTable{Def: storage.TableDef{Name: "t", Columns: []storage.Column{{Name: "a", Type: types.Int4}}}})
	if err != nil {
		t.Fatal(err)
	}
	res, ok = db.Apply(3, data).(storage.Result)
	if !ok || res.Err != nil {
		t.Fatalf("create table entry: %+v", res)
	}
	s, _ := db.NewSession(SessionOptions{})
	if got := rowsText(mustExec(t, s, "INSERT INTO t VALUES (7) RETURNING a")); got != "7" {
		t.Errorf("table made by an applied entry: %q", got)
	}
	if db.AppliedIndex() != 4 {
		t.Errorf("applied index %d, want 4", db.AppliedIndex())
	}
}
