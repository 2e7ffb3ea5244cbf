package engine

import (
	"github.com/chronos-db/chronos/engine/expr"
	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/storage"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// builder turns one statement's AST into a plan, reading the catalog of
// one snapshot. It is used once and thrown away.
type builder struct {
	session *Session
	snap    *storage.Snapshot
	// params collects the parameter types: given by the client or
	// inferred while compiling.
	params *expr.Params
	// deps are the catalog objects the plan was built against; a plan
	// whose dependencies changed is rebuilt.
	deps planDeps
	// ctes are the WITH queries visible while building, innermost last.
	ctes []map[string]*cteDef
	// viewDepth guards against views that refer to themselves.
	viewDepth int
	// subqueries counts the subqueries planned, so a write can tell
	// whether its values read tables.
	subqueries int
}

// cteDef is one WITH query.
type cteDef struct {
	name    string
	query   ast.ResultSetNode
	columns []string
	parent  *scope
}

func newBuilder(s *Session, snap *storage.Snapshot, params *expr.Params) *builder {
	if params == nil {
		params = &expr.Params{}
	}
	return &builder{session: s, snap: snap, params: params}
}

// table looks a table up by the name written in a statement.
func (b *builder) table(name *ast.TableName) (*storage.Table, error) {
	if err := checkSchema(name); err != nil {
		return nil, err
	}
	t, ok := lookupTable(b.snap, name.Name.O)
	if !ok {
		return nil, sqlerr.New(sqlerr.UndefinedTable, "relation \"%s\" does not exist", name.Name.O)
	}
	b.deps.addTable(t.Def())
	return t, nil
}

// checkSchema accepts names in the public schema only.
func checkSchema(name *ast.TableName) error {
	switch name.Schema.L {
	case "", "public":
		return nil
	}
	return sqlerr.New(sqlerr.UndefinedTable, "relation \"%s.%s\" does not exist", name.Schema.O, name.Name.O)
}
