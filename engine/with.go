package engine

import (
	"github.com/chronos-db/chronos/engine/dialect"
	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/storage"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// pushWith makes a WITH clause's queries visible to the query it belongs
// to. Each reference plans the query again, as a derived table
// (non-recursive CTEs only).
func (b *builder) pushWith(parent *scope, w *ast.WithClause) error {
	if w.IsRecursive {
		return sqlerr.New(sqlerr.FeatureNotSupported, "WITH RECURSIVE is not supported")
	}
	m := map[string]*cteDef{}
	b.ctes = append(b.ctes, m)
	for _, c := range w.CTEs {
		if _, dup := m[c.Name.L]; dup {
			return sqlerr.New(sqlerr.DuplicateAlias, "WITH query name \"%s\" specified more than once", c.Name.O)
		}
		d := &cteDef{name: c.Name.O, query: c.Query.Query, parent: parent}
		for _, n := range c.ColNameList {
			d.columns = append(d.columns, n.O)
		}
		m[c.Name.L] = d
	}
	return nil
}

// popWith ends the innermost WITH clause's visibility.
func (b *builder) popWith() {
	b.ctes = b.ctes[:len(b.ctes)-1]
}

// lookupCTE finds a WITH query by the table name a FROM item uses.
func (b *builder) lookupCTE(name *ast.TableName) *cteDef {
	if name.Schema.O != "" {
		return nil
	}
	for i := len(b.ctes) - 1; i >= 0; i-- {
		if d, ok := b.ctes[i][name.Name.L]; ok {
			return d
		}
	}
	return nil
}

// collectCTE plans a reference to a WITH query.
func (b *builder) collectCTE(q *scope, d *cteDef, alias string, names []ast.CIStr) (*fromTree, error) {
	if alias == "" {
		alias = d.name
	}
	// The CTE's own body sees only the WITH clauses around it.
	saved := b.ctes
	for i := len(b.ctes) - 1; i >= 0; i-- {
		if b.ctes[i][types.FoldASCII(d.name)] == d {
			b.ctes = b.ctes[:i+1]
			break
		}
	}
	node, err := b.buildQuery(d.parent, q.sub, d.query)
	b.ctes = saved
	if err != nil {
		return nil, err
	}
	tree, err := derivedTree(node, alias, nil)
	if err != nil {
		return nil, err
	}
	if err := renameColumns(tree.cols, cteNames(d.columns), alias); err != nil {
		return nil, err
	}
	if err := renameColumns(tree.cols, names, alias); err != nil {
		return nil, err
	}
	return tree, nil
}

func cteNames(cols []string) []ast.CIStr {
	out := make([]ast.CIStr, len(cols))
	for i, c := range cols {
		out[i] = ast.NewCIStr(c)
	}
	return out
}

// parseViewQuery parses a view's stored query.
func parseViewQuery(v *storage.ViewDef) (ast.ResultSetNode, error) {
	stmts, err := dialect.Parse(v.Query)
	if err != nil {
		return nil, sqlerr.New(sqlerr.InternalError, "view \"%s\" has an invalid query: %v", v.Name, err)
	}
	if len(stmts) != 1 {
		return nil, sqlerr.New(sqlerr.InternalError, "view \"%s\" has an invalid query", v.Name)
	}
	q, ok := stmts[0].AST.(ast.ResultSetNode)
	if !ok {
		return nil, sqlerr.New(sqlerr.InternalError, "view \"%s\" has an invalid query", v.Name)
	}
	return q, nil
}

// planDeps are the catalog objects a plan was built against.
type planDeps struct {
	tables []*storage.TableDef
	views  []*storage.ViewDef
}

func (d *planDeps) addTable(def *storage.TableDef) {
	for _, t := range d.tables {
		if t == def {
			return
		}
	}
	d.tables = append(d.tables, def)
}

func (d *planDeps) addView(v *storage.ViewDef) {
	for _, x := range d.views {
		if x == v {
			return
		}
	}
	d.views = append(d.views, v)
}

// valid reports whether every dependency is unchanged in snap.
func (d *planDeps) valid(snap *storage.Snapshot) bool {
	for _, def := range d.tables {
		t, ok := snap.Table(def.Name)
		if !ok || t.Def() != def {
			return false
		}
	}
	for _, v := range d.views {
		x, ok := snap.View(v.Name)
		if !ok || x != v {
			return false
		}
	}
	return true
}
