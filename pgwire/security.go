package pgwire

import (
	"context"
	"crypto/tls"
	"time"
)

// AuthMethod is how clients authenticate, as a pg_hba.conf method.
type AuthMethod string

// The authentication methods.
const (
	// AuthTrust admits every client with the user name it gives.
	AuthTrust AuthMethod = "trust"
	// AuthSCRAM is SASL SCRAM-SHA-256.
	AuthSCRAM AuthMethod = "scram-sha-256"
	// AuthMD5 is the md5 challenge; a role whose secret is a SCRAM verifier
	// is asked for SCRAM-SHA-256 instead, as PostgreSQL does.
	AuthMD5 AuthMethod = "md5"
	// AuthPassword is the cleartext password (meant for TLS connections).
	AuthPassword AuthMethod = "password"
)

// DefaultAuthFailureDelay is the default Security.AuthFailureDelay.
const DefaultAuthFailureDelay = 500 * time.Millisecond

// RoleLookup finds the login roles clients authenticate as.
type RoleLookup interface {
	// LoginSecret returns the stored password secret of a role that may log
	// in (a SCRAM-SHA-256 verifier or an md5 hash, see package auth), and
	// false when there is no such role, it may not log in, or it has no
	// password.
	LoginSecret(ctx context.Context, user string) (secret string, ok bool)
}

// Security configures client authentication, TLS and connection limits.
type Security struct {
	// Auth is the authentication method; empty means AuthTrust. Any other
	// method needs Roles.
	Auth AuthMethod
	// Roles looks up the secrets of roles.
	Roles RoleLookup
	// AuthFailureDelay is how long after starting to authenticate a client
	// that failed hears 28P01, whether its user exists or not. Zero means
	// DefaultAuthFailureDelay; negative means none.
	AuthFailureDelay time.Duration

	// TLS, when set, makes the server answer SSLRequest with 'S' and
	// continue the startup over TLS with this configuration.
	TLS *tls.Config
	// RequireTLS refuses clients that start up in plain text (FATAL 28000).
	RequireTLS bool

	// MaxConnections bounds the client connections served at once; the
	// next one is refused with FATAL 53300. Zero means no limit.
	MaxConnections int
	// IdleInTransactionTimeout ends a session that stays idle inside a
	// transaction block for longer (FATAL 25P03), as PostgreSQL's
	// idle_in_transaction_session_timeout. Zero means none.
	IdleInTransactionTimeout time.Duration
}

func (s *Security) authFailureDelay() time.Duration {
	if s.AuthFailureDelay == 0 {
		return DefaultAuthFailureDelay
	}
	return max(s.AuthFailureDelay, 0)
}

// SuperuserLookup is an optional interface of RoleLookup: whether a role
// is a superuser, for the is_superuser parameter (psql's prompt shows #
// for one). Without it, and under trust, every user is reported as one.
type SuperuserLookup interface {
	IsSuperuser(ctx context.Context, user string) bool
}

// isSuperuser is the is_superuser parameter's value for user.
func (s *Server) isSuperuser(ctx context.Context, user string) string {
	switch s.Security.Auth {
	case AuthSCRAM, AuthMD5, AuthPassword:
		if l, ok := s.Security.Roles.(SuperuserLookup); ok && !l.IsSuperuser(ctx, user) {
			return "off"
		}
	}
	return "on"
}
