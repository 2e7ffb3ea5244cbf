package server

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// Mutual TLS between members (--peer-ca): the gRPC service on the shared
// port takes TLS connections (the port multiplexer routes a TLS
// ClientHello to it, see isTLSHello), requires a client certificate
// signed by the peer CA, and every connection a node opens to a peer
// presents its own certificate and verifies the peer's against the same
// CA and the address it dials.

// isTLSHello reports whether a connection's first bytes are a TLS
// handshake record (a ClientHello). PostgreSQL clients start with an
// SSLRequest instead, so on the shared port this is a peer.
func isTLSHello(first []byte) bool {
	return len(first) >= 3 && first[0] == 0x16 && first[1] == 0x03 && first[2] <= 0x04
}

// PeerTLS holds the files of a member's peer TLS configuration.
type PeerTLS struct {
	CA, Cert, Key string
}

// configs loads the files and returns the server and client TLS
// configurations of peer connections.
func (p PeerTLS) configs() (server, client *tls.Config, err error) {
	pem, err := os.ReadFile(p.CA)
	if err != nil {
		return nil, nil, fmt.Errorf("server: peer CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, nil, fmt.Errorf("server: peer CA: no certificate in %s", p.CA)
	}
	cert, err := tls.LoadX509KeyPair(p.Cert, p.Key)
	if err != nil {
		return nil, nil, fmt.Errorf("server: peer certificate: %w", err)
	}
	server = &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientCAs:    pool,
		ClientAuth:   tls.RequireAndVerifyClientCert,
		MinVersion:   tls.VersionTLS12,
	}
	client = &tls.Config{
		Certificates: []tls.Certificate{cert},
		RootCAs:      pool,
		MinVersion:   tls.VersionTLS12,
	}
	return server, client, nil
}

// peerOptions returns the gRPC server and dial options of a node's peer
// security: mutual TLS when PeerCA is set, and the cluster secret when
// set (both may be).
func (s *Security) peerOptions() ([]grpc.ServerOption, []grpc.DialOption, error) {
	srv := peerServerOptions(s.ClusterSecret)
	dial := peerDialOptions(s.ClusterSecret)
	if s.PeerCA != "" {
		sc, cc, err := PeerTLS{CA: s.PeerCA, Cert: s.TLSCert, Key: s.TLSKey}.configs()
		if err != nil {
			return nil, nil, err
		}
		srv = append(srv, grpc.Creds(credentials.NewTLS(sc)))
		dial = append(dial, grpc.WithTransportCredentials(credentials.NewTLS(cc)))
	}
	return srv, dial, nil
}

// PeerDialOptions are the options `chronos node remove` dials a member
// with: the cluster secret and, with a CA, the client certificate.
func PeerDialOptions(secret Secret, tlsFiles *PeerTLS) ([]grpc.DialOption, error) {
	opts := peerDialOptions(secret)
	if tlsFiles != nil && tlsFiles.CA != "" {
		_, cc, err := tlsFiles.configs()
		if err != nil {
			return nil, err
		}
		opts = append(opts, grpc.WithTransportCredentials(credentials.NewTLS(cc)))
	}
	return opts, nil
}
