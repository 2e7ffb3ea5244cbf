package dialect

import (
	"strconv"
	"strings"
)

// typeName is a PostgreSQL type name as written: its base name with the
// words of multi-word names joined by single spaces ("double precision",
// "character varying", "timestamp with time zone"), its modifiers and its
// array bounds.
type typeName struct {
	base   string
	mods   []string // the (n[, m]) modifiers as written
	arrays int      // number of [] suffixes or ARRAY keywords
	zone   string   // "with time zone" or "without time zone" for time and timestamp
	fields string   // interval fields ("day to second")
	quoted bool     // the base was a quoted identifier ("char")
}

// String returns the canonical text of the type name, as given to
// types.ParseTypeName: "numeric(10,2)", "timestamp(3) with time zone",
// "int4[]".
func (t typeName) String() string {
	var b strings.Builder
	if t.quoted {
		b.WriteString(`"` + strings.ReplaceAll(t.base, `"`, `""`) + `"`)
	} else {
		b.WriteString(t.base)
	}
	if t.fields != "" {
		b.WriteString(" " + t.fields)
	}
	if len(t.mods) > 0 {
		b.WriteString("(" + strings.Join(t.mods, ",") + ")")
	}
	if t.zone != "" {
		b.WriteString(" " + t.zone)
	}
	for range t.arrays {
		b.WriteString("[]")
	}
	return b.String()
}

// typeStartWords are the words that may start a type name in a typed
// literal such as DATE '2024-01-01'.
var typeStartWords = map[string]bool{
	"int": true, "integer": true, "int2": true, "int4": true, "int8": true,
	"smallint": true, "bigint": true, "real": true, "float": true, "float4": true,
	"float8": true, "double": true, "numeric": true, "decimal": true, "dec": true,
	"text": true, "varchar": true, "char": true, "character": true, "bpchar": true,
	"national": true, "nchar": true, "bool": true, "boolean": true, "bytea": true,
	"date": true, "time": true, "timestamp": true, "timestamptz": true, "timetz": true,
	"interval": true, "json": true, "jsonb": true, "uuid": true, "name": true,
	"oid": true, "bit": true, "varbit": true, "money": true, "inet": true,
	"cidr": true, "regclass": true, "regtype": true, "regproc": true,
	"macaddr": true, "xml": true,
}

// intervalFields are the words of an INTERVAL's field restriction.
var intervalFields = map[string]bool{
	"year": true, "month": true, "day": true, "hour": true, "minute": true, "second": true,
}

// parseTypeName reads a type name from toks[i:]. It returns the name and
// the index after it, or ok false when toks[i] does not start a type name.
func parseTypeName(toks []token, i int) (t typeName, next int, ok bool) {
	if i >= len(toks) {
		return t, i, false
	}
	at := func(k int, w string) bool { return k < len(toks) && toks[k].is(w) }
	switch toks[i].kind {
	case tkQIdent:
		t.base, t.quoted = toks[i].val, true
		i++
	case tkIdent:
		t.base = toks[i].val
		i++
		// Schema-qualified names: pg_catalog.int4.
		if i+1 < len(toks) && toks[i].isPunct(".") && (toks[i+1].kind == tkIdent || toks[i+1].kind == tkQIdent) {
			if t.base == "pg_catalog" || t.base == "public" {
				t.base, t.quoted = toks[i+1].val, toks[i+1].kind == tkQIdent
			} else {
				t.base += "." + toks[i+1].val
			}
			i += 2
		}
	default:
		return t, i, false
	}
	if !t.quoted {
		switch t.base {
		case "double":
			if at(i, "precision") {
				t.base = "double precision"
				i++
			}
		case "national":
			if at(i, "character") || at(i, "char") {
				t.base = "character"
				i++
			}
			fallthrough
		case "character", "char", "nchar":
			if t.base == "nchar" {
				t.base = "character"
			}
			if at(i, "varying") {
				t.base += " varying"
				i++
			}
		case "bit":
			if at(i, "varying") {
				t.base = "bit varying"
				i++
			}
		case "interval":
			i = parseIntervalFields(toks, i, &t)
		}
	}
	// Modifiers: (n [, m ...]).
	if i < len(toks) && toks[i].isPunct("(") {
		j := i + 1
		var mods []string
		for {
			if j >= len(toks) {
				return t, i, false
			}
			neg := ""
			if toks[j].isOp("-") || toks[j].isOp("+") {
				if toks[j].val == "-" {
					neg = "-"
				}
				j++
			}
			if j >= len(toks) || toks[j].kind != tkNumber {
				return t, i, false
			}
			mods = append(mods, neg+toks[j].val)
			j++
			if j < len(toks) && toks[j].isPunct(",") {
				j++
				continue
			}
			if j < len(toks) && toks[j].isPunct(")") {
				j++
				break
			}
			return t, i, false
		}
		t.mods = mods
		i = j
	}
	if !t.quoted && (t.base == "timestamp" || t.base == "time") {
		if at(i, "with") && at(i+1, "time") && at(i+2, "zone") {
			t.zone = "with time zone"
			i += 3
		} else if at(i, "without") && at(i+1, "time") && at(i+2, "zone") {
			t.zone = "without time zone"
			i += 3
		}
	}
	// Array bounds: [] or [n], repeated, or ARRAY [n].
	for i < len(toks) {
		if toks[i].isPunct("[") {
			j := i + 1
			if j < len(toks) && toks[j].kind == tkNumber {
				j++
			}
			if j < len(toks) && toks[j].isPunct("]") {
				t.arrays++
				i = j + 1
				continue
			}
			break
		}
		if toks[i].is("array") {
			t.arrays++
			i++
			if i+2 < len(toks) && toks[i].isPunct("[") && toks[i+1].kind == tkNumber && toks[i+2].isPunct("]") {
				i += 3
			}
			continue
		}
		break
	}
	return t, i, true
}

// parseIntervalFields reads an INTERVAL's field restriction (DAY, HOUR TO
// SECOND, ...) into t.fields.
func parseIntervalFields(toks []token, i int, t *typeName) int {
	if i >= len(toks) || toks[i].kind != tkIdent || !intervalFields[toks[i].val] {
		return i
	}
	f := toks[i].val
	i++
	if i+1 < len(toks) && toks[i].is("to") && toks[i+1].kind == tkIdent && intervalFields[toks[i+1].val] {
		f += " to " + toks[i+1].val
		i += 2
	}
	t.fields = f
	return i
}

// modInt returns modifier k of t as an integer.
func (t typeName) modInt(k int) (int, bool) {
	if k >= len(t.mods) {
		return 0, false
	}
	n, err := strconv.Atoi(t.mods[k])
	return n, err == nil
}
