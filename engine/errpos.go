package engine

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/chronos-db/chronos/engine/sqlerr"
)

// Error positions. PostgreSQL reports where in the query string an
// unknown relation, column or function is named (psql prints a caret
// under it). The TiDB AST carries no offsets into the original text (the
// dialect rewrites it first), so withPosition finds the name in the
// statement's original text instead: the first identifier token equal to
// the name, outside literals and comments, preferring for a relation an
// occurrence that follows FROM, JOIN, INTO, UPDATE, TABLE or a comma, and
// for a column or function one that does not.

var (
	reRelation = regexp.MustCompile(`^relation "([^"]+)" does not exist$`)
	reColumn   = regexp.MustCompile(`^column "([^"]+)"(?: of relation "[^"]+")? does not exist$`)
	reQualCol  = regexp.MustCompile(`^column [^ "]+\.([^ ."]+) does not exist$`)
	reFunction = regexp.MustCompile(`^function ([^ (]+)\(.*\) does not exist$`)
)

// withPosition returns err with Position set to the 1-based character
// offset in query of the object it names, when err is a 42P01, 42703 or
// 42883 error without a position and the name is found in stmtText (this
// statement's text, a part of query).
func withPosition(err error, query, stmtText string) error {
	e := sqlerr.As(err)
	if e == nil || e.Position != 0 {
		return err
	}
	var re *regexp.Regexp
	relation := false
	switch e.Code {
	case sqlerr.UndefinedTable:
		re, relation = reRelation, true
	case sqlerr.UndefinedColumn:
		re = reColumn
		if !re.MatchString(e.Message) {
			re = reQualCol
		}
	case sqlerr.UndefinedFunction:
		re = reFunction
	default:
		return err
	}
	m := re.FindStringSubmatch(e.Message)
	if m == nil {
		return err
	}
	name := m[1]
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	base := strings.Index(query, stmtText)
	if base < 0 {
		return err
	}
	off := findName(stmtText, name, relation)
	if off < 0 {
		return err
	}
	out := *e
	out.Position = utf8.RuneCountInString(query[:base+off]) + 1
	return &out
}

// relationContext are the words after which a name is a relation.
var relationContext = map[string]bool{"from": true, "join": true, "into": true, "update": true, "table": true, ",": true, "only": true}

// findName returns the byte offset in text of the identifier token name,
// or -1. Unquoted identifiers match case-insensitively (they fold to lower
// case), quoted ones exactly. A token that follows "." counts with the
// word before the qualifier.
func findName(text, name string, relation bool) int {
	first, preferred := -1, -1
	// The last three significant tokens, lower-cased: prev is the one
	// just before.
	prev, prev2, prev3 := "", "", ""
	prevStart, prev2Start := 0, 0
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case c == '-' && strings.HasPrefix(text[i:], "--"):
			j := strings.IndexByte(text[i:], '\n')
			if j < 0 {
				return pick(first, preferred)
			}
			i += j + 1
			continue
		case c == '/' && strings.HasPrefix(text[i:], "/*"):
			j := strings.Index(text[i+2:], "*/")
			if j < 0 {
				return pick(first, preferred)
			}
			i += j + 4
			continue
		case c == '\'':
			j := i + 1
			for j < len(text) {
				if text[j] == '\'' {
					if j+1 < len(text) && text[j+1] == '\'' {
						j += 2
						continue
					}
					break
				}
				j++
			}
			prev, prev2, prev3 = "'", prev, prev2
			prevStart, prev2Start = i, prevStart
			i = j + 1
			continue
		}
		start := i
		var tok string
		match := false
		switch {
		case c == '"':
			j := i + 1
			for j < len(text) && text[j] != '"' {
				j++
			}
			tok = text[i+1 : min(j, len(text))]
			match = tok == name
			i = j + 1
		case isIdentByte(c):
			j := i
			for j < len(text) && (isIdentByte(text[j]) || text[j] >= '0' && text[j] <= '9' || text[j] == '$') {
				j++
			}
			tok = strings.ToLower(text[i:j])
			match = tok == name
			i = j
		default:
			tok = string(c)
			i++
		}
		if match {
			ctx, at := prev, start
			if prev == "." {
				// A qualified name: PostgreSQL points at the qualifier.
				ctx, at = prev3, prev2Start
			}
			if first < 0 {
				first = at
			}
			if preferred < 0 && relationContext[ctx] == relation {
				preferred = at
			}
		}
		prev, prev2, prev3 = tok, prev, prev2
		prevStart, prev2Start = start, prevStart
	}
	return pick(first, preferred)
}

func pick(first, preferred int) int {
	if preferred >= 0 {
		return preferred
	}
	return first
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
