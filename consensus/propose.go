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
	defer n.waiters.cancel(id)
	expired := n.deadlines.after(n.cfg.RequestTimeout)
	b := encodeEnvelope(id, data)
	backoff := 5 * time.Millisecond
	for {
		resc := n.waiters.register(id)
		p := n.raft.proposeAsync(b, func(term uint64, err error) { n.stepped(id, term, err) })
		select {
		case res := <-resc:
			f, ok := res.(notStepped)
			if !ok {
				return n.result(res)
			}
			if !errors.Is(f.err, raft.ErrProposalDropped) {
				return nil, fmt.Errorf("consensus: propose: %w", f.err)
			}
			// Raft refused the entry (during a leader transfer, say): it
			// is not in the log, so it is proposed again after a pause.
			n.stats.dropped.Add(1)
			if err := n.pause(ctx, expired, backoff); err != nil {
				return nil, err
			}
			backoff = min(2*backoff, 100*time.Millisecond)
		case <-ctx.Done():
			return n.abandon(p, resc, func(unknown bool) error {
				if unknown {
					return fmt.Errorf("consensus: propose: %w (%w)", ctx.Err(), ErrOutcomeUnknown)
				}
				return fmt.Errorf("consensus: propose: %w", ctx.Err())
			})
		case <-expired:
			return n.abandon(p, resc, func(unknown bool) error {
				switch {
				case unknown:
					return fmt.Errorf("%w: entry not applied within %s (%w)", ErrNoQuorum, n.cfg.RequestTimeout, ErrOutcomeUnknown)
				case n.lead.Load() == raft.None:
					return fmt.Errorf("%w: no leader within %s", ErrNoQuorum, n.cfg.RequestTimeout)
				default:
					return fmt.Errorf("%w: proposal not taken within %s", ErrNoQuorum, n.cfg.RequestTimeout)
				}
			})
		case <-n.done:
			return n.abandon(p, resc, func(unknown bool) error {
				if unknown {
					return fmt.Errorf("%w (%w)", ErrStopped, ErrOutcomeUnknown)
				}
				return ErrStopped
			})
		}
	}
}

// notStepped is what a waiter receives instead of Apply's result when raft
// refused its entry: the entry is not in the log.
type notStepped struct{ err error }

// stepped runs on the loop right after raft took id's entry (err nil),
// while this node was in term, or refused it. The waiter hears of a
// refusal at once; of a success only when the entry applies, so a
// proposing goroutine wakes once, not also when raft takes its entry.
func (n *Node) stepped(id proposalID, term uint64, err error) {
	if err != nil {
		n.waiters.trigger(id, notStepped{err})
		return
	}
	n.stats.proposals.Add(1)
	n.waiters.proposed(id, term)
}

// abandon ends a Propose call that stops waiting: its context ended, its
// deadline passed or the node stopped. If the loop has not taken the entry
// it never will, and fail(false) is returned; otherwise a result that
// already arrived wins, and else the outcome is unknown: fail(true).
func (n *Node) abandon(p pendingProposal, resc <-chan any, fail func(unknown bool) error) (any, error) {
	if p.abandon() {
		return nil, fail(false)
	}
	select {
	case res := <-resc:
		if f, ok := res.(notStepped); ok {
			return nil, fmt.Errorf("consensus: propose: %w", f.err)
		}
		return n.result(res)
	default:
	}
	return nil, fail(true)
}

// pause waits d before a dropped proposal is proposed again, or fails if
// ctx ends, the deadline passes or the node stops first; the entry is not
// in the log either way.
func (n *Node) pause(ctx context.Context, expired <-chan struct{}, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("consensus: propose: %w: %w", ErrDropped, ctx.Err())
	case <-expired:
		return fmt.Errorf("%w: %w: raft refused the entry for %s", ErrNoQuorum, ErrDropped, n.cfg.RequestTimeout)
	case <-n.done:
		return ErrStopped
	}
}

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
