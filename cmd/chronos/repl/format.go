package repl

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/jackc/pgx/v5/pgtype"
)

// Format is an output format of \pset format.
type Format int

// The output formats.
const (
	FormatAligned   Format = iota // psql's default: padded columns, header rule, row count
	FormatUnaligned               // fields joined by "|"
	FormatCSV                     // RFC 4180 with a header line
)

// String returns the name \pset format uses.
func (f Format) String() string {
	switch f {
	case FormatUnaligned:
		return "unaligned"
	case FormatCSV:
		return "csv"
	}
	return "aligned"
}

// Column describes one result column.
type Column struct {
	Name    string
	TypeOID uint32
}

// rightAligned reports whether psql right-aligns values of the column's type
// (numbers).
func (c Column) rightAligned() bool {
	switch c.TypeOID {
	case pgtype.Int2OID, pgtype.Int4OID, pgtype.Int8OID, pgtype.Float4OID, pgtype.Float8OID,
		pgtype.NumericOID, pgtype.OIDOID, pgtype.XIDOID, pgtype.CIDOID, xid8OID, moneyOID:
		return true
	}
	return false
}

// Type OIDs psql right-aligns that pgtype does not name.
const (
	xid8OID  = 5069
	moneyOID = 790
)

// Cell is one value in text format; Null marks SQL NULL.
type Cell struct {
	Text string
	Null bool
}

// Table is a result set to print.
type Table struct {
	// Title is printed above the table (\d prints `Table "public.t"`).
	Title   string
	Columns []Column
	Rows    [][]Cell
	// Footers replace the default "(N rows)" footer when not nil.
	Footers []string
}

// PrintOptions are the \pset settings that shape output.
type PrintOptions struct {
	Format     Format
	Expanded   bool   // \x: one line per column, a header line per record
	Null       string // how NULL is shown (\pset null), empty by default
	TuplesOnly bool   // \t: rows only, no header, title or footer
}

// Print writes t in the format o selects, byte for byte as psql 15 does with
// its default border and line style.
func (t *Table) Print(w io.Writer, o PrintOptions) error {
	bw := bufio.NewWriter(w)
	p := printer{w: bw, t: t, o: o}
	switch {
	case o.Format == FormatCSV && o.Expanded:
		p.csvVertical()
	case o.Format == FormatCSV:
		p.csv()
	case o.Format == FormatUnaligned && o.Expanded:
		p.unalignedVertical()
	case o.Format == FormatUnaligned:
		p.unaligned()
	case o.Expanded:
		p.alignedVertical()
	default:
		p.aligned()
	}
	return bw.Flush()
}

// printer holds one Print call's state.
type printer struct {
	w *bufio.Writer
	t *Table
	o PrintOptions
}

// text returns a cell's text with NULL replaced by the null display.
func (p *printer) text(c Cell) string {
	if c.Null {
		return p.o.Null
	}
	return c.Text
}

// footers returns the explicit footers, or the default "(N rows)".
func (p *printer) footers() []string {
	if p.t.Footers != nil {
		return p.t.Footers
	}
	return []string{rowCount(len(p.t.Rows))}
}

// rowCount is psql's default footer.
func rowCount(n int) string {
	if n == 1 {
		return "(1 row)"
	}
	return fmt.Sprintf("(%d rows)", n)
}

func (p *printer) spaces(n int) {
	for ; n > 0; n-- {
		p.w.WriteByte(' ')
	}
}

func (p *printer) repeat(s string, n int) {
	for ; n > 0; n-- {
		p.w.WriteString(s)
	}
}

// unaligned prints \pset format unaligned: fields joined by "|".
func (p *printer) unaligned() {
	needSep := false
	if !p.o.TuplesOnly {
		if p.t.Title != "" {
			p.w.WriteString(p.t.Title)
			p.w.WriteByte('\n')
		}
		for i, c := range p.t.Columns {
			if i > 0 {
				p.w.WriteByte('|')
			}
			p.w.WriteString(c.Name)
		}
		needSep = true
	}
	for _, row := range p.t.Rows {
		if needSep {
			p.w.WriteByte('\n')
		}
		for i, c := range row {
			if i > 0 {
				p.w.WriteByte('|')
			}
			p.w.WriteString(p.text(c))
		}
		needSep = true
	}
	if !p.o.TuplesOnly {
		for _, f := range p.footers() {
			if needSep {
				p.w.WriteByte('\n')
			}
			p.w.WriteString(f)
			needSep = true
		}
	}
	if needSep {
		p.w.WriteByte('\n')
	}
}

// unalignedVertical prints unaligned expanded mode: "name|value" lines,
// records separated by a blank line.
func (p *printer) unalignedVertical() {
	needSep := false
	if !p.o.TuplesOnly && p.t.Title != "" {
		p.w.WriteString(p.t.Title)
		needSep = true
	}
	for _, row := range p.t.Rows {
		if needSep {
			p.w.WriteString("\n\n")
		}
		for i, c := range p.t.Columns {
			if i > 0 {
				p.w.WriteByte('\n')
			}
			p.w.WriteString(c.Name)
			p.w.WriteByte('|')
			if i < len(row) {
				p.w.WriteString(p.text(row[i]))
			}
		}
		needSep = true
	}
	if !p.o.TuplesOnly && p.t.Footers != nil {
		p.w.WriteByte('\n')
		for _, f := range p.t.Footers {
			p.w.WriteByte('\n')
			p.w.WriteString(f)
		}
	}
	if needSep {
		p.w.WriteByte('\n')
	}
}

// csv prints \pset format csv: a header line, then one line per row.
func (p *printer) csv() {
	if !p.o.TuplesOnly {
		for i, c := range p.t.Columns {
			if i > 0 {
				p.w.WriteByte(',')
			}
			p.csvField(c.Name)
		}
		p.w.WriteByte('\n')
	}
	for _, row := range p.t.Rows {
		for i, c := range row {
			if i > 0 {
				p.w.WriteByte(',')
			}
			p.csvField(p.text(c))
		}
		p.w.WriteByte('\n')
	}
}

// csvVertical prints csv expanded mode: one "name,value" line per cell.
func (p *printer) csvVertical() {
	for _, row := range p.t.Rows {
		for i, c := range p.t.Columns {
			p.csvField(c.Name)
			p.w.WriteByte(',')
			if i < len(row) {
				p.csvField(p.text(row[i]))
			}
			p.w.WriteByte('\n')
		}
	}
}

// csvField writes s, quoted when it holds the separator, a quote, a line
// break, or is exactly `\.` (which COPY would read as end of data).
func (p *printer) csvField(s string) {
	if !strings.ContainsAny(s, ",\"\r\n") && s != `\.` {
		p.w.WriteString(s)
		return
	}
	p.w.WriteByte('"')
	p.w.WriteString(strings.ReplaceAll(s, `"`, `""`))
	p.w.WriteByte('"')
}
