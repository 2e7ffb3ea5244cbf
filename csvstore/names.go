package csvstore

import (
	"fmt"
	"strings"
)

// FileName returns the file name of a table's CSV file: the name with every
// byte outside [a-z0-9_-] written as %XX (upper-case hex), then ".csv". The
// encoding is reversible, never yields a path separator, "." or "..", and
// keeps names that differ only in case apart on case-insensitive file
// systems. "users" is "users.csv"; "My Table" is "%4Dy%20%54able.csv".
func FileName(table string) string {
	var b strings.Builder
	for i := 0; i < len(table); i++ {
		c := table[i]
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	b.WriteString(".csv")
	return b.String()
}

// TableName is the inverse of FileName; ok is false for names FileName
// does not produce.
func TableName(file string) (string, bool) {
	s, found := strings.CutSuffix(file, ".csv")
	if !found {
		return "", false
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-':
			b.WriteByte(c)
		case c == '%' && i+2 < len(s) && isUpperHex(s[i+1]) && isUpperHex(s[i+2]):
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		default:
			return "", false
		}
	}
	if FileName(b.String()) != file {
		return "", false
	}
	return b.String(), true
}

func isUpperHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'A' && c <= 'F' }

func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c - 'A' + 10
}

// CompanionFileName returns the file name of table's companion file of
// the given kind (letters a-z): FileName's stem, a dot, kind, ".csv".
// "users" with kind "rowruns" is "users.rowruns.csv". FileName escapes
// every dot, so a companion's name is never a table's, and TableName
// rejects it.
func CompanionFileName(table, kind string) string {
	return strings.TrimSuffix(FileName(table), ".csv") + "." + kind + ".csv"
}

// validKind reports whether kind is empty or letters a-z only.
func validKind(kind string) bool {
	for i := 0; i < len(kind); i++ {
		if kind[i] < 'a' || kind[i] > 'z' {
			return false
		}
	}
	return true
}
