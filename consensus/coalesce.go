package consensus

import "go.etcd.io/raft/v3/raftpb"

// coalesceAppResps drops from msgs, in place, each accepting MsgAppResp
// that a later one to the same member in the same term makes redundant,
// and returns what is left.
//
// A follower answers every MsgApp it steps, so a Ready in which it took an
// append and then the leader's commit-only append (raft broadcasts one
// each time its commit index moves) carries two or three acknowledgements
// of the same log. The leader learns nothing from all but the last, yet
// steps each one, and each that moves its commit index makes it broadcast
// another commit-only append: the messages multiply. Raft tolerates lost
// messages, and an acknowledgement of index i says the follower's log
// matches the leader's up to i, which a later one for an index at least
// as high says again. Rejections are kept: each carries its own hint.
func coalesceAppResps(msgs []raftpb.Message) []raftpb.Message {
	out := msgs[:0]
	for i, m := range msgs {
		if m.Type == raftpb.MsgAppResp && !m.Reject && supersededAck(m, msgs[i+1:]) {
			continue
		}
		out = append(out, m)
	}
	return out
}

// supersededAck reports whether later holds an accepting MsgAppResp to
// m's recipient, in m's term, for an index at least m's.
func supersededAck(m raftpb.Message, later []raftpb.Message) bool {
	for _, l := range later {
		if l.Type == raftpb.MsgAppResp && !l.Reject && l.To == m.To && l.Term == m.Term && l.Index >= m.Index {
			return true
		}
	}
	return false
}
