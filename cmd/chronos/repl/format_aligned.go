package repl

import "fmt"

// aligned prints the default format: centred headers, a rule, padded cells
// separated by " | ", multi-line cells marked with "+", then the footers.
func (p *printer) aligned() {
	cols := p.t.Columns
	n := len(cols)
	headers := make([][]cellLine, n)
	widths := make([]int, n)
	headerHeight := 0
	for i, c := range cols {
		headers[i] = formatCell(c.Name)
		w, h := cellSize(headers[i])
		widths[i] = w
		headerHeight = max(headerHeight, h)
	}
	rows := make([][][]cellLine, len(p.t.Rows))
	for r, row := range p.t.Rows {
		rows[r] = make([][]cellLine, n)
		for i := 0; i < n && i < len(row); i++ {
			rows[r][i] = formatCell(p.text(row[i]))
			w, _ := cellSize(rows[r][i])
			widths[i] = max(widths[i], w)
		}
	}

	if !p.o.TuplesOnly {
		if p.t.Title != "" {
			total := 0
			if n > 0 {
				total = n*3 - 1
			}
			for _, w := range widths {
				total += w
			}
			tw := displayWidth(p.t.Title)
			if tw < total {
				p.spaces((total - tw) / 2)
			}
			p.w.WriteString(p.t.Title)
			p.w.WriteByte('\n')
		}
		for line := 0; line < headerHeight; line++ {
			for i := range cols {
				p.w.WriteByte(' ')
				more := false
				if line < len(headers[i]) {
					h := headers[i][line]
					pad := widths[i] - h.width
					p.spaces(pad / 2)
					p.w.WriteString(h.text)
					p.spaces((pad + 1) / 2)
					more = line+1 < len(headers[i])
				} else {
					p.spaces(widths[i])
				}
				if more {
					p.w.WriteByte('+')
				} else {
					p.w.WriteByte(' ')
				}
				if i < n-1 {
					p.w.WriteByte('|')
				}
			}
			p.w.WriteByte('\n')
		}
		p.w.WriteByte('-')
		for i, w := range widths {
			p.repeat("-", w)
			if i < n-1 {
				p.w.WriteString("-+-")
			}
		}
		p.w.WriteString("-\n")
	}

	for _, row := range rows {
		if n == 0 {
			continue // a row without columns prints no line
		}
		height := 1
		for _, c := range row {
			height = max(height, len(c))
		}
		for line := 0; line < height; line++ {
			for i := range cols {
				last := i == n-1
				var cell []cellLine
				if i < len(row) {
					cell = row[i]
				}
				// A continuation line of a multi-line cell starts with the
				// nl_left mark, a space in the ascii style.
				p.w.WriteByte(' ')
				more := line+1 < len(cell)
				if line >= len(cell) {
					if !last {
						p.spaces(widths[i])
					}
				} else if cols[i].rightAligned() {
					p.spaces(widths[i] - cell[line].width)
					p.w.WriteString(cell[line].text)
				} else {
					p.w.WriteString(cell[line].text)
					if !last || more {
						p.spaces(widths[i] - cell[line].width)
					}
				}
				switch {
				case more:
					p.w.WriteByte('+')
				case !last:
					p.w.WriteByte(' ')
				}
				if !last {
					p.w.WriteByte('|')
				}
			}
			p.w.WriteByte('\n')
		}
	}

	if !p.o.TuplesOnly {
		for _, f := range p.footers() {
			p.w.WriteString(f)
			p.w.WriteByte('\n')
		}
	}
	p.w.WriteByte('\n')
}

// alignedVertical prints expanded mode (\x): a "-[ RECORD n ]" line per row,
// then one "name | value" line per column.
func (p *printer) alignedVertical() {
	cols := p.t.Columns
	if len(p.t.Rows) == 0 {
		if !p.o.TuplesOnly {
			for _, f := range p.footers() {
				p.w.WriteString(f)
				p.w.WriteByte('\n')
			}
		}
		p.w.WriteByte('\n')
		return
	}
	headers := make([][]cellLine, len(cols))
	hwidth, dwidth := 0, 0
	for i, c := range cols {
		headers[i] = formatCell(c.Name)
		w, _ := cellSize(headers[i])
		hwidth = max(hwidth, w)
	}
	rows := make([][][]cellLine, len(p.t.Rows))
	for r, row := range p.t.Rows {
		rows[r] = make([][]cellLine, len(cols))
		for i := range cols {
			var c Cell
			if i < len(row) {
				c = row[i]
			}
			rows[r][i] = formatCell(p.text(c))
			w, _ := cellSize(rows[r][i])
			dwidth = max(dwidth, w)
		}
	}
	// psql 15 sizes the data column to the widest value only; the record
	// header line may stick out (later versions widen the column to it).

	if !p.o.TuplesOnly && p.t.Title != "" {
		p.w.WriteString(p.t.Title)
		p.w.WriteByte('\n')
	}
	for r, row := range rows {
		switch {
		case !p.o.TuplesOnly:
			p.recordLine(fmt.Sprintf("[ RECORD %d ]", r+1), hwidth, dwidth)
		case r > 0:
			p.recordLine("", hwidth, dwidth)
		}
		for i := range cols {
			hl, dl := 0, 0
			hdone, ddone := false, false
			head, data := headers[i], row[i]
			for !hdone || !ddone {
				if !hdone {
					p.w.WriteString(head[hl].text)
					p.spaces(hwidth - head[hl].width)
					if hl+1 < len(head) {
						p.w.WriteByte('+')
						hl++
					} else {
						p.w.WriteByte(' ')
						hdone = true
					}
				} else {
					p.spaces(hwidth + 1)
				}
				p.w.WriteByte('|')
				if ddone {
					p.w.WriteByte('\n')
					continue
				}
				p.w.WriteByte(' ')
				p.w.WriteString(data[dl].text)
				if dl+1 < len(data) {
					p.spaces(dwidth - data[dl].width)
					p.w.WriteByte('+')
					dl++
				} else {
					ddone = true
				}
				p.w.WriteByte('\n')
			}
		}
	}
	if !p.o.TuplesOnly && p.t.Footers != nil {
		p.w.WriteByte('\n')
		for _, f := range p.t.Footers {
			p.w.WriteString(f)
			p.w.WriteByte('\n')
		}
	}
	p.w.WriteByte('\n')
}

// recordLine prints an expanded-mode record header: "-[ RECORD 3 ]" padded
// with dashes, with "-+-" where the column separator falls if the label
// leaves room for it.
func (p *printer) recordLine(label string, hwidth, dwidth int) {
	p.w.WriteByte('-')
	p.w.WriteString(label)
	used := len(label) + 1
	p.repeat("-", hwidth-used)
	over := used - hwidth // columns of the label past the header column
	for k, s := range []string{"-", "+", "-"} {
		if over-k <= 0 {
			p.w.WriteString(s)
		}
	}
	p.repeat("-", dwidth-max(over-3, 0))
	p.w.WriteByte('\n')
}

// alignedWidth is the number of columns the aligned format needs for t,
// for \x auto.
func (t *Table) alignedWidth(o PrintOptions) int {
	n := len(t.Columns)
	if n == 0 {
		return 0
	}
	total := n*3 - 1
	for i, c := range t.Columns {
		w, _ := cellSize(formatCell(c.Name))
		for _, row := range t.Rows {
			if i < len(row) {
				cell := row[i].Text
				if row[i].Null {
					cell = o.Null
				}
				cw, _ := cellSize(formatCell(cell))
				w = max(w, cw)
			}
		}
		total += w
	}
	return total
}
