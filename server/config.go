package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"
)

// Config configures one Chronos node. The zero value of every optional field
// means its documented default; Validate fills them in.
type Config struct {
	// ID names this node in its cluster ("node1"). Empty means a single
	// node, which is a one-member cluster whose ID is "single".
	ID string
	// Address is the host:port this node listens on for both PostgreSQL
	// clients and gRPC peers (told apart by the first bytes). Port 0 picks a
	// free port; Server.Addr reports it. Default 127.0.0.1:5432.
	Address string
	// DataDir is this node's own data directory (raft log, snapshots and the
	// CSV checkpoint). The chronos command puts cluster members in DIR/ID.
	// Required.
	DataDir string
	// Peers maps the IDs of existing members to their addresses. A node
	// with no data and peers joins the cluster through them; a node with no
	// data and no peers bootstraps a new cluster; a node with data rejoins.
	Peers map[string]string
	// Clean removes DataDir's contents before starting.
	Clean bool
	// CheckpointEntries is how many applied raft entries trigger a CSV
	// checkpoint and log compaction. Default 10000.
	CheckpointEntries uint64
	// TickInterval is the raft tick. Default 100ms.
	TickInterval time.Duration
	// ElectionTicks is the raft election timeout in ticks. Default 10.
	ElectionTicks int
	// RequestTimeout bounds how long a statement waits for the cluster
	// (a leader, a quorum) before failing. Default 5s.
	RequestTimeout time.Duration
	// Logger receives the node's logs: the server's, the engine's and
	// consensus's. Nothing adds the node's ID to it; when several nodes
	// log to one place, give it an attribute that tells them apart
	// (chronos node adds node=ID). Default slog.Default().
	Logger *slog.Logger
	// MemoryLimit is the soft limit on the Go runtime's memory that Start
	// sets (runtime/debug.SetMemoryLimit) unless the GOMEMLIMIT environment
	// variable is set. Near it the garbage collector runs more often, so
	// the heap does not grow to GCPercent above the live data: a node
	// holding 1,000,000 rows of (BIGINT, 100-byte TEXT) stays near 520 MB
	// resident instead of 740 MB. It is soft: data that needs more memory
	// still gets it: once a second the server raises the limit to the live
	// heap plus a quarter (at least 64 MiB more), so larger data does not
	// make the collector run continuously. Zero means
	// DefaultMemoryLimit; negative leaves the runtime's setting alone. The
	// setting is process-wide.
	MemoryLimit int64
	// GCPercent is the garbage collector's growth target
	// (runtime/debug.SetGCPercent) that Start sets unless the GOGC
	// environment variable is set: the heap may grow this many percent
	// above the live data before a collection, up to MemoryLimit. Higher
	// than Go's 100, because with tables in memory collections are costly
	// and MemoryLimit bounds the growth. Zero means DefaultGCPercent;
	// negative leaves the runtime's setting alone. Process-wide.
	GCPercent int
	// ShareProcessors keeps GOMAXPROCS at this node's share of the
	// machine's processors while other members of its cluster run on the
	// same machine (their addresses are loopback addresses or this
	// machine's): the processors divided by the members here, at least
	// one, recomputed when the membership changes; every processor while
	// the node's clients only read (processors.go). Unless the GOMAXPROCS
	// environment variable is set. The setting is process-wide, so only a
	// process that runs this one node should ask for it (chronos node
	// does); tests running several nodes in one process leave it off.
	ShareProcessors bool
	// Security configures client authentication, TLS and limits
	// (security.go).
	Security Security
}

// singleNodeID is the member ID of a single node.
const singleNodeID = "single"

// Validate checks the configuration and fills in defaults.
func (c *Config) Validate() error {
	if c.DataDir == "" {
		return errors.New("server: a data directory is required")
	}
	if c.ID == "" {
		c.ID = singleNodeID
	}
	if c.Address == "" {
		c.Address = "127.0.0.1:5432"
	}
	if _, _, err := net.SplitHostPort(c.Address); err != nil {
		return fmt.Errorf("server: bad address %q: %w", c.Address, err)
	}
	for id, addr := range c.Peers {
		if id == "" {
			return fmt.Errorf("server: peer %q has an empty ID", addr)
		}
		if id == c.ID {
			return fmt.Errorf("server: peer list names this node (%s) itself", id)
		}
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return fmt.Errorf("server: bad address %q for peer %s: %w", addr, id, err)
		}
	}
	if c.CheckpointEntries == 0 {
		c.CheckpointEntries = 10000
	}
	if c.TickInterval <= 0 {
		c.TickInterval = 100 * time.Millisecond
	}
	if c.ElectionTicks <= 0 {
		c.ElectionTicks = 10
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 5 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.MemoryLimit == 0 {
		c.MemoryLimit = DefaultMemoryLimit
	}
	if c.GCPercent == 0 {
		c.GCPercent = DefaultGCPercent
	}
	return c.Security.validate(c.Address)
}
