package sqllogictest

import (
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Mode is the wire protocol a runner sends records with. Results are asked
// for in text format in every mode, so the formatting rules apply to the
// server's own text output.
type Mode int

// The protocol modes.
const (
	// Simple sends one Query message per record (pgx's
	// QueryExecModeSimpleProtocol).
	Simple Mode = iota + 1
	// Extended sends Parse, Bind, Describe (portal), Execute and Sync on the
	// unnamed statement in one round trip, with text results (pgx's
	// QueryExecModeExec).
	Extended
	// Describe sends Parse and Describe (statement) with Sync, then Bind
	// with a text format code for every result column, Describe, Execute
	// and Sync: two round trips, as pgx's QueryExecModeDescribeExec does.
	Describe
)

// Modes lists every mode in order.
var Modes = []Mode{Simple, Extended, Describe}

// String returns the mode's name as ParseMode accepts it.
func (m Mode) String() string {
	switch m {
	case Simple:
		return "simple"
	case Extended:
		return "extended"
	case Describe:
		return "describe"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// ParseMode returns the mode named s ("simple", "extended" or "describe").
func ParseMode(s string) (Mode, error) {
	for _, m := range Modes {
		if strings.EqualFold(s, m.String()) {
			return m, nil
		}
	}
	return 0, fmt.Errorf("sqllogictest: unknown protocol mode %q (want simple, extended or describe)", s)
}

// ParseModes parses a comma-separated list of mode names.
func ParseModes(list string) ([]Mode, error) {
	var modes []Mode
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		m, err := ParseMode(name)
		if err != nil {
			return nil, err
		}
		modes = append(modes, m)
	}
	if len(modes) == 0 {
		return nil, fmt.Errorf("sqllogictest: no protocol mode in %q", list)
	}
	return modes, nil
}

// queryArgs returns the pgx options that make Conn.Query use the mode with
// text results.
func (m Mode) queryArgs() []any {
	switch m {
	case Simple:
		return []any{pgx.QueryExecModeSimpleProtocol}
	case Extended:
		// No arguments, so pgx sends no result format codes: all text.
		return []any{pgx.QueryExecModeExec}
	case Describe:
		// An empty map gives every described column format 0 (text).
		return []any{pgx.QueryExecModeDescribeExec, pgx.QueryResultFormatsByOID{}}
	}
	return nil
}
