package types

import "testing"

func TestFoldASCII(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"users", "users"},
		{"Users", "users"},
		{"MiXeD_123", "mixed_123"},
		{"ÄBC", "Äbc"}, // non-ASCII letters stay, so byte offsets do not move
		{"@[`{", "@[`{"},
	}
	for _, tt := range tests {
		if got := FoldASCII(tt.in); got != tt.want {
			t.Errorf("FoldASCII(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
