package engine

import (
	"testing"
)

// twoSessions returns two sessions of one database holding the tables
// setup creates.
func twoSessions(t *testing.T, setup string) (*Session, *Session) {
	t.Helper()
	db := newTestDB(t)
	a, err := db.NewSession(SessionOptions{User: "a"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := db.NewSession(SessionOptions{User: "b"})
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, a, setup)
	return a, b
}

// step is one statement of an interleaving: the session that runs it,
// the SQL, and the expected rows (rowsText, checked when want is set) or
// SQLSTATE.
type step struct {
	s    *Session
	sql  string
	want string
	code string
}

// runSteps runs the steps in order, checking each outcome.
func runSteps(t *testing.T, steps []step) {
	t.Helper()
	for i, st := range steps {
		r, err := query(st.s, st.sql)
		if got := errCode(err); got != st.code {
			t.Fatalf("step %d %q: error %v (code %q), want code %q", i, st.sql, err, got, st.code)
		}
		if st.want != "" && rowsText(r) != st.want {
			t.Fatalf("step %d %q: rows %q, want %q", i, st.sql, rowsText(r), st.want)
		}
	}
}

const accounts = `CREATE TABLE acct (id INT PRIMARY KEY, bal INT NOT NULL);
INSERT INTO acct VALUES (1, 100), (2, 100);`

func TestTxOwnWritesAndIsolation(t *testing.T) {
	a, b := twoSessions(t, accounts)
	runSteps(t, []step{
		{s: a, sql: "BEGIN"},
		{s: a, sql: "INSERT INTO acct VALUES (3, 50)"},
		{s: a, sql: "UPDATE acct SET bal = bal - 10 WHERE id = 1"},
		{s: a, sql: "DELETE FROM acct WHERE id = 2"},
		{s: a, sql: "UPDATE acct SET bal = bal + 1 WHERE id = 3"},
		{s: a, sql: "SELECT id, bal FROM acct ORDER BY id", want: "1|90;3|51"},
		{s: a, sql: "SELECT bal FROM acct WHERE id = 3", want: "51"},
		{s: a, sql: "SELECT count(*) FROM acct WHERE id = 2", want: "0"},
		{s: b, sql: "SELECT id, bal FROM acct ORDER BY id", want: "1|100;2|100"},
		{s: a, sql: "COMMIT"},
		{s: b, sql: "SELECT id, bal FROM acct ORDER BY id", want: "1|90;3|51"},
	})
	if a.TxStatus() != 'I' {
		t.Fatalf("status after COMMIT %c", a.TxStatus())
	}
}

func TestTxRollbackDiscards(t *testing.T) {
	a, b := twoSessions(t, accounts)
	runSteps(t, []step{
		{s: a, sql: "BEGIN"},
		{s: a, sql: "UPDATE acct SET bal = 0"},
		{s: a, sql: "INSERT INTO acct VALUES (3, 1)"},
		{s: a, sql: "ROLLBACK"},
		{s: b, sql: "SELECT id, bal FROM acct ORDER BY id", want: "1|100;2|100"},
	})
}

func TestTxLostUpdate(t *testing.T) {
	a, b := twoSessions(t, accounts)
	// Each client reads the balance and writes back its own computation.
	runSteps(t, []step{
		{s: a, sql: "BEGIN"},
		{s: b, sql: "BEGIN"},
		{s: a, sql: "SELECT bal FROM acct WHERE id = 1", want: "100"},
		{s: b, sql: "SELECT bal FROM acct WHERE id = 1", want: "100"},
		{s: a, sql: "UPDATE acct SET bal = 110 WHERE id = 1"},
		{s: b, sql: "UPDATE acct SET bal = 120 WHERE id = 1"},
		{s: a, sql: "COMMIT"},
		{s: b, sql: "COMMIT", code: "40001"},
		{s: b, sql: "SELECT bal FROM acct WHERE id = 1", want: "110"},
	})
	if b.TxStatus() != 'I' {
		t.Fatalf("status after a failed COMMIT %c, want I", b.TxStatus())
	}
}

func TestTxWriteSkew(t *testing.T) {
	a, b := twoSessions(t, `CREATE TABLE doctors (name TEXT PRIMARY KEY, oncall BOOL NOT NULL);
INSERT INTO doctors VALUES ('alice', true), ('bob', true);`)
	// Each may go off call if someone else stays on call.
	runSteps(t, []step{
		{s: a, sql: "BEGIN ISOLATION LEVEL REPEATABLE READ"},
		{s: b, sql: "BEGIN"},
		{s: a, sql: "SELECT count(*) FROM doctors WHERE oncall", want: "2"},
		{s: b, sql: "SELECT count(*) FROM doctors WHERE oncall", want: "2"},
		{s: a, sql: "UPDATE doctors SET oncall = false WHERE name = 'alice'"},
		{s: b, sql: "UPDATE doctors SET oncall = false WHERE name = 'bob'"},
		{s: a, sql: "COMMIT"},
		{s: b, sql: "COMMIT", code: "40001"},
		{s: b, sql: "SELECT count(*) FROM doctors WHERE oncall", want: "1"},
	})
}

func TestTxReadSkew(t *testing.T) {
	a, b := twoSessions(t, accounts+"CREATE TABLE audit (total INT);")
	runSteps(t, []step{
		{s: a, sql: "BEGIN"},
		{s: a, sql: "SELECT bal FROM acct WHERE id = 1", want: "100"},
		// A transfer commits in between.
		{s: b, sql: "BEGIN"},
		{s: b, sql: "UPDATE acct SET bal = bal - 30 WHERE id = 1"},
		{s: b, sql: "UPDATE acct SET bal = bal + 30 WHERE id = 2"},
		{s: b, sql: "COMMIT"},
		// a still sees its snapshot: no half of the transfer.
		{s: a, sql: "SELECT bal FROM acct WHERE id = 2", want: "100"},
		{s: a, sql: "SELECT sum(bal) FROM acct", want: "200"},
		// Acting on the stale reads cannot commit.
		{s: a, sql: "INSERT INTO audit VALUES (200)"},
		{s: a, sql: "COMMIT", code: "40001"},
		{s: b, sql: "SELECT count(*) FROM audit", want: "0"},
		{s: b, sql: "SELECT id, bal FROM acct ORDER BY id", want: "1|70;2|130"},
	})
}

func TestTxPhantom(t *testing.T) {
	for _, tc := range []struct{ name, change string }{
		{"insert", "INSERT INTO items VALUES (5, 5)"},
		{"delete", "DELETE FROM items WHERE id = 2"},
		{"update into range", "UPDATE items SET v = 3 WHERE id = 20"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := twoSessions(t, `CREATE TABLE items (id INT PRIMARY KEY, v INT);
CREATE INDEX items_v ON items (v);
INSERT INTO items VALUES (1, 1), (2, 2), (20, 20);
CREATE TABLE summary (n INT);`)
			runSteps(t, []step{
				{s: a, sql: "BEGIN"},
				{s: a, sql: "SELECT count(*) FROM items WHERE v BETWEEN 1 AND 10", want: "2"},
				{s: b, sql: tc.change},
				{s: a, sql: "SELECT count(*) FROM items WHERE v BETWEEN 1 AND 10", want: "2"},
				{s: a, sql: "INSERT INTO summary VALUES (2)"},
				{s: a, sql: "COMMIT", code: "40001"},
				{s: b, sql: "SELECT count(*) FROM summary", want: "0"},
			})
		})
	}
}

func TestTxPointLookupMiss(t *testing.T) {
	// A lookup by key that found nothing must conflict with the insert
	// of that key.
	a, b := twoSessions(t, accounts+"CREATE TABLE log (n INT);")
	runSteps(t, []step{
		{s: a, sql: "BEGIN"},
		{s: a, sql: "SELECT count(*) FROM acct WHERE id = 7", want: "0"},
		{s: b, sql: "INSERT INTO acct VALUES (7, 1)"},
		{s: a, sql: "INSERT INTO log VALUES (1)"},
		{s: a, sql: "COMMIT", code: "40001"},
	})
}

func TestTxNoPartialEffects(t *testing.T) {
	a, b := twoSessions(t, accounts+"CREATE TABLE log (n INT);")
	runSteps(t, []step{
		{s: a, sql: "BEGIN"},
		{s: a, sql: "UPDATE acct SET bal = bal - 10 WHERE id = 1"},
		{s: a, sql: "INSERT INTO log VALUES (1), (2)"},
		{s: a, sql: "SELECT bal FROM acct WHERE id = 2", want: "100"},
		{s: a, sql: "UPDATE acct SET bal = 110 WHERE id = 2"},
		{s: b, sql: "UPDATE acct SET bal = 0 WHERE id = 2"},
		{s: a, sql: "COMMIT", code: "40001"},
		{s: b, sql: "SELECT id, bal FROM acct ORDER BY id", want: "1|100;2|0"},
		{s: b, sql: "SELECT count(*) FROM log", want: "0"},
	})
}

func TestTxReadOnlyNeverAborts(t *testing.T) {
	a, b := twoSessions(t, accounts)
	runSteps(t, []step{
		{s: a, sql: "START TRANSACTION READ ONLY"},
		{s: a, sql: "SELECT sum(bal) FROM acct", want: "200"},
		{s: b, sql: "UPDATE acct SET bal = 0 WHERE id = 1"},
		{s: a, sql: "SELECT sum(bal) FROM acct", want: "200"},
		{s: a, sql: "UPDATE acct SET bal = 1", code: "25006"},
		{s: a, sql: "ROLLBACK"},
		// A transaction that only reads commits even though what it read
		// changed.
		{s: a, sql: "BEGIN"},
		{s: a, sql: "SELECT sum(bal) FROM acct", want: "100"},
		{s: b, sql: "UPDATE acct SET bal = 5 WHERE id = 1"},
		{s: a, sql: "COMMIT"},
	})
}

func TestTxBlindIncrementsCommute(t *testing.T) {
	a, b := twoSessions(t, accounts)
	runSteps(t, []step{
		{s: a, sql: "BEGIN"},
		{s: b, sql: "BEGIN"},
		{s: a, sql: "UPDATE acct SET bal = bal + 1 WHERE id = 1"},
		{s: b, sql: "UPDATE acct SET bal = bal + 2 WHERE id = 1"},
		{s: a, sql: "COMMIT"},
		{s: b, sql: "COMMIT"},
		{s: a, sql: "SELECT bal FROM acct WHERE id = 1", want: "103"},
		// Reading the incremented row makes it a read like any other.
		{s: a, sql: "BEGIN"},
		{s: a, sql: "UPDATE acct SET bal = bal + 1 WHERE id = 1"},
		{s: a, sql: "SELECT bal FROM acct WHERE id = 1", want: "104"},
		{s: b, sql: "UPDATE acct SET bal = bal + 10 WHERE id = 1"},
		{s: a, sql: "COMMIT", code: "40001"},
		{s: a, sql: "SELECT bal FROM acct WHERE id = 1", want: "113"},
	})
}

func TestTxSavepoints(t *testing.T) {
	a, b := twoSessions(t, "CREATE TABLE t (a INT PRIMARY KEY);")
	runSteps(t, []step{
		{s: a, sql: "BEGIN"},
		{s: a, sql: "INSERT INTO t VALUES (1)"},
		{s: a, sql: "SAVEPOINT sp"},
		{s: a, sql: "INSERT INTO t VALUES (2)"},
		{s: a, sql: "ROLLBACK TO SAVEPOINT sp"},
		{s: a, sql: "INSERT INTO t VALUES (3)"},
		{s: a, sql: "SAVEPOINT sp2"},
		{s: a, sql: "INSERT INTO t VALUES (1)", code: "23505"},
		{s: a, sql: "SELECT 1", code: "25P02"},
		{s: a, sql: "ROLLBACK TO sp2"},
		{s: a, sql: "SELECT a FROM t ORDER BY a", want: "1;3"},
		{s: a, sql: "RELEASE SAVEPOINT sp"},
		{s: a, sql: "ROLLBACK TO sp", code: "3B001"},
		{s: a, sql: "ROLLBACK"},
		{s: b, sql: "SELECT count(*) FROM t", want: "0"},
		{s: a, sql: "BEGIN"},
		{s: a, sql: "INSERT INTO t VALUES (1)"},
		{s: a, sql: "SAVEPOINT x"},
		{s: a, sql: "DELETE FROM t"},
		{s: a, sql: "ROLLBACK TO x"},
		{s: a, sql: "INSERT INTO t VALUES (4)"},
		{s: a, sql: "COMMIT"},
		{s: b, sql: "SELECT a FROM t ORDER BY a", want: "1;4"},
	})
}

func TestTxFailedBlock(t *testing.T) {
	a, b := twoSessions(t, accounts)
	runSteps(t, []step{
		{s: a, sql: "BEGIN"},
		{s: a, sql: "UPDATE acct SET bal = 0 WHERE id = 1"},
		{s: a, sql: "SELECT 1/0", code: "22012"},
		{s: a, sql: "SELECT 1", code: "25P02"},
		{s: a, sql: "UPDATE acct SET bal = 1", code: "25P02"},
	})
	r, err := query(a, "COMMIT")
	if err != nil || r.Tag != "ROLLBACK" || a.TxStatus() != 'I' {
		t.Fatalf("COMMIT of a failed block: %q, %v, status %c", r.Tag, err, a.TxStatus())
	}
	runSteps(t, []step{{s: b, sql: "SELECT bal FROM acct WHERE id = 1", want: "100"}})
}

func TestTxDDLRefusedAndIsolationSetting(t *testing.T) {
	a, _ := twoSessions(t, accounts)
	runSteps(t, []step{
		{s: a, sql: "BEGIN"},
		{s: a, sql: "CREATE TABLE x (a INT)", code: "0A000"},
		{s: a, sql: "ROLLBACK"},
		{s: a, sql: "BEGIN"},
		{s: a, sql: "DROP INDEX acct_pkey", code: "0A000"},
		{s: a, sql: "ROLLBACK"},
		{s: a, sql: "BEGIN"},
		{s: a, sql: "ALTER TABLE acct ADD COLUMN c INT", code: "0A000"},
		{s: a, sql: "ROLLBACK"},
		{s: a, sql: "BEGIN"},
		{s: a, sql: "SET TRANSACTION ISOLATION LEVEL READ COMMITTED"},
		{s: a, sql: "SHOW transaction_isolation", want: "serializable"},
		{s: a, sql: "SELECT count(*) FROM acct", want: "2"},
		{s: a, sql: "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", code: "25001"},
		{s: a, sql: "ROLLBACK"},
		{s: a, sql: "BEGIN"},
		{s: a, sql: "SET TRANSACTION READ ONLY"},
		{s: a, sql: "INSERT INTO acct VALUES (9, 9)", code: "25006"},
		{s: a, sql: "ROLLBACK"},
		{s: a, sql: "BEGIN"},
		{s: a, sql: "COMMIT"},
		{s: a, sql: "SELECT count(*) FROM pg_tables WHERE tablename = 'x'", want: "0"},
	})
}

func TestTxSerialValues(t *testing.T) {
	a, b := twoSessions(t, "CREATE TABLE orders (id SERIAL PRIMARY KEY, item TEXT); CREATE TABLE lines (order_id INT, n INT);")
	runSteps(t, []step{
		{s: a, sql: "BEGIN"},
		{s: a, sql: "INSERT INTO orders (item) VALUES ('a') RETURNING id", want: "1"},
		{s: a, sql: "INSERT INTO lines SELECT id, 1 FROM orders WHERE item = 'a'"},
		{s: a, sql: "COMMIT"},
		// The value the client saw is the one stored.
		{s: b, sql: "SELECT o.id, l.n FROM orders o JOIN lines l ON l.order_id = o.id", want: "1|1"},
		// Another insert taking the sequence's next value first makes the
		// transaction's provisional value stale: it must retry.
		{s: a, sql: "BEGIN"},
		{s: a, sql: "INSERT INTO orders (item) VALUES ('b') RETURNING id", want: "2"},
		{s: b, sql: "INSERT INTO orders (item) VALUES ('c') RETURNING id", want: "2"},
		{s: a, sql: "COMMIT", code: "40001"},
		{s: b, sql: "SELECT id, item FROM orders ORDER BY id", want: "1|a;2|c"},
	})
}
