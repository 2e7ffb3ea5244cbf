package consensus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.etcd.io/raft/v3"
)

// Propose replicates data and returns once its entry is committed and
// applied on this node; the result is what StateMachine.Apply returned for
// it. Proposals from many goroutines share log writes and fsyncs.
//
// The two kinds of failure stay apart. A rejection by the state machine is
// Apply's business and comes back in the result. A replication failure is
// the error: before the entry reached raft it wraps ErrNoQuorum (no leader
// within Config.RequestTimeout), ErrDropped (raft refused it until the
// deadline), ErrStopped or ctx's error, and the entry surely did not apply;
// after it reached raft, the error also wraps ErrOutcomeUnknown, because
// the entry may still apply. Such a proposal must not be retried blindly.
//
// When a new leader has committed an entry of a later term while the entry
// is still not applied here, it can only apply if a copy of its forwarded
// proposal is still travelling (to a leader that is gone, say). Propose then
// fails soon after, within about the election time rather than after
// RequestTimeout, with ErrLeaderChanged and ErrOutcomeUnknown: the client
// learns promptly that the outcome is unknown, and nothing retries it.
func (n *Node) Propose(ctx context.Context, data []byte) (any, error) {
	select {
	case <-n.done:
		return nil, ErrStopped
	default:
	}
	id := proposalID{node: n.cfg.ID, boot: n.boot, seq: n.seq.Add(1)}
	resc := n.waiters.register(id)
	defer n.waiters.cancel(id)

	expired := n.deadlines.after(n.cfg.RequestTimeout)
	pctx, cancel := n.proposeContext(ctx, expired)
	err := n.propose(pctx, encodeEnvelope(id, data))
	cancel()
	if err != nil {
		return nil, n.notProposed(ctx, err)
	}
	n.stats.proposals.Add(1)
	n.waiters.proposed(id, n.term.Load())
	select {
	case res := <-resc:
		return n.result(res)
	case <-ctx.Done():
		select {
		case res := <-resc:
			return n.result(res)
		default:
		}
		return nil, fmt.Errorf("%w: %w", ErrOutcomeUnknown, ctx.Err())
	case <-expired:
		select {
		case res := <-resc:
			return n.result(res)
		default:
		}
		return nil, fmt.Errorf("%w: entry not applied within %s (%w)", ErrNoQuorum, n.cfg.RequestTimeout, ErrOutcomeUnknown)
	case <-n.done:
		select {
		case res := <-resc:
			return n.result(res)
		default:
		}
		return nil, fmt.Errorf("%w (%w)", ErrStopped, ErrOutcomeUnknown)
	}
}

// proposeContext is the context for handing an entry to raft, ending
// when expired closes, and the function that releases it. While a leader is
// known raft takes the entry at once, and a context on the shared deadline
// channel serves; while none is known raft waits for one, and the wait must
// end with ctx too, so that context is a real one with its own timer.
func (n *Node) proposeContext(ctx context.Context, expired <-chan struct{}) (context.Context, context.CancelFunc) {
	if n.lead.Load() != raft.None {
		return expiringContext{Context: ctx, done: expired}, noCancel
	}
	return context.WithTimeout(ctx, n.cfg.RequestTimeout)
}

func noCancel() {}

// superseded is the value failSuperseded delivers to a waiter instead of
// Apply's result.
type superseded struct{ term uint64 }

// result turns what a waiter received into Propose's return values.
func (n *Node) result(res any) (any, error) {
	if s, ok := res.(superseded); ok {
		return nil, fmt.Errorf("%w: term %d committed without the entry (%w)", ErrLeaderChanged, s.term, ErrOutcomeUnknown)
	}
	return res, nil
}

// propose hands b to raft. driver.Propose blocks while no leader is
// known, so the deadline in ctx bounds the wait for one. A proposal raft
// drops never entered the log and is retried with backoff until the
// deadline.
func (n *Node) propose(ctx context.Context, b []byte) error {
	backoff := 5 * time.Millisecond
	for {
		err := n.raft.Propose(ctx, b)
		if !errors.Is(err, raft.ErrProposalDropped) {
			return err
		}
		n.stats.dropped.Add(1)
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w: %w", ErrDropped, ctx.Err())
		case <-n.done:
			t.Stop()
			return raft.ErrStopped
		}
		backoff = min(2*backoff, 100*time.Millisecond)
	}
}

// notProposed turns the error of raft.Propose into this package's errors.
// ctx is the caller's context. raft.Propose blocks while no leader is known
// (then the entry surely did not reach the log); a deadline that strikes
// while a leader is known may have struck after raft took the entry, so
// that case is reported as of unknown outcome.
func (n *Node) notProposed(ctx context.Context, err error) error {
	leaderless := n.lead.Load() == raft.None
	switch {
	case errors.Is(err, raft.ErrStopped):
		return ErrStopped
	case ctx.Err() != nil && leaderless:
		return fmt.Errorf("consensus: propose: %w", ctx.Err())
	case ctx.Err() != nil:
		return fmt.Errorf("consensus: propose: %w (%w)", ctx.Err(), ErrOutcomeUnknown)
	case errors.Is(err, ErrDropped):
		return fmt.Errorf("%w: %w", ErrNoQuorum, err)
	case errors.Is(err, context.DeadlineExceeded) && leaderless:
		return fmt.Errorf("%w: no leader within %s", ErrNoQuorum, n.cfg.RequestTimeout)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w: proposal not accepted within %s (%w)", ErrNoQuorum, n.cfg.RequestTimeout, ErrOutcomeUnknown)
	default:
		return fmt.Errorf("consensus: propose: %w", err)
	}
}
