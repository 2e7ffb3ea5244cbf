package pgwire

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chronos-db/chronos/engine/auth"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

// staticRoles maps user names to stored secrets.
type staticRoles map[string]string

func (r staticRoles) LoginSecret(ctx context.Context, user string) (string, bool) {
	s, ok := r[user]
	return s, ok
}

// testRoles has alice with a SCRAM verifier and bob with an md5 hash, both
// of password "pw-1".
func testRoles(t *testing.T) staticRoles {
	scram, err := auth.HashSCRAM("pw-1")
	if err != nil {
		t.Fatal(err)
	}
	return staticRoles{"alice": scram, "bob": auth.HashMD5("bob", "pw-1")}
}

// pgxConnect connects pgx with a connection string and returns the
// connection (closed at cleanup) or the error.
func pgxConnect(t *testing.T, connString string) (*pgx.Conn, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, connString)
	if err == nil {
		t.Cleanup(func() { conn.Close(context.Background()) })
	}
	return conn, err
}

// sqlState returns the SQLSTATE of a pgx error, or "".
func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func TestPasswordAuthPgx(t *testing.T) {
	const delay = 150 * time.Millisecond
	tests := []struct {
		method         AuthMethod
		user, password string
		want           string // "" for success, else the SQLSTATE
	}{
		{AuthSCRAM, "alice", "pw-1", ""},
		{AuthSCRAM, "alice", "pw-2", "28P01"},
		{AuthSCRAM, "carol", "pw-1", "28P01"},
		{AuthSCRAM, "bob", "pw-1", "28P01"}, // an md5 hash cannot answer SCRAM
		{AuthMD5, "bob", "pw-1", ""},
		{AuthMD5, "bob", "pw-2", "28P01"},
		{AuthMD5, "carol", "pw-1", "28P01"},
		{AuthMD5, "alice", "pw-1", ""}, // a SCRAM verifier is asked SCRAM
		{AuthMD5, "alice", "nope", "28P01"},
		{AuthPassword, "alice", "pw-1", ""},
		{AuthPassword, "bob", "pw-1", ""},
		{AuthPassword, "bob", "pw-2", "28P01"},
		{AuthPassword, "carol", "pw-1", "28P01"},
	}
	roles := testRoles(t)
	servers := map[AuthMethod]*testServer{}
	for _, m := range []AuthMethod{AuthSCRAM, AuthMD5, AuthPassword} {
		servers[m] = startServer(t, func(s *Server) {
			s.Security = Security{Auth: m, Roles: roles, AuthFailureDelay: delay}
		})
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s/%s", tt.method, tt.user, tt.password), func(t *testing.T) {
			ts := servers[tt.method]
			start := time.Now()
			conn, err := pgxConnect(t, fmt.Sprintf("postgres://%s:%s@%s/db?sslmode=disable", tt.user, tt.password, ts.addr))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("connect: %v", err)
				}
				var n int64
				if err := conn.QueryRow(context.Background(), "select 1").Scan(&n); err != nil || n != 1 {
					t.Errorf("select 1: %d %v", n, err)
				}
				return
			}
			if got := sqlState(err); got != tt.want {
				t.Fatalf("connect: %v (SQLSTATE %q), want %s", err, got, tt.want)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("password authentication failed for user \"%s\"", tt.user)) {
				t.Errorf("message: %v", err)
			}
			if d := time.Since(start); d < delay {
				t.Errorf("failure answered after %v, before the delay %v", d, delay)
			}
		})
	}
}

// TestAuthDenyWithoutRoles: a password method without a role lookup
// refuses everyone rather than trusting them.
func TestAuthDenyWithoutRoles(t *testing.T) {
	ts := startServer(t, func(s *Server) { s.Security.Auth = AuthSCRAM })
	_, err := pgxConnect(t, fmt.Sprintf("postgres://u:x@%s/db?sslmode=disable", ts.addr))
	if sqlState(err) != "28P01" {
		t.Fatalf("connect: %v, want 28P01", err)
	}
}

// TestAuthProtocol drives the SCRAM exchange by hand: a client that leaves
// mid-way is not an error, a wrong message type or mechanism is a protocol
// violation.
func TestAuthProtocol(t *testing.T) {
	ts := startServer(t, func(s *Server) {
		s.Security = Security{Auth: AuthSCRAM, Roles: testRoles(t), AuthFailureDelay: -1}
	})
	tests := []struct {
		name string
		send []byte
		want string // the SQLSTATE of the FATAL, "" when the server just closes
	}{
		{"leaves", nil, ""},
		{"query instead", encode(&pgproto3Query{"select 1"}), "08P01"},
		{"bad mechanism", encode(&saslInitial{"PLAIN", []byte("x")}), "08P01"},
		{"no gs2 header", encode(&saslInitial{auth.SCRAMMechanism, []byte("r=abc")}), "08P01"},
		{"channel binding", encode(&saslInitial{auth.SCRAMMechanism, []byte("p=tls-server-end-point,,n=,r=abc")}), "08P01"},
		{"huge", []byte{'p', 0x7f, 0, 0, 0}, "08P01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dialRaw(t, ts.addr)
			c.write(startupPacket(0x30000, "user", "alice"))
			if m := c.receive(); messageType(m) != "AuthenticationSASL" {
				t.Fatalf("got %s, want AuthenticationSASL", toJSON(m))
			}
			if tt.send == nil {
				c.nc.Close()
				return
			}
			c.write(tt.send)
			got := c.expectClosed()
			if len(got) == 0 || !strings.Contains(got[len(got)-1], tt.want) {
				t.Errorf("got %v, want a FATAL %s", got, tt.want)
			}
		})
	}
}

// pgproto3Query and saslInitial encode client messages that the
// pgproto3 types would refuse to encode or that need no session.
type pgproto3Query struct{ s string }

func (q *pgproto3Query) Encode(b []byte) ([]byte, error) {
	return append(raw('Q', append([]byte(q.s), 0)), b...), nil
}

type saslInitial struct {
	mech string
	data []byte
}

func (m *saslInitial) Encode(b []byte) ([]byte, error) {
	body := append([]byte(m.mech), 0)
	body = append(body, byte(len(m.data)>>24), byte(len(m.data)>>16), byte(len(m.data)>>8), byte(len(m.data)))
	body = append(body, m.data...)
	return append(b, raw('p', body)...), nil
}

// testPKI is a CA and a server certificate for 127.0.0.1 and localhost,
// written as PEM files in a temporary directory.
type testPKI struct {
	dir                       string
	caFile, certFile, keyFile string
	serverTLS                 *tls.Config
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	dir := t.TempDir()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "chronos test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	p := &testPKI{dir: dir,
		caFile:   filepath.Join(dir, "ca.crt"),
		certFile: filepath.Join(dir, "server.crt"),
		keyFile:  filepath.Join(dir, "server.key"),
	}
	write := func(file, typ string, der []byte) {
		if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(p.caFile, "CERTIFICATE", caDER)
	write(p.certFile, "CERTIFICATE", der)
	write(p.keyFile, "EC PRIVATE KEY", keyDER)
	cert, err := tls.LoadX509KeyPair(p.certFile, p.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	p.serverTLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	return p
}

func TestTLSPgx(t *testing.T) {
	pki := newTestPKI(t)
	offered := startServer(t, func(s *Server) {
		s.Security = Security{TLS: pki.serverTLS, Auth: AuthSCRAM, Roles: testRoles(t)}
	})
	required := startServer(t, func(s *Server) {
		s.Security = Security{TLS: pki.serverTLS, RequireTLS: true, Auth: AuthPassword, Roles: testRoles(t)}
	})
	plain := startServer(t)
	tests := []struct {
		name string
		addr string
		mode string
		want string // "" success, "28000"..., or "tls" for a client-side TLS refusal
	}{
		{"offered/disable", offered.addr, "sslmode=disable", ""},
		{"offered/require", offered.addr, "sslmode=require", ""},
		{"offered/verify-full", offered.addr, "sslmode=verify-full&sslrootcert=" + pki.caFile, ""},
		{"required/disable", required.addr, "sslmode=disable", "28000"},
		{"required/require", required.addr, "sslmode=require", ""},
		{"required/verify-full", required.addr, "sslmode=verify-full&sslrootcert=" + pki.caFile, ""},
		{"plain/require", plain.addr, "sslmode=require", "tls"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := pgxConnect(t, fmt.Sprintf("postgres://alice:pw-1@%s/db?%s", tt.addr, tt.mode))
			switch tt.want {
			case "":
				if err != nil {
					t.Fatalf("connect: %v", err)
				}
				if _, isTLS := conn.PgConn().Conn().(*tls.Conn); isTLS != (tt.mode != "sslmode=disable") {
					t.Errorf("TLS = %v with %s", isTLS, tt.mode)
				}
				var n int64
				if err := conn.QueryRow(context.Background(), "select 1").Scan(&n); err != nil || n != 1 {
					t.Errorf("select 1: %d %v", n, err)
				}
			case "tls":
				if err == nil || !strings.Contains(err.Error(), "refused TLS") {
					t.Errorf("connect: %v, want the server's refusal of TLS", err)
				}
			default:
				if got := sqlState(err); got != tt.want {
					t.Fatalf("connect: %v (SQLSTATE %q), want %s", err, got, tt.want)
				}
			}
		})
	}
	// verify-full against a host name the certificate does not name fails.
	_, port, _ := net.SplitHostPort(offered.addr)
	_, err := pgxConnect(t, fmt.Sprintf("postgres://alice:pw-1@127.0.0.2:%s/db?sslmode=verify-full&sslrootcert=%s", port, pki.caFile))
	if err == nil {
		t.Errorf("verify-full accepted a certificate for another host")
	}
}

// TestPsqlAuthTLS runs psql (when installed) against each method and TLS
// mode.
func TestPsqlAuthTLS(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql not installed")
	}
	pki := newTestPKI(t)
	roles := testRoles(t)
	servers := map[string]*testServer{}
	for _, m := range []AuthMethod{AuthSCRAM, AuthMD5, AuthPassword} {
		servers[string(m)] = startServer(t, func(s *Server) {
			s.Security = Security{Auth: m, Roles: roles, AuthFailureDelay: -1, TLS: pki.serverTLS}
		})
	}
	servers["required"] = startServer(t, func(s *Server) {
		s.Security = Security{Auth: AuthSCRAM, Roles: roles, AuthFailureDelay: -1, TLS: pki.serverTLS, RequireTLS: true}
	})
	tests := []struct {
		server, user, password, ssl string
		want                        string // a fragment of the output
	}{
		{"scram-sha-256", "alice", "pw-1", "disable", "ok"},
		{"scram-sha-256", "alice", "bad", "disable", `password authentication failed for user "alice"`},
		{"scram-sha-256", "nobody", "pw-1", "disable", `password authentication failed for user "nobody"`},
		{"md5", "bob", "pw-1", "disable", "ok"},
		{"md5", "bob", "bad", "disable", `password authentication failed for user "bob"`},
		{"md5", "nobody", "bad", "disable", `password authentication failed for user "nobody"`},
		{"password", "bob", "pw-1", "require", "ok"},
		{"password", "alice", "bad", "require", `password authentication failed for user "alice"`},
		{"password", "nobody", "bad", "require", `password authentication failed for user "nobody"`},
		{"required", "alice", "pw-1", "disable", "connection without SSL refused"},
		{"required", "alice", "pw-1", "require", "ok"},
		{"required", "alice", "pw-1", "verify-full", "ok"},
	}
	for _, tt := range tests {
		t.Run(strings.Join([]string{tt.server, tt.user, tt.password, tt.ssl}, "/"), func(t *testing.T) {
			host, port, _ := net.SplitHostPort(servers[tt.server].addr)
			if tt.ssl == "verify-full" {
				host = "localhost"
			}
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			cmd := exec.CommandContext(ctx, psql, "-X", "-w", "-A", "-t",
				fmt.Sprintf("host=%s port=%s user=%s dbname=db sslmode=%s sslrootcert=%s", host, port, tt.user, tt.ssl, pki.caFile),
				"-c", "select 'ok'")
			cmd.Env = append(os.Environ(), "PGPASSWORD="+tt.password, "PGSSLCERT=", "PGSSLKEY=", "PGSSLMODE=")
			out, _ := cmd.CombinedOutput()
			if !strings.Contains(string(out), tt.want) {
				t.Errorf("psql printed %q, want %q", out, tt.want)
			}
		})
	}
}

// TestMaxConnections: the connection beyond the limit hears 53300; once
// one closes, another gets in.
func TestMaxConnections(t *testing.T) {
	ts := startServer(t, func(s *Server) { s.Security.MaxConnections = 2 })
	url := fmt.Sprintf("postgres://u@%s/db?sslmode=disable", ts.addr)
	first, err := pgxConnect(t, url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pgxConnect(t, url); err != nil {
		t.Fatal(err)
	}
	_, err = pgxConnect(t, url)
	if sqlState(err) != "53300" || !strings.Contains(err.Error(), "too many clients") {
		t.Fatalf("third connection: %v, want 53300", err)
	}
	first.Close(context.Background())
	deadline := time.Now().Add(testTimeout)
	for {
		_, err := pgxConnect(t, url)
		if err == nil {
			break
		}
		if sqlState(err) != "53300" || time.Now().After(deadline) {
			t.Fatalf("after a close: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestIdleInTransactionTimeout: a session idle inside a block for longer
// than the timeout ends with FATAL 25P03; an idle session outside one
// does not.
func TestIdleInTransactionTimeout(t *testing.T) {
	ts := startServer(t, func(s *Server) { s.Security.IdleInTransactionTimeout = 100 * time.Millisecond })
	c := connectRaw(t, ts.addr)
	time.Sleep(250 * time.Millisecond)
	c.send(&pgproto3.Query{String: "select 1"})
	c.until("ReadyForQuery")
	c.send(&pgproto3.Query{String: "begin"})
	c.until("ReadyForQuery")
	got := c.expectClosed()
	if len(got) == 0 || !strings.Contains(got[len(got)-1], "25P03") {
		t.Fatalf("got %v, want FATAL 25P03", got)
	}
	if n := ts.eng.openSessions(); n != 0 {
		// The session is closed once the connection ends.
		time.Sleep(100 * time.Millisecond)
		if n = ts.eng.openSessions(); n != 0 {
			t.Errorf("%d sessions open after the timeout", n)
		}
	}
}

// TestTLSShutdown: a drain ends an idle TLS session as it ends a plain one,
// through the read deadline: the client gets FATAL 57P01 and Shutdown does
// not wait for it.
func TestTLSShutdown(t *testing.T) {
	pki := newTestPKI(t)
	ts := startServer(t, func(s *Server) {
		s.Security = Security{TLS: pki.serverTLS, RequireTLS: true, Auth: AuthSCRAM, Roles: testRoles(t)}
	})
	conn, err := pgxConnect(t, fmt.Sprintf("postgres://alice:pw-1@%s/db?sslmode=require", ts.addr))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	if _, isTLS := conn.PgConn().Conn().(*tls.Conn); !isTLS {
		t.Fatal("the session is not encrypted")
	}
	shutdownPromptly(t, ts.srv)
	_, err = conn.Exec(context.Background(), "select 1")
	if got := sqlState(err); got != "57P01" {
		t.Errorf("statement after Shutdown: %v (SQLSTATE %q), want 57P01", err, got)
	}
}
