package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// SCRAMMechanism is the SASL mechanism name the server offers.
const SCRAMMechanism = "SCRAM-SHA-256"

// ErrMalformed reports a SCRAM message that breaks RFC 5802's syntax; the
// connection should end with a protocol violation.
var ErrMalformed = errors.New("malformed SCRAM message")

// SCRAMServer runs the server side of one SCRAM-SHA-256 exchange (RFC 5802,
// RFC 7677) without channel binding, as PostgreSQL does for
// SCRAM-SHA-256 (not SCRAM-SHA-256-PLUS):
//
//	client-first:  n,,n=<ignored>,r=<client nonce>
//	server-first:  r=<client nonce><server nonce>,s=<salt>,i=<iterations>
//	client-final:  c=biws,r=<nonce>,p=<proof>
//	server-final:  v=<server signature>
//
// A role that does not exist (or has no SCRAM secret) runs the same
// exchange against a mock secret whose salt is derived from the user name,
// so that a client cannot tell unknown users from wrong passwords; it
// always fails at the end.
type SCRAMServer struct {
	secret          *SCRAMSecret
	mock            bool
	clientFirstBare string
	serverFirst     string
	nonce           string
	channelFlag     string
}

// mockKey salts the mock secrets of one process.
var mockKey = func() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return b
}()

// NewSCRAMServer starts an exchange for user against secret, or against a
// mock secret when secret is nil.
func NewSCRAMServer(user string, secret *SCRAMSecret) *SCRAMServer {
	if secret != nil {
		return &SCRAMServer{secret: secret}
	}
	salt := hmacSHA256(mockKey, []byte(user))[:saltLen]
	key := hmacSHA256(mockKey, []byte("key:"+user))
	return &SCRAMServer{mock: true, secret: &SCRAMSecret{
		Iterations: DefaultIterations, Salt: salt, StoredKey: key, ServerKey: key,
	}}
}

// First takes the client-first message and returns the server-first one.
func (s *SCRAMServer) First(clientFirst []byte) ([]byte, error) {
	msg := string(clientFirst)
	// gs2-header: channel-binding flag, authzid, then the bare message.
	flag, rest, ok := strings.Cut(msg, ",")
	if !ok {
		return nil, fmt.Errorf("%w: no GS2 header", ErrMalformed)
	}
	switch {
	case flag == "n", flag == "y":
	case strings.HasPrefix(flag, "p="):
		return nil, fmt.Errorf("%w: channel binding is not supported", ErrMalformed)
	default:
		return nil, fmt.Errorf("%w: unexpected channel-binding flag %q", ErrMalformed, flag)
	}
	authzid, bare, ok := strings.Cut(rest, ",")
	if !ok {
		return nil, fmt.Errorf("%w: no GS2 header", ErrMalformed)
	}
	if authzid != "" {
		return nil, fmt.Errorf("%w: authorization identities are not supported", ErrMalformed)
	}
	attrs, err := parseAttrs(bare)
	if err != nil {
		return nil, err
	}
	if len(attrs) < 2 || attrs[0].key != 'n' || attrs[1].key != 'r' || attrs[1].value == "" {
		return nil, fmt.Errorf("%w: client-first message needs n= and r=", ErrMalformed)
	}
	if strings.HasPrefix(bare, "m=") {
		return nil, fmt.Errorf("%w: mandatory extensions are not supported", ErrMalformed)
	}
	nonce := make([]byte, 18)
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("auth: nonce: %w", err)
	}
	s.channelFlag = flag
	s.clientFirstBare = bare
	s.nonce = attrs[1].value + base64.StdEncoding.EncodeToString(nonce)
	s.serverFirst = fmt.Sprintf("r=%s,s=%s,i=%d", s.nonce,
		base64.StdEncoding.EncodeToString(s.secret.Salt), s.secret.Iterations)
	return []byte(s.serverFirst), nil
}

// Final takes the client-final message. It returns the server-final
// message and true when the client proved it knows the password, false
// (and no message) when it did not; an error is a malformed message.
func (s *SCRAMServer) Final(clientFinal []byte) ([]byte, bool, error) {
	if s.serverFirst == "" {
		return nil, false, fmt.Errorf("%w: client-final before client-first", ErrMalformed)
	}
	msg := string(clientFinal)
	i := strings.LastIndex(msg, ",p=")
	if i < 0 {
		return nil, false, fmt.Errorf("%w: no proof", ErrMalformed)
	}
	withoutProof := msg[:i]
	attrs, err := parseAttrs(withoutProof)
	if err != nil {
		return nil, false, err
	}
	if len(attrs) < 2 || attrs[0].key != 'c' || attrs[1].key != 'r' {
		return nil, false, fmt.Errorf("%w: client-final message needs c= and r=", ErrMalformed)
	}
	cb, err := base64.StdEncoding.DecodeString(attrs[0].value)
	if err != nil || string(cb) != s.channelFlag+",," {
		return nil, false, fmt.Errorf("%w: unexpected channel binding", ErrMalformed)
	}
	if attrs[1].value != s.nonce {
		return nil, false, fmt.Errorf("%w: nonce does not match", ErrMalformed)
	}
	proof, err := base64.StdEncoding.DecodeString(msg[i+3:])
	if err != nil || len(proof) != sha256.Size {
		return nil, false, fmt.Errorf("%w: malformed proof", ErrMalformed)
	}
	authMessage := []byte(s.clientFirstBare + "," + s.serverFirst + "," + withoutProof)
	signature := hmacSHA256(s.secret.StoredKey, authMessage)
	clientKey := make([]byte, sha256.Size)
	for j := range clientKey {
		clientKey[j] = proof[j] ^ signature[j]
	}
	got := sha256.Sum256(clientKey)
	if subtle.ConstantTimeCompare(got[:], s.secret.StoredKey) != 1 || s.mock {
		return nil, false, nil
	}
	serverSig := hmac.New(sha256.New, s.secret.ServerKey)
	serverSig.Write(authMessage)
	return []byte("v=" + base64.StdEncoding.EncodeToString(serverSig.Sum(nil))), true, nil
}

type attr struct {
	key   byte
	value string
}

// parseAttrs splits "a=x,b=y" into attributes.
func parseAttrs(s string) ([]attr, error) {
	var out []attr
	for _, part := range strings.Split(s, ",") {
		if len(part) < 2 || part[1] != '=' || part[0] < 'A' || part[0] > 'z' {
			return nil, fmt.Errorf("%w: bad attribute %q", ErrMalformed, part)
		}
		out = append(out, attr{key: part[0], value: part[2:]})
	}
	return out, nil
}
