package expr

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
)

// codeSubstringError is SQLSTATE 22011, substring error.
const codeSubstringError sqlerr.Code = "22011"

func textFn(f func(s string) (types.Value, error), ret types.T) overload {
	return overload{args: []types.T{types.Text}, ret: ret, fn: func(_ *Context, a []types.Value) (types.Value, error) {
		return f(a[0].(string))
	}}
}

func text2(f func(a, b string) (types.Value, error), ret types.T) overload {
	return overload{args: []types.T{types.Text, types.Text}, ret: ret, fn: func(_ *Context, a []types.Value) (types.Value, error) {
		return f(a[0].(string), a[1].(string))
	}}
}

func textInt(f func(s string, n int64) (types.Value, error)) overload {
	return overload{args: []types.T{types.Text, types.Int4}, ret: types.Text, fn: func(_ *Context, a []types.Value) (types.Value, error) {
		return f(a[0].(string), a[1].(int64))
	}}
}

func runeLen(s string) int64 { return int64(utf8.RuneCountInString(s)) }

// bpcharLength is length(character(n)): trailing spaces do not count.
var bpcharLength = overload{args: []types.T{types.BPChar}, ret: types.Int4, fn: func(_ *Context, a []types.Value) (types.Value, error) {
	return runeLen(strings.TrimRight(a[0].(string), " ")), nil
}}

func init() {
	length := []overload{
		textFn(func(s string) (types.Value, error) { return runeLen(s), nil }, types.Int4),
		bpcharLength,
	}
	register("length", length...)
	register("length", overload{args: []types.T{types.Bytea}, ret: types.Int4, fn: func(_ *Context, a []types.Value) (types.Value, error) {
		return int64(len(a[0].([]byte))), nil
	}})
	register("char_length", length...)
	register("character_length", length...)
	register("octet_length",
		textFn(func(s string) (types.Value, error) { return int64(len(s)), nil }, types.Int4),
		overload{args: []types.T{types.BPChar}, ret: types.Int4, fn: func(_ *Context, a []types.Value) (types.Value, error) {
			return int64(len(a[0].(string))), nil
		}},
		overload{args: []types.T{types.Bytea}, ret: types.Int4, fn: func(_ *Context, a []types.Value) (types.Value, error) {
			return int64(len(a[0].([]byte))), nil
		}},
	)
	register("bit_length", textFn(func(s string) (types.Value, error) { return int64(len(s)) * 8, nil }, types.Int4))
	register("lower", textFn(func(s string) (types.Value, error) { return types.FoldASCII(s), nil }, types.Text))
	register("upper", textFn(func(s string) (types.Value, error) { return asciiUpper(s), nil }, types.Text))
	register("initcap", textFn(func(s string) (types.Value, error) { return initcap(s), nil }, types.Text))
	register("reverse", textFn(func(s string) (types.Value, error) {
		r := []rune(s)
		for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
			r[i], r[j] = r[j], r[i]
		}
		return string(r), nil
	}, types.Text))
	register("md5",
		textFn(func(s string) (types.Value, error) {
			sum := md5.Sum([]byte(s))
			return hex.EncodeToString(sum[:]), nil
		}, types.Text),
		overload{args: []types.T{types.Bytea}, ret: types.Text, fn: func(_ *Context, a []types.Value) (types.Value, error) {
			sum := md5.Sum(a[0].([]byte))
			return hex.EncodeToString(sum[:]), nil
		}},
	)
	register("ascii", textFn(func(s string) (types.Value, error) {
		if s == "" {
			return int64(0), nil
		}
		r, _ := utf8.DecodeRuneInString(s)
		return int64(r), nil
	}, types.Int4))
	register("chr", overload{args: []types.T{types.Int4}, ret: types.Text, fn: func(_ *Context, a []types.Value) (types.Value, error) {
		n := a[0].(int64)
		if n == 0 {
			return nil, sqlerr.New(sqlerr.ProgramLimitExceeded, "null character not permitted")
		}
		if n < 0 || n > unicode.MaxRune || (n >= 0xD800 && n <= 0xDFFF) {
			return nil, sqlerr.New(sqlerr.ProgramLimitExceeded, "requested character too large for encoding: %d", n)
		}
		return string(rune(n)), nil
	}})
	substr := []overload{
		{args: []types.T{types.Text, types.Int4}, ret: types.Text, fn: func(_ *Context, a []types.Value) (types.Value, error) {
			return substring(a[0].(string), a[1].(int64), -1, false)
		}},
		{args: []types.T{types.Text, types.Int4, types.Int4}, ret: types.Text, fn: func(_ *Context, a []types.Value) (types.Value, error) {
			return substring(a[0].(string), a[1].(int64), a[2].(int64), true)
		}},
		{args: []types.T{types.Bytea, types.Int4}, ret: types.Bytea, fn: func(_ *Context, a []types.Value) (types.Value, error) {
			return substringBytes(a[0].([]byte), a[1].(int64), -1, false)
		}},
		{args: []types.T{types.Bytea, types.Int4, types.Int4}, ret: types.Bytea, fn: func(_ *Context, a []types.Value) (types.Value, error) {
			return substringBytes(a[0].([]byte), a[1].(int64), a[2].(int64), true)
		}},
	}
	register("substr", substr...)
	register("substring", substr...)
	register("substring", text2(func(s, pat string) (types.Value, error) {
		re, err := compileRegexp(pat, false)
		if err != nil {
			return nil, err
		}
		m := re.FindStringSubmatch(s)
		switch {
		case m == nil:
			return nil, nil
		case len(m) > 1:
			return m[1], nil
		}
		return m[0], nil
	}, types.Text))
	register("strpos", text2(func(s, sub string) (types.Value, error) {
		i := strings.Index(s, sub)
		if i < 0 {
			return int64(0), nil
		}
		return runeLen(s[:i]) + 1, nil
	}, types.Int4))
	register("replace", overload{args: []types.T{types.Text, types.Text, types.Text}, ret: types.Text, fn: func(_ *Context, a []types.Value) (types.Value, error) {
		s, from := a[0].(string), a[1].(string)
		if from == "" {
			return s, nil
		}
		return strings.ReplaceAll(s, from, a[2].(string)), nil
	}})
	register("translate", overload{args: []types.T{types.Text, types.Text, types.Text}, ret: types.Text, fn: func(_ *Context, a []types.Value) (types.Value, error) {
		return translate(a[0].(string), a[1].(string), a[2].(string)), nil
	}})
	register("starts_with", text2(func(s, p string) (types.Value, error) { return strings.HasPrefix(s, p), nil }, types.Bool))
	register("left", textInt(func(s string, n int64) (types.Value, error) {
		r := []rune(s)
		if n < 0 {
			n = max(int64(len(r))+n, 0)
		}
		return string(r[:min(n, int64(len(r)))]), nil
	}))
	register("right", textInt(func(s string, n int64) (types.Value, error) {
		r := []rune(s)
		if n < 0 {
			n = max(int64(len(r))+n, 0)
		}
		return string(r[int64(len(r))-min(n, int64(len(r))):]), nil
	}))
	register("repeat", textInt(func(s string, n int64) (types.Value, error) {
		if n <= 0 || s == "" {
			return "", nil
		}
		if int64(len(s))*n > 1<<30 {
			return nil, sqlerr.New(sqlerr.ProgramLimitExceeded, "requested length too large")
		}
		return strings.Repeat(s, int(n)), nil
	}))
	for _, name := range []string{"lpad", "rpad"} {
		left := name == "lpad"
		register(name,
			textInt(func(s string, n int64) (types.Value, error) { return pad(s, n, " ", left) }),
			overload{args: []types.T{types.Text, types.Int4, types.Text}, ret: types.Text, fn: func(_ *Context, a []types.Value) (types.Value, error) {
				return pad(a[0].(string), a[1].(int64), a[2].(string), left)
			}},
		)
	}
	trimFns := map[string]func(s, chars string) string{
		"btrim": func(s, chars string) string { return strings.Trim(s, chars) },
		"ltrim": func(s, chars string) string { return strings.TrimLeft(s, chars) },
		"rtrim": func(s, chars string) string { return strings.TrimRight(s, chars) },
	}
	for name, f := range trimFns {
		register(name,
			textFn(func(s string) (types.Value, error) { return f(s, " "), nil }, types.Text),
			text2(func(s, chars string) (types.Value, error) { return f(s, chars), nil }, types.Text),
		)
	}
	register("split_part", overload{args: []types.T{types.Text, types.Text, types.Int4}, ret: types.Text, fn: func(_ *Context, a []types.Value) (types.Value, error) {
		return splitPart(a[0].(string), a[1].(string), a[2].(int64))
	}})
	register("concat_ws", overload{args: []types.T{types.Text, anyType}, variadic: true, ret: types.Text, lazy: true, anyAsText: true, fn: concatWS})
	register("chronos_concat", overload{args: []types.T{anyType}, variadic: true, ret: types.Text, lazy: true, anyAsText: true, fn: func(_ *Context, a []types.Value) (types.Value, error) {
		return concatValues(a, ""), nil
	}})
	register("to_hex",
		overload{args: []types.T{types.Int4}, ret: types.Text, fn: func(_ *Context, a []types.Value) (types.Value, error) {
			return strconv.FormatUint(uint64(uint32(a[0].(int64))), 16), nil
		}},
		overload{args: []types.T{types.Int8}, ret: types.Text, fn: func(_ *Context, a []types.Value) (types.Value, error) {
			return strconv.FormatUint(uint64(a[0].(int64)), 16), nil
		}},
	)
	register("quote_ident", textFn(func(s string) (types.Value, error) { return quoteIdent(s), nil }, types.Text))
	register("quote_literal", textFn(func(s string) (types.Value, error) { return quoteLiteral(s), nil }, types.Text))
	register("quote_nullable", overload{args: []types.T{types.Text}, ret: types.Text, lazy: true, fn: func(_ *Context, a []types.Value) (types.Value, error) {
		if a[0] == nil {
			return "NULL", nil
		}
		return quoteLiteral(a[0].(string)), nil
	}})
	register("encode", overload{args: []types.T{types.Bytea, types.Text}, ret: types.Text, fn: func(_ *Context, a []types.Value) (types.Value, error) {
		b := a[0].([]byte)
		switch strings.ToLower(a[1].(string)) {
		case "hex":
			return hex.EncodeToString(b), nil
		case "base64":
			return base64.StdEncoding.EncodeToString(b), nil
		case "escape":
			return escapeBytea(b), nil
		}
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "unrecognized encoding: \"%s\"", a[1].(string))
	}})
	register("decode", overload{args: []types.T{types.Text, types.Text}, ret: types.Bytea, fn: func(_ *Context, a []types.Value) (types.Value, error) {
		s := a[0].(string)
		switch strings.ToLower(a[1].(string)) {
		case "hex":
			b, err := hex.DecodeString(s)
			if err != nil {
				return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid hexadecimal data")
			}
			return b, nil
		case "base64":
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid base64 data")
			}
			return b, nil
		case "escape":
			return types.ParseText(s, types.Bytea)
		}
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "unrecognized encoding: \"%s\"", a[1].(string))
	}})
	regexpReplace := func(s, pat, repl, flags string) (types.Value, error) {
		re, err := compileRegexp(pat, strings.Contains(flags, "i"))
		if err != nil {
			return nil, err
		}
		tmpl := pgReplacement(repl)
		if strings.Contains(flags, "g") {
			return re.ReplaceAllString(s, tmpl), nil
		}
		loc := re.FindStringSubmatchIndex(s)
		if loc == nil {
			return s, nil
		}
		out := re.ExpandString(nil, tmpl, s, loc)
		return s[:loc[0]] + string(out) + s[loc[1]:], nil
	}
	register("regexp_replace",
		overload{args: []types.T{types.Text, types.Text, types.Text}, ret: types.Text, fn: func(_ *Context, a []types.Value) (types.Value, error) {
			return regexpReplace(a[0].(string), a[1].(string), a[2].(string), "")
		}},
		overload{args: []types.T{types.Text, types.Text, types.Text, types.Text}, ret: types.Text, fn: func(_ *Context, a []types.Value) (types.Value, error) {
			return regexpReplace(a[0].(string), a[1].(string), a[2].(string), a[3].(string))
		}},
	)
}

// substring is PostgreSQL's text_substr: characters from position start
// (1-based) for count characters, clipped to the string; count < 0 is
// 22011 when given.
func substring(s string, start, count int64, hasCount bool) (types.Value, error) {
	if hasCount && count < 0 {
		return nil, sqlerr.New(codeSubstringError, "negative substring length not allowed")
	}
	r := []rune(s)
	n := int64(len(r))
	from := max(start, 1)
	to := n + 1
	if hasCount {
		if start > 0 && count > (1<<62) || start+count < start {
			to = n + 1
		} else {
			to = min(start+count, n+1)
		}
	}
	if from > n || to <= from {
		return "", nil
	}
	return string(r[from-1 : to-1]), nil
}

func substringBytes(b []byte, start, count int64, hasCount bool) (types.Value, error) {
	if hasCount && count < 0 {
		return nil, sqlerr.New(codeSubstringError, "negative substring length not allowed")
	}
	n := int64(len(b))
	from := max(start, 1)
	to := n + 1
	if hasCount {
		to = min(start+count, n+1)
	}
	if from > n || to <= from {
		return []byte{}, nil
	}
	return append([]byte(nil), b[from-1:to-1]...), nil
}

// initcap upper-cases the first letter of each alphanumeric run (ASCII
// only, as in the C locale).
func initcap(s string) string {
	b := []byte(s)
	prevAlnum := false
	for i, c := range b {
		isLower, isUpper := c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z'
		switch {
		case prevAlnum && isUpper:
			b[i] = c + 'a' - 'A'
		case !prevAlnum && isLower:
			b[i] = c - ('a' - 'A')
		}
		prevAlnum = isLower || isUpper || c >= '0' && c <= '9'
	}
	return string(b)
}

func translate(s, from, to string) string {
	fr, tr := []rune(from), []rune(to)
	var b strings.Builder
	for _, r := range s {
		idx := -1
		for i, f := range fr {
			if f == r {
				idx = i
				break
			}
		}
		switch {
		case idx < 0:
			b.WriteRune(r)
		case idx < len(tr):
			b.WriteRune(tr[idx])
		}
	}
	return b.String()
}

// pad is lpad/rpad: fill to n characters, or cut to n.
func pad(s string, n int64, fill string, left bool) (types.Value, error) {
	if n < 0 {
		n = 0
	}
	if n > 1<<28 {
		return nil, sqlerr.New(sqlerr.ProgramLimitExceeded, "requested length too large")
	}
	r := []rune(s)
	if int64(len(r)) >= n {
		return string(r[:n]), nil
	}
	f := []rune(fill)
	if len(f) == 0 {
		return s, nil
	}
	need := int(n) - len(r)
	padding := make([]rune, need)
	for i := range padding {
		padding[i] = f[i%len(f)]
	}
	if left {
		return string(padding) + s, nil
	}
	return s + string(padding), nil
}

func splitPart(s, sep string, n int64) (types.Value, error) {
	if n == 0 {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "field position must not be zero")
	}
	var parts []string
	if sep == "" {
		parts = []string{s}
	} else {
		parts = strings.Split(s, sep)
	}
	if n < 0 {
		n = int64(len(parts)) + n + 1
	}
	if n < 1 || n > int64(len(parts)) {
		return "", nil
	}
	return parts[n-1], nil
}

// concatValues joins the non-NULL text values with sep.
func concatValues(vals []types.Value, sep string) string {
	var b strings.Builder
	first := true
	for _, v := range vals {
		if v == nil {
			continue
		}
		if !first {
			b.WriteString(sep)
		}
		first = false
		b.WriteString(v.(string))
	}
	return b.String()
}

func concatWS(_ *Context, a []types.Value) (types.Value, error) {
	if a[0] == nil {
		return nil, nil
	}
	return concatValues(a[1:], a[0].(string)), nil
}

func quoteIdent(s string) string {
	safe := s != "" && (s[0] >= 'a' && s[0] <= 'z' || s[0] == '_')
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			safe = false
		}
	}
	if safe && !isReservedWord(s) {
		return s
	}
	return "\"" + strings.ReplaceAll(s, "\"", "\"\"") + "\""
}

func isReservedWord(s string) bool {
	switch s {
	case "all", "and", "any", "as", "asc", "both", "case", "cast", "check", "column", "constraint", "create",
		"default", "desc", "distinct", "do", "else", "end", "false", "for", "foreign", "from", "grant", "group",
		"having", "in", "into", "is", "join", "leading", "limit", "not", "null", "offset", "on", "only", "or",
		"order", "primary", "references", "select", "table", "then", "to", "trailing", "true", "union", "unique",
		"user", "using", "when", "where", "with":
		return true
	}
	return false
}

func quoteLiteral(s string) string {
	q := "'" + strings.ReplaceAll(s, "'", "''") + "'"
	if strings.Contains(s, "\\") {
		return "E" + strings.ReplaceAll(q, "\\", "\\\\")
	}
	return q
}

func escapeBytea(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		switch {
		case c == '\\':
			sb.WriteString("\\\\")
		case c < 0x20 || c > 0x7e:
			sb.WriteString("\\")
			sb.WriteString(strconv.FormatInt(int64(c)+01000, 8)[1:])
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

// pgReplacement turns a PostgreSQL regexp_replace replacement (\1..\9 for
// groups, \& for the match, \\ for a backslash) into a Go template.
func pgReplacement(repl string) string {
	var b strings.Builder
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		switch {
		case c == '$':
			b.WriteString("$$")
		case c == '\\' && i+1 < len(repl):
			n := repl[i+1]
			switch {
			case n >= '1' && n <= '9':
				b.WriteString("${" + string(n) + "}")
				i++
			case n == '&':
				b.WriteString("${0}")
				i++
			case n == '\\':
				b.WriteByte('\\')
				i++
			default:
				b.WriteByte(c)
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
