package dialect

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	"github.com/pingcap/tidb/pkg/parser/test_driver" // registers ValueExpr and ParamMarkerExpr
)

// sqlMode is the TiDB parser's SQL mode for rewritten PostgreSQL text:
// "x" is an identifier, || concatenates, and a backslash in a string is an
// ordinary character.
const sqlMode = mysql.ModeANSIQuotes | mysql.ModePipesAsConcat | mysql.ModeNoBackslashEscapes

// parsers holds TiDB parsers; a parser is heavy and not safe for concurrent
// use, so each Parse borrows one.
var parsers = sync.Pool{New: func() any {
	p := parser.New()
	p.SetSQLMode(sqlMode)
	return p
}}

// Parse splits sql into statements on top-level semicolons, rewrites each
// from PostgreSQL's dialect into what the TiDB parser accepts and parses it.
// Empty statements are dropped, so a string of only white space, comments
// and semicolons yields no statements. Errors are *sqlerr.Error values: 42601
// for a syntax error, with Position the 1-based character offset into sql;
// 0A000 for PostgreSQL syntax Chronos does not support; 42704 for an unknown
// column type.
func Parse(sql string) ([]*Statement, error) {
	toks, err := lex(sql)
	if err != nil {
		return nil, err
	}
	p := parsers.Get().(*parser.Parser)
	defer parsers.Put(p)
	c := &compiler{src: sql, p: p}
	var out []*Statement
	start := 0
	depth := 0
	for i, t := range toks {
		switch {
		case t.isPunct("(") || t.isPunct("["):
			depth++
		case t.isPunct(")") || t.isPunct("]"):
			depth--
		case t.isPunct(";") && depth <= 0:
			if i > start {
				st, err := c.statement(toks[start:i], t.pos)
				if err != nil {
					return nil, err
				}
				out = append(out, st)
			}
			start, depth = i+1, 0
		}
	}
	if start < len(toks) {
		st, err := c.statement(toks[start:], len(sql))
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// compiler parses the statements of one query string.
type compiler struct {
	src string
	p   *parser.Parser
}

// stmtParse is the state of parsing one statement: where it ends (for "at
// end of input" errors) and the highest parameter number seen.
type stmtParse struct {
	*compiler
	end      int // byte offset of the statement's terminating ';' or of the end of src
	maxParam int
}

// statement parses the tokens of one statement; end is the byte offset of
// its terminating semicolon, or len(src).
func (c *compiler) statement(toks []token, end int) (*Statement, error) {
	sp := &stmtParse{compiler: c, end: end}
	st, err := sp.statement(toks)
	if err != nil {
		return nil, err
	}
	st.Text = c.src[toks[0].pos:toks[len(toks)-1].end]
	st.NumParams = sp.maxParam
	return st, nil
}

// statement recognises the special statements and otherwise rewrites and
// parses toks.
func (sp *stmtParse) statement(toks []token) (*Statement, error) {
	if special, ok, err := sp.special(toks); ok || err != nil {
		if err != nil {
			return nil, err
		}
		return &Statement{Special: special}, nil
	}
	parts, err := sp.structure(toks)
	if err != nil {
		return nil, err
	}
	node, err := sp.parse(parts.main, nil)
	if err != nil {
		return nil, err
	}
	st := &Statement{AST: node}
	if parts.returning != nil {
		if st.Returning, err = sp.returning(parts.returning, parts.returningAt); err != nil {
			return nil, err
		}
	}
	if parts.conflict != nil {
		if st.OnConflict, err = sp.onConflict(parts.conflict, parts.conflictAt); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// parse rewrites toks, prefixed by the generated tokens prefix, and parses
// the result as one statement.
func (sp *stmtParse) parse(toks []token, prefix []token) (ast.StmtNode, error) {
	r := newRewriter(sp.src, sp.end)
	r.out = make([]token, 0, len(prefix)+len(toks)+8)
	r.out = append(r.out, prefix...)
	if err := r.expr(toks); err != nil {
		return nil, err
	}
	return sp.parseTokens(r.out)
}

// parseTokens renders rewritten tokens as text and parses it with TiDB,
// mapping errors back to the original text and numbering the parameters.
func (sp *stmtParse) parseTokens(toks []token) (node ast.StmtNode, err error) {
	text, starts := render(toks)
	defer func() {
		if p := recover(); p != nil {
			node, err = nil, sp.endError(toks, fmt.Sprintf("syntax error (parser failure: %v)", p))
		}
	}()
	nodes, _, perr := sp.p.ParseSQL(text)
	if perr != nil {
		return nil, sp.parserError(perr, text, toks, starts)
	}
	if len(nodes) != 1 {
		// A semicolon inside parentheses split the text.
		for _, t := range toks {
			if t.isPunct(";") {
				return nil, sp.tokenError(t)
			}
		}
		return nil, sp.endError(toks, "syntax error")
	}
	node = nodes[0]
	if err := sp.numberParams(node, toks, starts); err != nil {
		return nil, err
	}
	return node, nil
}

// render joins tokens into the text given to the TiDB parser and returns
// each token's byte offset in it.
func render(toks []token) (string, []int) {
	var b strings.Builder
	b.Grow(len(toks) * 8)
	starts := make([]int, len(toks))
	for k, t := range toks {
		if k > 0 && needSpace(toks[k-1], t) {
			b.WriteByte(' ')
		}
		starts[k] = b.Len()
		b.WriteString(tokenText(t))
	}
	return b.String(), starts
}

// tokenText is what the TiDB parser is given for t.
func tokenText(t token) string {
	if t.text != "" {
		return t.text
	}
	switch t.kind {
	case tkQIdent:
		return `"` + strings.ReplaceAll(t.val, `"`, `""`) + `"`
	case tkString:
		return "'" + strings.ReplaceAll(t.val, "'", "''") + "'"
	case tkParam:
		return "?"
	}
	return t.val
}

// wordish are the tokens that run together when adjacent: words,
// literals and parameters.
func wordish(t token) bool {
	switch t.kind {
	case tkIdent, tkQIdent, tkString, tkNumber, tkParam, tkRaw:
		return true
	}
	return false
}

// needSpace reports whether a space separates prev and t in the rendered
// text: where the source had one, and wherever the two would otherwise run
// together (two words, two operators). A function name and its "(" are
// never separated (the TiDB parser reads "count (" as an identifier); a
// keyword and a "(" always are.
func needSpace(prev, t token) bool {
	if t.isPunct("(") {
		if isFuncName(prev) {
			return false
		}
		if prev.kind == tkIdent || prev.kind == tkRaw {
			return true
		}
	}
	if t.space {
		return true
	}
	return wordish(prev) && wordish(t) || prev.kind == tkOp && t.kind == tkOp ||
		prev.isPunct(":") || t.isPunct(":")
}

// nearRe finds where the TiDB parser stopped: its messages say `line L
// column C near "rest of the text"`, optionally followed by "(total length
// N)" when the rest was cut.
func nearOffset(msg, text string) (int, bool) {
	k := strings.Index(msg, ` near "`)
	if k < 0 {
		return 0, false
	}
	rest := msg[k+len(` near "`):]
	if t := strings.LastIndex(rest, "(total length "); t >= 0 {
		if n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest[t+len("(total length "):]), ")")); err == nil && n <= len(text) {
			return len(text) - n, true
		}
	}
	// The rest of the text is a suffix of text; take the longest one that
	// the message holds followed by a quote.
	for n := min(len(rest), len(text)); n >= 0; n-- {
		suffix := text[len(text)-n:]
		if strings.HasPrefix(rest, suffix) && strings.HasPrefix(rest[n:], `"`) {
			return len(text) - n, true
		}
	}
	return 0, false
}

// parserError converts a TiDB parse error into PostgreSQL's 42601 with the
// position of the offending token in the original text.
func (sp *stmtParse) parserError(perr error, text string, toks []token, starts []int) error {
	off, ok := nearOffset(perr.Error(), text)
	if !ok {
		msg := perr.Error()
		if k := strings.Index(msg, "]"); strings.HasPrefix(msg, "[") && k > 0 {
			msg = msg[k+1:]
		}
		return sp.endError(toks, "syntax error: "+msg)
	}
	// The token at or before off.
	k := -1
	for j, s := range starts {
		if s > off {
			break
		}
		k = j
	}
	if k < 0 || off >= len(text) {
		return sp.endError(toks, "")
	}
	return sp.tokenError(toks[k])
}

// tokenError is a 42601 error at the source of t.
func (sp *stmtParse) tokenError(t token) error {
	near := sp.src[t.pos:t.end]
	return &sqlerr.Error{Code: sqlerr.SyntaxError, Message: "syntax error at or near \"" + near + "\"", Position: charPos(sp.src, t.pos)}
}

// endError is a 42601 error at the end of the statement: at its semicolon,
// or at the end of the input. A non-empty msg replaces the message.
func (sp *stmtParse) endError(toks []token, msg string) error {
	e := &sqlerr.Error{Code: sqlerr.SyntaxError, Position: charPos(sp.src, sp.end)}
	switch {
	case msg != "":
		e.Message = msg
	case sp.end < len(sp.src):
		e.Message = "syntax error at or near \";\""
	default:
		e.Message = "syntax error at end of input"
	}
	return e
}

// numberParams sets each parameter marker's Order to n-1 for its $n,
// matching markers to the rendered "?" by offset.
func (sp *stmtParse) numberParams(node ast.Node, toks []token, starts []int) error {
	var byOffset map[int]int
	for k, t := range toks {
		if t.kind == tkParam {
			if byOffset == nil {
				byOffset = make(map[int]int)
			}
			byOffset[starts[k]] = t.num
			sp.maxParam = max(sp.maxParam, t.num)
		}
	}
	if byOffset == nil {
		return nil
	}
	v := &paramVisitor{byOffset: byOffset}
	node.Accept(v)
	if v.missing {
		return sqlerr.New(sqlerr.InternalError, "parameter marker without a $n in the statement")
	}
	return nil
}

// paramVisitor numbers parameter markers.
type paramVisitor struct {
	byOffset map[int]int
	missing  bool
}

// Enter implements ast.Visitor.
func (v *paramVisitor) Enter(n ast.Node) (ast.Node, bool) {
	if m, ok := n.(*test_driver.ParamMarkerExpr); ok {
		num, found := v.byOffset[m.Offset]
		if !found {
			v.missing = true
		}
		m.Order = num - 1
	}
	return n, false
}

// Leave implements ast.Visitor.
func (v *paramVisitor) Leave(n ast.Node) (ast.Node, bool) { return n, true }
