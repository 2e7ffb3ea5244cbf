package expr

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// stringArg converts an operand of LIKE or a regular expression match:
// untyped becomes text, string types stay (character(n) keeps its padding,
// as bpcharlike does).
func (c *compiler) stringArg(e Expr) (Expr, bool, error) {
	t := e.Type()
	switch {
	case t.IsUnknown():
		x, err := c.coerce(e, types.Text)
		return x, true, err
	case t.IsString():
		return e, true, nil
	}
	return e, false, nil
}

// like compiles [NOT] LIKE / ILIKE with an optional ESCAPE character.
func (c *compiler) like(x *ast.PatternLikeOrIlikeExpr) (Expr, error) {
	v, err := c.compile(x.Expr)
	if err != nil {
		return nil, err
	}
	p, err := c.compile(x.Pattern)
	if err != nil {
		return nil, err
	}
	op := "~~"
	if !x.IsLike {
		op = "~~*"
	}
	if x.Not {
		op = "!" + op
	}
	vt, pt := v.Type(), p.Type()
	v, ok1, err := c.stringArg(v)
	if err != nil {
		return nil, err
	}
	p, ok2, err := c.stringArg(p)
	if err != nil {
		return nil, err
	}
	if !ok1 || !ok2 {
		return nil, noOperator(op, vt, pt)
	}
	escape := rune(-1)
	if x.Escape != 0 {
		escape = rune(x.Escape)
	}
	e := &likeExpr{arg: v, pattern: p, escape: escape, fold: !x.IsLike, not: x.Not, op: op}
	if pv, ok := IsConst(p); ok && pv != nil {
		m, err := compileLike(pv.(string), escape, e.fold)
		if err != nil {
			return nil, err
		}
		e.matcher = m
	}
	return e, nil
}

type likeExpr struct {
	arg, pattern Expr
	escape       rune
	fold, not    bool
	op           string
	matcher      *likeMatcher
}

func (e *likeExpr) Eval(ctx *Context, row []types.Value) (types.Value, error) {
	v, err := e.arg.Eval(ctx, row)
	if err != nil || v == nil {
		return nil, err
	}
	m := e.matcher
	if m == nil {
		p, err := e.pattern.Eval(ctx, row)
		if err != nil || p == nil {
			return nil, err
		}
		if m, err = compileLike(p.(string), e.escape, e.fold); err != nil {
			return nil, err
		}
	}
	return m.match(v.(string)) != e.not, nil
}

func (e *likeExpr) Type() types.T { return types.Bool }
func (e *likeExpr) String() string {
	return "(" + e.arg.String() + " " + e.op + " " + e.pattern.String() + ")"
}

// likeMatcher is a parsed LIKE pattern: literal runes, '_' (any one) and
// '%' (any run).
type likeMatcher struct {
	pat  []likeTok
	fold bool
}

type likeTok struct {
	kind byte // 'l' literal, '_' one, '%' many
	r    rune
}

func compileLike(p string, escape rune, fold bool) (*likeMatcher, error) {
	if fold {
		p = types.FoldASCII(p)
	}
	m := &likeMatcher{fold: fold}
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRuneInString(p[i:])
		i += n
		switch {
		case r == escape:
			if i >= len(p) {
				return nil, sqlerr.New(sqlerr.InvalidEscapeSequence, "LIKE pattern must not end with escape character")
			}
			r2, n2 := utf8.DecodeRuneInString(p[i:])
			i += n2
			m.pat = append(m.pat, likeTok{'l', r2})
		case r == '%':
			if len(m.pat) > 0 && m.pat[len(m.pat)-1].kind == '%' {
				continue
			}
			m.pat = append(m.pat, likeTok{'%', 0})
		case r == '_':
			m.pat = append(m.pat, likeTok{'_', 0})
		default:
			m.pat = append(m.pat, likeTok{'l', r})
		}
	}
	return m, nil
}

func (m *likeMatcher) match(s string) bool {
	if m.fold {
		s = types.FoldASCII(s)
	}
	return likeMatch(m.pat, s)
}

// likeMatch matches greedily with backtracking to the last '%'.
func likeMatch(pat []likeTok, s string) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		r, n := utf8.DecodeRuneInString(s[si:])
		if pi < len(pat) {
			switch t := pat[pi]; t.kind {
			case '%':
				starP, starS = pi, si
				pi++
				continue
			case '_':
				pi++
				si += n
				continue
			default:
				if t.r == r {
					pi++
					si += n
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		// Let the last % absorb one more rune.
		_, n2 := utf8.DecodeRuneInString(s[starS:])
		starS += n2
		pi, si = starP+1, starS
	}
	for pi < len(pat) && pat[pi].kind == '%' {
		pi++
	}
	return pi == len(pat)
}

// regexCache compiles patterns once per expression when constant.
func compileRegexp(p string, fold bool) (*regexp.Regexp, error) {
	if fold {
		p = "(?i)" + p
	}
	p = translateRegexp(p)
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, sqlerr.New(sqlerr.InvalidRegularExpression, "invalid regular expression: %s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	return re, nil
}

// regexpMatch compiles chronos_regexp_match / chronos_regexp_imatch (the
// dialect's ~ and ~*).
func (c *compiler) regexpMatch(name string, args []Expr) (Expr, error) {
	if len(args) != 2 {
		return nil, undefinedFunction(name, args)
	}
	op := "~"
	fold := name == "chronos_regexp_imatch"
	if fold {
		op = "~*"
	}
	lt, rt := args[0].Type(), args[1].Type()
	v, ok1, err := c.stringArg(args[0])
	if err != nil {
		return nil, err
	}
	p, ok2, err := c.stringArg(args[1])
	if err != nil {
		return nil, err
	}
	if !ok1 || !ok2 {
		return nil, noOperator(op, lt, rt)
	}
	e := &regexpExpr{arg: v, pattern: p, fold: fold, op: op}
	if pv, ok := IsConst(p); ok && pv != nil {
		if e.re, err = compileRegexp(pv.(string), fold); err != nil {
			return nil, err
		}
	}
	return e, nil
}

type regexpExpr struct {
	arg, pattern Expr
	fold         bool
	op           string
	re           *regexp.Regexp
}

func (e *regexpExpr) Eval(ctx *Context, row []types.Value) (types.Value, error) {
	v, err := e.arg.Eval(ctx, row)
	if err != nil || v == nil {
		return nil, err
	}
	re := e.re
	if re == nil {
		p, err := e.pattern.Eval(ctx, row)
		if err != nil || p == nil {
			return nil, err
		}
		if re, err = compileRegexp(p.(string), e.fold); err != nil {
			return nil, err
		}
	}
	return re.MatchString(v.(string)), nil
}

func (e *regexpExpr) Type() types.T { return types.Bool }
func (e *regexpExpr) String() string {
	return "(" + e.arg.String() + " " + e.op + " " + e.pattern.String() + ")"
}

// asciiUpper is types.FoldASCII's counterpart: ASCII letters only.
func asciiUpper(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'a' && b[j] <= 'z' {
					b[j] -= 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// translateRegexp adapts PostgreSQL regular expression syntax that Go's
// RE2 spells differently: the word-boundary escapes \m, \M, \y.
func translateRegexp(p string) string {
	if !strings.Contains(p, "\\") {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '\\' && i+1 < len(p) {
			switch p[i+1] {
			case 'm', 'M', 'y':
				b.WriteString(`\b`)
				i++
				continue
			}
			b.WriteByte(p[i])
			b.WriteByte(p[i+1])
			i++
			continue
		}
		b.WriteByte(p[i])
	}
	return b.String()
}
