package storage

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/chronos-db/chronos/engine/types"
)

// randomCommand returns a command for the users table as s now stands:
// inserts (some with duplicate keys or emails), updates and deletes at the
// current or a stale version, increments, multi-op writes whose later ops
// fail after earlier ones changed things, Noops, and now and then a DDL
// command, which ends a batch's run of writes.
func randomCommand(r *rand.Rand, s *Snapshot) Command {
	users, _ := s.Table("users")
	var rows []*Row
	users.Scan(func(row *Row) bool { rows = append(rows, row); return true })
	email := func() any {
		if r.IntN(3) == 0 {
			return nil
		}
		return fmt.Sprintf("e%d", r.IntN(12))
	}
	op := func() Op {
		if len(rows) == 0 || r.IntN(2) == 0 {
			return user(int64(r.IntN(30)), "u", email(), int64(r.IntN(100)))
		}
		row := rows[r.IntN(len(rows))]
		version := row.Version
		if r.IntN(6) == 0 {
			version-- // stale: a serialization failure
		}
		switch r.IntN(3) {
		case 0:
			vals := append([]types.Value(nil), row.Values()...)
			vals[0] = int64(r.IntN(30)) // may collide with another row's key
			vals[2] = email()
			return Op{Kind: OpUpdate, Table: "users", RowID: row.ID, Version: version, Values: vals}
		case 1:
			return Op{Kind: OpDelete, Table: "users", RowID: row.ID, Version: version}
		default:
			return Op{Kind: OpIncrement, Table: "users", RowID: row.ID, Deltas: []Delta{{Column: 3, Add: int64(1)}}}
		}
	}
	switch n := r.IntN(40); {
	case n == 0:
		return &Noop{}
	case n == 1:
		return &Truncate{Names: []string{"users"}}
	case n == 2:
		return &CreateTable{Def: TableDef{Name: "other", Columns: []Column{{Name: "a", Type: types.Int8}}}, IfNotExists: true}
	default:
		ops := make([]Op, 1+r.IntN(3))
		for i := range ops {
			ops[i] = op()
		}
		// A transaction's reads, as of this state; later commands of the
		// same batch may invalidate them.
		var reads []Read
		if r.IntN(3) == 0 {
			reads = append(reads, Read{Table: "users", Version: s.AppliedIndex(), Rows: uint64(len(rows))})
		}
		if len(rows) > 0 && r.IntN(3) == 0 {
			row := rows[r.IntN(len(rows))]
			reads = append(reads, Read{Table: "users", RowID: row.ID, Version: row.Version})
		}
		return &Write{Ops: ops, Reads: reads}
	}
}

// cloneCommand copies the parts of a Write that Apply may change (Values
// gets serial values filled in), so two stores can apply the same command.
func cloneCommand(c Command) Command {
	w, ok := c.(*Write)
	if !ok {
		return c
	}
	out := &Write{Reads: w.Reads, Ops: make([]Op, len(w.Ops))}
	for i, op := range w.Ops {
		op.Values = append([]types.Value(nil), op.Values...)
		out.Ops[i] = op
	}
	return out
}

func describeResult(res Result) string {
	if res.Err != nil {
		return "error " + string(code(res.Err))
	}
	s := fmt.Sprintf("count %d", res.Count)
	for _, row := range res.Rows {
		s += fmt.Sprintf(" [%d v%d %v]", row.ID, row.Version, row.Values())
	}
	return s
}

// TestApplyBatchMatchesApply applies random command sequences one by one
// with Apply and in random batches with ApplyBatch, and requires the same
// result for every command and the same state. Snapshots of the batched
// store are taken only now and then, so its run of writes often stays open
// across several batches; no snapshot taken may change afterwards, and the
// published snapshot's catalog must always be current.
func TestApplyBatchMatchesApply(t *testing.T) {
	for seed := range uint64(40) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 7))
			one, batched := newUsers(t), newUsers(t)
			type taken struct {
				snap *Snapshot
				dump string
			}
			var held []taken
			for step := 0; step < 30; step++ {
				n := 1 + r.IntN(12)
				entries := make([]Entry, n)
				want := make([]string, n)
				for i := range entries {
					cmd := randomCommand(r, one.Snapshot())
					idx := one.AppliedIndex() + 1
					entries[i] = Entry{Index: idx, Cmd: cloneCommand(cmd)}
					want[i] = describeResult(one.Apply(idx, cmd))
				}
				if r.IntN(3) == 0 {
					snap := batched.Snapshot()
					held = append(held, taken{snap, dump(snap)})
				}
				got := batched.ApplyBatch(entries)
				for i := range entries {
					if g := describeResult(got[i]); g != want[i] {
						t.Fatalf("step %d, entry %d (%T): ApplyBatch gave %s, Apply gave %s", step, i, entries[i].Cmd, g, want[i])
					}
				}
				for _, h := range held {
					if d := dump(h.snap); d != h.dump {
						t.Fatalf("step %d: a snapshot taken at index %d changed:\n%s\nnow:\n%s", step, h.snap.AppliedIndex(), h.dump, d)
					}
				}
				if g, w := batched.AppliedIndex(), one.AppliedIndex(); g != w {
					t.Fatalf("step %d: applied index %d, want %d", step, g, w)
				}
				if g, w := catalogOf(batched.Published()), catalogOf(one.Snapshot()); g != w {
					t.Fatalf("step %d: published catalog %s, want %s", step, g, w)
				}
				if r.IntN(3) == 0 {
					if g, w := dump(batched.Snapshot()), dump(one.Snapshot()); g != w {
						t.Fatalf("step %d: state after ApplyBatch:\n%s\nafter Apply:\n%s", step, g, w)
					}
				}
			}
			if g, w := dump(batched.Snapshot()), dump(one.Snapshot()); g != w {
				t.Fatalf("final state after ApplyBatch:\n%s\nafter Apply:\n%s", g, w)
			}
		})
	}
}

// catalogOf lists a snapshot's tables with their OIDs and schema versions.
func catalogOf(s *Snapshot) string {
	var out []string
	for _, t := range s.Tables() {
		out = append(out, fmt.Sprintf("%s/%d/v%d", t.Name(), t.OID(), t.Def().Version))
	}
	return fmt.Sprint(out)
}

// TestSnapshotWhileApplying has readers take snapshots and check them
// (every row reachable through the primary key index, counts matching)
// while batches are applied, so that the race detector sees readers and
// the writer's open run side by side.
func TestSnapshotWhileApplying(t *testing.T) {
	s := newUsers(t)
	done := make(chan struct{})
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				snap := s.Snapshot()
				if err := checkUsersIndex(snap); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	id := int64(100)
	for range 200 {
		entries := make([]Entry, 8)
		for i := range entries {
			entries[i] = Entry{Index: s.AppliedIndex() + uint64(i) + 1, Cmd: &Write{Ops: []Op{user(id, "u", nil, nil)}}}
			id++
		}
		for i, res := range s.ApplyBatch(entries) {
			if res.Err != nil {
				t.Fatalf("entry %d: %v", i, res.Err)
			}
		}
	}
	close(done)
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	snap := s.Snapshot()
	if err := checkUsersIndex(snap); err != nil {
		t.Fatal(err)
	}
	if users, _ := snap.Table("users"); users.Len() != 2+200*8 {
		t.Fatalf("%d rows, want %d", users.Len(), 2+200*8)
	}
}

// checkUsersIndex checks that every row of users is found through the
// primary key index, and that the index has as many entries as rows.
func checkUsersIndex(snap *Snapshot) error {
	users, _ := snap.Table("users")
	var err error
	rows := 0
	users.Scan(func(row *Row) bool {
		rows++
		got, ok := users.Lookup(0, row.Values()[:1])
		if !ok || got.ID != row.ID {
			err = fmt.Errorf("snapshot at %d: row %d (id %v) not found through the primary key", snap.AppliedIndex(), row.ID, row.Values()[0])
			return false
		}
		return true
	})
	if err == nil && users.IndexLen(0) != rows {
		err = fmt.Errorf("snapshot at %d: %d rows, %d primary key entries", snap.AppliedIndex(), rows, users.IndexLen(0))
	}
	return err
}

// TestApplyBatchRollsBackAFailedCommand checks the undo log directly: a
// write whose third op fails leaves nothing of its first two, while the
// writes around it in the same batch apply.
func TestApplyBatchRollsBackAFailedCommand(t *testing.T) {
	s := newUsers(t)
	start := s.AppliedIndex()
	res := s.ApplyBatch([]Entry{
		{start + 1, &Write{Ops: []Op{user(3, "carol", "c@x", nil)}}},
		{start + 2, &Write{Ops: []Op{
			user(4, "dave", "d@x", nil),
			{Kind: OpDelete, Table: "users", RowID: 1, Version: start}, // alice, at her version
			user(3, "again", nil, nil),                                 // duplicate key: the whole write fails
		}}},
		{start + 3, &Write{Ops: []Op{user(5, "erin", nil, nil)}}},
	})
	if res[0].Err != nil || res[2].Err != nil {
		t.Fatalf("the writes around the failing one failed: %v, %v", res[0].Err, res[2].Err)
	}
	if code(res[1].Err) != "23505" {
		t.Fatalf("the failing write gave %v, want 23505", res[1].Err)
	}
	wantRows(t, s.Snapshot(), "users",
		`("1", "alice", "a@x", "10", "1")`,
		`("2", "bob", NULL, NULL, "2")`,
		`("3", "carol", "c@x", NULL, "3")`,
		`("5", "erin", NULL, NULL, "4")`) // the failed write's serial values are rolled back too
	if got := s.AppliedIndex(); got != start+3 {
		t.Fatalf("applied index %d, want %d", got, start+3)
	}
}
