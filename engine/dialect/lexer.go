package dialect

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
)

// tokKind is the kind of a lexical token.
type tokKind uint8

const (
	tkIdent  tokKind = iota + 1 // unquoted word; val is folded to lower case
	tkQIdent                    // "quoted identifier"; val is the name
	tkString                    // string literal of any quoting; val is its value
	tkNumber                    // numeric literal; val is its text
	tkParam                     // $n; num is n
	tkOp                        // operator; val is its text
	tkPunct                     // ( ) [ ] , ; . : ::
	tkRaw                       // generated text, passed to the TiDB parser as is
)

// token is one lexical token of the query string, or a generated one.
type token struct {
	kind tokKind
	// val is the token's value: the folded name of an identifier, the
	// unescaped value of a string, the text of anything else.
	val string
	// text is what is given to the TiDB parser; empty means derive it from
	// kind and val.
	text string
	// pos and end delimit the source text the token stands for, as byte
	// offsets into the query string given to Parse.
	pos, end int
	// space is true when white space or a comment precedes the token.
	space bool
	// num is the parameter number of a tkParam.
	num int
}

// is reports whether t is the unquoted word w (lower case).
func (t token) is(w string) bool { return t.kind == tkIdent && t.val == w }

// isPunct reports whether t is the punctuation p.
func (t token) isPunct(p string) bool { return t.kind == tkPunct && t.val == p }

// isOp reports whether t is the operator o.
func (t token) isOp(o string) bool { return t.kind == tkOp && t.val == o }

// name returns the identifier's name for an unquoted or quoted identifier,
// and "" for anything else.
func (t token) name() string {
	if t.kind == tkIdent || t.kind == tkQIdent {
		return t.val
	}
	return ""
}

// opChars are the characters PostgreSQL's lexer builds operators from.
const opChars = "~!@#^&|`?+-*/%<>="

func isOpChar(c byte) bool { return strings.IndexByte(opChars, c) >= 0 }

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

func isIdentCont(c byte) bool { return isIdentStart(c) || isDigit(c) || c == '$' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// lexer splits a query string into tokens following PostgreSQL's lexical
// rules (scan.l): standard strings with ” escapes, E” strings with
// backslash escapes, dollar quoting, quoted identifiers, nested block
// comments, numbers, parameters and operators.
type lexer struct {
	src   string
	i     int
	space bool
	toks  []token
}

// lex returns the tokens of src, or a 42601 error for an unterminated
// string, identifier or comment and similar lexical errors.
func lex(src string) ([]token, error) {
	l := lexer{src: src, toks: make([]token, 0, len(src)/4+4)}
	for {
		if err := l.skipSpace(); err != nil {
			return nil, err
		}
		if l.i >= len(src) {
			return operators(l.toks), nil
		}
		if err := l.next(); err != nil {
			return nil, err
		}
	}
}

// skipSpace skips white space and comments, noting that it did.
func (l *lexer) skipSpace() error {
	l.space = false
	for l.i < len(l.src) {
		c := l.src[l.i]
		switch {
		case isSpace(c):
			l.i++
		case c == '-' && l.i+1 < len(l.src) && l.src[l.i+1] == '-':
			for l.i < len(l.src) && l.src[l.i] != '\n' && l.src[l.i] != '\r' {
				l.i++
			}
		case c == '/' && l.i+1 < len(l.src) && l.src[l.i+1] == '*':
			start := l.i
			depth := 0
			for {
				if l.i+1 >= len(l.src) {
					return lexError(l.src, start, "unterminated /* comment")
				}
				if l.src[l.i] == '/' && l.src[l.i+1] == '*' {
					depth++
					l.i += 2
				} else if l.src[l.i] == '*' && l.src[l.i+1] == '/' {
					depth--
					l.i += 2
					if depth == 0 {
						break
					}
				} else {
					l.i++
				}
			}
		default:
			return nil
		}
		l.space = true
	}
	return nil
}

func (l *lexer) emit(t token) {
	t.space = l.space
	l.toks = append(l.toks, t)
}

// next scans one token starting at l.i.
func (l *lexer) next() error {
	src, start := l.src, l.i
	c := src[start]
	switch {
	case c == '\'':
		return l.quoted(start, start, false)
	case (c == 'e' || c == 'E') && start+1 < len(src) && src[start+1] == '\'':
		return l.quoted(start, start+1, true)
	case (c == 'n' || c == 'N') && start+1 < len(src) && src[start+1] == '\'':
		return l.quoted(start, start+1, false)
	case (c == 'b' || c == 'B' || c == 'x' || c == 'X') && start+1 < len(src) && src[start+1] == '\'':
		return notSupported(src, start, "bit-string constants are not supported")
	case (c == 'u' || c == 'U') && start+2 < len(src) && src[start+1] == '&' && (src[start+2] == '\'' || src[start+2] == '"'):
		return notSupported(src, start, "Unicode escapes in strings and identifiers are not supported")
	case c == '"':
		return l.quotedIdent(start)
	case c == '$':
		return l.dollar(start)
	case isIdentStart(c):
		j := start + 1
		for j < len(src) && isIdentCont(src[j]) {
			j++
		}
		l.i = j
		l.emit(token{kind: tkIdent, val: types.FoldASCII(src[start:j]), pos: start, end: j})
		return nil
	case isDigit(c) || c == '.' && start+1 < len(src) && isDigit(src[start+1]):
		l.number(start)
		return nil
	case c == ':':
		if start+1 < len(src) && src[start+1] == ':' {
			l.i = start + 2
			l.emit(token{kind: tkPunct, val: "::", pos: start, end: start + 2})
			return nil
		}
		if start+1 < len(src) && src[start+1] == '=' {
			l.i = start + 2
			l.emit(token{kind: tkOp, val: ":=", pos: start, end: start + 2})
			return nil
		}
		l.i = start + 1
		l.emit(token{kind: tkPunct, val: ":", pos: start, end: start + 1})
		return nil
	case strings.IndexByte("()[],;.", c) >= 0:
		l.i = start + 1
		l.emit(token{kind: tkPunct, val: src[start : start+1], pos: start, end: start + 1})
		return nil
	case isOpChar(c):
		l.operator(start)
		return nil
	}
	_, size := utf8.DecodeRuneInString(src[start:])
	return lexError(src, start, "syntax error at or near \""+src[start:start+size]+"\"")
}

// operators replaces PostgreSQL's OPERATOR(schema.op) syntax, which psql
// uses, with the plain operator.
func operators(toks []token) []token {
	for i := 0; i+3 < len(toks); i++ {
		if !toks[i].is("operator") || !toks[i+1].isPunct("(") {
			continue
		}
		j := i + 2
		if j+1 < len(toks) && toks[j].name() != "" && toks[j+1].isPunct(".") {
			j += 2
		}
		if j+1 >= len(toks) || toks[j].kind != tkOp || !toks[j+1].isPunct(")") {
			continue
		}
		op := toks[j]
		op.pos, op.end, op.space = toks[i].pos, toks[j+1].end, toks[i].space
		toks = append(toks[:i+1], toks[j+2:]...)
		toks[i] = op
	}
	return toks
}

// operator scans an operator with PostgreSQL's rules: "--" and "/*" end it,
// and a multi-character operator ends in + or - only if it holds one of
// ~ ! @ # % ^ & | ` ?.
func (l *lexer) operator(start int) {
	src := l.src
	j := start
	for j < len(src) && isOpChar(src[j]) {
		if j > start && (src[j] == '-' && src[j-1] == '-' || src[j] == '*' && src[j-1] == '/') {
			j--
			break
		}
		j++
	}
	if j-start > 1 && !strings.ContainsAny(src[start:j], "~!@#^&|`?%") {
		for j-start > 1 && (src[j-1] == '+' || src[j-1] == '-') {
			j--
		}
	}
	l.i = j
	l.emit(token{kind: tkOp, val: src[start:j], pos: start, end: j})
}

// number scans a numeric literal: digits, an optional fraction and an
// optional exponent.
func (l *lexer) number(start int) {
	src := l.src
	j := start
	for j < len(src) && isDigit(src[j]) {
		j++
	}
	if j < len(src) && src[j] == '.' && !(j+1 < len(src) && src[j+1] == '.') {
		j++
		for j < len(src) && isDigit(src[j]) {
			j++
		}
	}
	if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
		k := j + 1
		if k < len(src) && (src[k] == '+' || src[k] == '-') {
			k++
		}
		if k < len(src) && isDigit(src[k]) {
			for k < len(src) && isDigit(src[k]) {
				k++
			}
			j = k
		}
	}
	l.i = j
	l.emit(token{kind: tkNumber, val: src[start:j], pos: start, end: j})
}

// quotedIdent scans a "quoted identifier" with "" escapes.
func (l *lexer) quotedIdent(start int) error {
	src := l.src
	var b strings.Builder
	j := start + 1
	for {
		k := strings.IndexByte(src[j:], '"')
		if k < 0 {
			return lexError(src, start, "unterminated quoted identifier")
		}
		b.WriteString(src[j : j+k])
		j += k + 1
		if j < len(src) && src[j] == '"' {
			b.WriteByte('"')
			j++
			continue
		}
		break
	}
	if b.Len() == 0 {
		return lexError(src, start, "zero-length delimited identifier")
	}
	l.i = j
	l.emit(token{kind: tkQIdent, val: b.String(), pos: start, end: j})
	return nil
}

// quoted scans a string literal whose opening quote is at q (start is the
// token's start, before any E or N prefix). Strings separated only by white
// space that holds a newline are one literal, as in PostgreSQL.
func (l *lexer) quoted(start, q int, escapes bool) error {
	var b strings.Builder
	j := q
	for {
		var err error
		j, err = l.stringBody(&b, start, j, escapes)
		if err != nil {
			return err
		}
		// Continuation: white space with a newline, then another quote.
		k, newline := j, false
		for k < len(l.src) && isSpace(l.src[k]) {
			if l.src[k] == '\n' || l.src[k] == '\r' {
				newline = true
			}
			k++
		}
		if !newline || k >= len(l.src) || l.src[k] != '\'' {
			break
		}
		j = k
	}
	val := b.String()
	if escapes && !utf8.ValidString(val) {
		return &sqlerr.Error{Code: sqlerr.CharacterNotInRepertoire, Message: "invalid byte sequence for encoding \"UTF8\"", Position: charPos(l.src, start)}
	}
	l.i = j
	l.emit(token{kind: tkString, val: val, pos: start, end: j})
	return nil
}

// stringBody reads one quoted section starting at the quote at j into b and
// returns the offset after its closing quote.
func (l *lexer) stringBody(b *strings.Builder, start, j int, escapes bool) (int, error) {
	src := l.src
	j++
	for {
		if j >= len(src) {
			return 0, lexError(src, start, "unterminated quoted string")
		}
		c := src[j]
		switch {
		case c == '\'':
			if j+1 < len(src) && src[j+1] == '\'' {
				b.WriteByte('\'')
				j += 2
				continue
			}
			return j + 1, nil
		case c == '\\' && escapes:
			n, err := unescape(b, src, j)
			if err != nil {
				return 0, err
			}
			j = n
		default:
			k := j + 1
			for k < len(src) && src[k] != '\'' && !(escapes && src[k] == '\\') {
				k++
			}
			b.WriteString(src[j:k])
			j = k
		}
	}
}

// unescape decodes the backslash escape at src[j] of an E” string into b
// and returns the offset after it.
func unescape(b *strings.Builder, src string, j int) (int, error) {
	if j+1 >= len(src) {
		return 0, lexError(src, j, "unterminated quoted string")
	}
	c := src[j+1]
	switch c {
	case 'b':
		b.WriteByte('\b')
	case 'f':
		b.WriteByte('\f')
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case 'x':
		k := j + 2
		for k < len(src) && k < j+4 && isHex(src[k]) {
			k++
		}
		if k == j+2 {
			b.WriteByte('x')
			return j + 2, nil
		}
		v, _ := strconv.ParseUint(src[j+2:k], 16, 8)
		if v == 0 {
			return 0, nulByte(src, j)
		}
		b.WriteByte(byte(v))
		return k, nil
	case 'u', 'U':
		n := 4
		if c == 'U' {
			n = 8
		}
		if j+2+n > len(src) {
			return 0, badUnicode(src, j)
		}
		for k := j + 2; k < j+2+n; k++ {
			if !isHex(src[k]) {
				return 0, badUnicode(src, j)
			}
		}
		v, _ := strconv.ParseUint(src[j+2:j+2+n], 16, 32)
		if v == 0 || v > utf8.MaxRune || v >= 0xD800 && v <= 0xDFFF {
			return 0, badUnicode(src, j)
		}
		b.WriteRune(rune(v))
		return j + 2 + n, nil
	default:
		if c >= '0' && c <= '7' {
			k := j + 1
			v := 0
			for k < len(src) && k < j+4 && src[k] >= '0' && src[k] <= '7' {
				v = v*8 + int(src[k]-'0')
				k++
			}
			if v&0xff == 0 {
				return 0, nulByte(src, j)
			}
			b.WriteByte(byte(v))
			return k, nil
		}
		// Any other character stands for itself; copy a whole UTF-8
		// sequence.
		_, size := utf8.DecodeRuneInString(src[j+1:])
		b.WriteString(src[j+1 : j+1+size])
		return j + 1 + size, nil
	}
	return j + 2, nil
}

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func nulByte(src string, pos int) error {
	return &sqlerr.Error{Code: sqlerr.CharacterNotInRepertoire, Message: "invalid byte sequence for encoding \"UTF8\": 0x00", Position: charPos(src, pos)}
}

func badUnicode(src string, pos int) error {
	return &sqlerr.Error{Code: sqlerr.InvalidEscapeSequence, Message: "invalid Unicode escape value", Position: charPos(src, pos)}
}

// dollar scans $n parameters and $tag$ dollar-quoted strings.
func (l *lexer) dollar(start int) error {
	src := l.src
	j := start + 1
	if j < len(src) && isDigit(src[j]) {
		for j < len(src) && isDigit(src[j]) {
			j++
		}
		n, err := strconv.Atoi(src[start+1 : j])
		if err != nil || n > 65535 {
			return lexError(src, start, "syntax error at or near \""+src[start:j]+"\"")
		}
		if n == 0 {
			return &sqlerr.Error{Code: sqlerr.UndefinedParameter, Message: "there is no parameter $0", Position: charPos(src, start)}
		}
		l.i = j
		l.emit(token{kind: tkParam, val: src[start:j], num: n, pos: start, end: j})
		return nil
	}
	// A tag: identifier characters other than $, then $.
	if j < len(src) && isIdentStart(src[j]) {
		for j < len(src) && isIdentCont(src[j]) && src[j] != '$' {
			j++
		}
	}
	if j >= len(src) || src[j] != '$' {
		return lexError(src, start, "syntax error at or near \"$\"")
	}
	delim := src[start : j+1]
	body := j + 1
	k := strings.Index(src[body:], delim)
	if k < 0 {
		return lexError(src, start, "unterminated dollar-quoted string")
	}
	l.i = body + k + len(delim)
	l.emit(token{kind: tkString, val: src[body : body+k], pos: start, end: l.i})
	return nil
}

// lexError returns a 42601 error at byte offset pos of src. Messages that do
// not already say where add PostgreSQL's "at or near" with the text there.
func lexError(src string, pos int, msg string) error {
	if !strings.Contains(msg, " at or near ") {
		end := pos
		for end < len(src) && end < pos+40 && src[end] != '\n' {
			end++
		}
		msg += " at or near \"" + strings.ToValidUTF8(src[pos:end], "") + "\""
	}
	return &sqlerr.Error{Code: sqlerr.SyntaxError, Message: msg, Position: charPos(src, pos)}
}

// notSupported returns a 0A000 error at byte offset pos of src.
func notSupported(src string, pos int, msg string) error {
	return &sqlerr.Error{Code: sqlerr.FeatureNotSupported, Message: msg, Position: charPos(src, pos)}
}

// charPos converts a byte offset into src to PostgreSQL's 1-based character
// position.
func charPos(src string, pos int) int {
	if pos > len(src) {
		pos = len(src)
	}
	return utf8.RuneCountInString(src[:pos]) + 1
}
