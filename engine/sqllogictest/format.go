package sqllogictest

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgtype"
)

// FormatValue writes one value the server returned in text format as the
// line a script expects, by the column's type letter (I, T or R):
//
//   - nil (SQL NULL) is "NULL" whatever the letter;
//   - a boolean (type OID 16) "t"/"f" is taken as the number 1/0 first;
//   - I is a decimal integer: an integer as is, a real or numeric truncated
//     toward zero (clamped to the int64 range), a text by its leading integer
//     as SQLite reads it, else 0;
//   - R is the number with three decimals, like printf("%.3f"); a text by its
//     leading real number, else 0.000;
//   - T is the text itself, "(empty)" for the empty string, with every byte
//     outside ' '..'~' written as '@'.
//
// oid is the column's type OID from RowDescription; it decides whether a
// value is a boolean and whether I reads it as a number or as a text.
func FormatValue(raw []byte, oid uint32, letter byte) string {
	if raw == nil {
		return "NULL"
	}
	s := string(raw)
	if oid == pgtype.BoolOID {
		switch s {
		case "t":
			s = "1"
		case "f":
			s = "0"
		}
	}
	switch letter {
	case 'I':
		return strconv.FormatInt(toInt(s, isTextOID(oid)), 10)
	case 'R':
		return strconv.FormatFloat(toReal(s, isTextOID(oid)), 'f', 3, 64)
	default:
		return formatText(s)
	}
}

// isTextOID reports whether a column of this type holds text, which I reads
// by its leading integer rather than as a number.
func isTextOID(oid uint32) bool {
	switch oid {
	case pgtype.TextOID, pgtype.VarcharOID, pgtype.BPCharOID, pgtype.NameOID,
		pgtype.QCharOID, pgtype.UnknownOID, 0:
		return true
	}
	return false
}

func formatText(s string) string {
	if s == "" {
		return "(empty)"
	}
	b := []byte(s)
	for i, c := range b {
		if c < ' ' || c > '~' {
			b[i] = '@'
		}
	}
	return string(b)
}

// toInt converts a value's text to an integer the way SQLite's
// sqlite3_column_int64 would: numbers by value, truncated toward zero; texts
// by their leading integer.
func toInt(s string, text bool) int64 {
	if !text {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return truncate(f)
		}
	}
	return leadingInt(s)
}

// truncate converts a float to int64 toward zero, clamping at the int64
// range as SQLite does; NaN is 0.
func truncate(f float64) int64 {
	switch {
	case math.IsNaN(f):
		return 0
	case f <= math.MinInt64:
		return math.MinInt64
	case f >= math.MaxInt64:
		return math.MaxInt64
	}
	return int64(f)
}

// leadingInt reads an optional sign and the decimal digits at the start of s
// (after leading white space), like SQLite's sqlite3Atoi64: "12abc" is 12,
// "70.19" is 70, "abc" is 0; overflow clamps.
func leadingInt(s string) int64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var n uint64
	overflow := false
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		d := uint64(s[i] - '0')
		if n > (math.MaxUint64-d)/10 {
			overflow = true
			break
		}
		n = n*10 + d
	}
	switch {
	case neg && (overflow || n > 1<<63):
		return math.MinInt64
	case neg:
		return -int64(n)
	case overflow || n > math.MaxInt64:
		return math.MaxInt64
	}
	return int64(n)
}

// leadingReal matches the longest real number at the start of a text, as
// SQLite's sqlite3AtoF reads it.
var leadingReal = regexp.MustCompile(`^[ \t\n\v\f\r]*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?`)

// toReal converts a value's text to a float: a number by value (PostgreSQL's
// "Infinity", "-Infinity" and "NaN" included), a text by its leading real
// number, else 0.
func toReal(s string, text bool) float64 {
	if !text {
		f, err := strconv.ParseFloat(s, 64)
		if err == nil || errors.Is(err, strconv.ErrRange) {
			return f
		}
	}
	m := leadingReal.FindString(s)
	if m == "" {
		return 0
	}
	f, _ := strconv.ParseFloat(strings.TrimLeft(m, " \t\n\v\f\r"), 64)
	return f
}

// SortValues orders formatted values in place by the sort mode: rowsort sorts
// rows of width columns, comparing values byte by byte (as C's strcmp) column
// by column; valuesort sorts every value on its own; nosort leaves them.
func SortValues(values []string, width int, mode SortMode) {
	switch mode {
	case ValueSort:
		slices.Sort(values)
	case RowSort:
		if width <= 0 || len(values)%width != 0 {
			return
		}
		rows := make([][]string, len(values)/width)
		for i := range rows {
			rows[i] = values[i*width : (i+1)*width : (i+1)*width]
		}
		slices.SortStableFunc(rows, slices.Compare[[]string])
		sorted := make([]string, 0, len(values))
		for _, r := range rows {
			sorted = append(sorted, r...)
		}
		copy(values, sorted)
	}
}

// HashValues returns the hash line of a result, "<n> values hashing to
// <md5>", where md5 is the lowercase hex MD5 of every value followed by
// "\n", in order.
func HashValues(values []string) string {
	h := md5.New()
	for _, v := range values {
		h.Write([]byte(v))
		h.Write([]byte{'\n'})
	}
	return fmt.Sprintf("%d values hashing to %s", len(values), hex.EncodeToString(h.Sum(nil)))
}

var hashLine = regexp.MustCompile(`^[0-9]+ values hashing to [0-9a-f]{32}$`)

// IsHashLine reports whether an expected result line is a hash line.
func IsHashLine(line string) bool {
	return hashLine.MatchString(line)
}

// Matches reports whether sorted, formatted values equal a record's
// expected lines. An expected single hash line is compared with the hash of
// the values (count and MD5); otherwise the values are compared line by line.
// Checking against the expected form, not the current hash threshold, gives
// the same answer on well-formed scripts and needs no state.
func Matches(values, expected []string) bool {
	if len(expected) == 1 && IsHashLine(expected[0]) {
		return HashValues(values) == expected[0]
	}
	return slices.Equal(values, expected)
}
