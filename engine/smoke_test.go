package engine

import "testing"

func TestSmoke(t *testing.T) {
	s := newTestSession(t)
	mustExec(t, s, "CREATE TABLE users (id INT, name STRING)")
	mustExec(t, s, "INSERT INTO users (id, name) VALUES (1, 'Alice')")
	mustExec(t, s, "INSERT INTO users (id, name) VALUES (2, 'Bob')")
	r := mustExec(t, s, "SELECT id, name FROM users")
	t.Logf("%s %s %s", columnNames(r), rowsText(r), r.Tag)
}
