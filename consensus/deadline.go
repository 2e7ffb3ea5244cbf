package consensus

import (
	"sync"
	"time"
)

// deadlineResolution is the granularity of deadlines: a deadline fires up
// to this much after the time asked for.
const deadlineResolution = 10 * time.Millisecond

// deadlines hands out channels that close at coarse deadlines, shared by
// every caller whose deadline falls in the same deadlineResolution slot.
// Propose needs a deadline per call, and a timer per call (what
// context.WithTimeout costs: a timer, a cancel context registered with its
// parent, and a cancel on return) was a few percent of the CPU of a
// single-row INSERT; one timer per slot serves every proposal of that slot.
type deadlines struct {
	mu    sync.Mutex
	slots map[int64]chan struct{} // by slot number, until closed
}

func newDeadlines() *deadlines {
	return &deadlines{slots: make(map[int64]chan struct{})}
}

// after returns a channel closed once d has passed (and at most
// deadlineResolution more).
func (dl *deadlines) after(d time.Duration) <-chan struct{} {
	at := time.Now().Add(d)
	slot := at.UnixNano()/int64(deadlineResolution) + 1
	dl.mu.Lock()
	defer dl.mu.Unlock()
	ch, ok := dl.slots[slot]
	if !ok {
		ch = make(chan struct{})
		dl.slots[slot] = ch
		fire := time.Unix(0, slot*int64(deadlineResolution))
		time.AfterFunc(time.Until(fire), func() { dl.fire(slot) })
	}
	return ch
}

// fire closes the channel of slot.
func (dl *deadlines) fire(slot int64) {
	dl.mu.Lock()
	defer dl.mu.Unlock()
	if ch, ok := dl.slots[slot]; ok {
		close(ch)
		delete(dl.slots, slot)
	}
}
