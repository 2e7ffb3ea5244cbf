package csvstore

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Field is one CSV field: a string, or SQL NULL.
type Field struct {
	// Value is the field's text; "" when Null.
	Value string
	// Null marks SQL NULL, written as an empty unquoted field.
	Null bool
}

// Str returns a non-NULL field.
func Str(s string) Field { return Field{Value: s} }

// Null is the NULL field.
var Null = Field{Null: true}

// Writer writes CSV records with "," separators and "\n" line ends. A field
// is quoted when it must be: when empty (so it differs from NULL), when it
// contains a comma, quote, CR or LF, when it starts with white space or a
// byte order mark, or when it is `\.` (PostgreSQL's end-of-data marker);
// encoding/csv's Writer quotes the same fields except the empty one and the
// byte order mark.
type Writer struct {
	w *bufio.Writer
}

// NewWriter returns a Writer buffering into w; call Flush at the end.
func NewWriter(w io.Writer) *Writer {
	if bw, ok := w.(*bufio.Writer); ok {
		return &Writer{w: bw}
	}
	return &Writer{w: bufio.NewWriterSize(w, 64<<10)}
}

// Write writes one record.
func (w *Writer) Write(record []Field) error {
	for i, f := range record {
		if i > 0 {
			w.w.WriteByte(',')
		}
		if f.Null {
			continue
		}
		if !needsQuotes(f.Value) {
			w.w.WriteString(f.Value)
			continue
		}
		w.w.WriteByte('"')
		s := f.Value
		for {
			j := strings.IndexByte(s, '"')
			if j < 0 {
				break
			}
			w.w.WriteString(s[:j+1])
			w.w.WriteByte('"')
			s = s[j+1:]
		}
		w.w.WriteString(s)
		w.w.WriteByte('"')
	}
	return w.w.WriteByte('\n')
}

// WriteStrings writes a record of non-NULL strings (a header row).
func (w *Writer) WriteStrings(record []string) error {
	fields := make([]Field, len(record))
	for i, s := range record {
		fields[i] = Str(s)
	}
	return w.Write(fields)
}

// Flush writes buffered data to the underlying writer.
func (w *Writer) Flush() error { return w.w.Flush() }

func needsQuotes(s string) bool {
	if s == "" || s == `\.` {
		return true
	}
	// Four vectorized scans beat one byte-by-byte loop on values of any
	// length worth caring about (checkpoints write every value here).
	if strings.IndexByte(s, ',') >= 0 || strings.IndexByte(s, '"') >= 0 ||
		strings.IndexByte(s, '\n') >= 0 || strings.IndexByte(s, '\r') >= 0 {
		return true
	}
	// A leading byte order mark would be taken for the file's own at the
	// start of a file.
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r) || r == '\uFEFF'
}

// ParseError is a syntax error of a CSV file, at a 1-based line and byte
// column.
type ParseError struct {
	Line   int // line where the error is
	Column int // 1-based byte offset in that line
	Err    error
}

// Error implements error.
func (e *ParseError) Error() string {
	return fmt.Sprintf("line %d, column %d: %v", e.Line, e.Column, e.Err)
}

// Unwrap returns the cause.
func (e *ParseError) Unwrap() error { return e.Err }

// The syntax errors a Reader reports, wrapped in a *ParseError.
var (
	ErrBareQuote    = errors.New(`bare " in non-quoted field`)
	ErrQuote        = errors.New(`extraneous or missing " in quoted field`)
	ErrUnterminated = errors.New(`unterminated quoted field at end of file`)
)

// Reader reads CSV records as written by Writer, or by any RFC 4180 writer:
// records end in LF or CRLF (outside quotes), quoted fields may hold any
// byte, "" inside quotes is one quote, and an empty unquoted field is NULL.
// A UTF-8 byte order mark at the very start is skipped.
type Reader struct {
	r     *bufio.Reader
	line  int // lines consumed so far
	start int // line where the last record started
	first bool

	buf    []byte  // unquoted field bytes of the current record
	ends   []int   // end offset in buf of each field
	quoted []bool  // whether each field was quoted
	fields []Field // returned, reused
}

// NewReader returns a Reader reading from r with its own buffering.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, 64<<10), first: true}
}

// Line returns the line on which the last record read started (1-based).
func (r *Reader) Line() int { return r.start }

// readLine returns the next line including its '\n' (absent at the end of
// the file), or io.EOF when nothing is left.
func (r *Reader) readLine() ([]byte, error) {
	line, err := r.r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		long := append([]byte(nil), line...)
		for err == bufio.ErrBufferFull {
			line, err = r.r.ReadSlice('\n')
			long = append(long, line...)
		}
		line = long
	}
	if len(line) > 0 && err == io.EOF {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	r.line++
	if r.first {
		r.first = false
		line = bytes.TrimPrefix(line, []byte("\xEF\xBB\xBF"))
	}
	return line, nil
}

// lineEnd returns the length of line without its LF or CRLF ending.
func lineEnd(line []byte) int {
	n := len(line)
	if n > 0 && line[n-1] == '\n' {
		n--
		if n > 0 && line[n-1] == '\r' {
			n--
		}
	}
	return n
}

// Read returns the next record, or io.EOF at the end of the input. The
// returned slice is reused by the next call, but its strings are not: they
// may be kept. Syntax errors are *ParseError.
func (r *Reader) Read() ([]Field, error) {
	line, err := r.readLine()
	if err != nil {
		return nil, err
	}
	r.start = r.line
	r.buf = r.buf[:0]
	r.ends = r.ends[:0]
	r.quoted = r.quoted[:0]
	pos := 0
	for {
		end := lineEnd(line)
		if pos >= end || line[pos] != '"' {
			// Unquoted field: up to the next comma or the line's end.
			i := bytes.IndexByte(line[pos:end], ',')
			stop := end
			if i >= 0 {
				stop = pos + i
			}
			field := line[pos:stop]
			if j := bytes.IndexByte(field, '"'); j >= 0 {
				return nil, &ParseError{Line: r.line, Column: pos + j + 1, Err: ErrBareQuote}
			}
			r.buf = append(r.buf, field...)
			r.ends = append(r.ends, len(r.buf))
			r.quoted = append(r.quoted, false)
			if i < 0 {
				break
			}
			pos = stop + 1
			continue
		}
		// Quoted field, possibly over several lines.
		pos++
		for {
			i := bytes.IndexByte(line[pos:], '"')
			if i < 0 {
				r.buf = append(r.buf, line[pos:]...)
				line, err = r.readLine()
				if err == io.EOF {
					return nil, &ParseError{Line: r.start, Column: 1, Err: ErrUnterminated}
				}
				if err != nil {
					return nil, err
				}
				pos = 0
				continue
			}
			r.buf = append(r.buf, line[pos:pos+i]...)
			pos += i + 1
			if pos < len(line) && line[pos] == '"' {
				r.buf = append(r.buf, '"')
				pos++
				continue
			}
			break
		}
		r.ends = append(r.ends, len(r.buf))
		r.quoted = append(r.quoted, true)
		end = lineEnd(line)
		if pos == end {
			break
		}
		if line[pos] != ',' {
			return nil, &ParseError{Line: r.line, Column: pos + 1, Err: ErrQuote}
		}
		pos++
	}
	s := string(r.buf)
	r.fields = r.fields[:0]
	prev := 0
	for i, e := range r.ends {
		r.fields = append(r.fields, Field{Value: s[prev:e], Null: !r.quoted[i] && prev == e})
		prev = e
	}
	return r.fields, nil
}
