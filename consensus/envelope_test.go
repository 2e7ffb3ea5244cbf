package consensus

import (
	"bytes"
	"reflect"
	"testing"
)

func TestEnvelopeRoundTrip(t *testing.T) {
	tests := []struct {
		id      proposalID
		payload []byte
	}{
		{proposalID{1, 2, 3}, []byte("set a=1")},
		{proposalID{^uint64(0), ^uint64(0), ^uint64(0)}, nil},
		{proposalID{RaftID("node1"), 0, 1}, bytes.Repeat([]byte{0}, 1000)},
	}
	for _, tt := range tests {
		id, payload, err := decodeEnvelope(encodeEnvelope(tt.id, tt.payload))
		if err != nil {
			t.Fatalf("decode(%v): %v", tt.id, err)
		}
		if id != tt.id || !bytes.Equal(payload, tt.payload) {
			t.Errorf("round trip of %v, %q gave %v, %q", tt.id, tt.payload, id, payload)
		}
	}
}

func TestEnvelopeRejectsGarbage(t *testing.T) {
	for _, b := range [][]byte{nil, {}, {2, 1, 1, 1}, {1}, {1, 0x80}, {1, 1, 1}} {
		if _, _, err := decodeEnvelope(b); err == nil {
			t.Errorf("decodeEnvelope(%v) accepted garbage", b)
		}
	}
}

func TestSnapshotDataRoundTrip(t *testing.T) {
	members := membershipFile{Members: []Member{{ID: 1, Name: "n1", Address: "127.0.0.1:1"}}, Removed: []uint64{7}}
	tests := []snapshotData{
		{Applied: 10, Members: members},
		{Full: true, Applied: 12, Members: members, State: []byte("tables")},
		{Full: true, Applied: 0, Members: membershipFile{Members: []Member{}}, State: []byte{}},
	}
	for _, want := range tests {
		b, err := want.encode()
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeSnapshotData(b)
		if err != nil {
			t.Fatalf("decode %+v: %v", want, err)
		}
		if got.Full != want.Full || got.Applied != want.Applied || !bytes.Equal(got.State, want.State) ||
			!reflect.DeepEqual(got.Members.Members, want.Members.Members) || !reflect.DeepEqual(got.Members.Removed, want.Members.Removed) {
			t.Errorf("round trip of %+v gave %+v", want, got)
		}
	}
	for _, b := range [][]byte{nil, {9}, {1}, {1, 5, 200}} {
		if _, err := decodeSnapshotData(b); err == nil {
			t.Errorf("decodeSnapshotData(%v) accepted garbage", b)
		}
	}
}

func TestRaftIDStable(t *testing.T) {
	// The mapping is recorded in logs and membership tables on disk: these
	// golden values (64-bit FNV-1a) must never change.
	tests := []struct {
		name string
		want uint64
	}{
		{"node1", 0xca4eba7207232f14},
		{"node2", 0xca4ebd720723342d},
		{"n1", 0x08b37b07b558d4c0},
	}
	for _, tt := range tests {
		if got := RaftID(tt.name); got != tt.want {
			t.Errorf("RaftID(%q) = %#x, want %#x", tt.name, got, tt.want)
		}
	}
}
