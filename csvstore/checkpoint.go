package csvstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// The names inside a checkpoint's parent directory and inside a checkpoint.
const (
	// CurrentDir is the complete current checkpoint.
	CurrentDir = "checkpoint"
	// TempDir is a checkpoint being written; incomplete until renamed.
	TempDir = "checkpoint.tmp"
	// OldDir is the previous checkpoint while the new one replaces it.
	OldDir = "checkpoint.old"
	// CatalogFile holds the catalog and the applied index.
	CatalogFile = "catalog.json"
)

// ErrNoCheckpoint is returned by Open when the directory holds no
// checkpoint.
var ErrNoCheckpoint = errors.New("csvstore: no checkpoint")

// Table is one file to write in a checkpoint: a table's, or a companion
// of it.
type Table struct {
	// Name is the table name; FileName gives its file.
	Name string
	// Kind, when not empty, makes this a companion file of table Name
	// rather than the table's own (CompanionFileName): the caller's own
	// records about the table's rows, which csvstore does not interpret.
	// It is one or more letters a-z.
	Kind string
	// Columns are the column names, written as the header row.
	Columns []string
	// Rows produces the records: it calls emit once per row, in order, with
	// len(Columns) fields (the slice may be reused between calls), and
	// returns emit's error if emit fails.
	Rows func(emit func(record []Field) error) error
	// Reuse says the file has not changed since the current checkpoint
	// was written (or loaded) with the same columns: Write hard-links it
	// instead of writing it again, if the file is there.
	Reuse bool
	// Appended, when Reuse is not set, says the file in the current
	// checkpoint holds the first records, unchanged and under the same
	// columns, and produces only the records after them: Write then
	// hard-links that file and appends them (see DESIGN.md, "Appending").
	// Without such a file Write uses Rows.
	Appended func(emit func(record []Field) error) error
}

// file returns the name of t's file.
func (t *Table) file() string {
	if t.Kind == "" {
		return FileName(t.Name)
	}
	return CompanionFileName(t.Name, t.Kind)
}

// catalogFile is the content of catalog.json.
type catalogFile struct {
	// Index is the raft index the checkpoint reflects.
	Index uint64 `json:"applied_index"`
	// Files is the length in bytes of each file of the checkpoint, for
	// Write to extend a file and Recover to cut off what an interrupted
	// Write appended (see DESIGN.md, "Appending"). Absent in checkpoints
	// written before files were appended to.
	Files map[string]int64 `json:"files,omitempty"`
	// Catalog is the caller's catalog.
	Catalog json.RawMessage `json:"catalog"`
}

// Write writes a new checkpoint of the given tables under dir and makes it
// the current one atomically; see DESIGN.md for the steps. catalog must be
// a JSON value (it is embedded in catalog.json as is, to stay readable).
// Tables' files are written in the order given. dir is created if needed.
// Calls for the same dir must not overlap.
func Write(dir string, index uint64, catalog []byte, tables []Table) error {
	if !json.Valid(catalog) {
		return errors.New("csvstore: catalog is not valid JSON")
	}
	seen := map[string]bool{}
	for _, t := range tables {
		if t.Name == "" {
			return errors.New("csvstore: empty table name")
		}
		if !validKind(t.Kind) {
			return fmt.Errorf("csvstore: table %q: companion kind %q is not letters a-z", t.Name, t.Kind)
		}
		if seen[t.file()] {
			return fmt.Errorf("csvstore: table %q listed twice", t.Name)
		}
		seen[t.file()] = true
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("csvstore: %w", err)
	}
	// Finish or undo an interrupted switch first, so that CurrentDir is
	// the checkpoint to link from and nothing half-written is left.
	if err := Recover(dir); err != nil {
		return err
	}
	cur := filepath.Join(dir, CurrentDir)
	tmp := filepath.Join(dir, TempDir)
	if err := os.Mkdir(tmp, 0o755); err != nil {
		return fmt.Errorf("csvstore: %w", err)
	}
	// The lengths of the current checkpoint's files, for Reuse and
	// Appended; none when there is no current checkpoint (or it predates
	// recorded lengths), and every file is then written whole.
	var have map[string]int64
	if cf, err := readCatalogFile(cur); err == nil {
		have = cf.Files
	}
	// Step 1: write every table file into checkpoint.tmp, each fsynced.
	lengths := make(map[string]int64, len(tables))
	for _, t := range tables {
		n, err := writeTable(cur, tmp, t, have)
		if err != nil {
			return err
		}
		lengths[t.file()] = n
		if err := crashPoint("table"); err != nil {
			return err
		}
	}
	// Step 2: catalog.json, fsynced; then the directory itself.
	// Written by hand rather than by encoding/json, which would reformat
	// the caller's bytes: Open returns them exactly.
	files, err := json.MarshalIndent(lengths, "  ", "  ")
	if err != nil {
		return fmt.Errorf("csvstore: %w", err)
	}
	data := fmt.Appendf(nil, "{\n  \"applied_index\": %d,\n  \"files\": %s,\n  \"catalog\": %s\n}\n", index, files, catalog)
	if err := writeFileSync(filepath.Join(tmp, CatalogFile), data); err != nil {
		return err
	}
	if err := syncDir(tmp); err != nil {
		return err
	}
	if err := crashPoint("catalog"); err != nil {
		return err
	}
	// Step 3: move the current checkpoint aside.
	hadCurrent := true
	if err := os.Rename(cur, filepath.Join(dir, OldDir)); err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("csvstore: %w", err)
		}
		hadCurrent = false
	}
	if hadCurrent {
		if err := syncDir(dir); err != nil {
			return err
		}
		if err := crashPoint("moved-old"); err != nil {
			return err
		}
	}
	// Step 4: the new checkpoint becomes current.
	if err := os.Rename(tmp, cur); err != nil {
		return fmt.Errorf("csvstore: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return err
	}
	if err := crashPoint("renamed-new"); err != nil {
		return err
	}
	// Step 5: drop the old one.
	if err := os.RemoveAll(filepath.Join(dir, OldDir)); err != nil {
		return fmt.Errorf("csvstore: %w", err)
	}
	return nil
}

// crashHook, set only by tests, is called at each crash point of Write; an
// error stops Write there, leaving the directory as a crash would.
var crashHook func(point string) error

func crashPoint(point string) error {
	if crashHook == nil {
		return nil
	}
	return crashHook(point)
}

// writeTable writes (or links, or extends) one file into tmp and returns
// its length. have holds the lengths of the current checkpoint's files.
func writeTable(cur, tmp string, t Table, have map[string]int64) (int64, error) {
	name := t.file()
	path := filepath.Join(tmp, name)
	if n, ok := have[name]; ok && (t.Reuse || t.Appended != nil) {
		size, err := extend(filepath.Join(cur, name), path, n, t)
		if !errors.Is(err, errNoBase) {
			return size, err
		}
		// No file to build on (a file system without hard links, or a
		// file changed by hand): write it whole.
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return 0, fmt.Errorf("csvstore: %w", err)
	}
	defer f.Close()
	cw := &countingWriter{w: f}
	w := NewWriter(cw)
	if err := w.WriteStrings(t.Columns); err != nil {
		return 0, fmt.Errorf("csvstore: %s: %w", name, err)
	}
	if err := writeRecords(w, t.Rows, len(t.Columns)); err != nil {
		return 0, fmt.Errorf("csvstore: %s: %w", name, err)
	}
	if err := syncClose(f, w); err != nil {
		return 0, fmt.Errorf("csvstore: %s: %w", name, err)
	}
	return cw.n, nil
}

// errNoBase is extend's report that there is no file to build on.
var errNoBase = errors.New("csvstore: no file to extend")

// extend hard-links the current checkpoint's file from, n bytes long, to
// the new checkpoint's to and, unless t.Reuse, appends t.Appended's
// records to it: the first n bytes, the current checkpoint's, are never
// written. It returns the new length, or errNoBase when from cannot be
// linked or is not n bytes long.
func extend(from, to string, n int64, t Table) (int64, error) {
	name := filepath.Base(to)
	if err := os.Link(from, to); err != nil {
		return 0, errNoBase
	}
	f, err := os.OpenFile(to, os.O_WRONLY, 0)
	if err != nil {
		return 0, fmt.Errorf("csvstore: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("csvstore: %w", err)
	}
	if fi.Size() != n {
		// Changed since it was written (by hand, say): not a base.
		f.Close()
		if err := os.Remove(to); err != nil {
			return 0, fmt.Errorf("csvstore: %w", err)
		}
		return 0, errNoBase
	}
	if t.Reuse {
		// Nothing new to make durable: the first n bytes were synced
		// when they were written.
		return n, f.Close()
	}
	if _, err := f.Seek(n, io.SeekStart); err != nil {
		return 0, fmt.Errorf("csvstore: %s: %w", name, err)
	}
	cw := &countingWriter{w: f}
	w := NewWriter(cw)
	if err := writeRecords(w, t.Appended, len(t.Columns)); err != nil {
		return 0, fmt.Errorf("csvstore: %s: %w", name, err)
	}
	if err := syncClose(f, w); err != nil {
		return 0, fmt.Errorf("csvstore: %s: %w", name, err)
	}
	return n + cw.n, nil
}

// writeRecords writes what rows (which may be nil) emits, each record
// with n fields.
func writeRecords(w *Writer, rows func(emit func([]Field) error) error, n int) error {
	if rows == nil {
		return nil
	}
	return rows(func(record []Field) error {
		if len(record) != n {
			return fmt.Errorf("record has %d fields, want %d", len(record), n)
		}
		return w.Write(record)
	})
}

// syncClose flushes w into f, then fsyncs and closes f.
func syncClose(f *os.File, w *Writer) error {
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return f.Close()
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("csvstore: %w", err)
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("csvstore: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("csvstore: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("csvstore: %w", err)
	}
	return nil
}

// syncDir fsyncs a directory so the entries created or renamed in it are
// durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("csvstore: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("csvstore: sync %s: %w", filepath.Base(dir), err)
	}
	return nil
}

// Recover brings dir back to a clean state after a crash during Write:
//
//   - checkpoint/ exists: it is complete (only a complete checkpoint is ever
//     renamed to that name); checkpoint.tmp/ and checkpoint.old/ are
//     leftovers and are removed.
//   - only checkpoint.old/ and checkpoint.tmp/: the crash came between moving
//     the old checkpoint aside and renaming the new one, which was complete
//     and fsynced before the old one moved; the new one becomes current.
//   - only checkpoint.old/: cannot follow from Write's steps, but is a
//     complete checkpoint; it becomes current again.
//   - only checkpoint.tmp/ or nothing: there never was a complete
//     checkpoint; the partial one is removed.
//
// Before a checkpoint.tmp/ is removed, the current checkpoint's files are
// cut back to the lengths its catalog.json records: the interrupted Write
// may have appended to them through its hard links (Table.Appended).
//
// Open and Write call it; a missing dir is not an error.
func Recover(dir string) error {
	cur := filepath.Join(dir, CurrentDir)
	tmp := filepath.Join(dir, TempDir)
	old := filepath.Join(dir, OldDir)
	hasCur, err := isDir(cur)
	if err != nil {
		return err
	}
	hasTmp, err := isDir(tmp)
	if err != nil {
		return err
	}
	hasOld, err := isDir(old)
	if err != nil {
		return err
	}
	if !hasCur && hasOld {
		from := old
		if hasTmp {
			from = tmp
		}
		if err := os.Rename(from, cur); err != nil {
			return fmt.Errorf("csvstore: recover: %w", err)
		}
		if err := syncDir(dir); err != nil {
			return err
		}
		hasTmp, hasOld = hasTmp && from != tmp, hasOld && from != old
	}
	if hasTmp {
		// The interrupted Write may have appended to the current
		// checkpoint's files through its links in tmp.
		if err := trim(cur); err != nil {
			return err
		}
	}
	changed := false
	for _, p := range []struct {
		path string
		has  bool
	}{{tmp, hasTmp}, {old, hasOld}} {
		if p.has {
			if err := os.RemoveAll(p.path); err != nil {
				return fmt.Errorf("csvstore: recover: %w", err)
			}
			changed = true
		}
	}
	if changed {
		return syncDir(dir)
	}
	return nil
}

// trim cuts each file of checkpoint directory path back to the length its
// catalog.json records, and syncs each file it cuts. A catalog.json that
// cannot be read leaves the files alone; Open reports it.
func trim(path string) error {
	cf, err := readCatalogFile(path)
	if err != nil {
		return nil
	}
	for file, n := range cf.Files {
		if file != filepath.Base(file) || file == "." || file == ".." {
			continue // not a name Write records
		}
		if err := trimFile(filepath.Join(path, file), n); err != nil {
			return fmt.Errorf("csvstore: recover: %w", err)
		}
	}
	return nil
}

func trimFile(path string, n int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() <= n {
		return nil
	}
	if err := f.Truncate(n); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return f.Close()
}

func isDir(path string) (bool, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("csvstore: %w", err)
	}
	if !fi.IsDir() {
		return false, fmt.Errorf("csvstore: %s is not a directory", path)
	}
	return true, nil
}

// Checkpoint is an opened checkpoint, ready to read.
type Checkpoint struct {
	// Index is the raft index the checkpoint reflects.
	Index uint64
	// Catalog is the catalog given to Write.
	Catalog []byte
	// Path is the checkpoint's directory (DIR/checkpoint).
	Path string
}

// Open recovers dir (see Recover) and opens its current checkpoint. It
// returns an error wrapping ErrNoCheckpoint when there is none.
func Open(dir string) (*Checkpoint, error) {
	if err := Recover(dir); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, CurrentDir)
	cf, err := readCatalogFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if ok, _ := isDir(path); ok {
			return nil, fmt.Errorf("csvstore: %s: %w", CatalogFile, err)
		}
		return nil, fmt.Errorf("%w in %s", ErrNoCheckpoint, dir)
	}
	if err != nil {
		return nil, err
	}
	if cf.Catalog == nil {
		return nil, fmt.Errorf("csvstore: %s: no catalog", CatalogFile)
	}
	return &Checkpoint{Index: cf.Index, Catalog: cf.Catalog, Path: path}, nil
}

// readCatalogFile reads the catalog.json of checkpoint directory path.
func readCatalogFile(path string) (*catalogFile, error) {
	data, err := os.ReadFile(filepath.Join(path, CatalogFile))
	if err != nil {
		return nil, fmt.Errorf("csvstore: %w", err)
	}
	var cf catalogFile
	if err := json.Unmarshal(data, &cf); err != nil {
		return nil, fmt.Errorf("csvstore: %s: %w", CatalogFile, err)
	}
	return &cf, nil
}

// Files returns the names of the files of the checkpoint, sorted.
func (c *Checkpoint) Files() ([]string, error) {
	entries, err := os.ReadDir(c.Path)
	if err != nil {
		return nil, fmt.Errorf("csvstore: %w", err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names, nil
}

// ReadTable reads a table's file: it checks the header row against columns
// and calls fn once per record, in file order, with exactly len(columns)
// fields (the slice is reused; its strings may be kept). Any failure, a
// syntax error, a wrong field count or an error returned by fn, stops the
// read with an error "<file>:<line>: ...", the line being where the record
// starts; the caller must then discard what it built.
func (c *Checkpoint) ReadTable(name string, columns []string, fn func(record []Field) error) error {
	return c.readFile(FileName(name), columns, fn)
}

// ReadCompanion reads table name's companion file of the given kind (see
// Table.Kind) as ReadTable reads the table's own.
func (c *Checkpoint) ReadCompanion(name, kind string, columns []string, fn func(record []Field) error) error {
	return c.readFile(CompanionFileName(name, kind), columns, fn)
}

// readFile reads one file of the checkpoint.
func (c *Checkpoint) readFile(file string, columns []string, fn func(record []Field) error) error {
	f, err := os.Open(filepath.Join(c.Path, file))
	if err != nil {
		return fmt.Errorf("csvstore: %w", err)
	}
	defer f.Close()
	return ReadRecords(f, file, columns, fn)
}

// ReadRecords is ReadTable on any reader; file names it in errors.
func ReadRecords(r io.Reader, file string, columns []string, fn func(record []Field) error) error {
	rd := NewReader(r)
	fail := func(line int, err error) error {
		var pe *ParseError
		if errors.As(err, &pe) {
			return fmt.Errorf("%s:%d: %w", file, pe.Line, pe.Err)
		}
		return fmt.Errorf("%s:%d: %w", file, line, err)
	}
	header, err := rd.Read()
	if err == io.EOF {
		return fmt.Errorf("%s:1: missing header row", file)
	}
	if err != nil {
		return fail(1, err)
	}
	if !headerMatches(header, columns) {
		got := make([]string, len(header))
		for i, h := range header {
			got[i] = h.Value
		}
		return fmt.Errorf("%s:1: header (%s) does not match the table's columns (%s)",
			file, strings.Join(got, ", "), strings.Join(columns, ", "))
	}
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fail(rd.Line(), err)
		}
		if len(columns) == 0 && len(rec) == 1 && rec[0].Null {
			rec = rec[:0] // a row of a table without columns is an empty line
		}
		if len(rec) != len(columns) {
			return fmt.Errorf("%s:%d: record has %d fields, want %d", file, rd.Line(), len(rec), len(columns))
		}
		if err := fn(rec); err != nil {
			return fail(rd.Line(), err)
		}
	}
}

func headerMatches(header []Field, columns []string) bool {
	if len(columns) == 0 {
		// A table without columns has an empty header line, read as one
		// NULL field.
		return len(header) == 1 && header[0].Null
	}
	if len(header) != len(columns) {
		return false
	}
	for i, h := range header {
		if h.Value != columns[i] {
			return false
		}
	}
	return true
}
