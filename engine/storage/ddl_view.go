package storage

import (
	"slices"

	"github.com/chronos-db/chronos/engine/sqlerr"
)

func (tx *tx) createView(c *CreateView) Result {
	s := tx.snap()
	name := c.Def.Name
	if name == "" {
		return errResult(internalf("view name is empty"))
	}
	v := &ViewDef{
		Name:      name,
		Query:     c.Def.Query,
		Columns:   slices.Clone(c.Def.Columns),
		DependsOn: slices.Clone(c.Def.DependsOn),
	}
	if old, ok := s.views[name]; ok {
		if !c.OrReplace {
			return errResult(errRelationExists(name))
		}
		v.OID = old.OID
	} else {
		if s.RelationExists(name) {
			if c.OrReplace {
				if _, isTable := s.tables[name]; isTable {
					return errResult(sqlerr.New(sqlerr.WrongObjectType, "\"%s\" is not a view", name))
				}
			}
			return errResult(errRelationExists(name))
		}
		v.OID = tx.allocOID()
	}
	tx.writableCatalog().views[name] = v
	return Result{}
}

func (tx *tx) dropView(c *DropView) Result {
	var res Result
	for _, name := range c.Names {
		s := tx.snap()
		if _, ok := s.views[name]; !ok {
			if _, isTable := s.tables[name]; isTable {
				return errResult(sqlerr.New(sqlerr.WrongObjectType, "\"%s\" is not a view", name).
					WithHint("Use DROP TABLE to remove a table."))
			}
			if c.IfExists {
				res.Notices = append(res.Notices, "view \""+name+"\" does not exist, skipping")
				continue
			}
			return errResult(sqlerr.New(sqlerr.UndefinedTable, "view \"%s\" does not exist", name))
		}
		if err := tx.checkDependents("view", name, c.Names); err != nil {
			return errResult(err)
		}
		delete(tx.writableCatalog().views, name)
	}
	return res
}
