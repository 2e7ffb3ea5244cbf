// Package commandpb holds the protobuf encoding of Chronos's replicated
// commands, generated from proto/command.proto. The storage package
// (engine/storage) converts between these messages and its Go command types;
// nothing else should need to import this package.
package commandpb

//go:generate protoc -I.. --go_out=. --go_opt=paths=source_relative --go_opt=Mcommand.proto=github.com/chronos-db/chronos/proto/commandpb command.proto
