package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecurityFlags(t *testing.T) {
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte("from-file\r\nsecond line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	secretFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(secretFile, []byte("cluster-secret-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{passwordEnv: "from-env", clusterSecretEnv: "cluster-secret-from-env"}
	tests := []struct {
		flags      securityFlags
		env        bool
		password   string
		secret     string
		errMention string
	}{
		{flags: securityFlags{password: "from-flag", maxConns: 1}, env: true, password: "from-flag", secret: "cluster-secret-from-env"},
		{flags: securityFlags{passwordFile: pwFile, secretFile: secretFile, maxConns: 1}, env: true, password: "from-file", secret: "cluster-secret-from-file"},
		{flags: securityFlags{maxConns: 1}, env: true, password: "from-env", secret: "cluster-secret-from-env"},
		{flags: securityFlags{maxConns: 1}},
		{flags: securityFlags{password: "a", passwordFile: pwFile, maxConns: 1}, errMention: "not both"},
		{flags: securityFlags{passwordFile: empty, maxConns: 1}, errMention: "first line"},
		{flags: securityFlags{passwordFile: filepath.Join(dir, "missing"), maxConns: 1}, errMention: "--password-file"},
		{flags: securityFlags{maxConns: 0}, errMention: "--max-connections"},
	}
	for i, tt := range tests {
		getenv := func(string) string { return "" }
		if tt.env {
			getenv = func(k string) string { return env[k] }
		}
		s, err := tt.flags.config(getenv)
		if tt.errMention != "" {
			if err == nil || !strings.Contains(err.Error(), tt.errMention) {
				t.Errorf("%d: err %v, want one mentioning %q", i, err, tt.errMention)
			}
			continue
		}
		if err != nil {
			t.Errorf("%d: %v", i, err)
			continue
		}
		if string(s.SuperuserPassword) != tt.password || string(s.ClusterSecret) != tt.secret {
			t.Errorf("%d: password %q secret %q, want %q %q", i, s.SuperuserPassword, s.ClusterSecret, tt.password, tt.secret)
		}
	}
}

func TestShellAddress(t *testing.T) {
	f := securityFlags{maxConns: 1}
	s, _ := (&securityFlags{superuser: "chronos", password: "p@ss word", maxConns: 1}).config(func(string) string { return "" })
	if got := shellAddress("127.0.0.1:5432", s); got != "postgres://chronos:p%40ss%20word@127.0.0.1:5432/chronos" {
		t.Errorf("shellAddress = %q", got)
	}
	s, _ = f.config(func(string) string { return "" })
	if got := shellAddress("127.0.0.1:5432", s); got != "127.0.0.1:5432" {
		t.Errorf("shellAddress under trust = %q", got)
	}
}
