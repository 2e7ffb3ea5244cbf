package engine

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/chronos-db/chronos/engine/dialect"
	"github.com/chronos-db/chronos/engine/expr"
	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/storage"
	"github.com/chronos-db/chronos/engine/types"
)

// COPY. The protocol layer runs COPY's sub-protocol; the engine parses
// and formats the data. A COPY statement's Result carries a CopyIn (COPY
// ... FROM STDIN) or a CopyOut (COPY ... TO STDOUT), but only for
// sessions opened with SessionOptions.Copy, whose caller knows to look:
// for the others COPY is 0A000.
//
// For COPY FROM STDIN the caller sends CopyInResponse (CopyIn.Columns,
// CopyIn.Binary), feeds each CopyData to CopyIn.Write, and ends with
// CopyIn.Done on CopyDone (its Result is the statement's, "COPY n") or
// CopyIn.Fail on CopyFail. Rows go through the log in batches of
// copyBatchRows as the data arrives, each batch a staging entry, and Done
// commits them all at once (copystage.go): a failed COPY writes nothing.
// Binary data is decoded by the caller and given row by row to WriteRow.
// The emit call carrying the CopyIn must finish the copy before it
// returns.
//
// For COPY TO STDOUT the Result's CopyOut holds the formatted rows, one
// CopyData message each (for the binary format the values and their
// types, which the caller encodes), and the Result's Tag is "COPY n".

// copyBatchRows is how many rows one write command of a COPY holds.
const copyBatchRows = 2000

// CopyIn is a COPY ... FROM STDIN waiting for its data.
type CopyIn struct {
	s      *Session
	ctx    context.Context
	def    *storage.TableDef
	opt    *dialect.Copy
	format dialect.CopyFormat
	// targets are the table columns the data's fields fill, in order.
	targets []int
	// defaults and serial fill the other columns.
	defaults []expr.Expr
	serial   []int

	buf     []byte // data not yet parsed (an incomplete line)
	line    int    // lines read so far
	header  bool   // a header line is still to be skipped
	ended   bool   // the end marker \. was read
	pending [][]types.Value
	count   int
	err     error
	stager  *copyStager
}

// CopyOut is the data of a COPY ... TO STDOUT.
type CopyOut struct {
	// Binary selects the binary format: Types and Values hold the rows
	// and Rows is empty.
	Binary bool
	Types  []types.T
	Values [][]types.Value
	// Columns is the number of columns of each row.
	Columns int
	// Rows are the formatted rows, each with its line terminator: one
	// CopyData message each.
	Rows [][]byte
}

// Columns returns the number of columns the data holds per row.
func (c *CopyIn) Columns() int { return len(c.targets) }

// Binary reports whether the data is in binary format: the caller decodes
// it and calls WriteRow.
func (c *CopyIn) Binary() bool { return c.format == dialect.CopyBinary }

// ColumnTypes returns the types of the data's fields, in order.
func (c *CopyIn) ColumnTypes() []types.T {
	out := make([]types.T, len(c.targets))
	for i, p := range c.targets {
		out[i] = c.def.Columns[p].Type
	}
	return out
}

// WriteRow takes one decoded row of binary data, a value per field in the
// Go representation of its ColumnTypes entry; values are assignment-cast
// to their columns (varchar(n) lengths, numeric scales).
func (c *CopyIn) WriteRow(vals []types.Value) error {
	if c.err != nil {
		return c.err
	}
	if len(vals) != len(c.targets) {
		return c.fail(c.errAt(sqlerr.New(sqlerr.BadCopyFileFormat, "row field count is %d, expected %d", len(vals), len(c.targets))))
	}
	row := make([]types.Value, len(c.def.Columns))
	for i, v := range vals {
		if v == nil {
			continue
		}
		t := c.def.Columns[c.targets[i]].Type
		cv, err := types.Cast(v, types.T{OID: t.OID, Mod: -1}, t, false)
		if err != nil {
			return c.fail(c.errAtColumn(err, c.def.Columns[c.targets[i]].Name, ""))
		}
		row[c.targets[i]] = cv
	}
	if err := c.fillDefaults(row); err != nil {
		return c.fail(err)
	}
	c.line++
	c.pending = append(c.pending, row)
	if len(c.pending) >= copyBatchRows {
		if err := c.flush(); err != nil {
			return c.fail(err)
		}
	}
	return nil
}

// fail ends the copy with err: the rows staged so far are dropped.
func (c *CopyIn) fail(err error) error {
	c.err = err
	if c.stager != nil {
		c.stager.abort()
	}
	return err
}

// planCopy plans COPY.
func (s *Session) planCopy(x *dialect.Copy) (stmtPlan, error) {
	if !s.copyEnabled {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "COPY is not supported by this connection")
	}
	if x.Format != dialect.CopyBinary && len(x.Delimiter) != 1 {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "COPY delimiter must be a single one-byte character")
	}
	if x.From {
		return &funcPlan{fn: func(ctx context.Context, s *Session, _ []types.Value) (Result, error) {
			c, err := s.newCopyIn(ctx, x)
			if err != nil {
				return Result{}, err
			}
			return Result{CopyIn: c}, nil
		}}, nil
	}
	return &funcPlan{fn: func(ctx context.Context, s *Session, _ []types.Value) (Result, error) {
		return s.copyOut(ctx, x)
	}}, nil
}

// newCopyIn prepares a COPY FROM STDIN.
func (s *Session) newCopyIn(ctx context.Context, x *dialect.Copy) (*CopyIn, error) {
	t, ok := lookupTable(s.db.Snapshot(), x.Table)
	if !ok {
		if _, isView := lookupView(s.db.Snapshot(), x.Table); isView {
			return nil, sqlerr.New(sqlerr.WrongObjectType, "cannot copy to view \"%s\"", x.Table)
		}
		return nil, sqlerr.New(sqlerr.UndefinedTable, "relation \"%s\" does not exist", x.Table)
	}
	def := t.Def()
	c := &CopyIn{s: s, ctx: ctx, def: def, opt: x, format: x.Format, header: x.Header, stager: newCopyStager(s.db)}
	targets, err := copyTargets(def, x.Columns)
	if err != nil {
		return nil, err
	}
	c.targets = targets
	given := make([]bool, len(def.Columns))
	for _, p := range targets {
		given[p] = true
	}
	c.defaults = make([]expr.Expr, len(def.Columns))
	for i, col := range def.Columns {
		switch {
		case given[i]:
		case col.Serial:
			c.serial = append(c.serial, i)
		case col.Default != "":
			e, err := compileDefault(col)
			if err != nil {
				return nil, err
			}
			c.defaults[i] = e
		}
	}
	return c, nil
}

// copyTargets resolves COPY's column list (all columns when empty).
func copyTargets(def *storage.TableDef, cols []string) ([]int, error) {
	if len(cols) == 0 {
		out := make([]int, len(def.Columns))
		for i := range out {
			out[i] = i
		}
		return out, nil
	}
	var out []int
	for _, c := range cols {
		p := columnPos(def, c)
		if p < 0 {
			return nil, sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", c, def.Name)
		}
		if containsInt(out, p) {
			return nil, sqlerr.New(sqlerr.DuplicateColumn, "column \"%s\" specified more than once", c)
		}
		out = append(out, p)
	}
	return out, nil
}

// Write takes one chunk of COPY data (a CopyData message); chunks may
// split rows anywhere.
func (c *CopyIn) Write(data []byte) error {
	if c.err != nil {
		return c.err
	}
	c.buf = append(c.buf, data...)
	if err := c.parse(false); err != nil {
		return c.fail(err)
	}
	if len(c.pending) >= copyBatchRows {
		if err := c.flush(); err != nil {
			return c.fail(err)
		}
	}
	return nil
}

// Done ends the data (CopyDone) and returns the statement's result.
func (c *CopyIn) Done() (Result, error) {
	if c.err != nil {
		return Result{}, c.err
	}
	if err := c.parse(true); err != nil {
		return Result{}, c.fail(err)
	}
	if err := c.flush(); err != nil {
		return Result{}, c.fail(err)
	}
	if c.stager.batches > 0 {
		res, err := c.stager.commit(c.ctx)
		c.stager.batches = 0 // the commit entry consumed them, or they expire
		if err == nil {
			err = res.Err
		}
		if err != nil {
			c.err = err
			return Result{}, err
		}
	}
	c.err = errCopyDone
	return Result{Tag: fmt.Sprintf("COPY %d", c.count)}, nil
}

// Fail abandons the copy (CopyFail) and returns the error to report.
func (c *CopyIn) Fail(reason string) error {
	if c.err != nil {
		return c.err
	}
	return c.fail(sqlerr.New(sqlerr.QueryCanceled, "COPY from stdin failed: %s", reason))
}

// errCopyDone is the state of a CopyIn after Done.
var errCopyDone = sqlerr.New(sqlerr.ObjectNotInPrerequisiteState, "COPY has already ended")

// parse turns the complete rows in buf into values; at the end of the
// data (final) an unterminated last row counts too.
func (c *CopyIn) parse(final bool) error {
	for !c.ended && len(c.buf) > 0 {
		fields, n, err := c.nextRecord(final)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		c.buf = c.buf[n:]
		if fields == nil {
			c.line++
			continue
		}
		if c.header {
			c.header = false
			c.line++
			continue
		}
		row, err := c.convert(fields)
		if err != nil {
			return err
		}
		c.line++
		c.pending = append(c.pending, row)
		if len(c.pending) >= copyBatchRows {
			if err := c.flush(); err != nil {
				return err
			}
		}
	}
	if c.ended {
		c.buf = c.buf[:0]
	}
	return nil
}

// copyField is one parsed field: its text, or NULL.
type copyField struct {
	text string
	null bool
}

// nextRecord reads one record from buf: its fields (nil for a line to
// skip) and the bytes it used, 0 when the record is incomplete.
func (c *CopyIn) nextRecord(final bool) ([]copyField, int, error) {
	if c.format == dialect.CopyCSV {
		return c.nextCSV(final)
	}
	end := bytes.IndexByte(c.buf, '\n')
	used := end + 1
	if end < 0 {
		if !final {
			return nil, 0, nil
		}
		end, used = len(c.buf), len(c.buf)
	}
	line := c.buf[:end]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	if string(line) == `\.` {
		c.ended = true
		return nil, used, nil
	}
	var fields []copyField
	delim := c.opt.Delimiter[0]
	for _, raw := range bytes.Split(line, []byte{delim}) {
		if string(raw) == c.opt.Null {
			fields = append(fields, copyField{null: true})
			continue
		}
		s, err := unescapeCopyText(raw)
		if err != nil {
			return nil, 0, c.errAt(err)
		}
		fields = append(fields, copyField{text: s})
	}
	return fields, used, nil
}

// unescapeCopyText decodes the backslash escapes of COPY's text format.
func unescapeCopyText(raw []byte) (string, error) {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw), nil
	}
	var sb strings.Builder
	for i := 0; i < len(raw); i++ {
		ch := raw[i]
		if ch != '\\' || i+1 >= len(raw) {
			sb.WriteByte(ch)
			continue
		}
		i++
		switch e := raw[i]; e {
		case 'b':
			sb.WriteByte('\b')
		case 'f':
			sb.WriteByte('\f')
		case 'n':
			sb.WriteByte('\n')
		case 'r':
			sb.WriteByte('\r')
		case 't':
			sb.WriteByte('\t')
		case 'v':
			sb.WriteByte('\v')
		case 'x':
			j := i + 1
			for j < len(raw) && j < i+3 && isHex(raw[j]) {
				j++
			}
			if j == i+1 {
				sb.WriteByte('x')
				continue
			}
			v, _ := strconv.ParseUint(string(raw[i+1:j]), 16, 8)
			sb.WriteByte(byte(v))
			i = j - 1
		default:
			if e >= '0' && e <= '7' {
				j := i
				for j < len(raw) && j < i+3 && raw[j] >= '0' && raw[j] <= '7' {
					j++
				}
				v, _ := strconv.ParseUint(string(raw[i:j]), 8, 16)
				sb.WriteByte(byte(v))
				i = j - 1
				continue
			}
			sb.WriteByte(e)
		}
	}
	return sb.String(), nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// nextCSV reads one CSV record, which may span lines inside quotes.
func (c *CopyIn) nextCSV(final bool) ([]copyField, int, error) {
	buf := c.buf
	delim, quote, escape := c.opt.Delimiter[0], byte('"'), byte('"')
	if c.opt.Quote != "" {
		quote = c.opt.Quote[0]
	}
	if c.opt.Escape != "" {
		escape = c.opt.Escape[0]
	} else {
		escape = quote
	}
	// The end marker is a line of its own.
	if bytes.HasPrefix(buf, []byte(`\.`)) {
		rest := buf[2:]
		if len(rest) == 0 && final || bytes.HasPrefix(rest, []byte("\n")) || bytes.HasPrefix(rest, []byte("\r\n")) {
			c.ended = true
			return nil, len(buf), nil
		}
	}
	var fields []copyField
	var field []byte
	quoted, inQuotes := false, false
	i := 0
	for ; i < len(buf); i++ {
		ch := buf[i]
		if inQuotes {
			switch {
			case escape != quote && ch == escape && i+1 < len(buf) && (buf[i+1] == quote || buf[i+1] == escape):
				field = append(field, buf[i+1])
				i++
			case ch == quote && escape == quote && i+1 < len(buf) && buf[i+1] == quote:
				field = append(field, quote)
				i++
			case ch == quote && escape == quote && i+1 == len(buf) && !final:
				// A doubled quote may continue in the next chunk.
				return nil, 0, nil
			case ch == quote:
				inQuotes = false
			default:
				field = append(field, ch)
			}
			continue
		}
		switch ch {
		case quote:
			inQuotes, quoted = true, true
		case delim:
			fields = append(fields, c.csvField(field, quoted))
			field, quoted = field[:0:0], false
		case '\n':
			fields = append(fields, c.csvField(trimCR(field, quoted), quoted))
			return fields, i + 1, nil
		default:
			field = append(field, ch)
		}
	}
	if inQuotes {
		if final {
			return nil, 0, c.errAt(sqlerr.New(sqlerr.BadCopyFileFormat, "unterminated CSV quoted field"))
		}
		return nil, 0, nil
	}
	if !final {
		return nil, 0, nil
	}
	fields = append(fields, c.csvField(field, quoted))
	return fields, i, nil
}

func trimCR(f []byte, quoted bool) []byte {
	if !quoted && len(f) > 0 && f[len(f)-1] == '\r' {
		return f[:len(f)-1]
	}
	return f
}

// csvField makes a field: unquoted text equal to the NULL string is NULL.
func (c *CopyIn) csvField(f []byte, quoted bool) copyField {
	if !quoted && string(f) == c.opt.Null {
		return copyField{null: true}
	}
	return copyField{text: string(f)}
}

// convert turns a record's fields into a table row.
func (c *CopyIn) convert(fields []copyField) ([]types.Value, error) {
	if len(fields) != len(c.targets) {
		if len(fields) < len(c.targets) {
			return nil, c.errAt(sqlerr.New(sqlerr.BadCopyFileFormat, "missing data for column \"%s\"", c.def.Columns[c.targets[len(fields)]].Name))
		}
		return nil, c.errAt(sqlerr.New(sqlerr.BadCopyFileFormat, "extra data after last expected column"))
	}
	row := make([]types.Value, len(c.def.Columns))
	for i, f := range fields {
		if f.null {
			continue
		}
		col := c.def.Columns[c.targets[i]]
		v, err := types.ParseText(f.text, col.Type)
		if err != nil {
			return nil, c.errAtColumn(err, col.Name, f.text)
		}
		row[c.targets[i]] = v
	}
	if err := c.fillDefaults(row); err != nil {
		return nil, err
	}
	return row, nil
}

// fillDefaults evaluates the defaults of the columns the data leaves out.
func (c *CopyIn) fillDefaults(row []types.Value) error {
	var st *execState
	for i, d := range c.defaults {
		if d == nil {
			continue
		}
		if st == nil {
			st = newExecState(c.ctx, c.s, c.s.db.Snapshot(), nil)
		}
		v, err := d.Eval(&st.ectx, nil)
		if err != nil {
			return err
		}
		row[i] = v
	}
	return nil
}

// errAt adds the COPY's position to a data error.
func (c *CopyIn) errAt(err error) error {
	e := sqlerr.As(err)
	if e == nil {
		return err
	}
	out := *e
	out.Detail = fmt.Sprintf("COPY %s, line %d", c.def.Name, c.line+1)
	return &out
}

// errAtColumn adds the COPY's position and the column (and the field's
// text, when given) to a data error, as PostgreSQL's COPY context reads.
func (c *CopyIn) errAtColumn(err error, column, text string) error {
	e := sqlerr.As(err)
	if e == nil {
		return err
	}
	out := *e
	out.Detail = fmt.Sprintf("COPY %s, line %d, column %s", c.def.Name, c.line+1, column)
	if text != "" {
		out.Detail += fmt.Sprintf(": \"%s\"", text)
	}
	return &out
}

// flush stages the pending rows as one entry.
func (c *CopyIn) flush() error {
	if len(c.pending) == 0 {
		return nil
	}
	w := &storage.Write{Ops: make([]storage.Op, len(c.pending))}
	for i, row := range c.pending {
		w.Ops[i] = storage.Op{Kind: storage.OpInsert, Table: c.def.Name, Values: row, SerialColumns: c.serial,
			TableOID: c.def.OID, SchemaVersion: c.def.Version}
	}
	if err := c.stager.stage(c.ctx, w); err != nil {
		return err
	}
	c.count += len(c.pending)
	c.pending = c.pending[:0]
	return nil
}

// copyOut runs COPY ... TO STDOUT.
func (s *Session) copyOut(ctx context.Context, x *dialect.Copy) (Result, error) {
	var node planNode
	var deps planDeps
	b := newBuilder(s, s.db.Snapshot(), nil)
	if x.Query != nil {
		n, err := b.buildQuery(nil, nil, x.Query.AST)
		if err != nil {
			return Result{}, err
		}
		node = n
	} else {
		t, ok := lookupTable(b.snap, x.Table)
		if !ok {
			return Result{}, sqlerr.New(sqlerr.UndefinedTable, "relation \"%s\" does not exist", x.Table)
		}
		def := t.Def()
		b.deps.addTable(def)
		targets, err := copyTargets(def, x.Columns)
		if err != nil {
			return Result{}, err
		}
		scan := &scanNode{def: def, alias: def.Name, cols: tableColumns(def, def.Name)}
		proj := &projectNode{input: scan}
		for _, p := range targets {
			c := scan.cols[p]
			proj.exprs = append(proj.exprs, expr.Column(p, c.typ, c.name))
			proj.cols = append(proj.cols, c)
		}
		node = proj
	}
	deps = b.deps
	if err := s.db.readBarrier(ctx, s.settings.stale); err != nil {
		return Result{}, err
	}
	snap := s.db.Snapshot()
	if !deps.valid(snap) {
		return Result{}, errReplan
	}
	st := newExecState(ctx, s, snap, nil)
	rows, err := collect(st, node)
	if err != nil {
		return Result{}, err
	}
	cols := resultColumns(node.columns())
	out := &CopyOut{Columns: len(cols)}
	if x.Format == dialect.CopyBinary {
		out.Binary, out.Values = true, rows
		for _, c := range cols {
			out.Types = append(out.Types, c.Type)
		}
		return Result{CopyOut: out, Tag: fmt.Sprintf("COPY %d", len(rows))}, nil
	}
	if x.Header && x.Format == dialect.CopyCSV {
		var names []string
		for _, c := range cols {
			names = append(names, csvQuote(c.Name, x, false))
		}
		out.Rows = append(out.Rows, []byte(strings.Join(names, x.Delimiter)+"\n"))
	}
	for _, row := range rows {
		var sb strings.Builder
		for i, v := range row {
			if i > 0 {
				sb.WriteString(x.Delimiter)
			}
			if v == nil {
				sb.WriteString(x.Null)
				continue
			}
			text := types.FormatText(v, cols[i].Type)
			if x.Format == dialect.CopyCSV {
				sb.WriteString(csvQuote(text, x, true))
			} else {
				sb.WriteString(escapeCopyText(text, x.Delimiter[0]))
			}
		}
		sb.WriteByte('\n')
		out.Rows = append(out.Rows, []byte(sb.String()))
	}
	return Result{CopyOut: out, Tag: fmt.Sprintf("COPY %d", len(rows))}, nil
}

// escapeCopyText escapes a value for COPY's text format.
func escapeCopyText(s string, delim byte) string {
	if !strings.ContainsAny(s, "\\\n\r\t") && strings.IndexByte(s, delim) < 0 {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; ch {
		case '\\':
			sb.WriteString(`\\`)
		case '\n':
			sb.WriteString(`\n`)
		case '\r':
			sb.WriteString(`\r`)
		case '\t':
			sb.WriteString(`\t`)
		default:
			if ch == delim {
				sb.WriteByte('\\')
			}
			sb.WriteByte(ch)
		}
	}
	return sb.String()
}

// csvQuote quotes a CSV value when it must be: it holds the delimiter,
// the quote, a line break, or (a value, not a header) equals the NULL
// string.
func csvQuote(s string, x *dialect.Copy, value bool) string {
	quote := `"`
	if x.Quote != "" {
		quote = x.Quote
	}
	escape := quote
	if x.Escape != "" {
		escape = x.Escape
	}
	if !(strings.Contains(s, x.Delimiter) || strings.Contains(s, quote) || strings.ContainsAny(s, "\r\n") || (value && s == x.Null) || s == `\.`) {
		return s
	}
	s = strings.ReplaceAll(s, escape, escape+escape)
	if escape != quote {
		s = strings.ReplaceAll(s, quote, escape+quote)
	}
	return quote + s + quote
}
