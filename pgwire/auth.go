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
// The methods are trust (below) and the password methods of
// auth_password.go (SCRAM-SHA-256, md5, cleartext), chosen by
// Server.Security.Auth. They read the client's 'p' messages themselves,
// under the startup deadline.
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
	switch m := s.Security.Auth; m {
	case AuthSCRAM, AuthMD5, AuthPassword:
		if s.Security.Roles != nil {
			return passwordAuth{method: m, roles: s.Security.Roles, delay: s.Security.authFailureDelay()}
		}
		return denyAuth{}
	}
	return trustAuth{}
}

// denyAuth refuses everyone: a password method without a role lookup is a
// configuration error, which must not fall back to trust.
type denyAuth struct{}

func (denyAuth) authenticate(ctx context.Context, c *conn, user, database string) error {
	return authFailed(user)
}
