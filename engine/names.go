package engine

import (
	"github.com/chronos-db/chronos/engine/storage"
)

// Names. The dialect front end folds unquoted identifiers to lower case and
// keeps quoted ones as written, so names are compared exactly, as
// PostgreSQL compares them: "Foo" and foo are different names.

// sameName reports whether a catalog or column name matches a name written
// in a statement.
func sameName(have, want string) bool {
	return have == want
}

// lookupTable finds a table by name in snap.
func lookupTable(snap *storage.Snapshot, name string) (*storage.Table, bool) {
	return snap.Table(name)
}

// lookupView finds a view by name in snap.
func lookupView(snap *storage.Snapshot, name string) (*storage.ViewDef, bool) {
	return snap.View(name)
}
