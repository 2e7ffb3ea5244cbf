package sqllogictest

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestBaseline(t *testing.T) {
	path := filepath.Join(t.TempDir(), "baseline.txt")
	empty, err := ReadBaseline(path)
	if err != nil || len(empty) != 0 {
		t.Fatalf("ReadBaseline of a missing file = %v, %v; want empty", empty, err)
	}
	b := Baseline{{"b.test", Extended}: 7, {"a.test", Simple}: 3, {"b.test", Simple}: 8}
	if err := b.Write(path); err != nil {
		t.Fatal(err)
	}
	got, err := ReadBaseline(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, b) {
		t.Fatalf("round trip = %v, want %v", got, b)
	}

	results := []*FileResult{
		{File: "a.test", Mode: Simple, Passed: 5},   // up
		{File: "b.test", Mode: Simple, Passed: 6},   // down
		{File: "b.test", Mode: Extended, Passed: 7}, // same
		{File: "c.test", Mode: Simple, Passed: 2},   // new
	}
	regs := got.Regressions(results)
	if len(regs) != 1 || !strings.Contains(regs[0], "b.test [simple]: 6 passed, baseline 8") {
		t.Errorf("Regressions = %q, want one for b.test simple", regs)
	}
	if !got.Raise(results) {
		t.Error("Raise reported no change")
	}
	want := Baseline{{"a.test", Simple}: 5, {"b.test", Simple}: 8, {"b.test", Extended}: 7, {"c.test", Simple}: 2}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after Raise = %v, want %v (never lower)", got, want)
	}
	if got.Raise(results) {
		t.Error("a second Raise with the same results reported a change")
	}
}

func TestReadBaselineErrors(t *testing.T) {
	for _, content := range []string{"a.test simple\n", "a.test sideways 3\n", "a.test simple -1\n"} {
		path := filepath.Join(t.TempDir(), "baseline.txt")
		if err := writeFile(path, content); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadBaseline(path); err == nil {
			t.Errorf("ReadBaseline(%q) succeeded, want an error", content)
		}
	}
}
