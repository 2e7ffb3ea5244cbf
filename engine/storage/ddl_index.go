package storage

import (
	"github.com/chronos-db/chronos/engine/sqlerr"
)

func (tx *tx) createIndex(c *CreateIndex) Result {
	s := tx.snap()
	if _, ok := s.tables[c.Table]; !ok {
		if _, isView := s.views[c.Table]; isView {
			return errResult(sqlerr.New(sqlerr.WrongObjectType, "\"%s\" is not a table", c.Table))
		}
		return errResult(errUndefinedRelation(c.Table))
	}
	if c.Index.Name != "" && s.RelationExists(c.Index.Name) {
		if c.IfNotExists {
			return Result{Notices: []string{"relation \"" + c.Index.Name + "\" already exists, skipping"}}
		}
		return errResult(errRelationExists(c.Index.Name))
	}
	t := tx.mutableTable(c.Table)
	if err := tx.addIndex(t, c.Index); err != nil {
		return errResult(err)
	}
	return Result{}
}

func (tx *tx) addPrimaryKey(c *AddPrimaryKey) Result {
	s := tx.snap()
	if _, ok := s.tables[c.Table]; !ok {
		return errResult(errUndefinedRelation(c.Table))
	}
	t := tx.mutableTable(c.Table)
	ix := Index{Name: c.Name, Columns: c.Columns, Unique: true, Primary: true, Constraint: true}
	if err := tx.addIndex(t, ix); err != nil {
		return errResult(err)
	}
	return Result{}
}

func (tx *tx) dropIndex(c *DropIndex) Result {
	var res Result
	for _, name := range c.Names {
		s := tx.snap()
		tn, ok := s.indexOwner[name]
		if !ok {
			if _, isTable := s.tables[name]; isTable {
				return errResult(sqlerr.New(sqlerr.WrongObjectType, "\"%s\" is not an index", name))
			}
			if _, isView := s.views[name]; isView {
				return errResult(sqlerr.New(sqlerr.WrongObjectType, "\"%s\" is not an index", name))
			}
			if c.IfExists {
				res.Notices = append(res.Notices, "index \""+name+"\" does not exist, skipping")
				continue
			}
			return errResult(sqlerr.New(sqlerr.UndefinedObject, "index \"%s\" does not exist", name))
		}
		t := tx.mutableTable(tn)
		pos := t.def.IndexByName(name)
		if t.def.Indexes[pos].Constraint {
			e := sqlerr.New(codeDependentObjects,
				"cannot drop index %s because constraint %s on table %s requires it", name, name, tn)
			e.Hint = "You can drop constraint " + name + " on table " + tn + " instead."
			return errResult(e)
		}
		nd := cloneDef(t.def)
		nd.Indexes = append(nd.Indexes[:pos:pos], nd.Indexes[pos+1:]...)
		nd.Version = tx.index
		t.def = nd
		t.indexes = append(t.indexes[:pos:pos], t.indexes[pos+1:]...)
		delete(tx.writableCatalog().indexOwner, name)
	}
	return res
}
