package engine

import "testing"

// TestCatalogQueries reads the catalogs through the normal executor; the
// psql describe commands themselves are compared with PostgreSQL in
// server/psqlmeta_test.go.
func TestCatalogQueries(t *testing.T) {
	s := newTestSession(t)
	mustExec(t, s, "CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL, email varchar(20) UNIQUE)")
	mustExec(t, s, "CREATE INDEX users_name_idx ON users (name)")
	mustExec(t, s, "CREATE VIEW names AS SELECT name FROM users")
	for _, tc := range []struct{ sql, want string }{
		{"SELECT relname, relkind FROM pg_catalog.pg_class WHERE relnamespace = 2200 ORDER BY 1",
			"names|v;users|r;users_email_key|i;users_id_seq|S;users_name_idx|i;users_pkey|i"},
		{"SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
			"WHERE n.nspname = 'public' AND c.relname ~ '^users_[pn]' ORDER BY 1", "users_name_idx;users_pkey"},
		{"SELECT attname, format_type(atttypid, atttypmod), attnotnull FROM pg_attribute " +
			"WHERE attrelid = 'users'::regclass AND attnum > 0 ORDER BY attnum",
			"id|integer|t;name|text|t;email|character varying(20)|f"},
		{"SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'names'::regclass", "name|text"},
		{"SELECT pg_get_expr(adbin, adrelid, true) FROM pg_attrdef WHERE adrelid = 'users'::regclass",
			"nextval('users_id_seq'::regclass)"},
		{"SELECT pg_get_indexdef(indexrelid, 0, true), pg_get_constraintdef(con.oid, true) FROM pg_index i " +
			"LEFT JOIN pg_constraint con ON conindid = i.indexrelid WHERE indrelid = 'users'::regclass ORDER BY 1",
			"CREATE INDEX users_name_idx ON public.users USING btree (name)|NULL;" +
				"CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email)|UNIQUE (email);" +
				"CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id)|PRIMARY KEY (id)"},
		{"SELECT oid::regclass::text FROM pg_class WHERE relname = 'users_pkey'", "users_pkey"},
		{"SELECT table_name, column_name FROM information_schema.key_column_usage ORDER BY 1, 2", "users|email;users|id"},
		{"SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", "2"},
		{"SELECT array(SELECT attname FROM pg_attribute WHERE attrelid = 'users'::regclass ORDER BY attnum)", "{id,name,email}"},
		{"SELECT 'name' = any(array(SELECT attname FROM pg_attribute WHERE attrelid = 'users'::regclass))", "t"},
		{"SELECT indkey, indkey[0], conkey, conkey[1] FROM pg_index JOIN pg_constraint ON conindid = indexrelid " +
			"WHERE indisprimary AND indrelid = 'users'::regclass", "1|1|{1}|1"},
		{"SELECT x FROM unnest(array(SELECT relname FROM pg_class WHERE relname LIKE 'users_%' ORDER BY 1)) x LIMIT 2",
			"users_email_key;users_id_seq"},
		{"SELECT pg_table_is_visible('information_schema.tables'::regclass), pg_table_is_visible('pg_class'::regclass)", "f|t"},
		{"SELECT pg_get_userbyid(relowner) = current_user FROM pg_class WHERE relname = 'users'", "t"},
		{"SELECT pg_get_userbyid(relowner) = current_user, count(*) > 5 FROM pg_class GROUP BY 1", "t|t"},
		{"SELECT relkind, pg_size_pretty(sum(pg_relation_size(oid))) FROM pg_class WHERE relnamespace = 2200 " +
			"GROUP BY relkind ORDER BY 1", "S|0 bytes;i|0 bytes;r|0 bytes;v|0 bytes"},
	} {
		r, err := query(s, tc.sql)
		if err != nil {
			t.Errorf("%s: %v", tc.sql, err)
			continue
		}
		if got := rowsText(r); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.sql, got, tc.want)
		}
	}
	for _, tc := range []struct{ sql, code string }{
		{"SELECT 'nosuch'::regclass", "42P01"},
		{"SELECT * FROM information_schema.nosuch", "42P01"},
		{"SELECT pg_get_indexdef()", "42883"},
	} {
		if _, err := query(s, tc.sql); errCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.sql, err, tc.code)
		}
	}
}
