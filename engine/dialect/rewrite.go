package dialect

import (
	"slices"
	"strconv"
	"strings"

	"github.com/chronos-db/chronos/engine/sqlerr"
)

// rewriter turns the tokens of one statement (or of a part of one, such as
// a RETURNING list) into the token stream given to the TiDB parser. It works
// left to right; the constructs whose PostgreSQL form puts an operator after
// its left operand (x::t, a ~ b, e NULLS FIRST) rewrite the tail of out.
type rewriter struct {
	src    string  // the whole query string, for error messages
	end    int     // byte offset of the end of the statement in src
	out    []token // the rewritten tokens so far
	frames []frame // one per open parenthesis, plus the statement's own
	moves  int     // tokens moved so far; see charge
}

// frame is what the rewriter knows about one parenthesis level.
type frame struct {
	fn        bool   // the parenthesis opened a function call's arguments
	clause    string // the last clause keyword seen at this level
	order     bool   // inside an ORDER BY list
	itemStart int    // index in out where the current ORDER BY item starts
}

func newRewriter(src string, end int) *rewriter {
	return &rewriter{src: src, end: end, frames: make([]frame, 1, 8)}
}

func (r *rewriter) top() *frame { return &r.frames[len(r.frames)-1] }

// The operator sets operand scanning continues over.
var (
	// arithOps bind more tightly than PostgreSQL's "other" operators.
	arithOps = map[string]bool{"+": true, "-": true, "*": true, "/": true, "%": true, "^": true}
	// otherOps are arithOps plus the operators at "other" precedence (||,
	// the regular-expression matches).
	otherOps = map[string]bool{"+": true, "-": true, "*": true, "/": true, "%": true, "^": true,
		"||": true, "~": true, "~*": true, "!~": true, "!~*": true}
	// passOps are the operators the TiDB parser reads as PostgreSQL does.
	passOps = map[string]bool{"+": true, "-": true, "*": true, "/": true, "%": true, "<": true,
		">": true, "=": true, "<=": true, ">=": true, "<>": true, "!=": true, "&": true, "|": true,
		"<<": true, ">>": true, "||": true, "<=>": true}
)

// nonOperand holds the keywords that can neither be nor end an operand:
// PostgreSQL's reserved words and the keywords of expression syntax, minus
// those that are values (NULL, TRUE, CURRENT_DATE, ...).
var nonOperand = map[string]bool{
	"all": true, "analyse": true, "analyze": true, "and": true, "any": true, "array": true,
	"as": true, "asc": true, "asymmetric": true, "both": true, "case": true, "cast": true,
	"check": true, "collate": true, "column": true, "constraint": true, "create": true,
	"default": true, "deferrable": true, "desc": true, "distinct": true, "do": true,
	"else": true, "except": true, "fetch": true, "for": true, "foreign": true,
	"from": true, "grant": true, "group": true, "having": true, "in": true, "initially": true,
	"intersect": true, "into": true, "lateral": true, "leading": true, "limit": true,
	"not": true, "offset": true, "on": true, "only": true, "or": true, "order": true,
	"placing": true, "primary": true, "references": true, "returning": true, "select": true,
	"some": true, "symmetric": true, "table": true, "then": true, "to": true, "trailing": true,
	"union": true, "unique": true, "using": true, "variadic": true, "when": true, "where": true,
	"window": true, "with": true, "is": true, "isnull": true, "notnull": true, "like": true,
	"ilike": true, "similar": true, "between": true, "escape": true, "join": true, "inner": true,
	"outer": true, "left": true, "right": true, "full": true, "cross": true, "natural": true,
	"set": true, "values": true, "by": true, "over": true, "filter": true, "within": true,
	"partition": true, "nulls": true, "first": true, "last": true, "at": true, "overlaps": true,
	"update": true, "delete": true, "insert": true, "if": true, "exists": true,
}

// clauseWords are the keywords that start a clause; the frame remembers the
// last one.
var clauseWords = map[string]bool{
	"select": true, "from": true, "where": true, "group": true, "having": true, "order": true,
	"limit": true, "offset": true, "fetch": true, "window": true, "union": true, "except": true,
	"intersect": true, "returning": true, "set": true, "values": true, "on": true, "using": true,
	"for": true,
}

// orderEnd are the keywords that end an ORDER BY list.
var orderEnd = map[string]bool{
	"limit": true, "offset": true, "fetch": true, "for": true, "union": true, "except": true,
	"intersect": true, "rows": true, "range": true, "groups": true, "window": true, "returning": true,
}

// defaultCollations are the collations dropped as no-ops: Chronos compares
// text by bytes, which is what they mean.
var defaultCollations = map[string]bool{"default": true, "C": true, "POSIX": true, "ucs_basic": true}

// raw returns a generated token with text s standing for the source at.
func raw(s string, at token) token {
	return token{kind: tkRaw, val: s, pos: at.pos, end: at.end, space: true}
}

// punct returns a generated punctuation token standing for the source at.
func punct(p string, at token) token {
	return token{kind: tkPunct, val: p, pos: at.pos, end: at.end}
}

// str returns a generated string literal standing for the source at.
func str(s string, at token) token {
	return token{kind: tkString, val: s, pos: at.pos, end: at.end, space: true}
}

// tight1 returns toks with the first token's preceding space removed, for
// tokens moved after a generated "(".
func tight1(toks []token) []token {
	if len(toks) > 0 && toks[0].space {
		toks = append([]token{toks[0]}, toks[1:]...)
		toks[0].space = false
	}
	return toks
}

// castTokens returns chronos_cast(<operand>, 'type') around operand.
// The function name is spaced as the source was before space.
func castTokens(operand []token, typ string, at token, space bool) []token {
	out := make([]token, 0, len(operand)+5)
	fn := raw("chronos_cast", at)
	fn.space = space
	out = append(out, fn, punct("(", at))
	out = append(out, tight1(operand)...)
	out = append(out, punct(",", at), str(typ, at), punct(")", at))
	return out
}

// syntaxError returns PostgreSQL's 42601 error for an unexpected token.
func (r *rewriter) syntaxError(in []token, i int) error {
	if i >= len(in) {
		return &sqlerr.Error{Code: sqlerr.SyntaxError, Message: "syntax error at end of input", Position: charPos(r.src, r.end)}
	}
	t := in[i]
	return &sqlerr.Error{Code: sqlerr.SyntaxError, Message: "syntax error at or near \"" + r.src[t.pos:t.end] + "\"", Position: charPos(r.src, t.pos)}
}

// errorAt returns an error with the given code and message positioned at t.
func (r *rewriter) errorAt(code sqlerr.Code, t token, format string, args ...any) error {
	e := sqlerr.New(code, format, args...)
	e.Position = charPos(r.src, t.pos)
	return e
}

// sub rewrites in into a fresh token slice, leaving r.out as it was.
// The caller copies the result, which is charged to the budget.
func (r *rewriter) sub(in []token) ([]token, error) {
	saved := r.out
	r.out = nil
	err := r.expr(in)
	res := r.out
	r.out = saved
	if err == nil && len(in) > 0 {
		err = r.charge(len(res), in[0])
	}
	return res, err
}

// expr rewrites in, appending to r.out.
func (r *rewriter) expr(in []token) error {
	for i := 0; i < len(in); {
		n, err := r.step(in, i)
		if err != nil {
			return err
		}
		i = n
	}
	return nil
}

// step rewrites the construct starting at in[i] and returns the index after
// it.
func (r *rewriter) step(in []token, i int) (int, error) {
	t := in[i]
	switch t.kind {
	case tkRaw, tkQIdent:
		r.out = append(r.out, t)
		return i + 1, nil
	case tkParam:
		t.text = "?"
		r.out = append(r.out, t)
		return i + 1, nil
	case tkString:
		if i > 0 && in[i-1].kind == tkString {
			return 0, r.syntaxError(in, i)
		}
		r.out = append(r.out, t)
		return i + 1, nil
	case tkNumber:
		return r.number(in, i)
	case tkOp:
		return r.operator(in, i)
	case tkPunct:
		return r.punctuation(in, i)
	}
	return r.word(in, i)
}

// number rewrites numeric literals whose TiDB reading differs from
// PostgreSQL's: an exponent makes a TiDB float but a PostgreSQL numeric, an
// integer beyond int8 is numeric in PostgreSQL, and a decimal too long for
// the TiDB test driver's decimal is kept as text.
func (r *rewriter) number(in []token, i int) (int, error) {
	t := in[i]
	if strings.ContainsAny(t.val, "eE") {
		r.out = append(r.out, castTokens([]token{str(t.val, t)}, "numeric", t, t.space)...)
		return i + 1, nil
	}
	intPart, frac, dot := strings.Cut(t.val, ".")
	if !dot {
		if _, err := strconv.ParseInt(t.val, 10, 64); err != nil {
			r.out = append(r.out, castTokens([]token{str(t.val, t)}, "numeric", t, t.space)...)
			return i + 1, nil
		}
	} else if (len(intPart)+8)/9+(len(frac)+8)/9 > 8 {
		// The test driver's decimal holds 9 words of 9 digits and
		// panics on more.
		r.out = append(r.out, castTokens([]token{str(t.val, t)}, "numeric", t, t.space)...)
		return i + 1, nil
	}
	r.out = append(r.out, t)
	return i + 1, nil
}

// operator rewrites operators.
func (r *rewriter) operator(in []token, i int) (int, error) {
	t := in[i]
	switch t.val {
	case "~", "~*", "!~", "!~*":
		if t.val == "~" && (len(r.out) == 0 || !endsOperand(r.out[len(r.out)-1])) {
			// Prefix ~ is bitwise NOT, as in TiDB.
			r.out = append(r.out, t)
			return i + 1, nil
		}
		fn := "chronos_regexp_match"
		if strings.HasSuffix(t.val, "*") {
			fn = "chronos_regexp_imatch"
		}
		return r.binaryCall(in, i, fn, strings.HasPrefix(t.val, "!"), otherOps, arithOps)
	case "^":
		return r.binaryCall(in, i, "power", false, nil, nil)
	case "||":
		return r.pipes(in, i)
	case "~~":
		r.out = append(r.out, raw("like", t))
	case "!~~":
		r.out = append(r.out, raw("not like", t))
	case "~~*":
		r.out = append(r.out, raw("ilike", t))
	case "!~~*":
		r.out = append(r.out, raw("not ilike", t))
	case "=":
		if isAnyArray(in, i) {
			return r.anyArray(in, i)
		}
		r.out = append(r.out, t)
	default:
		if !passOps[t.val] {
			return 0, r.errorAt(sqlerr.UndefinedFunction, t, "operator does not exist: %s", t.val)
		}
		r.out = append(r.out, t)
	}
	return i + 1, nil
}

// binaryCall rewrites "left op right" into "fn(left, right)", or "(NOT
// fn(left, right))" when negate is set. The left operand extends back over
// leftOps and the right one forward over rightOps; nil means a single
// primary.
func (r *rewriter) binaryCall(in []token, i int, fn string, negate bool, leftOps, rightOps map[string]bool) (int, error) {
	t := in[i]
	var s int
	if leftOps == nil {
		s = backPrimary(r.out, len(r.out))
	} else {
		s = backOperand(r.out, len(r.out), leftOps)
	}
	if s < 0 {
		return 0, r.syntaxError(in, i)
	}
	e := fwdOperand(in, i+1, rightOps)
	if e < 0 {
		return 0, r.syntaxError(in, i+1)
	}
	right, err := r.sub(in[i+1 : e])
	if err != nil {
		return 0, err
	}
	if err := r.charge(len(r.out)-s, t); err != nil {
		return 0, err
	}
	fnTok := raw(fn, t)
	fnTok.space = r.out[s].space
	if negate {
		not := raw("not", t)
		not.space = false
		open := punct("(", t)
		open.space = fnTok.space
		fnTok.space = false
		r.wrap(s, open, not, fnTok, punct("(", t))
	} else {
		r.wrap(s, fnTok, punct("(", t))
	}
	r.out = append(r.out, punct(",", t))
	r.out = append(r.out, right...)
	r.out = append(r.out, punct(")", t))
	if negate {
		r.out = append(r.out, punct(")", t))
	}
	return e, nil
}

// pipes parenthesises a || b. The TiDB parser binds || tighter than any
// arithmetic, PostgreSQL looser than + - * / % ^ (and tighter than
// comparisons): a || b + c is a || (b + c). An expression already alone in
// its parentheses keeps them, so the rewrite of rewritten text is itself.
func (r *rewriter) pipes(in []token, i int) (int, error) {
	t := in[i]
	s := backOperand(r.out, len(r.out), arithOps)
	if s < 0 {
		return 0, r.syntaxError(in, i)
	}
	e := fwdOperand(in, i+1, arithOps)
	if e < 0 {
		return 0, r.syntaxError(in, i+1)
	}
	// The operands are balanced, so a "(" just before the left one and a
	// ")" just after the right one are a pair.
	bare := s > 0 && r.out[s-1].isPunct("(") && e < len(in) && in[e].isPunct(")")
	// An operand with operators of its own is parenthesised too.
	leftParens := backPrimary(r.out, len(r.out)) != s
	rightParens := fwdPrimary(in, i+1) != e
	if !bare || leftParens {
		if err := r.charge(len(r.out)-s, t); err != nil {
			return 0, err
		}
		var pre []token
		if !bare {
			pre = append(pre, punct("(", t))
		}
		if leftParens {
			pre = append(pre, punct("(", t))
		}
		pre[0].space = r.out[s].space
		r.wrap(s, pre...)
		if leftParens {
			r.out = append(r.out, punct(")", t))
		}
	}
	r.out = append(r.out, t)
	right, err := r.sub(in[i+1 : e])
	if err != nil {
		return 0, err
	}
	if rightParens {
		open := punct("(", in[i+1])
		open.space = true
		r.out = append(r.out, open)
		right = tight1(right)
	}
	r.out = append(r.out, right...)
	if rightParens {
		r.out = append(r.out, punct(")", t))
	}
	if !bare {
		r.out = append(r.out, punct(")", t))
	}
	return e, nil
}

// wrap inserts the generated tokens pre before r.out[s], the start of an
// operand, which loses its preceding space.
func (r *rewriter) wrap(s int, pre ...token) {
	r.out = slices.Insert(r.out, s, pre...)
	r.out[s+len(pre)].space = false
}

// complexStatement is PostgreSQL's statement_too_complex.
const complexStatement sqlerr.Code = "54001"

// maxMoves bounds the tokens the rewrites of one statement may move or
// copy; deeply nested or chained operators move their operands once per
// level, which is quadratic in the nesting.
const maxMoves = 1 << 18

// charge counts n moved tokens against the statement's budget.
func (r *rewriter) charge(n int, at token) error {
	r.moves += n
	if r.moves > maxMoves {
		return r.errorAt(complexStatement, at, "statement is too complex")
	}
	return nil
}

// punctuation handles ( ) , and :: casts.
func (r *rewriter) punctuation(in []token, i int) (int, error) {
	t := in[i]
	switch t.val {
	case "::":
		return r.postfixCast(in, i)
	case "[":
		if len(r.out) > 0 && endsOperand(r.out[len(r.out)-1]) {
			return r.subscript(in, i)
		}
	case "(":
		if i > 0 && r.fromItem(in, i) {
			if n, ok, err := r.derivedTable(in, i); ok || err != nil {
				return n, err
			}
		}
		fn := len(r.out) > 0 && isFuncName(r.out[len(r.out)-1])
		r.out = append(r.out, t)
		r.frames = append(r.frames, frame{fn: fn})
	case ")":
		if len(r.frames) > 1 {
			r.frames = r.frames[:len(r.frames)-1]
		}
		r.out = append(r.out, t)
	case ",":
		r.out = append(r.out, t)
		if f := r.top(); f.order {
			f.itemStart = len(r.out)
		}
	default:
		r.out = append(r.out, t)
	}
	return i + 1, nil
}

// postfixCast rewrites operand::type into chronos_cast(operand, 'type').
func (r *rewriter) postfixCast(in []token, i int) (int, error) {
	s := backPrimary(r.out, len(r.out))
	if s < 0 {
		return 0, r.syntaxError(in, i)
	}
	tn, next, ok := parseTypeName(in, i+1)
	if !ok {
		return 0, r.syntaxError(in, i+1)
	}
	if err := r.charge(len(r.out)-s, in[i]); err != nil {
		return 0, err
	}
	fn := raw("chronos_cast", in[i])
	fn.space = r.out[s].space
	r.wrap(s, fn, punct("(", in[i]))
	r.out = append(r.out, punct(",", in[i]), str(tn.String(), in[i]), punct(")", in[i]))
	return next, nil
}

// word handles identifiers and keywords.
func (r *rewriter) word(in []token, i int) (int, error) {
	t := in[i]
	at := func(k int, w string) bool { return k < len(in) && in[k].is(w) }
	next := func(k int) token {
		if k < len(in) {
			return in[k]
		}
		return token{}
	}
	f := r.top()
	if clauseWords[t.val] {
		f.clause = t.val
	}
	if f.order && orderEnd[t.val] {
		f.order = false
	}
	switch t.val {
	case "pg_catalog":
		// pg_catalog.f(...) is the built-in f(...).
		if next(i+1).isPunct(".") && next(i+2).kind == tkIdent && next(i+3).isPunct("(") && !r.prevIs(".") {
			if r.fromItem(in, i) {
				return r.tableFunction(in, i+2)
			}
			return i + 2, nil
		}
	case "cast":
		if next(i + 1).isPunct("(") {
			return r.cast(in, i)
		}
	case "array":
		if isArraySubquery(in, i) {
			return r.arraySubquery(in, i)
		}
	case "concat":
		if next(i+1).isPunct("(") && !r.prevIs(".") {
			r.out = append(r.out, raw("chronos_concat", t))
			return i + 1, nil
		}
	case "true", "false":
		if !r.afterIs() {
			r.out = append(r.out, castTokens([]token{str(t.val, t)}, "boolean", t, t.space)...)
			return i + 1, nil
		}
	case "is":
		if at(i+1, "distinct") && at(i+2, "from") {
			return r.isDistinct(in, i, i+3, false)
		}
		if at(i+1, "not") && at(i+2, "distinct") && at(i+3, "from") {
			return r.isDistinct(in, i, i+4, true)
		}
	case "distinct":
		if at(i+1, "on") {
			return 0, r.errorAt(sqlerr.FeatureNotSupported, t, "SELECT DISTINCT ON is not supported")
		}
	case "values":
		if n := len(r.out); n == 0 || r.out[n-1].isPunct("(") || r.out[n-1].is("union") ||
			r.out[n-1].is("all") || r.out[n-1].is("except") || r.out[n-1].is("intersect") {
			return r.values(in, i)
		}
	case "filter":
		if at(i+2, "where") && next(i+1).isPunct("(") && r.prevIs(")") {
			return r.aggregateFilter(in, i)
		}
	case "isnull":
		r.out = append(r.out, raw("is null", t))
		return i + 1, nil
	case "notnull":
		r.out = append(r.out, raw("is not null", t))
		return i + 1, nil
	case "collate":
		return r.collate(in, i)
	case "limit", "offset", "fetch":
		return r.limit(in, i)
	case "order":
		if at(i+1, "by") {
			r.out = append(r.out, t, in[i+1])
			f.order, f.itemStart = true, len(r.out)
			return i + 2, nil
		}
	case "nulls":
		if f.order && (at(i+1, "first") || at(i+1, "last")) {
			return r.nullsOrder(in, i)
		}
	case "at":
		if at(i+1, "time") && at(i+2, "zone") {
			return r.atTimeZone(in, i)
		}
	}
	if typeStartWords[t.val] && !r.prevIs(".") {
		if n, ok, err := r.typedLiteral(in, i); ok || err != nil {
			return n, err
		}
	}
	if next(i+1).isPunct("(") && !nonOperand[t.val] && r.fromItem(in, i) {
		return r.tableFunction(in, i)
	}
	if quoteReserved(in, i) {
		t.text = `"` + t.val + `"`
	}
	r.out = append(r.out, t)
	return i + 1, nil
}

// prevIs reports whether the last output token is the punctuation p.
func (r *rewriter) prevIs(p string) bool {
	return len(r.out) > 0 && r.out[len(r.out)-1].isPunct(p)
}

// afterIs reports whether the last output tokens are IS or IS NOT.
func (r *rewriter) afterIs() bool {
	n := len(r.out)
	return n > 0 && r.out[n-1].is("is") || n > 1 && r.out[n-1].is("not") && r.out[n-2].is("is")
}

// cast rewrites CAST(x AS type) into chronos_cast(x, 'type').
func (r *rewriter) cast(in []token, i int) (int, error) {
	closing := matchClose(in, i+1)
	if closing < 0 {
		return 0, r.syntaxError(in, len(in))
	}
	as := -1
	depth := 0
	for k := i + 2; k < closing; k++ {
		switch {
		case in[k].isPunct("(") || in[k].isPunct("["):
			depth++
		case in[k].isPunct(")") || in[k].isPunct("]"):
			depth--
		case depth == 0 && in[k].is("as"):
			as = k
		}
		if as >= 0 {
			break
		}
	}
	if as < 0 {
		return 0, r.syntaxError(in, closing)
	}
	tn, next, ok := parseTypeName(in, as+1)
	if !ok || next != closing {
		return 0, r.syntaxError(in, next)
	}
	r.frames = append(r.frames, frame{fn: true})
	operand, err := r.sub(in[i+2 : as])
	r.frames = r.frames[:len(r.frames)-1]
	if err != nil {
		return 0, err
	}
	if len(operand) == 0 {
		return 0, r.syntaxError(in, as)
	}
	r.out = append(r.out, castTokens(operand, tn.String(), in[i], in[i].space)...)
	return closing + 1, nil
}

// typedLiteral rewrites a type-prefixed string literal (DATE '2024-01-01',
// INTERVAL '1' DAY) into chronos_cast('...', 'type'). ok is false when in[i]
// does not start one.
func (r *rewriter) typedLiteral(in []token, i int) (next int, ok bool, err error) {
	tn, n, ok := parseTypeName(in, i)
	if !ok || n >= len(in) || in[n].kind != tkString {
		return 0, false, nil
	}
	lit := in[n]
	n++
	if tn.base == "interval" && tn.fields == "" {
		n = parseIntervalFields(in, n, &tn)
	}
	r.out = append(r.out, castTokens([]token{lit}, tn.String(), in[i], in[i].space)...)
	return n, true, nil
}
