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
			vals := append([]types.Value(nil), row.Values...)
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
		s += fmt.Sprintf(" [%d v%d %v]", row.ID, row.Version, row.Values)
	}
	return s
}

// TestApplyBatchMatchesApply applies random command sequences one by one
// with Apply and in random batches with ApplyBatch, and requires the same
// result for every command and the same state after every batch; a
// snapshot taken before a batch must not change.
func TestApplyBatchMatchesApply(t *testing.T) {
	for seed := range uint64(40) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 7))
			one, batched := newUsers(t), newUsers(t)
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
				before := batched.Snapshot()
				beforeDump := dump(before)
				got := batched.ApplyBatch(entries)
				for i := range entries {
					if g := describeResult(got[i]); g != want[i] {
						t.Fatalf("step %d, entry %d (%T): ApplyBatch gave %s, Apply gave %s", step, i, entries[i].Cmd, g, want[i])
					}
				}
				if d := dump(before); d != beforeDump {
					t.Fatalf("step %d: a snapshot taken before the batch changed:\n%s\nnow:\n%s", step, beforeDump, d)
				}
				if g, w := batched.AppliedIndex(), one.AppliedIndex(); g != w {
					t.Fatalf("step %d: applied index %d, want %d", step, g, w)
				}
				if g, w := dump(batched.Snapshot()), dump(one.Snapshot()); g != w {
					t.Fatalf("step %d: state after ApplyBatch:\n%s\nafter Apply:\n%s", step, g, w)
				}
			}
		})
	}
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
