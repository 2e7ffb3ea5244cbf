package consensus

import (
	"context"
	"sync"
	"sync/atomic"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

// driver runs raft as a raft.RawNode owned by the Ready loop, and gives the
// other goroutines raft.Node's thread-safe methods on it.
//
// raft.Node runs the RawNode on a goroutine of its own, which the Ready
// loop then talks to over channels: every proposal went from its caller to
// that goroutine and back, and every Ready from it to the loop and back
// (Advance). On a machine with few cores each of those hand-offs waits for
// a core; a trace of a one-client insert load showed about 20 µs per write
// spent waiting so. Here the loop itself steps what others send: callers
// append requests to an inbox and wake the loop, which takes them all at
// once before it asks for the next Ready (so concurrent proposals share a
// Ready and its fsync, as before).
//
// Methods marked "loop only" must be called on the Ready loop's goroutine;
// the others may be called from any goroutine and behave as raft.Node's:
// Propose and ProposeConfChange wait until raft took the proposal (while no
// leader is known they wait for one, until ctx ends), Step does not wait
// for the message to be handled. proposeAsync, which Node.Propose uses,
// does not wait either: the loop reports the outcome of the step to it.
type driver struct {
	rn *raft.RawNode
	id uint64 // this node's raft ID
	// forwardedDropped counts forwarded proposals dropped for want of a
	// leader (Stats.ForwardedDropped).
	forwardedDropped *atomic.Uint64

	mu    sync.Mutex
	inbox []request
	spare []request     // the previous inbox, emptied, for the next (loop only)
	wake  chan struct{} // buffered 1: the inbox has requests
	done  chan struct{} // closed by stop: nothing will be handled any more

	// held are proposals received while no leader was known, retried at
	// every take (loop only).
	held []request
	// waiting are the stepped functions of the proposals take merges
	// (scratch space, loop only).
	waiting []func(term uint64, err error)
}

// request is one call waiting in the inbox: a message to step (a proposal
// when stepped is set) or a function to run on the RawNode.
type request struct {
	msg raftpb.Message
	fn  func(*raft.RawNode)
	// stepped, set for local proposals, runs on the loop once raft took
	// the proposal (err nil) or refused it, with raft's term then.
	stepped   func(term uint64, err error)
	state     *atomic.Int32
	forwarded bool // a proposal a follower forwarded: nobody waits for it
}

// pendingProposal is a local proposal in the inbox; its caller may give it
// up until the loop takes it.
type pendingProposal struct{ state *atomic.Int32 }

// abandon gives the proposal up and reports whether it did: false if the
// loop took it already (then it may be in the log).
func (p pendingProposal) abandon() bool {
	return p.state.CompareAndSwap(requestPending, requestAbandoned)
}

// The states of a proposal's request: the caller may give up on it (ctx)
// only while the loop has not taken it.
const (
	requestPending int32 = iota
	requestTaken
	requestAbandoned
)

func newDriver(rn *raft.RawNode, id uint64, forwardedDropped *atomic.Uint64) *driver {
	return &driver{rn: rn, id: id, forwardedDropped: forwardedDropped,
		wake: make(chan struct{}, 1), done: make(chan struct{})}
}

func (d *driver) push(rs ...request) {
	d.mu.Lock()
	d.inbox = append(d.inbox, rs...)
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// take steps everything in the inbox into the RawNode (loop only).
//
// The proposals of normal entries among them, local and forwarded, are
// stepped together, as one MsgProp, after the rest: raft appends them at
// once and sends each follower one append for them all (it sends one per
// proposal stepped while the follower's window is open), and a follower
// forwards them to the leader in one message. Each local proposal learns
// the outcome of that step. Proposals and the other requests are
// independent, so their order does not matter; the proposals keep theirs.
func (d *driver) take() {
	d.mu.Lock()
	reqs := d.inbox
	d.inbox = d.spare
	d.mu.Unlock()
	if len(d.held) > 0 {
		held := d.held
		d.held = nil
		reqs = append(held, reqs...)
	}
	// A new slice per take: a follower's forwarded MsgProp keeps it until
	// the next Ready sends it.
	var merged []raftpb.Entry
	forwarded := 0 // entries of forwarded proposals in merged
	for i := range reqs {
		r := &reqs[i]
		switch {
		case r.fn != nil:
			r.fn(d.rn)
		case r.forwarded:
			switch {
			case !d.leaderKnown():
				d.forwardedDropped.Add(uint64(len(r.msg.Entries)))
			case normalEntries(r.msg.Entries):
				merged = append(merged, r.msg.Entries...)
				forwarded += len(r.msg.Entries)
			case d.stepProposal(r.msg) != nil:
				d.forwardedDropped.Add(uint64(len(r.msg.Entries))) // its proposer learns the outcome from the log
			}
		case r.stepped == nil:
			d.rn.Step(r.msg) //nolint:errcheck // as raft.Node: errors of received messages are dropped
		case !d.leaderKnown():
			if r.state.Load() == requestPending {
				d.held = append(d.held, *r)
			}
		case !r.state.CompareAndSwap(requestPending, requestTaken):
			// abandoned by its caller
		case normalEntries(r.msg.Entries):
			merged = append(merged, r.msg.Entries...)
			d.waiting = append(d.waiting, r.stepped)
		default: // a conf change goes alone, as raft.Node would step it
			err := d.stepProposal(r.msg)
			r.stepped(d.rn.BasicStatus().Term, err)
		}
		reqs[i] = request{}
	}
	d.spare = reqs[:0]
	if len(merged) == 0 {
		return
	}
	err := d.stepProposal(raftpb.Message{Type: raftpb.MsgProp, Entries: merged})
	if err != nil && forwarded > 0 {
		d.forwardedDropped.Add(uint64(forwarded))
	}
	term := d.rn.BasicStatus().Term
	for i, stepped := range d.waiting {
		stepped(term, err)
		d.waiting[i] = nil
	}
	d.waiting = d.waiting[:0]
}

// normalEntries reports whether ents holds only normal entries (no conf
// change).
func normalEntries(ents []raftpb.Entry) bool {
	for i := range ents {
		if ents[i].Type != raftpb.EntryNormal {
			return false
		}
	}
	return true
}

// retryHeld steps the proposals held for want of a leader, if one is known
// now (loop only). The loop calls it after every Ready and tick, which is
// when raft learns of a leader.
func (d *driver) retryHeld() {
	if len(d.held) > 0 && d.leaderKnown() {
		d.take()
	}
}

func (d *driver) leaderKnown() bool { return d.rn.BasicStatus().Lead != raft.None }

// stepProposal steps a proposal, local or forwarded, as raft.Node does:
// as this node's own.
func (d *driver) stepProposal(m raftpb.Message) error {
	m.From = d.id
	return d.rn.Step(m)
}

// stop makes every waiting and later call return raft.ErrStopped; the loop
// calls it when it ends.
func (d *driver) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	select {
	case <-d.done:
	default:
		close(d.done)
	}
}

// propose waits until the loop stepped m (a proposal) or ctx ends.
func (d *driver) propose(ctx context.Context, m raftpb.Message) error {
	select {
	case <-d.done:
		return raft.ErrStopped
	default:
	}
	result := make(chan error, 1)
	p := d.enqueue(m, func(_ uint64, err error) { result <- err })
	select {
	case err := <-result:
		return err
	case <-ctx.Done():
		if p.abandon() {
			return ctx.Err()
		}
		return <-result
	case <-d.done:
		if p.abandon() {
			return raft.ErrStopped
		}
		return <-result
	}
}

// proposeAsync hands a normal entry to the loop and returns at once;
// stepped runs on the loop once raft took or refused it. While no leader
// is known the entry waits in the loop for one, until its caller abandons
// it; after stop it is never taken.
func (d *driver) proposeAsync(data []byte, stepped func(term uint64, err error)) pendingProposal {
	return d.enqueue(raftpb.Message{Type: raftpb.MsgProp, Entries: []raftpb.Entry{{Data: data}}}, stepped)
}

// enqueue puts a local proposal in the inbox.
func (d *driver) enqueue(m raftpb.Message, stepped func(term uint64, err error)) pendingProposal {
	p := pendingProposal{state: new(atomic.Int32)}
	d.push(request{msg: m, stepped: stepped, state: p.state})
	return p
}

// call runs fn on the loop and waits for it until ctx ends or the loop
// stops. fn may still run after ctx ended, so it must not touch the
// caller's variables then.
func (d *driver) call(ctx context.Context, fn func(*raft.RawNode)) error {
	ran := make(chan struct{})
	d.push(request{fn: func(rn *raft.RawNode) { fn(rn); close(ran) }})
	select {
	case <-ran:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-d.done:
		return raft.ErrStopped
	}
}

// Propose proposes data to be appended to the log, as raft.Node.Propose.
func (d *driver) Propose(ctx context.Context, data []byte) error {
	return d.propose(ctx, raftpb.Message{Type: raftpb.MsgProp, Entries: []raftpb.Entry{{Data: data}}})
}

// ProposeConfChange proposes a configuration change, as
// raft.Node.ProposeConfChange.
func (d *driver) ProposeConfChange(ctx context.Context, cc raftpb.ConfChangeI) error {
	m, err := confChangeToMsg(cc)
	if err != nil {
		return err
	}
	return d.propose(ctx, m)
}

// confChangeToMsg is raft's own conversion of a conf change to a proposal.
func confChangeToMsg(c raftpb.ConfChangeI) (raftpb.Message, error) {
	typ, data, err := raftpb.MarshalConfChange(c)
	if err != nil {
		return raftpb.Message{}, err
	}
	return raftpb.Message{Type: raftpb.MsgProp, Entries: []raftpb.Entry{{Type: typ, Data: data}}}, nil
}

// Step hands a message received from a peer to raft: it is queued and
// Step returns. A proposal a follower forwarded is dropped if no leader is
// known when the loop takes it, as raft.Node would drop it after a wait;
// its proposer learns the outcome from the log (failSuperseded).
func (d *driver) Step(_ context.Context, m raftpb.Message) error {
	if raft.IsLocalMsg(m.Type) {
		return nil // as raft.Node: local messages are not accepted from the network
	}
	select {
	case <-d.done:
		return raft.ErrStopped
	default:
	}
	d.push(request{msg: m, forwarded: m.Type == raftpb.MsgProp})
	return nil
}

// stepLater queues responses that raft addressed to this node itself
// (MsgStorageAppendResp and the like, which Step refuses) for the loop to
// step, in order. The appender uses it once a log write is durable.
func (d *driver) stepLater(msgs []raftpb.Message) {
	if len(msgs) == 0 {
		return
	}
	rs := make([]request, len(msgs))
	for i, m := range msgs {
		rs[i] = request{msg: m}
	}
	d.push(rs...)
}

// ReadIndex requests a read state, as raft.Node.ReadIndex.
func (d *driver) ReadIndex(ctx context.Context, rctx []byte) error {
	return d.Step(ctx, raftpb.Message{Type: raftpb.MsgReadIndex, Entries: []raftpb.Entry{{Data: rctx}}})
}

// Campaign makes this node start an election, as raft.Node.Campaign.
func (d *driver) Campaign(ctx context.Context) error {
	return d.call(ctx, func(rn *raft.RawNode) { rn.Campaign() }) //nolint:errcheck
}

// ReportUnreachable reports that a message to id could not be sent.
func (d *driver) ReportUnreachable(id uint64) {
	d.push(request{fn: func(rn *raft.RawNode) { rn.ReportUnreachable(id) }})
}

// ReportSnapshot reports how sending a snapshot to id ended.
func (d *driver) ReportSnapshot(id uint64, status raft.SnapshotStatus) {
	d.push(request{fn: func(rn *raft.RawNode) { rn.ReportSnapshot(id, status) }})
}

// Status returns raft's status; the zero Status once stopped.
func (d *driver) Status() raft.Status {
	var st raft.Status
	// No context: st must not be written after Status returned.
	if d.call(context.Background(), func(rn *raft.RawNode) { st = rn.Status() }) != nil {
		return raft.Status{}
	}
	return st
}
