package storage

import (
	"fmt"

	"github.com/chronos-db/chronos/engine/sqlerr"
)

// tx is one command being applied: it starts from the published snapshot
// base, clones what it changes, and either publishes the result or is
// dropped, which is how a rejected command changes nothing.
type tx struct {
	base  *Snapshot
	index uint64
	// next is base with a copied tables map, created on the first change.
	next *Snapshot
	// catalogCopied says next's views and indexOwner maps are copies too.
	catalogCopied bool
	// cloned holds the tables this command already cloned, by name.
	cloned map[string]*Table
	// firstVersion holds, for rows this command wrote, their version before
	// it, so a second op on the same row can present the version it read.
	firstVersion map[rowRef]uint64
	// buf is scratch space for index keys.
	buf []byte
	// undo is set when the tx applies a batch of commands (ApplyBatch):
	// it records the current command's changes to reverse them if it fails.
	undo *undoLog
}

type rowRef struct {
	table string
	id    uint64
}

func newTx(base *Snapshot, index uint64) *tx {
	return &tx{base: base, index: index}
}

// snap returns the state as changed so far.
func (tx *tx) snap() *Snapshot {
	if tx.next != nil {
		return tx.next
	}
	return tx.base
}

// writable returns the snapshot under construction, creating it; its
// tables map may be modified.
func (tx *tx) writable() *Snapshot {
	if tx.next == nil {
		tx.next = tx.base.copyTables()
		tx.next.applied = tx.index
	}
	return tx.next
}

// writableCatalog is writable with views and indexOwner modifiable too.
func (tx *tx) writableCatalog() *Snapshot {
	s := tx.writable()
	if !tx.catalogCopied {
		s.copyCatalog()
		tx.catalogCopied = true
	}
	return s
}

// mutableTable returns a private clone of the named existing table.
func (tx *tx) mutableTable(name string) *Table {
	if t, ok := tx.cloned[name]; ok {
		return t
	}
	t := tx.snap().tables[name].clone()
	tx.writable().tables[name] = t
	if tx.cloned == nil {
		tx.cloned = map[string]*Table{}
	}
	tx.cloned[name] = t
	return t
}

// setTable installs a new or replaced table object.
func (tx *tx) setTable(t *Table) {
	tx.writable().tables[t.def.Name] = t
	if tx.cloned == nil {
		tx.cloned = map[string]*Table{}
	}
	tx.cloned[t.def.Name] = t
}

// allocOID hands out the next object identifier.
func (tx *tx) allocOID() uint32 {
	s := tx.writable()
	oid := s.nextOID
	s.nextOID++
	return oid
}

// publish returns the snapshot to make current.
func (tx *tx) publish() *Snapshot {
	if tx.next == nil {
		next := *tx.base
		next.applied = tx.index
		return &next
	}
	return tx.next
}

// apply dispatches cmd.
func (tx *tx) apply(cmd Command) Result {
	switch c := cmd.(type) {
	case *Noop:
		return Result{}
	case *Write:
		return tx.applyWrite(c)
	case *CreateTable:
		return tx.createTable(c)
	case *DropTable:
		return tx.dropTable(c)
	case *CreateIndex:
		return tx.createIndex(c)
	case *DropIndex:
		return tx.dropIndex(c)
	case *AddColumn:
		return tx.addColumn(c)
	case *DropColumn:
		return tx.dropColumn(c)
	case *AddPrimaryKey:
		return tx.addPrimaryKey(c)
	case *Truncate:
		return tx.truncate(c)
	case *CreateView:
		return tx.createView(c)
	case *DropView:
		return tx.dropView(c)
	case roleCommand:
		return tx.applyRole(c)
	case nil:
		return errResult(sqlerr.New(sqlerr.InternalError, "nil command"))
	}
	return errResult(sqlerr.New(sqlerr.InternalError, "unknown command type %T", cmd))
}

func errResult(err error) Result { return Result{Err: err} }

func internalf(format string, args ...any) error {
	return sqlerr.New(sqlerr.InternalError, "storage: %s", fmt.Sprintf(format, args...))
}
