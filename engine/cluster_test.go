package engine

import (
	"context"
	"testing"
)

// fakeCluster is a ClusterInfo with fixed members and totals.
type fakeCluster []MemberStatus

func (f fakeCluster) ClusterStatus(context.Context) []MemberStatus { return f }

func (f fakeCluster) NodeStats() []NodeStat {
	return []NodeStat{
		{Name: "fsyncs", Value: 7, Description: "log writes that had to be synced to disk"},
		{Name: "entries_written", Value: 35, Description: "entries written to the log"},
		{Name: "huge", Value: 1 << 63, Description: "beyond bigint"},
	}
}

func TestClusterIntrospection(t *testing.T) {
	members := fakeCluster{
		{ID: "node1", Address: "127.0.0.1:8001", Role: "leader", Term: 3, CommitIndex: 42, AppliedIndex: 41, Reachable: true},
		{ID: "node2", Address: "127.0.0.1:8002", Role: "follower", Term: 3, CommitIndex: 42, AppliedIndex: 42, Reachable: true},
		{ID: "node3", Address: "127.0.0.1:8003", Reachable: false},
	}
	db, err := Open("", Options{Cluster: members})
	if err != nil {
		t.Fatal(err)
	}
	db.SetLog(NewLocalLog(db))
	s, err := db.NewSession(SessionOptions{User: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	all := "node1|127.0.0.1:8001|leader|3|42|41|t;node2|127.0.0.1:8002|follower|3|42|42|t;node3|127.0.0.1:8003|NULL|NULL|NULL|NULL|f"
	tests := []struct {
		sql, want string
	}{
		{"SHOW CLUSTER", all},
		{"show cluster", all},
		{"SELECT * FROM chronos.nodes", all},
		{"SELECT id FROM chronos.nodes WHERE role = 'leader'", "node1"},
		{"SELECT n.id, n.reachable FROM chronos.nodes n WHERE NOT n.reachable", "node3|f"},
		{"SELECT count(*) FROM chronos.nodes WHERE reachable", "2"},
		{"SELECT max(commit_index) - min(applied_index) FROM chronos.nodes", "1"},
		{"SELECT name, value FROM chronos.stats", "fsyncs|7;entries_written|35;huge|9223372036854775807"},
		{"SELECT s.value FROM chronos.stats s WHERE s.name = 'fsyncs'", "7"},
		{"SELECT (SELECT value FROM chronos.stats WHERE name = 'entries_written') / value FROM chronos.stats WHERE name = 'fsyncs'", "5"},
		{"SELECT description FROM CHRONOS.STATS WHERE name = 'fsyncs'", "log writes that had to be synced to disk"},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			r := mustExec(t, s, tt.sql)
			if got := rowsText(r); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
	r := mustExec(t, s, "SHOW CLUSTER")
	if got := columnNames(r); got != "id,address,role,term,commit_index,applied_index,reachable" {
		t.Errorf("SHOW CLUSTER columns: %s", got)
	}
}

func TestClusterIntrospectionErrors(t *testing.T) {
	s := newTestSession(t) // no Options.Cluster
	tests := []struct {
		sql, code string
	}{
		{"SHOW CLUSTER", "55000"},
		{"SELECT * FROM chronos.nodes", "55000"},
		{"SELECT * FROM chronos.stats", "55000"},
		{"SELECT * FROM chronos.other", "42P01"},
		{"INSERT INTO chronos.nodes VALUES ('x')", "42P01"},
		{"DELETE FROM chronos.stats", "42P01"},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			_, err := query(s, tt.sql)
			if got := errCode(err); got != tt.code {
				t.Errorf("error %v (%s), want SQLSTATE %s", err, got, tt.code)
			}
		})
	}
}
