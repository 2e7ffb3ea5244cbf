package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chronos-db/chronos/proto/transportpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

// testCA signs certificates for 127.0.0.1 into PEM files.
type testCA struct {
	t    *testing.T
	dir  string
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	file string
}

func newTestCA(t *testing.T, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	ca := &testCA{t: t, dir: t.TempDir(), cert: cert, key: key}
	ca.file = ca.write(name+".crt", "CERTIFICATE", der)
	return ca
}

func (ca *testCA) write(name, typ string, der []byte) string {
	file := filepath.Join(ca.dir, name)
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		ca.t.Fatal(err)
	}
	return file
}

// issue returns the certificate and key files of a node certificate valid
// for 127.0.0.1, as server and as client.
func (ca *testCA) issue(name string) (certFile, keyFile string) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		ca.t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		ca.t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		ca.t.Fatal(err)
	}
	return ca.write(name+".crt", "CERTIFICATE", der), ca.write(name+".key", "EC PRIVATE KEY", kder)
}

// TestPeerMutualTLS: two members with certificates of the cluster CA form
// a cluster over mutual TLS on the shared port, which still serves
// PostgreSQL clients; a caller without a certificate, with one of another
// CA, or in plain text is refused.
func TestPeerMutualTLS(t *testing.T) {
	ca := newTestCA(t, "cluster-ca")
	start := func(id string, peers map[string]string) *Server {
		cert, key := ca.issue(id)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		s, err := Start(ctx, Config{
			ID: id, Address: "127.0.0.1:0", DataDir: t.TempDir(), Peers: peers,
			Logger:   slog.New(slog.DiscardHandler),
			Security: Security{TLSCert: cert, TLSKey: key, PeerCA: ca.file},
		})
		if err != nil {
			t.Fatalf("start %s: %v", id, err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	n1 := start("n1", nil)
	n2 := start("n2", map[string]string{"n1": n1.Addr()})
	if got := len(n1.node.Members()); got != 2 {
		t.Fatalf("n1 knows %d members, want 2", got)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	status := func(creds credentials.TransportCredentials) error {
		conn, err := grpc.NewClient(n2.Addr(), grpc.WithTransportCredentials(creds))
		if err != nil {
			return err
		}
		defer conn.Close()
		_, err = transportpb.NewRaftClient(conn).Status(ctx, &transportpb.StatusRequest{})
		return err
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	other := newTestCA(t, "other-ca")
	oc, ok := other.issue("intruder")
	otherCert, err := tls.LoadX509KeyPair(oc, ok)
	if err != nil {
		t.Fatal(err)
	}
	goodCert, goodKey := ca.issue("operator")
	good, err := tls.LoadX509KeyPair(goodCert, goodKey)
	if err != nil {
		t.Fatal(err)
	}
	for name, creds := range map[string]credentials.TransportCredentials{
		"plain text":        insecure.NewCredentials(),
		"no certificate":    credentials.NewTLS(&tls.Config{RootCAs: pool}),
		"another CA's cert": credentials.NewTLS(&tls.Config{RootCAs: pool, Certificates: []tls.Certificate{otherCert}}),
	} {
		if err := status(creds); err == nil {
			t.Errorf("%s: Status succeeded", name)
		}
	}
	if err := status(credentials.NewTLS(&tls.Config{RootCAs: pool, Certificates: []tls.Certificate{good}})); err != nil {
		t.Errorf("with a certificate of the cluster CA: %v", err)
	}

	// PostgreSQL clients still reach the shared port (TLS for them is
	// negotiated with SSLRequest, not by a ClientHello).
	c, err := net.Dial("tcp", n1.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte{0, 0, 0, 8, 4, 210, 22, 47}); err != nil { // SSLRequest
		t.Fatal(err)
	}
	b := make([]byte, 1)
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(b); err != nil || b[0] != 'S' {
		t.Errorf("SSLRequest answered %q, %v; want 'S'", b, err)
	}
}
