package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// copySpec is a parsed \copy command.
type copySpec struct {
	target  string // table [(columns)] or (query)
	from    bool   // FROM (into the server) or TO
	source  string // file name, or stdin/stdout/pstdin/pstdout
	options string // the rest: WITH (FORMAT csv, HEADER) ...
}

// parseCopy splits the arguments of \copy: everything up to a top-level
// FROM or TO is the target, the next word is the file, the rest are COPY
// options.
func parseCopy(rest string) (copySpec, error) {
	var spec copySpec
	depth := 0
	inQuote := byte(0)
	wordStart := -1
	for i := 0; i <= len(rest); i++ {
		var c byte = ' '
		if i < len(rest) {
			c = rest[i]
		}
		switch {
		case inQuote != 0:
			if c == inQuote {
				inQuote = 0
			}
			continue
		case c == '\'' || c == '"':
			inQuote = c
		case c == '(':
			depth++
		case c == ')':
			depth--
		}
		isSpace := c == ' ' || c == '\t'
		if !isSpace && wordStart < 0 {
			wordStart = i
		}
		if isSpace && wordStart >= 0 {
			word := strings.ToLower(rest[wordStart:i])
			if depth == 0 && (word == "from" || word == "to") && wordStart > 0 {
				spec.target = strings.TrimSpace(rest[:wordStart])
				spec.from = word == "from"
				after := strings.TrimSpace(rest[i:])
				src, opts, err := copySource(after)
				if err != nil {
					return spec, err
				}
				spec.source, spec.options = src, opts
				return spec, nil
			}
			wordStart = -1
		}
	}
	return spec, errors.New("usage: \\copy table [(columns)] {from|to} {'file'|stdin|stdout|pstdin|pstdout} [with] [options]")
}

// copySource takes the file argument off the front of s: a 'quoted' name
// or one word.
func copySource(s string) (src, rest string, err error) {
	if s == "" {
		return "", "", errors.New("missing file name")
	}
	if s[0] == '\'' {
		var b strings.Builder
		for i := 1; i < len(s); i++ {
			if s[i] == '\'' {
				if i+1 < len(s) && s[i+1] == '\'' {
					b.WriteByte('\'')
					i++
					continue
				}
				return b.String(), strings.TrimSpace(s[i+1:]), nil
			}
			b.WriteByte(s[i])
		}
		return "", "", errors.New("unterminated quoted file name")
	}
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i], strings.TrimSpace(s[i:]), nil
	}
	return s, "", nil
}

// metaCopy handles \copy: COPY ... FROM STDIN / TO STDOUT with the data
// read or written by the shell.
func metaCopy(s *session, ctx context.Context, m *metaCall) error {
	spec, err := parseCopy(m.rest)
	if err != nil {
		return s.fail(m, "%v", err)
	}
	if err := s.ensureConnected(ctx); err != nil {
		return s.fail(m, "%v", err)
	}
	options := strings.TrimSpace(spec.options)
	sql := "COPY " + spec.target
	if spec.from {
		sql += " FROM STDIN"
	} else {
		sql += " TO STDOUT"
	}
	if options != "" {
		sql += " " + options
	}
	pc := s.conn.PgConn()
	s.running.Store(pc)
	defer s.running.Store(nil)

	src := strings.ToLower(spec.source)
	var tagText string
	if spec.from {
		var r io.Reader
		switch {
		case src == "stdin" && m.in != nil:
			if s.interactive {
				fmt.Fprintln(s.cfg.Stdout, "Enter data to be copied followed by a newline.\nEnd with a backslash and a period on a line by itself, or an EOF signal.")
			}
			data, err := copyData(m.in)
			if err != nil {
				return s.fail(m, "%v", err)
			}
			r = data
		case src == "stdin" || src == "pstdin":
			r = s.cfg.Stdin
		default:
			f, err := os.Open(spec.source)
			if err != nil {
				return s.fail(m, "%v", err)
			}
			defer f.Close()
			r = f
		}
		tag, err := pc.CopyFrom(ctx, r, sql)
		if err != nil {
			s.lastTxStatus = pc.TxStatus()
			s.printError(err, "")
			return ErrFailed
		}
		tagText = tag.String()
	} else {
		var w io.Writer
		switch src {
		case "stdout":
			w = s.out
		case "pstdout":
			w = s.cfg.Stdout
		default:
			f, err := os.Create(spec.source)
			if err != nil {
				return s.fail(m, "%v", err)
			}
			defer f.Close()
			w = f
		}
		tag, err := pc.CopyTo(ctx, w, sql)
		if err != nil {
			s.lastTxStatus = pc.TxStatus()
			s.printError(err, "")
			return ErrFailed
		}
		tagText = tag.String()
	}
	s.lastTxStatus = pc.TxStatus()
	// Like psql, no tag after data written to the output itself.
	if !s.cfg.Quiet && (spec.from || (src != "stdout" && src != "pstdout")) {
		fmt.Fprintln(s.out, tagText)
	}
	return nil
}

// copyData reads lines from the shell's input up to a line holding only
// `\.` or the end of input, for \copy ... from stdin. The lines are read
// before the COPY starts, so a failing COPY leaves the input where psql
// would: after the data.
func copyData(in lineReader) (io.Reader, error) {
	var b strings.Builder
	for {
		line, err := in.ReadLine(">> ")
		if err == io.EOF || (err == nil && line == `\.`) {
			return strings.NewReader(b.String()), nil
		}
		if err != nil {
			return nil, err
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
}
