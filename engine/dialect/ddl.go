package dialect

import (
	"strings"

	"github.com/chronos-db/chronos/engine/sqlerr"
)

// create rewrites CREATE TABLE and CREATE INDEX; other CREATE statements
// pass unchanged.
func (sp *stmtParse) create(toks []token) ([]token, error) {
	out := []token{toks[0]}
	i := 1
	at := func(k int, w string) bool { return k < len(toks) && toks[k].is(w) }
	for {
		switch {
		case (at(i, "global") || at(i, "local")) && (at(i+1, "temp") || at(i+1, "temporary")):
			i++
			continue
		case at(i, "unlogged") && at(i+1, "table"):
			i++
			continue
		case at(i, "temp") || at(i, "temporary"):
			out = append(out, raw("temporary", toks[i]))
			i++
			continue
		}
		break
	}
	switch {
	case at(i, "table"):
		return sp.createTable(toks, out, i)
	case at(i, "index") || at(i, "unique") && at(i+1, "index"):
		return sp.createIndex(toks, i)
	}
	return toks, nil
}

// nameEnd returns the index after the (qualified) name starting at
// toks[i], or -1 when there is no name there.
func nameEnd(toks []token, i int) int {
	if i >= len(toks) || toks[i].name() == "" {
		return -1
	}
	i++
	for i+1 < len(toks) && toks[i].isPunct(".") && toks[i+1].name() != "" {
		i += 2
	}
	return i
}

// createTable rewrites the column types of CREATE TABLE and drops storage
// clauses (WITH (fillfactor = ...), TABLESPACE, ...). out holds the
// rewritten tokens before toks[i], the TABLE keyword.
func (sp *stmtParse) createTable(toks []token, out []token, i int) ([]token, error) {
	at := func(k int, w string) bool { return k < len(toks) && toks[k].is(w) }
	out = append(out, toks[i])
	i++
	if at(i, "if") && at(i+1, "not") && at(i+2, "exists") {
		out = append(out, toks[i:i+3]...)
		i += 3
	}
	n := nameEnd(toks, i)
	if n < 0 {
		return nil, sp.syntaxAt(toks, i)
	}
	out = append(out, toks[i:n]...)
	i = n
	if i >= len(toks) || !toks[i].isPunct("(") {
		return append(out, toks[i:]...), nil
	}
	c := matchClose(toks, i)
	if c < 0 {
		return nil, sp.endError(toks, "")
	}
	out = append(out, toks[i])
	if c > i+1 {
		elems := splitTop(toks[i+1 : c])
		pos := i + 1
		for k, el := range elems {
			follow := toks[pos+len(el)] // the comma or the closing parenthesis
			if k > 0 {
				out = append(out, toks[pos-1])
			}
			if len(el) == 0 {
				return nil, sp.tokenError(follow)
			}
			rewritten, err := sp.tableElement(el, follow)
			if err != nil {
				return nil, err
			}
			out = append(out, rewritten...)
			pos += len(el) + 1
		}
	}
	out = append(out, toks[c])
	for j := c + 1; j < len(toks); {
		switch {
		case at(j, "with") && j+1 < len(toks) && toks[j+1].isPunct("("):
			e := matchClose(toks, j+1)
			if e < 0 {
				return nil, sp.endError(toks, "")
			}
			j = e + 1
		case (at(j, "without") || at(j, "with")) && at(j+1, "oids"):
			j += 2
		case at(j, "tablespace") || at(j, "using"):
			if j+1 >= len(toks) || toks[j+1].name() == "" {
				return nil, sp.syntaxAt(toks, j+1)
			}
			j += 2
		case at(j, "on") && at(j+1, "commit"):
			if at(j+2, "preserve") && at(j+3, "rows") {
				j += 4
				continue
			}
			return nil, sp.errAt(sqlerr.FeatureNotSupported, toks[j], "ON COMMIT is not supported")
		case at(j, "inherits"):
			return nil, sp.errAt(sqlerr.FeatureNotSupported, toks[j], "table inheritance is not supported")
		case at(j, "partition") && at(j+1, "by"):
			return nil, sp.errAt(sqlerr.FeatureNotSupported, toks[j], "partitioned tables are not supported")
		default:
			return append(out, toks[j:]...), nil
		}
	}
	return out, nil
}

// tableElement rewrites one element of CREATE TABLE's list: a column
// definition or a table constraint. follow is the token after it.
func (sp *stmtParse) tableElement(el []token, follow token) ([]token, error) {
	if el[0].kind == tkIdent {
		switch el[0].val {
		case "constraint", "primary", "unique", "check", "foreign":
			return el, nil
		case "like":
			return nil, sp.errAt(sqlerr.FeatureNotSupported, el[0], "CREATE TABLE ... LIKE is not supported")
		case "exclude":
			if len(el) > 1 && (el[1].is("using") || el[1].isPunct("(")) {
				return nil, sp.errAt(sqlerr.FeatureNotSupported, el[0], "exclusion constraints are not supported")
			}
		}
	}
	return sp.columnDef(el, follow)
}

// columnDef rewrites a column definition: name, type, constraints. The
// PostgreSQL type becomes the TiDB type that ColumnType maps back to it;
// a serial type or GENERATED ... AS IDENTITY becomes an UNSIGNED integer
// with NOT NULL; DEFAULT expressions are parenthesised, as TiDB requires
// for anything but a literal.
func (sp *stmtParse) columnDef(el []token, follow token) ([]token, error) {
	if el[0].name() == "" {
		return nil, sp.tokenError(el[0])
	}
	if len(el) < 2 {
		return nil, sp.tokenError(follow)
	}
	tn, n, ok := parseTypeName(el, 1)
	if !ok {
		return nil, sp.tokenError(el[1])
	}
	rest := el[n:]
	at := func(k int, w string) bool { return k < len(rest) && rest[k].is(w) }
	identity := false
	body := make([]token, 0, len(rest)+2)
	for k := 0; k < len(rest); {
		t := rest[k]
		switch {
		case t.is("generated") && (at(k+1, "always") || at(k+1, "by")):
			j := k + 2
			if at(k+1, "by") {
				if !at(j, "default") {
					return nil, sp.syntaxAt(rest, j)
				}
				j++
			}
			if !at(j, "as") {
				return nil, sp.syntaxAt(rest, j)
			}
			if !at(j+1, "identity") {
				return nil, sp.errAt(sqlerr.FeatureNotSupported, t, "generated columns are not supported")
			}
			j += 2
			if j < len(rest) && rest[j].isPunct("(") {
				e := matchClose(rest, j)
				if e < 0 {
					return nil, sp.tokenError(follow)
				}
				j = e + 1
			}
			identity = true
			k = j
		case t.is("default"):
			e := defaultEnd(rest, k+1)
			if e == k+1 {
				if e < len(rest) {
					return nil, sp.tokenError(rest[e])
				}
				return nil, sp.tokenError(follow)
			}
			expr := rest[k+1 : e]
			body = append(body, t)
			if simpleDefault(expr) {
				body = append(body, expr...)
			} else {
				body = append(body, punct("(", t))
				body = append(body, tight1(expr)...)
				body = append(body, punct(")", t))
			}
			k = e
		default:
			body = append(body, t)
			k++
		}
	}
	typ, serial, err := tidbType(tn)
	if err != nil {
		err.Position = charPos(sp.src, el[1].pos)
		return nil, err
	}
	if identity {
		if typ != "SMALLINT" && typ != "INT" && typ != "BIGINT" || serial {
			return nil, sp.errAt(sqlerr.InvalidParameterValue, el[1], "identity column type must be smallint, integer, or bigint")
		}
		serial = true
	}
	if serial {
		typ += " UNSIGNED NOT NULL"
	}
	out := make([]token, 0, len(body)+2)
	out = append(out, el[0], token{kind: tkRaw, val: typ, pos: el[1].pos, end: el[n-1].end, space: true})
	return append(out, body...), nil
}

// defaultEnd returns the index after the DEFAULT expression starting at
// toks[k]: it ends at the next column constraint.
func defaultEnd(toks []token, k int) int {
	if k >= len(toks) {
		return k
	}
	depth := 0
	for j := k; j < len(toks); j++ {
		t := toks[j]
		switch {
		case t.isPunct("(") || t.isPunct("["):
			depth++
			continue
		case t.isPunct(")") || t.isPunct("]"):
			depth--
			continue
		}
		if depth > 0 || j == k || t.kind != tkIdent {
			continue
		}
		prev := toks[j-1]
		switch t.val {
		case "primary", "unique", "check", "references", "constraint", "collate", "generated", "default":
			return j
		case "not":
			if j+1 < len(toks) && toks[j+1].is("null") && !prev.is("is") {
				return j
			}
		case "null":
			if !prev.is("is") && !prev.is("not") {
				return j
			}
		}
	}
	return len(toks)
}

// simpleDefault reports whether a DEFAULT expression is a literal TiDB
// accepts unparenthesised.
func simpleDefault(expr []token) bool {
	if len(expr) == 2 && (expr[0].isOp("-") || expr[0].isOp("+")) && expr[1].kind == tkNumber {
		return !strings.ContainsAny(expr[1].val, "eE")
	}
	if len(expr) != 1 {
		return false
	}
	switch t := expr[0]; {
	case t.kind == tkString:
		return true
	case t.kind == tkNumber:
		return !strings.ContainsAny(t.val, "eE")
	case t.is("null"):
		return true
	}
	return false
}

// createIndex rewrites CREATE [UNIQUE] INDEX: it drops CONCURRENTLY, ONLY,
// USING btree|hash, operator classes, NULLS FIRST|LAST, INCLUDE, WITH (...)
// and TABLESPACE, parenthesises function-call key parts, and names an
// unnamed index as PostgreSQL does (table_column_idx).
func (sp *stmtParse) createIndex(toks []token, i int) ([]token, error) {
	at := func(k int, w string) bool { return k < len(toks) && toks[k].is(w) }
	head := []token{toks[0]}
	if at(i, "unique") {
		head = append(head, toks[i])
		i++
	}
	head = append(head, toks[i]) // INDEX
	i++
	if at(i, "concurrently") {
		i++
	}
	if at(i, "if") && at(i+1, "not") && at(i+2, "exists") {
		head = append(head, toks[i:i+3]...)
		i += 3
	}
	var name token
	if !at(i, "on") {
		if i >= len(toks) || toks[i].name() == "" {
			return nil, sp.syntaxAt(toks, i)
		}
		name = toks[i]
		i++
	}
	if !at(i, "on") {
		return nil, sp.syntaxAt(toks, i)
	}
	on := toks[i]
	i++
	if at(i, "only") {
		i++
	}
	n := nameEnd(toks, i)
	if n < 0 {
		return nil, sp.syntaxAt(toks, i)
	}
	table := toks[i:n]
	i = n
	if at(i, "using") {
		if i+1 >= len(toks) || toks[i+1].name() == "" {
			return nil, sp.syntaxAt(toks, i+1)
		}
		if m := toks[i+1].val; m != "btree" && m != "hash" {
			return nil, sp.errAt(sqlerr.FeatureNotSupported, toks[i+1], "access method \"%s\" is not supported", m)
		}
		i += 2
	}
	if i >= len(toks) || !toks[i].isPunct("(") {
		return nil, sp.syntaxAt(toks, i)
	}
	c := matchClose(toks, i)
	if c < 0 {
		return nil, sp.endError(toks, "")
	}
	open, closing := toks[i], toks[c]
	var keys []token
	var colNames []string
	pos := i + 1
	for k, el := range splitTop(toks[i+1 : c]) {
		if k > 0 {
			keys = append(keys, toks[pos-1])
		}
		if len(el) == 0 {
			return nil, sp.tokenError(toks[pos])
		}
		key, col, err := sp.indexKey(el)
		if err != nil {
			return nil, err
		}
		keys = append(keys, key...)
		colNames = append(colNames, col)
		pos += len(el) + 1
	}
	for j := c + 1; j < len(toks); {
		switch {
		case (at(j, "include") || at(j, "with")) && j+1 < len(toks) && toks[j+1].isPunct("("):
			e := matchClose(toks, j+1)
			if e < 0 {
				return nil, sp.endError(toks, "")
			}
			j = e + 1
		case at(j, "tablespace"):
			if j+1 >= len(toks) || toks[j+1].name() == "" {
				return nil, sp.syntaxAt(toks, j+1)
			}
			j += 2
		case at(j, "nulls"):
			return nil, sp.errAt(sqlerr.FeatureNotSupported, toks[j], "NULLS [NOT] DISTINCT is not supported")
		case at(j, "where"):
			return nil, sp.errAt(sqlerr.FeatureNotSupported, toks[j], "partial indexes are not supported")
		default:
			return nil, sp.tokenError(toks[j])
		}
	}
	if name.kind == 0 {
		name = token{kind: tkQIdent, val: indexName(table[len(table)-1].val, colNames), pos: on.pos, end: on.end, space: true}
	}
	out := append(head, name, on)
	out = append(out, table...)
	out = append(out, open)
	out = append(out, keys...)
	return append(out, closing), nil
}

// indexKey rewrites one key part of CREATE INDEX and returns the name
// PostgreSQL uses for it in a generated index name.
func (sp *stmtParse) indexKey(el []token) ([]token, string, error) {
	var expr []token
	col := "expr"
	j := 0
	switch {
	case el[0].isPunct("("):
		c := matchClose(el, 0)
		if c < 0 {
			return nil, "", sp.tokenError(el[0])
		}
		expr, j = el[:c+1], c+1
	case el[0].name() != "" && len(el) > 1 && el[1].isPunct("("):
		c := matchClose(el, 1)
		if c < 0 {
			return nil, "", sp.tokenError(el[1])
		}
		col = el[0].val
		expr = append([]token{punct("(", el[0])}, el[:c+1]...)
		expr = append(expr, punct(")", el[c]))
		j = c + 1
	case el[0].name() != "":
		col = el[0].val
		expr, j = el[:1], 1
	default:
		return nil, "", sp.tokenError(el[0])
	}
	out := append([]token(nil), expr...)
	for j < len(el) {
		t := el[j]
		switch {
		case t.is("collate") && j+1 < len(el):
			out = append(out, el[j], el[j+1])
			j += 2
		case t.is("asc") || t.is("desc"):
			out = append(out, t)
			j++
		case t.is("nulls") && j+1 < len(el) && (el[j+1].is("first") || el[j+1].is("last")):
			j += 2
		case t.name() != "":
			j++ // an operator class
		default:
			return nil, "", sp.tokenError(t)
		}
	}
	return out, col, nil
}

// maxNameLen is PostgreSQL's NAMEDATALEN-1: the longest identifier.
const maxNameLen = 63

// indexName is the name PostgreSQL gives an unnamed index on table with the
// given key column names: table_col1_col2_idx, with the longer of the two
// parts shortened until the whole fits in 63 bytes.
func indexName(table string, cols []string) string {
	var b strings.Builder
	for k, c := range cols {
		if k > 0 {
			b.WriteByte('_')
		}
		b.WriteString(c)
		if b.Len() >= maxNameLen {
			break
		}
	}
	name2 := b.String()
	const label = "idx"
	overhead := len(label) + 1
	if name2 != "" {
		overhead++
	}
	avail := maxNameLen - overhead
	n1, n2 := len(table), len(name2)
	for n1+n2 > avail {
		if n1 > n2 {
			n1--
		} else {
			n2--
		}
	}
	n1 = clipUTF8(table, n1)
	n2 = clipUTF8(name2, n2)
	name := table[:n1]
	if name2 != "" {
		name += "_" + name2[:n2]
	}
	return name + "_" + label
}

// clipUTF8 shortens n so that s[:n] does not end inside a UTF-8 sequence.
func clipUTF8(s string, n int) int {
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return n
}

// alter rewrites ALTER TABLE: it drops ONLY and rewrites the column types of
// ADD COLUMN.
func (sp *stmtParse) alter(toks []token) ([]token, error) {
	if len(toks) < 2 || !toks[1].is("table") {
		return toks, nil
	}
	at := func(k int, w string) bool { return k < len(toks) && toks[k].is(w) }
	out := []token{toks[0], toks[1]}
	i := 2
	if at(i, "if") && at(i+1, "exists") {
		out = append(out, toks[i:i+2]...)
		i += 2
	}
	if at(i, "only") {
		i++
	}
	n := nameEnd(toks, i)
	if n < 0 {
		return nil, sp.syntaxAt(toks, i)
	}
	out = append(out, toks[i:n]...)
	i = n
	if i >= len(toks) {
		return nil, sp.endError(toks, "")
	}
	pos := i
	for k, action := range splitTop(toks[i:]) {
		var follow token
		if pos+len(action) < len(toks) {
			follow = toks[pos+len(action)]
		} else {
			follow = token{pos: sp.end, end: sp.end}
		}
		if k > 0 {
			out = append(out, toks[pos-1])
		}
		if len(action) == 0 {
			return nil, sp.tokenError(follow)
		}
		rewritten, err := sp.alterAction(action, follow)
		if err != nil {
			return nil, err
		}
		out = append(out, rewritten...)
		pos += len(action) + 1
	}
	return out, nil
}

// alterAction rewrites one action of ALTER TABLE.
func (sp *stmtParse) alterAction(a []token, follow token) ([]token, error) {
	at := func(k int, w string) bool { return k < len(a) && a[k].is(w) }
	switch {
	case at(0, "add"):
		out := []token{a[0]}
		j := 1
		if at(j, "column") {
			j++
		}
		if at(j, "constraint") || at(j, "primary") || at(j, "unique") || at(j, "check") || at(j, "foreign") || at(j, "exclude") {
			return a, nil
		}
		out = append(out, raw("column", a[0]))
		if at(j, "if") && at(j+1, "not") && at(j+2, "exists") {
			out = append(out, a[j:j+3]...)
			j += 3
		}
		if j >= len(a) {
			return nil, sp.tokenError(follow)
		}
		col, err := sp.columnDef(a[j:], follow)
		if err != nil {
			return nil, err
		}
		return append(out, col...), nil
	case at(0, "drop"):
		return dropBehavior(a), nil
	case at(0, "alter"):
		j := 1
		if at(j, "column") {
			j++
		}
		j++ // the column name
		if at(j, "type") || at(j, "set") && at(j+1, "data") && at(j+2, "type") {
			return nil, sp.errAt(sqlerr.FeatureNotSupported, a[0], "ALTER COLUMN ... TYPE is not supported")
		}
	}
	return a, nil
}
