package consensus

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"path/filepath"
	"testing"
	"time"

	"go.etcd.io/raft/v3/raftpb"
	"google.golang.org/grpc"
)

// cluster is an in-process raft cluster: each member has its own data
// directory, a gRPC server on 127.0.0.1 and the kv state machine.
type cluster struct {
	t       testing.TB
	root    string
	mod     func(*Config)
	members map[string]*member
}

type member struct {
	name string
	addr string
	dir  string
	gs   *grpc.Server
	sm   *kvSM
	n    *Node
}

func newCluster(t testing.TB, mod func(*Config)) *cluster {
	c := &cluster{t: t, root: t.TempDir(), mod: mod, members: map[string]*member{}}
	t.Cleanup(func() {
		for _, m := range c.members {
			c.kill(m.name)
		}
	})
	return c
}

// startN starts n1 (bootstrapping) and then n2..nN, each joining through
// all members started before it.
func (c *cluster) startN(count int) {
	peers := map[string]string{}
	for i := 1; i <= count; i++ {
		name := fmt.Sprintf("n%d", i)
		m := c.start(name, maps.Clone(peers))
		peers[name] = m.addr
	}
}

// start starts (or restarts) member name, joining through peers if it has
// no data yet.
func (c *cluster) start(name string, peers map[string]string) *member {
	c.t.Helper()
	m := c.members[name]
	if m == nil {
		m = &member{name: name, dir: filepath.Join(c.root, name)}
		c.members[name] = m
	}
	addr := m.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		c.t.Fatal(err)
	}
	m.addr = lis.Addr().String()
	sm, err := loadKV(filepath.Join(m.dir, "sm"))
	if err != nil {
		c.t.Fatal(err)
	}
	cfg := Config{
		Name:           name,
		Address:        m.addr,
		Dir:            filepath.Join(m.dir, "raft"),
		Peers:          peers,
		TickInterval:   20 * time.Millisecond,
		ElectionTicks:  10,
		RequestTimeout: 3 * time.Second,
		Logger:         testLogger(c.t).With("test_member", name),
	}
	if c.mod != nil {
		c.mod(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	n, err := Start(ctx, cfg, sm)
	if err != nil {
		lis.Close()
		c.t.Fatalf("start %s: %v", name, err)
	}
	m.gs = grpc.NewServer(GRPCServerOptions()...)
	n.RegisterGRPC(m.gs)
	go m.gs.Serve(lis)
	m.sm, m.n = sm, n
	return m
}

// kill stops a member as a crash would: no checkpoint, connections cut.
func (c *cluster) kill(name string) {
	m := c.members[name]
	if m == nil || m.n == nil {
		return
	}
	m.n.crash = true
	m.n.Stop()
	m.gs.Stop()
	m.n = nil
}

// running returns the members that are up.
func (c *cluster) running() []*member {
	var out []*member
	for _, m := range c.members {
		if m.n != nil {
			out = append(out, m)
		}
	}
	return out
}

// waitFor polls cond until it holds or timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// leader waits until the running members agree on a leader among them.
func (c *cluster) leader() *member {
	c.t.Helper()
	var lead *member
	waitFor(c.t, 10*time.Second, "a leader", func() bool {
		lead = nil
		running := c.running()
		for _, m := range running {
			if m.n.Stats().Role == "leader" {
				lead = m
			}
		}
		if lead == nil {
			return false
		}
		for _, m := range running {
			if m.n.Stats().Leader != lead.n.cfg.ID {
				return false
			}
		}
		return true
	})
	return lead
}

// follower returns a running member that is not the leader.
func (c *cluster) follower() *member {
	return c.followers(1)[0]
}

// followers returns the running members that are not the leader, at least
// atLeast of them.
func (c *cluster) followers(atLeast int) []*member {
	c.t.Helper()
	lead := c.leader()
	var fs []*member
	for _, m := range c.running() {
		if m != lead {
			fs = append(fs, m)
		}
	}
	if len(fs) < atLeast {
		c.t.Fatalf("%d followers running, want %d", len(fs), atLeast)
	}
	return fs
}

func (m *member) propose(t *testing.T, cmd string) any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := m.n.Propose(ctx, []byte(cmd))
	if err != nil {
		t.Fatalf("%s: Propose(%q): %v", m.name, cmd, err)
	}
	return res
}

// converged waits until every running member applied the same state.
func (c *cluster) converged() {
	c.t.Helper()
	waitFor(c.t, 15*time.Second, "all members to apply the same state", func() bool {
		running := c.running()
		want := running[0].sm.snapshot2()
		for _, m := range running[1:] {
			got := m.sm.snapshot2()
			if !maps.Equal(got.Data, want.Data) {
				return false
			}
		}
		return true
	})
}

func (s *kvSM) snapshot2() kvFile {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snapshot()
}

func TestClusterReplicatesAndReadsOnFollowers(t *testing.T) {
	c := newCluster(t, nil)
	c.startN(3)
	lead := c.leader()
	if got := len(lead.n.Members()); got != 3 {
		t.Fatalf("leader knows %d members, want 3", got)
	}
	// Writes through every member, the followers' forwarded through raft.
	for i := 0; i < 30; i++ {
		m := c.members[fmt.Sprintf("n%d", i%3+1)]
		m.propose(t, fmt.Sprintf("set k%d=%d", i, i))
	}
	// A write acknowledged by one follower is visible to a linearizable
	// read on another member at once.
	for i := 0; i < 10; i++ {
		w, r := c.members["n2"], c.members["n3"]
		if i%2 == 1 {
			w, r = r, w
		}
		key := fmt.Sprintf("rw%d", i)
		w.propose(t, "set "+key+"=x")
		if err := r.n.LinearizableRead(context.Background()); err != nil {
			t.Fatalf("%s: LinearizableRead: %v", r.name, err)
		}
		if _, ok := r.sm.get(key); !ok {
			t.Fatalf("%s acknowledged %s, but a linearizable read on %s does not see it", w.name, key, r.name)
		}
	}
	c.converged()
	st := lead.n.ClusterStatus(context.Background())
	if len(st) != 3 {
		t.Fatalf("ClusterStatus listed %d members", len(st))
	}
	roles := map[string]int{}
	for _, s := range st {
		if !s.Reachable || s.Address == "" || s.Term == 0 || s.Applied == 0 {
			t.Errorf("status of %s: %+v", s.Name, s)
		}
		roles[s.Role]++
	}
	if roles["leader"] != 1 || roles["follower"] != 2 {
		t.Errorf("roles %v, want one leader and two followers", roles)
	}
}

func TestClusterLeaderFailover(t *testing.T) {
	c := newCluster(t, nil)
	c.startN(3)
	old := c.leader()
	for i := 0; i < 20; i++ {
		old.propose(t, fmt.Sprintf("set before%d=1", i))
	}
	c.kill(old.name)
	start := time.Now()
	lead := c.leader()
	t.Logf("new leader %s after %s", lead.name, time.Since(start).Round(time.Millisecond))
	if lead == old {
		t.Fatal("the killed member is still the leader")
	}
	for _, m := range c.running() {
		for i := 0; i < 10; i++ {
			m.propose(t, fmt.Sprintf("set after-%s-%d=1", m.name, i))
		}
	}
	// The killed member comes back with its data and catches up; with a
	// log, it rejoins its own cluster whatever peers it is given.
	back := c.start(old.name, map[string]string{"elsewhere": "127.0.0.1:1"})
	c.converged()
	if got := back.sm.len(); got != 40 {
		t.Errorf("restarted member has %d keys, want 40", got)
	}
	st := c.leader().n.ClusterStatus(context.Background())
	for _, s := range st {
		if !s.Reachable {
			t.Errorf("%s unreachable after restart", s.Name)
		}
	}
}

func TestClusterSnapshotCatchUp(t *testing.T) {
	c := newCluster(t, func(cfg *Config) { cfg.CheckpointEntries = 20; cfg.CatchUpEntries = 5 })
	c.startN(3)
	lagging := c.follower()
	c.kill(lagging.name)
	lead := c.leader()
	for i := 0; i < 100; i++ {
		lead.propose(t, fmt.Sprintf("set k%d=%d", i, i))
	}
	// Checkpoints run in the background, spaced by checkpointGap, so the
	// compaction may trail the proposals a little.
	deadline := time.Now().Add(10 * time.Second)
	first, _ := lead.n.storage.FirstIndex()
	for first < 50 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		first, _ = lead.n.storage.FirstIndex()
	}
	if first < 50 {
		t.Fatalf("leader's log starts at %d; want it compacted past the lagging member", first)
	}
	// A member that was down across compactions gets a snapshot.
	back := c.start(lagging.name, nil)
	c.converged()
	if back.sm.restores == 0 {
		t.Errorf("%s caught up without a snapshot", back.name)
	}
	if back.sm.len() != 100 {
		t.Errorf("%s has %d keys, want 100", back.name, back.sm.len())
	}
	// So does a brand-new member.
	peers := map[string]string{lead.name: lead.addr}
	fresh := c.start("n4", peers)
	c.converged()
	if fresh.sm.restores == 0 {
		t.Errorf("new member caught up without a snapshot")
	}
	// And both keep applying new entries after the snapshot.
	fresh.propose(t, "set last=1")
	c.converged()
	if lead.n.Stats().SnapshotsSent < 2 {
		t.Errorf("leader sent %d snapshots, want 2", lead.n.Stats().SnapshotsSent)
	}
	// A restarted snapshot receiver replays from its own checkpoint.
	c.kill(fresh.name)
	fresh = c.start("n4", nil)
	c.converged()
	if _, ok := fresh.sm.get("last"); !ok {
		t.Error("restarted member lost the entry after its snapshot")
	}
}

func TestClusterRemoveMember(t *testing.T) {
	c := newCluster(t, nil)
	c.startN(3)
	lead := c.leader()
	victim := c.follower()
	var via *member
	for _, m := range c.running() {
		if m != lead && m != victim {
			via = m // a follower, so the request is forwarded to the leader
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := RemoveVia(ctx, via.addr, victim.name); err != nil {
		t.Fatal(err)
	}
	select {
	case <-victim.n.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("removed member did not stop")
	}
	if err := victim.n.Err(); !errors.Is(err, ErrRemoved) {
		t.Errorf("removed member's Err = %v, want ErrRemoved", err)
	}
	c.kill(victim.name)
	for _, m := range c.running() {
		waitFor(t, 5*time.Second, m.name+" to list 2 members", func() bool { return len(m.n.Members()) == 2 })
	}
	// Two members remain a quorum of two.
	via.propose(t, "set after-removal=1")
	c.converged()
	if err := RemoveVia(ctx, via.addr, "nobody"); err == nil {
		t.Error("removing an unknown member succeeded")
	}
}

func TestClusterNoQuorum(t *testing.T) {
	c := newCluster(t, func(cfg *Config) { cfg.RequestTimeout = time.Second })
	c.startN(3)
	lead := c.leader()
	lead.propose(t, "set a=1")
	var survivor *member
	for _, m := range c.running() {
		if m != lead && survivor == nil {
			survivor = m
			continue
		}
		c.kill(m.name)
	}
	start := time.Now()
	_, err := survivor.n.Propose(context.Background(), []byte("set b=1"))
	took := time.Since(start)
	if !errors.Is(err, ErrNoQuorum) {
		t.Fatalf("Propose without quorum: %v, want ErrNoQuorum", err)
	}
	if took > 3*time.Second {
		t.Errorf("Propose without quorum took %s with RequestTimeout 1s", took)
	}
	start = time.Now()
	err = survivor.n.LinearizableRead(context.Background())
	if !errors.Is(err, ErrNoQuorum) {
		t.Fatalf("LinearizableRead without quorum: %v, want ErrNoQuorum", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("LinearizableRead without quorum took %s", took)
	}
	t.Logf("errors without quorum: %v", err)
}

// blackhole accepts connections on addr and never answers, like a peer
// whose process is paused.
func blackhole(t *testing.T, addr string) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := lis.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		lis.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
}

func TestClusterSlowPeerDoesNotBlock(t *testing.T) {
	c := newCluster(t, nil)
	c.startN(3)
	lead := c.leader()
	slow := c.follower()
	c.kill(slow.name)
	blackhole(t, slow.addr)
	start := time.Now()
	for i := 0; i < 50; i++ {
		lead.propose(t, fmt.Sprintf("set k%d=1", i))
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("50 proposals took %s with one peer blackholed", took)
	}
	for _, s := range lead.n.ClusterStatus(context.Background()) {
		if s.Name == slow.name && s.Reachable {
			t.Errorf("blackholed member %s reported reachable", s.Name)
		}
	}
}

func TestTransportFullQueueDrops(t *testing.T) {
	s := startSingle(t, t.TempDir(), nil)
	hole := "127.0.0.1:0"
	lis, err := net.Listen("tcp", hole)
	if err != nil {
		t.Fatal(err)
	}
	hole = lis.Addr().String()
	lis.Close()
	blackhole(t, hole)
	const ghost = 42
	s.n.trans.setPeers([]Member{{ID: 1, Name: "n1"}, {ID: ghost, Name: "ghost", Address: hole}})
	msgs := make([]raftpb.Message, peerQueueLen+100)
	for i := range msgs {
		msgs[i] = raftpb.Message{Type: raftpb.MsgHeartbeat, To: ghost, From: 1, Term: 1}
	}
	start := time.Now()
	s.n.trans.send(msgs)
	if took := time.Since(start); took > time.Second {
		t.Errorf("send to a blackholed peer took %s; it must never wait", took)
	}
	if q := len(s.n.trans.peer(ghost).queue); q < peerQueueLen-10 {
		t.Errorf("queue holds %d messages; want it full (%d) with the rest dropped", q, peerQueueLen)
	}
	// Proposals still flow.
	s.propose("set a=1")
}

func TestClusterJoinConflicts(t *testing.T) {
	c := newCluster(t, nil)
	c.startN(2)
	lead := c.leader()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// A different node claiming an existing name under another raft ID.
	_, err := lead.n.addMember(ctx, Member{ID: 99, Name: "n2", Address: "127.0.0.1:1"}, false)
	if !errors.Is(err, errMemberExists) {
		t.Errorf("join with a taken name: %v, want errMemberExists", err)
	}
	// A raft ID collision between two names.
	_, err = lead.n.addMember(ctx, Member{ID: RaftID("n2"), Name: "other", Address: "127.0.0.1:1"}, false)
	if !errors.Is(err, errMemberExists) {
		t.Errorf("join with a colliding raft ID: %v, want errMemberExists", err)
	}
	// The same member again (a retry after a failed start) is fine.
	if _, err := lead.n.addMember(ctx, Member{ID: RaftID("n2"), Name: "n2", Address: c.members["n2"].addr}, false); err != nil {
		t.Errorf("repeated join: %v", err)
	}
	// A removed member's ID is never reused.
	c.start("n3", map[string]string{"n1": c.members["n1"].addr})
	if err := lead.n.RemoveMember(ctx, "n3"); err != nil {
		t.Fatal(err)
	}
	c.kill("n3")
	_, err = lead.n.addMember(ctx, Member{ID: RaftID("n3"), Name: "n3", Address: "127.0.0.1:1"}, false)
	if !errors.Is(err, errMemberExists) {
		t.Errorf("rejoin of a removed member: %v, want a refusal", err)
	}
}
