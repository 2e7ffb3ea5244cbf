package storage

import (
	"maps"
	"slices"
	"strings"
)

// Snapshot is an immutable, consistent view of the whole state as of one
// applied index. It is safe for concurrent use and never changes: readers use
// it without locks while Apply goes on.
type Snapshot struct {
	applied uint64
	// nextOID is the OID the next created table, index or view gets.
	nextOID uint32
	tables  map[string]*Table
	views   map[string]*ViewDef
	// indexOwner maps an index name to its table's name.
	indexOwner map[string]string
	// roles is the role catalog (roles.go); nil when there are none.
	roles *RoleCatalog
	// store receives checkpoint bookkeeping; nil for snapshots not taken
	// from a Store.
	store *Store
}

func emptySnapshot(store *Store) *Snapshot {
	return &Snapshot{
		nextOID:    FirstOID,
		tables:     map[string]*Table{},
		views:      map[string]*ViewDef{},
		indexOwner: map[string]string{},
		store:      store,
	}
}

// AppliedIndex returns the raft index of the last command reflected in the
// snapshot (0 for an empty store).
func (s *Snapshot) AppliedIndex() uint64 { return s.applied }

// NextOID returns the OID the next created object will get.
func (s *Snapshot) NextOID() uint32 { return s.nextOID }

// Table returns the named table.
func (s *Snapshot) Table(name string) (*Table, bool) {
	t, ok := s.tables[name]
	return t, ok
}

// Tables returns every table, sorted by name.
func (s *Snapshot) Tables() []*Table {
	out := make([]*Table, 0, len(s.tables))
	for _, t := range s.tables {
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b *Table) int { return strings.Compare(a.def.Name, b.def.Name) })
	return out
}

// View returns the named view.
func (s *Snapshot) View(name string) (*ViewDef, bool) {
	v, ok := s.views[name]
	return v, ok
}

// Views returns every view, sorted by name.
func (s *Snapshot) Views() []*ViewDef {
	out := make([]*ViewDef, 0, len(s.views))
	for _, v := range s.views {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b *ViewDef) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Index returns the table holding the named index and the index's position
// in its Def().Indexes.
func (s *Snapshot) Index(name string) (*Table, int, bool) {
	tn, ok := s.indexOwner[name]
	if !ok {
		return nil, 0, false
	}
	t := s.tables[tn]
	return t, t.def.IndexByName(name), true
}

// RelationExists reports whether a table, view or index has the name (they
// share PostgreSQL's pg_class namespace).
func (s *Snapshot) RelationExists(name string) bool {
	_, t := s.tables[name]
	_, v := s.views[name]
	_, i := s.indexOwner[name]
	return t || v || i
}

// copyTables returns a shallow copy of s whose tables map may be modified.
func (s *Snapshot) copyTables() *Snapshot {
	c := *s
	c.tables = maps.Clone(s.tables)
	return &c
}

// copyCatalog makes s's views and indexOwner maps private copies.
func (s *Snapshot) copyCatalog() {
	s.views = maps.Clone(s.views)
	s.indexOwner = maps.Clone(s.indexOwner)
}
