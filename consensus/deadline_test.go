package consensus

import (
	"testing"
	"time"
)

func TestDeadlinesCloseAfterTheirTime(t *testing.T) {
	dl := newDeadlines()
	for _, d := range []time.Duration{0, time.Millisecond, 30 * time.Millisecond, 120 * time.Millisecond} {
		start := time.Now()
		<-dl.after(d)
		if took := time.Since(start); took < d {
			t.Errorf("after(%s) closed after %s, before its time", d, took)
		}
	}
	dl.mu.Lock()
	left := len(dl.slots)
	dl.mu.Unlock()
	if left != 0 {
		t.Errorf("%d slots left after they all fired", left)
	}
}

func TestDeadlinesShareASlot(t *testing.T) {
	dl := newDeadlines()
	a := dl.after(time.Hour)
	b := dl.after(time.Hour)
	// Two calls within one resolution share a channel unless the clock
	// crossed a slot boundary between them; try a few times.
	for i := 0; a != b && i < 10; i++ {
		a, b = dl.after(time.Hour), dl.after(time.Hour)
	}
	if a != b {
		t.Fatal("deadlines in the same slot got different channels")
	}
	select {
	case <-a:
		t.Fatal("a deadline an hour away has fired")
	default:
	}
}
