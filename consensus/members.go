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
	path string
	mu   sync.Mutex
	m    map[uint64]Member
}

func newMembership(dir string) *membership {
	return &membership{path: filepath.Join(dir, "members.json"), m: make(map[uint64]Member)}
}

// list returns the members sorted by name.
func (ms *membership) list() []Member {
	ms.mu.Lock()
	defer ms.mu.Unlock()
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
	ms.mu.Unlock()
}

func (ms *membership) remove(id uint64) {
	ms.mu.Lock()
	delete(ms.m, id)
	ms.mu.Unlock()
}

// replace swaps in a whole table (from a snapshot).
func (ms *membership) replace(list []Member) {
	ms.mu.Lock()
	ms.m = make(map[uint64]Member, len(list))
	for _, m := range list {
		ms.m[m.ID] = m
	}
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
	var list []Member
	if err := json.Unmarshal(b, &list); err != nil {
		return fmt.Errorf("consensus: %s: %w", ms.path, err)
	}
	ms.replace(list)
	return nil
}

// save writes members.json atomically (temp file, fsync, rename).
func (ms *membership) save() error {
	b, err := json.MarshalIndent(ms.list(), "", "  ")
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
