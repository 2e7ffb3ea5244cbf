// Command slt runs sqllogictest files against a running server that speaks
// the PostgreSQL protocol (Chronos, or PostgreSQL to compare), and prints
// one line per file and mode, as the CI test does:
//
//	go run ./engine/sqllogictest/cmd/slt -dsn postgres://u@127.0.0.1:5432/db -v engine/sqllogictest/testdata/index_in*.test
//
// Each file's tables and views are dropped before and after it. With no file
// arguments it runs every .test file in engine/sqllogictest/testdata. It
// exits 1 when the server goes down, 2 on bad usage.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/chronos-db/chronos/engine/sqllogictest"
)

func main() {
	dsn := flag.String("dsn", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "pgx connection string of the server")
	modeList := flag.String("modes", "simple,extended", "protocol modes, comma-separated: simple, extended, describe")
	verbose := flag.Bool("v", false, "print every failing record with its expected and actual result")
	timeout := flag.Duration("timeout", sqllogictest.DefaultTimeout, "time limit of one record")
	counts := flag.String("pg-counts", "", "PostgreSQL counts file (default: pg-counts.txt beside the first file)")
	flag.Parse()

	modes, err := sqllogictest.ParseModes(*modeList)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	files := flag.Args()
	if len(files) == 0 {
		files, _ = filepath.Glob(filepath.Join("engine", "sqllogictest", "testdata", "*.test"))
	}
	if len(files) == 0 {
		fmt.Fprintln(os.Stderr, "slt: no .test files given or found")
		os.Exit(2)
	}
	if *counts == "" {
		*counts = filepath.Join(filepath.Dir(files[0]), "pg-counts.txt")
	}
	pg, err := sqllogictest.ReadPGCounts(*counts)
	if err != nil {
		pg = nil // the report then shows "?"
	}
	if err := run(*dsn, modes, files, *timeout, *verbose, pg); err != nil {
		fmt.Fprintln(os.Stderr, "slt:", err)
		os.Exit(1)
	}
}

func run(dsn string, modes []sqllogictest.Mode, files []string, timeout time.Duration, verbose bool, pg map[string]sqllogictest.PGCount) error {
	ctx := context.Background()
	var scripts []*sqllogictest.Script
	for _, f := range files {
		s, err := sqllogictest.ParseFile(f)
		if err != nil {
			return err
		}
		scripts = append(scripts, s)
	}
	var results []*sqllogictest.FileResult
	defer func() {
		sqllogictest.WriteReport(os.Stdout, results, pg)
		if groups := sqllogictest.GroupFailures(results); len(groups) > 0 {
			fmt.Println("\nfailures by kind, all modes:")
			sqllogictest.WriteGroups(os.Stdout, groups, 0)
		}
	}()
	for _, m := range modes {
		r, err := sqllogictest.Connect(ctx, sqllogictest.Config{ConnString: dsn, Mode: m, Timeout: timeout})
		if err != nil {
			return err
		}
		for _, s := range scripts {
			res, err := runOne(ctx, r, s)
			if res != nil {
				results = append(results, res)
				if verbose {
					for _, f := range res.Failures {
						f.Write(os.Stdout)
					}
				}
			}
			if err != nil {
				r.Close(ctx)
				if errors.Is(err, sqllogictest.ErrServerDown) {
					return fmt.Errorf("%s [%s]: %w", s.Name, m, err)
				}
				return err
			}
		}
		r.Close(ctx)
	}
	return nil
}

func runOne(ctx context.Context, r *sqllogictest.Runner, s *sqllogictest.Script) (*sqllogictest.FileResult, error) {
	if err := r.DropObjects(ctx, s); err != nil {
		return nil, err
	}
	res, err := r.Run(ctx, s)
	if err != nil {
		return res, err
	}
	return res, r.DropObjects(ctx, s)
}
