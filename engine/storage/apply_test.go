package storage

import (
	"reflect"
	"testing"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
)

// applyCase is one command applied to newUsers (users created at raft index
// 1; rows 1 alice a@x 10 n=1 and 2 bob NULL NULL n=2 at index 2) after setup.
type applyCase struct {
	name   string
	setup  []Command
	cmd    Command
	code   sqlerr.Code // "" when the command must succeed
	msg    string      // expected message, if not ""
	detail string      // expected detail, if not ""
	check  func(t *testing.T, s *Snapshot, res Result)
}

func runApplyCases(t *testing.T, cases []applyCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newUsers(t)
			for _, c := range tc.setup {
				must(t, s, c)
			}
			before := dump(s.Snapshot())
			idx := s.AppliedIndex() + 1
			res := s.Apply(idx, tc.cmd)
			if got := code(res.Err); got != tc.code {
				t.Fatalf("code %q (%v), want %q", got, res.Err, tc.code)
			}
			if s.AppliedIndex() != idx {
				t.Fatalf("applied index %d, want %d", s.AppliedIndex(), idx)
			}
			if res.Err != nil {
				e := sqlerr.As(res.Err)
				if tc.msg != "" && e.Message != tc.msg {
					t.Errorf("message %q, want %q", e.Message, tc.msg)
				}
				if tc.detail != "" && e.Detail != tc.detail {
					t.Errorf("detail %q, want %q", e.Detail, tc.detail)
				}
				// All or nothing: a rejected command changes nothing.
				if after := dump(s.Snapshot()); after != before {
					t.Fatalf("rejected command changed the state:\nbefore:\n%s\nafter:\n%s", before, after)
				}
				if res.Rows != nil || res.Count != 0 {
					t.Errorf("rejected command returned rows %v count %d", res.Rows, res.Count)
				}
			}
			if tc.check != nil {
				tc.check(t, s.Snapshot(), res)
			}
		})
	}
}

func wantRows(t *testing.T, s *Snapshot, table string, want ...string) {
	t.Helper()
	if got := rowsOf(t, s, table); !reflect.DeepEqual(got, want) {
		t.Errorf("%s rows:\n got %q\nwant %q", table, got, want)
	}
}

func lookup(t *testing.T, s *Snapshot, table, index string, key ...types.Value) (*Row, bool) {
	t.Helper()
	tb, _ := s.Table(table)
	pos := tb.Def().IndexByName(index)
	if pos < 0 {
		t.Fatalf("no index %q on %s", index, table)
	}
	return tb.Lookup(pos, key)
}

func TestApplyWrite(t *testing.T) {
	upd := func(id uint64, version uint64, vals ...types.Value) Op {
		return Op{Kind: OpUpdate, Table: "users", RowID: id, Version: version, Values: vals}
	}
	runApplyCases(t, []applyCase{
		{name: "insert fills serial and returns the row", cmd: &Write{Ops: []Op{user(3, "carol", "c@x", nil)}},
			check: func(t *testing.T, s *Snapshot, res Result) {
				if res.Count != 1 || len(res.Rows) != 1 {
					t.Fatalf("count %d rows %d", res.Count, len(res.Rows))
				}
				r := res.Rows[0]
				if r.ID != 3 || r.Version != 3 || r.Values()[4] != int64(3) {
					t.Errorf("row %+v", r)
				}
				tb, _ := s.Table("users")
				if tb.Sequence(4) != 3 || tb.LastRowID() != 3 || tb.Len() != 3 {
					t.Errorf("sequence %d last row ID %d len %d", tb.Sequence(4), tb.LastRowID(), tb.Len())
				}
				if got, ok := lookup(t, s, "users", "users_email_key", "c@x"); !ok || got != r {
					t.Errorf("email lookup %v %v", got, ok)
				}
			}},
		{name: "NULLs never collide in a unique index", cmd: &Write{Ops: []Op{user(3, "c", nil, nil), user(4, "d", nil, nil)}},
			check: func(t *testing.T, s *Snapshot, res Result) {
				if _, ok := lookup(t, s, "users", "users_email_key", nil); ok {
					t.Error("lookup of NULL matched")
				}
			}},
		{name: "duplicate primary key", cmd: &Write{Ops: []Op{user(1, "x", nil, nil)}},
			code: sqlerr.UniqueViolation, msg: `duplicate key value violates unique constraint "users_pkey"`, detail: "Key (id)=(1) already exists."},
		{name: "duplicate unique column", cmd: &Write{Ops: []Op{user(3, "x", "a@x", nil)}},
			code: sqlerr.UniqueViolation, msg: `duplicate key value violates unique constraint "users_email_key"`, detail: "Key (email)=(a@x) already exists."},
		{name: "duplicate within one write", cmd: &Write{Ops: []Op{user(3, "x", nil, nil), user(3, "y", nil, nil)}},
			code: sqlerr.UniqueViolation, detail: "Key (id)=(3) already exists."},
		{name: "null in not null column", cmd: &Write{Ops: []Op{user(3, "", nil, nil), user(4, "", nil, nil), {Kind: OpInsert, Table: "users", Values: []types.Value{int64(5), nil, nil, nil, nil}, SerialColumns: []int{4}}}},
			code: sqlerr.NotNullViolation, msg: `null value in column "name" of relation "users" violates not-null constraint`,
			detail: "Failing row contains (5, null, null, null, 5)."},
		{name: "null primary key", cmd: &Write{Ops: []Op{{Kind: OpInsert, Table: "users", Values: []types.Value{nil, "x", nil, nil, int64(9)}}}},
			code: sqlerr.NotNullViolation, msg: `null value in column "id" of relation "users" violates not-null constraint`},
		{name: "missing table", cmd: &Write{Ops: []Op{{Kind: OpInsert, Table: "nope", Values: []types.Value{}}}},
			code: sqlerr.UndefinedTable, msg: `relation "nope" does not exist`},
		{name: "wrong width", cmd: &Write{Ops: []Op{{Kind: OpInsert, Table: "users", Values: []types.Value{int64(3), "x"}}}},
			code: sqlerr.SerializationFailure},
		{name: "table OID changed", cmd: &Write{Ops: []Op{func() Op { o := user(3, "x", nil, nil); o.TableOID = 99; return o }()}},
			code: sqlerr.SerializationFailure},
		{name: "schema version changed", cmd: &Write{Ops: []Op{func() Op { o := user(3, "x", nil, nil); o.SchemaVersion = 99; return o }()}},
			code: sqlerr.SerializationFailure},
		{name: "matching table OID and schema version", cmd: &Write{Ops: []Op{func() Op { o := user(3, "x", nil, nil); o.TableOID = FirstOID; o.SchemaVersion = 1; return o }()}}},
		{name: "update moves index entries", cmd: &Write{Ops: []Op{upd(1, 2, int64(10), "alice2", "new@x", int64(11), int64(1))}},
			check: func(t *testing.T, s *Snapshot, res Result) {
				wantRows(t, s, "users", `("10", "alice2", "new@x", "11", "1")`, `("2", "bob", NULL, NULL, "2")`)
				if _, ok := lookup(t, s, "users", "users_email_key", "a@x"); ok {
					t.Error("old email still indexed")
				}
				if r, ok := lookup(t, s, "users", "users_pkey", int64(10)); !ok || r.ID != 1 || r.Version != 3 {
					t.Errorf("new key lookup %+v %v", r, ok)
				}
				if _, ok := lookup(t, s, "users", "users_pkey", int64(1)); ok {
					t.Error("old key still indexed")
				}
			}},
		{name: "update with a stale version", cmd: &Write{Ops: []Op{upd(1, 1, int64(1), "x", nil, nil, int64(1))}},
			code: sqlerr.SerializationFailure, msg: "could not serialize access due to concurrent update"},
		{name: "update of a deleted row", cmd: &Write{Ops: []Op{upd(9, 2, int64(9), "x", nil, nil, int64(1))}},
			code: sqlerr.SerializationFailure},
		{name: "update to a duplicate key", cmd: &Write{Ops: []Op{upd(2, 2, int64(1), "bob", nil, nil, int64(2))}},
			code: sqlerr.UniqueViolation, detail: "Key (id)=(1) already exists."},
		{name: "update to null", cmd: &Write{Ops: []Op{upd(2, 2, int64(2), nil, nil, nil, int64(2))}},
			code: sqlerr.NotNullViolation},
		{name: "swap keys within one write", cmd: &Write{Ops: []Op{
			upd(1, 2, int64(100), "alice", "a@x", int64(10), int64(1)),
			upd(2, 2, int64(1), "bob", nil, nil, int64(2)),
			upd(1, 2, int64(2), "alice", "a@x", int64(10), int64(1)),
		}},
			check: func(t *testing.T, s *Snapshot, res Result) {
				wantRows(t, s, "users", `("2", "alice", "a@x", "10", "1")`, `("1", "bob", NULL, NULL, "2")`)
			}},
		{name: "delete", cmd: &Write{Ops: []Op{{Kind: OpDelete, Table: "users", RowID: 1, Version: 2}}},
			check: func(t *testing.T, s *Snapshot, res Result) {
				wantRows(t, s, "users", `("2", "bob", NULL, NULL, "2")`)
				if res.Rows[0].Values()[1] != "alice" {
					t.Errorf("delete returned %+v", res.Rows[0])
				}
				if _, ok := lookup(t, s, "users", "users_email_key", "a@x"); ok {
					t.Error("deleted row still indexed")
				}
			}},
		{name: "delete with a stale version", cmd: &Write{Ops: []Op{{Kind: OpDelete, Table: "users", RowID: 1, Version: 7}}},
			code: sqlerr.SerializationFailure},
		{name: "delete twice", cmd: &Write{Ops: []Op{{Kind: OpDelete, Table: "users", RowID: 1, Version: 2}, {Kind: OpDelete, Table: "users", RowID: 1, Version: 2}}},
			code: sqlerr.SerializationFailure},
		{name: "increment ignores versions", setup: []Command{&Write{Ops: []Op{upd(1, 2, int64(1), "alice", "a@x", int64(10), int64(1))}}},
			cmd: &Write{Ops: []Op{
				{Kind: OpIncrement, Table: "users", RowID: 1, Deltas: []Delta{{Column: 3, Add: int64(5)}}},
				{Kind: OpIncrement, Table: "users", RowID: 1, Deltas: []Delta{{Column: 3, Add: int64(-1)}}},
				{Kind: OpIncrement, Table: "users", RowID: 2, Deltas: []Delta{{Column: 3, Add: int64(1)}}},
			}},
			check: func(t *testing.T, s *Snapshot, res Result) {
				wantRows(t, s, "users", `("1", "alice", "a@x", "14", "1")`, `("2", "bob", NULL, NULL, "2")`)
				if res.Rows[1].Values()[3] != int64(14) {
					t.Errorf("second increment returned %v", res.Rows[1].Values())
				}
			}},
		{name: "increment overflow", cmd: &Write{Ops: []Op{{Kind: OpIncrement, Table: "users", RowID: 1, Deltas: []Delta{{Column: 3, Add: int64(1 << 31)}}}}},
			code: sqlerr.NumericValueOutOfRange, msg: "integer out of range"},
		{name: "increment of a deleted row", cmd: &Write{Ops: []Op{{Kind: OpIncrement, Table: "users", RowID: 5, Deltas: []Delta{{Column: 3, Add: int64(1)}}}}},
			code: sqlerr.SerializationFailure},
		{name: "increment into a duplicate key", cmd: &Write{Ops: []Op{{Kind: OpIncrement, Table: "users", RowID: 1, Deltas: []Delta{{Column: 0, Add: int64(1)}}}}},
			code: sqlerr.UniqueViolation, detail: "Key (id)=(2) already exists."},
		{name: "current reads pass", cmd: &Write{Reads: []Read{{Table: "users", RowID: 1, Version: 2}, {Table: "users", RowID: 2, Version: 2}}, Ops: []Op{user(3, "c", nil, nil)}}},
		{name: "stale read", cmd: &Write{Reads: []Read{{Table: "users", RowID: 1, Version: 1}}, Ops: []Op{user(3, "c", nil, nil)}},
			code: sqlerr.SerializationFailure},
		{name: "read of a deleted row", cmd: &Write{Reads: []Read{{Table: "users", RowID: 3, Version: 2}}}, code: sqlerr.SerializationFailure},
		{name: "all or nothing", cmd: &Write{Ops: []Op{
			user(3, "carol", nil, nil),
			upd(1, 2, int64(1), "ALICE", "a@x", int64(10), int64(1)),
			{Kind: OpDelete, Table: "users", RowID: 2, Version: 2},
			user(1, "dup", nil, nil),
		}}, code: sqlerr.UniqueViolation},
		{name: "unknown op kind", cmd: &Write{Ops: []Op{{Kind: 42, Table: "users"}}}, code: sqlerr.InternalError},
		{name: "serial column not serial", cmd: &Write{Ops: []Op{{Kind: OpInsert, Table: "users", Values: []types.Value{int64(3), "x", nil, nil, int64(1)}, SerialColumns: []int{0}}}},
			code: sqlerr.InternalError},
	})
}

func TestApplySerialLimit(t *testing.T) {
	s := New()
	must(t, s, &CreateTable{Def: TableDef{Name: "small", Columns: []Column{{Name: "id", Type: types.Int2, Serial: true}}}})
	// Fast-forward the sequence through an unexported door: the test is
	// about the limit, not about 32767 inserts.
	tb, _ := s.Snapshot().Table("small")
	tb.seqs[0] = 32766
	ins := func() Result {
		return next(s, &Write{Ops: []Op{{Kind: OpInsert, Table: "small", Values: []types.Value{nil}, SerialColumns: []int{0}}}})
	}
	if res := ins(); res.Err != nil || res.Rows[0].Values()[0] != int64(32767) {
		t.Fatalf("last value: %+v", res)
	}
	res := ins()
	if code(res.Err) != "2200H" || res.Err.Error() != `nextval: reached maximum value of sequence "small_id_seq" (32767)` {
		t.Fatalf("past the limit: %v", res.Err)
	}
}

func TestApplyStaleIndex(t *testing.T) {
	s := newUsers(t)
	before := dump(s.Snapshot())
	res := s.Apply(2, &Write{Ops: []Op{user(3, "x", nil, nil)}})
	if code(res.Err) != sqlerr.InternalError || s.AppliedIndex() != 2 || dump(s.Snapshot()) != before {
		t.Fatalf("re-applying index 2: %v, applied %d", res.Err, s.AppliedIndex())
	}
	if res := s.Apply(3, &Noop{}); res.Err != nil || s.AppliedIndex() != 3 || dump(s.Snapshot()) != before {
		t.Fatalf("noop: %v", res.Err)
	}
	if res := s.Apply(4, nil); code(res.Err) != sqlerr.InternalError {
		t.Fatalf("nil command: %v", res.Err)
	}
}
