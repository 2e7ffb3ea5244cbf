package pgwire

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
)

// handleQuery runs a simple-protocol Query: the engine runs each statement
// of the string in order and sendResult answers each; the first error ends
// the string with an ErrorResponse. One ReadyForQuery follows either way.
// A Query replaces the unnamed statement and portal, as in PostgreSQL. An
// empty (or blank) string is answered EmptyQueryResponse here; the engine
// answers the other strings without statements (";", comments).
func (c *conn) handleQuery(ctx context.Context, query string) bool {
	delete(c.stmts, "")
	delete(c.portals, "")
	if strings.TrimSpace(query) == "" {
		c.be.Send(&pgproto3.EmptyQueryResponse{})
		return c.readyForQuery()
	}
	err := c.runStatement(ctx, func(ctx context.Context) error {
		return c.sess.Query(ctx, query, c.sendResult)
	})
	if err != nil && !c.reportError(err) {
		return false
	}
	return c.readyForQuery()
}

// readyForQuery ends a query cycle (simple Query, Sync, FunctionCall):
// portals go when no transaction is open any more, changed run-time
// parameters are reported with ParameterStatus (PostgreSQL reports them
// just before ReadyForQuery too), then ReadyForQuery carries the
// transaction status and everything is written out.
func (c *conn) readyForQuery() bool {
	if c.writeErr != nil {
		return false
	}
	status := c.sess.TxStatus()
	if status == 'I' {
		c.recyclePortal()
		clear(c.portals)
	}
	if changed := c.sess.ChangedParameters(); len(changed) > 0 {
		for _, name := range slices.Sorted(maps.Keys(changed)) {
			c.be.Send(&pgproto3.ParameterStatus{Name: name, Value: changed[name]})
		}
	}
	c.rfq.TxStatus = status
	c.be.Send(&c.rfq)
	return c.flush() == nil
}
