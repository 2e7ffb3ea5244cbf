package storage

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/chronos-db/chronos/csvstore"
	"github.com/chronos-db/chronos/engine/types"
)

// catalogFormat is the version of the catalog JSON below. Format 1 kept
// each table's row runs in the catalog (tableJSON.RowRuns); format 2 keeps
// them in the table's companion file (runsKind), which a checkpoint can
// append to as it does to the table's file. Load reads both.
const catalogFormat = 2

// runsKind is the companion file (csvstore.Table.Kind) of a table's row
// runs, "NAME.rowruns.csv": for each run, in file order, count rows with
// consecutive IDs from first_row_id, all at version.
const runsKind = "rowruns"

// runsColumns are the columns of a rowruns file.
var runsColumns = []string{"first_row_id", "count", "version"}

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
	// RowRuns, in format 1 only, describes the rows of the file in order
	// as triples (first row ID, count, version): count rows with
	// consecutive IDs from the first, all at that version. When absent (a
	// hand-made checkpoint) rows get fresh IDs after LastRowID and the
	// checkpoint's index as version.
	RowRuns []uint64 `json:"row_runs,omitempty"`
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

// tableFiles is what the store's checkpoint holds of a table, for the
// next checkpoint to link or append to its files.
type tableFiles struct {
	gen, lineage uint64   // the Table's
	lastID       uint64   // the ID of the file's last row, 0 when none
	columns      []string // the file's header
}

// WriteCheckpoint writes the current state as a checkpoint under dir (see
// package csvstore) and returns after it is durable. Apply may run
// meanwhile; the checkpoint is of the snapshot taken at the start.
func (s *Store) WriteCheckpoint(dir string) error {
	return s.Snapshot().WriteCheckpoint(dir)
}

// WriteCheckpoint writes the snapshot as a checkpoint under dir, reflecting
// raft index AppliedIndex(), and makes it the one the store's next
// checkpoint in dir builds on: the files of tables unchanged since are
// hard-linked, those of tables that only gained rows are appended to, the
// others are written anew.
func (s *Snapshot) WriteCheckpoint(dir string) error {
	dir = filepath.Clean(dir)
	st := s.store
	if st == nil {
		return s.Export(dir)
	}
	st.ckpt.Lock()
	defer st.ckpt.Unlock()
	var have map[string]tableFiles
	if st.ckpt.dir == dir {
		have = st.ckpt.files
	}
	files, err := s.writeCheckpoint(dir, have)
	if err != nil {
		return err
	}
	st.ckpt.dir, st.ckpt.files = dir, files
	return nil
}

// Export writes the snapshot as a checkpoint under dir, every file written
// whole, without touching what the store's own checkpoints build on (for a
// copy to send to a peer).
func (s *Snapshot) Export(dir string) error {
	_, err := s.writeCheckpoint(filepath.Clean(dir), nil)
	return err
}

// writeCheckpoint writes the checkpoint, building on the files have
// describes, and returns what it holds.
func (s *Snapshot) writeCheckpoint(dir string, have map[string]tableFiles) (map[string]tableFiles, error) {
	cat := catalogJSON{Format: catalogFormat, NextOID: s.nextOID, Tables: []tableJSON{}, Views: []viewJSON{}}
	var files []csvstore.Table
	holds := map[string]tableFiles{}
	for _, t := range s.Tables() {
		cat.Tables = append(cat.Tables, tableToJSON(t))
		cols := t.def.ColumnNames()
		rows := csvstore.Table{Name: t.def.Name, Columns: cols, Rows: t.csvRows(0)}
		runs := csvstore.Table{Name: t.def.Name, Kind: runsKind, Columns: runsColumns, Rows: t.runRecords(0)}
		if prev, ok := have[t.def.Name]; ok && slices.Equal(prev.columns, cols) {
			switch {
			case prev.gen == t.gen:
				rows.Reuse, runs.Reuse = true, true
			case prev.lineage == t.lineage && t.gen > prev.gen:
				// A later Table of the same lineage: the file's rows,
				// then more (never an earlier one, with fewer rows).
				rows.Appended, runs.Appended = t.csvRows(prev.lastID+1), t.runRecords(prev.lastID+1)
			}
		}
		files = append(files, rows, runs)
		holds[t.def.Name] = t.files(cols)
	}
	for _, v := range s.Views() {
		cat.Views = append(cat.Views, viewJSON{Name: v.Name, OID: v.OID, Query: v.Query,
			Columns: v.Columns, DependsOn: v.DependsOn})
	}
	cat.Roles = s.rolesToJSON()
	data, err := json.MarshalIndent(cat, "  ", "  ")
	if err != nil {
		return nil, fmt.Errorf("storage: checkpoint: %w", err)
	}
	if err := csvstore.Write(dir, s.applied, data, files); err != nil {
		return nil, fmt.Errorf("storage: checkpoint: %w", err)
	}
	return holds, nil
}

// files describes t's files as a checkpoint writes them, with header cols.
func (t *Table) files(cols []string) tableFiles {
	var last uint64
	t.ScanReverse(func(r *Row) bool {
		last = r.ID
		return false
	})
	return tableFiles{gen: t.gen, lineage: t.lineage, lastID: last, columns: cols}
}

func tableToJSON(t *Table) tableJSON {
	d := t.def
	tj := tableJSON{Name: d.Name, OID: d.OID, Version: d.Version, LastRowID: t.lastRowID,
		Rows: t.Len(), Columns: []columnJSON{}, Indexes: []indexJSON{}}
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

// csvRows returns a csvstore.Table.Rows function emitting the table's rows
// with IDs from from on, in row-ID order, values in text format.
func (t *Table) csvRows(from uint64) func(emit func([]csvstore.Field) error) error {
	return func(emit func([]csvstore.Field) error) error {
		cols := t.def.Columns
		rec := make([]csvstore.Field, len(cols))
		vals := make([]types.Value, len(cols))
		var err error
		t.ScanFrom(from, func(r *Row) bool {
			for i, v := range r.DecodeColumns(vals, nil) {
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
}

// runRecords returns a csvstore.Table.Rows function emitting the row runs
// (runsColumns) of the table's rows with IDs from from on.
func (t *Table) runRecords(from uint64) func(emit func([]csvstore.Field) error) error {
	return func(emit func([]csvstore.Field) error) error {
		var first, count, version uint64
		rec := make([]csvstore.Field, len(runsColumns))
		flush := func() error {
			rec[0] = csvstore.Str(strconv.FormatUint(first, 10))
			rec[1] = csvstore.Str(strconv.FormatUint(count, 10))
			rec[2] = csvstore.Str(strconv.FormatUint(version, 10))
			return emit(rec)
		}
		var err error
		t.ScanFrom(from, func(r *Row) bool {
			if count > 0 && r.Version == version && first+count == r.ID {
				count++
				return true
			}
			if count > 0 {
				if err = flush(); err != nil {
					return false
				}
			}
			first, count, version = r.ID, 1, r.Version
			return true
		})
		if err == nil && count > 0 {
			err = flush()
		}
		return err
	}
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
	if cat.Format != 1 && cat.Format != catalogFormat {
		return nil, fmt.Errorf("storage: load: %s: unknown format %d", csvstore.CatalogFile, cat.Format)
	}
	st := New()
	snap := emptySnapshot(st)
	snap.applied = cp.Index
	snap.nextOID = cat.NextOID
	files := map[string]tableFiles{}
	for i := range cat.Tables {
		t, err := loadTable(cp, &cat.Tables[i], cat.Format)
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
		files[name] = t.files(t.def.ColumnNames())
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

// loadTable builds one table from its catalog entry, CSV file and (in
// catalog format 2) row runs file.
func loadTable(cp *csvstore.Checkpoint, tj *tableJSON, format int) (*Table, error) {
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
	runs, runsFile := tj.RowRuns, csvstore.CatalogFile
	if format == 1 && runs != nil && len(runs)%3 != 0 {
		return nil, fmt.Errorf("%s: table %q: row_runs length %d is not a multiple of 3", csvstore.CatalogFile, tj.Name, len(runs))
	}
	if format != 1 {
		runsFile = csvstore.CompanionFileName(tj.Name, runsKind)
		var err error
		if runs, err = readRuns(cp, tj.Name); err != nil {
			return nil, err
		}
	}
	fresh := runs == nil
	t := newTable(def)
	t.seqs = seqs
	t.lastRowID = tj.LastRowID
	nextID, left, version := uint64(0), uint64(0), cp.Index
	var lastID uint64
	var buf []byte
	n := 0
	err := cp.ReadTable(tj.Name, def.ColumnNames(), func(rec []csvstore.Field) error {
		// The row's ID and version.
		if fresh {
			t.lastRowID++
			nextID = t.lastRowID
		} else {
			if left == 0 {
				if len(runs) == 0 {
					return fmt.Errorf("more rows than %s has runs for", runsFile)
				}
				nextID, left, version = runs[0], runs[1], runs[2]
				runs = runs[3:]
				if left == 0 {
					return fmt.Errorf("%s: empty row run", runsFile)
				}
			} else {
				nextID++
			}
			left--
		}
		if nextID <= lastID || nextID > t.lastRowID {
			return fmt.Errorf("%s: row ID %d out of order", runsFile, nextID)
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
	if !fresh && n != tj.Rows {
		return nil, fmt.Errorf("%s: %d rows, but %s records %d", file, n, csvstore.CatalogFile, tj.Rows)
	}
	if left != 0 || len(runs) != 0 {
		return nil, fmt.Errorf("%s: %d rows, but %s has runs of more", file, n, runsFile)
	}
	return t, nil
}

// readRuns reads table name's row runs file into triples (runsColumns),
// never nil.
func readRuns(cp *csvstore.Checkpoint, name string) ([]uint64, error) {
	runs := []uint64{}
	err := cp.ReadCompanion(name, runsKind, runsColumns, func(rec []csvstore.Field) error {
		for i, f := range rec {
			v, err := strconv.ParseUint(f.Value, 10, 64)
			if err != nil || f.Null {
				return fmt.Errorf("%s %q is not a row ID, count or version", runsColumns[i], f.Value)
			}
			runs = append(runs, v)
		}
		return nil
	})
	return runs, err
}
