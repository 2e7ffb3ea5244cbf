package server

import (
	"net"
	"testing"

	"github.com/chronos-db/chronos/consensus"
)

func TestProcessorShare(t *testing.T) {
	tests := []struct {
		procs, local int
		reading      bool
		want         int
	}{
		{procs: 2, local: 0, want: 2}, // no member here (not yet known)
		{procs: 2, local: 1, want: 2},
		{procs: 2, local: 2, want: 1},
		{procs: 2, local: 3, want: 1},
		{procs: 1, local: 3, want: 1},
		{procs: 8, local: 3, want: 2},
		{procs: 16, local: 5, want: 3},
		{procs: 2, local: 3, reading: true, want: 2},
		{procs: 16, local: 5, reading: true, want: 16},
		{procs: 1, local: 3, reading: true, want: 1},
	}
	for _, tt := range tests {
		if got := processorShare(tt.procs, tt.local, tt.reading); got != tt.want {
			t.Errorf("processorShare(%d, %d, %t) = %d, want %d", tt.procs, tt.local, tt.reading, got, tt.want)
		}
	}
}

func TestReadingOnly(t *testing.T) {
	tests := []struct {
		reads, proposals uint64
		want             bool
	}{
		{reads: 0, proposals: 0, want: false}, // idle
		{reads: 0, proposals: 10, want: false},
		{reads: 3, proposals: 0, want: false}, // a probe now and then
		{reads: minReads - 1, proposals: 0, want: false},
		{reads: minReads, proposals: 0, want: true},
		{reads: 30000, proposals: 299, want: true},
		{reads: 30000, proposals: 300, want: false},
		{reads: 5000, proposals: 15000, want: false}, // TPC-B: three writes to a read
	}
	for _, tt := range tests {
		if got := readingOnly(tt.reads, tt.proposals); got != tt.want {
			t.Errorf("readingOnly(%d, %d) = %t, want %t", tt.reads, tt.proposals, got, tt.want)
		}
	}
}

func TestLocalMembers(t *testing.T) {
	own := []net.IP{net.ParseIP("10.0.0.5"), net.ParseIP("fd00::5")}
	tests := []struct {
		addrs []string
		want  int
	}{
		{addrs: []string{"127.0.0.1:8001", "127.0.0.1:8002", "127.0.0.1:8003"}, want: 3},
		{addrs: []string{"127.0.0.2:8001", "[::1]:8002", "localhost:8003"}, want: 3},
		{addrs: []string{"10.0.0.5:8001", "10.0.0.6:8001", "10.0.0.7:8001"}, want: 1},
		{addrs: []string{"[fd00::5]:8001", "[fd00::6]:8001"}, want: 1},
		// Names are not resolved: members known by name count as elsewhere.
		{addrs: []string{"node1:8001", "node2:8001", "node3:8001"}, want: 0},
		{addrs: []string{"not an address", "127.0.0.1:8001"}, want: 1},
	}
	for _, tt := range tests {
		var ms []consensus.Member
		for i, a := range tt.addrs {
			ms = append(ms, consensus.Member{ID: uint64(i + 1), Address: a})
		}
		if got := localMembers(ms, own); got != tt.want {
			t.Errorf("localMembers(%v) = %d, want %d", tt.addrs, got, tt.want)
		}
	}
}
