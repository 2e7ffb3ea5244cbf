package sqllogictest

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// createRE finds the table or view a CREATE statement makes.
var createRE = regexp.MustCompile(`(?is)^\s*CREATE\s+(?:(?:TEMP|TEMPORARY)\s+)?(TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*)`)

// Objects returns the views and tables that the script's statements run for
// engine create, each once, in order of creation.
func (s *Script) Objects(engine string) (views, tables []string) {
	for _, rec := range s.Records {
		if rec.Kind != KindStatement || !rec.Runs(engine) {
			continue
		}
		m := createRE.FindStringSubmatch(rec.SQL)
		if m == nil {
			continue
		}
		name := strings.ToLower(m[2])
		if strings.EqualFold(m[1], "VIEW") {
			if !slices.Contains(views, name) {
				views = append(views, name)
			}
		} else if !slices.Contains(tables, name) {
			tables = append(tables, name)
		}
	}
	return views, tables
}

// DropObjects drops the views, then the tables, that the script creates
// (DROP VIEW IF EXISTS, DROP TABLE IF EXISTS), so the script can start on,
// and leave behind, a database without them. An error of a DROP statement is
// ignored (the object may be gone or the statement unsupported); only a lost
// server is an error (ErrServerDown).
func (r *Runner) DropObjects(ctx context.Context, s *Script) error {
	views, tables := s.Objects(r.cfg.Engine)
	var stmts []string
	for _, v := range slices.Backward(views) {
		stmts = append(stmts, "DROP VIEW IF EXISTS "+v)
	}
	for _, t := range slices.Backward(tables) {
		stmts = append(stmts, "DROP TABLE IF EXISTS "+t)
	}
	for _, sql := range stmts {
		if err := r.recover(ctx); err != nil {
			return fmt.Errorf("%s: %w", s.Name, err)
		}
		rctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
		_, _ = r.exec(rctx, sql)
		cancel()
	}
	if err := r.recover(ctx); err != nil {
		return fmt.Errorf("%s: %w", s.Name, err)
	}
	return nil
}
