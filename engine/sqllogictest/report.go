package sqllogictest

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// PGCount is PostgreSQL 15's result on one file: the records counted for
// engine postgresql and how many of them it passes.
type PGCount struct {
	Counted int
	Passed  int
}

// ReadPGCounts reads a counts file: one line per script, "file counted
// passed", '#' comments and blank lines ignored.
func ReadPGCounts(path string) (map[string]PGCount, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sqllogictest: %w", err)
	}
	defer f.Close()
	counts := make(map[string]PGCount)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		w := strings.Fields(line)
		if len(w) != 3 {
			return nil, fmt.Errorf("sqllogictest: %s:%d: want \"file counted passed\", got %q", path, n, line)
		}
		counted, err1 := strconv.Atoi(w[1])
		passed, err2 := strconv.Atoi(w[2])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("sqllogictest: %s:%d: bad counts in %q", path, n, line)
		}
		counts[w[0]] = PGCount{Counted: counted, Passed: passed}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("sqllogictest: %s: %w", path, err)
	}
	return counts, nil
}

// ReadPGFailures reads pg-failures.txt and returns the "file:line" of every
// record PostgreSQL fails (the first tab-separated field of each line).
func ReadPGFailures(path string) (map[string]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sqllogictest: %w", err)
	}
	defer f.Close()
	locs := make(map[string]bool)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		loc, _, _ := strings.Cut(line, "\t")
		locs[loc] = true
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("sqllogictest: %s: %w", path, err)
	}
	return locs, nil
}

// WriteReport prints one line per file and a total line per mode:
//
//	[simple] index_in_10_slt_good_5.prefix1500.test: 1499/1499 (PostgreSQL: 1499), 0 failed, 210ms
//	[simple] total: 18494/18526 (PostgreSQL: 18494), 32 failed, 3.4s
//
// passed/counted are this run's numbers; a file that passes fewer records
// than PostgreSQL is marked "BELOW PostgreSQL". pg may be nil.
func WriteReport(w io.Writer, results []*FileResult, pg map[string]PGCount) {
	var modes []Mode
	byMode := make(map[Mode][]*FileResult)
	width := 0
	for _, r := range results {
		if _, ok := byMode[r.Mode]; !ok {
			modes = append(modes, r.Mode)
		}
		byMode[r.Mode] = append(byMode[r.Mode], r)
		width = max(width, len(r.File)+1)
	}
	for _, m := range modes {
		var total FileResult
		pgTotal, pgKnown := 0, true
		for _, r := range byMode[m] {
			total.Counted += r.Counted
			total.Passed += r.Passed
			total.Duration += r.Duration
			want, ok := pg[r.File]
			pgTotal += want.Passed
			pgKnown = pgKnown && ok
			fmt.Fprintf(w, "%-10s %-*s %s\n", "["+m.String()+"]", width, r.File+":", reportLine(r.Passed, r.Counted, want.Passed, ok, r.Duration))
		}
		fmt.Fprintf(w, "%-10s %-*s %s\n", "["+m.String()+"]", width, "total:", reportLine(total.Passed, total.Counted, pgTotal, pgKnown, total.Duration))
	}
}

func reportLine(passed, counted, pgPassed int, pgKnown bool, d time.Duration) string {
	pg := "?"
	if pgKnown {
		pg = strconv.Itoa(pgPassed)
	}
	s := fmt.Sprintf("%d/%d (PostgreSQL: %s), %d failed, %v", passed, counted, pg, counted-passed, d.Round(time.Millisecond))
	if pgKnown && passed < pgPassed {
		s += fmt.Sprintf("  BELOW PostgreSQL by %d", pgPassed-passed)
	}
	return s
}

// FailureGroup is a set of failures that look alike: the same reason and,
// for errors, the same message once numbers and quoted names are blanked.
type FailureGroup struct {
	// Key is the reason, with the normalized error message if any.
	Key string
	// Failures are the members, in the order met.
	Failures []*Failure
}

var (
	quotedRE = regexp.MustCompile(`"[^"]*"|'[^']*'`)
	numberRE = regexp.MustCompile(`[0-9]+`)
)

// GroupFailures groups the failures of the results by FailureGroup.Key,
// largest group first (ties by key).
func GroupFailures(results []*FileResult) []*FailureGroup {
	byKey := make(map[string]*FailureGroup)
	var groups []*FailureGroup
	for _, r := range results {
		for _, f := range r.Failures {
			key := f.Reason
			if strings.HasSuffix(key, "expected") && strings.Contains(key, "result columns") {
				key = "wrong number of result columns"
			}
			if f.Err != nil {
				msg := quotedRE.ReplaceAllString(f.Err.Error(), `"…"`)
				key += ": " + numberRE.ReplaceAllString(msg, "N")
			}
			g := byKey[key]
			if g == nil {
				g = &FailureGroup{Key: key}
				byKey[key] = g
				groups = append(groups, g)
			}
			g.Failures = append(g.Failures, f)
		}
	}
	slices.SortStableFunc(groups, func(a, b *FailureGroup) int {
		if c := len(b.Failures) - len(a.Failures); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	return groups
}

// WriteGroups prints up to limit groups (all when limit <= 0), one line each:
// the count, the key and the first member's location.
func WriteGroups(w io.Writer, groups []*FailureGroup, limit int) {
	for i, g := range groups {
		if limit > 0 && i == limit {
			fmt.Fprintf(w, "... %d more kinds of failure\n", len(groups)-limit)
			return
		}
		fmt.Fprintf(w, "%6d  %s  (first: %s)\n", len(g.Failures), g.Key, g.Failures[0].Location())
	}
}
