package consensus

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
)

// snapshotData is what a raft snapshot's Data holds.
//
// A snapshot made at a local checkpoint holds only a marker (Full false):
// the state itself is in the state machine's checkpoint files, which cover
// the snapshot's index. A snapshot sent to a lagging or new member holds the
// state machine's whole state (StateMachine.SnapshotData), taken at Applied,
// which may be later than the raft snapshot's index; the receiver restores
// it and skips the entries it already covers.
type snapshotData struct {
	Full    bool
	Applied uint64         // index the state covers
	Members membershipFile // membership table at Applied
	State   []byte         // StateMachine.SnapshotData(), only when Full
}

const (
	snapKindMarker = 1
	snapKindFull   = 2
)

// encode lays the data out as: kind byte, uvarint Applied, uvarint length of
// the members JSON, the JSON, then the state bytes.
func (d snapshotData) encode() ([]byte, error) {
	members, err := json.Marshal(d.Members)
	if err != nil {
		return nil, err
	}
	kind := byte(snapKindMarker)
	if d.Full {
		kind = snapKindFull
	}
	b := make([]byte, 0, 1+2*binary.MaxVarintLen64+len(members)+len(d.State))
	b = append(b, kind)
	b = binary.AppendUvarint(b, d.Applied)
	b = binary.AppendUvarint(b, uint64(len(members)))
	b = append(b, members...)
	return append(b, d.State...), nil
}

func decodeSnapshotData(b []byte) (snapshotData, error) {
	var d snapshotData
	if len(b) == 0 {
		return d, errors.New("consensus: empty snapshot data")
	}
	switch b[0] {
	case snapKindMarker:
	case snapKindFull:
		d.Full = true
	default:
		return d, fmt.Errorf("consensus: unknown snapshot kind %d", b[0])
	}
	b = b[1:]
	v, n := binary.Uvarint(b)
	if n <= 0 {
		return d, errors.New("consensus: truncated snapshot header")
	}
	d.Applied = v
	b = b[n:]
	l, n := binary.Uvarint(b)
	if n <= 0 || uint64(len(b)-n) < l {
		return d, errors.New("consensus: truncated snapshot membership")
	}
	b = b[n:]
	if err := json.Unmarshal(b[:l], &d.Members); err != nil {
		return d, fmt.Errorf("consensus: snapshot membership: %w", err)
	}
	if d.Full {
		d.State = b[l:]
	}
	return d, nil
}
