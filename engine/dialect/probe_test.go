package dialect

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/pingcap/tidb/pkg/parser/format"
)

func TestProbe(t *testing.T) {
	data, _ := os.ReadFile("/tmp/probe.sql")
	for _, q := range strings.Split(string(data), "\n") {
		if q == "" {
			continue
		}
		text, err := rewriteSQL(t, q)
		fmt.Printf("%s\n   => %s  %v\n", q, text, err)
		stmts, err := Parse(q)
		if err != nil {
			fmt.Printf("   ERR %#v\n", err)
			continue
		}
		for _, s := range stmts {
			if s.AST != nil {
				var sb strings.Builder
				s.AST.Restore(format.NewRestoreCtx(format.DefaultRestoreFlags, &sb))
				fmt.Printf("   AST %s  params=%d\n", sb.String(), s.NumParams)
			} else {
				fmt.Printf("   SPECIAL %#v\n", s.Special)
			}
		}
	}
}
