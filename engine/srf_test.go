package engine

import "testing"

func TestGenerateSeries(t *testing.T) {
	s := newTestSession(t)
	mustExec(t, s, "CREATE TABLE acc (aid INT PRIMARY KEY, bid INT, abalance INT, filler CHAR(10))")
	for _, tc := range []struct{ sql, want string }{
		{"SELECT generate_series(1, 3)", "1;2;3"},
		{"SELECT generate_series(1, 10, 4) AS x, 'a'", "1|a;5|a;9|a"},
		{"SELECT generate_series(3, 1, -1)", "3;2;1"},
		{"SELECT generate_series(5, 1)", ""},
		{"SELECT generate_series(1, NULL)", ""},
		{"SELECT x FROM generate_series(1, 4) AS x WHERE x % 2 = 0", "2;4"},
		{"SELECT * FROM generate_series(1, 2)", "1;2"},
		{"SELECT count(*), sum(i) FROM generate_series(1, 1000) i", "1000|500500"},
		{"SELECT a.aid * 10 + b FROM generate_series(1, 2) AS a(aid) CROSS JOIN generate_series(1, 2) AS b ORDER BY 1 DESC", "22;21;12;11"},
		{"SELECT generate_series(9223372036854775806, 9223372036854775807)", "9223372036854775806;9223372036854775807"},
	} {
		r, err := query(s, tc.sql)
		if err != nil {
			t.Errorf("%s: %v", tc.sql, err)
			continue
		}
		if got := rowsText(r); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.sql, got, tc.want)
		}
	}
	// pgbench -I G.
	mustExec(t, s, "insert into acc(aid,bid,abalance,filler) select aid, (aid - 1) / 100 + 1, 0, '' from generate_series(1, 250) as aid")
	if got := rowsText(mustExec(t, s, "SELECT count(*), max(bid), min(filler) FROM acc")); got != "250|3|          " {
		t.Errorf("insert ... select from generate_series: %q", got)
	}
	for _, tc := range []struct{ sql, code string }{
		{"SELECT generate_series(1, 3, 0)", "22023"},
		{"SELECT generate_series(1)", "42883"},
		{"SELECT generate_series(1, 2), generate_series(1, 3)", "0A000"},
		{"SELECT count(*), generate_series(1, 2)", "0A000"},
	} {
		if _, err := query(s, tc.sql); errCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.sql, err, tc.code)
		}
	}
}
