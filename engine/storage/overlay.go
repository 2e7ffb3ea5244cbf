package storage

// OverlayBase is the smallest version Overlay gives the rows it writes.
// Stored rows have raft indexes as versions, far below it, so a row with
// Version >= OverlayBase in an overlay snapshot is one the transaction
// itself wrote.
const OverlayBase uint64 = 1 << 62

// Overlay applies w on top of s as a private, unpublished change and
// returns the resulting snapshot: s overlaid with a transaction's own
// writes, for the transaction's next statements to read. s is not
// modified. seq numbers the overlay steps of one transaction (1, 2, ...):
// the rows written get Version OverlayBase+seq, so a later statement's op
// on a row written by an earlier one presents that version and passes the
// same checks Apply makes. Row IDs of inserted rows continue from the
// table's last row ID; they are provisional (Apply of the committed write
// set assigns its own). The result's AppliedIndex stays s's; it must not
// be checkpointed. On error the Result holds it and the snapshot is nil.
func (s *Snapshot) Overlay(seq uint64, w *Write) (*Snapshot, Result) {
	if s.store != nil {
		// Cloning a B-tree writes to the tree cloned (google/btree's Clone
		// gives it a new copy-on-write context), and Apply clones the
		// published tables too: both do it holding the store's lock. The
		// overlay keeps the store so that its own overlays lock as well.
		s.store.mu.Lock()
		defer s.store.mu.Unlock()
	}
	base := *s
	tx := newTx(&base, OverlayBase+seq)
	res := tx.apply(&Write{Ops: w.Ops})
	if res.Err != nil {
		return nil, res
	}
	next := tx.publish()
	next.applied = s.applied
	return next, res
}
