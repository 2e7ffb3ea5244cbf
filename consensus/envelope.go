package consensus

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// A proposal travels through the log wrapped in an envelope that names who
// proposed it, so the proposer's node can hand Apply's result to the waiting
// caller. The format, version 1:
//
//	byte    1 (version)
//	uvarint node: raft ID of the proposing member
//	uvarint boot: random per process start, so IDs never repeat after a restart
//	uvarint seq:  counter within one boot
//	bytes   the caller's payload, handed to StateMachine.Apply unchanged
type proposalID struct {
	node, boot, seq uint64
}

const envelopeVersion = 1

// encodeEnvelope wraps payload with id.
func encodeEnvelope(id proposalID, payload []byte) []byte {
	b := make([]byte, 0, 1+3*binary.MaxVarintLen64+len(payload))
	b = append(b, envelopeVersion)
	b = binary.AppendUvarint(b, id.node)
	b = binary.AppendUvarint(b, id.boot)
	b = binary.AppendUvarint(b, id.seq)
	return append(b, payload...)
}

// decodeEnvelope splits an entry's data into the proposal ID and payload.
func decodeEnvelope(b []byte) (proposalID, []byte, error) {
	var id proposalID
	if len(b) == 0 {
		return id, nil, errors.New("empty envelope")
	}
	if b[0] != envelopeVersion {
		return id, nil, fmt.Errorf("unknown envelope version %d", b[0])
	}
	b = b[1:]
	for _, f := range []*uint64{&id.node, &id.boot, &id.seq} {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return id, nil, errors.New("truncated envelope header")
		}
		*f = v
		b = b[n:]
	}
	return id, b, nil
}
