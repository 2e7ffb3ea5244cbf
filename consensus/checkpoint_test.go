package consensus

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

// gatedSM is the kv state machine whose first Checkpoint waits for gate.
type gatedSM struct {
	*kvSM
	once    sync.Once
	entered chan struct{} // closed when the first Checkpoint starts
	gate    chan struct{} // closed by the test to let it finish
}

func (g *gatedSM) Checkpoint() (uint64, error) {
	g.once.Do(func() {
		close(g.entered)
		<-g.gate
	})
	return g.kvSM.Checkpoint()
}

// A checkpoint runs beside the Ready loop: writes go on while it is
// stuck, its raft snapshot is recorded when it ends, and Stop waits for it
// before the final checkpoint.
func TestCheckpointRunsInBackground(t *testing.T) {
	dir := t.TempDir()
	kv, err := loadKV(filepath.Join(dir, "sm"))
	if err != nil {
		t.Fatal(err)
	}
	sm := &gatedSM{kvSM: kv, entered: make(chan struct{}), gate: make(chan struct{})}
	cfg := Config{ID: 1, Name: "n1", Dir: filepath.Join(dir, "raft"), TickInterval: 10 * time.Millisecond,
		CheckpointEntries: 20, CatchUpEntries: 5, Logger: testLogger(t)}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n, err := Start(ctx, cfg, sm)
	if err != nil {
		t.Fatal(err)
	}
	propose := func(cmd string) {
		t.Helper()
		if _, err := n.Propose(ctx, []byte(cmd)); err != nil {
			t.Fatalf("Propose(%q): %v", cmd, err)
		}
	}
	for i := range 25 {
		propose(fmt.Sprintf("set a%d=x", i))
	}
	select {
	case <-sm.entered:
	case <-time.After(5 * time.Second):
		t.Fatal("no checkpoint started after 25 entries")
	}
	// The checkpoint is stuck; writes still apply.
	for i := range 100 {
		propose(fmt.Sprintf("set b%d=x", i))
	}
	if st := n.Stats(); st.Checkpoints != 0 || st.SnapshotIndex != 0 {
		t.Fatalf("stats %+v while the checkpoint is stuck; want no checkpoint and no snapshot yet", st)
	}
	close(sm.gate)
	waitFor(t, 5*time.Second, "the checkpoint's snapshot", func() bool { return n.Stats().SnapshotIndex >= 20 })
	propose("set last=x")
	if err := n.Stop(); err != nil {
		t.Fatal(err)
	}
	if got := kv.checkpointCount(); got < 2 {
		t.Errorf("%d checkpoints written, want the background one and the final one", got)
	}
	// A restart finds everything, from the final checkpoint.
	r := startSingle(t, dir, nil)
	if got := r.sm.len(); got != 126 {
		t.Errorf("%d keys after restart, want 126", got)
	}
	if calls := r.sm.calls(); len(calls) != 0 {
		t.Errorf("restart after a clean stop applied %d entries again, want 0", len(calls))
	}
}

func TestSplitDurable(t *testing.T) {
	ents := func(from, to uint64) []raftpb.Entry {
		var out []raftpb.Entry
		for i := from; i <= to; i++ {
			out = append(out, raftpb.Entry{Index: i, Term: 1})
		}
		return out
	}
	snap := raftpb.Snapshot{Metadata: raftpb.SnapshotMetadata{Index: 9, Term: 1}}
	tests := []struct {
		name      string
		lastSaved uint64
		rd        raft.Ready
		early     int
	}{
		{"leader: committed entries saved earlier, new ones after", 10,
			raft.Ready{CommittedEntries: ents(6, 10), Entries: ents(11, 14)}, 5},
		{"nothing new to save", 10, raft.Ready{CommittedEntries: ents(6, 10)}, 5},
		{"follower: committed entries arrive with this Ready", 10,
			raft.Ready{CommittedEntries: ents(9, 12), Entries: ents(11, 12)}, 2},
		{"follower: this Ready rewrites saved entries", 10,
			raft.Ready{CommittedEntries: ents(7, 9), Entries: ents(8, 9)}, 1},
		{"not saved yet", 5, raft.Ready{CommittedEntries: ents(6, 8)}, 0},
		{"with a snapshot", 10, raft.Ready{Snapshot: snap, CommittedEntries: ents(10, 10)}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := &Node{lastSaved: tt.lastSaved}
			early, late := n.splitDurable(tt.rd)
			if len(early) != tt.early || len(early)+len(late) != len(tt.rd.CommittedEntries) {
				t.Fatalf("split %d+%d, want %d early of %d", len(early), len(late), tt.early, len(tt.rd.CommittedEntries))
			}
			if len(late) > 0 && len(early) > 0 && late[0].Index != early[len(early)-1].Index+1 {
				t.Errorf("split is not a prefix and the rest")
			}
		})
	}
}

func TestSoloCommitted(t *testing.T) {
	ents := func(from, to uint64) []raftpb.Entry {
		var out []raftpb.Entry
		for i := from; i <= to; i++ {
			out = append(out, raftpb.Entry{Index: i, Term: 2, Type: raftpb.EntryNormal})
		}
		return out
	}
	withConfChange := append(ents(11, 12), raftpb.Entry{Index: 13, Term: 2, Type: raftpb.EntryConfChange})
	withConfChange = append(withConfChange, ents(14, 15)...)
	alone := raftpb.ConfState{Voters: []uint64{1}}
	snap := raftpb.Snapshot{Metadata: raftpb.SnapshotMetadata{Index: 9, Term: 1}}
	tests := []struct {
		name   string
		state  raft.StateType
		conf   raftpb.ConfState
		handed uint64
		rd     raft.Ready
		want   int
	}{
		{"lone leader, entries follow those handed", raft.StateLeader, alone, 10, raft.Ready{Entries: ents(11, 14)}, 4},
		{"up to the first conf change", raft.StateLeader, alone, 10, raft.Ready{Entries: withConfChange}, 2},
		{"a gap before the entries", raft.StateLeader, alone, 8, raft.Ready{Entries: ents(11, 14)}, 0},
		{"two voters", raft.StateLeader, raftpb.ConfState{Voters: []uint64{1, 2}}, 10, raft.Ready{Entries: ents(11, 14)}, 0},
		{"a learner to replicate to", raft.StateLeader, raftpb.ConfState{Voters: []uint64{1}, Learners: []uint64{2}}, 10, raft.Ready{Entries: ents(11, 14)}, 0},
		{"not leader", raft.StateFollower, alone, 10, raft.Ready{Entries: ents(11, 14)}, 0},
		{"with a snapshot", raft.StateLeader, alone, 10, raft.Ready{Snapshot: snap, Entries: ents(11, 14)}, 0},
		{"no entries", raft.StateLeader, alone, 10, raft.Ready{CommittedEntries: ents(9, 10)}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := &Node{cfg: Config{ID: 1}, confState: tt.conf, handed: tt.handed}
			n.state.Store(int32(tt.state))
			got := n.soloCommitted(tt.rd)
			if len(got) != tt.want {
				t.Fatalf("%d entries committed, want %d", len(got), tt.want)
			}
			if len(got) > 0 && got[0].Index != tt.handed+1 {
				t.Errorf("first entry %d, want %d", got[0].Index, tt.handed+1)
			}
		})
	}
}
