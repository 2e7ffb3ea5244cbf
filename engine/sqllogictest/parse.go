package sqllogictest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// DefaultEngine is the engine name Chronos runs as for skipif and onlyif:
// it speaks PostgreSQL's SQL.
const DefaultEngine = "postgresql"

// Kind is what a record does.
type Kind int

// The record kinds of a script.
const (
	// KindStatement runs SQL and checks only whether it succeeded
	// (statement ok) or failed (statement error).
	KindStatement Kind = iota + 1
	// KindQuery runs SQL and compares its rows with the expected values.
	KindQuery
	// KindHashThreshold sets the number of result values above which
	// results are written as an MD5 hash line.
	KindHashThreshold
	// KindHalt ends the script: later records are neither run nor counted.
	KindHalt
)

// String returns the record kind as the script spells it.
func (k Kind) String() string {
	switch k {
	case KindStatement:
		return "statement"
	case KindQuery:
		return "query"
	case KindHashThreshold:
		return "hash-threshold"
	case KindHalt:
		return "halt"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// SortMode is how a query's result values are ordered before comparing.
type SortMode int

// The sort modes of a query record.
const (
	// NoSort keeps the server's row order.
	NoSort SortMode = iota
	// RowSort sorts the rows, comparing formatted values column by column.
	RowSort
	// ValueSort sorts all values on their own, ignoring rows.
	ValueSort
)

// String returns the sort mode as the script spells it.
func (m SortMode) String() string {
	switch m {
	case NoSort:
		return "nosort"
	case RowSort:
		return "rowsort"
	case ValueSort:
		return "valuesort"
	}
	return "SortMode(" + strconv.Itoa(int(m)) + ")"
}

// Condition is one skipif or onlyif line in front of a record.
type Condition struct {
	// Skip is true for skipif (leave the record out on Engine) and false
	// for onlyif (leave it out everywhere else).
	Skip bool
	// Engine is the engine named, as written.
	Engine string
}

// Record is one blank-line-separated block of a script.
type Record struct {
	// Line is the 1-based line number of the record's first non-comment
	// line (its skipif/onlyif line if it has one).
	Line int
	// Kind says what the record does.
	Kind Kind
	// Conditions are the skipif/onlyif lines, in order.
	Conditions []Condition

	// SQL is the statement or query text, lines joined with "\n".
	SQL string
	// ExpectError is true for "statement error".
	ExpectError bool

	// Types has one letter per result column of a query: I, T or R.
	Types string
	// Sort is the query's sort mode.
	Sort SortMode
	// Label is the query's label, "" if none.
	Label string
	// Expected holds the lines after "----", one value per line, or a
	// single "<n> values hashing to <md5>" line. Empty means no rows.
	Expected []string

	// Threshold is the value of a hash-threshold record.
	Threshold int
}

// Runs reports whether the record is run for the named engine: no skipif
// names it and every onlyif does. Engine names compare without regard to
// case.
func (r *Record) Runs(engine string) bool {
	for _, c := range r.Conditions {
		match := strings.EqualFold(c.Engine, engine)
		if c.Skip == match {
			return false
		}
	}
	return true
}

// Script is a parsed sqllogictest file.
type Script struct {
	// Name is the file's base name, e.g. "random_expr_slt_good_1.prefix3000.test".
	Name string
	// Records are all records of the file in order, including the ones a
	// given engine leaves out and any after a halt.
	Records []*Record
}

// ParseFile reads and parses the script at path; the script is named by the
// file's base name.
func ParseFile(path string) (*Script, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sqllogictest: %w", err)
	}
	return Parse(filepath.Base(path), bytes.NewReader(data))
}

// Parse reads a script. Lines lose a trailing "\r"; lines starting with '#'
// are comments wherever they are; lines of only spaces and tabs separate
// records. A record of an unknown kind, or a malformed header, is an error
// naming the file and line.
func Parse(name string, r io.Reader) (*Script, error) {
	s := &Script{Name: name}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	var block []numberedLine
	lineNo := 0
	flush := func() error {
		if len(block) == 0 {
			return nil
		}
		rec, err := parseRecord(block)
		block = block[:0]
		if err != nil {
			return fmt.Errorf("sqllogictest: %s:%w", name, err)
		}
		s.Records = append(s.Records, rec)
		return nil
	}
	for sc.Scan() {
		lineNo++
		line := strings.TrimSuffix(sc.Text(), "\r")
		switch {
		case strings.HasPrefix(line, "#"):
			continue
		case strings.Trim(line, " \t") == "":
			if err := flush(); err != nil {
				return nil, err
			}
		default:
			block = append(block, numberedLine{lineNo, line})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("sqllogictest: %s: %w", name, err)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return s, nil
}

type numberedLine struct {
	no   int
	text string
}

// headerWords splits a header line into words, dropping a trailing comment
// that starts with a word beginning with '#'.
func headerWords(line string) []string {
	words := strings.Fields(line)
	for i, w := range words {
		if strings.HasPrefix(w, "#") {
			return words[:i]
		}
	}
	return words
}

// parseRecord parses one record from its non-comment lines. Errors start
// with the line number, for Parse to prefix with the file name.
func parseRecord(lines []numberedLine) (*Record, error) {
	rec := &Record{Line: lines[0].no}
	i := 0
	for ; i < len(lines); i++ {
		w := headerWords(lines[i].text)
		if len(w) == 0 || (w[0] != "skipif" && w[0] != "onlyif") {
			break
		}
		if len(w) < 2 {
			return nil, fmt.Errorf("%d: %s without an engine name", lines[i].no, w[0])
		}
		rec.Conditions = append(rec.Conditions, Condition{Skip: w[0] == "skipif", Engine: w[1]})
	}
	if i == len(lines) {
		return nil, fmt.Errorf("%d: skipif/onlyif without a record", lines[len(lines)-1].no)
	}
	head := lines[i]
	w := headerWords(head.text)
	body := lines[i+1:]
	if len(w) == 0 {
		return nil, fmt.Errorf("%d: empty record header", head.no)
	}
	switch w[0] {
	case "statement":
		rec.Kind = KindStatement
		if len(w) < 2 || (w[1] != "ok" && w[1] != "error") {
			return nil, fmt.Errorf("%d: want \"statement ok\" or \"statement error\", got %q", head.no, head.text)
		}
		rec.ExpectError = w[1] == "error"
		rec.SQL = joinLines(body)
		if rec.SQL == "" {
			return nil, fmt.Errorf("%d: statement without SQL", head.no)
		}
	case "query":
		rec.Kind = KindQuery
		if len(w) < 2 {
			return nil, fmt.Errorf("%d: query without column types", head.no)
		}
		rec.Types = w[1]
		for _, c := range rec.Types {
			if c != 'I' && c != 'T' && c != 'R' {
				return nil, fmt.Errorf("%d: unknown column type %q in %q", head.no, c, rec.Types)
			}
		}
		if len(w) >= 3 {
			switch w[2] {
			case "nosort":
				rec.Sort = NoSort
			case "rowsort":
				rec.Sort = RowSort
			case "valuesort":
				rec.Sort = ValueSort
			default:
				return nil, fmt.Errorf("%d: unknown sort mode %q", head.no, w[2])
			}
		}
		if len(w) >= 4 {
			rec.Label = w[3]
		}
		sql := body
		for j, l := range body {
			if l.text == "----" {
				sql = body[:j]
				for _, e := range body[j+1:] {
					rec.Expected = append(rec.Expected, e.text)
				}
				break
			}
		}
		rec.SQL = joinLines(sql)
		if rec.SQL == "" {
			return nil, fmt.Errorf("%d: query without SQL", head.no)
		}
	case "hash-threshold":
		rec.Kind = KindHashThreshold
		if len(w) != 2 {
			return nil, fmt.Errorf("%d: want \"hash-threshold N\", got %q", head.no, head.text)
		}
		n, err := strconv.Atoi(w[1])
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%d: bad hash threshold %q", head.no, w[1])
		}
		rec.Threshold = n
	case "halt":
		rec.Kind = KindHalt
	default:
		return nil, fmt.Errorf("%d: unknown record type %q", head.no, w[0])
	}
	return rec, nil
}

func joinLines(lines []numberedLine) string {
	parts := make([]string, len(lines))
	for i, l := range lines {
		parts[i] = l.text
	}
	return strings.Join(parts, "\n")
}

// Counts are a script's record counts for one engine, found without running
// it: what EXPECTED-PG.md lists per file.
type Counts struct {
	// Records is the number of records in the file.
	Records int
	// Statements and Queries count the statement and query records run for
	// the engine (before any halt).
	Statements int
	Queries    int
	// Skipped counts statements and queries left out by skipif/onlyif.
	Skipped int
}

// Counted returns the number of records counted: statements and queries run.
func (c Counts) Counted() int { return c.Statements + c.Queries }

// Counts returns the script's record counts for the named engine.
func (s *Script) Counts(engine string) Counts {
	c := Counts{Records: len(s.Records)}
	for _, rec := range s.Records {
		runs := rec.Runs(engine)
		if rec.Kind == KindHalt && runs {
			break
		}
		switch {
		case rec.Kind != KindStatement && rec.Kind != KindQuery:
		case !runs:
			c.Skipped++
		case rec.Kind == KindStatement:
			c.Statements++
		default:
			c.Queries++
		}
	}
	return c
}
