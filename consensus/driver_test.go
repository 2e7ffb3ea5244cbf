package consensus

import (
	"context"
	"errors"
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
