package server

import (
	"context"

	"github.com/chronos-db/chronos/engine"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/chronos-db/chronos/pgwire"
)

// wireEngine adapts engine.DB to the interface pgwire declares, so that the
// engine never depends on the wire protocol.
type wireEngine struct {
	db *engine.DB
}

var (
	_ pgwire.Engine    = wireEngine{}
	_ pgwire.Session   = wireSession{}
	_ pgwire.Statement = wireStatement{}
)

// NewSession implements pgwire.Engine.
func (e wireEngine) NewSession(ctx context.Context, p pgwire.StartupParams) (pgwire.Session, error) {
	s, err := e.db.NewSession(engine.SessionOptions{
		User:      p.User,
		Database:  p.Database,
		Params:    p.Options,
		ProcessID: p.ProcessID,
		Copy:      true,
	})
	if err != nil {
		return nil, err
	}
	return wireSession{s}, nil
}

// wireSession adapts engine.Session to pgwire.Session.
type wireSession struct {
	*engine.Session
}

// Query implements pgwire.Session.
func (s wireSession) Query(ctx context.Context, query string, emit func(pgwire.Result) error) error {
	return s.Session.Query(ctx, query, func(r engine.Result) error {
		return emit(wireResult(r))
	})
}

// Prepare implements pgwire.Session.
func (s wireSession) Prepare(ctx context.Context, query string, paramTypes []types.OID) (pgwire.Statement, error) {
	st, err := s.Session.Prepare(ctx, query, paramTypes)
	if err != nil {
		return nil, err
	}
	return wireStatement{st}, nil
}

// wireStatement adapts engine.Statement to pgwire.Statement.
type wireStatement struct {
	*engine.Statement
}

// Columns implements pgwire.Statement.
func (st wireStatement) Columns() []pgwire.Column {
	return wireColumns(st.Statement.Columns())
}

// Execute implements pgwire.Statement.
func (st wireStatement) Execute(ctx context.Context, params []types.Value) (pgwire.Result, error) {
	r, err := st.Statement.Execute(ctx, params)
	if err != nil {
		return pgwire.Result{}, err
	}
	return wireResult(r), nil
}

func wireResult(r engine.Result) pgwire.Result {
	return pgwire.Result{
		Columns: wireColumns(r.Columns),
		Rows:    r.Rows,
		Tag:     r.Tag,
		Empty:   r.Empty,
		Notices: r.Notices,
		CopyIn:  wireCopyIn(r.CopyIn),
		CopyOut: wireCopyOut(r.CopyOut),
	}
}

// wireCopyIn adapts engine.CopyIn to pgwire.CopyIn.
func wireCopyIn(c *engine.CopyIn) pgwire.CopyIn {
	if c == nil {
		return nil
	}
	return copyIn{c}
}

type copyIn struct{ *engine.CopyIn }

// Done implements pgwire.CopyIn.
func (c copyIn) Done() (pgwire.Result, error) {
	r, err := c.CopyIn.Done()
	if err != nil {
		return pgwire.Result{}, err
	}
	return wireResult(r), nil
}

func wireCopyOut(c *engine.CopyOut) *pgwire.CopyOut {
	if c == nil {
		return nil
	}
	return &pgwire.CopyOut{Binary: c.Binary, Columns: c.Columns, Rows: c.Rows, Types: c.Types, Values: c.Values}
}

func wireColumns(cols []engine.Column) []pgwire.Column {
	if cols == nil {
		return nil
	}
	out := make([]pgwire.Column, len(cols))
	for i, c := range cols {
		out[i] = pgwire.Column{Name: c.Name, TableOID: c.TableOID, AttrNum: c.AttrNum, Type: c.Type}
	}
	return out
}
