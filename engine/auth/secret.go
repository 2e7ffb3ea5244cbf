package auth

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// DefaultIterations is PostgreSQL's scram_iterations default.
const DefaultIterations = 4096

// saltLen is the length of a generated SCRAM salt, as in PostgreSQL.
const saltLen = 16

// SCRAMSecret is a parsed SCRAM-SHA-256 verifier.
type SCRAMSecret struct {
	Iterations int
	Salt       []byte
	StoredKey  []byte // SHA-256(ClientKey)
	ServerKey  []byte // HMAC(SaltedPassword, "Server Key")
}

// String formats the verifier as PostgreSQL's pg_authid.rolpassword does.
func (s *SCRAMSecret) String() string {
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s",
		s.Iterations, b64(s.Salt), b64(s.StoredKey), b64(s.ServerKey))
}

// NewSCRAMSecret derives a verifier from a password, a salt and an
// iteration count.
func NewSCRAMSecret(password string, salt []byte, iterations int) (*SCRAMSecret, error) {
	salted, err := pbkdf2.Key(sha256.New, password, salt, iterations, sha256.Size)
	if err != nil {
		return nil, fmt.Errorf("auth: derive key: %w", err)
	}
	clientKey := hmacSHA256(salted, []byte("Client Key"))
	stored := sha256.Sum256(clientKey)
	return &SCRAMSecret{
		Iterations: iterations,
		Salt:       salt,
		StoredKey:  stored[:],
		ServerKey:  hmacSHA256(salted, []byte("Server Key")),
	}, nil
}

// HashSCRAM returns the SCRAM-SHA-256 verifier of password with a random
// salt, in pg_authid's text form.
func HashSCRAM(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	s, err := NewSCRAMSecret(password, salt, DefaultIterations)
	if err != nil {
		return "", err
	}
	return s.String(), nil
}

// HashMD5 returns PostgreSQL's md5 password hash: "md5" followed by the hex
// md5 of the password and the user name.
func HashMD5(user, password string) string {
	sum := md5.Sum([]byte(password + user))
	return "md5" + hex.EncodeToString(sum[:])
}

// IsSCRAM reports whether a stored secret is a SCRAM-SHA-256 verifier.
func IsSCRAM(secret string) bool { return strings.HasPrefix(secret, "SCRAM-SHA-256$") }

// IsMD5 reports whether a stored secret is an md5 hash.
func IsMD5(secret string) bool {
	if len(secret) != 35 || !strings.HasPrefix(secret, "md5") {
		return false
	}
	_, err := hex.DecodeString(secret[3:])
	return err == nil
}

// errBadSecret reports a stored secret in neither format.
var errBadSecret = errors.New("auth: malformed SCRAM-SHA-256 secret")

// ParseSCRAM parses a verifier in pg_authid's text form.
func ParseSCRAM(secret string) (*SCRAMSecret, error) {
	rest, ok := strings.CutPrefix(secret, "SCRAM-SHA-256$")
	if !ok {
		return nil, errBadSecret
	}
	params, keys, ok := strings.Cut(rest, "$")
	if !ok {
		return nil, errBadSecret
	}
	iter, salt, ok1 := strings.Cut(params, ":")
	stored, server, ok2 := strings.Cut(keys, ":")
	if !ok1 || !ok2 {
		return nil, errBadSecret
	}
	n, err := strconv.Atoi(iter)
	if err != nil || n <= 0 {
		return nil, errBadSecret
	}
	s := &SCRAMSecret{Iterations: n}
	dec := base64.StdEncoding.DecodeString
	if s.Salt, err = dec(salt); err != nil {
		return nil, errBadSecret
	}
	if s.StoredKey, err = dec(stored); err != nil || len(s.StoredKey) != sha256.Size {
		return nil, errBadSecret
	}
	if s.ServerKey, err = dec(server); err != nil || len(s.ServerKey) != sha256.Size {
		return nil, errBadSecret
	}
	return s, nil
}

// Verify reports whether password matches a stored secret (SCRAM verifier
// or md5 hash) of user. The comparison is in constant time.
func Verify(secret, user, password string) bool {
	switch {
	case IsSCRAM(secret):
		s, err := ParseSCRAM(secret)
		if err != nil {
			return false
		}
		got, err := NewSCRAMSecret(password, s.Salt, s.Iterations)
		if err != nil {
			return false
		}
		return subtle.ConstantTimeCompare(got.StoredKey, s.StoredKey) == 1 &&
			subtle.ConstantTimeCompare(got.ServerKey, s.ServerKey) == 1
	case IsMD5(secret):
		return subtle.ConstantTimeCompare([]byte(HashMD5(user, password)), []byte(secret)) == 1
	}
	return false
}

// HashPassword turns what a user gave in CREATE/ALTER ROLE ... PASSWORD
// into the secret to store: a password that already is a SCRAM verifier or
// an md5 hash is stored as it is (as PostgreSQL does, so that dumps
// restore); anything else is hashed with SCRAM-SHA-256, or with md5 when
// md5 is true (password_encryption = md5).
func HashPassword(user, password string, md5 bool) (string, error) {
	if IsMD5(password) {
		return password, nil
	}
	if IsSCRAM(password) {
		if _, err := ParseSCRAM(password); err == nil {
			return password, nil
		}
	}
	if md5 {
		return HashMD5(user, password), nil
	}
	return HashSCRAM(password)
}

func hmacSHA256(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)
}
