package storage

import (
	"slices"
	"strconv"

	"github.com/google/btree"

	"github.com/chronos-db/chronos/engine/sqlerr"
)

func (tx *tx) createTable(c *CreateTable) Result {
	s := tx.snap()
	name := c.Def.Name
	if name == "" {
		return errResult(internalf("table name is empty"))
	}
	if s.RelationExists(name) {
		if c.IfNotExists {
			return Result{Notices: []string{"relation \"" + name + "\" already exists, skipping"}}
		}
		return errResult(errRelationExists(name))
	}
	def := &TableDef{Name: name, Version: tx.index}
	def.Columns = slices.Clone(c.Def.Columns)
	seen := map[string]bool{}
	for _, col := range def.Columns {
		if seen[col.Name] {
			return errResult(sqlerr.New(sqlerr.DuplicateColumn, "column \"%s\" specified more than once", col.Name))
		}
		seen[col.Name] = true
		if col.Serial && !col.Type.IsInteger() {
			return errResult(internalf("serial column %q has type %s", col.Name, col.Type))
		}
	}
	primaries := 0
	for _, ix := range c.Def.Indexes {
		if ix.Primary {
			primaries++
		}
	}
	if primaries > 1 {
		return errResult(sqlerr.New(sqlerr.InvalidTableDefinition,
			"multiple primary keys for table \"%s\" are not allowed", name))
	}
	def.OID = tx.allocOID()
	t := newTable(def)
	tx.setTable(t)
	for _, ix := range c.Def.Indexes {
		if err := tx.addIndex(t, ix); err != nil {
			return errResult(err)
		}
	}
	return Result{}
}

func (tx *tx) dropTable(c *DropTable) Result {
	var res Result
	for _, name := range c.Names {
		s := tx.snap()
		t, ok := s.tables[name]
		if !ok {
			if _, isView := s.views[name]; isView {
				return errResult(sqlerr.New(sqlerr.WrongObjectType, "\"%s\" is not a table", name).
					WithHint("Use DROP VIEW to remove a view."))
			}
			if c.IfExists {
				res.Notices = append(res.Notices, "table \""+name+"\" does not exist, skipping")
				continue
			}
			return errResult(sqlerr.New(sqlerr.UndefinedTable, "table \"%s\" does not exist", name))
		}
		if err := tx.checkDependents("table", name, c.Names); err != nil {
			return errResult(err)
		}
		w := tx.writableCatalog()
		for _, ix := range t.def.Indexes {
			delete(w.indexOwner, ix.Name)
		}
		delete(w.tables, name)
		delete(tx.cloned, name)
	}
	return res
}

// checkDependents fails with 2BP01 when a view not itself being dropped
// depends on the relation.
func (tx *tx) checkDependents(kind, name string, dropping []string) error {
	for _, v := range tx.snap().Views() {
		if slices.Contains(dropping, v.Name) || !slices.Contains(v.DependsOn, name) {
			continue
		}
		e := sqlerr.New(codeDependentObjects, "cannot drop %s %s because other objects depend on it", kind, name)
		e.Detail = "view " + v.Name + " depends on " + kind + " " + name
		e.Hint = "Use DROP ... CASCADE to drop the dependent objects too."
		return e
	}
	return nil
}

func (tx *tx) truncate(c *Truncate) Result {
	s := tx.snap()
	for _, name := range c.Names {
		if _, ok := s.tables[name]; !ok {
			if _, isView := s.views[name]; isView {
				return errResult(sqlerr.New(sqlerr.WrongObjectType, "\"%s\" is not a table", name))
			}
			return errResult(errUndefinedRelation(name))
		}
	}
	var res Result
	for _, name := range c.Names {
		old := tx.snap().tables[name]
		res.Count += old.Len()
		t := newTable(old.def)
		t.lastRowID = old.lastRowID
		if !c.RestartIdentity {
			copy(t.seqs, old.seqs)
		}
		tx.setTable(t)
	}
	return res
}

func (tx *tx) addColumn(c *AddColumn) Result {
	t0, ok := tx.snap().tables[c.Table]
	if !ok {
		return errResult(errUndefinedRelation(c.Table))
	}
	col := c.Column
	if t0.def.ColumnIndex(col.Name) >= 0 {
		if c.IfNotExists {
			return Result{Notices: []string{"column \"" + col.Name + "\" of relation \"" + c.Table + "\" already exists, skipping"}}
		}
		return errResult(sqlerr.New(sqlerr.DuplicateColumn, "column \"%s\" of relation \"%s\" already exists", col.Name, c.Table))
	}
	if col.Serial && !col.Type.IsInteger() {
		return errResult(internalf("serial column %q has type %s", col.Name, col.Type))
	}
	fillSerial := col.Serial && c.Fill == nil
	if col.NotNull && c.Fill == nil && !fillSerial && t0.Len() > 0 {
		return errResult(errColumnContainsNulls(c.Table, col.Name))
	}
	def := cloneDef(t0.def)
	def.Columns = append(def.Columns, col)
	def.Version = tx.index
	t := newTable(def)
	t.lastRowID = t0.lastRowID
	copy(t.seqs, t0.seqs)
	pos := len(def.Columns) - 1
	var err error
	t0.Scan(func(old *Row) bool {
		vals := append(old.Values(), c.Fill)
		if fillSerial {
			var v int64
			if v, err = t.nextval(pos); err != nil {
				return false
			}
			vals[pos] = v
		}
		var row *Row
		if row, err = NewRow(old.ID, tx.index, vals); err != nil {
			err = internalf("%v", err)
			return false
		}
		t.putRow(row)
		return true
	})
	if err != nil {
		return errResult(err)
	}
	if err := tx.rebuildIndexes(t); err != nil {
		return errResult(err)
	}
	tx.setTable(t)
	for _, ix := range c.Indexes {
		if err := tx.addIndex(t, ix); err != nil {
			return errResult(err)
		}
	}
	return Result{Count: t.Len()}
}

func (tx *tx) dropColumn(c *DropColumn) Result {
	t0, ok := tx.snap().tables[c.Table]
	if !ok {
		return errResult(errUndefinedRelation(c.Table))
	}
	pos := t0.def.ColumnIndex(c.Column)
	if pos < 0 {
		if c.IfExists {
			return Result{Notices: []string{"column \"" + c.Column + "\" of relation \"" + c.Table + "\" does not exist, skipping"}}
		}
		return errResult(sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", c.Column, c.Table))
	}
	def := cloneDef(t0.def)
	def.Columns = slices.Delete(def.Columns, pos, pos+1)
	def.Version = tx.index
	w := tx.writableCatalog()
	var kept []Index
	for _, ix := range def.Indexes {
		if slices.Contains(ix.Columns, pos) {
			delete(w.indexOwner, ix.Name)
			continue
		}
		for i, col := range ix.Columns {
			if col > pos {
				ix.Columns[i] = col - 1
			}
		}
		kept = append(kept, ix)
	}
	def.Indexes = kept
	t := newTable(def)
	t.lastRowID = t0.lastRowID
	t.seqs = slices.Delete(slices.Clone(t0.seqs), pos, pos+1)
	var err error
	t0.Scan(func(old *Row) bool {
		var row *Row
		if row, err = NewRow(old.ID, tx.index, slices.Delete(old.Values(), pos, pos+1)); err != nil {
			err = internalf("%v", err)
			return false
		}
		t.putRow(row)
		return true
	})
	if err != nil {
		return errResult(err)
	}
	if err := tx.rebuildIndexes(t); err != nil {
		return errResult(err)
	}
	tx.setTable(t)
	return Result{Count: t.Len()}
}

// cloneDef returns a deep copy of def.
func cloneDef(def *TableDef) *TableDef {
	c := *def
	c.Columns = slices.Clone(def.Columns)
	c.Indexes = slices.Clone(def.Indexes)
	for i := range c.Indexes {
		c.Indexes[i].Columns = slices.Clone(def.Indexes[i].Columns)
	}
	return &c
}

// rebuildIndexes fills t's index trees (empty, one per def index) from its
// rows.
func (tx *tx) rebuildIndexes(t *Table) error {
	t.indexes = make([]*indexTree, len(t.def.Indexes))
	for i := range t.def.Indexes {
		tree, err := buildIndex(t, &t.def.Indexes[i], &tx.buf, false)
		if err != nil {
			return err
		}
		t.indexes[i] = tree
	}
	return nil
}

// buildIndex builds index ix over t's rows. Duplicates of a unique index
// fail with 23505 (for CREATE INDEX's wording set creating).
func buildIndex(t *Table, ix *Index, buf *[]byte, creating bool) (*indexTree, error) {
	tree := btree.NewG(btreeDegree, lessIndexItem)
	var err error
	t.Scan(func(row *Row) bool {
		vals := row.Values()
		key, unique := entryKey(buf, t.def, ix, row.ID, vals)
		if _, dup := tree.ReplaceOrInsert(newIndexItem(key, row.ID)); dup && unique {
			if creating {
				err = errIndexDuplicated(t.def, ix, vals)
			} else {
				err = errDuplicateKey(t.def, ix, vals)
			}
			return false
		}
		return true
	})
	return tree, err
}

// chooseIndexName returns ix's name, generating one like PostgreSQL when it
// is empty: IndexName's, with 1, 2, ... appended to the label until no
// relation has it.
func (tx *tx) chooseIndexName(def *TableDef, ix *Index) string {
	if ix.Name != "" {
		return ix.Name
	}
	cols := make([]string, len(ix.Columns))
	for i, c := range ix.Columns {
		cols[i] = def.Columns[c].Name
	}
	name1, name2, label := indexNameParts(def.Name, cols, ix.Primary, ix.Constraint)
	s := tx.snap()
	for n := 0; ; n++ {
		l := label
		if n > 0 {
			l += strconv.Itoa(n)
		}
		name := makeObjectName(name1, name2, l)
		if !s.RelationExists(name) {
			return name
		}
	}
}

// addIndex adds ix to table t (already installed in tx and private to it):
// validates it, names it, gives it an OID and builds it.
func (tx *tx) addIndex(t *Table, ix Index) error {
	def := t.def
	ix.Columns = slices.Clone(ix.Columns)
	if len(ix.Columns) == 0 {
		return internalf("index on %q has no columns", def.Name)
	}
	for _, c := range ix.Columns {
		if c < 0 || c >= len(def.Columns) {
			return internalf("index on %q uses column %d", def.Name, c)
		}
	}
	if ix.Primary {
		if def.PrimaryKey() >= 0 {
			return sqlerr.New(sqlerr.InvalidTableDefinition,
				"multiple primary keys for table \"%s\" are not allowed", def.Name)
		}
		ix.Unique, ix.Constraint = true, true
		var err error
		t.Scan(func(row *Row) bool {
			vals := row.Values()
			for _, c := range ix.Columns {
				if vals[c] == nil {
					err = errColumnContainsNulls(def.Name, def.Columns[c].Name)
					return false
				}
			}
			return true
		})
		if err != nil {
			return err
		}
	}
	ix.Name = tx.chooseIndexName(def, &ix)
	if tx.snap().RelationExists(ix.Name) {
		return errRelationExists(ix.Name)
	}
	tree, err := buildIndex(t, &ix, &tx.buf, true)
	if err != nil {
		return err
	}
	ix.OID = tx.allocOID()
	nd := cloneDef(def)
	nd.Version = tx.index
	if ix.Primary {
		for _, c := range ix.Columns {
			nd.Columns[c].NotNull = true
		}
		nd.Indexes = slices.Insert(nd.Indexes, 0, ix)
		t.indexes = slices.Insert(slices.Clone(t.indexes), 0, tree)
	} else {
		nd.Indexes = append(nd.Indexes, ix)
		t.indexes = append(slices.Clone(t.indexes), tree)
	}
	t.def = nd
	tx.writableCatalog().indexOwner[ix.Name] = def.Name
	return nil
}
