package consensus

import "testing"

// TestMembershipWatch checks that every kind of change to the table
// closes the channel watch returned before it, and only that one.
func TestMembershipWatch(t *testing.T) {
	ms := newMembership(t.TempDir())
	closed := func(ch <-chan struct{}) bool {
		select {
		case <-ch:
			return true
		default:
			return false
		}
	}
	changes := []struct {
		name   string
		change func()
		want   int // members after it
	}{
		{"set", func() { ms.set(Member{ID: 1, Name: "node1", Address: "127.0.0.1:8001"}) }, 1},
		{"set another", func() { ms.set(Member{ID: 2, Name: "node2", Address: "127.0.0.1:8002"}) }, 2},
		{"remove", func() { ms.remove(1) }, 1},
		{"replace", func() {
			ms.replace(membershipFile{Members: []Member{{ID: 3, Name: "node3"}, {ID: 4, Name: "node4"}, {ID: 5, Name: "node5"}}})
		}, 3},
	}
	for _, c := range changes {
		_, before := ms.watch()
		if closed(before) {
			t.Fatalf("before %s: the channel is already closed", c.name)
		}
		c.change()
		if !closed(before) {
			t.Errorf("%s did not close the channel", c.name)
		}
		list, after := ms.watch()
		if closed(after) {
			t.Errorf("after %s: the new channel is closed", c.name)
		}
		if len(list) != c.want {
			t.Errorf("after %s: %d members, want %d", c.name, len(list), c.want)
		}
	}
}
