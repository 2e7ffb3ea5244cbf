package repl

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// The catalog queries below are the ones psql 15 sends for the same
// meta-commands (captured from a PostgreSQL 15 statement log), so a server
// that satisfies psql satisfies the shell.

// relTypeCase maps pg_class.relkind to psql's "Type" column.
const relTypeCase = `CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table' WHEN 'I' THEN 'partitioned index' END`

// catalogFailed reports a failed catalog query with the server's error.
func (s *session) catalogFailed(_ *metaCall, err error) error {
	s.printError(err, "")
	return ErrFailed
}

// patternRegex turns a psql name pattern into a POSIX regular expression:
// outside double quotes letters are folded to lower case, * matches any
// string and ? any character; other regular-expression characters match
// themselves. It returns the schema and name parts (schema empty when the
// pattern has no unquoted dot).
func patternRegex(pattern string) (schema, name string) {
	var parts []string
	var b strings.Builder
	inQuotes := false
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == '"':
			if inQuotes && i+1 < len(pattern) && pattern[i+1] == '"' {
				b.WriteByte('"')
				i++
			} else {
				inQuotes = !inQuotes
			}
		case !inQuotes && c == '.':
			parts = append(parts, b.String())
			b.Reset()
		case !inQuotes && c == '*':
			b.WriteString(".*")
		case !inQuotes && c == '?':
			b.WriteByte('.')
		case !inQuotes && c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		case strings.IndexByte(`|*+?()[]{}.^$\`, c) >= 0:
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	parts = append(parts, b.String())
	name = parts[len(parts)-1]
	if len(parts) > 1 {
		schema = parts[len(parts)-2]
	}
	return schema, name
}

// sqlString quotes s as a SQL string literal.
func sqlString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// patternFilter is the WHERE clause psql adds for a name pattern; without
// a schema the relation must also be visible in the search path.
func patternFilter(pattern, nameCol, schemaCol, visibleCol string) string {
	schema, name := patternRegex(pattern)
	var b strings.Builder
	fmt.Fprintf(&b, "\n  AND %s OPERATOR(pg_catalog.~) %s COLLATE pg_catalog.default", nameCol, sqlString("^("+name+")$"))
	if schema != "" {
		fmt.Fprintf(&b, "\n  AND %s OPERATOR(pg_catalog.~) %s COLLATE pg_catalog.default", schemaCol, sqlString("^("+schema+")$"))
	} else if visibleCol != "" {
		fmt.Fprintf(&b, "\n  AND pg_catalog.pg_table_is_visible(%s)", visibleCol)
	}
	return b.String()
}

// metaDescribe handles \d, \dt, \di and \dv: with a pattern after \d it
// describes the matching relations, otherwise it lists relations.
func metaDescribe(s *session, ctx context.Context, m *metaCall) error {
	pattern := ""
	if len(m.args) > 0 {
		pattern = m.args[0]
	}
	if m.name == "d" && pattern != "" {
		return s.describeRelations(ctx, m, pattern)
	}
	kinds := map[string]string{
		"d":  "'r','p','v','m','S','f',''",
		"dt": "'r','p',''",
		"di": "'i','I',''",
		"dv": "'v',''",
	}[m.name]
	if pattern != "" && m.name == "dt" {
		kinds = "'r','p','t','s',''"
	}
	var q strings.Builder
	q.WriteString("SELECT n.nspname as \"Schema\",\n  c.relname as \"Name\",\n  " + relTypeCase + " as \"Type\",\n  pg_catalog.pg_get_userbyid(c.relowner) as \"Owner\"")
	if m.name == "di" {
		q.WriteString(",\n c2.relname as \"Table\"")
	}
	q.WriteString("\nFROM pg_catalog.pg_class c\n     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace")
	if m.name != "dv" {
		q.WriteString("\n     LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam")
	}
	if m.name == "di" {
		q.WriteString("\n     LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid\n     LEFT JOIN pg_catalog.pg_class c2 ON i.indrelid = c2.oid")
	}
	fmt.Fprintf(&q, "\nWHERE c.relkind IN (%s)", kinds)
	if pattern == "" {
		q.WriteString("\n      AND n.nspname <> 'pg_catalog'\n      AND n.nspname !~ '^pg_toast'\n      AND n.nspname <> 'information_schema'\n  AND pg_catalog.pg_table_is_visible(c.oid)")
	} else {
		q.WriteString(patternFilter(pattern, "c.relname", "n.nspname", "c.oid"))
	}
	q.WriteString("\nORDER BY 1,2;")

	t, err := s.query(ctx, q.String())
	if err != nil {
		return s.catalogFailed(m, err)
	}
	if len(t.Rows) == 0 {
		if pattern != "" {
			fmt.Fprintf(s.cfg.Stderr, "%sDid not find any relation named \"%s\".\n", s.errPrefix(), pattern)
		} else {
			fmt.Fprintf(s.cfg.Stderr, "%sDid not find any relations.\n", s.errPrefix())
		}
		return nil
	}
	t.Title = "List of relations"
	s.printTable(t)
	return nil
}

// describeRelations prints \d NAME for every relation matching pattern.
func (s *session) describeRelations(ctx context.Context, m *metaCall, pattern string) error {
	lookup := "SELECT c.oid,\n  n.nspname,\n  c.relname\nFROM pg_catalog.pg_class c\n     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace\nWHERE" +
		strings.TrimPrefix(patternFilter(pattern, "c.relname", "n.nspname", "c.oid"), "\n  AND") +
		"\nORDER BY 2, 3;"
	rels, err := s.query(ctx, lookup)
	if err != nil {
		return s.catalogFailed(m, err)
	}
	if len(rels.Rows) == 0 {
		fmt.Fprintf(s.cfg.Stderr, "%sDid not find any relation named \"%s\".\n", s.errPrefix(), pattern)
		return ErrFailed
	}
	for _, r := range rels.Rows {
		if err := s.describeRelation(ctx, m, r[0].Text, r[1].Text, r[2].Text); err != nil {
			return err
		}
	}
	return nil
}

// describeRelation prints one relation's columns and, for tables, its
// indexes, as psql's \d does.
func (s *session) describeRelation(ctx context.Context, m *metaCall, oid, schema, name string) error {
	info, err := s.query(ctx, "SELECT c.relchecks, c.relkind, c.relhasindex, c.relhasrules, c.relhastriggers, c.relrowsecurity, c.relforcerowsecurity, false AS relhasoids, c.relispartition, '', c.reltablespace, CASE WHEN c.reloftype = 0 THEN '' ELSE c.reloftype::pg_catalog.regtype::pg_catalog.text END, c.relpersistence, c.relreplident, am.amname\nFROM pg_catalog.pg_class c\n LEFT JOIN pg_catalog.pg_class tc ON (c.reltoastrelid = tc.oid)\nLEFT JOIN pg_catalog.pg_am am ON (c.relam = am.oid)\nWHERE c.oid = "+sqlString(oid)+";")
	if err != nil {
		return s.catalogFailed(m, err)
	}
	if len(info.Rows) != 1 || len(info.Rows[0]) < 3 {
		return s.fail(m, "relation with OID %s vanished while being described", oid)
	}
	relkind, hasIndex := info.Rows[0][1].Text, info.Rows[0][2].Text == "t"
	kindName := map[string]string{"r": "Table", "p": "Partitioned table", "v": "View", "m": "Materialized view", "f": "Foreign table"}[relkind]
	if kindName == "" {
		return s.fail(m, "describing relation \"%s.%s\" of kind %q is not supported by this shell", schema, name, relkind)
	}

	cols, err := s.query(ctx, "SELECT a.attname,\n  pg_catalog.format_type(a.atttypid, a.atttypmod),\n  (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid, true)\n   FROM pg_catalog.pg_attrdef d\n   WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef),\n  a.attnotnull,\n  (SELECT c.collname FROM pg_catalog.pg_collation c, pg_catalog.pg_type t\n   WHERE c.oid = a.attcollation AND t.oid = a.atttypid AND a.attcollation <> t.typcollation) AS attcollation,\n  a.attidentity,\n  a.attgenerated\nFROM pg_catalog.pg_attribute a\nWHERE a.attrelid = "+sqlString(oid)+" AND a.attnum > 0 AND NOT a.attisdropped\nORDER BY a.attnum;")
	if err != nil {
		return s.catalogFailed(m, err)
	}
	out := &Table{
		Title: fmt.Sprintf("%s \"%s.%s\"", kindName, schema, name),
		Columns: []Column{
			{Name: "Column"}, {Name: "Type"}, {Name: "Collation"}, {Name: "Nullable"}, {Name: "Default"},
		},
		Rows:    [][]Cell{},
		Footers: []string{},
	}
	for _, c := range cols.Rows {
		if len(c) < 7 {
			continue
		}
		nullable := ""
		if c[3].Text == "t" {
			nullable = "not null"
		}
		def := c[2].Text
		switch {
		case c[5].Text == "a":
			def = "generated always as identity"
		case c[5].Text == "d":
			def = "generated by default as identity"
		case c[6].Text == "s":
			def = "generated always as (" + c[2].Text + ") stored"
		}
		out.Rows = append(out.Rows, []Cell{{Text: c[0].Text}, {Text: c[1].Text}, {Text: c[4].Text}, {Text: nullable}, {Text: def}})
	}

	if hasIndex && (relkind == "r" || relkind == "p" || relkind == "m") {
		idx, err := s.query(ctx, "SELECT c2.relname, i.indisprimary, i.indisunique, i.indisclustered, i.indisvalid, pg_catalog.pg_get_indexdef(i.indexrelid, 0, true),\n  pg_catalog.pg_get_constraintdef(con.oid, true), contype, condeferrable, condeferred, i.indisreplident, c2.reltablespace\nFROM pg_catalog.pg_class c, pg_catalog.pg_class c2, pg_catalog.pg_index i\n  LEFT JOIN pg_catalog.pg_constraint con ON (conrelid = i.indrelid AND conindid = i.indexrelid AND contype IN ('p','u','x'))\nWHERE c.oid = "+sqlString(oid)+" AND c.oid = i.indrelid AND i.indexrelid = c2.oid\nORDER BY i.indisprimary DESC, c2.relname;")
		if err != nil {
			return s.catalogFailed(m, err)
		}
		if len(idx.Rows) > 0 {
			out.Footers = append(out.Footers, "Indexes:")
			for _, r := range idx.Rows {
				if len(r) >= 11 {
					out.Footers = append(out.Footers, indexFooter(r))
				}
			}
		}
	}
	s.printTable(out)
	return nil
}

// indexFooter formats one line of \d's "Indexes:" footer from a row of the
// index query:
//
//	"users_pkey" PRIMARY KEY, btree (id)
func indexFooter(r []Cell) string {
	var b strings.Builder
	fmt.Fprintf(&b, "    \"%s\"", r[0].Text)
	primary, unique, clustered, valid := r[1].Text == "t", r[2].Text == "t", r[3].Text == "t", r[4].Text == "t"
	indexdef, condef, contype := r[5].Text, r[6].Text, r[7].Text
	if contype == "x" {
		b.WriteString(" " + condef)
	} else {
		switch {
		case primary:
			b.WriteString(" PRIMARY KEY,")
		case unique && contype == "u":
			b.WriteString(" UNIQUE CONSTRAINT,")
		case unique:
			b.WriteString(" UNIQUE,")
		}
		if i := strings.Index(indexdef, " USING "); i >= 0 {
			indexdef = indexdef[i+len(" USING "):]
		}
		b.WriteString(" " + indexdef)
		if r[8].Text == "t" {
			b.WriteString(" DEFERRABLE")
		}
		if r[9].Text == "t" {
			b.WriteString(" INITIALLY DEFERRED")
		}
	}
	if !valid {
		b.WriteString(" INVALID")
	}
	if clustered {
		b.WriteString(" CLUSTER")
	}
	if r[10].Text == "t" {
		b.WriteString(" REPLICA IDENTITY")
	}
	return b.String()
}

// metaListDatabases handles \l.
func metaListDatabases(s *session, ctx context.Context, m *metaCall) error {
	t, err := s.query(ctx, "SELECT d.datname as \"Name\",\n       pg_catalog.pg_get_userbyid(d.datdba) as \"Owner\",\n       pg_catalog.pg_encoding_to_char(d.encoding) as \"Encoding\",\n       d.datcollate as \"Collate\",\n       d.datctype as \"Ctype\",\n       d.daticulocale as \"ICU Locale\",\n       CASE d.datlocprovider WHEN 'c' THEN 'libc' WHEN 'i' THEN 'icu' END AS \"Locale Provider\",\n       pg_catalog.array_to_string(d.datacl, E'\\n') AS \"Access privileges\"\nFROM pg_catalog.pg_database d\nORDER BY 1;")
	if err != nil {
		return s.catalogFailed(m, err)
	}
	t.Title = "List of databases"
	s.printTable(t)
	return nil
}

// metaCluster handles \cluster: the members of the cluster as the server
// reports them with SHOW CLUSTER (id, address, role, term, commit and
// applied index, reachability). SHOW CLUSTER answers from the node's own
// view, so it works even when the cluster has lost its quorum.
func metaCluster(s *session, ctx context.Context, m *metaCall) error {
	t, err := s.query(ctx, "SHOW CLUSTER")
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && (pgErr.Code == "42601" || pgErr.Code == "42704") {
			fmt.Fprintf(s.cfg.Stderr, "%s\\cluster: the server does not know SHOW CLUSTER; is it a Chronos node?\n", s.errPrefix())
		}
		s.printError(err, "")
		return ErrFailed
	}
	t.Title = "Cluster members (connected to " + displayAddress(s.cfg.Addresses[s.addrIndex]) + ")"
	s.printTable(t)
	return nil
}
