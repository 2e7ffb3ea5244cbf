package consensus

import (
	"bytes"
	"sync"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

// Commit inference lets a follower with clients learn that their writes
// are committed one round of messages sooner.
//
// A write through a follower waits for four trips between members: the
// proposal goes to the leader, the leader's append comes back, the
// follower's acknowledgement goes to the leader, and the leader's next
// append tells the follower the new commit index. Only then does the
// follower apply the entry and answer its client. But the last two trips
// tell the follower nothing it could not know by itself: raft commits an
// entry of the leader's term once a quorum has it in its durable log
// (thesis 3.6.2), and when the leader and this follower are a quorum, the
// follower knows both halves once its own write is durable and the leader
// has said its own is.
//
// So a leader whose log write of term T is durable up to index D sends a
// durable notice (a MsgHeartbeat with Context durableContext and Index D,
// stopped by raftService.step before raft sees it) to each follower that
// sent it a proposal or a read request within askedWithin. A follower that
// has acknowledged its own durable log up to A to that leader in term T
// infers that min(D, A) is committed when:
//
//   - it is a follower of that leader, in term T;
//   - the entry at min(D, A) is of term T (an entry of an earlier term is
//     committed only by a later one of the leader's own);
//   - the leader and itself are a majority of the voters of its applied
//     configuration, which is not joint and has at most three voters, and
//     every entry it has written that may hold a configuration change is
//     applied. Any configuration a member may then elect a leader in is
//     this one or one change away (a voter more or fewer), and the two
//     hold a member of every majority of each: a candidate needs the vote
//     of one of them, which it gets only with the entry in its log.
//
// It tells its raft by stepping the heartbeat the leader would have sent
// with that commit index (its answer is dropped). Entries up to A match the
// leader's log (raft's log matching: A is what it acknowledged in term T),
// so the entries it then applies are the ones the leader commits.
//
// The leader learns of such a commit one trip later, so its commit index no
// longer holds every write acknowledged anywhere. Linearizable reads
// therefore read at no less than the leader's read floor: the last index it
// announced in its current term, recorded before the notice leaves
// (readFloor; leaseRead, the read states the leader delivers or sends).
// Every entry up to it is in the leader's log and commits unless the leader
// loses its quorum, and then the read fails for want of one anyway.
//
// With the notice, the leader's commit-only appends are no longer urgent
// for anyone: an active follower infers, and a quiet one has no client
// waiting. They wait in the peer queue up to lazyDelay for the next append
// with entries, and the follower steps both and answers once.

// durableContext marks a leader's durable notice and the heartbeat a
// follower steps for a commit it inferred.
var durableContext = []byte("chronos:durable")

// logPosition is an index of the log in a term, as known from a message
// between this member and member.
type logPosition struct {
	member, term, index uint64
}

// commitInference is what a follower knows toward inferring commits.
type commitInference struct {
	mu sync.Mutex
	// leader is the last durable notice: the leader's durable log.
	leader logPosition
	// acked is this member's last acknowledgement, to member (its
	// leader): its own durable log that matches the leader's.
	acked logPosition
	// confHorizon is the last index written that may hold a configuration
	// change: nothing is inferred until the applied index reaches it.
	confHorizon uint64

	inferred uint64 // the highest commit index stepped (loop only)
}

// noteNotice records a leader's durable notice.
func (ci *commitInference) noteNotice(m raftpb.Message) {
	ci.mu.Lock()
	ci.leader = later(ci.leader, logPosition{member: m.From, term: m.Term, index: m.Index})
	ci.mu.Unlock()
}

// noteAcked records an accepting MsgAppResp this member sent.
func (ci *commitInference) noteAcked(m raftpb.Message) {
	ci.mu.Lock()
	ci.acked = later(ci.acked, logPosition{member: m.To, term: m.Term, index: m.Index})
	ci.mu.Unlock()
}

// later returns the later position: the higher term, or in the same term
// the higher index.
func later(old, p logPosition) logPosition {
	if p.term > old.term || p.term == old.term && p.index > old.index {
		return p
	}
	return old
}

// noteWritten records entries written to the log: the configuration
// changes among them move the horizon.
func (ci *commitInference) noteWritten(ents []raftpb.Entry) {
	for i := len(ents) - 1; i >= 0; i-- {
		if t := ents[i].Type; t == raftpb.EntryConfChange || t == raftpb.EntryConfChangeV2 {
			ci.holdUntilApplied(ents[i].Index)
			return
		}
	}
}

// holdUntilApplied stops inference until the applied index reaches index.
func (ci *commitInference) holdUntilApplied(index uint64) {
	ci.mu.Lock()
	ci.confHorizon = max(ci.confHorizon, index)
	ci.mu.Unlock()
}

// inferenceState is what inferredCommit decides from.
type inferenceState struct {
	self    uint64
	leader  logPosition // the leader's durable notice
	acked   logPosition // this member's acknowledgement
	status  raft.BasicStatus
	conf    raftpb.ConfState // applied configuration
	applied uint64           // applied index
	horizon uint64           // commitInference.confHorizon
	// termAt returns the term of the entry at index in this member's log.
	termAt func(index uint64) (uint64, error)
}

// inferredCommit returns the index the rule (see above) shows committed,
// or 0 when it shows nothing beyond raft's commit index.
func inferredCommit(s inferenceState) uint64 {
	ld, ack := s.leader, s.acked
	if ld.term == 0 || ld.term != ack.term || ld.member != ack.member {
		return 0
	}
	x := min(ld.index, ack.index)
	st := s.status
	if st.RaftState != raft.StateFollower || st.Lead != ld.member || st.Term != ld.term || x <= st.Commit {
		return 0
	}
	if s.applied < s.horizon || !pairIsQuorum(s.conf, ld.member, s.self) {
		return 0
	}
	if t, err := s.termAt(x); err != nil || t != ld.term {
		return 0
	}
	return x
}

// pairIsQuorum reports whether members a and b together are a majority of
// the voters of cs, which must not be joint.
func pairIsQuorum(cs raftpb.ConfState, a, b uint64) bool {
	if a == b || len(cs.VotersOutgoing) > 0 || len(cs.Voters) > 3 {
		return false
	}
	found := 0
	for _, v := range cs.Voters {
		if v == a || v == b {
			found++
		}
	}
	return found == 2
}

// inferCommit steps the commit inferredCommit finds, if any (loop only).
func (n *Node) inferCommit() {
	ci := &n.infer
	ci.mu.Lock()
	s := inferenceState{self: n.cfg.ID, leader: ci.leader, acked: ci.acked, horizon: ci.confHorizon}
	ci.mu.Unlock()
	if s.leader.term == 0 || min(s.leader.index, s.acked.index) <= ci.inferred {
		return
	}
	s.status = n.raft.rn.BasicStatus()
	s.conf = n.confState
	s.applied = n.applied.Load()
	s.termAt = n.storage.Term
	x := inferredCommit(s)
	if x == 0 {
		return
	}
	ci.inferred = x
	n.stats.commitsInferred.Add(1)
	//nolint:errcheck // a heartbeat of the current term is always stepped
	n.raft.rn.Step(raftpb.Message{Type: raftpb.MsgHeartbeat, From: s.leader.member, To: n.cfg.ID,
		Term: s.leader.term, Commit: x, Context: durableContext})
}

// announceDurable sends the durable notice for a log durable up to index
// in term to the followers that may infer from it, after raising the read
// floor (the appender calls it, as leader).
func (n *Node) announceDurable(term, index uint64) {
	if n.trans == nil || !n.inferable.Load() {
		return
	}
	to := n.trans.askingPeers()
	if len(to) == 0 {
		return
	}
	n.announced.Store(&logPosition{member: n.cfg.ID, term: term, index: index})
	msgs := make([]raftpb.Message, len(to))
	for i, id := range to {
		msgs[i] = raftpb.Message{Type: raftpb.MsgHeartbeat, To: id, From: n.cfg.ID, Term: term, Index: index, Context: durableContext}
	}
	n.stats.durableNotices.Add(uint64(len(msgs)))
	n.trans.send(msgs)
}

// readFloor is the least index a linearizable read may use when this node
// leads term: the last it announced in that term, or 0.
func (n *Node) readFloor(term uint64) uint64 {
	if p := n.announced.Load(); p != nil && p.term == term {
		return p.index
	}
	return 0
}

// raiseReadStates raises the read states this node answered as leader of
// term to its read floor.
func (n *Node) raiseReadStates(states []raft.ReadState, term uint64) {
	if term == 0 {
		return
	}
	floor := n.readFloor(term)
	for i := range states {
		states[i].Index = max(states[i].Index, floor)
	}
}

// setConfState records the applied configuration (loop only).
func (n *Node) setConfState(cs raftpb.ConfState) {
	n.confState = cs
	n.inferable.Store(len(cs.Voters) <= 3 && len(cs.VotersOutgoing) == 0)
}

// isDurableNotice reports whether m is a leader's durable notice.
func isDurableNotice(m raftpb.Message) bool {
	return m.Type == raftpb.MsgHeartbeat && bytes.Equal(m.Context, durableContext)
}

// dropInferredAnswers drops, in place, the answers raft gives to the
// heartbeats inferCommit steps: the leader sent no such heartbeat.
func dropInferredAnswers(msgs []raftpb.Message) []raftpb.Message {
	out := msgs[:0]
	for _, m := range msgs {
		if m.Type == raftpb.MsgHeartbeatResp && bytes.Equal(m.Context, durableContext) {
			continue
		}
		out = append(out, m)
	}
	return out
}
