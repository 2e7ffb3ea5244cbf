package pgwire

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/chronos-db/chronos/engine/auth"
	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/jackc/pgx/v5/pgproto3"
)

// maxAuthMessage bounds a client's password message, as PostgreSQL's
// PG_MAX_AUTH_TOKEN_LENGTH does.
const maxAuthMessage = 65535

// errAuthAborted ends a startup whose client left during authentication
// (psql does so to prompt for a password, then reconnects); nothing is
// reported or logged.
var errAuthAborted = errors.New("pgwire: client closed the connection during authentication")

// passwordAuth authenticates with a password: SCRAM-SHA-256, the md5
// challenge or cleartext, against the secrets of Security.Roles.
type passwordAuth struct {
	method AuthMethod
	roles  RoleLookup
	delay  time.Duration
}

// authFailed is PostgreSQL's answer to a wrong password or an unknown user.
func authFailed(user string) *sqlerr.Error {
	e := sqlerr.New(sqlerr.InvalidPassword, "password authentication failed for user \"%s\"", user)
	e.Severity = "FATAL"
	return e
}

func (a passwordAuth) authenticate(ctx context.Context, c *conn, user, database string) error {
	start := time.Now()
	secret, known := a.roles.LoginSecret(ctx, user)
	var ok bool
	var err error
	switch {
	case a.method == AuthPassword:
		ok, err = a.cleartext(c, user, secret, known)
	case a.method == AuthMD5 && !(known && auth.IsSCRAM(secret)):
		ok, err = a.md5(c, user, secret, known)
	default:
		ok, err = a.scram(c, user, secret, known)
	}
	if err != nil {
		return err
	}
	if !ok {
		c.logger.Info("pgwire: password authentication failed", "user", user, "method", string(a.method))
		// The same wait whether the user exists or not, and whatever the
		// method computed, so that timing tells nothing.
		if d := a.delay - time.Since(start); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
			}
		}
		return authFailed(user)
	}
	c.be.Send(&pgproto3.AuthenticationOk{})
	return nil
}

// cleartext asks for the password itself.
func (a passwordAuth) cleartext(c *conn, user, secret string, known bool) (bool, error) {
	c.be.Send(&pgproto3.AuthenticationCleartextPassword{})
	var m pgproto3.PasswordMessage
	if err := c.readAuthMessage(&m); err != nil {
		return false, err
	}
	if !known {
		// Hash anyway so that an unknown user costs what a known one does.
		secret, _ = auth.HashPassword(user, "mock", false)
	}
	return auth.Verify(secret, user, m.Password) && known, nil
}

// md5 sends the md5 challenge: the client answers
// "md5" + md5hex(md5hex(password + user) + salt).
func (a passwordAuth) md5(c *conn, user, secret string, known bool) (bool, error) {
	var salt [4]byte
	if _, err := io.ReadFull(randReader, salt[:]); err != nil {
		return false, err
	}
	c.be.Send(&pgproto3.AuthenticationMD5Password{Salt: salt})
	var m pgproto3.PasswordMessage
	if err := c.readAuthMessage(&m); err != nil {
		return false, err
	}
	if !known || !auth.IsMD5(secret) {
		return false, nil
	}
	// The stored hash is md5hex(password + user) behind "md5": salting it
	// again gives what the client must have sent.
	want := auth.HashMD5(string(salt[:]), secret[3:])
	return constantTimeEqual(want, m.Password), nil
}

// scram runs a SCRAM-SHA-256 exchange; an unknown user, or one without a
// SCRAM verifier, runs it against a mock secret and fails at the end.
func (a passwordAuth) scram(c *conn, user, secret string, known bool) (bool, error) {
	var s *auth.SCRAMSecret
	if known {
		s, _ = auth.ParseSCRAM(secret) // nil for an md5 hash: mock exchange
	}
	srv := auth.NewSCRAMServer(user, s)
	c.be.Send(&pgproto3.AuthenticationSASL{AuthMechanisms: []string{auth.SCRAMMechanism}})
	var first pgproto3.SASLInitialResponse
	if err := c.readAuthMessage(&first); err != nil {
		return false, err
	}
	if first.AuthMechanism != auth.SCRAMMechanism {
		return false, protocolViolation("client selected an invalid SASL authentication mechanism")
	}
	serverFirst, err := srv.First(first.Data)
	if err != nil {
		return false, scramViolation(err)
	}
	c.be.Send(&pgproto3.AuthenticationSASLContinue{Data: serverFirst})
	var final pgproto3.SASLResponse
	if err := c.readAuthMessage(&final); err != nil {
		return false, err
	}
	serverFinal, ok, err := srv.Final(final.Data)
	if err != nil {
		return false, scramViolation(err)
	}
	if ok {
		c.be.Send(&pgproto3.AuthenticationSASLFinal{Data: serverFinal})
	}
	return ok, nil
}

func scramViolation(err error) error {
	return protocolViolation("malformed SCRAM message: %v", errors.Unwrap(err))
}

// readAuthMessage flushes what was sent and reads the client's answer: a
// 'p' message (PasswordMessage, SASLInitialResponse or SASLResponse share
// the type byte) of at most maxAuthMessage bytes, decoded into m.
func (c *conn) readAuthMessage(m pgproto3.FrontendMessage) error {
	if err := c.flush(); err != nil {
		return errAuthAborted
	}
	body, err := readPasswordFrame(c.rd)
	if err != nil {
		if sqlerr.As(err) != nil {
			return err
		}
		return errAuthAborted
	}
	if err := m.Decode(body); err != nil {
		return protocolViolation("invalid password packet: %v", err)
	}
	return nil
}

// readPasswordFrame reads one 'p' message and returns its body. A client
// that closes the connection gives io.EOF; any other type or a bad length
// is a protocol violation.
func readPasswordFrame(r *bufio.Reader) ([]byte, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	if hdr[0] != 'p' {
		if hdr[0] == 'X' {
			return nil, io.EOF
		}
		return nil, protocolViolation("expected password response, got message type %d", hdr[0])
	}
	n := int64(int32(binary.BigEndian.Uint32(hdr[1:]))) - 4
	if n < 0 || n > maxAuthMessage {
		return nil, protocolViolation("invalid password packet size %d", n+4)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, noEOF(err)
	}
	return body, nil
}

// validAuth checks the method against the configuration.
func (s *Security) validAuth() error {
	switch s.Auth {
	case "", AuthTrust:
		return nil
	case AuthSCRAM, AuthMD5, AuthPassword:
		if s.Roles == nil {
			return fmt.Errorf("pgwire: authentication method %s needs Security.Roles", s.Auth)
		}
		return nil
	}
	return fmt.Errorf("pgwire: unknown authentication method %q", s.Auth)
}

var randReader = rand.Reader

func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
