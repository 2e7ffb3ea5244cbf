package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/chronos-db/chronos/engine"
	"github.com/chronos-db/chronos/engine/auth"
	"github.com/chronos-db/chronos/pgwire"
)

// Secret is a password in the configuration. It never prints: fmt and
// slog show it as [redacted].
type Secret string

// String implements fmt.Stringer.
func (Secret) String() string { return "[redacted]" }

// GoString implements fmt.GoStringer.
func (Secret) GoString() string { return "[redacted]" }

// LogValue implements slog.LogValuer.
func (Secret) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// DefaultMaxMessageSize is the default Security.MaxMessageSize: a
// statement or a row of COPY data may be this large (COPY streams many
// messages).
const DefaultMaxMessageSize = 64 << 20

// DefaultSuperuser is the name of the superuser a password is configured
// for when Config.Superuser is empty (the name the chronos shell uses).
const DefaultSuperuser = "chronos"

// Security is the client-facing security configuration of a node.
type Security struct {
	// Superuser is the name of the first superuser; default
	// DefaultSuperuser.
	Superuser string
	// SuperuserPassword is that superuser's password. When set, clients
	// must authenticate (Auth, default scram-sha-256); when empty the node
	// trusts every client, which a node whose address is not loopback
	// refuses unless Insecure is set.
	SuperuserPassword Secret
	// Auth is the password method: "scram-sha-256" (default), "md5" or
	// "password" (cleartext, for TLS connections). "trust" forces trust.
	Auth string
	// Insecure allows trust authentication on an address that is not
	// loopback.
	Insecure bool
	// TLSCert and TLSKey are PEM files of the certificate (chain) and key
	// clients see; when set, SSLRequest is answered 'S'.
	TLSCert, TLSKey string
	// RequireTLS refuses plain-text clients (FATAL 28000). Needs TLSCert.
	RequireTLS bool
	// MaxConnections bounds the client connections of the node (53300
	// beyond). Default 100, as PostgreSQL's max_connections; -1 means no
	// limit.
	MaxConnections int
	// AuthFailureDelay is how long a failed authentication waits before
	// its 28P01. Default 500ms.
	AuthFailureDelay time.Duration
	// IdleInTransactionTimeout ends sessions idle inside a transaction
	// block for longer (FATAL 25P03). Zero means none.
	IdleInTransactionTimeout time.Duration
	// MaxMessageSize is the largest protocol message a client may send, in
	// bytes. Default DefaultMaxMessageSize.
	MaxMessageSize int
	// PeerCA is a PEM file of the certificate authority of the cluster's
	// members. When set, gRPC between members is mutual TLS: each node
	// presents TLSCert (which needs the clientAuth and serverAuth
	// extended key usages and the node's host in its names) and accepts
	// only peers whose certificate PeerCA signed (peertls.go).
	PeerCA string
	// ClusterSecret, when set, is checked on every gRPC call between
	// members (peersecret.go); all members need the same one.
	ClusterSecret Secret
}

// validate checks the security configuration of a node listening on
// address and fills in defaults.
func (s *Security) validate(address string) error {
	if s.Superuser == "" {
		s.Superuser = DefaultSuperuser
	}
	switch pgwire.AuthMethod(s.Auth) {
	case "":
		if s.SuperuserPassword != "" {
			s.Auth = string(pgwire.AuthSCRAM)
		} else {
			s.Auth = string(pgwire.AuthTrust)
		}
	case pgwire.AuthTrust, pgwire.AuthSCRAM, pgwire.AuthMD5, pgwire.AuthPassword:
	default:
		return fmt.Errorf("server: unknown authentication method %q (want scram-sha-256, md5, password or trust)", s.Auth)
	}
	if s.Auth != string(pgwire.AuthTrust) && s.SuperuserPassword == "" {
		return fmt.Errorf("server: authentication method %s needs a superuser password", s.Auth)
	}
	if s.Auth == string(pgwire.AuthTrust) && !s.Insecure && !isLoopback(address) {
		return fmt.Errorf("server: refusing to trust every client on %s, which is not a loopback address: "+
			"anyone who can reach it could read and change all data; configure a superuser password "+
			"(--password-file or CHRONOS_PASSWORD) or, on a network you control, pass --insecure", address)
	}
	if (s.TLSCert == "") != (s.TLSKey == "") {
		return errors.New("server: a TLS certificate needs its key and a key its certificate")
	}
	if s.RequireTLS && s.TLSCert == "" {
		return errors.New("server: requiring TLS needs a certificate and key")
	}
	if s.ClusterSecret != "" && len(s.ClusterSecret) < minClusterSecret {
		return fmt.Errorf("server: the cluster secret must be at least %d bytes long", minClusterSecret)
	}
	if s.PeerCA != "" && s.TLSCert == "" {
		return errors.New("server: --peer-ca needs the node's certificate and key (--tls-cert, --tls-key)")
	}
	if s.MaxConnections == 0 {
		s.MaxConnections = 100
	}
	if s.MaxMessageSize <= 0 {
		s.MaxMessageSize = DefaultMaxMessageSize
	}
	if s.AuthFailureDelay == 0 {
		s.AuthFailureDelay = pgwire.DefaultAuthFailureDelay
	}
	return nil
}

// isLoopback reports whether a host:port listens on loopback only.
func isLoopback(address string) bool {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// wireSecurity builds pgwire's configuration: the TLS certificate, the
// bootstrap superuser's hashed password and the role lookup.
func (s *Security) wireSecurity(roles pgwire.RoleLookup) (pgwire.Security, error) {
	ws := pgwire.Security{
		Auth:             pgwire.AuthMethod(s.Auth),
		AuthFailureDelay: s.AuthFailureDelay,
		RequireTLS:       s.RequireTLS,
		MaxConnections:   max(s.MaxConnections, 0),

		IdleInTransactionTimeout: s.IdleInTransactionTimeout,
	}
	if s.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(s.TLSCert, s.TLSKey)
		if err != nil {
			return ws, fmt.Errorf("server: TLS certificate: %w", err)
		}
		ws.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	if ws.Auth != pgwire.AuthTrust {
		ws.Roles = roles
	}
	return ws, nil
}

// bootstrapRoles answers for the configured superuser, whose password is
// hashed at start and kept only hashed, unless the replicated catalog
// has a role of that name (ALTER ROLE ... PASSWORD changed it), and then
// for the roles of the replicated catalog.
type bootstrapRoles struct {
	name   string
	secret string
	stored pgwire.RoleLookup // the replicated roles; nil before they exist
	db     *engine.DB        // for IsSuperuser; nil in tests of the lookup alone
}

// newBootstrapRoles hashes the superuser's password: with md5 when md5 is
// the method (so that the md5 challenge can be answered), else SCRAM.
func newBootstrapRoles(s *Security, stored pgwire.RoleLookup) (*bootstrapRoles, error) {
	r := &bootstrapRoles{name: s.Superuser, stored: stored}
	if s.SuperuserPassword == "" {
		return r, nil
	}
	var err error
	r.secret, err = auth.HashPassword(s.Superuser, string(s.SuperuserPassword), s.Auth == string(pgwire.AuthMD5))
	if err != nil {
		return nil, err
	}
	return r, nil
}

// LoginSecret implements pgwire.RoleLookup.
func (r *bootstrapRoles) LoginSecret(ctx context.Context, user string) (string, bool) {
	if r.stored != nil {
		if s, ok := r.stored.LoginSecret(ctx, user); ok {
			return s, true
		}
	}
	if user == r.name && r.secret != "" {
		return r.secret, true
	}
	return "", false
}

// startSecurity prepares pgwire's security configuration for a node and
// warns when the node trusts every client.
func startSecurity(cfg *Config, db *engine.DB, log *slog.Logger) (pgwire.Security, error) {
	sec := &cfg.Security
	roles, err := newBootstrapRoles(sec, storedRoles{db})
	if err != nil {
		return pgwire.Security{}, err
	}
	roles.db = db
	ws, err := sec.wireSecurity(roles)
	if err != nil {
		return ws, err
	}
	if ws.Auth == pgwire.AuthTrust {
		log.Warn("no superuser password configured: every client is trusted with any user name; "+
			"set one with --password-file or CHRONOS_PASSWORD", "address", cfg.Address, "insecure", sec.Insecure)
	} else {
		log.Info("client authentication", "method", string(ws.Auth), "superuser", sec.Superuser,
			"tls", ws.TLS != nil, "tls_required", ws.RequireTLS)
	}
	return ws, nil
}

// engine is the engine's view of the configuration.
func (s *Security) engine() engine.Security {
	return engine.Security{
		Enforce:   s.Auth != string(pgwire.AuthTrust),
		Superuser: s.Superuser,
		MD5:       s.Auth == string(pgwire.AuthMD5),
	}
}

// storedRoles looks roles up in the node's replica of the role catalog.
type storedRoles struct{ db *engine.DB }

// LoginSecret implements pgwire.RoleLookup.
func (r storedRoles) LoginSecret(ctx context.Context, user string) (string, bool) {
	return r.db.LoginSecret(user)
}

// IsSuperuser implements pgwire.SuperuserLookup.
func (r *bootstrapRoles) IsSuperuser(ctx context.Context, user string) bool {
	if r.db == nil {
		return true
	}
	return r.db.IsSuperuser(user)
}
