package dialect

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/format"
)

func TestProbe(t *testing.T) {
	data, _ := os.ReadFile("/tmp/probe.sql")
	p := parser.New()
	p.SetSQLMode(sqlMode)
	for _, q := range strings.Split(string(data), "\n") {
		if q == "" {
			continue
		}
		nodes, _, err := p.ParseSQL(q)
		if err != nil {
			fmt.Printf("%-50s ERR %v\n", q, err)
			continue
		}
		for _, n := range nodes {
			var sb strings.Builder
			n.Restore(format.NewRestoreCtx(format.DefaultRestoreFlags, &sb))
			fmt.Printf("%-50s OK  %s\n", q, sb.String())
			if ct, ok := n.(*ast.CreateTableStmt); ok {
				for _, c := range ct.Cols {
					ft := c.Tp
					fmt.Printf("    col %s tp=%d flen=%d dec=%d flag=%x cs=%q coll=%q\n", c.Name.Name.O, ft.GetType(), ft.GetFlen(), ft.GetDecimal(), ft.GetFlag(), ft.GetCharset(), ft.GetCollate())
				}
			}
		}
	}
}
