package dialect

import (
	"testing"
)

// rewriteSQL returns the text the TiDB parser is given for the single
// statement sql (its main part, without RETURNING or ON CONFLICT), without
// parsing it.
func rewriteSQL(t testing.TB, sql string) (string, error) {
	t.Helper()
	toks, err := lex(sql)
	if err != nil {
		return "", err
	}
	sp := &stmtParse{compiler: &compiler{src: sql}, end: len(sql)}
	p, err := sp.structure(toks)
	if err != nil {
		return "", err
	}
	r := newRewriter(sql, len(sql))
	if err := r.expr(p.main); err != nil {
		return "", err
	}
	text, _ := render(r.out)
	return text, nil
}
