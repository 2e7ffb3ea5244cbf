package consensus

// worker runs jobs on a goroutine of its own, one at a time and in the
// order the Ready loop hands them over, and reports each job's error back
// to the loop. The loop never has more than the worker's depth of jobs
// outstanding (put waits for the oldest then), and it drains the worker
// (await) before anything that must not run beside its jobs. The node has
// two: the appender writes the log (appendLog), the applier applies
// committed entries (handOff).
//
// After a job fails the worker does no more: the jobs after it build on
// its effect. It reports the failure again for each of them, and the loop
// stops at the first it takes.
type worker[T any] struct {
	jobs    chan T
	results chan error
	pending int // jobs handed over whose result the loop has not taken (loop only)
}

func newWorker[T any](depth int) *worker[T] {
	return &worker[T]{jobs: make(chan T, depth), results: make(chan error, depth)}
}

// run is the worker's goroutine until stop. It calls do with every job
// waiting, in order, so that jobs handed over while the last ones ran are
// done together (the appender writes them with one fsync).
func (w *worker[T]) run(do func([]T) error) {
	var failed error
	batch := make([]T, 0, cap(w.jobs))
	for job := range w.jobs {
		batch = append(batch, job)
	more:
		for len(batch) < cap(batch) {
			select {
			case job, ok := <-w.jobs:
				if !ok {
					break more
				}
				batch = append(batch, job)
			default:
				break more
			}
		}
		if failed == nil {
			failed = do(batch)
		}
		for range batch {
			w.results <- failed
		}
		clear(batch)
		batch = batch[:0]
	}
}

// put hands a job over, first waiting for the oldest one if depth are
// outstanding.
func (w *worker[T]) put(job T) error {
	if w.pending == cap(w.jobs) {
		if err := w.take(); err != nil {
			return err
		}
	}
	w.jobs <- job
	w.pending++
	return nil
}

// take waits for the oldest outstanding job.
func (w *worker[T]) take() error {
	err := <-w.results
	w.pending--
	return err
}

// await waits for every outstanding job and returns the first error.
func (w *worker[T]) await() error {
	var first error
	for w.pending > 0 {
		if err := w.take(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// poll takes the results of the jobs already done, without waiting, so
// that a failure stops the loop at its next turn.
func (w *worker[T]) poll() error {
	for w.pending > 0 {
		select {
		case err := <-w.results:
			w.pending--
			if err != nil {
				return err
			}
		default:
			return nil
		}
	}
	return nil
}

// stop ends the worker's goroutine once the jobs handed over are done.
func (w *worker[T]) stop() { close(w.jobs) }
