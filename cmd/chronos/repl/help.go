package repl

import (
	"context"
	"fmt"
)

// helpText is what \? prints.
const helpText = `General
  \q                     quit (also Ctrl-D)
  \?                     show this help
  \g                     run the query buffer (or the previous query)
  \echo TEXT             print TEXT

Query buffer
  \p                     show the query buffer
  \r                     reset (clear) the query buffer

Input/Output
  \i FILE                run statements from FILE (\ir: relative to the current file)
  \o [FILE]              send query results to FILE, or back to standard output
  \copy ...              COPY a table from or to a client-side file, stdin or stdout

Informational (they use the catalog queries psql uses)
  \d [NAME]              list tables, views and sequences, or describe NAME
  \dt [PATTERN]          list tables
  \di [PATTERN]          list indexes
  \dv [PATTERN]          list views
  \l                     list databases

Formatting
  \a                     toggle between aligned and unaligned output
  \pset [NAME [VALUE]]   set an output option: format (aligned|unaligned|csv),
                         null, expanded, tuples_only, title
  \t [on|off]            show only rows
  \x [on|off|auto]       toggle expanded output
  \timing [on|off]       toggle timing of statements

Connection
  \conninfo              show the current connection
  \c HOST:PORT           connect to another node (or a postgres:// URL)

Chronos
  \cluster               show the cluster's members: role, term, applied index, reachability
  \consistency [linearizable|stale]
                         show or set this session's read consistency

Ctrl-C cancels the running statement; Ctrl-C while typing clears the input.
`

func metaHelp(s *session, _ context.Context, _ *metaCall) error {
	fmt.Fprint(s.cfg.Stdout, helpText)
	return nil
}
