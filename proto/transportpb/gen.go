// Package transportpb holds the gRPC service and messages that Chronos's
// raft members use to talk to each other, generated from
// proto/transport.proto. Only the consensus package should import it.
package transportpb

//go:generate protoc -I.. --go_out=. --go_opt=paths=source_relative --go_opt=Mtransport.proto=github.com/chronos-db/chronos/proto/transportpb --go-grpc_out=. --go-grpc_opt=paths=source_relative --go-grpc_opt=Mtransport.proto=github.com/chronos-db/chronos/proto/transportpb transport.proto
