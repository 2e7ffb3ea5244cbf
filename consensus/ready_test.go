package consensus

import (
	"slices"
	"testing"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

func TestSplitLocal(t *testing.T) {
	app := raftpb.Message{Type: raftpb.MsgApp, To: 2}
	prop := raftpb.Message{Type: raftpb.MsgProp, To: 3}
	write := raftpb.Message{Type: raftpb.MsgStorageAppend, To: raft.LocalAppendThread, Commit: 7}
	apply := raftpb.Message{Type: raftpb.MsgStorageApply, To: raft.LocalApplyThread, Entries: []raftpb.Entry{{Index: 7}}}
	tests := []struct {
		name         string
		msgs         []raftpb.Message
		write, apply *raftpb.Message
		peers        []raftpb.Message
	}{
		{"nothing", nil, nil, nil, nil},
		{"peers only", []raftpb.Message{app, prop}, nil, nil, []raftpb.Message{app, prop}},
		{"all kinds, peers keep their order", []raftpb.Message{app, write, prop, apply}, &write, &apply, []raftpb.Message{app, prop}},
		{"local only", []raftpb.Message{apply, write}, &write, &apply, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, a, peers := splitLocal(slices.Clone(tt.msgs))
			if !sameMessage(w, tt.write) || !sameMessage(a, tt.apply) {
				t.Errorf("write, apply = %v, %v; want %v, %v", w, a, tt.write, tt.apply)
			}
			if len(peers) != len(tt.peers) {
				t.Fatalf("peers = %v, want %v", peers, tt.peers)
			}
			for i := range peers {
				if peers[i].Type != tt.peers[i].Type || peers[i].To != tt.peers[i].To {
					t.Errorf("peers[%d] = %v, want %v", i, peers[i], tt.peers[i])
				}
			}
		})
	}
}

func sameMessage(a, b *raftpb.Message) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Type == b.Type && a.To == b.To && a.Commit == b.Commit && len(a.Entries) == len(b.Entries)
}

func TestSplitResponses(t *testing.T) {
	const self = 1
	ack := raftpb.Message{Type: raftpb.MsgAppResp, To: 2, From: self}
	selfAck := raftpb.Message{Type: raftpb.MsgAppResp, To: self, From: self}
	stored := raftpb.Message{Type: raftpb.MsgStorageAppendResp, To: self, From: raft.LocalAppendThread}
	vote := raftpb.Message{Type: raftpb.MsgVoteResp, To: 3, From: self}
	tests := []struct {
		name              string
		msgs              []raftpb.Message
		wantSelf, wantOut []raftpb.MessageType
	}{
		{"follower acknowledges", []raftpb.Message{ack, stored}, []raftpb.MessageType{raftpb.MsgStorageAppendResp}, []raftpb.MessageType{raftpb.MsgAppResp}},
		{"leader counts itself, in order", []raftpb.Message{selfAck, stored}, []raftpb.MessageType{raftpb.MsgAppResp, raftpb.MsgStorageAppendResp}, nil},
		{"vote", []raftpb.Message{vote}, nil, []raftpb.MessageType{raftpb.MsgVoteResp}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotSelf, gotOut := splitResponses([]raftpb.Message{selfAck}, tt.msgs, self)
			gotSelf = gotSelf[1:] // appended to what was there
			if !slices.Equal(types(gotSelf), tt.wantSelf) || !slices.Equal(types(gotOut), tt.wantOut) {
				t.Errorf("splitResponses = %v, %v; want %v, %v", types(gotSelf), types(gotOut), tt.wantSelf, tt.wantOut)
			}
		})
	}
}

func types(msgs []raftpb.Message) []raftpb.MessageType {
	var ts []raftpb.MessageType
	for _, m := range msgs {
		ts = append(ts, m.Type)
	}
	return ts
}

// Log writes handed to the appender together share one fsync, and a later
// one that replaces entries of an earlier one (a follower whose log
// conflicted with a new leader's) wins, on disk and in memory.
func TestWriteLogGroupsWrites(t *testing.T) {
	cfg := Config{ID: 1, Name: "n1", Dir: t.TempDir()}
	d, err := createDisk(cfg)
	if err != nil {
		t.Fatal(err)
	}
	n := &Node{cfg: cfg, disk: d, storage: raft.NewMemoryStorage()}
	entry := func(index, term uint64) raftpb.Entry {
		return raftpb.Entry{Index: index, Term: term, Data: []byte{byte(index), byte(term)}}
	}
	writes := []raftpb.Message{
		{Type: raftpb.MsgStorageAppend, Term: 1, Vote: 1, Commit: 1, Entries: []raftpb.Entry{entry(1, 1), entry(2, 1), entry(3, 1)}},
		{Type: raftpb.MsgStorageAppend, Term: 2, Vote: 2, Commit: 2, Entries: []raftpb.Entry{entry(3, 2), entry(4, 2)}},
		{Type: raftpb.MsgStorageAppend}, // nothing but responses
	}
	if err := n.writeLog(writes); err != nil {
		t.Fatal(err)
	}
	if got := n.stats.fsyncs.Load(); got != 1 {
		t.Errorf("%d fsyncs for three writes, want 1", got)
	}
	wantTerms := []uint64{1, 1, 2, 2}
	for i, want := range wantTerms {
		if got, err := n.storage.Term(uint64(i + 1)); err != nil || got != want {
			t.Errorf("in memory: term of entry %d = %d, %v; want %d", i+1, got, err, want)
		}
	}
	if err := d.wal.Close(); err != nil {
		t.Fatal(err)
	}
	d, r, err := openDisk(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer d.wal.Close()
	if want := (raftpb.HardState{Term: 2, Vote: 2, Commit: 2}); r.hardState != want {
		t.Errorf("on disk: HardState %+v, want %+v", r.hardState, want)
	}
	if len(r.entries) != len(wantTerms) {
		t.Fatalf("on disk: %d entries, want %d", len(r.entries), len(wantTerms))
	}
	for i, e := range r.entries {
		if e.Index != uint64(i+1) || e.Term != wantTerms[i] || e.Data[1] != byte(wantTerms[i]) {
			t.Errorf("on disk: entry %d is %d/%d, want term %d", i+1, e.Index, e.Term, wantTerms[i])
		}
	}
}
