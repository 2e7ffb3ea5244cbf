package dialect

import (
	"strings"

	"github.com/chronos-db/chronos/engine/sqlerr"
)

// copyOption is one option of COPY as written, in either syntax.
type copyOption struct {
	name  string
	at    token
	value string   // a string, number or word value; "" when none
	set   bool     // a value was given
	list  []string // a column list, for FORCE_*
	star  bool     // the value was *
}

// copy parses COPY table [(columns)] FROM STDIN | TO STDOUT [options] and
// COPY (query) TO STDOUT [options], with the option list of PostgreSQL 9.0+
// ([WITH] (FORMAT csv, HEADER, ...)) or the older one (WITH CSV HEADER
// DELIMITER ',').
func (c *cursor) copy() (*Copy, error) {
	cp := &Copy{}
	var opts []copyOption
	if c.at("binary") {
		opts = append(opts, copyOption{name: "format", at: c.toks[c.i], value: "binary", set: true})
		c.i++
	}
	if c.i < len(c.toks) && c.toks[c.i].isPunct("(") {
		e := matchClose(c.toks, c.i)
		if e < 0 || e == c.i+1 {
			return nil, c.sp.syntaxAt(c.toks, c.i+1)
		}
		q, err := c.sp.statement(c.toks[c.i+1 : e])
		if err != nil {
			return nil, err
		}
		if q.AST == nil {
			return nil, c.sp.tokenError(c.toks[c.i+1])
		}
		q.Text = c.sp.src[c.toks[c.i+1].pos:c.toks[e-1].end]
		cp.Query = q
		c.i = e + 1
	} else {
		n, err := c.qualified()
		if err != nil {
			return nil, err
		}
		cp.Table = n
		if c.punct("(") {
			cols, err := c.nameList(false)
			if err != nil {
				return nil, err
			}
			if !c.punct(")") {
				return nil, c.fail()
			}
			cp.Columns = cols
		}
	}
	switch {
	case c.accept("from"):
		if cp.Query != nil {
			return nil, c.sp.tokenError(c.toks[c.i-1])
		}
		cp.From = true
		if !c.accept("stdin") {
			return nil, c.fileCopy()
		}
	case c.accept("to"):
		if !c.accept("stdout") {
			return nil, c.fileCopy()
		}
	default:
		return nil, c.fail()
	}
	more, err := c.copyOptions()
	if err != nil {
		return nil, err
	}
	opts = append(opts, more...)
	if c.at("where") {
		return nil, c.sp.errAt(sqlerr.FeatureNotSupported, c.toks[c.i], "COPY FROM ... WHERE is not supported")
	}
	if err := c.end(); err != nil {
		return nil, err
	}
	if err := c.applyCopyOptions(cp, opts); err != nil {
		return nil, err
	}
	return cp, nil
}

// fileCopy refuses COPY to or from a server file or program.
func (c *cursor) fileCopy() error {
	if c.done() {
		return c.fail()
	}
	return c.sp.errAt(sqlerr.FeatureNotSupported, c.toks[c.i], "COPY to or from a file or program is not supported").
		WithHint("Use COPY ... FROM STDIN or COPY ... TO STDOUT, or psql's \\copy.")
}

// copyOptions reads the options after FROM STDIN / TO STDOUT.
func (c *cursor) copyOptions() ([]copyOption, error) {
	c.accept("with")
	if c.i < len(c.toks) && c.toks[c.i].isPunct("(") {
		return c.genericCopyOptions()
	}
	var opts []copyOption
	for !c.done() && !c.at("where") {
		t := c.toks[c.i]
		c.i++
		o := copyOption{at: t}
		switch t.val {
		case "binary":
			o.name, o.value, o.set = "format", "binary", true
		case "csv":
			o.name, o.value, o.set = "format", "csv", true
		case "freeze", "header":
			o.name = t.val
		case "delimiter", "null", "quote", "escape", "encoding":
			o.name = t.val
			c.accept("as")
			if c.done() || c.toks[c.i].kind != tkString {
				return nil, c.fail()
			}
			o.value, o.set = c.toks[c.i].val, true
			c.i++
		case "force":
			switch {
			case c.accept("quote"):
				o.name = "force_quote"
			case c.accept("not", "null"):
				o.name = "force_not_null"
			case c.accept("null"):
				o.name = "force_null"
			default:
				return nil, c.fail()
			}
			if c.i < len(c.toks) && c.toks[c.i].isOp("*") {
				o.star = true
				c.i++
			} else {
				cols, err := c.nameList(false)
				if err != nil {
					return nil, err
				}
				o.list = cols
			}
		case "oids":
			return nil, c.sp.errAt(sqlerr.FeatureNotSupported, t, "COPY ... OIDS is not supported")
		default:
			c.i--
			return nil, c.fail()
		}
		opts = append(opts, o)
	}
	return opts, nil
}

// genericCopyOptions reads ( name [value] [, ...] ).
func (c *cursor) genericCopyOptions() ([]copyOption, error) {
	e := matchClose(c.toks, c.i)
	if e < 0 {
		return nil, c.sp.endError(c.toks, "")
	}
	var opts []copyOption
	start := c.i + 1
	for _, item := range splitTop(c.toks[start:e]) {
		if len(item) == 0 || item[0].kind != tkIdent {
			if len(item) == 0 {
				return nil, c.sp.tokenError(c.toks[min(start, e)])
			}
			return nil, c.sp.tokenError(item[0])
		}
		o := copyOption{name: item[0].val, at: item[0]}
		switch {
		case len(item) == 1:
		case len(item) == 2 && item[1].isOp("*"):
			o.star = true
		case len(item) == 2 && item[1].kind != tkPunct && item[1].kind != tkOp:
			o.value, o.set = item[1].val, true
		case len(item) >= 3 && item[1].isPunct("(") && item[len(item)-1].isPunct(")"):
			for _, col := range splitTop(item[2 : len(item)-1]) {
				if len(col) != 1 || col[0].name() == "" {
					return nil, c.sp.tokenError(item[1])
				}
				o.list = append(o.list, col[0].val)
			}
		default:
			return nil, c.sp.tokenError(item[1])
		}
		opts = append(opts, o)
		start += len(item) + 1
	}
	c.i = e + 1
	return opts, nil
}

// copyBool reads a boolean option value; no value means true.
func (c *cursor) copyBool(o copyOption) (bool, error) {
	if !o.set {
		return true, nil
	}
	switch strings.ToLower(o.value) {
	case "true", "on", "1", "yes", "t", "y":
		return true, nil
	case "false", "off", "0", "no", "f", "n":
		return false, nil
	}
	return false, c.sp.errAt(sqlerr.SyntaxError, o.at, "%s requires a Boolean value", o.name)
}

// applyCopyOptions sets cp's fields from opts and checks them the way
// PostgreSQL's ProcessCopyOptions does.
func (c *cursor) applyCopyOptions(cp *Copy, opts []copyOption) error {
	seen := map[string]bool{}
	var delimiter, null, quote, escape *string
	header := false
	for _, o := range opts {
		if seen[o.name] {
			return c.sp.errAt(sqlerr.SyntaxError, o.at, "conflicting or redundant options")
		}
		seen[o.name] = true
		strValue := func() (*string, error) {
			if !o.set {
				return nil, c.sp.errAt(sqlerr.SyntaxError, o.at, "%s requires a parameter", o.name)
			}
			v := o.value
			return &v, nil
		}
		var err error
		switch o.name {
		case "format":
			if !o.set {
				return c.sp.errAt(sqlerr.SyntaxError, o.at, "format requires a parameter")
			}
			switch strings.ToLower(o.value) {
			case "text":
				cp.Format = CopyText
			case "csv":
				cp.Format = CopyCSV
			case "binary":
				cp.Format = CopyBinary
			default:
				return c.sp.errAt(sqlerr.InvalidParameterValue, o.at, "COPY format \"%s\" not recognized", o.value)
			}
		case "freeze":
			cp.Freeze, err = c.copyBool(o)
		case "header":
			if o.set && strings.EqualFold(o.value, "match") {
				return c.sp.errAt(sqlerr.FeatureNotSupported, o.at, "HEADER MATCH is not supported")
			}
			header, err = c.copyBool(o)
		case "delimiter":
			delimiter, err = strValue()
		case "null":
			null, err = strValue()
		case "quote":
			quote, err = strValue()
		case "escape":
			escape, err = strValue()
		case "encoding":
			var v *string
			if v, err = strValue(); err == nil {
				if e := strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(*v, "-", ""), "_", "")); e != "utf8" && e != "unicode" {
					return c.sp.errAt(sqlerr.FeatureNotSupported, o.at, "COPY encoding \"%s\" is not supported", *v)
				}
			}
		case "force_quote":
			cp.ForceQuote, cp.ForceQuoteAll = o.list, o.star
		case "force_not_null":
			cp.ForceNotNull = o.list
		case "force_null":
			cp.ForceNull = o.list
		default:
			return c.sp.errAt(sqlerr.SyntaxError, o.at, "option \"%s\" not recognized", o.name)
		}
		if err != nil {
			return err
		}
		if strings.HasPrefix(o.name, "force_") && o.list == nil && !(o.star && o.name == "force_quote") {
			return c.sp.errAt(sqlerr.SyntaxError, o.at, "argument to option \"%s\" must be a list of column names", o.name)
		}
	}
	errAt := func(code sqlerr.Code, name, format string, args ...any) error {
		at := c.toks[0]
		for _, o := range opts {
			if o.name == name {
				at = o.at
			}
		}
		return c.sp.errAt(code, at, format, args...)
	}
	csv := cp.Format == CopyCSV
	if cp.Format == CopyBinary {
		switch {
		case delimiter != nil:
			return errAt(sqlerr.SyntaxError, "delimiter", "cannot specify DELIMITER in BINARY mode")
		case null != nil:
			return errAt(sqlerr.SyntaxError, "null", "cannot specify NULL in BINARY mode")
		case header:
			return errAt(sqlerr.FeatureNotSupported, "header", "cannot specify HEADER in BINARY mode")
		}
	}
	cp.Header = header
	cp.Delimiter, cp.Null, cp.Quote = "\t", `\N`, `"`
	if csv {
		cp.Delimiter, cp.Null = ",", ""
	}
	if delimiter != nil {
		cp.Delimiter = *delimiter
	}
	if null != nil {
		cp.Null = *null
	}
	if quote != nil {
		if !csv {
			return errAt(sqlerr.FeatureNotSupported, "quote", "COPY quote available only in CSV mode")
		}
		cp.Quote = *quote
	}
	cp.Escape = cp.Quote
	if escape != nil {
		if !csv {
			return errAt(sqlerr.FeatureNotSupported, "escape", "COPY escape available only in CSV mode")
		}
		cp.Escape = *escape
	}
	if cp.Format == CopyBinary {
		cp.Delimiter, cp.Null, cp.Quote, cp.Escape = "", "", "", ""
	}
	if !csv && (cp.ForceQuote != nil || cp.ForceQuoteAll) {
		return errAt(sqlerr.FeatureNotSupported, "force_quote", "COPY force quote available only in CSV mode")
	}
	if !csv && cp.ForceNotNull != nil {
		return errAt(sqlerr.FeatureNotSupported, "force_not_null", "COPY force not null available only in CSV mode")
	}
	if !csv && cp.ForceNull != nil {
		return errAt(sqlerr.FeatureNotSupported, "force_null", "COPY force null available only in CSV mode")
	}
	if cp.Format == CopyBinary {
		return nil
	}
	switch {
	case len(cp.Delimiter) != 1:
		return errAt(sqlerr.FeatureNotSupported, "delimiter", "COPY delimiter must be a single one-byte character")
	case cp.Delimiter == "\n" || cp.Delimiter == "\r":
		return errAt(sqlerr.InvalidParameterValue, "delimiter", "COPY delimiter cannot be newline or carriage return")
	case strings.ContainsAny(cp.Null, "\r\n"):
		return errAt(sqlerr.InvalidParameterValue, "null", "COPY null representation cannot use newline or carriage return")
	case !csv && strings.Contains(`\.abcdefghijklmnopqrstuvwxyz0123456789`, cp.Delimiter):
		return errAt(sqlerr.InvalidParameterValue, "delimiter", "COPY delimiter cannot be \"%s\"", cp.Delimiter)
	case csv && len(cp.Quote) != 1:
		return errAt(sqlerr.FeatureNotSupported, "quote", "COPY quote must be a single one-byte character")
	case csv && cp.Delimiter == cp.Quote:
		return errAt(sqlerr.InvalidParameterValue, "quote", "COPY delimiter and quote must be different")
	case csv && len(cp.Escape) != 1:
		return errAt(sqlerr.FeatureNotSupported, "escape", "COPY escape must be a single one-byte character")
	case strings.Contains(cp.Null, cp.Delimiter):
		return errAt(sqlerr.InvalidParameterValue, "null", "COPY delimiter must not appear in the NULL specification")
	case csv && strings.Contains(cp.Null, cp.Quote):
		return errAt(sqlerr.InvalidParameterValue, "null", "CSV quote character must not appear in the NULL specification")
	}
	if cp.From && (cp.ForceQuote != nil || cp.ForceQuoteAll) {
		return errAt(sqlerr.FeatureNotSupported, "force_quote", "COPY force quote only available using COPY TO")
	}
	if !cp.From && (cp.ForceNotNull != nil || cp.ForceNull != nil) {
		return errAt(sqlerr.FeatureNotSupported, "force_not_null", "COPY force not null only available using COPY FROM")
	}
	return nil
}
