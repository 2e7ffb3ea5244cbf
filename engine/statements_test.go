package engine

import (
	"strings"
	"testing"
)

// fixture is the schema and data most statement tests start from.
const fixture = `
CREATE TABLE users (id INT PRIMARY KEY, name TEXT NOT NULL, age INT, city TEXT);
INSERT INTO users VALUES (1, 'alice', 30, 'paris'), (2, 'bob', NULL, 'rome'), (3, 'carol', 25, 'paris'), (4, 'dave', 40, NULL);
CREATE TABLE orders (id SERIAL PRIMARY KEY, user_id INT, amount NUMERIC(10,2), note TEXT DEFAULT 'none');
INSERT INTO orders (user_id, amount) VALUES (1, 10.50), (1, 20), (3, 5.25), (9, 1);
`

// stmtCase is one statement run on a fresh copy of the fixture (after its
// own setup) with the expected outcome: rows as rowsText formats them, the
// command tag, the column names, or an error code.
type stmtCase struct {
	name  string
	setup string
	sql   string
	rows  string
	tag   string
	cols  string
	code  string
}

func runStmtCases(t *testing.T, cases []stmtCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestSession(t)
			mustExec(t, s, fixture)
			if tc.setup != "" {
				mustExec(t, s, tc.setup)
			}
			r, err := query(s, tc.sql)
			if got := errCode(err); got != tc.code {
				t.Fatalf("%s: error %v (code %q), want code %q", tc.sql, err, got, tc.code)
			}
			if tc.code != "" {
				return
			}
			if tc.rows != "-" && rowsText(r) != tc.rows {
				t.Errorf("%s:\n got rows %q\nwant rows %q", tc.sql, rowsText(r), tc.rows)
			}
			if tc.tag != "" && r.Tag != tc.tag {
				t.Errorf("%s: tag %q, want %q", tc.sql, r.Tag, tc.tag)
			}
			if tc.cols != "" && columnNames(r) != tc.cols {
				t.Errorf("%s: columns %q, want %q", tc.sql, columnNames(r), tc.cols)
			}
		})
	}
}

func TestIssueExample(t *testing.T) {
	s := newTestSession(t)
	steps := []struct{ sql, tag, rows string }{
		{"CREATE TABLE users (id INT, name STRING)", "CREATE TABLE", ""},
		{"INSERT INTO users (id, name) VALUES (1, 'Alice')", "INSERT 0 1", ""},
		{"INSERT INTO users (id, name) VALUES (2, 'Bob')", "INSERT 0 1", ""},
		{"SELECT id, name FROM users", "SELECT 2", "1|Alice;2|Bob"},
	}
	for _, st := range steps {
		r := mustExec(t, s, st.sql)
		if r.Tag != st.tag || rowsText(r) != st.rows {
			t.Errorf("%s: tag %q rows %q, want %q %q", st.sql, r.Tag, rowsText(r), st.tag, st.rows)
		}
	}
}

func TestSelect(t *testing.T) {
	runStmtCases(t, []stmtCase{
		{name: "all", sql: "SELECT * FROM users ORDER BY id", rows: "1|alice|30|paris;2|bob|NULL|rome;3|carol|25|paris;4|dave|40|NULL", tag: "SELECT 4", cols: "id,name,age,city"},
		{name: "expressions", sql: "SELECT id * 2 + 1, upper(name) || '!' AS shout FROM users WHERE id = 1", rows: "3|ALICE!", cols: "?column?,shout"},
		{name: "no from", sql: "SELECT 1 + 2, 'x' AS y, NULL", rows: "3|x|NULL", cols: "?column?,y,?column?"},
		{name: "where and or not", sql: "SELECT id FROM users WHERE (age > 26 OR city = 'rome') AND NOT id = 4 ORDER BY id", rows: "1;2"},
		{name: "three-valued", sql: "SELECT id FROM users WHERE age > 26 OR NULL ORDER BY id", rows: "1;4"},
		{name: "is null", sql: "SELECT id FROM users WHERE age IS NULL OR city IS NULL ORDER BY 1", rows: "2;4"},
		{name: "between", sql: "SELECT id FROM users WHERE age BETWEEN 25 AND 30 ORDER BY id", rows: "1;3"},
		{name: "in list", sql: "SELECT name FROM users WHERE id IN (3, 1, 7) ORDER BY name", rows: "alice;carol"},
		{name: "not in with null", sql: "SELECT id FROM users WHERE age NOT IN (30, NULL)", rows: ""},
		{name: "like", sql: "SELECT name FROM users WHERE name LIKE '%a%e' ORDER BY 1", rows: "alice;dave"},
		{name: "ilike", sql: "SELECT name FROM users WHERE name ILIKE 'B%'", rows: "bob"},
		{name: "case coalesce nullif", sql: "SELECT CASE WHEN age >= 30 THEN 'old' WHEN age IS NULL THEN '?' ELSE 'young' END, coalesce(city, 'none'), nullif(age, 30) FROM users ORDER BY id",
			rows: "old|paris|NULL;?|rome|NULL;young|paris|25;old|none|40", cols: "case,coalesce,nullif"},
		{name: "cast", sql: "SELECT '42'::int + 1, CAST(age AS TEXT) FROM users WHERE id = 1", rows: "43|30"},
		{name: "integer division", sql: "SELECT 7 / 2, -7 / 2, 7 % 3, 7.0 / 2", rows: "3|-3|1|3.5000000000000000"},
		{name: "distinct", sql: "SELECT DISTINCT city FROM users ORDER BY city", rows: "paris;rome;NULL", tag: "SELECT 3"},
		{name: "limit offset", sql: "SELECT id FROM users ORDER BY id LIMIT 2 OFFSET 1", rows: "2;3"},
		{name: "limit all null", sql: "SELECT id FROM users ORDER BY id LIMIT NULL", rows: "1;2;3;4"},
		{name: "limit zero", sql: "SELECT id FROM users LIMIT 0", rows: "", tag: "SELECT 0"},
		{name: "string functions", sql: "SELECT length(name), lower('AB'), substring(name FROM 2 FOR 3), trim('  x '), concat(name, NULL, 1) FROM users WHERE id = 1", rows: "5|ab|lic|x|alice1"},
		{name: "now", sql: "SELECT now() = current_timestamp", rows: "t"},
		{name: "table alias", sql: "SELECT u.name FROM users AS u WHERE u.id = 2", rows: "bob"},
		{name: "alias hides name", sql: "SELECT users.name FROM users u", code: "42P01"},
		{name: "with", sql: "WITH p AS (SELECT * FROM users WHERE city = 'paris') SELECT count(*) FROM p", rows: "2"},
	})
}

func TestOrderBy(t *testing.T) {
	runStmtCases(t, []stmtCase{
		{name: "asc nulls last", sql: "SELECT age FROM users ORDER BY age", rows: "25;30;40;NULL"},
		{name: "desc nulls first", sql: "SELECT age FROM users ORDER BY age DESC", rows: "NULL;40;30;25"},
		{name: "nulls first", sql: "SELECT age FROM users ORDER BY age NULLS FIRST", rows: "NULL;25;30;40"},
		{name: "desc nulls last", sql: "SELECT age FROM users ORDER BY age DESC NULLS LAST", rows: "40;30;25;NULL"},
		{name: "position", sql: "SELECT name, age FROM users ORDER BY 2 DESC, 1", rows: "bob|NULL;dave|40;alice|30;carol|25"},
		{name: "alias", sql: "SELECT name AS n FROM users ORDER BY n DESC", rows: "dave;carol;bob;alice"},
		{name: "expression", sql: "SELECT name FROM users ORDER BY length(name), name", rows: "bob;dave;alice;carol"},
		{name: "column not selected", sql: "SELECT name FROM users ORDER BY id DESC", rows: "dave;carol;bob;alice"},
		{name: "several keys", sql: "SELECT city, name FROM users ORDER BY city, name DESC", rows: "paris|carol;paris|alice;rome|bob;NULL|dave"},
		{name: "bad position", sql: "SELECT name FROM users ORDER BY 3", code: "42P10"},
		{name: "distinct needs selected", sql: "SELECT DISTINCT city FROM users ORDER BY id", code: "42P10"},
		{name: "text order is bytewise", setup: "INSERT INTO users VALUES (5, 'Zed', 1, 'x'), (6, 'able', 1, 'x')", sql: "SELECT name FROM users WHERE city = 'x' ORDER BY name", rows: "Zed;able"},
	})
}

func TestAggregates(t *testing.T) {
	runStmtCases(t, []stmtCase{
		{name: "count sum avg min max", sql: "SELECT count(*), count(age), sum(age), avg(age), min(name), max(age) FROM users",
			rows: "4|3|95|31.6666666666666667|alice|40", cols: "count,count,sum,avg,min,max"},
		{name: "empty input", sql: "SELECT count(*), sum(age) FROM users WHERE id > 100", rows: "0|NULL"},
		{name: "group by", sql: "SELECT city, count(*) FROM users GROUP BY city ORDER BY city", rows: "paris|2;rome|1;NULL|1"},
		{name: "group by empty input", sql: "SELECT city, count(*) FROM users WHERE id > 100 GROUP BY city", rows: ""},
		{name: "group by position", sql: "SELECT city, max(age) FROM users GROUP BY 1 ORDER BY 1", rows: "paris|30;rome|NULL;NULL|40"},
		{name: "group by expression", sql: "SELECT age / 10, count(*) FROM users GROUP BY age / 10 ORDER BY 1", rows: "2|1;3|1;4|1;NULL|1"},
		{name: "group by alias", sql: "SELECT age / 10 AS decade, count(*) FROM users GROUP BY decade ORDER BY decade", rows: "2|1;3|1;4|1;NULL|1"},
		{name: "having", sql: "SELECT city FROM users GROUP BY city HAVING count(*) > 1", rows: "paris"},
		{name: "having without group", sql: "SELECT count(*) FROM users HAVING count(*) > 10", rows: ""},
		{name: "distinct aggregate", sql: "SELECT count(DISTINCT city) FROM users", rows: "2"},
		{name: "order by aggregate", sql: "SELECT city FROM users GROUP BY city ORDER BY count(*) DESC, city", rows: "paris;rome;NULL"},
		{name: "aggregate in expression", sql: "SELECT max(age) - min(age) + 1 FROM users", rows: "16"},
		{name: "grouped by primary key", sql: "SELECT u.id, u.name, count(o.id) FROM users u LEFT JOIN orders o ON o.user_id = u.id GROUP BY u.id ORDER BY u.id", rows: "1|alice|2;2|bob|0;3|carol|1;4|dave|0"},
		{name: "sum numeric", sql: "SELECT sum(amount) FROM orders", rows: "36.75"},
		{name: "ungrouped column", sql: "SELECT name, count(*) FROM users", code: "42803"},
		{name: "ungrouped column message", sql: "SELECT city, age FROM users GROUP BY city", code: "42803"},
		{name: "aggregate in where", sql: "SELECT id FROM users WHERE count(*) > 1", code: "42803"},
		{name: "nested aggregate", sql: "SELECT sum(count(*)) FROM users", code: "42803"},
	})
}

func TestJoins(t *testing.T) {
	runStmtCases(t, []stmtCase{
		{name: "inner", sql: "SELECT u.name, o.amount FROM users u JOIN orders o ON o.user_id = u.id ORDER BY o.id", rows: "alice|10.50;alice|20.00;carol|5.25"},
		{name: "left", sql: "SELECT u.name, o.amount FROM users u LEFT JOIN orders o ON o.user_id = u.id ORDER BY u.id, o.id", rows: "alice|10.50;alice|20.00;bob|NULL;carol|5.25;dave|NULL"},
		{name: "left with on filter", sql: "SELECT u.id, o.id FROM users u LEFT JOIN orders o ON o.user_id = u.id AND o.amount > 15 ORDER BY u.id", rows: "1|2;2|NULL;3|NULL;4|NULL"},
		{name: "right", sql: "SELECT u.name, o.id FROM users u RIGHT JOIN orders o ON o.user_id = u.id ORDER BY o.id", rows: "alice|1;alice|2;carol|3;NULL|4"},
		{name: "cross", sql: "SELECT count(*) FROM users CROSS JOIN orders", rows: "16"},
		{name: "comma with where", sql: "SELECT u.name FROM users u, orders o WHERE u.id = o.user_id AND o.amount < 6", rows: "carol"},
		{name: "using", sql: "SELECT * FROM users JOIN (SELECT user_id AS id, amount FROM orders) o USING (id) ORDER BY amount", rows: "3|carol|25|paris|5.25;1|alice|30|paris|10.50;1|alice|30|paris|20.00", cols: "id,name,age,city,amount"},
		{name: "self join", sql: "SELECT a.name, b.name FROM users a JOIN users b ON a.city = b.city AND a.id < b.id", rows: "alice|carol"},
		{name: "three tables", sql: "SELECT count(*) FROM users a, users b, orders c WHERE a.id = b.id AND b.id = c.user_id", rows: "3"},
		{name: "non-equi join", sql: "SELECT a.id, b.id FROM users a JOIN users b ON a.age < b.age ORDER BY 1, 2", rows: "1|4;3|1;3|4"},
		{name: "join on mixed types", sql: "SELECT u.id, o.id FROM users u JOIN orders o ON u.id = o.amount", rows: "1|4"},
		{name: "ambiguous column", sql: "SELECT id FROM users, orders", code: "42702"},
		{name: "missing from entry", sql: "SELECT x.id FROM users", code: "42P01"},
	})
}

func TestSubqueries(t *testing.T) {
	runStmtCases(t, []stmtCase{
		{name: "in", sql: "SELECT name FROM users WHERE id IN (SELECT user_id FROM orders) ORDER BY 1", rows: "alice;carol"},
		{name: "not in", sql: "SELECT name FROM users WHERE id NOT IN (SELECT user_id FROM orders) ORDER BY 1", rows: "bob;dave"},
		{name: "exists correlated", sql: "SELECT name FROM users u WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id) ORDER BY 1", rows: "alice;carol"},
		{name: "not exists", sql: "SELECT name FROM users u WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id) ORDER BY 1", rows: "bob;dave"},
		{name: "scalar", sql: "SELECT name FROM users WHERE age = (SELECT max(age) FROM users)", rows: "dave"},
		{name: "scalar correlated in select", sql: "SELECT name, (SELECT sum(amount) FROM orders WHERE user_id = users.id) FROM users ORDER BY id", rows: "alice|30.50;bob|NULL;carol|5.25;dave|NULL"},
		{name: "scalar too many rows", sql: "SELECT (SELECT id FROM users)", code: "21000"},
		{name: "derived table", sql: "SELECT t.c, t.n FROM (SELECT city AS c, count(*) AS n FROM users GROUP BY city) t WHERE t.n > 1", rows: "paris|2"},
		{name: "nested correlation", sql: "SELECT id FROM users u WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id AND EXISTS (SELECT 1 FROM users x WHERE x.id = o.user_id AND x.age = u.age)) ORDER BY id", rows: "1;3"},
		{name: "correlated in having", sql: "SELECT city FROM users u GROUP BY city HAVING count(*) > (SELECT count(*) FROM orders WHERE user_id = 99)", rows: "-"},
		{name: "any", sql: "SELECT id FROM users WHERE age > ANY (SELECT age FROM users WHERE city = 'paris') ORDER BY id", rows: "1;4"},
		{name: "all", sql: "SELECT id FROM users WHERE age >= ALL (SELECT age FROM users WHERE age IS NOT NULL)", rows: "4"},
	})
}

func TestSetOperations(t *testing.T) {
	runStmtCases(t, []stmtCase{
		{name: "union", sql: "SELECT city FROM users UNION SELECT 'london' ORDER BY 1", rows: "london;paris;rome;NULL"},
		{name: "union all", sql: "SELECT id FROM users WHERE id < 3 UNION ALL SELECT id FROM users WHERE id < 2 ORDER BY id", rows: "1;1;2"},
		{name: "intersect", sql: "SELECT id FROM users INTERSECT SELECT user_id FROM orders ORDER BY 1", rows: "1;3"},
		{name: "except", sql: "SELECT id FROM users EXCEPT SELECT user_id FROM orders ORDER BY 1", rows: "2;4"},
		{name: "intersect binds tighter", sql: "SELECT 1 UNION SELECT 2 INTERSECT SELECT 3 ORDER BY 1", rows: "1"},
		{name: "types widen", sql: "SELECT 1 UNION SELECT 2.5 ORDER BY 1", rows: "1;2.5"},
		{name: "column count", sql: "SELECT 1 UNION SELECT 1, 2", code: "42601"},
		{name: "type mismatch", sql: "SELECT 1 UNION SELECT 'a'::text", code: "42804"},
		{name: "limit", sql: "SELECT id FROM users UNION SELECT user_id FROM orders ORDER BY id DESC LIMIT 2", rows: "9;4"},
	})
}

func TestInsert(t *testing.T) {
	runStmtCases(t, []stmtCase{
		{name: "multi row", sql: "INSERT INTO users VALUES (10, 'x', 1, 'a'), (11, 'y', 2, 'b')", tag: "INSERT 0 2"},
		{name: "column list and default", sql: "INSERT INTO orders (user_id) VALUES (2) RETURNING id, user_id, amount, note", rows: "5|2|NULL|none", tag: "INSERT 0 1"},
		{name: "default keyword", sql: "INSERT INTO orders VALUES (DEFAULT, 3, 1.5, DEFAULT) RETURNING *", rows: "5|3|1.50|none"},
		{name: "serial explicit", sql: "INSERT INTO orders (id, user_id) VALUES (100, 1) RETURNING id", rows: "100"},
		{name: "returning expression", sql: "INSERT INTO users (id, name) VALUES (7, 'gus') RETURNING id * 10 AS ten, upper(name)", rows: "70|GUS", cols: "ten,upper"},
		{name: "insert select", sql: "INSERT INTO users SELECT id + 10, name || '2', age, city FROM users WHERE city = 'paris'", tag: "INSERT 0 2"},
		{name: "insert select empty", sql: "INSERT INTO users SELECT * FROM users WHERE id > 100", tag: "INSERT 0 0"},
		{name: "numeric rounding", sql: "INSERT INTO orders (user_id, amount) VALUES (1, 2.345) RETURNING amount", rows: "2.35"},
		{name: "string to int", sql: "INSERT INTO users VALUES ('12', 'z') RETURNING id", rows: "12"},
		{name: "duplicate key", sql: "INSERT INTO users VALUES (1, 'again')", code: "23505"},
		{name: "duplicate within statement", sql: "INSERT INTO users VALUES (20, 'a'), (20, 'b')", code: "23505"},
		{name: "not null", sql: "INSERT INTO users (id) VALUES (21)", code: "23502"},
		{name: "bad integer", sql: "INSERT INTO users VALUES ('x', 'y')", code: "22P02"},
		{name: "out of range", sql: "INSERT INTO users VALUES (3000000000, 'y')", code: "22003"},
		{name: "numeric overflow", sql: "INSERT INTO orders (amount) VALUES (123456789012.5)", code: "22003"},
		{name: "wrong type", sql: "INSERT INTO users (id, name) VALUES (true, 'x')", code: "42804"},
		{name: "unknown column", sql: "INSERT INTO users (id, nope) VALUES (1, 2)", code: "42703"},
		{name: "too many values", sql: "INSERT INTO users (id) VALUES (1, 2)", code: "42601"},
		{name: "duplicate column", sql: "INSERT INTO users (id, id) VALUES (1, 2)", code: "42701"},
		{name: "unknown table", sql: "INSERT INTO nope VALUES (1)", code: "42P01"},
		{name: "on conflict do nothing", sql: "INSERT INTO users VALUES (1, 'x'), (30, 'y') ON CONFLICT DO NOTHING", tag: "INSERT 0 1"},
		{name: "on conflict do update", sql: "INSERT INTO users VALUES (1, 'new', 31) ON CONFLICT (id) DO UPDATE SET name = excluded.name, age = users.age + 1 RETURNING *", rows: "1|new|31|paris", tag: "INSERT 0 1"},
		{name: "on conflict no index", sql: "INSERT INTO users VALUES (1, 'x') ON CONFLICT (name) DO NOTHING", code: "42P10"},
	})
}

func TestUpdateDelete(t *testing.T) {
	runStmtCases(t, []stmtCase{
		{name: "update where", sql: "UPDATE users SET age = age + 1 WHERE city = 'paris'", tag: "UPDATE 2"},
		{name: "update returning", sql: "UPDATE users SET age = 50, city = upper(city) WHERE id = 1 RETURNING id, age, city", rows: "1|50|PARIS", tag: "UPDATE 1"},
		{name: "update all", sql: "UPDATE users SET age = 0", tag: "UPDATE 4"},
		{name: "update none", sql: "UPDATE users SET age = 0 WHERE id = 99", tag: "UPDATE 0"},
		{name: "update uses old values", sql: "UPDATE users SET id = age, age = id WHERE id = 1 RETURNING id, age", rows: "30|1"},
		{name: "update to duplicate", sql: "UPDATE users SET id = 2 WHERE id = 1", code: "23505"},
		{name: "update to null", sql: "UPDATE users SET name = NULL WHERE id = 1", code: "23502"},
		{name: "update unknown column", sql: "UPDATE users SET nope = 1", code: "42703"},
		{name: "update default", sql: "UPDATE orders SET note = DEFAULT, amount = 1 WHERE id = 1 RETURNING note", rows: "none"},
		{name: "update with subquery", sql: "UPDATE users SET age = (SELECT count(*) FROM orders WHERE user_id = users.id) RETURNING id, age", rows: "1|2;2|0;3|1;4|0"},
		{name: "delete where", sql: "DELETE FROM users WHERE age > 26", tag: "DELETE 2"},
		{name: "delete returning", sql: "DELETE FROM orders WHERE user_id = 1 RETURNING id, amount", rows: "1|10.50;2|20.00", tag: "DELETE 2"},
		{name: "delete in subquery", sql: "DELETE FROM users WHERE id NOT IN (SELECT user_id FROM orders)", tag: "DELETE 2"},
		{name: "delete all", sql: "DELETE FROM orders", tag: "DELETE 4"},
		{name: "delete then select", setup: "DELETE FROM users WHERE id = 2", sql: "SELECT id FROM users ORDER BY id", rows: "1;3;4"},
		{name: "update then select", setup: "UPDATE users SET name = 'bobby' WHERE name = 'bob'", sql: "SELECT name FROM users WHERE id = 2", rows: "bobby"},
		{name: "increment", setup: "UPDATE users SET age = age + 5 WHERE id = 1; UPDATE users SET age = age - 1 WHERE id = 1", sql: "SELECT age FROM users WHERE id = 1", rows: "34"},
		{name: "increment of null", setup: "UPDATE users SET age = age + 5 WHERE id = 2", sql: "SELECT age FROM users WHERE id = 2", rows: "NULL"},
		{name: "increment overflow", setup: "UPDATE users SET age = 2147483647 WHERE id = 1", sql: "UPDATE users SET age = age + 1 WHERE id = 1", code: "22003"},
	})
}

func TestDDL(t *testing.T) {
	runStmtCases(t, []stmtCase{
		{name: "all types", sql: `CREATE TABLE t (a INT, b INTEGER, c SMALLINT, d BIGINT, e SERIAL, f BIGSERIAL, g TEXT, h STRING, i VARCHAR(5), j CHAR(3),
			k BOOLEAN, l REAL, m FLOAT, n DOUBLE PRECISION, o NUMERIC(6,2), p DATE, q TIMESTAMP, r TIMESTAMPTZ, s BYTEA)`, tag: "CREATE TABLE"},
		{name: "types round trip", setup: "CREATE TABLE t (i VARCHAR(5), j CHAR(3), k BOOLEAN, l REAL, o NUMERIC(6,2), p DATE, q TIMESTAMP, s BYTEA)",
			sql: "INSERT INTO t VALUES ('abc', 'x', true, 1.5, 3.14159, '2024-02-29', '2024-01-02 03:04:05', '\\x0102') RETURNING *", rows: "abc|x  |t|1.5|3.14|2024-02-29|2024-01-02 03:04:05|\\x0102"},
		{name: "varchar too long", setup: "CREATE TABLE t (v VARCHAR(3))", sql: "INSERT INTO t VALUES ('abcd')", code: "22001"},
		{name: "if not exists", sql: "CREATE TABLE IF NOT EXISTS users (x INT)", tag: "CREATE TABLE"},
		{name: "exists", sql: "CREATE TABLE users (x INT)", code: "42P07"},
		{name: "duplicate column", sql: "CREATE TABLE t (a INT, a TEXT)", code: "42701"},
		{name: "composite primary key", setup: "CREATE TABLE t (a INT, b INT, c TEXT, PRIMARY KEY (a, b)); INSERT INTO t VALUES (1, 1, 'x'), (1, 2, 'y')",
			sql: "INSERT INTO t VALUES (1, 2, 'z')", code: "23505"},
		{name: "primary key not null", setup: "CREATE TABLE t (a INT, b INT, PRIMARY KEY (a, b))", sql: "INSERT INTO t VALUES (1, NULL)", code: "23502"},
		{name: "unique allows nulls", setup: "CREATE TABLE t (a INT UNIQUE); INSERT INTO t VALUES (NULL), (NULL)", sql: "SELECT count(*) FROM t", rows: "2"},
		{name: "two primary keys", sql: "CREATE TABLE t (a INT PRIMARY KEY, b INT PRIMARY KEY)", code: "42P16"},
		{name: "bad default type", sql: "CREATE TABLE t (a INT DEFAULT 'x')", code: "22P02"},
		{name: "unknown type", sql: "CREATE TABLE t (a FOO)", code: "42704"},
		{name: "drop table", sql: "DROP TABLE orders", tag: "DROP TABLE"},
		{name: "drop several", setup: "CREATE TABLE t1 (a INT); CREATE TABLE t2 (a INT)", sql: "DROP TABLE t1, t2", tag: "DROP TABLE"},
		{name: "drop missing", sql: "DROP TABLE nope", code: "42P01"},
		{name: "drop if exists", sql: "DROP TABLE IF EXISTS nope, orders", tag: "DROP TABLE"},
		{name: "dropped is gone", setup: "DROP TABLE orders", sql: "SELECT * FROM orders", code: "42P01"},
		{name: "add column", setup: "ALTER TABLE users ADD COLUMN score INT DEFAULT 7", sql: "SELECT id, score FROM users WHERE id < 3 ORDER BY id", rows: "1|7;2|7"},
		{name: "add column tag", sql: "ALTER TABLE users ADD COLUMN x TEXT", tag: "ALTER TABLE"},
		{name: "add existing column", sql: "ALTER TABLE users ADD COLUMN name TEXT", code: "42701"},
		{name: "drop column", setup: "ALTER TABLE users DROP COLUMN city", sql: "SELECT * FROM users WHERE id = 1", rows: "1|alice|30", cols: "id,name,age"},
		{name: "drop missing column", sql: "ALTER TABLE users DROP COLUMN nope", code: "42703"},
		{name: "add primary key", setup: "CREATE TABLE t (a INT NOT NULL, b TEXT); INSERT INTO t VALUES (1, 'x'); ALTER TABLE t ADD PRIMARY KEY (a)", sql: "INSERT INTO t VALUES (1, 'y')", code: "23505"},
		{name: "add primary key duplicates", setup: "CREATE TABLE t (a INT); INSERT INTO t VALUES (1), (1)", sql: "ALTER TABLE t ADD PRIMARY KEY (a)", code: "23505"},
		{name: "create index", sql: "CREATE INDEX users_city ON users (city)", tag: "CREATE INDEX"},
		{name: "create unique index", setup: "CREATE UNIQUE INDEX users_name ON users (name)", sql: "INSERT INTO users VALUES (9, 'alice')", code: "23505"},
		{name: "unique index on duplicates", sql: "CREATE UNIQUE INDEX users_city ON users (city)", code: "23505"},
		{name: "drop index", setup: "CREATE INDEX users_city ON users (city)", sql: "DROP INDEX users_city", tag: "DROP INDEX"},
		{name: "drop missing index", sql: "DROP INDEX nope", code: "42704"},
		{name: "truncate", setup: "TRUNCATE orders", sql: "SELECT count(*) FROM orders", rows: "0"},
		{name: "truncate tag", sql: "TRUNCATE TABLE orders, users", tag: "TRUNCATE TABLE"},
		{name: "truncate keeps serial", setup: "TRUNCATE orders", sql: "INSERT INTO orders (user_id) VALUES (1) RETURNING id", rows: "5"},
		{name: "foreign key unsupported", sql: "CREATE TABLE t (a INT REFERENCES users (id))", code: "0A000"},
	})
}

func TestViews(t *testing.T) {
	runStmtCases(t, []stmtCase{
		{name: "create", sql: "CREATE VIEW paris AS SELECT id, name FROM users WHERE city = 'paris'", tag: "CREATE VIEW"},
		{name: "select", setup: "CREATE VIEW paris AS SELECT id, name FROM users WHERE city = 'paris'", sql: "SELECT name FROM paris ORDER BY id", rows: "alice;carol"},
		{name: "column names", setup: "CREATE VIEW v (a, b) AS SELECT id, name FROM users", sql: "SELECT b FROM v WHERE a = 2", rows: "bob"},
		{name: "sees new rows", setup: "CREATE VIEW v AS SELECT count(*) AS n FROM users; INSERT INTO users VALUES (5, 'eve')", sql: "SELECT n FROM v", rows: "5"},
		{name: "view of view", setup: "CREATE VIEW v1 AS SELECT * FROM users WHERE age > 20; CREATE VIEW v2 AS SELECT name FROM v1 WHERE city = 'paris'", sql: "SELECT * FROM v2 ORDER BY 1", rows: "alice;carol"},
		{name: "join view", setup: "CREATE VIEW v AS SELECT user_id, sum(amount) AS total FROM orders GROUP BY user_id", sql: "SELECT u.name, v.total FROM users u JOIN v ON v.user_id = u.id ORDER BY 1", rows: "alice|30.50;carol|5.25"},
		{name: "duplicate", setup: "CREATE VIEW v AS SELECT 1", sql: "CREATE VIEW v AS SELECT 2", code: "42P07"},
		{name: "bad query", sql: "CREATE VIEW v AS SELECT * FROM nope", code: "42P01"},
		{name: "drop", setup: "CREATE VIEW v AS SELECT 1", sql: "DROP VIEW v", tag: "DROP VIEW"},
		{name: "drop missing", sql: "DROP VIEW v", code: "42P01"},
		{name: "dropped is gone", setup: "CREATE VIEW v AS SELECT 1; DROP VIEW v", sql: "SELECT * FROM v", code: "42P01"},
		{name: "read only", setup: "CREATE VIEW v AS SELECT * FROM users", sql: "DELETE FROM v", code: "0A000"},
	})
}

func TestErrors(t *testing.T) {
	runStmtCases(t, []stmtCase{
		{name: "syntax", sql: "SELEC 1", code: "42601"},
		{name: "undefined table", sql: "SELECT * FROM nope", code: "42P01"},
		{name: "undefined column", sql: "SELECT nope FROM users", code: "42703"},
		{name: "datatype mismatch", sql: "SELECT id FROM users WHERE name", code: "42804"},
		{name: "invalid text", sql: "SELECT 'abc'::int", code: "22P02"},
		{name: "unique", sql: "INSERT INTO users VALUES (1, 'x')", code: "23505"},
		{name: "not null", sql: "INSERT INTO users (id) VALUES (5)", code: "23502"},
		{name: "out of range", sql: "SELECT 2147483647 + 1", code: "22003"},
		{name: "division by zero", sql: "SELECT 1 / 0", code: "22012"},
		{name: "duplicate table", sql: "CREATE TABLE users (a INT)", code: "42P07"},
		{name: "duplicate column", sql: "CREATE TABLE t (a INT, a INT)", code: "42701"},
		{name: "grouping", sql: "SELECT name FROM users GROUP BY city", code: "42803"},
		{name: "unsupported", sql: "SELECT rank() OVER () FROM users", code: "0A000"},
		{name: "undefined function", sql: "SELECT nope(1)", code: "42883"},
		{name: "ambiguous", sql: "SELECT id FROM users a, users b", code: "42702"},
	})
}

func TestErrorMessages(t *testing.T) {
	s := newTestSession(t)
	mustExec(t, s, fixture)
	for _, tc := range []struct{ sql, msg string }{
		{"SELECT * FROM nope", `relation "nope" does not exist`},
		{"SELECT nope FROM users", `column "nope" does not exist`},
		{"SELECT users.nope FROM users", `column users.nope does not exist`},
		{"SELECT city, age FROM users GROUP BY city", `column "users.age" must appear in the GROUP BY clause or be used in an aggregate function`},
		{"INSERT INTO users VALUES (1, 'x')", `duplicate key value violates unique constraint "users_pkey"`},
		{"INSERT INTO users (id) VALUES (9)", `null value in column "name" of relation "users" violates not-null constraint`},
		{"CREATE TABLE users (a INT)", `relation "users" already exists`},
	} {
		_, err := query(s, tc.sql)
		if err == nil || err.Error() != tc.msg {
			t.Errorf("%s: error %v, want %q", tc.sql, err, tc.msg)
		}
	}
}

func TestSessionContinuesAfterError(t *testing.T) {
	s := newTestSession(t)
	mustExec(t, s, fixture)
	if _, err := query(s, "SELECT * FROM nope"); err == nil {
		t.Fatal("no error")
	}
	r := mustExec(t, s, "SELECT count(*) FROM users")
	if rowsText(r) != "4" {
		t.Errorf("rows %q", rowsText(r))
	}
}

func TestMultipleStatements(t *testing.T) {
	s := newTestSession(t)
	var tags []string
	err := s.Query(t.Context(), "CREATE TABLE t (a INT); INSERT INTO t VALUES (1), (2); SELECT a FROM t; ; SELECT nope; SELECT 1", func(r Result) error {
		tags = append(tags, r.Tag)
		return nil
	})
	if errCode(err) != "42703" {
		t.Fatalf("error %v, want 42703", err)
	}
	if got := strings.Join(tags, ","); got != "CREATE TABLE,INSERT 0 2,SELECT 2" {
		t.Errorf("tags %q", got)
	}
	var empty []Result
	if err := s.Query(t.Context(), " ; -- nothing\n", func(r Result) error { empty = append(empty, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(empty) != 1 || !empty[0].Empty {
		t.Errorf("empty query: %+v", empty)
	}
}

func TestIdentifiers(t *testing.T) {
	runStmtCases(t, []stmtCase{
		{name: "unquoted folds", setup: "CREATE TABLE Foo (Bar INT); INSERT INTO FOO VALUES (1)", sql: "SELECT BAR, bar FROM foo", rows: "1|1", cols: "bar,bar"},
		{name: "quoted keeps case", setup: `CREATE TABLE t ("Mixed" INT); INSERT INTO t VALUES (2)`, sql: `SELECT "Mixed" FROM t`, rows: "2", cols: "Mixed"},
		{name: "quoted is exact", setup: `CREATE TABLE t ("Mixed" INT)`, sql: "SELECT mixed FROM t", code: "42703"},
		{name: "quoted table", setup: "CREATE TABLE foo (a INT)", sql: `SELECT * FROM "Foo"`, code: "42P01"},
		{name: "alias case", sql: `SELECT 1 AS "One", 2 AS Two`, rows: "1|2", cols: "One,two"},
	})
}

// TestScanFilterDecodesWhatItReads: a scan decodes only the columns its
// filter reads before filtering (scanNode.filterCols), then the whole row.
// Each case filters on some columns and returns others; the UPDATE and
// DELETE filter through correlated subqueries on columns nothing else
// reads.
func TestScanFilterDecodesWhatItReads(t *testing.T) {
	s := newTestSession(t)
	mustExec(t, s, `CREATE TABLE t (a INT PRIMARY KEY, b TEXT, c BIGINT, d BOOLEAN)`)
	mustExec(t, s, `CREATE TABLE u (x BIGINT)`)
	mustExec(t, s, `INSERT INTO t VALUES (1, 'one', 10, true), (2, 'two', 20, false), (3, NULL, 30, NULL), (4, 'four', 40, true)`)
	mustExec(t, s, `INSERT INTO u VALUES (20), (40)`)
	tests := []struct{ sql, want string }{
		{`SELECT a, b, c, d FROM t WHERE c > 15 ORDER BY a`, "2|two|20|f;3|NULL|30|NULL;4|four|40|t"},
		{`SELECT b FROM t WHERE d ORDER BY a`, "one;four"},
		{`SELECT a FROM t WHERE b IS NULL`, "3"},
		{`SELECT d, c FROM t WHERE b LIKE 't%'`, "f|20"},
		{`SELECT count(*) FROM t WHERE 1 = 1`, "4"},
		{`UPDATE t SET b = 'x' WHERE EXISTS (SELECT 1 FROM u WHERE u.x = t.c) RETURNING a, b, c`, "2|x|20;4|x|40"},
		{`DELETE FROM t WHERE c IN (SELECT x FROM u) AND d RETURNING a, b, d`, "4|x|t"},
		{`SELECT a, b, c, d FROM t ORDER BY a`, "1|one|10|t;2|x|20|f;3|NULL|30|NULL"},
	}
	for _, tt := range tests {
		if got := rowsText(mustExec(t, s, tt.sql)); got != tt.want {
			t.Errorf("%s:\ngot  %q\nwant %q", tt.sql, got, tt.want)
		}
	}
}

// TestTiDBReservedWordsAsNames runs statements whose names the TiDB parser
// reserves and PostgreSQL does not (dialect/reserved.go).
func TestTiDBReservedWordsAsNames(t *testing.T) {
	s := newTestSession(t)
	mustExec(t, s, "CREATE TABLE load (load INT PRIMARY KEY, key TEXT, usage TEXT)")
	mustExec(t, s, "INSERT INTO load (load, key, usage) VALUES (1, 'a', 'x'), (2, 'b', 'y')")
	if got := rowsText(mustExec(t, s, "SELECT load.load, key, usage FROM load WHERE load > 1")); got != "2|b|y" {
		t.Errorf("got %s, want 2|b|y", got)
	}
}
