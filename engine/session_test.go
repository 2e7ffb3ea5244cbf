package engine

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chronos-db/chronos/engine/types"
)

func TestPrepared(t *testing.T) {
	s := newTestSession(t)
	mustExec(t, s, fixture)
	ctx := context.Background()

	ps, err := s.Prepare(ctx, "SELECT name, age FROM users WHERE id = $1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := ps.ParamTypes(); len(got) != 1 || got[0] != types.OIDInt4 {
		t.Errorf("param types %v, want [int4]", got)
	}
	if cols := ps.Columns(); len(cols) != 2 || cols[0].Name != "name" || cols[1].Type != types.Int4 || cols[0].TableOID == 0 || cols[1].AttrNum != 3 {
		t.Errorf("columns %+v", cols)
	}
	for id, want := range map[int64]string{1: "alice|30", 2: "bob|NULL", 9: ""} {
		r, err := ps.Execute(ctx, []types.Value{id})
		if err != nil {
			t.Fatal(err)
		}
		if rowsText(r) != want {
			t.Errorf("id %d: %q, want %q", id, rowsText(r), want)
		}
	}

	// A NULL parameter matches nothing.
	if r, err := ps.Execute(ctx, []types.Value{nil}); err != nil || len(r.Rows) != 0 {
		t.Errorf("NULL param: %v %v", r.Rows, err)
	}
	// Wrong parameter count.
	if _, err := ps.Execute(ctx, nil); errCode(err) != "08P01" {
		t.Errorf("missing param: %v", err)
	}

	// The plan survives DDL on the table by being rebuilt.
	mustExec(t, s, "ALTER TABLE users ADD COLUMN extra INT")
	if r, err := ps.Execute(ctx, []types.Value{int64(1)}); err != nil || rowsText(r) != "alice|30" {
		t.Errorf("after ALTER: %q %v", rowsText(r), err)
	}
	mustExec(t, s, "DROP TABLE users")
	if _, err := ps.Execute(ctx, []types.Value{int64(1)}); errCode(err) != "42P01" {
		t.Errorf("after DROP: %v, want 42P01", err)
	}
}

func TestPreparedParamInference(t *testing.T) {
	s := newTestSession(t)
	mustExec(t, s, fixture)
	ctx := context.Background()
	for _, tc := range []struct {
		sql      string
		declared []types.OID
		want     []types.OID
	}{
		{"INSERT INTO orders (user_id, amount, note) VALUES ($1, $2, $3)", nil, []types.OID{types.OIDInt4, types.OIDNumeric, types.OIDText}},
		{"UPDATE users SET age = $1 WHERE name = $2", nil, []types.OID{types.OIDInt4, types.OIDText}},
		{"SELECT $1::bigint, $2", nil, []types.OID{types.OIDInt8, types.OIDText}},
		{"SELECT id FROM users WHERE id = $1", []types.OID{types.OIDInt8}, []types.OID{types.OIDInt8}},
		{"SELECT id FROM users LIMIT $1", nil, []types.OID{types.OIDInt8}},
	} {
		ps, err := s.Prepare(ctx, tc.sql, tc.declared)
		if err != nil {
			t.Errorf("%s: %v", tc.sql, err)
			continue
		}
		got := ps.ParamTypes()
		if len(got) != len(tc.want) {
			t.Errorf("%s: param types %v, want %v", tc.sql, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: param types %v, want %v", tc.sql, got, tc.want)
				break
			}
		}
	}

	ps, err := s.Prepare(ctx, "INSERT INTO orders (user_id, amount) VALUES ($1, $2) RETURNING id, amount", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cols := ps.Columns(); len(cols) != 2 {
		t.Errorf("returning columns %+v", cols)
	}
	d, _ := types.ParseText("7.125", types.Numeric)
	r, err := ps.Execute(ctx, []types.Value{int64(2), d})
	if err != nil || rowsText(r) != "5|7.13" || r.Tag != "INSERT 0 1" {
		t.Errorf("insert: %q %q %v", rowsText(r), r.Tag, err)
	}
	if _, err := s.Prepare(ctx, "SELECT 1; SELECT 2", nil); errCode(err) != "42601" {
		t.Errorf("two statements: %v", err)
	}
	empty, err := s.Prepare(ctx, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := empty.Execute(ctx, nil); err != nil || !r.Empty {
		t.Errorf("empty statement: %+v %v", r, err)
	}
	if _, err := s.Prepare(ctx, "SELECT nope FROM users WHERE id = $1", nil); errCode(err) != "42703" {
		t.Errorf("bad column: %v", err)
	}
}

func TestSettings(t *testing.T) {
	s := newTestSession(t)
	if ch := s.ChangedParameters(); len(ch) != 0 {
		t.Errorf("changed at start: %v", ch)
	}
	for _, tc := range []struct{ sql, show, want string }{
		{"SET application_name = 'app1'", "SHOW application_name", "app1"},
		{"SET application_name TO DEFAULT", "SHOW application_name", ""},
		{"SET search_path = public, other", "SHOW search_path", "public, other"},
		{"SET TimeZone = 'Europe/Paris'", "SHOW timezone", "Europe/Paris"},
		{"SET TIME ZONE 'UTC'", "SHOW TimeZone", "UTC"},
		{"SET DateStyle = 'ISO, DMY'", "SHOW datestyle", "ISO, DMY"},
		{"SET client_encoding = 'utf8'", "SHOW client_encoding", "UTF8"},
		{"SET extra_float_digits = 3", "SHOW extra_float_digits", "3"},
		{"SET statement_timeout = '2s'", "SHOW statement_timeout", "2s"},
		{"SET statement_timeout = 1500", "SHOW statement_timeout", "1500ms"},
		{"SET client_min_messages = warning", "SHOW client_min_messages", "warning"},
		{"SET standard_conforming_strings = on", "SHOW standard_conforming_strings", "on"},
		{"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", "SHOW transaction_isolation", "serializable"},
		{"SET chronos.read_consistency = 'stale'", "SHOW chronos.read_consistency", "stale"},
		{"SET myapp.flag = 'x'", "SHOW myapp.flag", "x"},
		{"RESET application_name", "SHOW application_name", ""},
		{"SET statement_timeout = 0; RESET ALL", "SHOW extra_float_digits", "1"},
	} {
		if r := mustExec(t, s, tc.sql); r.Tag != "SET" && r.Tag != "RESET" {
			t.Errorf("%s: tag %q", tc.sql, r.Tag)
		}
		r := mustExec(t, s, tc.show)
		if rowsText(r) != tc.want || r.Tag != "SHOW" {
			t.Errorf("%s then %s: %q (tag %q), want %q", tc.sql, tc.show, rowsText(r), r.Tag, tc.want)
		}
	}
	if r := mustExec(t, s, "SHOW timezone"); columnNames(r) != "TimeZone" {
		t.Errorf("SHOW timezone column %q", columnNames(r))
	}
	for _, tc := range []struct{ sql, code string }{
		{"SET nope = 1", "42704"},
		{"SHOW nope", "42704"},
		{"SET extra_float_digits = 9", "22023"},
		{"SET TimeZone = 'Mars/Olympus'", "22023"},
		{"SET chronos.read_consistency = 'sometimes'", "22023"},
		{"SET server_version = '1'", "55P02"},
		{"SET client_encoding = 'LATIN1'", "0A000"},
	} {
		if _, err := query(s, tc.sql); errCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.sql, err, tc.code)
		}
	}
	r := mustExec(t, s, "SHOW ALL")
	if columnNames(r) != "name,setting,description" || len(r.Rows) < 10 {
		t.Errorf("SHOW ALL: %q, %d rows", columnNames(r), len(r.Rows))
	}
}

func TestChangedParameters(t *testing.T) {
	db := newTestDB(t)
	s, err := db.NewSession(SessionOptions{User: "u", Database: "d", Params: map[string]string{"application_name": "psql", "options": "-c statement_timeout=5s"}})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Setting("application_name"); v != "psql" {
		t.Errorf("startup application_name %q", v)
	}
	if v, _ := s.Setting("statement_timeout"); v != "5s" {
		t.Errorf("startup options: statement_timeout %q", v)
	}
	if p := s.Parameters(); p["application_name"] != "psql" || p["server_version"] == "" || p["TimeZone"] != "UTC" || p["client_encoding"] != "UTF8" {
		t.Errorf("parameters %v", p)
	}
	mustExec(t, s, "SET application_name = 'x'; SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 2")
	ch := s.ChangedParameters()
	if len(ch) != 2 || ch["application_name"] != "x" || ch["DateStyle"] != "ISO, YMD" {
		t.Errorf("changed %v, want application_name and DateStyle", ch)
	}
	if ch := s.ChangedParameters(); len(ch) != 0 {
		t.Errorf("changed again: %v", ch)
	}
	r := mustExec(t, s, "SELECT current_setting('application_name')")
	if rowsText(r) != "x" {
		t.Errorf("current_setting: %q", rowsText(r))
	}
}

func TestTransactionStatus(t *testing.T) {
	s := newTestSession(t)
	mustExec(t, s, fixture)
	steps := []struct {
		sql    string
		tag    string
		code   string
		status byte
	}{
		{"BEGIN", "BEGIN", "", 'T'},
		{"INSERT INTO users VALUES (10, 'x')", "INSERT 0 1", "", 'T'},
		{"SELECT nope", "", "42703", 'E'},
		{"SELECT 1", "", "25P02", 'E'},
		{"COMMIT", "ROLLBACK", "", 'I'},
		{"START TRANSACTION ISOLATION LEVEL SERIALIZABLE", "BEGIN", "", 'T'},
		{"SAVEPOINT a", "SAVEPOINT", "", 'T'},
		{"RELEASE SAVEPOINT a", "RELEASE", "", 'T'},
		{"COMMIT", "COMMIT", "", 'I'},
		{"BEGIN", "BEGIN", "", 'T'},
		{"ROLLBACK", "ROLLBACK", "", 'I'},
		{"SAVEPOINT b", "", "25P01", 'I'},
		{"END", "COMMIT", "", 'I'},
	}
	for _, st := range steps {
		r, err := query(s, st.sql)
		if errCode(err) != st.code {
			t.Fatalf("%s: %v, want code %q", st.sql, err, st.code)
		}
		if st.code == "" && r.Tag != st.tag {
			t.Errorf("%s: tag %q, want %q", st.sql, r.Tag, st.tag)
		}
		if s.TxStatus() != st.status {
			t.Errorf("%s: status %c, want %c", st.sql, s.TxStatus(), st.status)
		}
	}
	// The failed block's insert was rolled back with it.
	if r := mustExec(t, s, "SELECT count(*) FROM users WHERE id = 10"); rowsText(r) != "0" {
		t.Errorf("insert in block: %q", rowsText(r))
	}
	if r := mustExec(t, s, "COMMIT"); len(r.Notices) != 1 {
		t.Errorf("COMMIT outside a block: notices %v", r.Notices)
	}
}

// conflictLog wraps a LocalLog and runs hook before proposing, so a test
// can slip a conflicting write in between a statement's evaluation and
// its apply.
type conflictLog struct {
	*LocalLog
	hook      func()
	proposals atomic.Int32
}

func (l *conflictLog) Propose(ctx context.Context, data []byte) (any, error) {
	l.proposals.Add(1)
	if h := l.hook; h != nil {
		l.hook = nil
		h()
	}
	return l.LocalLog.Propose(ctx, data)
}

// TestSerializationRetry interleaves two sessions updating one row: the
// first evaluates against a snapshot, the second commits in between, the
// first's write is rejected at apply (40001) and retried on a fresh
// snapshot, so both updates take effect and the client sees no error.
func TestSerializationRetry(t *testing.T) {
	db := newTestDB(t)
	cl := &conflictLog{LocalLog: NewLocalLog(db)}
	db.SetLog(cl)
	a, _ := db.NewSession(SessionOptions{})
	b, _ := db.NewSession(SessionOptions{})
	mustExec(t, a, "CREATE TABLE t (id INT PRIMARY KEY, v INT); INSERT INTO t VALUES (1, 1)")
	cl.proposals.Store(0)
	cl.hook = func() {
		mustExec(t, b, "UPDATE t SET v = 10 WHERE id = 1")
	}
	r := mustExec(t, a, "UPDATE t SET v = v * 2 WHERE id = 1 RETURNING v")
	if rowsText(r) != "20" || r.Tag != "UPDATE 1" {
		t.Errorf("retried update: %q %q, want 20", rowsText(r), r.Tag)
	}
	// a's first proposal, b's, a's retry.
	if n := cl.proposals.Load(); n != 3 {
		t.Errorf("%d proposals, want 3", n)
	}
	if got := rowsText(mustExec(t, b, "SELECT v FROM t")); got != "20" {
		t.Errorf("final value %q", got)
	}

	// A delete racing with an update: the retry finds the row gone.
	cl.hook = func() { mustExec(t, b, "DELETE FROM t WHERE id = 1") }
	if r := mustExec(t, a, "UPDATE t SET v = v * 2 WHERE id = 1"); r.Tag != "UPDATE 0" {
		t.Errorf("update of a deleted row: %q", r.Tag)
	}
}

func TestSerializationRetryBudget(t *testing.T) {
	db, err := Open("", Options{RetryLimit: 3})
	if err != nil {
		t.Fatal(err)
	}
	cl := &conflictLog{LocalLog: NewLocalLog(db)}
	db.SetLog(cl)
	a, _ := db.NewSession(SessionOptions{})
	b, _ := db.NewSession(SessionOptions{})
	mustExec(t, a, "CREATE TABLE t (id INT PRIMARY KEY, v INT); INSERT INTO t VALUES (1, 1)")
	// Before each of a's proposals, b changes the row again.
	var rearm func()
	rearm = func() {
		mustExec(t, b, "UPDATE t SET v = v + 0 WHERE id = 1 RETURNING v")
		cl.hook = rearm
	}
	cl.hook = rearm
	_, err = query(a, "UPDATE t SET v = v * 2 WHERE id = 1")
	cl.hook = nil
	if errCode(err) != "40001" {
		t.Fatalf("error %v, want 40001 after the retry budget", err)
	}
}

// TestConcurrentIncrements runs many sessions adding to one counter at
// once; every increment must count.
func TestConcurrentIncrements(t *testing.T) {
	db := newTestDB(t)
	s, _ := db.NewSession(SessionOptions{})
	mustExec(t, s, "CREATE TABLE c (id INT PRIMARY KEY, n INT, m INT); INSERT INTO c VALUES (1, 0, 0)")
	var wg sync.WaitGroup
	const workers, each = 8, 50
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws, _ := db.NewSession(SessionOptions{})
			for i := 0; i < each; i++ {
				// n travels as an increment; m = m * 1 + 1 as a versioned
				// update that conflicts and retries.
				if _, err := query(ws, "UPDATE c SET n = n + 1 WHERE id = 1; UPDATE c SET m = m * 1 + 1 WHERE id = 1"); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if got := rowsText(mustExec(t, s, "SELECT n, m FROM c")); got != "400|400" {
		t.Errorf("counter %q, want 400|400", got)
	}
}

func TestCancel(t *testing.T) {
	s := newTestSession(t)
	mustExec(t, s, "CREATE TABLE t (a INT)")
	mustExec(t, s, "INSERT INTO t SELECT 1 FROM (SELECT 1) x")
	for i := 0; i < 11; i++ {
		mustExec(t, s, "INSERT INTO t SELECT a FROM t")
	}
	// 2048 rows; a three-way cross join is 8.6e9 rows.
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	err := s.Query(ctx, "SELECT count(*) FROM t a, t b, t c", func(Result) error { return nil })
	if errCode(err) != "57014" || err.Error() != "canceling statement due to user request" {
		t.Fatalf("cancelled query: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancel took %v", d)
	}
	mustExec(t, s, "SET statement_timeout = 50")
	err = s.Query(context.Background(), "SELECT count(*) FROM t a, t b, t c", func(Result) error { return nil })
	if errCode(err) != "57014" || err.Error() != "canceling statement due to statement timeout" {
		t.Fatalf("timed out query: %v", err)
	}
	mustExec(t, s, "SET statement_timeout = 0")
	if r := mustExec(t, s, "SELECT count(*) FROM t"); rowsText(r) != "2048" {
		t.Errorf("after cancel: %q", rowsText(r))
	}
}

func TestNoLog(t *testing.T) {
	db, err := Open("", Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := db.NewSession(SessionOptions{})
	if _, err := query(s, "CREATE TABLE t (a INT)"); err == nil {
		t.Fatal("write without a Log succeeded")
	}
	if _, err := query(s, "SELECT 1"); err == nil {
		t.Fatal("linearizable read without a Log succeeded")
	}
}

// failingLog fails every proposal as a lost node would.
type failingLog struct{}

func (failingLog) Propose(context.Context, []byte) (any, error) { return nil, errors.New("no quorum") }
func (failingLog) LinearizableRead(context.Context) error       { return errors.New("no quorum") }

func TestLogFailure(t *testing.T) {
	db, _ := Open("", Options{})
	db.SetLog(failingLog{})
	s, _ := db.NewSession(SessionOptions{})
	if _, err := query(s, "CREATE TABLE t (a INT)"); errCode(err) != "08006" {
		t.Errorf("write: %v, want 08006", err)
	}
	if _, err := query(s, "SELECT 1"); errCode(err) != "08006" {
		t.Errorf("read: %v, want 08006", err)
	}
	mustExec(t, s, "SET chronos.read_consistency = stale")
	if r := mustExec(t, s, "SELECT 1"); rowsText(r) != "1" {
		t.Errorf("stale read: %q", rowsText(r))
	}
}
