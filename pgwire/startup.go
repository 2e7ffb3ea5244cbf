package pgwire

import (
	"context"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/jackc/pgx/v5/pgproto3"
)

// startup runs the startup phase and reports whether a session was
// established. The phase is bounded by Server.StartupTimeout:
//
//  1. An SSLRequest is answered 'S' and followed by the TLS handshake when
//     Security.TLS is set (tls.go), else 'N'; a GSSENCRequest is answered
//     'N'. The client goes on with its real startup packet. Each may come
//     once. With Security.RequireTLS a plain-text StartupMessage is refused
//     (FATAL 28000).
//  2. A CancelRequest cancels the running statement of the session whose
//     process ID and secret key it carries (Server.cancel); the connection
//     then closes without a reply, as in PostgreSQL.
//  3. A StartupMessage: protocol 3.0 (a later 3.x minor version, or _pq_
//     options, are answered NegotiateProtocolVersion and served as 3.0);
//     user is required, database defaults to user.
//  4. Beyond Security.MaxConnections the client hears FATAL 53300;
//     otherwise authentication (auth.go) ends with AuthenticationOk.
//  5. The session gets its BackendKeyData key (Server.registerSession) and
//     the engine opens it; then ParameterStatus for every reported
//     parameter, BackendKeyData and ReadyForQuery.
func (c *conn) startup(ctx context.Context) bool {
	if d := c.srv.startupTimeout(); d > 0 {
		_ = c.nc.SetDeadline(time.Now().Add(d))
		defer c.nc.SetDeadline(time.Time{})
	}
	var sslDone, gssDone, encrypted bool
	for {
		code, body, err := readStartupPacket(c.rd)
		if err != nil {
			if !errors.Is(err, io.EOF) {
				c.logger.Debug("pgwire: bad startup packet; closing the connection", "err", err)
			}
			return false
		}
		switch code {
		case sslRequestCode, gssEncRequestCode:
			done := &sslDone
			if code == gssEncRequestCode {
				done = &gssDone
			}
			if len(body) != 0 || *done {
				c.sendFatal(protocolViolation("invalid encryption request"))
				return false
			}
			*done = true
			if code == sslRequestCode && c.srv.Security.TLS != nil {
				if !c.startTLS() {
					return false
				}
				encrypted = true
				continue
			}
			if _, err := c.nc.Write([]byte{'N'}); err != nil {
				return false
			}
		case cancelRequestCode:
			if len(body) >= 8 {
				c.srv.cancel(binary.BigEndian.Uint32(body), body[4:])
			}
			return false
		default:
			if c.srv.Security.RequireTLS && !encrypted && code>>16 == 3 {
				c.sendFatal(errTLSRequired)
				return false
			}
			return c.start(ctx, code, body)
		}
	}
}

// start handles the StartupMessage (steps 3 to 5 of startup).
func (c *conn) start(ctx context.Context, version uint32, body []byte) bool {
	major, minor := version>>16, version&0xffff
	if major != 3 {
		c.sendFatal(sqlerr.New(sqlerr.FeatureNotSupported,
			"unsupported frontend protocol %d.%d: server supports 3.0 to 3.0", major, minor))
		return false
	}
	params, err := parseStartupParams(body)
	if err != nil {
		c.sendFatal(sqlerr.As(err))
		return false
	}
	var unknown []string
	for name := range params {
		if strings.HasPrefix(name, "_pq_.") {
			unknown = append(unknown, name)
			delete(params, name)
		}
	}
	if minor != 0 || len(unknown) > 0 {
		slices.Sort(unknown)
		c.be.Send(&pgproto3.NegotiateProtocolVersion{NewestMinorProtocol: 0, UnrecognizedOptions: unknown})
	}
	user := params["user"]
	if user == "" {
		c.sendFatal(sqlerr.New(sqlerr.InvalidAuthorizationSpecification,
			"no PostgreSQL user name specified in startup packet"))
		return false
	}
	database := params["database"]
	if database == "" {
		database = user
	}

	if c.srv.tooManyConnections() {
		c.sendFatal(errTooManyConnections)
		return false
	}
	if err := c.srv.authenticator().authenticate(ctx, c, user, database); err != nil {
		if errors.Is(err, errAuthAborted) {
			return false
		}
		c.startupFatal(err)
		return false
	}
	if c.srv.Engine == nil {
		c.startupFatal(errors.New("pgwire: Server.Engine is not set"))
		return false
	}
	if err := c.srv.registerSession(c); err != nil {
		c.startupFatal(err)
		return false
	}
	if !c.startServing() {
		return false
	}
	c.logger = c.logger.With("pid", c.pid, "user", user)
	sess, err := c.srv.Engine.NewSession(ctx, StartupParams{
		User:      user,
		Database:  database,
		Options:   params,
		ProcessID: c.pid,
	})
	if err != nil {
		c.startupFatal(err)
		return false
	}
	c.sess = sess

	status := map[string]string{
		"application_name":            params["application_name"],
		"client_encoding":             "UTF8",
		"DateStyle":                   "ISO, MDY",
		"IntervalStyle":               "postgres",
		"integer_datetimes":           "on",
		"is_superuser":                c.srv.isSuperuser(ctx, user),
		"server_encoding":             "UTF8",
		"server_version":              c.srv.version(),
		"session_authorization":       user,
		"standard_conforming_strings": "on",
		"TimeZone":                    "UTC",
		"in_hot_standby":              "off",
	}
	// The engine may have applied startup options (TimeZone, DateStyle...).
	maps.Copy(status, sess.ChangedParameters())
	for _, name := range slices.Sorted(maps.Keys(status)) {
		c.be.Send(&pgproto3.ParameterStatus{Name: name, Value: status[name]})
	}
	c.be.Send(&pgproto3.BackendKeyData{ProcessID: c.pid, SecretKey: c.secret})
	c.be.Send(&pgproto3.ReadyForQuery{TxStatus: sess.TxStatus()})
	return c.flush() == nil
}

// startupFatal reports an error that ends the connection before a session
// exists.
func (c *conn) startupFatal(err error) {
	e, internal := toSQLError(err)
	if internal {
		c.logger.Error("pgwire: startup failed", "err", err)
	}
	c.sendFatal(e)
}

// cancel handles a CancelRequest: if a session has that process ID and
// secret key, its running statement is cancelled (the engine answers it
// with 57014). A wrong key or an idle session is ignored, as in
// PostgreSQL; the requester never learns which.
func (s *Server) cancel(pid uint32, key []byte) {
	c := s.sessionByKey(pid)
	if c == nil || subtle.ConstantTimeCompare(c.secret, key) != 1 {
		s.logger().Debug("pgwire: CancelRequest matches no session", "pid", pid)
		return
	}
	c.cancelStatement()
}
