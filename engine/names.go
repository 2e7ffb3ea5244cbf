package engine

import (
	"strings"

	"github.com/chronos-db/chronos/engine/storage"
)

// sameName reports whether a catalog or column name matches a name written
// in a statement: exactly, or failing that without regard to case (the
// dialect front end leaves the case of identifiers as written).
func sameName(have, want string) bool {
	return have == want || strings.EqualFold(have, want)
}

// lookupTable finds a table by name in snap: the exact name first, then
// the lower-cased one.
func lookupTable(snap *storage.Snapshot, name string) (*storage.Table, bool) {
	if t, ok := snap.Table(name); ok {
		return t, true
	}
	if l := strings.ToLower(name); l != name {
		return snap.Table(l)
	}
	return nil, false
}

// lookupView finds a view by name in snap, like lookupTable.
func lookupView(snap *storage.Snapshot, name string) (*storage.ViewDef, bool) {
	if v, ok := snap.View(name); ok {
		return v, true
	}
	if l := strings.ToLower(name); l != name {
		return snap.View(l)
	}
	return nil, false
}
