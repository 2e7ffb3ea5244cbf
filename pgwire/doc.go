// Package pgwire serves the PostgreSQL v3 frontend/backend protocol, so that
// psql, pgx, libpq programs and pgbench talk to Chronos. It knows messages,
// formats and SQLSTATEs, not SQL: every statement goes to a Session of the
// Engine interface (session.go), which the server package implements over
// the engine. Messages are pgx's pgproto3 types; replies go through a
// pgproto3.Backend. The protocol is described in PostgreSQL's documentation,
// chapter "Frontend/Backend Protocol", section "Message Flow".
//
// # Layers and files
//
//	server.go    Server: configuration, Serve (accept loop), ServeConn (one
//	             connection, also the entry from the port multiplexer), the
//	             session map keyed by BackendKeyData, Shutdown
//	startup.go   the startup phase, SSLRequest/GSSENCRequest, CancelRequest
//	auth.go      choosing the authentication method; trust
//	auth_password.go
//	             SCRAM-SHA-256, md5 and cleartext password exchanges
//	security.go  Security: methods, RoleLookup, TLS, limits
//	tls.go       SSLRequest answered 'S' and the handshake, the connection
//	             limit (53300), the idle-in-transaction timeout (25P03)
//	conn.go      one connection: serve loop, the message switch,
//	             statement contexts (cancel, drain), panic recovery
//	reader.go    waiting for the next message: drain and idle timeout
//	frame.go     reading frames: length limits, decoding into pgproto3 types
//	query.go     the simple protocol (Query) and ReadyForQuery
//	extended.go  the extended protocol: statements, portals, skip-to-Sync
//	result.go    results to RowDescription, DataRow, CommandComplete
//	types.go     binary formats of the types; parameter decoding
//	errors.go    any error to ErrorResponse fields; pgwire's own errors
//	session.go   the interface pgwire needs from the engine
//
// # Message flow
//
// A connection goes through these phases; each is one goroutine's work
// (ServeConn's) except where noted.
//
//  1. Encryption (startup.go). A client may first send SSLRequest or
//     GSSENCRequest; each is answered with the single byte 'N' (no TLS or
//     GSS encryption yet) and the client continues in plain text on the
//     same connection with its real startup packet.
//
//  2. Cancel (startup.go). A CancelRequest arrives on its own new
//     connection instead of a StartupMessage. It carries the process ID and
//     secret key the target session received in BackendKeyData; when both
//     match a session in the server's map, that session's running statement
//     has its context cancelled (Execute or Query then fail with 57014).
//     The cancel connection is closed without any reply.
//
//  3. Startup (startup.go, auth.go). StartupMessage: protocol 3.0, user
//     required, database defaulting to user. Beyond
//     Security.MaxConnections the client hears 53300. Authentication is
//     trust, or a password exchange (SCRAM-SHA-256, md5, cleartext) against
//     Security.Roles that ends in AuthenticationOk or, after
//     Security.AuthFailureDelay whether the user exists or not, FATAL 28P01. The session gets a random process ID and
//     secret key, the Engine opens its Session, and the server reports
//     ParameterStatus for server_version (Server.Version; psql picks its
//     catalog queries by it), server_encoding and client_encoding (UTF8),
//     DateStyle (ISO, MDY), IntervalStyle, TimeZone (UTC),
//     integer_datetimes, standard_conforming_strings (on: pgx needs it),
//     application_name (the client's), is_superuser,
//     session_authorization and in_hot_standby; then BackendKeyData and
//     ReadyForQuery('I'). All of it is bounded by Server.StartupTimeout.
//
//  4. Simple query (query.go). Query carries a string of one or more
//     statements. For each, in order: its notices (NoticeResponse), then
//     RowDescription, DataRow... and CommandComplete, or
//     EmptyQueryResponse for an empty string. The first error ends the
//     string with ErrorResponse. Then ParameterStatus for run-time
//     parameters the statements changed (SET), and one ReadyForQuery with
//     the transaction status: 'I' idle, 'T' in a transaction block, 'E' in
//     a failed one. Values are in text format.
//
//  5. Extended query (extended.go). Parse → ParseComplete makes a prepared
//     statement (named, or the unnamed one that the next Parse replaces).
//     Bind → BindComplete makes a portal: the statement with decoded
//     parameters (text or binary per parameter, types.go) and result
//     formats. Describe answers ParameterDescription plus RowDescription or
//     NoData for a statement, RowDescription or NoData for a portal.
//     Execute runs the portal at its first Execute and sends up to its row
//     limit of rows: PortalSuspended when rows remain (a later Execute
//     continues), else CommandComplete. Close → CloseComplete. Sync ends
//     the cycle: ParameterStatus for changes, ReadyForQuery. Flush writes
//     out pending replies. Replies are buffered until Sync or Flush (or 64
//     KiB of rows), as PostgreSQL buffers them.
//
//  6. Errors (errors.go, conn.go). Every error becomes one ErrorResponse
//     with its SQLSTATE from engine/sqlerr; an error without one is
//     XX000 and logged. After an error in the extended protocol, every
//     message up to the next Sync is discarded, so that a pipelined batch
//     stops at its first failure; Sync then answers ReadyForQuery. An
//     error pgwire raises itself (a Bind parameter that does not parse)
//     fails an open transaction block through the Session's optional
//     TxAborter, as any error does in PostgreSQL.
//
//  7. COPY (copy.go). A Result with a CopyIn switches to copy-in mode
//     (CopyInResponse, then CopyData until CopyDone or CopyFail; binary
//     data is decoded here, text and CSV by the engine); a Result with a
//     CopyOut is sent as CopyOutResponse, CopyData and CopyDone. Both run
//     in the simple and the extended protocol. CopyData, CopyDone and
//     CopyFail outside COPY are ignored, as PostgreSQL ignores them (they
//     are what is left of a copy that failed).
//
//  8. End (conn.go). Terminate, or the client closing the connection, ends
//     the session; the engine Session is closed (rolling back an open
//     transaction). Protocol violations (an unknown message type, a length
//     over Server.MaxMessageSize or negative) get FATAL 08P01; a panic in a
//     handler gets FATAL XX000 with its stack logged; Shutdown sends FATAL
//     57P01. Each closes that connection only.
//
// # Goroutines
//
// Each connection has one goroutine. It owns the socket, the Session, and
// the statement and portal maps, and reads the client's next message
// itself between statements, as PostgreSQL's backend does: a statement
// costs no hand-over between goroutines, and messages that arrived
// together (Bind, Execute and Sync) come from one read. A drain (Shutdown)
// ends a wait for the client by moving the socket's read deadline into the
// past; the idle-in-transaction timeout is a read deadline too (reader.go).
// Frames are read by frame.go rather than by pgproto3.Backend.Receive,
// whose messages are only valid until the next read and which reserves a
// body's claimed length before reading it. The only ways into a connection from outside are
// drain (Shutdown, or ServeConn's context ending) and cancelStatement
// (CancelRequest); both act on the context of the running statement, which
// is registered under the connection's mutex.
package pgwire
