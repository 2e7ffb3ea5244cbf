package consensus

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

// newTestDriver returns a driver on a fresh RawNode with the given voters,
// and a function that plays the Ready loop's part: take the inbox, then
// save and advance every Ready.
func newTestDriver(t *testing.T, voters ...uint64) (*driver, *atomic.Uint64, func(), *raft.MemoryStorage) {
	t.Helper()
	storage := raft.NewMemoryStorage()
	rn, err := raft.NewRawNode(&raft.Config{ID: 1, ElectionTick: 10, HeartbeatTick: 1, Storage: storage,
		MaxSizePerMsg: 1 << 20, MaxInflightMsgs: 16, Logger: raftLogger{testLogger(t)}})
	if err != nil {
		t.Fatal(err)
	}
	var peers []raft.Peer
	for _, id := range voters {
		peers = append(peers, raft.Peer{ID: id})
	}
	if err := rn.Bootstrap(peers); err != nil {
		t.Fatal(err)
	}
	var dropped atomic.Uint64
	d := newDriver(rn, 1, &dropped)
	loop := func() {
		d.take()
		d.retryHeld()
		for rn.HasReady() {
			rd := rn.Ready()
			if err := storage.Append(rd.Entries); err != nil {
				t.Fatal(err)
			}
			for _, e := range rd.CommittedEntries {
				if e.Type == raftpb.EntryConfChange {
					var cc raftpb.ConfChange
					if err := cc.Unmarshal(e.Data); err != nil {
						t.Fatal(err)
					}
					rn.ApplyConfChange(cc)
				}
			}
			rn.Advance(rd)
			d.retryHeld()
		}
	}
	loop() // the bootstrap configuration
	return d, &dropped, loop, storage
}

func lastIndex(t *testing.T, s *raft.MemoryStorage) uint64 {
	t.Helper()
	i, err := s.LastIndex()
	if err != nil {
		t.Fatal(err)
	}
	return i
}

// runLoop plays the loop whenever the driver wakes it, until stop closes.
func runLoop(d *driver, loop func(), stop <-chan struct{}) {
	for {
		select {
		case <-d.wake:
			loop()
		case <-stop:
			return
		}
	}
}

func TestDriverProposeWaitsForALeader(t *testing.T) {
	d, _, loop, storage := newTestDriver(t, 1) // a lone voter that has not campaigned: no leader yet
	stop := make(chan struct{})
	defer close(stop)
	go runLoop(d, loop, stop)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := d.Propose(ctx, []byte("abandoned")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Propose without a leader: %v, want the context's deadline", err)
	}
	// Once a leader is known, held proposals are stepped, except the one
	// its caller gave up on.
	waiting := make(chan error, 1)
	go func() { waiting <- d.Propose(context.Background(), []byte("waited")) }()
	time.Sleep(20 * time.Millisecond)
	if err := d.Campaign(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-waiting; err != nil {
		t.Fatalf("Propose that waited for the leader: %v", err)
	}
	d.Status() // a round through the loop: the entries are saved
	ents, err := storage.Entries(2, lastIndex(t, storage)+1, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, string(e.Data))
	}
	// Entry 1 is the bootstrap conf change, 2 the new leader's empty entry.
	if len(got) != 2 || got[0] != "" || got[1] != "waited" {
		t.Errorf("entries after the bootstrap: %q, want the leader's empty entry and \"waited\"", got)
	}
}

func TestDriverProposeOnLeader(t *testing.T) {
	d, _, loop, storage := newTestDriver(t, 1)
	d.rn.Campaign() //nolint:errcheck
	loop()
	if lead := d.rn.BasicStatus().Lead; lead != 1 {
		t.Fatalf("lone voter did not lead after campaigning (leader %d)", lead)
	}
	stop := make(chan struct{})
	defer close(stop)
	go runLoop(d, loop, stop)

	before := lastIndex(t, storage)
	if err := d.Propose(context.Background(), []byte("x")); err != nil {
		t.Fatal(err)
	}
	st := d.Status() // runs on the loop, after the proposal's Ready
	if got := lastIndex(t, storage); got != before+1 {
		t.Fatalf("last index %d after a proposal, want %d", got, before+1)
	}
	if st.Commit != before+1 {
		t.Errorf("commit %d, want %d: a lone voter commits what it appended", st.Commit, before+1)
	}
}

func TestDriverDropsForwardedProposalsWithoutALeader(t *testing.T) {
	d, dropped, loop, storage := newTestDriver(t, 1, 2, 3)
	if err := d.Step(context.Background(), raftpb.Message{Type: raftpb.MsgProp, From: 2, To: 1,
		Entries: []raftpb.Entry{{Data: []byte("x")}}}); err != nil {
		t.Fatal(err)
	}
	loop()
	if got := dropped.Load(); got != 1 {
		t.Errorf("%d forwarded proposals dropped, want 1", got)
	}
	if n := lastIndex(t, storage); n != 3 {
		t.Errorf("last index %d, want 3 (the bootstrap entries only)", n)
	}
}

func TestDriverStopped(t *testing.T) {
	d, _, _, _ := newTestDriver(t, 1)
	d.stop()
	d.stop() // twice is fine
	if err := d.Propose(context.Background(), []byte("x")); !errors.Is(err, raft.ErrStopped) {
		t.Errorf("Propose after stop: %v, want ErrStopped", err)
	}
	if err := d.Step(context.Background(), raftpb.Message{Type: raftpb.MsgHeartbeat, From: 2, To: 1}); !errors.Is(err, raft.ErrStopped) {
		t.Errorf("Step after stop: %v, want ErrStopped", err)
	}
	if st := d.Status(); st.ID != 0 {
		t.Errorf("Status after stop: %+v, want the zero Status", st)
	}
}

// The normal proposals of one take, local and forwarded, reach raft as one
// MsgProp (so a follower forwards them in one message and a leader sends
// one append for them); a conf change goes alone, and every local proposal
// learns the outcome.
func TestDriverMergesProposals(t *testing.T) {
	d, _, _, _ := newTestDriver(t, 1, 2, 3)
	// Member 1 learns of leader 2 from its heartbeat.
	if err := d.rn.Step(raftpb.Message{Type: raftpb.MsgHeartbeat, From: 2, To: 1, Term: 2}); err != nil {
		t.Fatal(err)
	}
	d.rn.Ready() // the heartbeat's answer; not needed here
	d.rn.Advance(raft.Ready{})
	local := func(typ raftpb.EntryType, data string) chan error {
		res := make(chan error, 1)
		d.enqueue(raftpb.Message{Type: raftpb.MsgProp, Entries: []raftpb.Entry{{Type: typ, Data: []byte(data)}}},
			func(term uint64, err error) {
				if term != 2 {
					t.Errorf("proposal %q stepped in term %d, want 2", data, term)
				}
				res <- err
			})
		return res
	}
	a := local(raftpb.EntryNormal, "a")
	d.push(request{msg: raftpb.Message{Type: raftpb.MsgProp, From: 3, Entries: []raftpb.Entry{{Data: []byte("b")}, {Data: []byte("c")}}}, forwarded: true})
	change := raftpb.ConfChange{Type: raftpb.ConfChangeRemoveNode, NodeID: 3}
	cc, err := change.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	conf := local(raftpb.EntryConfChange, string(cc))
	d.push(request{msg: raftpb.Message{Type: raftpb.MsgHeartbeat, From: 2, To: 1, Term: 2}})
	e := local(raftpb.EntryNormal, "e")
	d.take()

	var got [][]string
	for _, m := range d.rn.Ready().Messages {
		if m.Type != raftpb.MsgProp {
			continue
		}
		if m.To != 2 {
			t.Errorf("proposal forwarded to %d, want the leader 2", m.To)
		}
		var datas []string
		for _, ent := range m.Entries {
			datas = append(datas, string(ent.Data))
		}
		got = append(got, datas)
	}
	want := [][]string{{string(cc)}, {"a", "b", "c", "e"}}
	if len(got) != len(want) || !slices.Equal(got[0], want[0]) || !slices.Equal(got[1], want[1]) {
		t.Errorf("forwarded proposals %q, want %q", got, want)
	}
	for name, ch := range map[string]chan error{"a": a, "conf change": conf, "e": e} {
		select {
		case err := <-ch:
			if err != nil {
				t.Errorf("proposal %s: %v", name, err)
			}
		default:
			t.Errorf("proposal %s got no result", name)
		}
	}
}
