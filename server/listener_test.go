package server

import (
	"encoding/binary"
	"testing"
)

func pgPacket(length, code uint32) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint32(b[0:4], length)
	binary.BigEndian.PutUint32(b[4:8], code)
	return b
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name  string
		first []byte
		want  protocolKind
	}{
		{"startup 3.0", pgPacket(41, pgProtocol3), protoPostgres},
		{"startup 3.2", pgPacket(41, pgProtocol3+2), protoPostgres},
		{"ssl request", pgPacket(8, pgSSLRequest), protoPostgres},
		{"gssenc request", pgPacket(8, pgGSSENC), protoPostgres},
		{"cancel request", pgPacket(16, pgCancel), protoPostgres},
		{"grpc preface", http2Preface[:8], protoGRPC},
		{"ssl request with wrong length", pgPacket(12, pgSSLRequest), protoUnknown},
		{"startup too long", pgPacket(1<<20, pgProtocol3), protoUnknown},
		{"protocol 2", pgPacket(41, 2<<16), protoUnknown},
		{"http 1", []byte("GET / HT"), protoUnknown},
		{"short", []byte{0, 0, 0}, protoUnknown},
		{"zeros", make([]byte, 8), protoUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := classify(tt.first); got != tt.want {
				t.Errorf("classify(%q) = %v, want %v", tt.first, got, tt.want)
			}
		})
	}
}
