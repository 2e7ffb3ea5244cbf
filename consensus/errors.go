package consensus

import "errors"

// The sentinel errors of this package. Errors returned by Node methods wrap
// one or more of them, so callers test with errors.Is. A server maps them to
// SQLSTATE codes in one place (engine/errors.go).
var (
	// ErrStopped means the node was stopped (or failed) before the request
	// completed.
	ErrStopped = errors.New("consensus: node stopped")

	// ErrNoQuorum means no leader could be found, or the cluster could not
	// commit or confirm a request, within Config.RequestTimeout.
	ErrNoQuorum = errors.New("consensus: cluster has no quorum")

	// ErrDropped means raft refused the proposal (for example while
	// leadership is being transferred or the uncommitted log is full). The
	// entry surely did not enter the log, so it is safe to retry.
	ErrDropped = errors.New("consensus: proposal dropped")

	// ErrOutcomeUnknown accompanies a failure that happened after the entry
	// was handed to raft: it may still commit and apply. Such a request must
	// be reported to the client, never retried silently.
	ErrOutcomeUnknown = errors.New("consensus: proposal outcome unknown")

	// ErrLeaderChanged means a new leader committed entries of a later term
	// while the proposal had not applied: it was most likely lost with the
	// old leader, but a delayed copy could still apply. It always comes
	// with ErrOutcomeUnknown.
	ErrLeaderChanged = errors.New("consensus: the leader changed before the proposal committed")

	// ErrRemoved means this node was removed from the cluster.
	ErrRemoved = errors.New("consensus: node removed from the cluster")
)
