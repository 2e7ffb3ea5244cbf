package pgwire

import (
	"slices"
	"strconv"
	"strings"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/jackc/pgx/v5/pgproto3"
)

// rowDescription describes result columns; formats holds one format code
// per column, or is nil for all text.
func rowDescription(cols []Column, formats []int16) *pgproto3.RowDescription {
	fields := make([]pgproto3.FieldDescription, len(cols))
	for i, col := range cols {
		fields[i] = pgproto3.FieldDescription{
			Name:                 []byte(col.Name),
			TableOID:             col.TableOID,
			TableAttributeNumber: uint16(col.AttrNum),
			DataTypeOID:          uint32(col.Type.OID),
			DataTypeSize:         col.Type.Size(),
			TypeModifier:         col.Type.Mod,
			Format:               formatOf(formats, i),
		}
	}
	return &pgproto3.RowDescription{Fields: fields}
}

// sendRowDescription sends rowDescription(cols, formats). The message is
// kept and sent again while the columns and formats stay the same, as they
// do when a prepared statement runs over and over.
func (c *conn) sendRowDescription(cols []Column, formats []int16) {
	d := &c.desc
	if d.msg == nil || !slices.Equal(cols, d.cols) || !slices.Equal(formats, d.formats) ||
		(formats == nil) != (d.formats == nil) {
		d.msg = rowDescription(cols, formats)
		d.cols, d.formats = slices.Clone(cols), slices.Clone(formats)
	}
	c.be.Send(d.msg)
}

// lastDescription is the last RowDescription sent and what it describes.
type lastDescription struct {
	msg     *pgproto3.RowDescription
	cols    []Column
	formats []int16
}

// formatOf is the format of column i under a normalized format list.
func formatOf(formats []int16, i int) int16 {
	if formats == nil {
		return textFormat
	}
	return formats[i]
}

// sendRows sends rows as DataRow messages, each value in its column's
// format, and writes out what is buffered every flushThreshold bytes so
// that a large result streams.
func (c *conn) sendRows(cols []Column, rows [][]types.Value, formats []int16) error {
	values := c.dataRow.Values
	if cap(values) < len(cols) {
		values = make([][]byte, len(cols))
	}
	values = values[:len(cols)]
	c.dataRow.Values = values
	for _, row := range rows {
		if len(row) != len(cols) {
			return sqlerr.New(sqlerr.InternalError, "result row has %d values for %d columns", len(row), len(cols))
		}
		if c.rowBuf == nil {
			// Never nil, so that an empty value is not taken for NULL.
			c.rowBuf = make([]byte, 0, 256)
		}
		buf := c.rowBuf[:0]
		ends := c.rowEnds[:0]
		for i, v := range row {
			if v != nil {
				var err error
				if buf, err = appendValue(buf, v, cols[i].Type, formatOf(formats, i)); err != nil {
					return err
				}
			}
			ends = append(ends, len(buf))
		}
		start := 0
		for i, v := range row {
			values[i] = nil
			if v != nil {
				values[i] = buf[start:ends[i]:ends[i]]
			}
			start = ends[i]
		}
		c.rowBuf, c.rowEnds = buf, ends
		c.be.Send(&c.dataRow)
		c.unflushed += len(buf) + 7 + 4*len(values)
		if c.unflushed >= flushThreshold {
			if err := c.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// sendCommandComplete sends CommandComplete with tag.
func (c *conn) sendCommandComplete(tag string) {
	c.complete.CommandTag = append(c.complete.CommandTag[:0], tag...)
	c.be.Send(&c.complete)
}

// sendNotices sends a statement's notices, before its result.
func (c *conn) sendNotices(notices []string) {
	for _, n := range notices {
		c.be.Send(noticeResponse(n))
	}
}

// sendResult sends one statement's result in the simple protocol (text
// format): its notices, then EmptyQueryResponse, or RowDescription (for a
// statement with columns), DataRows and CommandComplete. Query calls it
// through emit.
func (c *conn) sendResult(r Result) error {
	if c.writeErr != nil {
		return c.writeErr
	}
	c.sendNotices(r.Notices)
	if r.CopyIn != nil {
		res, err := c.runCopyIn(r.CopyIn)
		if err != nil {
			return err
		}
		r = res
	}
	if r.CopyOut != nil {
		if err := c.sendCopyOut(r.CopyOut); err != nil {
			return err
		}
	}
	if r.Empty {
		c.be.Send(&pgproto3.EmptyQueryResponse{})
		return nil
	}
	if r.Columns != nil {
		c.sendRowDescription(r.Columns, nil)
		if err := c.sendRows(r.Columns, r.Rows, nil); err != nil {
			return err
		}
	}
	c.sendCommandComplete(r.Tag)
	return c.writeErr
}

// retag replaces the row count at the end of a command tag ("SELECT 5",
// "INSERT 0 5") with n; PostgreSQL reports the rows of the last Execute of a
// portal that was suspended. A tag without a count is kept.
func retag(tag string, n int) string {
	i := strings.LastIndexByte(tag, ' ')
	if i < 0 {
		return tag
	}
	if _, err := strconv.ParseUint(tag[i+1:], 10, 64); err != nil {
		return tag
	}
	return tag[:i+1] + strconv.Itoa(n)
}
