package pgwire

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
)

// BenchmarkPgxPrepared runs a one-row prepared statement in a loop through
// pgx's statement cache: each iteration is Bind, Describe, Execute and
// Sync in one packet, answered in one flush.
func BenchmarkPgxPrepared(b *testing.B) {
	ts := startServer(b)
	conn := connectPgx(b, ts.addr, pgx.QueryExecModeCacheStatement, nil)
	ctx := context.Background()
	var got int64
	if err := conn.QueryRow(ctx, "select $1::int8", int64(7)).Scan(&got); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if err := conn.QueryRow(ctx, "select $1::int8", int64(i)).Scan(&got); err != nil {
			b.Fatal(err)
		}
		if got != int64(i) {
			b.Fatalf("got %d, want %d", got, i)
		}
	}
}

// benchConn is a raw connection replaying one pre-encoded request and
// reading its answer up to ReadyForQuery, so that the benchmark's time is
// mostly the server's.
type benchConn struct {
	nc  net.Conn
	rd  *bufio.Reader
	req []byte
}

// dialBench connects, completes startup and prepares statement "s" as
// query; each request is then Bind (one text parameter) + Execute + Sync,
// as pgbench -M prepared sends it.
func dialBench(tb testing.TB, addr, query string) *benchConn {
	tb.Helper()
	nc, err := net.DialTimeout("tcp", addr, testTimeout)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { nc.Close() })
	bc := &benchConn{nc: nc, rd: bufio.NewReader(nc)}
	fe := pgproto3.NewFrontend(nc, nc)
	fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
		Parameters: map[string]string{"user": "u", "database": "db"}})
	fe.Send(&pgproto3.Parse{Name: "s", Query: query})
	fe.Send(&pgproto3.Sync{})
	if err := fe.Flush(); err != nil {
		tb.Fatal(err)
	}
	// Startup's ReadyForQuery, then Parse's.
	for range 2 {
		if err := bc.readToReady(); err != nil {
			tb.Fatal(err)
		}
	}
	var req []byte
	req, _ = (&pgproto3.Bind{PreparedStatement: "s", Parameters: [][]byte{[]byte("12345")}}).Encode(req)
	req, _ = (&pgproto3.Execute{}).Encode(req)
	req, _ = (&pgproto3.Sync{}).Encode(req)
	bc.req = req
	return bc
}

// readToReady reads messages up to ReadyForQuery; an ErrorResponse is an
// error.
func (bc *benchConn) readToReady() error {
	var hdr [5]byte
	for {
		if _, err := io.ReadFull(bc.rd, hdr[:]); err != nil {
			return err
		}
		n := int(binary.BigEndian.Uint32(hdr[1:])) - 4
		if _, err := bc.rd.Discard(n); err != nil {
			return err
		}
		switch hdr[0] {
		case 'E':
			return fmt.Errorf("server sent an ErrorResponse")
		case 'Z':
			return nil
		}
	}
}

// roundTrip sends the request and reads its answer.
func (bc *benchConn) roundTrip() error {
	if _, err := bc.nc.Write(bc.req); err != nil {
		return err
	}
	return bc.readToReady()
}

// BenchmarkBindExecuteSync is pgbench -M prepared's transaction from a
// client that costs next to nothing: Bind + Execute + Sync in one packet,
// answered by BindComplete, DataRow, CommandComplete and ReadyForQuery.
func BenchmarkBindExecuteSync(b *testing.B) {
	ts := startServer(b)
	bc := dialBench(b, ts.addr, "select $1::int8, 'vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv'")
	_ = bc.nc.SetDeadline(time.Now().Add(time.Hour))
	b.ReportAllocs()
	for b.Loop() {
		if err := bc.roundTrip(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBindExecuteSyncParallel runs BenchmarkBindExecuteSync's
// transaction on 4*GOMAXPROCS connections at once, as pgbench -c 16 does.
func BenchmarkBindExecuteSyncParallel(b *testing.B) {
	ts := startServer(b)
	const parallelism = 4
	conns := make(chan *benchConn, parallelism*runtime.GOMAXPROCS(0))
	for range cap(conns) {
		conns <- dialBench(b, ts.addr, "select $1::int8, 'vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv'")
	}
	b.SetParallelism(parallelism)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		bc := <-conns
		defer func() { conns <- bc }()
		for pb.Next() {
			if err := bc.roundTrip(); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
