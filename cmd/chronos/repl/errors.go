package repl

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// formatServerError renders an error or notice from the server the way psql
// does, plus the SQLSTATE for errors:
//
//	ERROR:  relation "x" does not exist (SQLSTATE 42P01)
//	LINE 1: SELECT * FROM x;
//	                      ^
//	DETAIL:  ...
//	HINT:  ...
//
// query is the statement text the error's Position refers to.
func formatServerError(e *pgconn.PgError, query string) string {
	var b strings.Builder
	severity := e.Severity
	if severity == "" {
		severity = "ERROR"
	}
	fmt.Fprintf(&b, "%s:  %s", severity, e.Message)
	if e.Code != "" && isErrorSeverity(severity) {
		fmt.Fprintf(&b, " (SQLSTATE %s)", e.Code)
	}
	b.WriteByte('\n')
	if e.Position > 0 && query != "" {
		b.WriteString(errorPosition(query, int(e.Position)))
	} else if e.InternalPosition > 0 && e.InternalQuery != "" {
		b.WriteString(errorPosition(e.InternalQuery, int(e.InternalPosition)))
	}
	if e.Detail != "" {
		fmt.Fprintf(&b, "DETAIL:  %s\n", e.Detail)
	}
	if e.Hint != "" {
		fmt.Fprintf(&b, "HINT:  %s\n", e.Hint)
	}
	if e.InternalQuery != "" {
		fmt.Fprintf(&b, "QUERY:  %s\n", e.InternalQuery)
	}
	if e.Where != "" {
		fmt.Fprintf(&b, "CONTEXT:  %s\n", e.Where)
	}
	return b.String()
}

// isErrorSeverity reports whether a severity ends the statement (as opposed
// to NOTICE, WARNING and the like).
func isErrorSeverity(s string) bool {
	return s == "ERROR" || s == "FATAL" || s == "PANIC"
}

// Error position display limits, as libpq uses them.
const (
	positionDisplayWidth = 60 // longest stretch of the line shown
	positionMinRightCut  = 10 // keep this many columns after the caret
)

// errorPosition returns the "LINE n: ..." line and the caret line that point
// at the 1-based character position pos of query. Long lines are cut to
// about 60 columns around the position and marked with "...".
func errorPosition(query string, pos int) string {
	runes := []rune(query)
	loc := pos - 1
	if loc < 0 || loc > len(runes) {
		return ""
	}
	// col[i] is the screen column where rune i starts (tabs count as one
	// column and print as a space).
	col := make([]int, len(runes)+1)
	line, begin, end := 1, 0, len(runes)
	for i, r := range runes {
		w := runeWidth(r)
		if w <= 0 {
			w = 1
		}
		col[i+1] = col[i] + w
		if r == '\r' || r == '\n' {
			if i < loc {
				if r == '\r' || i == 0 || runes[i-1] != '\r' {
					line++
				}
				begin = i + 1
			} else if end == len(runes) {
				end = i
			}
		}
	}
	if end < loc {
		end = len(runes)
	}
	cutLeft, cutRight := false, false
	if col[end]-col[begin] > positionDisplayWidth {
		if col[begin]+positionDisplayWidth >= col[loc]+positionMinRightCut {
			for col[end]-col[begin] > positionDisplayWidth {
				end--
			}
			cutRight = true
		} else {
			for col[loc]+positionMinRightCut < col[end] {
				end--
				cutRight = true
			}
			for col[end]-col[begin] > positionDisplayWidth {
				begin++
				cutLeft = true
			}
		}
	}
	prefix := fmt.Sprintf("LINE %d: ", line)
	if cutLeft {
		prefix += "..."
	}
	text := strings.ReplaceAll(string(runes[begin:end]), "\t", " ")
	var b strings.Builder
	b.WriteString(prefix)
	b.WriteString(text)
	if cutRight {
		b.WriteString("...")
	}
	b.WriteByte('\n')
	b.WriteString(strings.Repeat(" ", len(prefix)+col[loc]-col[begin]))
	b.WriteString("^\n")
	return b.String()
}

// formatError renders any error from running a statement: server errors as
// psql shows them, others (a broken connection, a timeout) on one line.
func formatError(err error, query string) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return formatServerError(pgErr, query)
	}
	return fmt.Sprintf("ERROR:  %v\n", err)
}
