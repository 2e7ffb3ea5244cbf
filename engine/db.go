package engine

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/storage"
)

// Options configures a DB. The zero value is ready to use.
type Options struct {
	// Logger receives the engine's logs; nil means slog.Default().
	Logger *slog.Logger
	// RetryLimit is how many times an autocommit statement rejected with a
	// serialization failure (40001) is re-evaluated on a fresh snapshot
	// before the error reaches the client. Zero means 50.
	RetryLimit int
	// Cluster reports the cluster's members for SHOW CLUSTER and
	// chronos.nodes (see cluster.go); nil means none are known.
	Cluster ClusterInfo
	// Security turns roles and privileges on (roles.go).
	Security Security
}

// DB is one node's database: the storage state machine, the Log that
// orders writes into it, and the sessions that run SQL on it.
//
// DB implements the consensus package's StateMachine (AppliedIndex, Apply,
// Checkpoint, SnapshotData, Restore): the server starts a consensus node
// with the DB as its state machine and hands the node back through SetLog.
type DB struct {
	dir    string
	store  *storage.Store
	logger *slog.Logger
	opts   Options

	mu  sync.RWMutex
	log Log // guarded by mu; set once by SetLog

	staging staging // COPY batches waiting for their commit (copystage.go)
}

// Open loads the database checkpointed in dir (an empty database when dir
// holds none). An empty dir means a database in memory only, which
// Checkpoint does not write anywhere. Writes fail until SetLog provides
// the Log.
func Open(dir string, opts Options) (*DB, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.RetryLimit <= 0 {
		opts.RetryLimit = 50
	}
	db := &DB{dir: dir, logger: opts.Logger, opts: opts}
	if dir == "" {
		db.store = storage.New()
		return db, nil
	}
	st, err := storage.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("engine: open %s: %w", dir, err)
	}
	db.store = st
	db.staging.checkpointed.Store(st.AppliedIndex())
	return db, nil
}

// SetLog sets the Log writes are proposed through: the consensus node, or
// a LocalLog.
func (db *DB) SetLog(l Log) {
	db.mu.Lock()
	db.log = l
	db.mu.Unlock()
}

// getLog returns the Log, or an error when none was set.
func (db *DB) getLog() (Log, error) {
	db.mu.RLock()
	l := db.log
	db.mu.RUnlock()
	if l == nil {
		return nil, sqlerr.New(sqlerr.InternalError, "engine: no log configured (DB.SetLog was not called)")
	}
	return l, nil
}

// Snapshot returns the current state, without waiting for a read index.
func (db *DB) Snapshot() *storage.Snapshot { return db.store.Snapshot() }

// Published returns a snapshot with the current catalog whose rows may lag
// behind the applied writes (storage.Store.Published): what planning needs,
// without making the store publish writes that nobody reads.
func (db *DB) Published() *storage.Snapshot { return db.store.Published() }

// propose encodes cmd, proposes it and returns the apply result.
func (db *DB) propose(ctx context.Context, cmd storage.Command) (storage.Result, error) {
	l, err := db.getLog()
	if err != nil {
		return storage.Result{}, err
	}
	data, err := storage.EncodeCommand(cmd)
	if err != nil {
		return storage.Result{}, fmt.Errorf("engine: encode command: %w", err)
	}
	return db.proposeLog(ctx, l, data)
}

// proposeRaw proposes an encoded entry (a staging entry of copystage.go).
func (db *DB) proposeRaw(ctx context.Context, data []byte) (storage.Result, error) {
	l, err := db.getLog()
	if err != nil {
		return storage.Result{}, err
	}
	return db.proposeLog(ctx, l, data)
}

// proposeLog proposes data through l and returns its apply result.
func (db *DB) proposeLog(ctx context.Context, l Log, data []byte) (storage.Result, error) {
	out, err := l.Propose(ctx, data)
	if err != nil {
		return storage.Result{}, logError(ctx, err)
	}
	switch r := out.(type) {
	case storage.Result:
		return r, nil
	case *storage.Result:
		return *r, nil
	case error:
		return storage.Result{}, r
	}
	return storage.Result{}, sqlerr.New(sqlerr.InternalError, "engine: unexpected apply result %T", out)
}

// readBarrier waits until local state reflects every write acknowledged
// before the call (a linearizable read), unless stale reads were chosen.
func (db *DB) readBarrier(ctx context.Context, stale bool) error {
	if stale {
		return nil
	}
	l, err := db.getLog()
	if err != nil {
		return err
	}
	if err := l.LinearizableRead(ctx); err != nil {
		return readError(ctx, err)
	}
	return nil
}

// Close releases the DB. It does not checkpoint; the consensus node's
// Stop does (through Checkpoint), or the caller.
func (db *DB) Close() error {
	return nil
}
