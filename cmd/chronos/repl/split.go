package repl

import "strings"

// lexState is where the splitter stands inside the text it has seen.
type lexState int

const (
	stNormal       lexState = iota
	stSingleQuote           // '...' (standard_conforming_strings on: no backslash escapes)
	stEscapeString          // E'...' (backslash escapes)
	stDoubleQuote           // "identifier"
	stDollarQuote           // $tag$ ... $tag$
	stBlockComment          // /* ... */, nested
	stLineComment           // -- ... up to the end of the line
)

// Item is one unit of input the splitter has cut: a complete SQL statement or
// a backslash meta-command.
type Item struct {
	// SQL is a complete statement including its terminating semicolon, with
	// leading white space and comments removed. Empty for a meta-command.
	SQL string
	// Meta is a meta-command line starting with a backslash ("\x", "\d users"),
	// or empty for a statement.
	Meta string
}

// Splitter cuts input lines into statements the way psql does: a statement
// ends at a semicolon that is outside quotes, dollar quotes, comments and
// parentheses; a backslash outside those starts a meta-command that runs to
// the end of the line. Text of an unfinished statement stays buffered across
// lines. The zero value is ready to use.
type Splitter struct {
	buf        strings.Builder // pending text of the current statement
	pos        int             // bytes of buf already scanned
	state      lexState
	depth      int    // block comment nesting or parenthesis depth, by state
	parens     int    // parenthesis depth in stNormal
	dollarTag  string // the $tag$ that closes stDollarQuote
	hasContent bool   // the pending text holds more than white space and comments
	start      int    // offset of the first content byte, valid when hasContent
}

// Feed adds one input line (without its line terminator) and returns the
// statements and meta-commands it completes, in input order.
func (s *Splitter) Feed(line string) []Item {
	var items []Item
	if s.buf.Len() > 0 {
		s.buf.WriteByte('\n')
	}
	s.buf.WriteString(line)
	for {
		text := s.buf.String()
		end, meta, found := s.scan(text)
		if !found {
			return items
		}
		if meta {
			// text[:end] is the part before the backslash; it stays
			// pending. The meta-command is the rest of the line.
			pending := text[:end]
			items = append(items, Item{Meta: strings.TrimRight(text[end:], " \t\r")})
			s.buf.Reset()
			s.buf.WriteString(pending)
			s.pos = len(pending)
			return items
		}
		stmt := strings.TrimSpace(text[s.start:end])
		rest := text[end:]
		if s.hasContent {
			items = append(items, Item{SQL: stmt})
		}
		s.resetAfterStatement()
		s.buf.WriteString(strings.TrimLeft(rest, " \t\r\n"))
	}
}

// mark records that the statement has content from offset i on.
func (s *Splitter) mark(i int) {
	if !s.hasContent {
		s.hasContent = true
		s.start = i
	}
}

// resetAfterStatement clears the buffer and the lexer state after a complete
// statement was cut.
func (s *Splitter) resetAfterStatement() {
	s.buf.Reset()
	s.pos = 0
	s.state = stNormal
	s.depth = 0
	s.parens = 0
	s.dollarTag = ""
	s.hasContent = false
	s.start = 0
}

// scan continues scanning text from s.pos. It returns the end of a complete
// statement (just past its semicolon) or, with meta set, the offset of a
// backslash that starts a meta-command. found is false when the text ends
// inside a statement.
func (s *Splitter) scan(text string) (end int, meta, found bool) {
	i := s.pos
	for i < len(text) {
		c := text[i]
		switch s.state {
		case stNormal:
			switch {
			case c == '\'':
				if i > 0 && (text[i-1] == 'E' || text[i-1] == 'e') && !isIdentByte(before(text, i-1)) {
					s.state = stEscapeString
				} else {
					s.state = stSingleQuote
				}
				s.mark(i)
			case c == '"':
				s.state = stDoubleQuote
				s.mark(i)
			case c == '$':
				if tag, ok := dollarTagAt(text, i); ok && !isIdentByte(before(text, i)) {
					s.state = stDollarQuote
					s.dollarTag = tag
					s.mark(i)
					i += len(tag)
					continue
				}
				s.mark(i)
			case c == '-' && i+1 < len(text) && text[i+1] == '-':
				s.state = stLineComment
				i += 2
				continue
			case c == '/' && i+1 < len(text) && text[i+1] == '*':
				s.state = stBlockComment
				s.depth = 1
				i += 2
				continue
			case c == '(':
				s.parens++
				s.mark(i)
			case c == ')':
				if s.parens > 0 {
					s.parens--
				}
				s.mark(i)
			case c == ';':
				if s.parens == 0 {
					s.pos = 0
					return i + 1, false, true
				}
				s.mark(i)
			case c == '\\':
				s.pos = i
				return i, true, true
			case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			default:
				s.mark(i)
			}
		case stSingleQuote, stDoubleQuote:
			q := byte('\'')
			if s.state == stDoubleQuote {
				q = '"'
			}
			if c == q {
				if i+1 < len(text) && text[i+1] == q {
					i += 2
					continue
				}
				s.state = stNormal
			}
		case stEscapeString:
			if c == '\\' {
				i += 2
				continue
			}
			if c == '\'' {
				if i+1 < len(text) && text[i+1] == '\'' {
					i += 2
					continue
				}
				s.state = stNormal
			}
		case stDollarQuote:
			if c == '$' && strings.HasPrefix(text[i:], s.dollarTag) {
				i += len(s.dollarTag)
				s.state = stNormal
				s.dollarTag = ""
				continue
			}
		case stBlockComment:
			if c == '/' && i+1 < len(text) && text[i+1] == '*' {
				s.depth++
				i += 2
				continue
			}
			if c == '*' && i+1 < len(text) && text[i+1] == '/' {
				s.depth--
				i += 2
				if s.depth == 0 {
					s.state = stNormal
				}
				continue
			}
		case stLineComment:
			if c == '\n' {
				s.state = stNormal
			}
		}
		i++
	}
	// A line comment ends with its line; Feed adds the newline before the
	// next line, so the state carries over until then. Two-byte steps can
	// overshoot at the end of the text.
	if i > len(text) {
		i = len(text)
	}
	s.pos = i
	return 0, false, false
}

// before returns the byte before offset i, or 0 at the start.
func before(text string, i int) byte {
	if i <= 0 {
		return 0
	}
	return text[i-1]
}

// isIdentByte reports whether b can continue an identifier (so a quote or a
// dollar sign right after it is not the start of a literal).
func isIdentByte(b byte) bool {
	return b == '_' || b == '$' || b >= 0x80 ||
		(b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
}

// dollarTagAt returns the dollar-quote delimiter ($$ or $tag$) starting at
// text[i], if there is one. Parameters such as $1 are not delimiters.
func dollarTagAt(text string, i int) (string, bool) {
	j := i + 1
	for j < len(text) {
		c := text[j]
		if c == '$' {
			return text[i : j+1], true
		}
		isStart := c == '_' || c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !(isStart || (j > i+1 && c >= '0' && c <= '9')) {
			return "", false
		}
		j++
	}
	return "", false
}

// Pending returns the buffered text of the unfinished statement.
func (s *Splitter) Pending() string { return s.buf.String() }

// HasPending reports whether an unfinished statement with content is
// buffered (white space and comments alone do not count).
func (s *Splitter) HasPending() bool { return s.hasContent }

// Reset discards the unfinished statement (psql's \r).
func (s *Splitter) Reset() { s.resetAfterStatement() }

// Flush returns the unfinished statement as it stands and clears the buffer,
// for input that ends without a semicolon and for \g. ok is false when
// nothing but white space and comments was pending.
func (s *Splitter) Flush() (sql string, ok bool) {
	has := s.hasContent
	text := ""
	if has {
		text = strings.TrimSpace(s.buf.String()[s.start:])
	}
	s.resetAfterStatement()
	return text, has
}

// PromptChar is the character psql shows in its continuation prompt for the
// current state: '-' inside a statement, '\” and '"' inside quotes, '$'
// inside a dollar quote, '*' inside a block comment, '(' inside parentheses,
// and '=' when no statement is pending.
func (s *Splitter) PromptChar() byte {
	switch s.state {
	case stSingleQuote, stEscapeString:
		return '\''
	case stDoubleQuote:
		return '"'
	case stDollarQuote:
		return '$'
	case stBlockComment:
		return '*'
	}
	if s.parens > 0 {
		return '('
	}
	if s.hasContent {
		return '-'
	}
	return '='
}
