package dialect

import (
	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// parts is a statement split into what the TiDB parser reads and the
// clauses parsed on their own.
type parts struct {
	main        []token
	returning   []token // the RETURNING list, nil if none
	returningAt token   // the RETURNING keyword
	conflict    []token // ON CONFLICT's clause after the two keywords, nil if none
	conflictAt  token   // the ON keyword
}

// findTop returns the index of the first word w at parenthesis depth 0 in
// toks, or -1.
func findTop(toks []token, w string) int {
	depth := 0
	for i, t := range toks {
		switch {
		case t.isPunct("(") || t.isPunct("["):
			depth++
		case t.isPunct(")") || t.isPunct("]"):
			depth--
		case depth == 0 && t.is(w):
			return i
		}
	}
	return -1
}

// splitTop splits toks on commas at parenthesis depth 0.
func splitTop(toks []token) [][]token {
	var out [][]token
	depth, start := 0, 0
	for i, t := range toks {
		switch {
		case t.isPunct("(") || t.isPunct("["):
			depth++
		case t.isPunct(")") || t.isPunct("]"):
			depth--
		case depth == 0 && t.isPunct(","):
			out = append(out, toks[start:i])
			start = i + 1
		}
	}
	return append(out, toks[start:])
}

// structure applies the statement-level rewrites: DDL column types and
// clauses TiDB lacks, and the split of RETURNING and ON CONFLICT.
func (sp *stmtParse) structure(toks []token) (parts, error) {
	var err error
	switch toks[0].val {
	case "create":
		toks, err = sp.create(toks)
	case "alter":
		toks, err = sp.alter(toks)
	case "explain":
		return sp.explain(toks)
	case "insert", "update", "delete", "with":
		return sp.dml(toks)
	case "drop":
		toks = dropBehavior(toks)
	}
	return parts{main: toks}, err
}

// dropBehavior drops a trailing CASCADE or RESTRICT, which the TiDB parser
// accepts only after DROP TABLE and DROP VIEW (and ignores there).
func dropBehavior(toks []token) []token {
	if n := len(toks); n > 2 && (toks[n-1].is("cascade") || toks[n-1].is("restrict")) {
		return toks[:n-1]
	}
	return toks
}

// dml splits RETURNING and ON CONFLICT off an INSERT, UPDATE or DELETE and
// rewrites INSERT ... DEFAULT VALUES.
func (sp *stmtParse) dml(toks []token) (parts, error) {
	var p parts
	if k := findTop(toks, "returning"); k >= 0 {
		p.returning, p.returningAt = toks[k+1:], toks[k]
		if len(p.returning) == 0 {
			return p, sp.endError(toks, "")
		}
		toks = toks[:k]
	}
	isInsert := toks[0].is("insert") || toks[0].is("with") && findTop(toks, "insert") >= 0
	if isInsert {
		depth := 0
		for i := 0; i+2 < len(toks); i++ {
			t := toks[i]
			switch {
			case t.isPunct("("):
				depth++
			case t.isPunct(")"):
				depth--
			case depth == 0 && t.is("on") && toks[i+1].is("conflict") &&
				(toks[i+2].isPunct("(") || toks[i+2].is("do") || toks[i+2].is("on")):
				p.conflict, p.conflictAt = toks[i+2:], t
				toks = toks[:i]
			}
			if p.conflict != nil {
				break
			}
		}
		if k := findTop(toks, "default"); k >= 0 && k+1 < len(toks) && toks[k+1].is("values") {
			fixed := make([]token, 0, len(toks)+3)
			fixed = append(fixed, toks[:k]...)
			at := toks[k]
			fixed = append(fixed, punct("(", at), punct(")", at), raw("values", at), punct("(", at), punct(")", at))
			fixed = append(fixed, toks[k+2:]...)
			toks = fixed
		}
	}
	p.main = toks
	return p, nil
}

// returning parses a RETURNING list as a select list.
func (sp *stmtParse) returning(list []token, at token) ([]*ast.SelectField, error) {
	node, err := sp.parse(list, []token{raw("select", at)})
	if err != nil {
		return nil, err
	}
	sel, ok := node.(*ast.SelectStmt)
	if !ok || sel.Fields == nil || sel.From != nil || sel.Where != nil {
		return nil, sp.tokenError(at)
	}
	return sel.Fields.Fields, nil
}

// onConflict parses the clause after ON CONFLICT: [(columns) | ON
// CONSTRAINT name] DO NOTHING | DO UPDATE SET ... [WHERE ...].
func (sp *stmtParse) onConflict(toks []token, at token) (*OnConflict, error) {
	oc := &OnConflict{}
	i := 0
	switch {
	case toks[0].isPunct("("):
		c := matchClose(toks, 0)
		if c < 0 {
			return nil, sp.endError(toks, "")
		}
		for _, col := range splitTop(toks[1:c]) {
			if len(col) != 1 || col[0].name() == "" {
				if len(col) == 0 {
					return nil, sp.tokenError(toks[c])
				}
				return nil, sp.errAt(sqlerr.FeatureNotSupported, col[0], "ON CONFLICT with an expression target is not supported")
			}
			oc.Columns = append(oc.Columns, col[0].val)
		}
		i = c + 1
		if i < len(toks) && toks[i].is("where") {
			return nil, sp.errAt(sqlerr.FeatureNotSupported, toks[i], "ON CONFLICT ... WHERE is not supported")
		}
	case toks[0].is("on"):
		if len(toks) < 3 || !toks[1].is("constraint") || toks[2].name() == "" {
			return nil, sp.syntaxAt(toks, 1)
		}
		oc.Constraint = toks[2].val
		i = 3
	}
	if i >= len(toks) || !toks[i].is("do") {
		return nil, sp.syntaxAt(toks, i)
	}
	i++
	switch {
	case i < len(toks) && toks[i].is("nothing"):
		oc.DoNothing = true
		if i+1 < len(toks) {
			return nil, sp.syntaxAt(toks, i+1)
		}
		return oc, nil
	case i+1 < len(toks) && toks[i].is("update") && toks[i+1].is("set"):
		if len(oc.Columns) == 0 && oc.Constraint == "" {
			return nil, sp.errAt(sqlerr.SyntaxError, at, "ON CONFLICT DO UPDATE requires inference specification or constraint name").
				WithHint("For example, ON CONFLICT (column_name).")
		}
		node, err := sp.parse(toks[i+1:], []token{raw("update", toks[i]), raw(`"excluded"`, toks[i])})
		if err != nil {
			return nil, err
		}
		up, ok := node.(*ast.UpdateStmt)
		if !ok || up.Order != nil || up.Limit != nil {
			return nil, sp.tokenError(toks[i])
		}
		oc.Set, oc.Where = up.List, up.Where
		return oc, nil
	}
	return nil, sp.syntaxAt(toks, i)
}

// explain handles EXPLAIN's PostgreSQL option list: EXPLAIN (ANALYZE,
// COSTS OFF) stmt becomes EXPLAIN ANALYZE stmt; other options and VERBOSE
// are dropped.
func (sp *stmtParse) explain(toks []token) (parts, error) {
	i := 1
	analyze := false
	if i < len(toks) && toks[i].isPunct("(") {
		c := matchClose(toks, i)
		if c < 0 {
			return parts{}, sp.endError(toks, "")
		}
		for _, opt := range splitTop(toks[i+1 : c]) {
			if len(opt) == 0 || opt[0].kind != tkIdent {
				return parts{}, sp.tokenError(toks[c])
			}
			on := len(opt) == 1 || isTrueWord(opt[1])
			if opt[0].val == "analyze" || opt[0].val == "analyse" {
				analyze = on
			}
		}
		i = c + 1
	} else {
		for i < len(toks) && (toks[i].is("analyze") || toks[i].is("analyse") || toks[i].is("verbose")) {
			if !toks[i].is("verbose") {
				analyze = true
			}
			i++
		}
	}
	if i >= len(toks) {
		return parts{}, sp.endError(toks, "")
	}
	inner, err := sp.structure(toks[i:])
	if err != nil {
		return parts{}, err
	}
	head := []token{toks[0]}
	if analyze {
		head = append(head, raw("analyze", toks[0]))
	}
	inner.main = append(head, inner.main...)
	return inner, nil
}

// isTrueWord reports whether t is a true boolean option value.
func isTrueWord(t token) bool {
	switch t.val {
	case "true", "on", "1", "yes":
		return true
	}
	return false
}

// syntaxAt is a 42601 error at toks[i], or at the end when i is past it.
func (sp *stmtParse) syntaxAt(toks []token, i int) error {
	if i >= len(toks) {
		return sp.endError(toks, "")
	}
	return sp.tokenError(toks[i])
}

// errAt is an error with a code and message positioned at t.
func (sp *stmtParse) errAt(code sqlerr.Code, t token, format string, args ...any) *sqlerr.Error {
	e := sqlerr.New(code, format, args...)
	e.Position = charPos(sp.src, t.pos)
	return e
}
