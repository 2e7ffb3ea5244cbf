package server

import (
	"github.com/chronos-db/chronos/consensus"
	"github.com/chronos-db/chronos/engine"
)

// stateMachine is the engine as the consensus node's state machine; it adds
// the batch form of Apply, whose entry type each package defines for
// itself (the engine does not depend on raft).
type stateMachine struct {
	*engine.DB
}

// ApplyBatch implements consensus.BatchApplier.
func (sm stateMachine) ApplyBatch(entries []consensus.Entry) []any {
	ents := make([]engine.Entry, len(entries))
	for i, e := range entries {
		ents[i] = engine.Entry{Index: e.Index, Data: e.Data}
	}
	return sm.DB.ApplyBatch(ents)
}
