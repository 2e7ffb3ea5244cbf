package pgwire

import (
	"context"
	"strings"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/jackc/pgx/v5/pgproto3"
)

// The extended query protocol: Parse makes a prepared statement, Bind a
// portal (a statement with its parameter values and result formats),
// Describe reports either, Execute runs a portal, Close drops either, Sync
// ends the cycle with ReadyForQuery, Flush writes out what is buffered.
// The handlers return the error to report; conn.handle then sends it and
// discards messages until Sync (skipToSync).
//
// Statements and portals named "" are the unnamed ones: a new Parse or
// Bind replaces them silently, and a simple Query drops them. Named ones
// must be closed before the name is reused. Portals end with their
// transaction: readyForQuery drops them all when the session is idle.

// portal is a statement bound to its parameters by Bind. The statement runs
// at the portal's first Execute; its rows are then sent over one or more
// Executes (a row limit suspends the portal).
type portal struct {
	stmt   Statement
	params []types.Value
	// cols are the statement's columns as Describe reports them, nil when
	// it returns no rows; formats holds one format per column, or is nil
	// for all text.
	cols    []Column
	formats []int16

	executed  bool   // the first Execute ran the statement
	result    Result // its result, once executed
	next      int    // the next row of result to send
	suspended bool   // a PortalSuspended was sent
	complete  bool   // CommandComplete (or EmptyQueryResponse) was sent
}

// emptyStatement is what Parse makes of an empty query string: no
// parameters, no columns, and Execute answers EmptyQueryResponse.
type emptyStatement struct{}

func (emptyStatement) ParamTypes() []types.OID { return nil }
func (emptyStatement) Columns() []Column       { return nil }
func (emptyStatement) Execute(context.Context, []types.Value) (Result, error) {
	return Result{Empty: true}, nil
}

// handleParse prepares a statement: ParseComplete.
func (c *conn) handleParse(ctx context.Context, m *pgproto3.Parse) error {
	if m.Name == "" {
		delete(c.stmts, "")
	} else if _, ok := c.stmts[m.Name]; ok {
		return sqlerr.New(sqlerr.DuplicatePreparedStatement, "prepared statement \"%s\" already exists", m.Name)
	}
	var stmt Statement = emptyStatement{}
	if strings.TrimSpace(m.Query) != "" {
		oids := make([]types.OID, len(m.ParameterOIDs))
		for i, o := range m.ParameterOIDs {
			oids[i] = types.OID(o)
		}
		err := c.runStatement(ctx, func(ctx context.Context) error {
			var err error
			stmt, err = c.sess.Prepare(ctx, m.Query, oids)
			return err
		})
		if err != nil {
			return err
		}
	}
	c.stmts[m.Name] = stmt
	c.be.Send(&pgproto3.ParseComplete{})
	return nil
}

// statement looks up a prepared statement by name.
func (c *conn) statement(name string) (Statement, error) {
	stmt, ok := c.stmts[name]
	if !ok {
		if name == "" {
			return nil, sqlerr.New(sqlerr.InvalidSQLStatementName, "unnamed prepared statement does not exist")
		}
		return nil, sqlerr.New(sqlerr.InvalidSQLStatementName, "prepared statement \"%s\" does not exist", name)
	}
	return stmt, nil
}

// portal looks up a portal by name.
func (c *conn) portal(name string) (*portal, error) {
	p, ok := c.portals[name]
	if !ok {
		return nil, sqlerr.New(sqlerr.InvalidCursorName, "portal \"%s\" does not exist", name)
	}
	return p, nil
}

// handleBind makes a portal: it checks the parameter count and formats,
// decodes each parameter to its type's value (text via types.ParseText,
// binary via decodeBinary) and keeps the result formats: BindComplete. The
// statement does not run yet.
func (c *conn) handleBind(m *pgproto3.Bind) error {
	stmt, err := c.statement(m.PreparedStatement)
	if err != nil {
		return err
	}
	if m.DestinationPortal == "" {
		delete(c.portals, "")
	} else if _, ok := c.portals[m.DestinationPortal]; ok {
		return sqlerr.New(codeDuplicateCursor, "portal \"%s\" already exists", m.DestinationPortal)
	}
	paramTypes := stmt.ParamTypes()
	if len(m.Parameters) != len(paramTypes) {
		return sqlerr.New(sqlerr.ProtocolViolation,
			"bind message supplies %d parameters, but prepared statement \"%s\" requires %d",
			len(m.Parameters), m.PreparedStatement, len(paramTypes))
	}
	pf := m.ParameterFormatCodes
	if len(pf) > 1 && len(pf) != len(m.Parameters) {
		return sqlerr.New(sqlerr.ProtocolViolation,
			"bind message has %d parameter formats but %d parameters", len(pf), len(m.Parameters))
	}
	params := make([]types.Value, len(m.Parameters))
	for i, b := range m.Parameters {
		format := textFormat
		switch len(pf) {
		case 0:
		case 1:
			format = pf[0]
		default:
			format = pf[i]
		}
		if format != textFormat && format != binaryFormat {
			return sqlerr.New(sqlerr.InvalidParameterValue, "unsupported format code: %d", format)
		}
		if params[i], err = decodeParam(b, paramTypes[i], format, i); err != nil {
			return err
		}
	}
	cols := stmt.Columns()
	formats, err := resultFormats(m.ResultFormatCodes, len(cols))
	if err != nil {
		return err
	}
	p := c.sparePortal
	if p == nil || m.DestinationPortal != "" {
		p = new(portal)
	} else {
		c.sparePortal = nil
	}
	*p = portal{stmt: stmt, params: params, cols: cols, formats: formats}
	c.portals[m.DestinationPortal] = p
	c.be.Send(&pgproto3.BindComplete{})
	return nil
}

// recyclePortal keeps the unnamed portal, emptied, for the next Bind to
// it; the caller then drops it from the portals. Nothing else keeps a
// *portal across messages.
func (c *conn) recyclePortal() {
	if p := c.portals[""]; p != nil {
		*p = portal{}
		c.sparePortal = p
	}
}

// resultFormats normalizes Bind's result format codes (none: all text; one:
// for every column; else one per column) to one per column, or nil for all
// text.
func resultFormats(codes []int16, ncols int) ([]int16, error) {
	binaryAny := false
	for _, f := range codes {
		if f != textFormat && f != binaryFormat {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "unsupported format code: %d", f)
		}
		binaryAny = binaryAny || f == binaryFormat
	}
	switch {
	case !binaryAny && (len(codes) <= 1 || len(codes) == ncols):
		return nil, nil
	case len(codes) == 1:
		formats := make([]int16, ncols)
		for i := range formats {
			formats[i] = codes[0]
		}
		return formats, nil
	case len(codes) == ncols:
		return append([]int16(nil), codes...), nil
	}
	return nil, sqlerr.New(sqlerr.ProtocolViolation,
		"bind message has %d result formats but query has %d columns", len(codes), ncols)
}

// handleDescribe answers Describe: for a statement ParameterDescription
// then RowDescription (text formats: none are chosen yet) or NoData; for a
// portal RowDescription in its result formats, or NoData.
func (c *conn) handleDescribe(m *pgproto3.Describe) error {
	switch m.ObjectType {
	case 'S':
		stmt, err := c.statement(m.Name)
		if err != nil {
			return err
		}
		paramTypes := stmt.ParamTypes()
		oids := make([]uint32, len(paramTypes))
		for i, t := range paramTypes {
			oids[i] = uint32(t)
		}
		c.be.Send(&pgproto3.ParameterDescription{ParameterOIDs: oids})
		if cols := stmt.Columns(); cols != nil {
			c.sendRowDescription(cols, nil)
		} else {
			c.be.Send(&pgproto3.NoData{})
		}
	case 'P':
		p, err := c.portal(m.Name)
		if err != nil {
			return err
		}
		if p.cols != nil {
			c.sendRowDescription(p.cols, p.formats)
		} else {
			c.be.Send(&pgproto3.NoData{})
		}
	default:
		return sqlerr.New(sqlerr.ProtocolViolation, "invalid DESCRIBE message subtype %d", m.ObjectType)
	}
	return nil
}

// handleExecute runs a portal: its first Execute runs the statement (and
// sends its notices); every Execute then sends up to MaxRows of the rows
// not sent yet (0: all). When rows remain it answers PortalSuspended and a
// later Execute goes on; otherwise CommandComplete, whose count is the rows
// of this Execute once the portal has been suspended, as PostgreSQL
// reports it. An empty query answers EmptyQueryResponse.
func (c *conn) handleExecute(ctx context.Context, m *pgproto3.Execute) error {
	p, err := c.portal(m.Portal)
	if err != nil {
		return err
	}
	if !p.executed {
		var res Result
		err := c.runStatement(ctx, func(ctx context.Context) error {
			var err error
			res, err = p.stmt.Execute(ctx, p.params)
			if err == nil && res.CopyIn != nil {
				// The copy runs within the statement's context.
				c.sendNotices(res.Notices)
				res.Notices = nil
				res, err = c.runCopyIn(res.CopyIn)
			}
			return err
		})
		if err != nil {
			delete(c.portals, m.Portal)
			return err
		}
		p.executed, p.result = true, res
		c.sendNotices(res.Notices)
	}
	r := &p.result
	if r.CopyOut != nil {
		if err := c.sendCopyOut(r.CopyOut); err != nil {
			return err
		}
		r.CopyOut = nil
	}
	if r.Empty {
		c.be.Send(&pgproto3.EmptyQueryResponse{})
		p.complete = true
		return nil
	}
	cols, formats := p.cols, p.formats
	if cols == nil {
		cols = r.Columns
	}
	if cols == nil {
		// A statement without rows runs once.
		if p.complete {
			return sqlerr.New(sqlerr.ObjectNotInPrerequisiteState, "portal \"%s\" cannot be run", m.Portal)
		}
		c.sendCommandComplete(r.Tag)
		p.complete = true
		return nil
	}
	if len(formats) != len(cols) {
		formats = nil
	}
	rows := r.Rows[p.next:]
	if m.MaxRows > 0 && uint64(len(rows)) > uint64(m.MaxRows) {
		rows = rows[:m.MaxRows]
	}
	if err := c.sendRows(cols, rows, formats); err != nil {
		delete(c.portals, m.Portal)
		return err
	}
	p.next += len(rows)
	if p.next < len(r.Rows) {
		c.be.Send(&pgproto3.PortalSuspended{})
		p.suspended = true
		return nil
	}
	tag := r.Tag
	if p.suspended || p.complete {
		tag = retag(tag, len(rows))
	}
	c.sendCommandComplete(tag)
	p.complete = true
	return nil
}

// handleClose drops a statement or portal; a name that does not exist is
// not an error: CloseComplete.
func (c *conn) handleClose(m *pgproto3.Close) error {
	switch m.ObjectType {
	case 'S':
		delete(c.stmts, m.Name)
	case 'P':
		delete(c.portals, m.Name)
	default:
		return sqlerr.New(sqlerr.ProtocolViolation, "invalid CLOSE message subtype %d", m.ObjectType)
	}
	c.be.Send(&pgproto3.CloseComplete{})
	return nil
}

// handleSync ends an extended-protocol cycle, and any skipping after an
// error: ReadyForQuery.
func (c *conn) handleSync() bool {
	c.skipToSync = false
	return c.readyForQuery()
}
