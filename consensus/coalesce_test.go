package consensus

import (
	"reflect"
	"testing"

	"go.etcd.io/raft/v3/raftpb"
)

func TestCoalesceAppResps(t *testing.T) {
	ack := func(to, term, index uint64) raftpb.Message {
		return raftpb.Message{Type: raftpb.MsgAppResp, To: to, Term: term, Index: index}
	}
	reject := func(to, term, index uint64) raftpb.Message {
		m := ack(to, term, index)
		m.Reject, m.RejectHint = true, index-1
		return m
	}
	hb := raftpb.Message{Type: raftpb.MsgHeartbeatResp, To: 1, Term: 2}
	for _, tc := range []struct {
		name string
		in   []raftpb.Message
		want []raftpb.Message
	}{
		{"none", nil, nil},
		{"one", []raftpb.Message{ack(1, 2, 10)}, []raftpb.Message{ack(1, 2, 10)}},
		{"the last of three", []raftpb.Message{ack(1, 2, 10), ack(1, 2, 12), hb, ack(1, 2, 12)}, []raftpb.Message{hb, ack(1, 2, 12)}},
		{"other recipients kept", []raftpb.Message{ack(1, 2, 10), ack(3, 2, 11)}, []raftpb.Message{ack(1, 2, 10), ack(3, 2, 11)}},
		{"other terms kept", []raftpb.Message{ack(1, 2, 10), ack(1, 3, 11)}, []raftpb.Message{ack(1, 2, 10), ack(1, 3, 11)}},
		{"a lower later index supersedes nothing", []raftpb.Message{ack(1, 2, 12), ack(1, 2, 10)}, []raftpb.Message{ack(1, 2, 12), ack(1, 2, 10)}},
		{"rejections kept", []raftpb.Message{reject(1, 2, 10), ack(1, 2, 9), reject(1, 2, 8)}, []raftpb.Message{reject(1, 2, 10), ack(1, 2, 9), reject(1, 2, 8)}},
		{"superseded despite a rejection between", []raftpb.Message{ack(1, 2, 9), reject(1, 2, 10), ack(1, 2, 9)}, []raftpb.Message{reject(1, 2, 10), ack(1, 2, 9)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := coalesceAppResps(append([]raftpb.Message(nil), tc.in...))
			if len(got) == 0 && len(tc.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("coalesceAppResps =\n%v\nwant\n%v", got, tc.want)
			}
		})
	}
}
