// Package server runs one Chronos node: it opens the engine on the node's data
// directory, starts the consensus node that orders every write, and serves
// PostgreSQL clients and gRPC peers on one shared port.
//
// Start wires the pieces in this order:
//
//  1. engine.Open loads the CSV checkpoint (the state machine).
//  2. consensus.Start replays the raft log after the checkpoint and joins or
//     bootstraps the cluster; the engine proposes its writes through it.
//  3. The listener accepts connections and routes each by its first bytes
//     (listener.go): PostgreSQL startup packets to pgwire, the HTTP/2 preface
//     to the gRPC server that carries raft traffic.
//
// Close reverses the order: stop accepting, end sessions, stop consensus
// (which writes a final checkpoint so the CSV files are current).
package server
