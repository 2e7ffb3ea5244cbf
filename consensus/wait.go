package consensus

import "sync"

// proposalWaiters maps proposal IDs to the channel of the caller waiting for
// Apply's result (etcd's pkg/wait). Propose registers before proposing,
// records the term once raft took the entry, and cancels on every exit; the
// Ready loop triggers it when the entry applies, or fails it with
// superseded{} when a later term has committed without it (failSuperseded).
type proposalWaiters struct {
	mu sync.Mutex
	m  map[proposalID]*proposalWaiter
}

// proposalWaiter is one waiting Propose call.
type proposalWaiter struct {
	ch   chan any // buffered 1; sent at most once
	term uint64   // this node's term when raft took the entry; 0 before
}

func newProposalWaiters() *proposalWaiters {
	return &proposalWaiters{m: make(map[proposalID]*proposalWaiter)}
}

// register returns the channel on which the result for id will arrive.
func (w *proposalWaiters) register(id proposalID) <-chan any {
	ch := make(chan any, 1)
	w.mu.Lock()
	w.m[id] = &proposalWaiter{ch: ch}
	w.mu.Unlock()
	return ch
}

// proposed records that raft took id's entry while this node was in term.
func (w *proposalWaiters) proposed(id proposalID, term uint64) {
	w.mu.Lock()
	if pw, ok := w.m[id]; ok {
		pw.term = term
	}
	w.mu.Unlock()
}

// trigger delivers v to id's waiter, if one is still registered, and
// forgets it. It never blocks.
func (w *proposalWaiters) trigger(id proposalID, v any) {
	w.mu.Lock()
	pw, ok := w.m[id]
	delete(w.m, id)
	w.mu.Unlock()
	if ok {
		pw.ch <- v
	}
}

// failBefore delivers v to every waiter whose entry raft took in a term
// below term, forgets them, and returns how many there were. Waiters whose
// entry has not reached raft yet are left alone.
func (w *proposalWaiters) failBefore(term uint64, v any) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	k := 0
	for id, pw := range w.m {
		if pw.term != 0 && pw.term < term {
			delete(w.m, id)
			pw.ch <- v
			k++
		}
	}
	return k
}

// cancel forgets id's waiter (after a timeout, cancellation or stop).
func (w *proposalWaiters) cancel(id proposalID) {
	w.mu.Lock()
	delete(w.m, id)
	w.mu.Unlock()
}

// len reports how many waiters are registered (for tests and Stats).
func (w *proposalWaiters) len() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.m)
}

// indexWait lets goroutines wait until the applied index reaches a value.
type indexWait struct {
	mu      sync.Mutex
	current uint64
	waiters map[uint64][]chan struct{}
}

func newIndexWait(current uint64) *indexWait {
	return &indexWait{current: current, waiters: make(map[uint64][]chan struct{})}
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// wait returns a channel closed once the index is at least index.
func (w *indexWait) wait(index uint64) <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.current >= index {
		return closedChan
	}
	ch := make(chan struct{})
	w.waiters[index] = append(w.waiters[index], ch)
	return ch
}

// trigger records that the index reached index and releases its waiters.
func (w *indexWait) trigger(index uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if index <= w.current {
		return
	}
	w.current = index
	for i, chs := range w.waiters {
		if i <= index {
			for _, ch := range chs {
				close(ch)
			}
			delete(w.waiters, i)
		}
	}
}
