package consensus

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// kvSM is the state machine the tests replicate: a string map, checkpointed
// as JSON in its own directory. Commands are "set k=v" (the result is the
// map's size after it) and "reject why" (a validation rejection, returned
// as an error value, like a write set that fails its read versions).
type kvSM struct {
	dir string

	mu          sync.Mutex
	data        map[string]string
	applied     uint64
	applyCalls  []uint64 // indexes applied since load
	checkpoints int
	restores    int
}

type kvFile struct {
	Applied uint64            `json:"applied"`
	Data    map[string]string `json:"data"`
}

func loadKV(dir string) (*kvSM, error) {
	s := &kvSM{dir: dir, data: map[string]string{}}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(dir, "kv.json"))
	if os.IsNotExist(err) {
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	var f kvFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, err
	}
	s.applied, s.data = f.Applied, f.Data
	return s, nil
}

func (s *kvSM) AppliedIndex() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.applied
}

func (s *kvSM) Apply(index uint64, data []byte) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	if index <= s.applied {
		panic(fmt.Sprintf("entry %d applied twice (applied %d)", index, s.applied))
	}
	s.applied = index
	s.applyCalls = append(s.applyCalls, index)
	cmd := string(data)
	switch {
	case strings.HasPrefix(cmd, "set "):
		k, v, _ := strings.Cut(cmd[4:], "=")
		s.data[k] = v
		return len(s.data)
	case strings.HasPrefix(cmd, "reject "):
		return errors.New(cmd[7:])
	}
	return fmt.Errorf("unknown command %q", cmd)
}

func (s *kvSM) snapshot() kvFile {
	d := make(map[string]string, len(s.data))
	for k, v := range s.data {
		d[k] = v
	}
	return kvFile{Applied: s.applied, Data: d}
}

func (s *kvSM) Checkpoint() (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := json.Marshal(s.snapshot())
	if err != nil {
		return 0, err
	}
	if err := writeFileAtomic(filepath.Join(s.dir, "kv.json"), b); err != nil {
		return 0, err
	}
	s.checkpoints++
	return s.applied, nil
}

func (s *kvSM) SnapshotData() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return json.Marshal(s.snapshot())
}

func (s *kvSM) Restore(index uint64, data []byte) error {
	var f kvFile
	if err := json.Unmarshal(data, &f); err != nil {
		return err
	}
	if f.Applied != index {
		return fmt.Errorf("snapshot data covers %d, restore says %d", f.Applied, index)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applied, s.data = f.Applied, f.Data
	s.restores++
	return nil
}

func (s *kvSM) get(k string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.data[k]
	return v, ok
}

func (s *kvSM) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.data)
}

func (s *kvSM) calls() []uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]uint64(nil), s.applyCalls...)
}

func (s *kvSM) checkpointCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.checkpoints
}
