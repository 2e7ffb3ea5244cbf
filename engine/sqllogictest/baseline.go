package sqllogictest

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
)

// BaselineKey names one file run in one protocol mode.
type BaselineKey struct {
	File string
	Mode Mode
}

// Baseline holds, per file and mode, the number of records Chronos is known
// to pass. CI fails when a run passes fewer; the numbers only ever rise.
type Baseline map[BaselineKey]int

// ReadBaseline reads a baseline file: lines "file mode passed", '#'
// comments and blank lines ignored. A missing file is an empty baseline.
func ReadBaseline(path string) (Baseline, error) {
	b := make(Baseline)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return b, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sqllogictest: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		w := strings.Fields(line)
		if len(w) != 3 {
			return nil, fmt.Errorf("sqllogictest: %s:%d: want \"file mode passed\", got %q", path, n, line)
		}
		mode, err := ParseMode(w[1])
		if err != nil {
			return nil, fmt.Errorf("sqllogictest: %s:%d: %w", path, n, err)
		}
		passed, err := strconv.Atoi(w[2])
		if err != nil || passed < 0 {
			return nil, fmt.Errorf("sqllogictest: %s:%d: bad count %q", path, n, w[2])
		}
		b[BaselineKey{w[0], mode}] = passed
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("sqllogictest: %s: %w", path, err)
	}
	return b, nil
}

// baselineHeader starts every written baseline file.
const baselineHeader = `# Records of each sqllogictest file Chronos passes, per protocol mode: file mode passed.
# TestCorpus fails when a run passes fewer. Raise with
#   go test ./engine/sqllogictest -run TestCorpus -args -slt.update
# (it never lowers a number) and commit the new counts with the change that raised them.
`

// Write writes the baseline to path, sorted by file and mode.
func (b Baseline) Write(path string) error {
	keys := make([]BaselineKey, 0, len(b))
	for k := range b {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y BaselineKey) int {
		if c := strings.Compare(x.File, y.File); c != 0 {
			return c
		}
		return int(x.Mode) - int(y.Mode)
	})
	var sb strings.Builder
	sb.WriteString(baselineHeader)
	for _, k := range keys {
		fmt.Fprintf(&sb, "%s %s %d\n", k.File, k.Mode, b[k])
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		return fmt.Errorf("sqllogictest: %w", err)
	}
	return nil
}

// Regressions returns one message per result that passes fewer records than
// the baseline holds for its file and mode.
func (b Baseline) Regressions(results []*FileResult) []string {
	var msgs []string
	for _, r := range results {
		if want := b[BaselineKey{r.File, r.Mode}]; r.Passed < want {
			msgs = append(msgs, fmt.Sprintf("%s [%s]: %d passed, baseline %d", r.File, r.Mode, r.Passed, want))
		}
	}
	return msgs
}

// Raise sets each result's count where it is above the baseline's, and
// never lowers one. It reports whether anything changed.
func (b Baseline) Raise(results []*FileResult) bool {
	changed := false
	for _, r := range results {
		k := BaselineKey{r.File, r.Mode}
		if old, ok := b[k]; !ok || r.Passed > old {
			b[k] = r.Passed
			changed = true
		}
	}
	return changed
}
