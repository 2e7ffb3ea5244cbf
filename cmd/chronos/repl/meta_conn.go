package repl

import (
	"context"
	"fmt"
	"strings"
)

// metaConninfo handles \conninfo: where the shell is connected, as psql
// says it, plus the server's version and the session's process ID.
func metaConninfo(s *session, _ context.Context, m *metaCall) error {
	if !s.connected() {
		fmt.Fprintln(s.cfg.Stdout, "You are currently not connected to a database.")
		return nil
	}
	c := s.conn.Config()
	fmt.Fprintf(s.cfg.Stdout, "You are connected to database \"%s\" as user \"%s\" on host \"%s\" at port \"%d\".\n",
		c.Database, c.User, c.Host, c.Port)
	if v := s.conn.PgConn().ParameterStatus("server_version"); v != "" {
		fmt.Fprintf(s.cfg.Stdout, "Server version %s, backend process %d.\n", v, s.conn.PgConn().PID())
	}
	return nil
}

// metaConnect handles \c ADDRESS: connect to another server and put it
// first in the list of addresses to try.
func metaConnect(s *session, ctx context.Context, m *metaCall) error {
	if len(m.args) == 0 {
		return s.fail(m, "usage: \\c HOST:PORT or \\c postgres://...")
	}
	c := s.conn.Config()
	addrs, err := ParseAddresses(m.args[0], c.User, c.Database)
	if err != nil {
		return s.fail(m, "%v", err)
	}
	conn, err := s.connect(ctx, addrs[0])
	if err != nil {
		return s.fail(m, "connection to %s failed: %v (keeping the previous connection)", displayAddress(addrs[0]), err)
	}
	s.conn.Close(ctx)
	s.conn = conn
	s.cfg.Addresses = append([]string{addrs[0]}, s.cfg.Addresses...)
	s.addrIndex = 0
	s.lastTxStatus = 'I'
	s.settings = settingsLog{}
	s.tables.invalidate()
	nc := conn.Config()
	s.info("You are now connected to database \"%s\" as user \"%s\" on host \"%s\" at port \"%d\".",
		nc.Database, nc.User, nc.Host, nc.Port)
	return nil
}

// metaConsistency shows or sets the session's read consistency
// (chronos.read_consistency): linearizable reads go through the raft
// ReadIndex, stale reads are served from the node's local state.
func metaConsistency(s *session, ctx context.Context, m *metaCall) error {
	if len(m.args) == 0 {
		t, err := s.query(ctx, "SHOW chronos.read_consistency")
		if err != nil {
			s.printError(err, "")
			return ErrFailed
		}
		if len(t.Rows) == 1 && len(t.Rows[0]) == 1 {
			fmt.Fprintf(s.cfg.Stdout, "Read consistency is %s.\n", t.Rows[0][0].Text)
		}
		return nil
	}
	level := strings.ToLower(m.args[0])
	if level != "linearizable" && level != "stale" {
		return s.fail(m, "unknown level %q: use linearizable or stale", m.args[0])
	}
	if !s.execQuiet(ctx, fmt.Sprintf("SET chronos.read_consistency = '%s'", level)) {
		return ErrFailed
	}
	s.info("Read consistency is %s.", level)
	return nil
}

// execQuiet runs a statement the shell made up, reporting only errors, and
// records it like a typed one (so a SET is replayed after a reconnect).
func (s *session) execQuiet(ctx context.Context, sql string) bool {
	if err := s.ensureConnected(ctx); err != nil {
		fmt.Fprintf(s.cfg.Stderr, "%s%v\n", s.errPrefix(), err)
		return false
	}
	results, err := s.conn.PgConn().Exec(ctx, sql).ReadAll()
	s.lastTxStatus = s.conn.PgConn().TxStatus()
	if err != nil {
		s.printError(err, sql)
		if !s.connected() {
			_ = s.reconnect(ctx)
		}
		return false
	}
	for _, r := range results {
		s.noteSuccess(sql, r.CommandTag.String(), len(results) == 1)
	}
	return true
}

// query runs one statement the shell made up and returns its result set.
func (s *session) query(ctx context.Context, sql string) (*Table, error) {
	if err := s.ensureConnected(ctx); err != nil {
		return nil, err
	}
	pc := s.conn.PgConn()
	s.running.Store(pc)
	defer s.running.Store(nil)
	mrr := pc.Exec(ctx, sql)
	var t *Table
	var firstErr error
	for mrr.NextResult() {
		res, err := readResult(mrr.ResultReader())
		if err != nil && firstErr == nil {
			firstErr = err
		}
		if res != nil && res.Table != nil && t == nil {
			t = res.Table
		}
	}
	if err := mrr.Close(); err != nil && firstErr == nil {
		firstErr = err
	}
	s.lastTxStatus = pc.TxStatus()
	if firstErr != nil {
		return nil, firstErr
	}
	if t == nil {
		return nil, fmt.Errorf("the statement returned no rows")
	}
	return t, nil
}
