package consensus

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// The worker does jobs in order, groups those handed over while it was
// busy, and after a failure does no more but reports the failure for each.
func TestWorker(t *testing.T) {
	errBoom := errors.New("boom")
	w := newWorker[int](4)
	started := make(chan []int)
	release := make(chan struct{})
	var done []int
	go w.run(func(batch []int) error {
		if batch[0] < 4 { // job 4 must not run at all; if it does, done says so
			started <- slices.Clone(batch)
			<-release
		}
		done = append(done, batch...)
		if slices.Contains(batch, 3) {
			return errBoom
		}
		return nil
	})

	if err := w.put(1); err != nil {
		t.Fatal(err)
	}
	if got := <-started; !slices.Equal(got, []int{1}) {
		t.Fatalf("first batch %v, want [1]", got)
	}
	// While job 1 runs, 2 and 3 wait and then run together.
	for _, j := range []int{2, 3} {
		if err := w.put(j); err != nil {
			t.Fatal(err)
		}
	}
	release <- struct{}{}
	if got := <-started; !slices.Equal(got, []int{2, 3}) {
		t.Fatalf("second batch %v, want [2 3]", got)
	}
	release <- struct{}{}
	if err := w.await(); !errors.Is(err, errBoom) {
		t.Fatalf("await = %v, want the batch's failure", err)
	}
	if w.pending != 0 {
		t.Fatalf("%d jobs pending after await", w.pending)
	}
	// After the failure nothing runs; each job reports it.
	if err := w.put(4); err != nil {
		t.Fatal(err)
	}
	if err := w.take(); !errors.Is(err, errBoom) {
		t.Errorf("job after the failure: %v, want the failure again", err)
	}
	w.stop()
	if !slices.Equal(done, []int{1, 2, 3}) {
		t.Errorf("done %v, want [1 2 3]", done)
	}
}

// put waits for the oldest job once depth are outstanding, and poll takes
// only the results already there.
func TestWorkerDepth(t *testing.T) {
	w := newWorker[int](2)
	release := make(chan struct{})
	go w.run(func([]int) error { <-release; return nil })
	defer w.stop()
	for j := range 2 {
		if err := w.put(j); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.poll(); err != nil || w.pending != 2 {
		t.Fatalf("poll with nothing done: %v, %d pending; want nil, 2", err, w.pending)
	}
	put := make(chan error)
	go func() { put <- w.put(2) }()
	select {
	case <-put:
		t.Fatal("put returned with depth jobs outstanding")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if err := <-put; err != nil {
		t.Fatal(err)
	}
	if err := w.await(); err != nil {
		t.Fatal(err)
	}
}
