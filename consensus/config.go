package consensus

import (
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"time"

	"go.etcd.io/raft/v3/raftpb"
	"google.golang.org/grpc"
)

// Config configures one raft member. The zero value of every field except
// Dir and ID/Name means the documented default; Start fills the defaults and
// refuses impossible settings before anything touches the disk.
type Config struct {
	// ID is this member's raft ID: non-zero and never reused within a
	// cluster. Zero means "derive it from Name" (RaftID(Name)).
	ID uint64

	// Name is the member's string id (the server's --id). Empty means the
	// decimal form of ID. Names map to raft IDs through RaftID, and the
	// mapping is recorded in the log's metadata and in the membership table.
	Name string

	// Address is the host:port where peers reach this member's gRPC
	// service (see RegisterGRPC). It is recorded in the membership table and
	// may be empty for a node that never has peers.
	Address string

	// Dir holds the raft log (Dir/wal) and raft snapshots (Dir/snap). It is
	// created if missing. It must be private to this member and must not be
	// shared with the state machine's files.
	Dir string

	// Peers are existing members to ask to add this node (name → address).
	// They matter only when Dir holds no log yet: with no Peers a new
	// one-member cluster is bootstrapped; with Peers the node joins theirs.
	// A node restarted with a log rejoins its own cluster whatever Peers say.
	Peers map[string]string

	// TickInterval is the length of one raft tick. Default 100ms.
	TickInterval time.Duration

	// ElectionTicks is the election timeout in ticks (randomised by raft
	// between this and twice this). Must exceed HeartbeatTicks. Default 10.
	ElectionTicks int

	// HeartbeatTicks is the leader's heartbeat interval in ticks. Default 1.
	HeartbeatTicks int

	// CheckpointEntries is how many applied entries trigger a checkpoint:
	// StateMachine.Checkpoint, then a raft snapshot at the index it covers,
	// then log compaction. Default 10000.
	CheckpointEntries uint64

	// CheckpointBytes triggers a checkpoint too, once the entries applied
	// since the last one hold this many bytes: a few large entries (bulk
	// inserts) would otherwise keep a large log in memory. Default 64 MiB.
	CheckpointBytes uint64

	// CatchUpEntries is how many entries before a checkpoint stay in the
	// in-memory log after compaction, so a slightly lagging follower catches
	// up from the log instead of a full snapshot. Default CheckpointEntries/2.
	// A member alone in its cluster has no followers and keeps none.
	CatchUpEntries uint64

	// RequestTimeout bounds Propose and LinearizableRead when there is no
	// leader or no quorum: they fail with ErrNoQuorum after it. Default 5s.
	RequestTimeout time.Duration

	// DialOptions are added to every gRPC connection this member opens to
	// a peer (the cluster secret's per-RPC credentials, peer TLS); see
	// dialopts.go.
	DialOptions []grpc.DialOption

	// MaxSizePerMsg limits the bytes of entries in one append message.
	// Default 1 MiB.
	MaxSizePerMsg uint64

	// MaxInflightMsgs limits append messages in flight to one follower.
	// Default 4. raft sends an append for every proposal it steps while
	// the window is open (the driver steps each batch of proposals as one),
	// and each costs a message and an answer on both members; a small
	// window makes the proposals that arrive meanwhile wait and leave
	// together in the next append once an answer frees a slot (three-node
	// inserts: about 20% more per second than with 256). Four appends of
	// up to MaxSizePerMsg each still keep a link busy.
	MaxInflightMsgs int

	// Logger receives the node's logs. The node adds nothing to it that
	// names the member (its caller's logger does, such as the server's
	// node=ID), so lines are not labelled twice. Nil means slog.Default().
	Logger *slog.Logger

	// Knobs are hooks for tests. The zero value does nothing.
	Knobs Knobs
}

// Knobs are hooks the Ready loop and the appender call between their steps,
// so crash tests can stop or copy the data directory at each point (like
// etcd's failpoints), and switches for tests. The hooks run on the
// goroutine their comment names (the loop, unless it says the appender) and
// must not call back into the Node.
type Knobs struct {
	BeforeLogSave   func() // on the appender, before the log write and its fsync
	AfterLogSave    func() // on the appender, after the fsync, before the responses that waited for it are sent
	AfterApply      func() // after a Ready's committed entries are applied, or handed to the applier
	ReadyHandled    func() // after a Ready is handled, before the loop goes on
	AfterCheckpoint func(index uint64)

	// ForceReadIndex makes a lone voter serve LinearizableRead through
	// ReadIndex too, as every other member does, instead of at once.
	ForceReadIndex bool

	// NoLeaseReads turns leader leases off (lease.go): every linearizable
	// read then takes a ReadIndex round.
	NoLeaseReads bool

	// DropMessage, when it returns true, drops a message to a peer before
	// it is queued, as a lossy network would.
	DropMessage func(raftpb.Message) bool
}

// RaftID maps a member's string name to its raft ID: the 64-bit FNV-1a hash
// of the name, never zero. The mapping is stable across versions and
// machines; the cluster refuses a join whose ID collides with another name.
func RaftID(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	id := h.Sum64()
	if id == 0 {
		id = 1
	}
	return id
}

// withDefaults returns a copy of c with defaults filled in, or an error for
// settings that cannot work.
func (c Config) withDefaults() (Config, error) {
	if c.Dir == "" {
		return c, errors.New("consensus: Config.Dir is required")
	}
	if c.ID == 0 && c.Name == "" {
		return c, errors.New("consensus: Config.ID or Config.Name is required")
	}
	if c.ID == 0 {
		c.ID = RaftID(c.Name)
	}
	if c.Name == "" {
		c.Name = fmt.Sprint(c.ID)
	}
	if c.TickInterval <= 0 {
		c.TickInterval = 100 * time.Millisecond
	}
	if c.HeartbeatTicks <= 0 {
		c.HeartbeatTicks = 1
	}
	if c.ElectionTicks <= 0 {
		c.ElectionTicks = 10
	}
	if c.ElectionTicks <= c.HeartbeatTicks {
		return c, fmt.Errorf("consensus: ElectionTicks (%d) must exceed HeartbeatTicks (%d)", c.ElectionTicks, c.HeartbeatTicks)
	}
	if c.CheckpointEntries == 0 {
		c.CheckpointEntries = 10000
	}
	if c.CheckpointBytes == 0 {
		c.CheckpointBytes = 64 << 20
	}
	if c.CatchUpEntries == 0 {
		c.CatchUpEntries = c.CheckpointEntries / 2
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 5 * time.Second
	}
	if c.MaxSizePerMsg == 0 {
		c.MaxSizePerMsg = 1 << 20
	}
	if c.MaxInflightMsgs <= 0 {
		c.MaxInflightMsgs = 4
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c, nil
}
