package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/chronos-db/chronos/engine/dialect"
	"github.com/chronos-db/chronos/engine/expr"
	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/storage"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/format"
)

// DDL statements become storage commands proposed through the Log like
// writes; Apply checks them against the catalog as of their log position
// (a table created meanwhile, a name taken) and reports PostgreSQL's
// errors. The engine validates what it can first, so most errors come
// without a round trip.

// ddl proposes a DDL command and turns its result into the statement's.
func (s *Session) ddl(ctx context.Context, cmd storage.Command, tag string) (Result, error) {
	res, err := s.db.propose(ctx, cmd)
	if err != nil {
		return Result{}, err
	}
	if res.Err != nil {
		return Result{}, res.Err
	}
	return Result{Tag: tag, Notices: res.Notices}, nil
}

// restoreFlags render expressions back to SQL text the dialect reads.
const restoreFlags = format.RestoreStringSingleQuotes | format.RestoreKeyWordLowercase |
	format.RestoreNameDoubleQuotes | format.RestoreStringWithoutCharset | format.RestoreSpacesAroundBinaryOperation

// exprText renders an expression as SQL text.
func exprText(e ast.ExprNode) (string, error) {
	var sb strings.Builder
	if err := e.Restore(format.NewRestoreCtx(restoreFlags, &sb)); err != nil {
		return "", sqlerr.New(sqlerr.FeatureNotSupported, "cannot store expression: %v", err)
	}
	return sb.String(), nil
}

// parseExprText parses SQL text holding one expression (a stored DEFAULT).
func parseExprText(text string) (ast.ExprNode, error) {
	stmts, err := dialect.Parse("SELECT " + text)
	if err != nil {
		return nil, err
	}
	if len(stmts) != 1 {
		return nil, sqlerr.New(sqlerr.SyntaxError, "invalid expression %q", text)
	}
	sel, ok := stmts[0].AST.(*ast.SelectStmt)
	if !ok || sel.Fields == nil || len(sel.Fields.Fields) != 1 || sel.Fields.Fields[0].Expr == nil || sel.From != nil {
		return nil, sqlerr.New(sqlerr.SyntaxError, "invalid expression %q", text)
	}
	return sel.Fields.Fields[0].Expr, nil
}

// compileDefault compiles a column's stored DEFAULT text.
func compileDefault(col storage.Column) (expr.Expr, error) {
	e, err := parseExprText(col.Default)
	if err != nil {
		return nil, err
	}
	b := &builder{params: &expr.Params{}}
	return b.compileAs(&scope{aggClause: "DEFAULT expressions"}, e, col.Type)
}

// tableDefBuilder collects a CREATE TABLE's columns and constraints.
type tableDefBuilder struct {
	def  storage.TableDef
	pk   *storage.Index
	null map[int]bool // columns declared NULL explicitly
}

// columnDef converts one column definition, adding its column
// constraints (PRIMARY KEY, UNIQUE) to tb.
func (tb *tableDefBuilder) columnDef(cd *ast.ColumnDef, pos int) (storage.Column, error) {
	t, serial, err := dialect.ColumnType(cd.Tp)
	if err != nil {
		return storage.Column{}, err
	}
	col := storage.Column{Name: cd.Name.Name.O, Type: t, Serial: serial}
	if serial {
		col.NotNull = true
	}
	for _, o := range cd.Options {
		switch o.Tp {
		case ast.ColumnOptionPrimaryKey:
			if tb.pk != nil {
				return col, sqlerr.New(sqlerr.InvalidTableDefinition, "multiple primary keys for table \"%s\" are not allowed", tb.def.Name)
			}
			tb.pk = &storage.Index{Columns: []int{pos}, Unique: true, Primary: true, Constraint: true}
			col.NotNull = true
		case ast.ColumnOptionNotNull:
			if tb.null[pos] {
				return col, sqlerr.New(sqlerr.SyntaxError, "conflicting NULL/NOT NULL declarations for column \"%s\" of table \"%s\"", col.Name, tb.def.Name)
			}
			col.NotNull = true
		case ast.ColumnOptionNull:
			if col.NotNull && !serial {
				return col, sqlerr.New(sqlerr.SyntaxError, "conflicting NULL/NOT NULL declarations for column \"%s\" of table \"%s\"", col.Name, tb.def.Name)
			}
			if tb.null == nil {
				tb.null = map[int]bool{}
			}
			tb.null[pos] = true
		case ast.ColumnOptionDefaultValue:
			if serial {
				return col, sqlerr.New(sqlerr.SyntaxError, "multiple default values specified for column \"%s\" of table \"%s\"", col.Name, tb.def.Name)
			}
			text, err := exprText(o.Expr)
			if err != nil {
				return col, err
			}
			col.Default = text
			if _, err := compileDefault(col); err != nil {
				return col, err
			}
		case ast.ColumnOptionUniqKey:
			tb.def.Indexes = append(tb.def.Indexes, storage.Index{Columns: []int{pos}, Unique: true, Constraint: true})
		case ast.ColumnOptionAutoIncrement, ast.ColumnOptionComment, ast.ColumnOptionCollate, ast.ColumnOptionNoOption:
			// AUTO_INCREMENT comes with the serial types; comments and
			// collations are accepted and ignored.
		case ast.ColumnOptionReference:
			return col, sqlerr.New(sqlerr.FeatureNotSupported, "foreign keys are not supported")
		case ast.ColumnOptionCheck:
			return col, sqlerr.New(sqlerr.FeatureNotSupported, "CHECK constraints are not supported")
		case ast.ColumnOptionGenerated:
			return col, sqlerr.New(sqlerr.FeatureNotSupported, "generated columns are not supported")
		default:
			return col, sqlerr.New(sqlerr.FeatureNotSupported, "column option is not supported")
		}
	}
	return col, nil
}

// keyColumns resolves the columns of a PRIMARY KEY, UNIQUE or index.
func keyColumns(cols []storage.Column, table string, keys []*ast.IndexPartSpecification) ([]int, error) {
	var out []int
	for _, k := range keys {
		if k.Expr != nil || k.Column == nil {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "indexes on expressions are not supported")
		}
		pos := -1
		for i, c := range cols {
			if c.Name == k.Column.Name.O {
				pos = i
			}
		}
		if pos < 0 {
			return nil, sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" named in key does not exist", k.Column.Name.O)
		}
		if containsInt(out, pos) {
			return nil, sqlerr.New(sqlerr.DuplicateColumn, "column \"%s\" appears twice in primary key constraint", k.Column.Name.O)
		}
		out = append(out, pos)
	}
	return out, nil
}

// constraint adds a table constraint.
func (tb *tableDefBuilder) constraint(c *ast.Constraint) error {
	switch c.Tp {
	case ast.ConstraintPrimaryKey:
		if tb.pk != nil {
			return sqlerr.New(sqlerr.InvalidTableDefinition, "multiple primary keys for table \"%s\" are not allowed", tb.def.Name)
		}
		cols, err := keyColumns(tb.def.Columns, tb.def.Name, c.Keys)
		if err != nil {
			return err
		}
		tb.pk = &storage.Index{Name: c.Name, Columns: cols, Unique: true, Primary: true, Constraint: true}
		for _, p := range cols {
			tb.def.Columns[p].NotNull = true
		}
	case ast.ConstraintUniq, ast.ConstraintUniqKey, ast.ConstraintUniqIndex:
		cols, err := keyColumns(tb.def.Columns, tb.def.Name, c.Keys)
		if err != nil {
			return err
		}
		tb.def.Indexes = append(tb.def.Indexes, storage.Index{Name: c.Name, Columns: cols, Unique: true, Constraint: true})
	case ast.ConstraintIndex, ast.ConstraintKey:
		cols, err := keyColumns(tb.def.Columns, tb.def.Name, c.Keys)
		if err != nil {
			return err
		}
		tb.def.Indexes = append(tb.def.Indexes, storage.Index{Name: c.Name, Columns: cols})
	case ast.ConstraintForeignKey:
		return sqlerr.New(sqlerr.FeatureNotSupported, "foreign keys are not supported")
	case ast.ConstraintCheck:
		return sqlerr.New(sqlerr.FeatureNotSupported, "CHECK constraints are not supported")
	default:
		return sqlerr.New(sqlerr.FeatureNotSupported, "this kind of constraint is not supported")
	}
	return nil
}

// createTable runs CREATE TABLE.
func (s *Session) createTable(ctx context.Context, n *ast.CreateTableStmt) (Result, error) {
	if err := checkSchema(n.Table); err != nil {
		return Result{}, err
	}
	if n.ReferTable != nil {
		return Result{}, sqlerr.New(sqlerr.FeatureNotSupported, "CREATE TABLE ... LIKE is not supported")
	}
	if n.Select != nil {
		return Result{}, sqlerr.New(sqlerr.FeatureNotSupported, "CREATE TABLE ... AS is not supported")
	}
	tb := &tableDefBuilder{def: storage.TableDef{Name: n.Table.Name.O}}
	seen := map[string]bool{}
	for i, cd := range n.Cols {
		if seen[cd.Name.Name.O] {
			return Result{}, sqlerr.New(sqlerr.DuplicateColumn, "column \"%s\" specified more than once", cd.Name.Name.O)
		}
		seen[cd.Name.Name.O] = true
		col, err := tb.columnDef(cd, i)
		if err != nil {
			return Result{}, err
		}
		tb.def.Columns = append(tb.def.Columns, col)
	}
	// Column-level NOT NULL came before a later PRIMARY KEY constraint;
	// apply the primary key's NOT NULL to the collected columns too.
	if tb.pk != nil {
		for _, p := range tb.pk.Columns {
			tb.def.Columns[p].NotNull = true
		}
	}
	for _, c := range n.Constraints {
		if err := tb.constraint(c); err != nil {
			return Result{}, err
		}
	}
	if tb.pk != nil {
		tb.def.Indexes = append([]storage.Index{*tb.pk}, tb.def.Indexes...)
	}
	if n.IfNotExists {
		if _, ok := lookupTable(s.db.Snapshot(), tb.def.Name); ok {
			return Result{Tag: "CREATE TABLE", Notices: []string{fmt.Sprintf("relation \"%s\" already exists, skipping", tb.def.Name)}}, nil
		}
	}
	return s.ddl(ctx, &storage.CreateTable{Def: tb.def, IfNotExists: n.IfNotExists}, "CREATE TABLE")
}

// dropTable runs DROP TABLE and DROP VIEW.
func (s *Session) dropTable(ctx context.Context, n *ast.DropTableStmt) (Result, error) {
	var names []string
	for _, t := range n.Tables {
		if err := checkSchema(t); err != nil {
			if n.IfExists {
				continue
			}
			return Result{}, err
		}
		names = append(names, s.relationName(t.Name.O))
	}
	if n.IsView {
		return s.ddl(ctx, &storage.DropView{Names: names, IfExists: n.IfExists}, "DROP VIEW")
	}
	return s.ddl(ctx, &storage.DropTable{Names: names, IfExists: n.IfExists}, "DROP TABLE")
}

// relationName returns the catalog name of a relation written in a
// statement (they are the same: the dialect folds identifiers).
func (s *Session) relationName(name string) string {
	return name
}

// truncate runs TRUNCATE.
func (s *Session) truncate(ctx context.Context, t *dialect.Truncate) (Result, error) {
	var names []string
	snap := s.db.Snapshot()
	for _, name := range t.Tables {
		tab, ok := lookupTable(snap, name)
		if !ok {
			return Result{}, sqlerr.New(sqlerr.UndefinedTable, "relation \"%s\" does not exist", name)
		}
		names = append(names, tab.Name())
	}
	return s.ddl(ctx, &storage.Truncate{Names: names, RestartIdentity: t.RestartIdentity}, "TRUNCATE TABLE")
}

// createIndex runs CREATE [UNIQUE] INDEX.
func (s *Session) createIndex(ctx context.Context, n *ast.CreateIndexStmt) (Result, error) {
	if err := checkSchema(n.Table); err != nil {
		return Result{}, err
	}
	t, ok := lookupTable(s.db.Snapshot(), n.Table.Name.O)
	if !ok {
		return Result{}, sqlerr.New(sqlerr.UndefinedTable, "relation \"%s\" does not exist", n.Table.Name.O)
	}
	def := t.Def()
	cols, err := keyColumns(def.Columns, def.Name, n.IndexPartSpecifications)
	if err != nil {
		if e := sqlerr.As(err); e != nil && e.Code == sqlerr.UndefinedColumn {
			for _, k := range n.IndexPartSpecifications {
				if k.Column != nil && def.ColumnIndex(k.Column.Name.O) < 0 {
					return Result{}, sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" does not exist", k.Column.Name.O)
				}
			}
		}
		return Result{}, err
	}
	ix := storage.Index{Name: n.IndexName, Columns: cols, Unique: n.KeyType == ast.IndexKeyTypeUnique}
	switch n.KeyType {
	case ast.IndexKeyTypeNone, ast.IndexKeyTypeUnique:
	default:
		return Result{}, sqlerr.New(sqlerr.FeatureNotSupported, "this kind of index is not supported")
	}
	return s.ddl(ctx, &storage.CreateIndex{Table: def.Name, Index: ix, IfNotExists: n.IfNotExists}, "CREATE INDEX")
}

// dropIndexes runs DROP INDEX.
func (s *Session) dropIndexes(ctx context.Context, names []string, ifExists bool) (Result, error) {
	var out []string
	for _, n := range names {
		out = append(out, s.relationName(n))
	}
	return s.ddl(ctx, &storage.DropIndex{Names: out, IfExists: ifExists}, "DROP INDEX")
}

// createView runs CREATE [OR REPLACE] VIEW, checking the query plans.
func (s *Session) createView(ctx context.Context, n *ast.CreateViewStmt) (Result, error) {
	if err := checkSchema(n.ViewName); err != nil {
		return Result{}, err
	}
	text := strings.TrimSpace(n.Select.Text())
	if text == "" {
		return Result{}, sqlerr.New(sqlerr.InternalError, "the view's query text is missing")
	}
	b := newBuilder(s, s.db.Snapshot(), nil)
	node, err := b.buildQuery(nil, nil, n.Select)
	if err != nil {
		return Result{}, err
	}
	if b.params != nil && len(b.params.Types) > 0 {
		return Result{}, sqlerr.New(sqlerr.UndefinedParameter, "there is no parameter $1")
	}
	var cols []string
	for _, c := range node.columns() {
		if !c.hidden {
			cols = append(cols, c.name)
		}
	}
	if len(n.Cols) > len(cols) {
		return Result{}, sqlerr.New(sqlerr.SyntaxError, "CREATE VIEW specifies more column names than columns")
	}
	for i, c := range n.Cols {
		cols[i] = c.O
	}
	seen := map[string]bool{}
	for _, c := range cols {
		if seen[c] {
			return Result{}, sqlerr.New(sqlerr.DuplicateColumn, "column \"%s\" specified more than once", c)
		}
		seen[c] = true
	}
	var deps []string
	for _, d := range b.deps.tables {
		deps = append(deps, d.Name)
	}
	for _, v := range b.deps.views {
		deps = append(deps, v.Name)
	}
	def := storage.ViewDef{Name: n.ViewName.Name.O, Query: text, Columns: cols, DependsOn: deps}
	return s.ddl(ctx, &storage.CreateView{Def: def, OrReplace: n.OrReplace}, "CREATE VIEW")
}

// alterTable runs ALTER TABLE: each action is its own command.
func (s *Session) alterTable(ctx context.Context, n *ast.AlterTableStmt) (Result, error) {
	if err := checkSchema(n.Table); err != nil {
		return Result{}, err
	}
	res := Result{Tag: "ALTER TABLE"}
	for _, spec := range n.Specs {
		t, ok := lookupTable(s.db.Snapshot(), n.Table.Name.O)
		if !ok {
			return Result{}, sqlerr.New(sqlerr.UndefinedTable, "relation \"%s\" does not exist", n.Table.Name.O)
		}
		def := t.Def()
		var cmd storage.Command
		switch spec.Tp {
		case ast.AlterTableAddColumns:
			if len(spec.NewConstraints) > 0 {
				return Result{}, sqlerr.New(sqlerr.FeatureNotSupported, "this form of ALTER TABLE ADD is not supported")
			}
			for _, cd := range spec.NewColumns {
				c, err := s.addColumnCommand(ctx, def, cd, spec.IfNotExists)
				if err != nil {
					return Result{}, err
				}
				r, err := s.ddl(ctx, c, "ALTER TABLE")
				if err != nil {
					return Result{}, err
				}
				res.Notices = append(res.Notices, r.Notices...)
			}
			continue
		case ast.AlterTableDropColumn:
			cmd = &storage.DropColumn{Table: def.Name, Column: spec.OldColumnName.Name.O, IfExists: spec.IfExists}
		case ast.AlterTableAddConstraint:
			c := spec.Constraint
			switch c.Tp {
			case ast.ConstraintPrimaryKey:
				cols, err := keyColumns(def.Columns, def.Name, c.Keys)
				if err != nil {
					return Result{}, err
				}
				if def.PrimaryKey() >= 0 {
					return Result{}, sqlerr.New(sqlerr.InvalidTableDefinition, "multiple primary keys for table \"%s\" are not allowed", def.Name)
				}
				cmd = &storage.AddPrimaryKey{Table: def.Name, Name: c.Name, Columns: cols}
			case ast.ConstraintUniq, ast.ConstraintUniqKey, ast.ConstraintUniqIndex:
				cols, err := keyColumns(def.Columns, def.Name, c.Keys)
				if err != nil {
					return Result{}, err
				}
				cmd = &storage.CreateIndex{Table: def.Name, Index: storage.Index{Name: c.Name, Columns: cols, Unique: true, Constraint: true}}
			case ast.ConstraintForeignKey:
				return Result{}, sqlerr.New(sqlerr.FeatureNotSupported, "foreign keys are not supported")
			case ast.ConstraintCheck:
				return Result{}, sqlerr.New(sqlerr.FeatureNotSupported, "CHECK constraints are not supported")
			default:
				return Result{}, sqlerr.New(sqlerr.FeatureNotSupported, "this kind of constraint is not supported")
			}
		default:
			return Result{}, sqlerr.New(sqlerr.FeatureNotSupported, "this form of ALTER TABLE is not supported")
		}
		r, err := s.ddl(ctx, cmd, "ALTER TABLE")
		if err != nil {
			return Result{}, err
		}
		res.Notices = append(res.Notices, r.Notices...)
	}
	return res, nil
}

// addColumnCommand builds ALTER TABLE ADD COLUMN: the default is evaluated
// here, once, and fills the existing rows.
func (s *Session) addColumnCommand(ctx context.Context, def *storage.TableDef, cd *ast.ColumnDef, ifNotExists bool) (*storage.AddColumn, error) {
	tb := &tableDefBuilder{def: storage.TableDef{Name: def.Name, Columns: def.Columns}}
	pos := len(def.Columns)
	col, err := tb.columnDef(cd, pos)
	if err != nil {
		return nil, err
	}
	if def.ColumnIndex(col.Name) >= 0 && !ifNotExists {
		return nil, sqlerr.New(sqlerr.DuplicateColumn, "column \"%s\" of relation \"%s\" already exists", col.Name, def.Name)
	}
	c := &storage.AddColumn{Table: def.Name, Column: col, IfNotExists: ifNotExists}
	if tb.pk != nil {
		if def.PrimaryKey() >= 0 {
			return nil, sqlerr.New(sqlerr.InvalidTableDefinition, "multiple primary keys for table \"%s\" are not allowed", def.Name)
		}
		c.Indexes = append(c.Indexes, *tb.pk)
	}
	c.Indexes = append(c.Indexes, tb.def.Indexes...)
	if col.Default != "" {
		e, err := compileDefault(col)
		if err != nil {
			return nil, err
		}
		st := newExecState(ctx, s, s.db.Snapshot(), nil)
		v, err := e.Eval(&st.ectx, nil)
		if err != nil {
			return nil, err
		}
		c.Fill = v
	}
	if col.NotNull && c.Fill == nil && !col.Serial {
		if t, ok := s.db.Snapshot().Table(def.Name); ok && t.Len() > 0 {
			return nil, sqlerr.New(sqlerr.NotNullViolation, "column \"%s\" of relation \"%s\" contains null values", col.Name, def.Name)
		}
	}
	return c, nil
}

// valueText formats a literal from the parser as SET takes it.
func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}
