package pgwire

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgtype"
)

// execModes are pgx's five ways of running a query: cache_statement (named
// prepared statements, binary formats), cache_describe (unnamed statements,
// cached descriptions), describe_exec (Parse+Describe, then
// Bind+Execute), exec (no Describe; text parameters whose types the server
// infers) and simple_protocol (Query with client-side interpolation).
var execModes = []pgx.QueryExecMode{
	pgx.QueryExecModeCacheStatement,
	pgx.QueryExecModeCacheDescribe,
	pgx.QueryExecModeDescribeExec,
	pgx.QueryExecModeExec,
	pgx.QueryExecModeSimpleProtocol,
}

// connectPgx connects pgx in the given mode; ctx cancellation sends a
// CancelRequest (pgx's default is to break the connection).
func connectPgx(t testing.TB, addr string, mode pgx.QueryExecMode, notices *[]string) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(fmt.Sprintf("postgres://u@%s/db?sslmode=disable&application_name=pgxtest", addr))
	if err != nil {
		t.Fatal(err)
	}
	cfg.DefaultQueryExecMode = mode
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: testTimeout}
	}
	if notices != nil {
		cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) { *notices = append(*notices, n.Message) }
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func mustNumeric(s string) pgtype.Numeric {
	var n pgtype.Numeric
	if err := n.Scan(s); err != nil {
		panic(err)
	}
	return n
}

// TestPgxRoundTrip sends a value of every type as a parameter and reads it
// back, in every exec mode: binary both ways in the cached modes, text in
// exec and simple_protocol.
func TestPgxRoundTrip(t *testing.T) {
	ts := startServer(t)
	utc := func(y int, mo time.Month, d, h, mi, s, us int) time.Time {
		return time.Date(y, mo, d, h, mi, s, us*1000, time.UTC)
	}
	cases := []struct {
		typ  string
		arg  any
		dest any // pointer to scan into
		want any // what dest then holds
	}{
		{"int2", int16(-12345), new(int16), int16(-12345)},
		{"int4", int32(2147483647), new(int32), int32(2147483647)},
		{"int8", int64(math.MinInt64), new(int64), int64(math.MinInt64)},
		{"float4", float32(1.5), new(float32), float32(1.5)},
		{"float8", -2.25e100, new(float64), -2.25e100},
		{"numeric", mustNumeric("-12345.678900"), new(string), "-12345.678900"},
		{"numeric", mustNumeric("0.000001"), new(string), "0.000001"},
		{"numeric", mustNumeric("100000000"), new(string), "100000000"},
		{"bool", true, new(bool), true},
		{"text", "héllo 'quoted' \\ back", new(string), "héllo 'quoted' \\ back"},
		{"varchar", "v", new(string), "v"},
		{"bpchar", "ab", new(string), "ab"},
		{"name", "pg_name", new(string), "pg_name"},
		{"bytea", []byte{0, 1, 2, 0xff, '\\'}, new([]byte), []byte{0, 1, 2, 0xff, '\\'}},
		{"date", utc(2024, 2, 29, 0, 0, 0, 0), new(time.Time), utc(2024, 2, 29, 0, 0, 0, 0)},
		{"date", utc(1999, 12, 31, 0, 0, 0, 0), new(time.Time), utc(1999, 12, 31, 0, 0, 0, 0)},
		{"timestamp", utc(2024, 1, 2, 3, 4, 5, 123456), new(time.Time), utc(2024, 1, 2, 3, 4, 5, 123456)},
		{"timestamp", utc(1969, 7, 20, 20, 17, 40, 1), new(time.Time), utc(1969, 7, 20, 20, 17, 40, 1)},
		{"timestamptz", utc(2030, 6, 1, 12, 0, 0, 999999), new(time.Time), utc(2030, 6, 1, 12, 0, 0, 999999)},
		{"oid", uint32(4000000000), new(uint32), uint32(4000000000)},
	}
	for _, mode := range execModes {
		t.Run(mode.String(), func(t *testing.T) {
			conn := connectPgx(t, ts.addr, mode, nil)
			ctx := context.Background()
			for _, tc := range cases {
				dest := reflect.New(reflect.TypeOf(tc.dest).Elem()).Interface()
				if err := conn.QueryRow(ctx, "select $1::"+tc.typ, tc.arg).Scan(dest); err != nil {
					t.Errorf("%s %v: %v", tc.typ, tc.arg, err)
					continue
				}
				got := reflect.ValueOf(dest).Elem().Interface()
				if gt, ok := got.(time.Time); ok {
					if !gt.Equal(tc.want.(time.Time)) {
						t.Errorf("%s: got %v, want %v", tc.typ, gt, tc.want)
					}
				} else if !reflect.DeepEqual(got, tc.want) {
					t.Errorf("%s: got %#v, want %#v", tc.typ, got, tc.want)
				}
			}
			// The modes that describe statements use the binary format
			// for results.
			rows, err := conn.Query(ctx, "select $1::int4", int32(5))
			if err != nil {
				t.Fatal(err)
			}
			wantFormat := int16(0)
			if mode != pgx.QueryExecModeExec && mode != pgx.QueryExecModeSimpleProtocol {
				wantFormat = 1
			}
			if f := rows.FieldDescriptions()[0].Format; f != wantFormat {
				t.Errorf("result format %d, want %d", f, wantFormat)
			}
			rows.Close()
			// NULL comes back as NULL.
			var p *int32
			if err := conn.QueryRow(ctx, "select $1::int4", nil).Scan(&p); err != nil || p != nil {
				t.Errorf("NULL: %v, %v", p, err)
			}
			// Several parameters and columns at once.
			var a int64
			var b string
			var c bool
			if err := conn.QueryRow(ctx, "select $1::int8, $2::text, $3::bool", int64(7), "x", false).Scan(&a, &b, &c); err != nil ||
				a != 7 || b != "x" || c {
				t.Errorf("three columns: %v %q %v, %v", a, b, c, err)
			}
		})
	}
}

// TestPgxStatements checks rows, command tags, errors, notices, reported
// parameters, transactions and cancellation through pgx in every mode.
func TestPgxStatements(t *testing.T) {
	ts := startServer(t)
	for _, mode := range execModes {
		t.Run(mode.String(), func(t *testing.T) {
			var notices []string
			conn := connectPgx(t, ts.addr, mode, &notices)
			ctx := context.Background()

			rows, err := conn.Query(ctx, "generate 1000")
			if err != nil {
				t.Fatal(err)
			}
			sum := int64(0)
			for rows.Next() {
				var n int64
				if err := rows.Scan(&n); err != nil {
					t.Fatal(err)
				}
				sum += n
			}
			if rows.Err() != nil || sum != 500500 || rows.CommandTag().String() != "SELECT 1000" {
				t.Errorf("generate: sum %d tag %q err %v", sum, rows.CommandTag(), rows.Err())
			}

			tag, err := conn.Exec(ctx, "insert 3")
			if err != nil || tag.String() != "INSERT 0 3" {
				t.Errorf("insert: %q, %v", tag, err)
			}

			_, err = conn.Exec(ctx, "fail 23505 duplicate key value violates unique constraint \"t_pkey\"")
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "23505" || pgErr.Severity != "ERROR" {
				t.Errorf("fail: %v", err)
			}
			_, err = conn.Exec(ctx, "bogus")
			if !errors.As(err, &pgErr) || pgErr.Code != "42601" || pgErr.Position != 1 {
				t.Errorf("syntax error: %#v", err)
			}

			if _, err := conn.Exec(ctx, "notice look out"); err != nil || len(notices) != 1 || notices[0] != "look out" {
				t.Errorf("notice: %v, %v", notices, err)
			}

			if got := conn.PgConn().ParameterStatus("application_name"); got != "pgxtest" {
				t.Errorf("application_name at startup = %q", got)
			}
			if _, err := conn.Exec(ctx, "set application_name = 'changed'"); err != nil {
				t.Fatal(err)
			}
			if got := conn.PgConn().ParameterStatus("application_name"); got != "changed" {
				t.Errorf("application_name after SET = %q", got)
			}

			tx, err := conn.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if s := conn.PgConn().TxStatus(); s != 'T' {
				t.Errorf("status in transaction %q", s)
			}
			if _, err := tx.Exec(ctx, "fail 22012 division by zero"); err == nil {
				t.Error("no error")
			}
			if s := conn.PgConn().TxStatus(); s != 'E' {
				t.Errorf("status after an error %q", s)
			}
			if err := tx.Commit(ctx); !errors.Is(err, pgx.ErrTxCommitRollback) {
				t.Errorf("commit of a failed transaction: %v", err)
			}

			// A cancelled context sends a CancelRequest; the statement
			// fails with 57014 and the connection goes on.
			qctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			_, err = conn.Exec(qctx, "sleep")
			cancel()
			if !errors.As(err, &pgErr) || pgErr.Code != "57014" {
				t.Errorf("cancelled statement: %v", err)
			}
			var one int32
			if err := conn.QueryRow(ctx, "select 1").Scan(&one); err != nil || one != 1 {
				t.Errorf("after cancel: %v %v", one, err)
			}
		})
	}
}

// TestPgxBatch pipelines several statements; an error in the middle is
// reported for its query and the session recovers at Sync.
func TestPgxBatch(t *testing.T) {
	ts := startServer(t)
	for _, mode := range execModes {
		t.Run(mode.String(), func(t *testing.T) {
			conn := connectPgx(t, ts.addr, mode, nil)
			b := &pgx.Batch{}
			b.Queue("select $1::int4", int32(1))
			b.Queue("insert 2")
			b.Queue("select $1::text", "three")
			br := conn.SendBatch(context.Background(), b)
			var n int32
			if err := br.QueryRow().Scan(&n); err != nil || n != 1 {
				t.Errorf("first: %v %v", n, err)
			}
			if tag, err := br.Exec(); err != nil || tag.String() != "INSERT 0 2" {
				t.Errorf("second: %q %v", tag, err)
			}
			var s string
			if err := br.QueryRow().Scan(&s); err != nil || s != "three" {
				t.Errorf("third: %q %v", s, err)
			}
			if err := br.Close(); err != nil {
				t.Fatal(err)
			}

			b = &pgx.Batch{}
			b.Queue("insert 1")
			b.Queue("fail 42P01 relation \"x\" does not exist")
			b.Queue("insert 1")
			err := conn.SendBatch(context.Background(), b).Close()
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "42P01" {
				t.Errorf("failing batch: %v", err)
			}
			if err := conn.Ping(context.Background()); err != nil {
				t.Errorf("after the batch: %v", err)
			}
		})
	}
}

// TestPgconnSimpleProtocol reads a multi-statement Query's results one by
// one, and an empty query.
func TestPgconnSimpleProtocol(t *testing.T) {
	ts := startServer(t)
	conn := connectPgx(t, ts.addr, pgx.QueryExecModeSimpleProtocol, nil)
	results, err := conn.PgConn().Exec(context.Background(), "insert 1; generate 2; select 'x'; ").ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var tags []string
	for _, r := range results {
		tags = append(tags, r.CommandTag.String())
	}
	if !reflect.DeepEqual(tags, []string{"INSERT 0 1", "SELECT 2", "SELECT 1"}) ||
		len(results[1].Rows) != 2 || string(results[1].Rows[1][0]) != "2" || string(results[2].Rows[0][0]) != "x" {
		t.Errorf("results: %v", tags)
	}
	if _, err := conn.PgConn().Exec(context.Background(), "").ReadAll(); err != nil {
		t.Errorf("empty query: %v", err)
	}
}

// TestPgxSSLPrefer: pgx's default sslmode=prefer sends SSLRequest, gets
// 'N' and goes on in plain text.
func TestPgxSSLPrefer(t *testing.T) {
	ts := startServer(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://u@%s/db?sslmode=prefer", ts.addr))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var s string
	if err := conn.QueryRow(ctx, "select 'plain'").Scan(&s); err != nil || s != "plain" {
		t.Errorf("%q %v", s, err)
	}
}
