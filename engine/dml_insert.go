package engine

import (
	"context"
	"slices"

	"github.com/chronos-db/chronos/engine/dialect"
	"github.com/chronos-db/chronos/engine/expr"
	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/storage"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// insertPlan is a planned INSERT.
type insertPlan struct {
	def  *storage.TableDef
	deps planDeps
	// rows are the VALUES rows: one expression per table column, nil for
	// a column whose value comes from its sequence or is NULL.
	rows [][]expr.Expr
	// serial lists, per VALUES row, the columns filled by their sequence.
	serial [][]int
	// query is the SELECT of INSERT ... SELECT, its columns going to
	// targets; the other columns get their defaults.
	query   planNode
	targets []int
	// reads is set when the values read tables (subqueries), so the
	// insert waits for a linearizable read like a query.
	reads    bool
	defaults []expr.Expr
	ret      *returning
	conflict *conflictPlan
}

// conflictPlan is ON CONFLICT.
type conflictPlan struct {
	// indexes are the unique indexes whose conflicts are handled.
	indexes []int
	// doNothing skips conflicting rows; otherwise sets and where update
	// the existing row, evaluated over its values followed by the proposed
	// row's (excluded.*).
	doNothing bool
	sets      []setColumn
	where     expr.Expr
}

// setColumn is one assignment of UPDATE or ON CONFLICT DO UPDATE.
type setColumn struct {
	col int
	e   expr.Expr
}

func (p *insertPlan) columns() []Column { return returningColumns(p.ret) }

// planInsert plans INSERT.
func (b *builder) planInsert(st *dialect.Statement, n *ast.InsertStmt) (stmtPlan, error) {
	switch {
	case n.IsReplace:
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "REPLACE is not supported")
	case n.Setlist:
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "INSERT ... SET is not supported")
	case len(n.OnDuplicate) > 0:
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "ON DUPLICATE KEY UPDATE is not supported; use ON CONFLICT")
	case n.IgnoreErr:
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "INSERT IGNORE is not supported; use ON CONFLICT DO NOTHING")
	}
	t, alias, err := b.targetTable(n.Table, "insert into")
	if err != nil {
		return nil, err
	}
	def := t.Def()
	p := &insertPlan{def: def}
	explicit := len(n.Columns) > 0
	if explicit {
		seen := map[int]bool{}
		for _, c := range n.Columns {
			pos := columnPos(def, c.Name.O)
			if pos < 0 {
				return nil, sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", c.Name.O, def.Name)
			}
			if seen[pos] {
				return nil, sqlerr.New(sqlerr.DuplicateColumn, "column \"%s\" specified more than once", c.Name.O)
			}
			seen[pos] = true
			p.targets = append(p.targets, pos)
		}
	} else {
		for i := range def.Columns {
			p.targets = append(p.targets, i)
		}
	}
	p.defaults = make([]expr.Expr, len(def.Columns))
	for i, c := range def.Columns {
		if c.Default != "" {
			e, err := compileDefault(c)
			if err != nil {
				return nil, err
			}
			p.defaults[i] = e
		}
	}
	vs := &scope{aggClause: "VALUES"}
	switch {
	case n.Select != nil:
		node, err := b.buildQuery(nil, nil, n.Select)
		if err != nil {
			return nil, err
		}
		cols := resultColumns(node.columns())
		if len(cols) > len(p.targets) {
			return nil, sqlerr.New(sqlerr.SyntaxError, "INSERT has more expressions than target columns")
		}
		if explicit && len(cols) < len(p.targets) {
			return nil, sqlerr.New(sqlerr.SyntaxError, "INSERT has more target columns than expressions")
		}
		p.targets = p.targets[:len(cols)]
		for i, c := range cols {
			col := def.Columns[p.targets[i]]
			if !c.Type.IsUnknown() && !types.CanCast(c.Type, col.Type, types.CastAssignment) {
				return nil, sqlerr.New(sqlerr.DatatypeMismatch, "column \"%s\" is of type %s but expression is of type %s", col.Name, col.Type.String(), c.Type.String()).
					WithHint("You will need to rewrite or cast the expression.")
			}
		}
		p.query = node
	default:
		for _, list := range n.Lists {
			if len(list) > len(p.targets) {
				return nil, sqlerr.New(sqlerr.SyntaxError, "INSERT has more expressions than target columns")
			}
			if explicit && len(list) < len(p.targets) {
				return nil, sqlerr.New(sqlerr.SyntaxError, "INSERT has more target columns than expressions")
			}
			row := make([]expr.Expr, len(def.Columns))
			given := make([]bool, len(def.Columns))
			for i, e := range list {
				pos := p.targets[i]
				given[pos] = true
				if _, isDefault := e.(*ast.DefaultExpr); isDefault {
					given[pos] = false
					continue
				}
				c, err := b.compileAssign(vs, e, def.Columns[pos].Type, def.Columns[pos].Name)
				if err != nil {
					return nil, err
				}
				row[pos] = c
			}
			var serial []int
			for i, c := range def.Columns {
				if given[i] {
					continue
				}
				switch {
				case c.Serial:
					serial = append(serial, i)
				case p.defaults[i] != nil:
					row[i] = p.defaults[i]
				}
			}
			p.rows = append(p.rows, row)
			p.serial = append(p.serial, serial)
		}
	}
	ts := &scope{cols: tableColumns(def, alias)}
	if p.ret, err = b.buildReturning(st.Returning, ts); err != nil {
		return nil, err
	}
	if st.OnConflict != nil {
		if p.conflict, err = b.planConflict(def, alias, st.OnConflict); err != nil {
			return nil, err
		}
	}
	p.deps = b.deps
	p.reads = b.subqueries > 0
	return p, nil
}

// columnPos finds a column by the name written in a statement.
func columnPos(def *storage.TableDef, name string) int {
	return def.ColumnIndex(name)
}

// planConflict plans ON CONFLICT.
func (b *builder) planConflict(def *storage.TableDef, alias string, oc *dialect.OnConflict) (*conflictPlan, error) {
	cp := &conflictPlan{doNothing: oc.DoNothing}
	if oc.Constraint != "" {
		i := def.IndexByName(oc.Constraint)
		if i < 0 || !def.Indexes[i].Unique {
			return nil, sqlerr.New(sqlerr.UndefinedObject, "constraint \"%s\" for table \"%s\" does not exist", oc.Constraint, def.Name)
		}
		cp.indexes = append(cp.indexes, i)
	} else if len(oc.Columns) > 0 {
		var want []int
		for _, c := range oc.Columns {
			pos := columnPos(def, c)
			if pos < 0 {
				return nil, sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" does not exist", c)
			}
			want = append(want, pos)
		}
		for i, ix := range def.Indexes {
			if ix.Unique && sameIntSet(ix.Columns, want) {
				cp.indexes = append(cp.indexes, i)
				break
			}
		}
		if len(cp.indexes) == 0 {
			return nil, sqlerr.New(sqlerr.InvalidColumnReference, "there is no unique or exclusion constraint matching the ON CONFLICT specification")
		}
	} else {
		if !oc.DoNothing {
			return nil, sqlerr.New(sqlerr.SyntaxError, "ON CONFLICT DO UPDATE requires inference specification or constraint name").
				WithHint("For example, ON CONFLICT (column_name).")
		}
		for i, ix := range def.Indexes {
			if ix.Unique {
				cp.indexes = append(cp.indexes, i)
			}
		}
	}
	if oc.DoNothing {
		return cp, nil
	}
	cols := append(tableColumns(def, alias), tableColumns(def, "excluded")...)
	for i := len(def.Columns); i < len(cols); i++ {
		cols[i].tableOID, cols[i].attNum = 0, 0
	}
	s := &scope{cols: cols, aggClause: "ON CONFLICT"}
	for _, a := range oc.Set {
		pos := columnPos(def, a.Column.Name.O)
		if pos < 0 {
			return nil, sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", a.Column.Name.O, def.Name)
		}
		var e expr.Expr
		var err error
		if _, isDefault := a.Expr.(*ast.DefaultExpr); isDefault {
			e, err = defaultExpr(def, pos)
		} else {
			e, err = b.compileAssign(s, a.Expr, def.Columns[pos].Type, def.Columns[pos].Name)
		}
		if err != nil {
			return nil, err
		}
		cp.sets = append(cp.sets, setColumn{col: pos, e: e})
	}
	if oc.Where != nil {
		w, err := b.compileWhere(s, oc.Where, "WHERE")
		if err != nil {
			return nil, err
		}
		cp.where = w
	}
	return cp, nil
}

// defaultExpr is a column's DEFAULT as an expression (NULL when none).
func defaultExpr(def *storage.TableDef, pos int) (expr.Expr, error) {
	c := def.Columns[pos]
	if c.Serial {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "DEFAULT for a serial column is only supported in INSERT")
	}
	if c.Default == "" {
		return expr.Const(nil, c.Type), nil
	}
	return compileDefault(c)
}

func sameIntSet(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !containsInt(b, x) {
			return false
		}
	}
	return true
}

func (p *insertPlan) exec(ctx context.Context, s *Session, params []types.Value) (Result, error) {
	read := p.query != nil || p.conflict != nil || p.reads
	return s.runWrite(ctx, read, &p.deps, params, p.conflict != nil, func(st *execState) (storage.Command, func(storage.Result) (Result, error), error) {
		rows, serials, err := p.newRows(st)
		if err != nil {
			return nil, nil, err
		}
		w := &storage.Write{}
		for i, vals := range rows {
			w.Ops = append(w.Ops, storage.Op{
				Kind: storage.OpInsert, Table: p.def.Name, Values: vals, SerialColumns: serials[i],
				TableOID: p.def.OID, SchemaVersion: p.def.Version,
			})
		}
		if p.conflict != nil {
			if w.Ops, err = p.resolveConflicts(st, w.Ops); err != nil {
				return nil, nil, err
			}
		}
		done := func(res storage.Result) (Result, error) {
			return writeResult(st, p.ret, "INSERT 0", len(res.Rows), res.Rows)
		}
		if len(w.Ops) == 0 {
			return nil, done, nil
		}
		return w, done, nil
	})
}

// newRows evaluates the rows to insert.
func (p *insertPlan) newRows(st *execState) ([][]types.Value, [][]int, error) {
	if p.query == nil {
		rows := make([][]types.Value, len(p.rows))
		for r, exprs := range p.rows {
			vals := make([]types.Value, len(exprs))
			for i, e := range exprs {
				if e == nil {
					continue
				}
				v, err := e.Eval(&st.ectx, nil)
				if err != nil {
					return nil, nil, err
				}
				vals[i] = v
			}
			rows[r] = vals
		}
		return rows, p.serial, nil
	}
	in, err := collect(st, p.query)
	if err != nil {
		return nil, nil, err
	}
	qcols := p.query.columns()
	given := make([]bool, len(p.def.Columns))
	for _, t := range p.targets {
		given[t] = true
	}
	var serial []int
	for i, c := range p.def.Columns {
		if !given[i] && c.Serial {
			serial = append(serial, i)
		}
	}
	rows := make([][]types.Value, len(in))
	serials := make([][]int, len(in))
	for r, src := range in {
		vals := make([]types.Value, len(p.def.Columns))
		for i, pos := range p.targets {
			v, err := castValue(src[i], qcols[i].typ, p.def.Columns[pos].Type)
			if err != nil {
				return nil, nil, err
			}
			vals[pos] = v
		}
		for i := range p.def.Columns {
			if !given[i] && p.defaults[i] != nil {
				v, err := p.defaults[i].Eval(&st.ectx, nil)
				if err != nil {
					return nil, nil, err
				}
				vals[i] = v
			}
		}
		rows[r] = vals
		serials[r] = serial
	}
	return rows, serials, nil
}

// errSecondTouch is PostgreSQL's error when ON CONFLICT DO UPDATE would
// change one row twice.
var errSecondTouch = sqlerr.New(sqlerr.CardinalityViolation, "ON CONFLICT DO UPDATE command cannot affect row a second time").
	WithHint("Ensure that no rows proposed for insertion within the same command have duplicate constrained values.")

// resolveConflicts applies ON CONFLICT to the insert ops: a row that
// collides with a stored row on one of the arbiter indexes is dropped (DO
// NOTHING) or becomes an update of the stored row (DO UPDATE); a row that
// collides with one inserted earlier by the same statement is dropped or
// is an error.
func (p *insertPlan) resolveConflicts(st *execState, ops []storage.Op) ([]storage.Op, error) {
	t, ok := st.snap.Table(p.def.Name)
	if !ok {
		return nil, errReplan
	}
	st.noteTable(t)
	cp := p.conflict
	seen := make([]map[string]bool, len(cp.indexes))
	for i := range seen {
		seen[i] = map[string]bool{}
	}
	updated := map[uint64]bool{}
	var out []storage.Op
	var buf []byte
	for _, op := range ops {
		var existing *storage.Row
		dupInStatement := false
		for k, ixPos := range cp.indexes {
			ix := p.def.Indexes[ixPos]
			key := make([]types.Value, len(ix.Columns))
			complete := true
			buf = buf[:0]
			for i, c := range ix.Columns {
				if op.Values[c] == nil || containsInt(op.SerialColumns, c) {
					complete = false
					break
				}
				key[i] = op.Values[c]
				buf = types.AppendKey(buf, key[i], p.def.Columns[c].Type)
			}
			if !complete {
				continue
			}
			if seen[k][string(buf)] {
				dupInStatement = true
				break
			}
			seen[k][string(buf)] = true
			if row, ok := t.Lookup(ixPos, key); ok && existing == nil {
				existing = row
			}
		}
		switch {
		case dupInStatement && cp.doNothing:
			continue
		case dupInStatement:
			return nil, errSecondTouch
		case existing == nil:
			out = append(out, op)
			continue
		case cp.doNothing:
			continue
		}
		if updated[existing.ID] {
			return nil, errSecondTouch
		}
		updated[existing.ID] = true
		existingVals := existing.Values()
		both := append(slices.Clone(existingVals), op.Values...)
		if cp.where != nil {
			v, err := cp.where.Eval(&st.ectx, both)
			if err != nil {
				return nil, err
			}
			if v != true {
				continue
			}
		}
		vals := existingVals
		for _, sc := range cp.sets {
			v, err := sc.e.Eval(&st.ectx, both)
			if err != nil {
				return nil, err
			}
			vals[sc.col] = v
		}
		out = append(out, storage.Op{
			Kind: storage.OpUpdate, Table: p.def.Name, RowID: existing.ID, Version: existing.Version, Values: vals,
			TableOID: p.def.OID, SchemaVersion: p.def.Version,
		})
	}
	return out, nil
}
