package consensus

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

// LinearizableRead returns once this node's state reflects every write
// acknowledged anywhere in the cluster before the call: it obtains a read
// index from the leader (ReadIndex, a heartbeat round confirming the
// leadership, or the leader's lease; see lease.go) and waits until this
// node has applied up to it. The caller then reads local state. Without a
// quorum it fails with ErrNoQuorum within Config.RequestTimeout.
//
// A lone voter returns at once (see soleVoter): its local state already
// holds every acknowledged write, so a ReadIndex round, which costs a Ready
// cycle and often the fsync of the writes sharing it, would buy nothing.
// A leader holding a lease reads at its commit index, with no round.
func (n *Node) LinearizableRead(ctx context.Context) error {
	select {
	case <-n.done:
		return ErrStopped
	default:
	}
	n.stats.reads.Add(1)
	if n.solo.Load() && !n.cfg.Knobs.ForceReadIndex {
		n.stats.localReads.Add(1)
		return ctx.Err()
	}
	if index, _, ok := n.leaseRead(); ok {
		n.stats.leaseReads.Add(1)
		return n.waitApplied(ctx, index)
	}
	return n.reads.wait(ctx)
}

// waitApplied waits until the applied index reaches index.
func (n *Node) waitApplied(ctx context.Context, index uint64) error {
	if n.applied.Load() >= index {
		return nil
	}
	select {
	case <-n.applyW.wait(index):
		return nil
	case <-ctx.Done():
		return fmt.Errorf("consensus: linearizable read: %w", ctx.Err())
	case <-n.done:
		return ErrStopped
	}
}

// soleVoter reports whether cs, the applied configuration, makes member id
// the only member of the cluster: the one voter, not in a joint
// configuration, with no learners. Then every write acknowledged anywhere
// before a read starts is already applied here, so the read needs no read
// index:
//
//   - This node acknowledges its own writes only after applying them.
//   - Another node acknowledges a write only after applying its entry, and
//     it applies entries in log order. A member stops at the entry that
//     removes it (applyConfChange returns ErrRemoved before applying
//     anything after it), so whatever a node no longer in cs acknowledged
//     precedes, in the log, the conf change that removed it, which this
//     node has applied, having applied cs.
//   - A node added after cs (by an entry this node has not applied yet)
//     hears of entries only from a leader whose configuration holds it:
//     this node, once it has applied the addition, which clears Node.solo
//     first.
//   - A learner is excluded because it learns the commit index from this
//     node's messages, which go out (step 1 of handleReady) before this
//     node applies the same entries (step 2): it could acknowledge a write
//     that this node has committed but not applied yet.
//
// The Ready loop publishes the result in Node.solo only after a whole
// batch of committed entries has applied, and clears it as soon as it
// applies a configuration that is not solo.
func soleVoter(cs raftpb.ConfState, id uint64) bool {
	return len(cs.Voters) == 1 && cs.Voters[0] == id &&
		len(cs.VotersOutgoing) == 0 && len(cs.Learners) == 0 && len(cs.LearnersNext) == 0
}

// readIndexer is what the read loop needs from the node: a way to ask raft
// for a read index, a way to wait for the applied index, and where to
// report a lease. Answers arrive through readLoop.deliver, leader changes
// through readLoop.leaderChanged.
type readIndexer interface {
	// requestReadIndex asks raft for a read index tagged with rctx.
	requestReadIndex(ctx context.Context, rctx []byte) error
	// appliedWait returns a channel closed once the applied index is at
	// least index.
	appliedWait(index uint64) <-chan struct{}
	// leaseGranted reports that this node, as leader of term, answered a
	// request made at sent (lease.go).
	leaseGranted(term uint64, sent time.Time)
}

// requestReadIndex sends a follower's request straight to the leader it
// knows, past its own Ready loop; the answer comes back the same way
// (raftService.step hands it to deliver). A leader, or a member that knows
// none, asks its raft, which forwards or drops the request.
func (n *Node) requestReadIndex(ctx context.Context, rctx []byte) error {
	n.stats.readIndexRequests.Add(1)
	if lead := n.lead.Load(); lead != raft.None && lead != n.cfg.ID && n.trans != nil {
		n.trans.send([]raftpb.Message{{
			Type:    raftpb.MsgReadIndex,
			To:      lead,
			From:    n.cfg.ID,
			Entries: []raftpb.Entry{{Data: rctx}},
		}})
		return nil
	}
	return n.raft.ReadIndex(ctx, rctx)
}

func (n *Node) appliedWait(index uint64) <-chan struct{} { return n.applyW.wait(index) }

// readLoop batches linearizable reads (etcd's linearizableReadLoop): every
// reader that arrives while a request is in flight waits for the next one,
// so one ReadIndex round serves them all. A request gets a fresh 8-byte
// context; when no answer comes within the retry interval, or the leader
// changes, it is sent again under a new context (raft drops read requests
// silently when there is no leader, or the leader has not yet committed in
// its term). Answers to any context of the current round count, since each
// was asked after the round's readers arrived. After timeout without an
// answer the round fails with ErrNoQuorum. An answer this node gave as
// leader grants it a lease counted from when its request was made; renew
// runs a round with no readers to extend a lease before it runs out.
type readLoop struct {
	node    readIndexer
	timeout time.Duration // a round fails after this without an answer
	retry   time.Duration // resend after this without an answer
	log     *slog.Logger

	mu      sync.Mutex
	pending *readRound // readers waiting for the next round

	wakec    chan struct{}   // buffered 1: a reader is waiting; sent by wait, received by run
	statec   chan readAnswer // answers; sent by deliver (the Ready loop, gRPC handlers), received by run
	renewing atomic.Bool     // a renewal round is asked for or running
	leaderc  chan struct{}   // buffered 1: leader changed; sent by leaderChanged
	stopc    chan struct{}   // closed by stop
	donec    chan struct{}   // closed when run returns
	stopped  sync.Once
	seq      uint64 // owned by run
}

// readAnswer is a read state and the term in which this node gave it as
// leader (0 if it was not the leader: the answer then came from another).
type readAnswer struct {
	raft.ReadState
	leaderTerm uint64
}

// sentRequest is a ReadIndex request's context and when it was made.
type sentRequest struct {
	rctx []byte
	at   time.Time
}

// readRound is one batch of readers; done is closed when err is set.
type readRound struct {
	done chan struct{}
	err  error
}

func newReadRound() *readRound { return &readRound{done: make(chan struct{})} }

func newReadLoop(node readIndexer, timeout, retry time.Duration, log *slog.Logger) *readLoop {
	if retry <= 0 {
		retry = 500 * time.Millisecond
	}
	return &readLoop{
		node:    node,
		timeout: timeout,
		retry:   retry,
		log:     log,
		pending: newReadRound(),
		wakec:   make(chan struct{}, 1),
		statec:  make(chan readAnswer, 64),
		leaderc: make(chan struct{}, 1),
		stopc:   make(chan struct{}),
		donec:   make(chan struct{}),
		seq:     randomUint64(),
	}
}

// wait joins the next round and waits for it.
func (r *readLoop) wait(ctx context.Context) error {
	r.mu.Lock()
	round := r.pending
	r.mu.Unlock()
	select {
	case r.wakec <- struct{}{}:
	default: // the loop is already awake
	}
	select {
	case <-round.done:
		return round.err
	case <-ctx.Done():
		return fmt.Errorf("consensus: linearizable read: %w", ctx.Err())
	case <-r.stopc:
		return ErrStopped
	}
}

// deliver passes raft's read states to the loop without blocking the Ready
// loop; an answer that does not fit is dropped and the round retries.
// leaderTerm is the term this node leads in the Ready that carried them,
// or 0.
func (r *readLoop) deliver(states []raft.ReadState, leaderTerm uint64) {
	for _, rs := range states {
		select {
		case r.statec <- readAnswer{rs, leaderTerm}:
		default:
		}
	}
}

// renew asks for a round, with or without readers, unless one is already
// asked for.
func (r *readLoop) renew() {
	if r.renewing.CompareAndSwap(false, true) {
		select {
		case r.wakec <- struct{}{}:
		default:
		}
	}
}

// leaderChanged makes the loop resend its request to the new leader.
func (r *readLoop) leaderChanged() {
	select {
	case r.leaderc <- struct{}{}:
	default:
	}
}

// stop ends the loop; waiting readers get ErrStopped.
func (r *readLoop) stop() {
	r.stopped.Do(func() { close(r.stopc) })
	<-r.donec
}

// run serves rounds until stop. It is started once, by Start.
func (r *readLoop) run() {
	defer close(r.donec)
	for {
		select {
		case <-r.wakec:
		case <-r.stopc:
			return
		}
		r.mu.Lock()
		round := r.pending
		r.pending = newReadRound()
		r.mu.Unlock()

		index, err := r.readIndex()
		r.renewing.Store(false)
		if err == nil {
			select {
			case <-r.node.appliedWait(index):
			case <-r.stopc:
				err = ErrStopped
			}
		}
		round.err = err
		close(round.done)
		if errors.Is(err, ErrStopped) {
			return
		}
	}
}

// readIndex runs one round's request until an answer, the timeout or stop.
func (r *readLoop) readIndex() (uint64, error) {
	var asked []sentRequest
	send := func() error {
		r.seq++
		rctx := binary.BigEndian.AppendUint64(nil, r.seq)
		asked = append(asked, sentRequest{rctx, time.Now()})
		// The request is queued, never waited for: no deadline needed.
		err := r.node.requestReadIndex(context.Background(), rctx)
		if errors.Is(err, raft.ErrStopped) {
			return ErrStopped
		}
		return nil // a lost request is retried below
	}
	deadline := time.NewTimer(r.timeout)
	defer deadline.Stop()
	retry := time.NewTicker(r.retry)
	defer retry.Stop()
	// Answers left over from an earlier round are stale for this one.
	for drained := false; !drained; {
		select {
		case <-r.statec:
		case <-r.leaderc:
		default:
			drained = true
		}
	}
	if err := send(); err != nil {
		return 0, err
	}
	for {
		select {
		case a := <-r.statec:
			for _, req := range asked {
				if bytes.Equal(a.RequestCtx, req.rctx) {
					if a.leaderTerm != 0 {
						r.node.leaseGranted(a.leaderTerm, req.at)
					}
					return a.Index, nil
				}
			}
		case <-r.leaderc:
			if err := send(); err != nil {
				return 0, err
			}
		case <-retry.C:
			r.log.Debug("no read index answer, retrying", "attempt", len(asked)+1)
			if err := send(); err != nil {
				return 0, err
			}
		case <-deadline.C:
			return 0, fmt.Errorf("%w: no read index confirmed within %s", ErrNoQuorum, r.timeout)
		case <-r.stopc:
			return 0, ErrStopped
		}
	}
}
