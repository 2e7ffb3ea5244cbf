package consensus

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chronos-db/chronos/proto/transportpb"
	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Transport limits.
const (
	// peerQueueLen bounds the messages waiting for one peer. When the queue
	// is full the message is dropped and raft is told the peer is
	// unreachable; raft sends again later. The Ready loop never waits.
	peerQueueLen = 4096
	// maxBatchBytes caps one MessageBatch (a larger single message still
	// goes alone). It stays below maxGRPCMessage.
	maxBatchBytes = 4 << 20
	// maxGRPCMessage is the largest gRPC message the service accepts; see
	// GRPCServerOptions.
	maxGRPCMessage = 64 << 20
	// snapshotChunk is the size of one snapshot data piece.
	snapshotChunk = 1 << 20
)

// GRPCServerOptions returns the options the grpc.Server that serves
// RegisterGRPC needs: raft batches and entries may exceed gRPC's default
// 4 MiB message limit, and the flow-control windows are fixed (see
// flowWindow).
func GRPCServerOptions() []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.MaxRecvMsgSize(maxGRPCMessage),
		grpc.InitialWindowSize(flowWindow),
		grpc.InitialConnWindowSize(flowWindow),
	}
}

// flowWindow is the HTTP/2 flow-control window of peer streams and
// connections, on both sides. A fixed window turns off gRPC's bandwidth
// estimator, which otherwise sends a PING, and wakes both ends to answer
// it, for every burst of data it receives: with raft's stream of small
// messages, that was a frame per message. 4 MiB lets a peer stream run well
// ahead on loopback or a LAN.
const flowWindow = 4 << 20

// transport sends raft messages to peers over gRPC: one long-lived client
// stream per peer fed by a bounded queue, and a separate stream per
// snapshot. Only the Ready loop calls send and setPeers; each peer has one
// goroutine that owns its stream and ends when the peer is removed or the
// transport stops.
type transport struct {
	n    *Node
	self uint64
	log  *slog.Logger

	mu      sync.Mutex
	peers   map[uint64]*peer // guarded by mu
	stopped bool             // guarded by mu
	wg      sync.WaitGroup   // peer and snapshot goroutines
}

func newTransport(n *Node) *transport {
	return &transport{n: n, self: n.cfg.ID, log: n.log, peers: make(map[uint64]*peer)}
}

// startTransport sets up the transport and its peers from the membership
// table.
func (n *Node) startTransport() error {
	n.trans = newTransport(n)
	n.syncPeers()
	return nil
}

// peer is the sending side towards one member.
type peer struct {
	t    *transport
	id   uint64
	addr string
	conn *grpc.ClientConn

	queue     chan outgoing // sent by send, received by run
	stopc     chan struct{} // closed when the peer is removed or the transport stops
	reachable atomic.Bool   // the last send or connection attempt worked
	// asked is when (UnixNano) the member last sent this one a proposal or
	// a read request: a client of it may be waiting for a commit.
	asked atomic.Int64
}

// outgoing is one marshalled message in a peer's queue.
type outgoing struct {
	b []byte
	// lazy marks a message nobody waits for (a commit-only append, see
	// infercommit.go): the peer goroutine holds it up to lazyDelay for a
	// message to carry it with.
	lazy bool
}

const (
	// askedWithin is how long after its last proposal or read request a
	// member gets a leader's durable notices and its commit-only appends
	// at once (unless it infers commits).
	askedWithin = time.Second
	// lazyDelay is how long a lazy message waits for company.
	lazyDelay = 2 * time.Millisecond
)

// noteAsked records that member id sent a proposal or a read request.
func (t *transport) noteAsked(id uint64) {
	if p := t.peer(id); p != nil {
		p.asked.Store(time.Now().UnixNano())
	}
}

// asking reports whether the member sent a proposal or a read request
// within askedWithin of now (UnixNano).
func (p *peer) asking(now int64) bool {
	return now-p.asked.Load() <= int64(askedWithin)
}

// askingPeers returns the peers that sent a proposal or a read request
// within askedWithin.
func (t *transport) askingPeers() []uint64 {
	now := time.Now().UnixNano()
	t.mu.Lock()
	defer t.mu.Unlock()
	var ids []uint64
	for id, p := range t.peers {
		if p.asking(now) {
			ids = append(ids, id)
		}
	}
	return ids
}

// send queues msgs for their peers. It runs on the Ready loop, which is
// also where messages are marshalled (raft's entries must not be shared
// across goroutines while raft may still touch them).
func (t *transport) send(msgs []raftpb.Message) {
	for i := range msgs {
		m := msgs[i]
		if drop := t.n.cfg.Knobs.DropMessage; drop != nil && drop(m) {
			continue
		}
		p := t.peer(m.To)
		if p == nil {
			t.n.raft.ReportUnreachable(m.To)
			continue
		}
		if m.Type == raftpb.MsgSnap {
			t.sendSnapshot(p, m)
			continue
		}
		b, err := m.Marshal()
		if err != nil {
			t.log.Error("marshal raft message", "err", err)
			continue
		}
		// A commit-only append is urgent only for a member with clients
		// that cannot infer commits.
		lazy := m.Type == raftpb.MsgApp && len(m.Entries) == 0 &&
			(t.n.inferable.Load() || !p.asking(time.Now().UnixNano()))
		select {
		case p.queue <- outgoing{b: b, lazy: lazy}:
			t.n.stats.messagesSent.Add(1)
		default:
			t.n.raft.ReportUnreachable(m.To)
		}
	}
}

func (t *transport) peer(id uint64) *peer {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.peers[id]
}

// setPeers adds, re-addresses and removes peers to match the membership.
func (t *transport) setPeers(members []Member) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return
	}
	want := make(map[uint64]Member, len(members))
	for _, m := range members {
		if m.ID != t.self && m.Address != "" {
			want[m.ID] = m
		}
	}
	for id, p := range t.peers {
		if m, ok := want[id]; !ok || m.Address != p.addr {
			close(p.stopc)
			p.conn.Close()
			delete(t.peers, id)
		}
	}
	for id, m := range want {
		if _, ok := t.peers[id]; ok {
			continue
		}
		conn, err := grpc.NewClient(m.Address, t.n.dialOptions()...)
		if err != nil {
			t.log.Error("cannot set up connection to peer", "peer", m.Name, "address", m.Address, "err", err)
			continue
		}
		p := &peer{t: t, id: id, addr: m.Address, conn: conn, queue: make(chan outgoing, peerQueueLen), stopc: make(chan struct{})}
		t.peers[id] = p
		t.wg.Add(1)
		go p.run()
	}
}

// stop ends every peer goroutine and closes the connections.
func (t *transport) stop() {
	t.mu.Lock()
	t.stopped = true
	for id, p := range t.peers {
		close(p.stopc)
		p.conn.Close()
		delete(t.peers, id)
	}
	t.mu.Unlock()
	t.wg.Wait()
}

// reachable reports whether the last attempt to talk to id worked.
func (t *transport) reachable(id uint64) bool {
	p := t.peer(id)
	return p != nil && p.reachable.Load()
}

// conn returns the connection to peer id, if it is a peer.
func (t *transport) conn(id uint64) *grpc.ClientConn {
	if p := t.peer(id); p != nil {
		return p.conn
	}
	return nil
}

// run owns the stream to the peer: it opens it, sends queued messages in
// batches, and on failure reports the peer unreachable, waits and opens a
// new one. Messages lost with a broken stream are sent again by raft.
func (p *peer) run() {
	defer p.t.wg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-p.stopc
		cancel()
	}()
	client := transportpb.NewRaftClient(p.conn)
	backoff := 50 * time.Millisecond
	for {
		err := p.stream(ctx, client)
		if ctx.Err() != nil {
			return
		}
		if p.reachable.Swap(false) {
			p.t.log.Warn("peer unreachable", "peer", p.t.n.memberName(p.id), "address", p.addr, "err", err)
		}
		p.t.n.raft.ReportUnreachable(p.id)
		select {
		case <-time.After(backoff):
		case <-p.stopc:
			return
		}
		backoff = min(2*backoff, time.Second)
		if err == nil {
			backoff = 50 * time.Millisecond
		}
	}
}

// stream sends batches on one stream until a send fails or ctx ends.
func (p *peer) stream(ctx context.Context, client transportpb.RaftClient) error {
	s, err := client.Stream(ctx)
	if err != nil {
		return err
	}
	batch := &transportpb.MessageBatch{From: p.t.self, To: p.id}
	hold := time.NewTimer(lazyDelay)
	hold.Stop()
	for {
		if batch.Messages, err = nextBatch(ctx, p.queue, hold, batch.Messages[:0]); err != nil {
			return err
		}
		if err := s.Send(batch); err != nil {
			if errors.Is(err, io.EOF) {
				_, err = s.CloseAndRecv() // the real error
			}
			if st, ok := status.FromError(err); ok && st.Code() == codes.PermissionDenied && st.Message() == errRemovedPeer {
				p.t.n.removedByPeer(p.id)
			}
			return fmt.Errorf("send to %s: %w", p.addr, err)
		}
		p.t.n.stats.batchesSent.Add(1)
		if !p.reachable.Swap(true) {
			p.t.log.Info("peer reachable", "peer", p.t.n.memberName(p.id), "address", p.addr)
		}
	}
}

// nextBatch waits for a message in queue and appends it to batch, with
// every message queued behind it, up to maxBatchBytes. When they are all
// lazy it holds them, up to lazyDelay (hold is a stopped timer), for one
// that is not, which then goes with them and whatever is queued behind it.
func nextBatch(ctx context.Context, queue <-chan outgoing, hold *time.Timer, batch [][]byte) ([][]byte, error) {
	size, lazy := 0, true
	add := func(o outgoing) {
		batch = append(batch, o.b)
		size += len(o.b)
		lazy = lazy && o.lazy
	}
	drain := func() {
		for size < maxBatchBytes {
			select {
			case o := <-queue:
				add(o)
			default:
				return
			}
		}
	}
	select {
	case o := <-queue:
		add(o)
	case <-ctx.Done():
		return batch, ctx.Err()
	}
	drain()
	if !lazy || size >= maxBatchBytes {
		return batch, nil
	}
	hold.Reset(lazyDelay)
	defer hold.Stop()
	for lazy && size < maxBatchBytes {
		select {
		case o := <-queue:
			add(o)
			drain()
		case <-hold.C:
			return batch, nil
		case <-ctx.Done():
			return batch, ctx.Err()
		}
	}
	return batch, nil
}

// sendSnapshot streams a MsgSnap in chunks on its own goroutine and reports
// the outcome to raft, which holds the follower in snapshot state until
// then.
func (t *transport) sendSnapshot(p *peer, m raftpb.Message) {
	if len(m.Snapshot.Data) == 0 {
		t.n.raft.ReportSnapshot(m.To, raft.SnapshotFailure)
		return
	}
	data := m.Snapshot.Data
	m.Snapshot.Data = nil
	header, err := m.Marshal()
	if err != nil {
		t.n.raft.ReportSnapshot(m.To, raft.SnapshotFailure)
		return
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute+time.Duration(len(data)/(1<<20))*time.Second)
		defer cancel()
		go func() {
			select {
			case <-p.stopc:
				cancel()
			case <-ctx.Done():
			}
		}()
		start := time.Now()
		err := streamSnapshot(ctx, transportpb.NewRaftClient(p.conn), header, data)
		if err != nil {
			t.log.Warn("sending snapshot failed", "peer", t.n.memberName(m.To), "index", m.Snapshot.Metadata.Index, "err", err)
			t.n.raft.ReportSnapshot(m.To, raft.SnapshotFailure)
			return
		}
		t.log.Info("sent snapshot", "peer", t.n.memberName(m.To), "index", m.Snapshot.Metadata.Index,
			"bytes", len(data), "took", time.Since(start).Round(time.Millisecond))
		t.n.raft.ReportSnapshot(m.To, raft.SnapshotFinish)
	}()
}

func streamSnapshot(ctx context.Context, client transportpb.RaftClient, header, data []byte) error {
	s, err := client.Snapshot(ctx)
	if err != nil {
		return err
	}
	if err := s.Send(&transportpb.SnapshotChunk{Message: header, TotalSize: uint64(len(data))}); err != nil {
		_, rerr := s.CloseAndRecv()
		return errors.Join(err, rerr)
	}
	for off := 0; off < len(data); off += snapshotChunk {
		end := min(off+snapshotChunk, len(data))
		if err := s.Send(&transportpb.SnapshotChunk{Data: data[off:end]}); err != nil {
			_, rerr := s.CloseAndRecv()
			return errors.Join(err, rerr)
		}
	}
	_, err = s.CloseAndRecv()
	return err
}
