package types

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/cockroachdb/apd/v3"
)

// FormatText returns v's PostgreSQL text output for type t (what psql
// shows, what COPY writes). v must not be nil.
func FormatText(v Value, t T) string {
	switch x := v.(type) {
	case bool:
		if x {
			return "t"
		}
		return "f"
	case int64:
		if t.OID == OIDRegtype {
			return RegtypeName(OID(x))
		}
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		if t.OID == OIDFloat4 {
			return FormatFloat(x, 32)
		}
		return FormatFloat(x, 64)
	case *apd.Decimal:
		return FormatNumeric(x)
	case string:
		return x
	case []byte:
		if t.OID == OIDBytea || t.OID == OIDUnknown {
			return FormatBytea(x)
		}
		return string(x)
	case time.Time:
		switch t.OID {
		case OIDDate:
			return FormatDate(x)
		case OIDTimestamp:
			return FormatTimestamp(x, false)
		default:
			return FormatTimestamp(x, true)
		}
	}
	return fmt.Sprint(v)
}

// ParseText reads a value of type t from its text form (PostgreSQL's input
// function, including the type modifier as COPY applies it). Errors are
// 22P02 invalid text representation, 22003 out of range, 22007 / 22008 for
// dates and times, 22001 for too-long strings.
func ParseText(s string, t T) (Value, error) {
	switch t.OID {
	case OIDBool:
		return parseBool(s)
	case OIDInt2, OIDInt4, OIDInt8:
		return parseInt(s, t)
	case OIDOid, OIDRegclass, OIDRegtype, OIDRegproc:
		return parseOID(s, t)
	case OIDFloat4, OIDFloat8:
		return parseFloat(s, t)
	case OIDNumeric:
		d, err := parseNumeric(s)
		if err != nil {
			return nil, err
		}
		return applyNumericTypmod(d, t)
	case OIDText, OIDUnknown, OIDUnknownLit:
		return s, nil
	case OIDVarchar, OIDBPChar:
		return applyStringTypmod(s, t, false)
	case OIDName:
		return truncateName(s), nil
	case OIDBytea:
		return parseBytea(s)
	case OIDDate:
		return parseDate(s)
	case OIDTimestamp, OIDTimestamptz:
		return parseTimestamp(s, t)
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "type %s is not supported", t)
}

// parseBool is boolin: unique prefixes of true/false/yes/no, on/off, 1/0.
func parseBool(s string) (Value, error) {
	in := strings.ToLower(strings.TrimSpace(s))
	if in != "" {
		switch {
		case strings.HasPrefix("true", in), strings.HasPrefix("yes", in), in == "on", in == "1":
			return true, nil
		case strings.HasPrefix("false", in), strings.HasPrefix("no", in), in == "of", in == "off", in == "0":
			return false, nil
		}
	}
	return nil, sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type boolean: \"%s\"", s)
}

// IntRange returns the bounds of an integer type.
func IntRange(t T) (lo, hi int64) {
	switch t.OID {
	case OIDInt2:
		return -1 << 15, 1<<15 - 1
	case OIDInt4:
		return -1 << 31, 1<<31 - 1
	}
	return -1 << 63, 1<<63 - 1
}

// parseInt is int2in/int4in/int8in: optional spaces, sign and digits.
func parseInt(s string, t T) (Value, error) {
	in := strings.TrimSpace(s)
	bad := func() (Value, error) {
		return nil, sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type %s: \"%s\"", t.Base(), s)
	}
	if in == "" {
		return bad()
	}
	i := 0
	if in[0] == '+' || in[0] == '-' {
		i = 1
	}
	if !isDigits(in[i:]) {
		return bad()
	}
	body := in
	if in[0] == '+' {
		body = in[1:]
	}
	n, err := strconv.ParseInt(body, 10, 64)
	lo, hi := IntRange(t)
	if err != nil || n < lo || n > hi {
		return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value \"%s\" is out of range for type %s", s, t.Base())
	}
	return n, nil
}

// parseOID is oidin (and the numeric form of regclass etc.): an unsigned
// 32-bit number; negative inputs wrap as in PostgreSQL.
func parseOID(s string, t T) (Value, error) {
	in := strings.TrimSpace(s)
	n, err := strconv.ParseInt(in, 10, 64)
	if err != nil && t.OID == OIDRegtype {
		typ, terr := ParseTypeName(in)
		if terr != nil {
			return nil, terr
		}
		return int64(typ.OID), nil
	}
	if err != nil {
		// Names need the catalog; the engine resolves those before
		// calling here, so a name reaching this point does not exist.
		switch t.OID {
		case OIDRegclass:
			return nil, sqlerr.New(sqlerr.UndefinedTable, "relation \"%s\" does not exist", in)
		case OIDRegtype:
			return nil, sqlerr.New(sqlerr.UndefinedObject, "type \"%s\" does not exist", in)
		case OIDRegproc:
			return nil, sqlerr.New(sqlerr.UndefinedFunction, "function \"%s\" does not exist", in)
		}
		return nil, sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type oid: \"%s\"", s)
	}
	if n < -(1<<31) || n > 1<<32-1 {
		return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value \"%s\" is out of range for type oid", s)
	}
	if n < 0 {
		n += 1 << 32
	}
	return n, nil
}

// RegtypeName is regtype's output for a builtin type OID: format_type
// without a modifier ("integer", "character", "timestamp with time zone");
// an unknown OID prints as its number.
func RegtypeName(o OID) string {
	switch o {
	case OIDBPChar:
		return "character"
	case OIDUnknown:
		return "-"
	}
	s := shortName(o)
	if strings.HasPrefix(s, "type ") {
		return strconv.FormatUint(uint64(o), 10)
	}
	return s
}

// truncateName cuts a name to NAMEDATALEN-1 = 63 bytes on a character
// boundary.
func truncateName(s string) string {
	if len(s) <= 63 {
		return s
	}
	n := 63
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// applyStringTypmod enforces varchar(n) and character(n): on assignment a
// longer value is an error (22001) unless the excess is spaces, which are
// cut; an explicit cast truncates. character(n) is padded with spaces.
func applyStringTypmod(s string, t T, explicit bool) (string, error) {
	n := t.Length()
	if n < 0 {
		return s, nil
	}
	count := utf8.RuneCountInString(s)
	if count > n {
		cut := s
		// Byte offset of the n-th character.
		off, i := 0, 0
		for off = range s {
			if i == n {
				break
			}
			i++
		}
		if i == n && off < len(s) {
			cut = s[:off]
		}
		if !explicit && strings.TrimRight(s[len(cut):], " ") != "" {
			return "", sqlerr.New(sqlerr.StringDataRightTruncation, "value too long for type %s", t)
		}
		s = cut
		count = n
	}
	if t.OID == OIDBPChar && count < n {
		s += strings.Repeat(" ", n-count)
	}
	return s, nil
}
