package storage

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestIndentJSON(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string // exact output, when set
	}{
		{"flat array stays on a line", map[string]any{"a": []int{1, 2, 3}, "b": "x"},
			"{\n  \"a\": [1,2,3],\n  \"b\": \"x\"\n}"},
		{"empty containers", map[string]any{"a": []int{}, "o": map[string]int{}},
			"{\n  \"a\": [],\n  \"o\": {}\n}"},
		{"array of objects is indented", []any{map[string]int{"x": 1}, map[string]int{"y": 2}},
			"[\n  {\n    \"x\": 1\n  },\n  {\n    \"y\": 2\n  }\n]"},
		{"strings with brackets, quotes and escapes", map[string]any{"q": `a "[x]" {y}, \z`, "l": []string{"]", "[", `\"`}}, ""},
		{"nested arrays", [][]int{{1, 2}, {}, {3}}, ""},
		{"catalog", catalogJSON{Format: 1, NextOID: 7, Tables: []tableJSON{{Name: "t", RowRuns: []uint64{1, 2, 3, 4, 5, 6}}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			compact, err := json.Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got := indentJSON(compact, "", "  ")
			if tt.want != "" && string(got) != tt.want {
				t.Errorf("indentJSON(%s) =\n%s\nwant\n%s", compact, got, tt.want)
			}
			var back bytes.Buffer
			if err := json.Compact(&back, got); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, got)
			}
			if back.String() != string(compact) {
				t.Errorf("output means %s, want %s", back.String(), compact)
			}
		})
	}
	// The catalog's row runs take one line, not one per number.
	compact, _ := json.Marshal(tableJSON{Name: "t", RowRuns: []uint64{1, 1, 5, 2, 1, 9}})
	out := string(indentJSON(compact, "  ", "  "))
	if !strings.Contains(out, `"row_runs": [1,1,5,2,1,9]`) {
		t.Errorf("row runs not on one line:\n%s", out)
	}
}
