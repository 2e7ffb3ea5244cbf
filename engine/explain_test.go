package engine

import (
	"fmt"
	"strings"
	"testing"
)

const explainFixture = `
CREATE TABLE users (id INT PRIMARY KEY, name TEXT, age INT, city TEXT);
CREATE INDEX users_age ON users (age);
CREATE TABLE pairs (a INT, b INT, c TEXT, PRIMARY KEY (a, b));
CREATE TABLE nums (n INT, f FLOAT);
CREATE INDEX nums_n ON nums (n);
INSERT INTO users VALUES (1, 'a', 10, 'x'), (2, 'b', 20, 'y'), (3, 'c', 30, 'x');
INSERT INTO pairs VALUES (1, 1, 'p'), (1, 2, 'q'), (2, 1, 'r');
INSERT INTO nums VALUES (1, 1.5), (2, 2.5), (3, 3.5);
`

// TestExplainUsesIndex checks that equality and range predicates on
// primary keys and indexed columns use the index, and what EXPLAIN shows.
func TestExplainUsesIndex(t *testing.T) {
	s := newTestSession(t)
	mustExec(t, s, explainFixture)
	for _, tc := range []struct {
		sql  string
		want string // the plan's lines joined by "\n"
	}{
		{"SELECT * FROM users WHERE id = 2", "Index Scan using users_pkey on users\n  Index Cond: (id = 2)"},
		{"SELECT * FROM users WHERE 2 = id", "Index Scan using users_pkey on users\n  Index Cond: (2 = id)"},
		{"SELECT * FROM users WHERE id > 1", "Index Scan using users_pkey on users\n  Index Cond: (id > 1)"},
		{"SELECT * FROM users WHERE id BETWEEN 1 AND 2", "Index Scan using users_pkey on users\n  Index Cond: ((id >= 1) AND (id <= 2))"},
		{"SELECT * FROM users WHERE id IN (1, 3)", "Index Scan using users_pkey on users\n  Index Cond: (id IN (1, 3))"},
		{"SELECT * FROM users WHERE age = 20", "Index Scan using users_age on users\n  Index Cond: (age = 20)"},
		{"SELECT * FROM users WHERE age >= 20 AND age < 30 AND city = 'x'", "Index Scan using users_age on users\n  Index Cond: ((age >= 20) AND (age < 30))\n  Filter: (city = 'x'::text)"},
		{"SELECT * FROM users WHERE id = 1 AND age = 10", "Index Scan using users_pkey on users\n  Index Cond: (id = 1)\n  Filter: (age = 10)"},
		{"SELECT * FROM users WHERE city = 'x'", "Seq Scan on users\n  Filter: (city = 'x'::text)"},
		{"SELECT * FROM users", "Seq Scan on users"},
		{"SELECT * FROM users WHERE id + 0 = 1", "Seq Scan on users\n  Filter: ((id + 0) = 1)"},
		{"SELECT * FROM pairs WHERE a = 1", "Index Scan using pairs_pkey on pairs\n  Index Cond: (a = 1)"},
		{"SELECT * FROM pairs WHERE a = 1 AND b > 1", "Index Scan using pairs_pkey on pairs\n  Index Cond: ((a = 1) AND (b > 1))"},
		{"SELECT * FROM pairs WHERE b = 1", "Seq Scan on pairs\n  Filter: (b = 1)"},
		{"SELECT * FROM nums WHERE n > 1.5", "Index Scan using nums_n on nums\n  Index Cond: ((n)::numeric > 1.5)\n  Filter: ((n)::numeric > 1.5)"},
		{"SELECT u.name FROM users u WHERE u.id = 3", "Index Scan using users_pkey on users u\n  Index Cond: (id = 3)"},
		{"SELECT count(*) FROM users", "Aggregate\n  ->  Seq Scan on users"},
		{"SELECT name FROM users ORDER BY name LIMIT 1", "Limit\n  ->  Sort\n        Sort Key: name\n        ->  Seq Scan on users"},
		{"SELECT * FROM users u JOIN pairs p ON p.a = u.id WHERE u.id = 1", "Hash Join\n  Hash Cond: (u.id = p.a)\n  ->  Index Scan using users_pkey on users u\n        Index Cond: (u.id = 1)\n  ->  Seq Scan on pairs p"},
		{"UPDATE users SET age = 1 WHERE id = 2", "Update on users\n  ->  Index Scan using users_pkey on users\n        Index Cond: (id = 2)"},
		{"DELETE FROM users WHERE age < 15", "Delete on users\n  ->  Index Scan using users_age on users\n        Index Cond: (age < 15)"},
	} {
		r, err := query(s, "EXPLAIN "+tc.sql)
		if err != nil {
			t.Errorf("EXPLAIN %s: %v", tc.sql, err)
			continue
		}
		var lines []string
		for _, row := range r.Rows {
			lines = append(lines, row[0].(string))
		}
		if got := strings.Join(lines, "\n"); got != tc.want {
			t.Errorf("EXPLAIN %s:\n got:\n%s\nwant:\n%s", tc.sql, got, tc.want)
		}
		if columnNames(r) != "QUERY PLAN" || r.Tag != "EXPLAIN" {
			t.Errorf("EXPLAIN %s: columns %q tag %q", tc.sql, columnNames(r), r.Tag)
		}
	}
}

// TestIndexResults checks that every index access path returns the rows a
// full scan returns.
func TestIndexResults(t *testing.T) {
	s := newTestSession(t)
	mustExec(t, s, explainFixture)
	mustExec(t, s, "CREATE TABLE plain (id INT, name TEXT, age INT, city TEXT); INSERT INTO plain SELECT * FROM users")
	mustExec(t, s, "INSERT INTO users VALUES (4, 'd', NULL, NULL), (5, 'e', 20, 'z')")
	mustExec(t, s, "INSERT INTO plain VALUES (4, 'd', NULL, NULL), (5, 'e', 20, 'z')")
	for _, where := range []string{
		"id = 2", "id = 2.0", "id = 2.5", "id > 2", "id >= 2", "id < 3", "id <= 3", "id > 2.5", "id < 2.5",
		"id BETWEEN 2 AND 4", "id BETWEEN 4 AND 2", "id IN (5, 1, 1, 9)", "id IN (NULL, 2)", "id = NULL",
		"age = 20", "age > 15", "age >= 20 AND age <= 30", "age < 100", "age IS NULL", "age IN (20, 30)",
		"id > 1 AND id < 5 AND age = 20", "20 < age", "age > 1e10", "age < -1e10", "id > 9223372036854775807",
	} {
		want := rowsText(mustExec(t, s, "SELECT id FROM plain WHERE "+where+" ORDER BY id"))
		got := rowsText(mustExec(t, s, "SELECT id FROM users WHERE "+where+" ORDER BY id"))
		if got != want {
			t.Errorf("WHERE %s: index gives %q, scan gives %q", where, got, want)
		}
	}
}

// TestNonUniqueIndexEquality is the regression test for an equality on a
// non-unique single-column index that found nothing: the upper bound
// meant to stop before NULLs was applied without a lower range.
func TestNonUniqueIndexEquality(t *testing.T) {
	s := newTestSession(t)
	mustExec(t, s, "CREATE TABLE t (pk INT PRIMARY KEY, c INT); CREATE INDEX t_c ON t (c); INSERT INTO t VALUES (1, 70), (2, 71), (3, 70)")
	for _, sql := range []string{"SELECT pk FROM t WHERE c = 70 ORDER BY pk", "SELECT pk FROM t WHERE 70 = c ORDER BY pk"} {
		if got := rowsText(mustExec(t, s, sql)); got != "1;3" {
			t.Errorf("%s: %q, want 1;3", sql, got)
		}
	}
}

// TestJoinOrder joins eight tables listed in an order where neighbours
// share no condition: joined in FROM order the intermediate results would
// be cross products (10^7 rows); joined along the equalities each step
// keeps one row per key.
func TestJoinOrder(t *testing.T) {
	s := newTestSession(t)
	for i := 1; i <= 8; i++ {
		mustExec(t, s, fmt.Sprintf("CREATE TABLE j%d (a INT PRIMARY KEY, b INT)", i))
		var vals []string
		for r := 1; r <= 10; r++ {
			vals = append(vals, fmt.Sprintf("(%d, %d)", r, 11-r))
		}
		mustExec(t, s, fmt.Sprintf("INSERT INTO j%d VALUES %s", i, strings.Join(vals, ", ")))
	}
	mustExec(t, s, "SET statement_timeout = '10s'")
	// Chain j1 - j2 - ... - j8 by b = a, listed in a scrambled order.
	r := mustExec(t, s, `SELECT j1.a, j8.a FROM j1, j5, j3, j7, j2, j6, j4, j8
		WHERE j1.b = j2.a AND j2.b = j3.a AND j3.b = j4.a AND j4.b = j5.a
		  AND j5.b = j6.a AND j6.b = j7.a AND j7.b = j8.a AND j1.a <= 3
		ORDER BY 1`)
	// b = 11 - a: an even number of hops gives back a, an odd one 11 - a.
	if got := rowsText(r); got != "1|10;2|9;3|8" {
		t.Errorf("chain join: %q", got)
	}
	// The FROM order of columns is kept whatever the join order.
	r = mustExec(t, s, "SELECT * FROM j2, j1 WHERE j1.a = 1 AND j1.b = j2.a")
	if got := rowsText(r); got != "10|1|1|10" || columnNames(r) != "a,b,a,b" {
		t.Errorf("reordered columns: %q %q", got, columnNames(r))
	}
}

// TestLookupJoin checks index nested loop joins: the plan and that their
// results equal a hash join's over the same data.
func TestLookupJoin(t *testing.T) {
	s := newTestSession(t)
	mustExec(t, s, `CREATE TABLE users (id INT PRIMARY KEY, name TEXT);
		CREATE TABLE orders (id INT PRIMARY KEY, user_id INT, amount INT);
		CREATE INDEX orders_user ON orders (user_id);
		INSERT INTO users VALUES (1,'a'),(2,'b'),(3,'c'),(4,'d'),(5,'e'),(6,'f'),(7,'g'),(8,'h'),(9,'i'),(10,'j'),(11,'k'),(12,'l');
		INSERT INTO orders VALUES (1,1,10),(2,1,20),(3,2,30),(4,99,40),(5,NULL,50)`)
	plans := []struct{ sql, want string }{
		{"SELECT u.name FROM orders o JOIN users u ON u.id = o.user_id WHERE o.id = 2",
			"Nested Loop\n  ->  Index Scan using orders_pkey on orders o\n        Index Cond: (o.id = 2)\n  ->  Index Scan using users_pkey on users u\n        Index Cond: (u.id = o.user_id)"},
		{"SELECT u.name FROM orders o LEFT JOIN users u ON u.id = o.user_id AND u.name <> 'b'",
			"Nested Loop Left Join\n  ->  Seq Scan on orders o\n  ->  Index Scan using users_pkey on users u\n        Index Cond: (u.id = o.user_id)\n        Filter: (u.name <> 'b'::text)"},
		{"SELECT u.name FROM users u LEFT JOIN orders o ON o.user_id = u.id WHERE u.id = 1",
			"Hash Left Join\n  Hash Cond: (u.id = o.user_id)\n  ->  Index Scan using users_pkey on users u\n        Index Cond: (u.id = 1)\n  ->  Seq Scan on orders o"},
	}
	for _, p := range plans {
		var lines []string
		for _, row := range mustExec(t, s, "EXPLAIN "+p.sql).Rows {
			lines = append(lines, row[0].(string))
		}
		if got := strings.Join(lines, "\n"); got != p.want {
			t.Errorf("EXPLAIN %s:\n got:\n%s\nwant:\n%s", p.sql, got, p.want)
		}
	}
	// The same joins over copies without indexes (hash joins) agree.
	mustExec(t, s, `CREATE TABLE users2 (id INT, name TEXT); INSERT INTO users2 SELECT * FROM users;
		CREATE TABLE orders2 (id INT, user_id INT, amount INT); INSERT INTO orders2 SELECT * FROM orders`)
	for _, q := range []string{
		"SELECT u.name, o.amount FROM %s o JOIN %s u ON u.id = o.user_id ORDER BY 1, 2",
		"SELECT u.name, o.amount FROM %s o LEFT JOIN %s u ON u.id = o.user_id AND u.name <> 'b' ORDER BY 2",
		"SELECT u.name, o.amount FROM %s o JOIN %s u ON u.id = o.user_id AND o.amount > u.id * 10 ORDER BY 2",
		"SELECT count(*) FROM %s o, %s u WHERE u.id = o.user_id + 1",
		"SELECT o.id FROM %s o LEFT JOIN %s u ON u.id = o.user_id WHERE u.id IS NULL ORDER BY 1",
	} {
		indexed := rowsText(mustExec(t, s, fmt.Sprintf(q, "orders", "users")))
		plain := rowsText(mustExec(t, s, fmt.Sprintf(q, "orders2", "users2")))
		if indexed != plain {
			t.Errorf("%s: with indexes %q, without %q", q, indexed, plain)
		}
	}
}
