package engine

import (
	"strings"
	"testing"

	"github.com/chronos-db/chronos/engine/dialect"
)

func TestRedactedText(t *testing.T) {
	for _, sql := range []string{
		"CREATE USER alice WITH PASSWORD 'hunter2'",
		"ALTER ROLE alice PASSWORD 'hunter2'",
	} {
		stmts, err := dialect.Parse(sql)
		if err != nil {
			t.Fatal(err)
		}
		if got := redactedText(stmts[0]); strings.Contains(got, "hunter2") {
			t.Errorf("%s logged as %q", sql, got)
		}
	}
	stmts, _ := dialect.Parse("SELECT 'hunter2'")
	if got := redactedText(stmts[0]); got != "SELECT 'hunter2'" {
		t.Errorf("other statements keep their text: %q", got)
	}
}

func TestBareModify(t *testing.T) {
	tests := []struct {
		sql  string
		bare bool
	}{
		{"DELETE FROM t", true},
		{"DELETE FROM t WHERE a = 1", false},
		{"UPDATE t SET a = 1", true},
		{"UPDATE t SET a = a + 1", false},
		{"UPDATE t SET a = 1 WHERE b = 2", false},
	}
	for _, tt := range tests {
		stmts, err := dialect.Parse(tt.sql)
		if err != nil {
			t.Fatal(err)
		}
		if got := bareModify(stmts[0].AST); got != tt.bare {
			t.Errorf("%s: bareModify = %v, want %v", tt.sql, got, tt.bare)
		}
	}
}
