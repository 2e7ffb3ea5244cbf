package storage

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
)

// next applies cmd at the next raft index.
func next(s *Store, cmd Command) Result {
	return s.Apply(s.AppliedIndex()+1, cmd)
}

// must applies cmd at the next index and fails the test if it is rejected.
func must(t testing.TB, s *Store, cmd Command) Result {
	t.Helper()
	res := next(s, cmd)
	if res.Err != nil {
		t.Fatalf("apply %T: %v", cmd, res.Err)
	}
	return res
}

// usersDef is users(id bigint primary key, name text not null, email text
// unique, score integer, n serial).
func usersDef() TableDef {
	return TableDef{
		Name: "users",
		Columns: []Column{
			{Name: "id", Type: types.Int8},
			{Name: "name", Type: types.Text, NotNull: true},
			{Name: "email", Type: types.Text},
			{Name: "score", Type: types.Int4, Default: "0"},
			{Name: "n", Type: types.Int4, Serial: true, NotNull: true, Default: "nextval('users_n_seq')"},
		},
		Indexes: []Index{
			{Columns: []int{0}, Primary: true},
			{Columns: []int{2}, Unique: true, Constraint: true},
		},
	}
}

// user builds an insert op for users; n is filled from the sequence.
func user(id int64, name string, email any, score any) Op {
	return Op{Kind: OpInsert, Table: "users", Values: []types.Value{id, name, email, score, nil}, SerialColumns: []int{4}}
}

// newUsers returns a store with the users table and rows 1 alice, 2 bob.
func newUsers(t testing.TB) *Store {
	t.Helper()
	s := New()
	must(t, s, &CreateTable{Def: usersDef()})
	must(t, s, &Write{Ops: []Op{user(1, "alice", "a@x", int64(10)), user(2, "bob", nil, nil)}})
	return s
}

// code returns the SQLSTATE of err, "" for nil.
func code(err error) sqlerr.Code {
	if err == nil {
		return ""
	}
	return sqlerr.CodeOf(err)
}

// dump renders the whole state deterministically (except the applied
// index): catalog, counters, sequences, rows with IDs and versions, and
// every index's entries in order.
func dump(s *Snapshot) string {
	var b strings.Builder
	fmt.Fprintf(&b, "next_oid %d\n", s.nextOID)
	for _, t := range s.Tables() {
		d := t.def
		fmt.Fprintf(&b, "table %s oid=%d version=%d last_row_id=%d\n", d.Name, d.OID, d.Version, t.lastRowID)
		for i, c := range d.Columns {
			fmt.Fprintf(&b, "  column %s %s notnull=%v default=%q serial=%v seq=%d\n", c.Name, c.Type, c.NotNull, c.Default, c.Serial, t.seqs[i])
		}
		for i, ix := range d.Indexes {
			fmt.Fprintf(&b, "  index %s oid=%d cols=%v unique=%v primary=%v constraint=%v:", ix.Name, ix.OID, ix.Columns, ix.Unique, ix.Primary, ix.Constraint)
			var buf []byte
			t.indexes[i].Ascend(func(it indexItem) bool {
				fmt.Fprintf(&b, " %x->%d", it.key, it.id)
				// The entry must name a row whose values give its key.
				if r, ok := t.Get(it.id); !ok {
					b.WriteString("(no such row)")
				} else if key, _ := entryKey(&buf, d, &d.Indexes[i], r.ID, r.Values()); key != it.key {
					fmt.Fprintf(&b, "(row's key is %x)", key)
				}
				return true
			})
			b.WriteString("\n")
		}
		t.Scan(func(r *Row) bool {
			fmt.Fprintf(&b, "  row %d v%d %s\n", r.ID, r.Version, formatRow(d, r.Values()))
			return true
		})
	}
	for _, v := range s.Views() {
		fmt.Fprintf(&b, "view %s oid=%d cols=%v deps=%v query=%q\n", v.Name, v.OID, v.Columns, v.DependsOn, v.Query)
	}
	return b.String()
}

func formatRow(d *TableDef, vals []types.Value) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		if v == nil {
			parts[i] = "NULL"
		} else {
			parts[i] = fmt.Sprintf("%q", types.FormatText(v, d.Columns[i].Type))
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// rowsOf returns the table's rows as formatted strings in row-ID order.
func rowsOf(t testing.TB, s *Snapshot, table string) []string {
	t.Helper()
	tb, ok := s.Table(table)
	if !ok {
		t.Fatalf("no table %q", table)
	}
	var out []string
	tb.Scan(func(r *Row) bool {
		out = append(out, formatRow(tb.def, r.Values()))
		return true
	})
	return out
}
