package storage

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/chronos-db/chronos/csvstore"
	"github.com/chronos-db/chronos/engine/types"
)

// catalogFormat is the version of the catalog JSON below.
const catalogFormat = 1

// catalogJSON is the storage catalog kept in a checkpoint's catalog.json.
type catalogJSON struct {
	Format  int         `json:"format"`
	NextOID uint32      `json:"next_oid"`
	Tables  []tableJSON `json:"tables"`
	Views   []viewJSON  `json:"views"`
	Roles   []roleJSON  `json:"roles,omitempty"`
}

type tableJSON struct {
	Name      string       `json:"name"`
	OID       uint32       `json:"oid"`
	Version   uint64       `json:"version"`
	Columns   []columnJSON `json:"columns"`
	Indexes   []indexJSON  `json:"indexes"`
	LastRowID uint64       `json:"last_row_id"`
	// Rows is the number of rows in the CSV file.
	Rows int `json:"rows"`
	// RowRuns describes the rows of the file in order as triples (first
	// row ID, count, version): count rows with consecutive IDs from the
	// first, all at that version. When absent (a hand-made checkpoint) rows
	// get fresh IDs after LastRowID and the checkpoint's index as version.
	RowRuns []uint64 `json:"row_runs"`
}

type columnJSON struct {
	Name string `json:"name"`
	// TypeName is format_type() of the type: informational, except in a
	// hand-written catalog without type_oid, where it gives the type.
	TypeName string `json:"type"`
	TypeOID  uint32 `json:"type_oid,omitempty"`
	TypeMod  int32  `json:"type_mod"`
	NotNull  bool   `json:"not_null,omitempty"`
	Default  string `json:"default,omitempty"`
	Serial   bool   `json:"serial,omitempty"`
	Sequence int64  `json:"sequence,omitempty"` // last value of a serial column's sequence
}

type indexJSON struct {
	Name       string `json:"name"`
	OID        uint32 `json:"oid"`
	Columns    []int  `json:"columns"`
	Unique     bool   `json:"unique,omitempty"`
	Primary    bool   `json:"primary,omitempty"`
	Constraint bool   `json:"constraint,omitempty"`
}

type viewJSON struct {
	Name      string   `json:"name"`
	OID       uint32   `json:"oid"`
	Query     string   `json:"query"`
	Columns   []string `json:"columns"`
	DependsOn []string `json:"depends_on,omitempty"`
}

// rowRuns returns the table's row ID/version runs, computed once per Table.
func (t *Table) rowRuns() []uint64 {
	t.runs.once.Do(func() {
		runs := []uint64{}
		t.Scan(func(r *Row) bool {
			n := len(runs)
			if n > 0 && runs[n-1] == r.Version && runs[n-3]+runs[n-2] == r.ID {
				runs[n-2]++
			} else {
				runs = append(runs, r.ID, 1, r.Version)
			}
			return true
		})
		t.runs.runs = runs
	})
	return t.runs.runs
}

// WriteCheckpoint writes the current state as a checkpoint under dir (see
// package csvstore) and returns after it is durable. Apply may run
// meanwhile; the checkpoint is of the snapshot taken at the start.
func (s *Store) WriteCheckpoint(dir string) error {
	return s.Snapshot().WriteCheckpoint(dir)
}

// WriteCheckpoint writes the snapshot as a checkpoint under dir, reflecting
// raft index AppliedIndex(). Tables unchanged since the store's last
// checkpoint in the same dir are hard-linked, not rewritten.
func (s *Snapshot) WriteCheckpoint(dir string) error {
	dir = filepath.Clean(dir)
	st := s.store
	var reuse map[string]uint64
	if st != nil {
		st.ckpt.Lock()
		defer st.ckpt.Unlock()
		if st.ckpt.dir == dir {
			reuse = st.ckpt.files
		}
	}
	cat := catalogJSON{Format: catalogFormat, NextOID: s.nextOID, Tables: []tableJSON{}, Views: []viewJSON{}}
	var files []csvstore.Table
	gens := map[string]uint64{}
	for _, t := range s.Tables() {
		cat.Tables = append(cat.Tables, tableToJSON(t))
		gens[t.def.Name] = t.gen
		gen, ok := reuse[t.def.Name]
		files = append(files, csvstore.Table{
			Name:    t.def.Name,
			Columns: t.def.ColumnNames(),
			Rows:    t.csvRows,
			Reuse:   ok && gen == t.gen,
		})
	}
	for _, v := range s.Views() {
		cat.Views = append(cat.Views, viewJSON{Name: v.Name, OID: v.OID, Query: v.Query,
			Columns: v.Columns, DependsOn: v.DependsOn})
	}
	cat.Roles = s.rolesToJSON()
	compact, err := json.Marshal(cat)
	if err != nil {
		return fmt.Errorf("storage: checkpoint: %w", err)
	}
	data := indentJSON(compact, "  ", "  ")
	if err := csvstore.Write(dir, s.applied, data, files); err != nil {
		return fmt.Errorf("storage: checkpoint: %w", err)
	}
	if st != nil {
		st.ckpt.dir = dir
		st.ckpt.files = gens
	}
	return nil
}

func tableToJSON(t *Table) tableJSON {
	d := t.def
	tj := tableJSON{Name: d.Name, OID: d.OID, Version: d.Version, LastRowID: t.lastRowID,
		Rows: t.Len(), RowRuns: t.rowRuns(), Columns: []columnJSON{}, Indexes: []indexJSON{}}
	for i, c := range d.Columns {
		tj.Columns = append(tj.Columns, columnJSON{Name: c.Name, TypeName: c.Type.String(),
			TypeOID: uint32(c.Type.OID), TypeMod: c.Type.Mod, NotNull: c.NotNull,
			Default: c.Default, Serial: c.Serial, Sequence: t.seqs[i]})
	}
	for _, ix := range d.Indexes {
		tj.Indexes = append(tj.Indexes, indexJSON{Name: ix.Name, OID: ix.OID, Columns: ix.Columns,
			Unique: ix.Unique, Primary: ix.Primary, Constraint: ix.Constraint})
	}
	return tj
}

// csvRows emits the table's rows in row-ID order, values in text format.
func (t *Table) csvRows(emit func([]csvstore.Field) error) error {
	cols := t.def.Columns
	rec := make([]csvstore.Field, len(cols))
	var err error
	t.Scan(func(r *Row) bool {
		for i, v := range r.Values() {
			if v == nil {
				rec[i] = csvstore.Null
			} else {
				rec[i] = csvstore.Field{Value: types.FormatText(v, cols[i].Type)}
			}
		}
		err = emit(rec)
		return err == nil
	})
	return err
}

// Load restores a store from the checkpoint under dir: catalog, rows (with
// their IDs and versions), indexes, sequences, counters and the applied
// index. Without a checkpoint it returns an empty store. A table file that
// does not parse, or whose content the catalog rejects (a value of the wrong
// type, a NULL in a NOT NULL column, a duplicate key), fails the whole load
// with an error naming file and line.
func Load(dir string) (*Store, error) {
	dir = filepath.Clean(dir)
	cp, err := csvstore.Open(dir)
	if errors.Is(err, csvstore.ErrNoCheckpoint) {
		return New(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("storage: load: %w", err)
	}
	var cat catalogJSON
	if err := json.Unmarshal(cp.Catalog, &cat); err != nil {
		return nil, fmt.Errorf("storage: load: %s: %w", csvstore.CatalogFile, err)
	}
	if cat.Format != catalogFormat {
		return nil, fmt.Errorf("storage: load: %s: unknown format %d", csvstore.CatalogFile, cat.Format)
	}
	st := New()
	snap := emptySnapshot(st)
	snap.applied = cp.Index
	snap.nextOID = cat.NextOID
	files := map[string]uint64{}
	for i := range cat.Tables {
		t, err := loadTable(cp, &cat.Tables[i])
		if err != nil {
			return nil, fmt.Errorf("storage: load: %w", err)
		}
		name := t.def.Name
		if snap.RelationExists(name) {
			return nil, fmt.Errorf("storage: load: %s: relation %q listed twice", csvstore.CatalogFile, name)
		}
		snap.tables[name] = t
		for _, ix := range t.def.Indexes {
			if snap.RelationExists(ix.Name) {
				return nil, fmt.Errorf("storage: load: %s: relation %q listed twice", csvstore.CatalogFile, ix.Name)
			}
			snap.indexOwner[ix.Name] = name
		}
		files[name] = t.gen
	}
	for _, vj := range cat.Views {
		if snap.RelationExists(vj.Name) {
			return nil, fmt.Errorf("storage: load: %s: relation %q listed twice", csvstore.CatalogFile, vj.Name)
		}
		snap.views[vj.Name] = &ViewDef{Name: vj.Name, OID: vj.OID, Query: vj.Query,
			Columns: vj.Columns, DependsOn: vj.DependsOn}
	}
	snap.loadRoles(cat.Roles)
	// A hand-written catalog may leave next_oid out: continue after the
	// largest OID in use.
	snap.nextOID = max(snap.nextOID, FirstOID, maxOID(snap)+1)
	st.setCurrent(snap)
	st.ckpt.dir = dir
	st.ckpt.files = files
	return st, nil
}

// maxOID returns the largest OID of a table, index or view in s.
func maxOID(s *Snapshot) uint32 {
	var m uint32
	for _, t := range s.tables {
		m = max(m, t.def.OID)
		for _, ix := range t.def.Indexes {
			m = max(m, ix.OID)
		}
	}
	for _, v := range s.views {
		m = max(m, v.OID)
	}
	return m
}

// loadTable builds one table from its catalog entry and CSV file.
func loadTable(cp *csvstore.Checkpoint, tj *tableJSON) (*Table, error) {
	file := csvstore.FileName(tj.Name)
	def := &TableDef{Name: tj.Name, OID: tj.OID, Version: tj.Version}
	seqs := make([]int64, len(tj.Columns))
	for i, c := range tj.Columns {
		typ := types.T{OID: types.OID(c.TypeOID), Mod: c.TypeMod}
		if c.TypeOID == 0 {
			// A hand-written catalog may give the type by name only.
			var err error
			if typ, err = types.ParseTypeName(c.TypeName); err != nil {
				return nil, fmt.Errorf("%s: table %q column %q: %w", csvstore.CatalogFile, tj.Name, c.Name, err)
			}
		}
		def.Columns = append(def.Columns, Column{Name: c.Name, Type: typ,
			NotNull: c.NotNull, Default: c.Default, Serial: c.Serial})
		seqs[i] = c.Sequence
	}
	for _, ij := range tj.Indexes {
		for _, c := range ij.Columns {
			if c < 0 || c >= len(def.Columns) {
				return nil, fmt.Errorf("%s: index %q uses column %d of %d", csvstore.CatalogFile, ij.Name, c, len(def.Columns))
			}
		}
		def.Indexes = append(def.Indexes, Index{Name: ij.Name, OID: ij.OID, Columns: ij.Columns,
			Unique: ij.Unique, Primary: ij.Primary, Constraint: ij.Constraint})
	}
	if tj.RowRuns != nil && len(tj.RowRuns)%3 != 0 {
		return nil, fmt.Errorf("%s: table %q: row_runs length %d is not a multiple of 3", csvstore.CatalogFile, tj.Name, len(tj.RowRuns))
	}
	t := newTable(def)
	t.seqs = seqs
	t.lastRowID = tj.LastRowID
	runs := tj.RowRuns
	nextID, left, version := uint64(0), uint64(0), cp.Index
	var lastID uint64
	var buf []byte
	n := 0
	err := cp.ReadTable(tj.Name, def.ColumnNames(), func(rec []csvstore.Field) error {
		// The row's ID and version.
		if tj.RowRuns == nil {
			t.lastRowID++
			nextID = t.lastRowID
		} else {
			if left == 0 {
				if len(runs) == 0 {
					return fmt.Errorf("more rows than the %d %s records", tj.Rows, csvstore.CatalogFile)
				}
				nextID, left, version = runs[0], runs[1], runs[2]
				runs = runs[3:]
				if left == 0 {
					return fmt.Errorf("%s: empty row run", csvstore.CatalogFile)
				}
			} else {
				nextID++
			}
			left--
		}
		if nextID <= lastID || nextID > t.lastRowID {
			return fmt.Errorf("%s: row ID %d out of order", csvstore.CatalogFile, nextID)
		}
		lastID = nextID
		vals := make([]types.Value, len(rec))
		for i, f := range rec {
			col := &def.Columns[i]
			if f.Null {
				if col.NotNull {
					return fmt.Errorf("null value in column %q violates not-null constraint", col.Name)
				}
				continue
			}
			v, err := types.ParseText(f.Value, col.Type)
			if err != nil {
				return fmt.Errorf("column %q: %w", col.Name, err)
			}
			vals[i] = v
		}
		row, err := NewRow(nextID, version, vals)
		if err != nil {
			return err
		}
		for i := range def.Indexes {
			ix := &def.Indexes[i]
			key, unique := entryKey(&buf, def, ix, row.ID, vals)
			if _, dup := t.indexes[i].ReplaceOrInsert(newIndexItem(key, row.ID)); dup && unique {
				return errDuplicateKey(def, ix, vals)
			}
		}
		t.putRow(row)
		n++
		return nil
	})
	if err != nil {
		return nil, err
	}
	if tj.RowRuns != nil && (left != 0 || len(runs) != 0 || n != tj.Rows) {
		return nil, fmt.Errorf("%s: %d rows, but %s records %d", file, n, csvstore.CatalogFile, tj.Rows)
	}
	return t, nil
}
