package repl

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// runeWidth is the number of terminal columns r occupies: 0 for combining
// and other zero-width characters, 2 for East Asian wide and full-width
// characters, -1 for control characters, 1 otherwise.
func runeWidth(r rune) int {
	switch {
	case r == 0:
		return 0
	case r < 0x20 || (r >= 0x7f && r < 0xa0):
		return -1
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return 0
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// displayWidth is the number of terminal columns s occupies when printed
// as is; control characters count as one column.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		w := runeWidth(r)
		if w < 0 {
			w = 1
		}
		n += w
	}
	return n
}

// cellLine is one display line of a formatted cell.
type cellLine struct {
	text  string
	width int
}

// formatCell turns a value into the display lines psql shows for it: the
// value is split at newlines, a tab becomes spaces up to the next multiple
// of eight columns, a carriage return becomes `\r`, other control
// characters become `\xNN` (ASCII) or `\uNNNN`.
func formatCell(s string) []cellLine {
	var lines []cellLine
	var b strings.Builder
	w := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '\n':
			lines = append(lines, cellLine{b.String(), w})
			b.Reset()
			w = 0
		case r == '\r':
			b.WriteString(`\r`)
			w += 2
		case r == '\t':
			for {
				b.WriteByte(' ')
				w++
				if w%8 == 0 {
					break
				}
			}
		case r == utf8.RuneError && size == 1:
			// An invalid byte: show it like an ASCII control character.
			fmt.Fprintf(&b, `\x%02X`, s[i-1])
			w += 4
		default:
			rw := runeWidth(r)
			switch {
			case rw >= 0:
				b.WriteRune(r)
				w += rw
			case r < 0x80:
				fmt.Fprintf(&b, `\x%02X`, r)
				w += 4
			default:
				fmt.Fprintf(&b, `\u%04X`, r)
				w += 6
			}
		}
	}
	return append(lines, cellLine{b.String(), w})
}

// cellSize returns the widest line's width and the number of lines of a
// formatted cell.
func cellSize(lines []cellLine) (w, h int) {
	for _, l := range lines {
		w = max(w, l.width)
	}
	return w, len(lines)
}
