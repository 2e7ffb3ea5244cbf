package repl

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// updateGolden regenerates testdata/format from a real psql and PostgreSQL
// (a throwaway server, or the one CHRONOS_GOLDEN_PG names):
//
//	go test ./cmd/chronos/repl -run TestFormatGolden -update-golden
//
// For each case it runs the psql commands and the query through psql (saving
// what psql printed as NAME.out) and through pgconn (saving the result set
// the formatter gets as NAME.json). The test then formats NAME.json and
// compares with NAME.out, so the goldens are psql's own output.
var updateGolden = flag.Bool("update-golden", false, "regenerate testdata/format with psql and PostgreSQL")

// formatCase is one golden case: psql \pset commands, the matching options,
// and a query whose result exercises them.
type formatCase struct {
	name  string
	psql  string // backslash commands run before the query
	opts  PrintOptions
	query string
}

var formatCases = []formatCase{
	{name: "basic", query: "SELECT * FROM (VALUES (1, 'Alice'), (2, 'Bob'), (3, NULL)) AS users(id, name)"},
	{name: "empty", query: "SELECT 1 AS a, 'x' AS b WHERE false"},
	{name: "one_row", query: "SELECT 42 AS answer"},
	{name: "no_columns", query: "SELECT"},
	{name: "wide_header", query: "SELECT 1 AS a_rather_long_name, 'x' AS odd, 'y' AS even_"},
	{name: "numbers", query: "SELECT 1::int2 AS i2, -20::int4 AS i4, 3000000000::int8 AS i8, 1.5::float4 AS f4, " +
		"-2.25::float8 AS f8, 12345.678::numeric AS num, true AS b, 'text'::text AS t, '2024-01-02'::date AS d, 26::oid AS o"},
	{name: "newlines", query: "SELECT E'a\\nb' AS multi, 2.5::numeric AS n, 'long' AS \"x\ny\", E'one\\ntwo\\nthree' AS last"},
	{name: "newline_last_right", query: "SELECT E'p\\nq' AS t, 7 AS n UNION ALL SELECT 'r', 12345"},
	{name: "special_chars", query: "SELECT E'tab\\there' AS tab, E'cr\\rx' AS cr, E'ctl\\x01x' AS ctl, 'héllo' AS latin, " +
		"'日本語' AS wide, E'e\\u0301' AS combining"},
	{name: "null_display", psql: `\pset null '(null)'`, opts: PrintOptions{Null: "(null)"},
		query: "SELECT * FROM (VALUES (1, NULL), (NULL, 'b')) AS t(n, s)"},
	{name: "tuples_only", psql: `\t on`, opts: PrintOptions{TuplesOnly: true},
		query: "SELECT * FROM (VALUES (1, 'Alice'), (2, 'Bob')) AS users(id, name)"},
	{name: "title", psql: `\pset title 'List of things'`,
		query: "SELECT * FROM (VALUES (1, 'Alice'), (2, 'Bob')) AS users(id, name)"},
	{name: "title_centered", psql: `\pset title 'Items'`,
		query: "SELECT * FROM (VALUES (1, 'Alice', 'first'), (2, 'Bob', 'second')) AS users(id, name, note)"},
	{name: "title_wide", psql: `\pset title 'A title much wider than the table'`,
		query: "SELECT 1 AS a"},
	{name: "expanded", psql: `\x on`, opts: PrintOptions{Expanded: true},
		query: "SELECT * FROM (VALUES (1, 'Alice'), (2, 'Bob'), (3, NULL)) AS users(id, name)"},
	{name: "expanded_wide", psql: `\x on`, opts: PrintOptions{Expanded: true},
		query: "SELECT 1 AS id, 'a value that is rather long' AS description"},
	{name: "expanded_empty", psql: `\x on`, opts: PrintOptions{Expanded: true},
		query: "SELECT 1 AS a WHERE false"},
	{name: "expanded_newlines", psql: `\x on`, opts: PrintOptions{Expanded: true},
		query: "SELECT E'a\\nbb' AS multi, 5 AS \"two\nlines\", 'x' AS z"},
	{name: "expanded_many", psql: `\x on`, opts: PrintOptions{Expanded: true},
		query: "SELECT g AS n FROM generate_series(1, 11) AS g"},
	{name: "expanded_tuples_only", psql: "\\x on\n\\t on", opts: PrintOptions{Expanded: true, TuplesOnly: true},
		query: "SELECT * FROM (VALUES (1, 'Alice'), (2, 'Bob')) AS users(id, name)"},
	{name: "csv", psql: `\pset format csv`, opts: PrintOptions{Format: FormatCSV},
		query: "SELECT 1 AS id, NULL AS nul, '' AS empty, 'a,\"b' AS q, E'l\\nm' AS nl, '\\.' AS dot, 'plain' AS \"h,1\""},
	{name: "csv_null", psql: "\\pset format csv\n\\pset null NULL", opts: PrintOptions{Format: FormatCSV, Null: "NULL"},
		query: "SELECT 1 AS id, NULL AS nul"},
	{name: "csv_expanded", psql: "\\pset format csv\n\\x on", opts: PrintOptions{Format: FormatCSV, Expanded: true},
		query: "SELECT * FROM (VALUES (1, 'Alice'), (2, 'B,b')) AS users(id, name)"},
	{name: "unaligned", psql: `\pset format unaligned`, opts: PrintOptions{Format: FormatUnaligned},
		query: "SELECT * FROM (VALUES (1, 'Alice'), (2, NULL)) AS users(id, name)"},
	{name: "unaligned_empty", psql: `\pset format unaligned`, opts: PrintOptions{Format: FormatUnaligned},
		query: "SELECT 1 AS a WHERE false"},
	{name: "unaligned_expanded", psql: "\\pset format unaligned\n\\x on", opts: PrintOptions{Format: FormatUnaligned, Expanded: true},
		query: "SELECT * FROM (VALUES (1, 'Alice'), (2, NULL)) AS users(id, name)"},
}

// goldenInput is what NAME.json holds: the table the formatter prints.
type goldenInput struct {
	Table Table
}

func TestFormatGolden(t *testing.T) {
	dir := filepath.Join("testdata", "format")
	if *updateGolden {
		regenerateGoldens(t, dir)
	}
	for _, c := range formatCases {
		t.Run(c.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, c.name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var in goldenInput
			if err := json.Unmarshal(data, &in); err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join(dir, c.name+".out"))
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := in.Table.Print(&got, c.opts); err != nil {
				t.Fatal(err)
			}
			if got.String() != string(want) {
				t.Errorf("output differs from psql's\n--- got:\n%s\n--- psql:\n%s\n--- got (quoted): %q\n--- psql (quoted): %q",
					got.String(), want, got.String(), want)
			}
		})
	}
}

// regenerateGoldens writes NAME.out with psql and NAME.json with pgconn for
// every case.
func regenerateGoldens(t *testing.T, dir string) {
	dsn := os.Getenv("CHRONOS_GOLDEN_PG")
	if dsn == "" {
		dsn = postgresDSN(t)
	}
	ctx := context.Background()
	conn, err := pgconn.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range formatCases {
		script := c.psql + "\n" + c.query + ";\n"
		cmd := exec.Command("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-f", "-")
		cmd.Stdin = strings.NewReader(script)
		cmd.Env = append(os.Environ(), "PGCLIENTENCODING=UTF8")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: psql: %v", c.name, err)
		}
		mrr := conn.Exec(ctx, c.query)
		if !mrr.NextResult() {
			t.Fatalf("%s: no result: %v", c.name, mrr.Close())
		}
		res, err := readResult(mrr.ResultReader())
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if err := mrr.Close(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		tbl := *res.Table
		if i := strings.Index(c.psql, `\pset title '`); i >= 0 {
			rest := c.psql[i+len(`\pset title '`):]
			tbl.Title = rest[:strings.IndexByte(rest, '\'')]
		}
		data, err := json.MarshalIndent(goldenInput{Table: tbl}, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, c.name+".json"), append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, c.name+".out"), out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRecordLine(t *testing.T) {
	tests := []struct {
		label          string
		hwidth, dwidth int
		want           string
	}{
		{"[ RECORD 1 ]", 4, 6, "-[ RECORD 1 ]"},
		{"[ RECORD 1 ]", 4, 9, "-[ RECORD 1 ]---"},
		{"[ RECORD 1 ]", 2, 20, "-[ RECORD 1 ]------------"},
		{"[ RECORD 1 ]", 15, 5, "-[ RECORD 1 ]---+------"},
		{"[ RECORD 1 ]", 11, 5, "-[ RECORD 1 ]------"},
		{"", 3, 4, "----+-----"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		tbl := Table{}
		p := printer{w: bufio.NewWriter(&b), t: &tbl}
		p.recordLine(tt.label, tt.hwidth, tt.dwidth)
		p.w.Flush()
		if got := strings.TrimSuffix(b.String(), "\n"); got != tt.want {
			t.Errorf("recordLine(%q, %d, %d) = %q, want %q", tt.label, tt.hwidth, tt.dwidth, got, tt.want)
		}
	}
}
