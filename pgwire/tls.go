package pgwire

import (
	"bufio"
	"crypto/tls"
	"time"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/jackc/pgx/v5/pgproto3"
)

// Errors of the security checks of startup, worded as PostgreSQL's.
var (
	// errTLSRequired refuses a plain-text startup when TLS is mandatory.
	errTLSRequired = &sqlerr.Error{Code: sqlerr.InvalidAuthorizationSpecification, Severity: "FATAL",
		Message: "connection without SSL refused: this server accepts only SSL connections",
		Hint:    "Connect with sslmode=require (or verify-ca, verify-full)."}
	// errTooManyConnections refuses a connection beyond MaxConnections.
	errTooManyConnections = &sqlerr.Error{Code: sqlerr.TooManyConnections, Severity: "FATAL",
		Message: "sorry, too many clients already"}
)

// startTLS answers an SSLRequest with 'S' and runs the TLS handshake; the
// rest of the connection (startup included) is read and written through
// TLS. The raw connection stays c.nc, for deadlines and Close. It reports
// false when the connection is finished.
func (c *conn) startTLS() bool {
	// Bytes the client sent after the SSLRequest, before it could have read
	// the 'S', would be taken as if they had come over TLS (CVE-2021-23214).
	if c.rd.Buffered() != 0 {
		c.sendFatal(protocolViolation("received unencrypted data after SSL request"))
		return false
	}
	if _, err := c.nc.Write([]byte{'S'}); err != nil {
		return false
	}
	tc := tls.Server(c.nc, c.srv.Security.TLS)
	if err := tc.Handshake(); err != nil {
		c.logger.Debug("pgwire: TLS handshake failed", "err", err)
		return false
	}
	c.rd = bufio.NewReaderSize(tc, 16<<10)
	c.be = pgproto3.NewBackend(errNoReads{}, tc)
	return true
}

// tooManyConnections reports whether more connections are open than
// Security.MaxConnections allows (the caller's is counted).
func (s *Server) tooManyConnections() bool {
	if s.Security.MaxConnections <= 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.mu.conns) > s.Security.MaxConnections
}

// errIdleInTransaction ends a session idle in a transaction block for
// longer than Security.IdleInTransactionTimeout.
var errIdleInTransaction = &sqlerr.Error{Code: codeIdleInTransactionTimeout, Severity: "FATAL",
	Message: "terminating connection due to idle-in-transaction timeout"}

// codeIdleInTransactionTimeout is SQLSTATE 25P03, which the shared
// catalogue lacks.
const codeIdleInTransactionTimeout sqlerr.Code = "25P03"

// idleTimeout returns how long the session may wait for the client's next
// message: Security.IdleInTransactionTimeout inside a transaction block,
// 0 (no limit) outside one or without a timeout.
func (c *conn) idleTimeout() time.Duration {
	d := c.srv.Security.IdleInTransactionTimeout
	if d <= 0 || c.sess == nil || c.sess.TxStatus() == 'I' {
		return 0
	}
	return d
}
