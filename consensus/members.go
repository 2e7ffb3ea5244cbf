package consensus

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
)

// Member is one entry of the membership table: a raft ID with the string
// name the operator chose and the address peers dial.
type Member struct {
	ID      uint64 `json:"id"`
	Name    string `json:"name"`
	Address string `json:"address"`
}

// membership is the replicated membership table (ID → Member). It changes
// only when a conf change entry applies or a snapshot is restored, on the
// Ready loop; other goroutines read it under mu. Each change is also written
// to Dir/members.json, so an operator can see who the node believes is in
// its cluster.
type membership struct {
	path    string
	mu      sync.Mutex
	m       map[uint64]Member
	removed map[uint64]bool // raft IDs removed from the cluster: never reused
	changed chan struct{}   // closed, and replaced, at every change (watch)
}

// membershipFile is the JSON form of the table, in members.json and in
// snapshots.
type membershipFile struct {
	Members []Member `json:"members"`
	Removed []uint64 `json:"removed,omitempty"`
}

func newMembership(dir string) *membership {
	return &membership{
		path:    filepath.Join(dir, "members.json"),
		m:       make(map[uint64]Member),
		removed: make(map[uint64]bool),
		changed: make(chan struct{}),
	}
}

// watch returns the members, sorted by name, and a channel closed at the
// next change of the table.
func (ms *membership) watch() ([]Member, <-chan struct{}) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return ms.listLocked(), ms.changed
}

// notifyLocked wakes the watchers of the table; ms.mu is held.
func (ms *membership) notifyLocked() {
	close(ms.changed)
	ms.changed = make(chan struct{})
}

// list returns the members sorted by name.
func (ms *membership) list() []Member {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return ms.listLocked()
}

// listLocked is list with ms.mu held.
func (ms *membership) listLocked() []Member {
	out := make([]Member, 0, len(ms.m))
	for _, m := range ms.m {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (ms *membership) get(id uint64) (Member, bool) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	m, ok := ms.m[id]
	return m, ok
}

// byName finds a member by its string name.
func (ms *membership) byName(name string) (Member, bool) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	for _, m := range ms.m {
		if m.Name == name {
			return m, true
		}
	}
	return Member{}, false
}

func (ms *membership) set(m Member) {
	ms.mu.Lock()
	ms.m[m.ID] = m
	ms.notifyLocked()
	ms.mu.Unlock()
}

// remove deletes id from the table and remembers it was removed.
func (ms *membership) remove(id uint64) {
	ms.mu.Lock()
	delete(ms.m, id)
	ms.removed[id] = true
	ms.notifyLocked()
	ms.mu.Unlock()
}

// isRemoved reports whether id was removed from the cluster.
func (ms *membership) isRemoved(id uint64) bool {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return ms.removed[id]
}

// file returns the table in its JSON form.
func (ms *membership) file() membershipFile {
	f := membershipFile{Members: ms.list()}
	ms.mu.Lock()
	for id := range ms.removed {
		f.Removed = append(f.Removed, id)
	}
	ms.mu.Unlock()
	sort.Slice(f.Removed, func(i, j int) bool { return f.Removed[i] < f.Removed[j] })
	return f
}

// replace swaps in a whole table (from a snapshot or a join answer).
func (ms *membership) replace(f membershipFile) {
	ms.mu.Lock()
	ms.m = make(map[uint64]Member, len(f.Members))
	for _, m := range f.Members {
		ms.m[m.ID] = m
	}
	ms.removed = make(map[uint64]bool, len(f.Removed))
	for _, id := range f.Removed {
		ms.removed[id] = true
	}
	ms.notifyLocked()
	ms.mu.Unlock()
}

// load reads members.json if it exists.
func (ms *membership) load() error {
	b, err := os.ReadFile(ms.path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var f membershipFile
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("consensus: %s: %w", ms.path, err)
	}
	ms.replace(f)
	return nil
}

// save writes members.json atomically (temp file, fsync, rename).
func (ms *membership) save() error {
	b, err := json.MarshalIndent(ms.file(), "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(ms.path, append(b, '\n'))
}

// writeFileAtomic replaces path with data so a crash leaves either the old
// or the new content.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
