package engine

import (
	"context"
	"sync"
)

// Log orders writes. The server wires in the consensus node (a raft log);
// tests and embedded use without raft take a LocalLog.
//
// Propose returns only after the entry is committed and applied on this
// node; its result is what the state machine's Apply returned for it (a
// storage.Result). A returned error is a replication failure (the entry may
// or may not have been applied), never a validation rejection, which travels
// in the result.
//
// Errors of either method reach the client as follows: one carrying a
// *sqlerr.Error keeps its code (a node shutting down should return 57P01
// that way), a context error becomes 57014, anything else 08006.
type Log interface {
	// Propose submits one encoded command and waits for its local apply.
	Propose(ctx context.Context, data []byte) (any, error)
	// LinearizableRead returns once this node has applied every entry
	// committed before the call: a snapshot taken afterwards reflects every
	// write acknowledged before the read started.
	LinearizableRead(ctx context.Context) error
}

// StateMachine is the part of a DB a Log applies entries to. It matches the
// consensus package's StateMachine.
type StateMachine interface {
	AppliedIndex() uint64
	Apply(index uint64, data []byte) any
}

// LocalLog is a Log without replication: Propose applies the command to the
// state machine synchronously under a mutex, numbering entries after the
// state machine's applied index. It is the path for unit tests and for
// embedding the engine without raft; nothing it applies is durable until
// the DB checkpoints. The server uses the consensus node instead.
type LocalLog struct {
	mu sync.Mutex // serialises Apply
	sm StateMachine
}

// NewLocalLog returns a LocalLog applying to sm.
func NewLocalLog(sm StateMachine) *LocalLog {
	return &LocalLog{sm: sm}
}

// Propose applies data as the next log entry and returns Apply's result.
func (l *LocalLog) Propose(ctx context.Context, data []byte) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sm.Apply(l.sm.AppliedIndex()+1, data), nil
}

// LinearizableRead returns at once: every Propose has applied before it
// returned, so local state is always current.
func (l *LocalLog) LinearizableRead(ctx context.Context) error {
	return ctx.Err()
}
