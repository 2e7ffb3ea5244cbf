package pgwire

import (
	"context"

	"github.com/jackc/pgx/v5/pgproto3"
)

// authenticator verifies a client's identity during startup, after the
// StartupMessage and before the session opens. It ends by sending
// AuthenticationOk, or returns an error (28000, 28P01) that the connection
// reports as FATAL.
//
// Only trust exists so far. SCRAM-SHA-256 fits here as another
// authenticator chosen by Server.authenticator from a new Server field (a
// credential lookup): it sends AuthenticationSASL{"SCRAM-SHA-256"}, calls
// c.be.SetAuthType, reads the client's 'p' messages (SASLInitialResponse,
// SASLResponse; frame.go would accept that type during authentication
// only, still under the startup deadline), answers
// AuthenticationSASLContinue and AuthenticationSASLFinal, and ends with
// AuthenticationOk.
type authenticator interface {
	authenticate(ctx context.Context, c *conn, user, database string) error
}

// trustAuth admits every user, like pg_hba.conf's trust method.
type trustAuth struct{}

func (trustAuth) authenticate(ctx context.Context, c *conn, user, database string) error {
	c.be.Send(&pgproto3.AuthenticationOk{})
	return nil
}

// authenticator returns the method clients authenticate with.
func (s *Server) authenticator() authenticator {
	return trustAuth{}
}
