package repl

import (
	"context"
	"sort"
	"strings"
	"time"
	"unicode"
)

// sqlStarters are the keywords completed at the start of a statement.
var sqlStarters = []string{
	"ABORT", "ALTER", "BEGIN", "COMMIT", "COPY", "CREATE", "DEALLOCATE", "DELETE FROM", "DISCARD",
	"DROP", "END", "EXPLAIN", "INSERT INTO", "PREPARE", "RELEASE", "RESET", "ROLLBACK", "SAVEPOINT",
	"SELECT", "SET", "SHOW", "START TRANSACTION", "TABLE", "TRUNCATE", "UPDATE", "VACUUM", "VALUES", "WITH",
}

// sqlKeywords are the keywords completed inside a statement.
var sqlKeywords = []string{
	"ALL", "AND", "ANY", "AS", "ASC", "BETWEEN", "BIGINT", "BIGSERIAL", "BOOLEAN", "BY", "BYTEA", "CASCADE",
	"CASE", "CAST", "CHAR", "COLUMN", "CONFLICT", "CONSTRAINT", "CROSS", "DATE", "DEFAULT", "DESC", "DISTINCT",
	"DO", "DOUBLE PRECISION", "ELSE", "END", "EXCEPT", "EXISTS", "FALSE", "FETCH", "FIRST", "FROM", "FULL",
	"GROUP BY", "HAVING", "IF", "IF EXISTS", "IF NOT EXISTS", "ILIKE", "IN", "INDEX", "INNER", "INSERT",
	"INTEGER", "INTERSECT", "INTO", "IS", "JOIN", "KEY", "LAST", "LEFT", "LIKE", "LIMIT", "NOT", "NOTHING",
	"NULL", "NULLS", "NUMERIC", "OFFSET", "ON", "OR", "ORDER BY", "OUTER", "PRIMARY KEY", "REAL",
	"REFERENCES", "RETURNING", "RIGHT", "SERIAL", "SET", "SMALLINT", "TABLE", "TEXT", "THEN", "TIMESTAMP",
	"TIMESTAMPTZ", "TO", "TRUE", "UNION", "UNIQUE", "USING", "VALUES", "VARCHAR", "VIEW", "WHEN", "WHERE",
}

// tableContext holds the words after which a table name is expected.
var tableContext = map[string]bool{
	"FROM": true, "JOIN": true, "INTO": true, "UPDATE": true, "TABLE": true, "TRUNCATE": true,
	`\D`: true, `\DT`: true, `\DV`: true, `\DI`: true, "EXISTS": true,
}

// completer completes meta-commands, SQL keywords and table names for the
// line editor (readline.AutoCompleter).
type completer struct {
	s *session
}

// Do returns the possible endings of the word before pos and the length of
// that word.
func (c *completer) Do(line []rune, pos int) ([][]rune, int) {
	start := pos
	for start > 0 && isWordRune(line[start-1]) {
		start--
	}
	if start > 0 && line[start-1] == '\\' {
		start--
	}
	word := string(line[start:pos])
	before := strings.Fields(string(line[:start]))
	prev := ""
	if len(before) > 0 {
		prev = strings.ToUpper(before[len(before)-1])
	}

	var cands []string
	switch {
	case strings.HasPrefix(word, `\`):
		if len(before) > 0 {
			return nil, 0
		}
		for name := range metaCommands {
			cands = append(cands, `\`+name)
		}
	case tableContext[prev]:
		cands = c.s.tables.get()
	case len(before) == 0 && !c.s.midStatement():
		cands = caseLike(word, sqlStarters)
	default:
		cands = caseLike(word, sqlKeywords)
	}
	sort.Strings(cands)
	var out [][]rune
	for _, cand := range cands {
		if len(cand) >= len(word) && strings.EqualFold(cand[:len(word)], word) {
			out = append(out, []rune(cand[len(word):]+" "))
		}
	}
	return out, len([]rune(word))
}

// isWordRune reports whether r can be part of a completed word.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '.' || r == '"'
}

// caseLike returns the keywords in lower case when the typed prefix is in
// lower case, else in upper case (psql's preserve-upper).
func caseLike(word string, keywords []string) []string {
	lower := word != "" && strings.ToLower(word) == word && strings.ToUpper(word) != word
	out := make([]string, len(keywords))
	for i, k := range keywords {
		if lower {
			k = strings.ToLower(k)
		}
		out[i] = k
	}
	return out
}

// midStatement reports whether earlier lines of the current statement are
// pending (so the word being typed is not the statement's first).
func (s *session) midStatement() bool {
	return s.splitter != nil && s.splitter.HasPending()
}

// tableNames caches the names of the tables and views the server lists in
// its catalog, for completion.
type tableNames struct {
	s     *session
	names []string
	valid bool
}

// invalidate makes the next completion query the catalog again (after DDL
// or a reconnect).
func (t *tableNames) invalidate() { t.valid = false }

// get returns the cached names, querying the server when the cache is stale
// and no transaction is open (a failing catalog query must not abort the
// user's transaction). Servers without pg_catalog give no names.
func (t *tableNames) get() []string {
	if t.valid || !t.s.connected() || t.s.lastTxStatus != 'I' && t.s.lastTxStatus != 0 {
		return t.names
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	tbl, err := t.s.query(ctx, "SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relkind IN ('r','p','v','m','f') AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 1")
	t.valid = true
	if err != nil {
		t.names = nil
		return nil
	}
	t.names = t.names[:0]
	for _, r := range tbl.Rows {
		if len(r) > 0 && !r[0].Null {
			t.names = append(t.names, r[0].Text)
		}
	}
	return t.names
}
