package consensus

import (
	"encoding/json"
	"fmt"

	"go.etcd.io/raft/v3/raftpb"
)

// applyConfChange hands a committed conf change to raft (always, as raft
// requires), then updates the membership table from the change's context
// (the Member JSON) and the transport's peers. A change that removes this
// node stops it with ErrRemoved.
func (n *Node) applyConfChange(index, ccID uint64, cc raftpb.ConfChangeI) error {
	n.setConfState(*n.raft.rn.ApplyConfChange(cc))
	if !soleVoter(n.confState, n.cfg.ID) {
		n.solo.Store(false) // at once: reads go through ReadIndex again
	}
	v2 := cc.AsV2()
	removedSelf := false
	for _, ch := range v2.Changes {
		switch ch.Type {
		case raftpb.ConfChangeAddNode, raftpb.ConfChangeAddLearnerNode, raftpb.ConfChangeUpdateNode:
			m := Member{ID: ch.NodeID}
			if len(v2.Context) > 0 {
				if err := json.Unmarshal(v2.Context, &m); err != nil {
					return fmt.Errorf("consensus: conf change entry %d: member context: %w", index, err)
				}
				m.ID = ch.NodeID
			} else if old, ok := n.members.get(ch.NodeID); ok {
				m = old
			}
			if m.Name == "" {
				m.Name = fmt.Sprintf("%x", m.ID)
			}
			n.members.set(m)
			n.log.Info("member added or updated", "member", m.Name, "address", m.Address, "index", index)
		case raftpb.ConfChangeRemoveNode:
			n.log.Info("member removed", "member", n.memberName(ch.NodeID), "index", index)
			n.members.remove(ch.NodeID)
			if ch.NodeID == n.cfg.ID {
				removedSelf = true
			}
		}
	}
	if err := n.members.save(); err != nil {
		return fmt.Errorf("consensus: save membership: %w", err)
	}
	n.syncPeers()
	if ccID != 0 {
		n.waiters.trigger(confChangeWaitKey(ccID), n.confState)
	}
	if removedSelf {
		return ErrRemoved
	}
	return nil
}

// confChangeWaitKey is the waiter key of a conf change proposed by this
// node with raft ConfChange.ID id.
func confChangeWaitKey(id uint64) proposalID { return proposalID{seq: id} }

// removedByPeer stops the node with ErrRemoved: a peer refused its
// messages because the cluster removed it. (The removal entry itself may
// never reach a removed member, since the leader stops sending to it.)
func (n *Node) removedByPeer(peer uint64) {
	n.removed.Do(func() {
		n.log.Warn("removed from the cluster (peer refused our messages)", "peer", n.memberName(peer))
		close(n.removedc)
	})
}

// syncPeers makes the transport's peer set match the membership table.
func (n *Node) syncPeers() {
	if n.trans == nil {
		return
	}
	n.trans.setPeers(n.members.list())
}
