package consensus

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.etcd.io/raft/v3"
)

// fakeRaft stands in for the node behind the read loop, so a test decides
// which ReadIndex requests are answered, when, and with what.
type fakeRaft struct {
	mu        sync.Mutex
	requests  [][]byte
	onRequest func(n int, rctx []byte) // n counts requests from 1
	applied   *indexWait
	leases    []lease // leaseGranted's calls, expires holding sent
}

func (f *fakeRaft) requestReadIndex(_ context.Context, rctx []byte) error {
	f.mu.Lock()
	f.requests = append(f.requests, rctx)
	n, cb := len(f.requests), f.onRequest
	f.mu.Unlock()
	if cb != nil {
		cb(n, rctx)
	}
	return nil
}

func (f *fakeRaft) appliedWait(index uint64) <-chan struct{} { return f.applied.wait(index) }

func (f *fakeRaft) leaseGranted(term uint64, sent time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.leases = append(f.leases, lease{term: term, expires: sent})
}

func (f *fakeRaft) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

func (f *fakeRaft) request(n int) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[n-1]
}

func startReadLoop(t *testing.T, f *fakeRaft, timeout, retry time.Duration) *readLoop {
	r := newReadLoop(f, timeout, retry, testLogger(t))
	go r.run()
	t.Cleanup(r.stop)
	return r
}

func readAsync(r *readLoop) <-chan error {
	errc := make(chan error, 1)
	go func() { errc <- r.wait(context.Background()) }()
	return errc
}

func expectRead(t *testing.T, errc <-chan error, want error) {
	t.Helper()
	select {
	case err := <-errc:
		if !errors.Is(err, want) && err != want {
			t.Fatalf("read returned %v, want %v", err, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("read did not return")
	}
}

func expectBlocked(t *testing.T, errc <-chan error) {
	t.Helper()
	select {
	case err := <-errc:
		t.Fatalf("read returned %v early", err)
	case <-time.After(30 * time.Millisecond):
	}
}

func TestReadLoopAnsweredWaitsForApplied(t *testing.T) {
	f := &fakeRaft{applied: newIndexWait(5)}
	var r *readLoop
	f.onRequest = func(_ int, rctx []byte) { r.deliver([]raft.ReadState{{Index: 10, RequestCtx: rctx}}, 0) }
	r = startReadLoop(t, f, time.Minute, time.Minute)
	errc := readAsync(r)
	expectBlocked(t, errc) // read index 10, applied 5
	f.applied.trigger(10)
	expectRead(t, errc, nil)
	if f.count() != 1 {
		t.Errorf("%d requests, want 1", f.count())
	}
}

func TestReadLoopRetriesLostRequest(t *testing.T) {
	f := &fakeRaft{applied: newIndexWait(100)}
	var r *readLoop
	f.onRequest = func(n int, rctx []byte) {
		if n >= 2 { // the first request is lost
			r.deliver([]raft.ReadState{{Index: 7, RequestCtx: rctx}}, 0)
		}
	}
	r = startReadLoop(t, f, time.Minute, 20*time.Millisecond)
	expectRead(t, readAsync(r), nil)
	if f.count() != 2 {
		t.Errorf("%d requests, want 2 (one lost, one retry)", f.count())
	}
}

func TestReadLoopLateAnswerToEarlierRequestCounts(t *testing.T) {
	f := &fakeRaft{applied: newIndexWait(100)}
	var r *readLoop
	f.onRequest = func(n int, rctx []byte) {
		if n == 2 { // the answer to the first request arrives during the retry
			r.deliver([]raft.ReadState{{Index: 3, RequestCtx: f.request(1)}}, 0)
		}
	}
	r = startReadLoop(t, f, time.Minute, 20*time.Millisecond)
	expectRead(t, readAsync(r), nil)
}

func TestReadLoopIgnoresForeignAnswers(t *testing.T) {
	f := &fakeRaft{applied: newIndexWait(1)}
	r := startReadLoop(t, f, time.Minute, time.Minute)
	errc := readAsync(r)
	waitFor(t, 5*time.Second, "a request", func() bool { return f.count() == 1 })
	r.deliver([]raft.ReadState{{Index: 1, RequestCtx: []byte("stranger")}}, 0)
	expectBlocked(t, errc)
	r.deliver([]raft.ReadState{{Index: 1, RequestCtx: f.request(1)}}, 0)
	expectRead(t, errc, nil)
}

func TestReadLoopRestartsOnLeaderChange(t *testing.T) {
	f := &fakeRaft{applied: newIndexWait(1)}
	r := startReadLoop(t, f, time.Minute, time.Hour) // no timed retry
	errc := readAsync(r)
	waitFor(t, 5*time.Second, "a request", func() bool { return f.count() == 1 })
	r.leaderChanged()
	waitFor(t, 5*time.Second, "a request to the new leader", func() bool { return f.count() == 2 })
	r.deliver([]raft.ReadState{{Index: 1, RequestCtx: f.request(2)}}, 0)
	expectRead(t, errc, nil)
}

func TestReadLoopNoQuorum(t *testing.T) {
	f := &fakeRaft{applied: newIndexWait(1)}
	r := startReadLoop(t, f, 100*time.Millisecond, 20*time.Millisecond)
	start := time.Now()
	expectRead(t, readAsync(r), ErrNoQuorum)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("no-quorum read took %s with a 100ms timeout", took)
	}
	// The next round starts afresh.
	f.mu.Lock()
	f.onRequest = func(_ int, rctx []byte) { r.deliver([]raft.ReadState{{Index: 1, RequestCtx: rctx}}, 0) }
	f.mu.Unlock()
	expectRead(t, readAsync(r), nil)
}

func TestReadLoopBatchesWaitingReaders(t *testing.T) {
	f := &fakeRaft{applied: newIndexWait(1)}
	r := startReadLoop(t, f, time.Minute, time.Hour)
	first := readAsync(r)
	waitFor(t, 5*time.Second, "the first request", func() bool { return f.count() == 1 })
	// Readers arriving while the first round is in flight share the second.
	var rest []<-chan error
	for range 20 {
		rest = append(rest, readAsync(r))
	}
	time.Sleep(20 * time.Millisecond) // let them all join the pending round
	r.deliver([]raft.ReadState{{Index: 1, RequestCtx: f.request(1)}}, 0)
	expectRead(t, first, nil)
	waitFor(t, 5*time.Second, "the second request", func() bool { return f.count() == 2 })
	r.deliver([]raft.ReadState{{Index: 1, RequestCtx: f.request(2)}}, 0)
	for _, errc := range rest {
		expectRead(t, errc, nil)
	}
	if f.count() != 2 {
		t.Errorf("21 readers sent %d requests, want 2", f.count())
	}
}

func TestReadLoopStop(t *testing.T) {
	f := &fakeRaft{applied: newIndexWait(1)}
	r := newReadLoop(f, time.Minute, time.Hour, testLogger(t))
	go r.run()
	errc := readAsync(r)
	waitFor(t, 5*time.Second, "a request", func() bool { return f.count() == 1 })
	r.stop()
	expectRead(t, errc, ErrStopped)
}
