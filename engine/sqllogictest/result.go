package sqllogictest

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// FileResult is the outcome of running one script in one mode.
type FileResult struct {
	// File is the script's name.
	File string
	// Mode is the protocol mode it ran in.
	Mode Mode
	// Records is the number of records in the file (every kind, also the
	// ones left out and any after a halt).
	Records int
	// Skipped counts statements and queries left out for the engine by
	// skipif/onlyif (not those after a halt).
	Skipped int
	// Counted counts statements and queries run.
	Counted int
	// Passed counts the counted records whose outcome matched the file.
	Passed int
	// Failures are the counted records that did not pass, in file order.
	Failures []*Failure
	// Duration is the wall time of the run.
	Duration time.Duration
}

// Failed returns the number of counted records that did not pass.
func (r *FileResult) Failed() int { return r.Counted - r.Passed }

// Failure is one counted record that did not pass.
type Failure struct {
	// File is the script's name, Mode the protocol mode.
	File string
	Mode Mode
	// Record is the record that failed.
	Record *Record
	// Reason says briefly what went wrong: "error", "timeout", "wrong
	// result", "statement succeeded, error expected", a column count...
	Reason string
	// Err is the server's error, or the timeout or connection error.
	Err error
	// Actual holds a query's formatted, sorted values when it returned rows
	// that did not match; Columns is the number of columns it returned.
	Actual  []string
	Columns int
	// Threshold is the hash threshold in force for the record.
	Threshold int
}

// Location returns "file:line" of the failing record.
func (f *Failure) Location() string {
	return fmt.Sprintf("%s:%d", f.File, f.Record.Line)
}

// maxShownValues limits how many actual values a report shows when the
// expected result is a hash line.
const maxShownValues = 40

// Write prints the failure for a human: location, mode and reason, the
// record's header and SQL, the expected lines and what came back (the
// actual values, their hash line when the expected result is one, or the
// error).
func (f *Failure) Write(w io.Writer) {
	rec := f.Record
	fmt.Fprintf(w, "--- FAIL %s [%s]: %s\n", f.Location(), f.Mode, f.Reason)
	switch rec.Kind {
	case KindStatement:
		if rec.ExpectError {
			fmt.Fprintln(w, "statement error")
		} else {
			fmt.Fprintln(w, "statement ok")
		}
	case KindQuery:
		head := "query " + rec.Types + " " + rec.Sort.String()
		if rec.Label != "" {
			head += " " + rec.Label
		}
		fmt.Fprintln(w, head)
	}
	fmt.Fprintln(w, rec.SQL)
	if rec.Kind == KindQuery {
		fmt.Fprintln(w, "---- expected")
		writeLines(w, rec.Expected, len(rec.Expected))
		if f.Err == nil {
			fmt.Fprintf(w, "---- actual (%d columns)\n", f.Columns)
			hashed := len(rec.Expected) == 1 && IsHashLine(rec.Expected[0])
			if hashed || (f.Threshold > 0 && len(f.Actual) > f.Threshold) {
				fmt.Fprintln(w, HashValues(f.Actual))
				writeLines(w, f.Actual, maxShownValues)
			} else {
				writeLines(w, f.Actual, len(f.Actual))
			}
		}
	}
	if f.Err != nil {
		fmt.Fprintf(w, "---- error\n%v\n", f.Err)
	}
	fmt.Fprintln(w)
}

func writeLines(w io.Writer, lines []string, limit int) {
	if len(lines) == 0 {
		fmt.Fprintln(w, "(no rows)")
		return
	}
	for i, l := range lines {
		if i == limit {
			fmt.Fprintf(w, "... %d more values\n", len(lines)-limit)
			return
		}
		fmt.Fprintln(w, l)
	}
}

// String returns the failure as Write prints it.
func (f *Failure) String() string {
	var b strings.Builder
	f.Write(&b)
	return b.String()
}
