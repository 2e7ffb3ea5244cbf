package main

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/chronos-db/chronos/server"
)

// passwordEnv is the environment variable that may hold the superuser's
// password.
const passwordEnv = "CHRONOS_PASSWORD"

// securityFlags are the client security options of node and single-node.
type securityFlags struct {
	superuser    string
	password     string
	passwordFile string
	authMethod   string
	insecure     bool
	tlsCert      string
	tlsKey       string
	tlsRequired  bool
	maxConns     int
	secretFile   string
	idleTimeout  time.Duration
	maxMessage   int
	peerCA       string
}

func (f *securityFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.superuser, "superuser", server.DefaultSuperuser, "`NAME` of the superuser the password is for")
	fs.StringVar(&f.password, "password", "", "the superuser's `PASSWORD` (visible to other local users: prefer --password-file or "+passwordEnv+")")
	fs.StringVar(&f.passwordFile, "password-file", "", "read the superuser's password from the first line of `FILE`")
	fs.StringVar(&f.authMethod, "auth", "", "client authentication `METHOD`: scram-sha-256 (default with a password), md5, password or trust")
	fs.BoolVar(&f.insecure, "insecure", false, "allow trusting every client on an address that is not loopback")
	fs.StringVar(&f.tlsCert, "tls-cert", "", "PEM `FILE` of the certificate chain offered to clients (sslmode=require, verify-full)")
	fs.StringVar(&f.tlsKey, "tls-key", "", "PEM `FILE` of the key of --tls-cert")
	fs.BoolVar(&f.tlsRequired, "tls-required", false, "refuse clients that do not use TLS")
	fs.IntVar(&f.maxConns, "max-connections", 100, "most client connections at once (`N`; -1 for no limit)")
	fs.DurationVar(&f.idleTimeout, "idle-in-transaction-timeout", 0, "end sessions idle inside a transaction for longer than `DURATION` (0: never)")
	fs.IntVar(&f.maxMessage, "max-message-size", server.DefaultMaxMessageSize, "largest protocol message a client may send, in `BYTES`")
	registerClusterSecret(fs, &f.secretFile)
	fs.StringVar(&f.peerCA, "peer-ca", "", "PEM `FILE` of the CA of the cluster's members: peers then talk mutual TLS with --tls-cert")
}

// registerClusterSecret adds --cluster-secret-file.
func registerClusterSecret(fs *flag.FlagSet, file *string) {
	fs.StringVar(file, "cluster-secret-file", "", "read the secret every member of the cluster shares from the first line of `FILE` (or set "+clusterSecretEnv+")")
}

// clusterSecretEnv is the environment variable that may hold the cluster
// secret.
const clusterSecretEnv = "CHRONOS_CLUSTER_SECRET"

// clusterSecret reads the cluster secret from the file, else from the
// environment; empty means none.
func clusterSecret(file string, getenv func(string) string) (server.Secret, error) {
	if file == "" {
		return server.Secret(getenv(clusterSecretEnv)), nil
	}
	line, err := firstLine(file)
	if err != nil {
		return "", fmt.Errorf("--cluster-secret-file: %w", err)
	}
	return server.Secret(line), nil
}

// firstLine reads the first line of a secret file, which must not be empty.
func firstLine(file string) (string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(string(data), "\n")
	line = strings.TrimSuffix(line, "\r")
	if line == "" {
		return "", fmt.Errorf("%s holds nothing on its first line", file)
	}
	return line, nil
}

// config returns the server's security configuration; getenv reads the
// environment (os.Getenv).
func (f *securityFlags) config(getenv func(string) string) (server.Security, error) {
	s := server.Security{
		Superuser:      f.superuser,
		Auth:           f.authMethod,
		Insecure:       f.insecure,
		TLSCert:        f.tlsCert,
		TLSKey:         f.tlsKey,
		RequireTLS:     f.tlsRequired,
		MaxConnections: f.maxConns,

		IdleInTransactionTimeout: f.idleTimeout,
		MaxMessageSize:           f.maxMessage,
		PeerCA:                   f.peerCA,
	}
	if f.maxConns == 0 {
		return s, errors.New("--max-connections must be positive, or -1 for no limit")
	}
	switch {
	case f.password != "" && f.passwordFile != "":
		return s, errors.New("give the password with --password or --password-file, not both")
	case f.password != "":
		s.SuperuserPassword = server.Secret(f.password)
	case f.passwordFile != "":
		line, err := firstLine(f.passwordFile)
		if err != nil {
			return s, fmt.Errorf("--password-file: %w", err)
		}
		s.SuperuserPassword = server.Secret(line)
	default:
		s.SuperuserPassword = server.Secret(getenv(passwordEnv))
	}
	var err error
	s.ClusterSecret, err = clusterSecret(f.secretFile, getenv)
	return s, err
}

// shellAddress is what the embedded shell of single-node connects to: the
// bare address under trust, else a URL carrying the superuser's
// credentials.
func shellAddress(addr string, s server.Security) string {
	if s.SuperuserPassword == "" {
		return addr
	}
	u := url.URL{Scheme: "postgres", User: url.UserPassword(s.Superuser, string(s.SuperuserPassword)), Host: addr, Path: "/chronos"}
	return u.String()
}
