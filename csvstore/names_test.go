package csvstore

import (
	"path/filepath"
	"strings"
	"testing"
	"testing/quick"
)

func TestFileName(t *testing.T) {
	tests := []struct{ table, file string }{
		{"users", "users.csv"},
		{"order_items-2", "order_items-2.csv"},
		{"Users", "%55sers.csv"},
		{"a/b", "a%2Fb.csv"},
		{"..", "%2E%2E.csv"},
		{"../../etc/passwd", "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd.csv"},
		{"my table", "my%20table.csv"},
		{"100%", "100%25.csv"},
		{"café", "caf%C3%A9.csv"},
		{"catalog", "catalog.csv"},
	}
	for _, tt := range tests {
		if got := FileName(tt.table); got != tt.file {
			t.Errorf("FileName(%q) = %q, want %q", tt.table, got, tt.file)
		}
		if got, ok := TableName(tt.file); !ok || got != tt.table {
			t.Errorf("TableName(%q) = %q, %v, want %q", tt.file, got, ok, tt.table)
		}
	}
	for _, bad := range []string{"users.txt", "Users.csv", "a%2fb.csv", "a%2.csv", "%61.csv", "a b.csv"} {
		if name, ok := TableName(bad); ok {
			t.Errorf("TableName(%q) = %q, want no table", bad, name)
		}
	}
}

// TestFileNameQuick: any name maps to one plain file name inside the
// directory, reversibly.
func TestFileNameQuick(t *testing.T) {
	f := func(name string) bool {
		if name == "" {
			return true // Write refuses empty names
		}
		file := FileName(name)
		back, ok := TableName(file)
		dir := filepath.Join("d", file)
		return ok && back == name &&
			!strings.ContainsAny(file, `/\`) && filepath.Dir(dir) == "d" &&
			!strings.HasPrefix(file, ".") && file != CatalogFile
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 5000}); err != nil {
		t.Fatal(err)
	}
}
