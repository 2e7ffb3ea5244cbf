package dialect

import "testing"

// TestArrayRewrites covers the array constructs of catalog queries and
// FROM pg_catalog.f(...), like TestRewrites: the rewritten text, and that
// TiDB parses it.
func TestArrayRewrites(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"ARRAY(subquery)",
			"select ARRAY(SELECT b.rolname FROM pg_roles b WHERE b.oid = r.oid) as memberof from pg_roles r",
			"select chronos_array((select b.rolname from pg_roles b where b.oid = r.oid)) as memberof from pg_roles r"},
		{"ARRAY(subquery) inside a call with ORDER BY",
			"select array_to_string(array(select rolname from pg_roles order by 1),',')",
			"select array_to_string(chronos_array((select rolname from pg_roles order by 1)),',')"},
		{"= ANY over an array expression",
			"select 'd' = any(stxkind), oid = any (pol.polroles) from t",
			"select chronos_any_eq('d', stxkind), chronos_any_eq(oid, pol.polroles) from t"},
		{"= ANY over a subquery stays",
			"select * from t where a = any (select b from u)",
			"select * from t where a = any (select b from u)"},
		{"subscripts",
			"select attnum = prattrs[s], a[1] + 1 from t",
			"select attnum = chronos_subscript(prattrs, s), chronos_subscript(a, 1) + 1 from t"},
		{"a schema-qualified function in FROM",
			"select x from pg_catalog.generate_series(1, 3) x",
			"select x from (select generate_series(1, 3) as x) as x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := rewriteSQL(t, tc.in)
			if err != nil {
				t.Fatalf("rewrite %q: %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("rewrite %q\n got: %s\nwant: %s", tc.in, got, tc.want)
			}
			if stmts, err := Parse(tc.in); err != nil || len(stmts) != 1 || stmts[0].AST == nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
		})
	}
}
