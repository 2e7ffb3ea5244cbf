package dialect

import (
	"slices"
	"strconv"

	"github.com/chronos-db/chronos/engine/sqlerr"
)

// aggregateFilter rewrites agg(x, ...) FILTER (WHERE cond), which the TiDB
// parser lacks, into agg(CASE WHEN cond THEN x END, ...): aggregates skip
// NULL inputs, so the rows the condition rejects do not count. count(*)
// becomes count(CASE WHEN cond THEN 1 END).
func (r *rewriter) aggregateFilter(in []token, i int) (int, error) {
	t := in[i]
	closeArgs := len(r.out) - 1
	open := matchOpen(r.out, closeArgs, "(", ")")
	if open < 1 || !isFuncName(r.out[open-1]) {
		return 0, r.syntaxError(in, i)
	}
	switch r.out[open-1].val {
	case "array_agg", "json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg":
		return 0, r.errorAt(sqlerr.FeatureNotSupported, t, "FILTER on %s is not supported", r.out[open-1].val)
	}
	c := matchClose(in, i+1)
	if c < 0 {
		return 0, r.syntaxError(in, len(in))
	}
	if c == i+3 {
		return 0, r.syntaxError(in, c)
	}
	cond, err := r.sub(in[i+3 : c])
	if err != nil {
		return 0, err
	}
	if err := r.charge(closeArgs-open, t); err != nil {
		return 0, err
	}
	// The first argument, after DISTINCT or ALL.
	start := open + 1
	if start < closeArgs && (r.out[start].is("distinct") || r.out[start].is("all")) {
		start++
	}
	end, depth := start, 0
	for ; end < closeArgs; end++ {
		switch {
		case r.out[end].isPunct("(") || r.out[end].isPunct("["):
			depth++
		case r.out[end].isPunct(")") || r.out[end].isPunct("]"):
			depth--
		case depth == 0 && r.out[end].isPunct(","):
			goto found
		}
	}
found:
	if end == start {
		return 0, r.syntaxError(in, i)
	}
	if end == start+1 && r.out[start].isOp("*") {
		r.out[start] = token{kind: tkNumber, val: "1", pos: r.out[start].pos, end: r.out[start].end}
	}
	r.out = slices.Insert(r.out, end, raw("end", t))
	pre := append([]token{raw("case when", t)}, cond...)
	pre = append(pre, raw("then", t))
	pre[0].space = r.out[start].space
	r.out = slices.Insert(r.out, start, pre...)
	r.out[start+len(pre)].space = true
	return c + 1, nil
}

// values rewrites a VALUES list used as a query, which the TiDB parser
// lacks, into SELECTs joined by UNION ALL, naming the columns column1,
// column2, ... as PostgreSQL does.
func (r *rewriter) values(in []token, i int) (int, error) {
	t := in[i]
	j := i + 1
	width := -1
	for row := 0; ; row++ {
		if j >= len(in) || !in[j].isPunct("(") {
			return 0, r.syntaxError(in, j)
		}
		c := matchClose(in, j)
		if c < 0 {
			return 0, r.syntaxError(in, len(in))
		}
		items := splitTop(in[j+1 : c])
		if width < 0 {
			width = len(items)
		} else if len(items) != width {
			return 0, r.errorAt(sqlerr.SyntaxError, in[j], "VALUES lists must all be the same length")
		}
		if row == 0 {
			sel := raw("select", t)
			sel.space = t.space && !r.prevIs("(")
			r.out = append(r.out, sel)
		} else {
			r.out = append(r.out, raw("union all select", in[j]))
		}
		for k, item := range items {
			if len(item) == 0 {
				return 0, r.syntaxError(in, c)
			}
			if k > 0 {
				r.out = append(r.out, punct(",", in[j]))
			}
			r.frames = append(r.frames, frame{})
			err := r.expr(item)
			r.frames = r.frames[:len(r.frames)-1]
			if err != nil {
				return 0, err
			}
			if row == 0 {
				r.out = append(r.out, raw("as column"+strconv.Itoa(k+1), in[j]))
			}
		}
		j = c + 1
		if j >= len(in) || !in[j].isPunct(",") {
			return j, nil
		}
		j++
	}
}

// isDistinct rewrites a IS NOT DISTINCT FROM b into a <=> b, and a IS
// DISTINCT FROM b into a <=> b IS FALSE. <=> sits at the comparison level of
// TiDB's grammar and IS FALSE below it, which matches PostgreSQL's IS.
func (r *rewriter) isDistinct(in []token, i, rhs int, not bool) (int, error) {
	r.out = append(r.out, raw("<=>", in[i]))
	if not {
		return rhs, nil
	}
	e := fwdOperand(in, rhs, otherOps)
	if e < 0 {
		return 0, r.syntaxError(in, rhs)
	}
	if err := r.expr(in[rhs:e]); err != nil {
		return 0, err
	}
	r.out = append(r.out, raw("is false", in[i]))
	return e, nil
}

// collate drops COLLATE clauses naming the default or C collation and
// refuses others.
func (r *rewriter) collate(in []token, i int) (int, error) {
	j := i + 1
	if j >= len(in) || in[j].name() == "" {
		return 0, r.syntaxError(in, j)
	}
	name := in[j].val
	if name == "pg_catalog" && j+2 < len(in) && in[j+1].isPunct(".") && in[j+2].name() != "" {
		j += 2
		name = in[j].val
	}
	if !defaultCollations[name] {
		return 0, r.errorAt(sqlerr.FeatureNotSupported, in[i], "collation \"%s\" is not supported", name)
	}
	return j + 1, nil
}

// maxLimit is the LIMIT that stands for no limit when only OFFSET is given.
const maxLimit = "18446744073709551615"

// limit rewrites PostgreSQL's LIMIT / OFFSET / FETCH clauses, in any order,
// into TiDB's LIMIT count OFFSET skip.
func (r *rewriter) limit(in []token, i int) (int, error) {
	first := in[i]
	var count, skip []token
	j := i
	value := func(k int) (int, error) {
		e := fwdOperand(in, k, arithOps)
		if e < 0 {
			return 0, r.syntaxError(in, k)
		}
		return e, nil
	}
loop:
	for j < len(in) {
		switch {
		case in[j].is("limit"):
			if j+1 < len(in) && in[j+1].is("all") {
				count = nil
				j += 2
				continue
			}
			e, err := value(j + 1)
			if err != nil {
				return 0, err
			}
			count = in[j+1 : e]
			if len(count) == 1 && count[0].is("null") {
				count = nil
			}
			j = e
		case in[j].is("offset"):
			e, err := value(j + 1)
			if err != nil {
				return 0, err
			}
			skip = in[j+1 : e]
			j = e
			if j < len(in) && (in[j].is("row") || in[j].is("rows")) {
				j++
			}
		case in[j].is("fetch"):
			j++
			if j >= len(in) || !(in[j].is("first") || in[j].is("next")) {
				return 0, r.syntaxError(in, j)
			}
			j++
			if j < len(in) && (in[j].is("row") || in[j].is("rows")) {
				count = []token{{kind: tkNumber, val: "1", pos: in[j].pos, end: in[j].end}}
			} else {
				e, err := value(j)
				if err != nil {
					return 0, err
				}
				count = in[j:e]
				j = e
			}
			if j >= len(in) || !(in[j].is("row") || in[j].is("rows")) {
				return 0, r.syntaxError(in, j)
			}
			j++
			if j < len(in) && in[j].is("with") {
				return 0, r.errorAt(sqlerr.FeatureNotSupported, in[j], "FETCH ... WITH TIES is not supported")
			}
			if j >= len(in) || !in[j].is("only") {
				return 0, r.syntaxError(in, j)
			}
			j++
		default:
			break loop
		}
	}
	if f := r.top(); f.order {
		f.order = false
	}
	if count == nil && skip == nil {
		return j, nil
	}
	r.out = append(r.out, raw("limit", first))
	if count == nil {
		r.out = append(r.out, raw(maxLimit, first))
	} else if err := r.limitValue(count); err != nil {
		return 0, err
	}
	if skip != nil {
		r.out = append(r.out, raw("offset", first))
		if err := r.limitValue(skip); err != nil {
			return 0, err
		}
	}
	return j, nil
}

// limitValue rewrites a LIMIT or OFFSET value. A number stays a number:
// the TiDB parser takes only literals and parameters there.
func (r *rewriter) limitValue(v []token) error {
	if len(v) == 1 && v[0].kind == tkNumber {
		r.out = append(r.out, v[0])
		return nil
	}
	return r.expr(v)
}

// nullsOrder emulates NULLS FIRST / LAST on the ORDER BY item that ends in
// out. Chronos sorts NULL as larger than any value, as PostgreSQL does, so
// only ASC NULLS FIRST and DESC NULLS LAST need a rewrite: a leading
// "e IS NULL DESC" (or ASC) key.
func (r *rewriter) nullsOrder(in []token, i int) (int, error) {
	f := r.top()
	item := r.out[f.itemStart:]
	if len(item) == 0 {
		return 0, r.syntaxError(in, i)
	}
	desc := false
	expr := item
	if last := item[len(item)-1]; last.is("asc") || last.is("desc") {
		desc = last.is("desc")
		expr = item[:len(item)-1]
	}
	if len(expr) == 0 {
		return 0, r.syntaxError(in, i)
	}
	nullsFirst := in[i+1].is("first")
	if nullsFirst == desc {
		// PostgreSQL's default for the direction.
		return i + 2, nil
	}
	if len(expr) == 1 && expr[0].kind == tkNumber {
		return 0, r.errorAt(sqlerr.FeatureNotSupported, in[i], "NULLS FIRST/LAST on an output column number is not supported")
	}
	t := in[i]
	if err := r.charge(2*len(expr), t); err != nil {
		return 0, err
	}
	key := make([]token, 0, 2*len(expr)+8)
	if len(expr) > 1 {
		key = append(key, punct("(", t))
		key = append(key, tight1(expr)...)
		key = append(key, punct(")", t))
	} else {
		key = append(key, expr...)
	}
	if nullsFirst {
		key = append(key, raw("is null desc", t))
	} else {
		key = append(key, raw("is null asc", t))
	}
	key = append(key, punct(",", t))
	key = append(key, expr...)
	if desc {
		key = append(key, raw("desc", t))
	} else {
		key = append(key, raw("asc", t))
	}
	r.out = append(r.out[:f.itemStart], key...)
	return i + 2, nil
}

// atTimeZone rewrites x AT TIME ZONE z into timezone(z, x).
func (r *rewriter) atTimeZone(in []token, i int) (int, error) {
	t := in[i]
	s := backPrimary(r.out, len(r.out))
	if s < 0 {
		return 0, r.syntaxError(in, i)
	}
	e := fwdPrimary(in, i+3)
	if e < 0 {
		return 0, r.syntaxError(in, i+3)
	}
	zone, err := r.sub(in[i+3 : e])
	if err != nil {
		return 0, err
	}
	if err := r.charge(len(r.out)-s, t); err != nil {
		return 0, err
	}
	fn := raw("timezone", t)
	fn.space = r.out[s].space
	pre := append([]token{fn, punct("(", t)}, tight1(zone)...)
	r.wrap(s, append(pre, punct(",", t))...)
	r.out[s+len(pre)+1].space = true
	r.out = append(r.out, punct(")", t))
	return e, nil
}

// derivedTable rewrites a parenthesised FROM item followed by an alias with
// a column list, (query) AS alias (columns), which the TiDB parser accepts
// only after LATERAL, into (WITH alias (columns) AS (query) SELECT * FROM
// alias) AS alias. ok is false when there is no column list.
func (r *rewriter) derivedTable(in []token, i int) (next int, ok bool, err error) {
	c := matchClose(in, i)
	if c < 0 {
		return 0, false, nil
	}
	j := c + 1
	if j < len(in) && in[j].is("as") {
		j++
	}
	if j+1 >= len(in) || in[j].name() == "" || in[j].kind == tkIdent && fromEnd[in[j].val] || !in[j+1].isPunct("(") {
		return 0, false, nil
	}
	alias := in[j]
	e := matchClose(in, j+1)
	if e < 0 {
		return 0, false, nil
	}
	for _, col := range splitTop(in[j+2 : e]) {
		if len(col) != 1 || col[0].name() == "" {
			return 0, true, r.syntaxError(in, j+1)
		}
	}
	with := raw("with", in[i])
	with.space = false
	r.out = append(r.out, in[i], with, alias)
	r.out = append(r.out, in[j+1:e+1]...)
	r.out = append(r.out, raw("as", in[i]), in[i])
	r.frames = append(r.frames, frame{})
	err = r.expr(in[i+1 : c])
	r.frames = r.frames[:len(r.frames)-1]
	if err != nil {
		return 0, true, err
	}
	r.out = append(r.out, in[c], raw("select * from", in[c]), alias, in[c], raw("as", alias), alias)
	return e + 1, true, nil
}

// fromItem reports whether in[i] (a word followed by "(", or a "(")
// stands where a FROM clause expects a table: after FROM, JOIN or a comma of
// a FROM list.
func (r *rewriter) fromItem(in []token, i int) bool {
	if i == 0 || r.top().fn {
		return false
	}
	p := in[i-1]
	return p.is("from") || p.is("join") || p.isPunct(",") && r.top().clause == "from"
}

// fromEnd are the words that end a FROM item, so cannot be its alias.
var fromEnd = map[string]bool{
	"where": true, "group": true, "having": true, "order": true, "limit": true, "offset": true,
	"fetch": true, "for": true, "window": true, "union": true, "except": true, "intersect": true,
	"join": true, "inner": true, "left": true, "right": true, "full": true, "cross": true,
	"natural": true, "on": true, "using": true, "returning": true, "with": true,
}

// tableFunction rewrites a function call in FROM, f(args) [AS] alias
// [(column)], into the derived table (SELECT f(args) AS column) AS alias,
// which the TiDB parser accepts. For a function returning a scalar (or a
// set of them, like generate_series), PostgreSQL names the column after the
// alias, or after the function when there is no alias.
func (r *rewriter) tableFunction(in []token, i int) (int, error) {
	t := in[i]
	closing := matchClose(in, i+1)
	if closing < 0 {
		return 0, r.syntaxError(in, len(in))
	}
	j := closing + 1
	if j+1 < len(in) && in[j].is("with") && in[j+1].is("ordinality") {
		return 0, r.errorAt(sqlerr.FeatureNotSupported, in[j], "WITH ORDINALITY is not supported")
	}
	alias, column := t, token{}
	if j < len(in) && in[j].is("as") {
		j++
		if j >= len(in) || in[j].name() == "" {
			return 0, r.syntaxError(in, j)
		}
	}
	if j < len(in) && (in[j].kind == tkQIdent || in[j].kind == tkIdent && !fromEnd[in[j].val]) {
		alias = in[j]
		j++
		if j < len(in) && in[j].isPunct("(") {
			if j+2 >= len(in) || in[j+1].name() == "" || !in[j+2].isPunct(")") {
				return 0, r.errorAt(sqlerr.FeatureNotSupported, in[j], "a column definition list for a function in FROM must name one column")
			}
			column = in[j+1]
			j += 3
		}
	}
	if column.kind == 0 {
		column = alias
	}
	call, err := r.sub(in[i : closing+1])
	if err != nil {
		return 0, err
	}
	sel := raw("select", t)
	sel.space = false
	r.out = append(r.out, punct("(", t), sel)
	r.out = append(r.out, call...)
	r.out = append(r.out, raw("as", t), column, punct(")", t), raw("as", t), alias)
	return j, nil
}
