package auth

import (
	"strings"
	"testing"
)

func TestVerify(t *testing.T) {
	scram, err := HashSCRAM("s3cret")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(scram, "s3cret") || !IsSCRAM(scram) {
		t.Fatalf("HashSCRAM = %q", scram)
	}
	md5 := HashMD5("alice", "s3cret")
	tests := []struct {
		secret, user, password string
		want                   bool
	}{
		{scram, "alice", "s3cret", true},
		{scram, "bob", "s3cret", true}, // SCRAM secrets do not depend on the user
		{scram, "alice", "S3cret", false},
		{scram, "alice", "", false},
		{md5, "alice", "s3cret", true},
		{md5, "bob", "s3cret", false},
		{md5, "alice", "wrong", false},
		{"s3cret", "alice", "s3cret", false}, // a plaintext secret never matches
		{"SCRAM-SHA-256$x", "alice", "s3cret", false},
	}
	for _, tt := range tests {
		if got := Verify(tt.secret, tt.user, tt.password); got != tt.want {
			t.Errorf("Verify(%q, %q, %q) = %v, want %v", tt.secret, tt.user, tt.password, got, tt.want)
		}
	}
	// PostgreSQL's md5 of password "postgres" for user "postgres".
	if got, want := HashMD5("postgres", "postgres"), "md53175bce1d3201d16594cebf9d7eb3f9d"; got != want {
		t.Errorf("HashMD5 = %s, want %s", got, want)
	}
}

func TestHashPassword(t *testing.T) {
	md5 := HashMD5("alice", "pw")
	if got, _ := HashPassword("alice", md5, false); got != md5 {
		t.Errorf("an md5 hash is stored as given: got %q", got)
	}
	if got, _ := HashPassword("alice", "pw", true); got != md5 {
		t.Errorf("md5 encryption: got %q, want %q", got, md5)
	}
	got, err := HashPassword("alice", "pw", false)
	if err != nil || !IsSCRAM(got) || !Verify(got, "alice", "pw") {
		t.Errorf("HashPassword = %q, %v", got, err)
	}
	again, _ := HashPassword("alice", got, false)
	if again != got {
		t.Errorf("a SCRAM verifier is stored as given: got %q", again)
	}
}

// TestSCRAMVector runs the exchange of RFC 7677 section 3 (user "user",
// password "pencil"), with the RFC's salt and server nonce.
func TestSCRAMVector(t *testing.T) {
	salt := []byte{0x5b, 0x6d, 0x99, 0x68, 0x9d, 0x12, 0x35, 0x8e, 0xec, 0xa0, 0x4b, 0x14, 0x12, 0x36, 0xfa, 0x81}
	secret, err := NewSCRAMSecret("pencil", salt, 4096)
	if err != nil {
		t.Fatal(err)
	}
	s := NewSCRAMServer("user", secret)
	first, err := s.First([]byte("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(first), "r=rOprNGfwEbeRWgbNEkqO") {
		t.Fatalf("server-first %q does not extend the client nonce", first)
	}
	// Replace the random server nonce by the RFC's.
	s.nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
	s.serverFirst = "r=" + s.nonce + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
	final, ok, err := s.Final([]byte("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="))
	if err != nil || !ok {
		t.Fatalf("Final: ok=%v err=%v", ok, err)
	}
	if want := "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="; string(final) != want {
		t.Errorf("server-final = %q, want %q", final, want)
	}

	// The same proof against another password's secret fails.
	other, _ := NewSCRAMSecret("pencils", salt, 4096)
	s = NewSCRAMServer("user", other)
	if _, err := s.First([]byte("n,,n=user,r=rOprNGfwEbeRWgbNEkqO")); err != nil {
		t.Fatal(err)
	}
	s.nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
	s.serverFirst = "r=" + s.nonce + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
	if _, ok, err := s.Final([]byte("c=biws,r=" + s.nonce + ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")); ok || err != nil {
		t.Errorf("wrong password: ok=%v err=%v, want false, nil", ok, err)
	}
}

func TestSCRAMMalformed(t *testing.T) {
	firsts := []string{"", "n", "n,,", "p=tls-server-end-point,,n=,r=abc", "n,a=admin,n=,r=abc", "n,,r=abc", "n,,n=,r=", "x,,n=,r=a", "n,,m=ext,n=,r=a"}
	for _, f := range firsts {
		if _, err := NewSCRAMServer("u", nil).First([]byte(f)); err == nil {
			t.Errorf("First(%q) accepted", f)
		}
	}
	s := NewSCRAMServer("u", nil)
	if _, err := s.First([]byte("n,,n=,r=abc")); err != nil {
		t.Fatal(err)
	}
	finals := []string{"", "c=biws,r=abc", "c=biws,r=wrong,p=AAAA", "c=eSws,r=" + s.nonce + ",p=" + strings.Repeat("A", 44)}
	for _, f := range finals {
		if _, _, err := s.Final([]byte(f)); err == nil {
			t.Errorf("Final(%q) accepted", f)
		}
	}
	// A well-formed exchange for an unknown user fails without an error.
	if _, ok, err := s.Final([]byte("c=biws,r=" + s.nonce + ",p=" + strings.Repeat("A", 43) + "=")); ok || err != nil {
		t.Errorf("mock exchange: ok=%v err=%v", ok, err)
	}
}
