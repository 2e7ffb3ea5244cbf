package server

import (
	"net"
	"testing"
)

func TestAdvertiseAddress(t *testing.T) {
	bound := &net.TCPAddr{IP: net.IPv4(172, 18, 0, 2), Port: 8001}
	tests := []struct {
		configured, want string
	}{
		{"node1:8001", "node1:8001"},         // a host name survives a change of IP
		{"127.0.0.1:8001", "127.0.0.1:8001"}, // as written
		{"127.0.0.1:0", "172.18.0.2:8001"},   // the port chosen at bind
		{"0.0.0.0:8001", "0.0.0.0:8001"},     // as written: local peers only
	}
	for _, tt := range tests {
		if got := advertiseAddress(tt.configured, bound); got != tt.want {
			t.Errorf("advertiseAddress(%q) = %q, want %q", tt.configured, got, tt.want)
		}
	}
}
