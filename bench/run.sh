#!/usr/bin/env bash
# Benchmark Chronos against PostgreSQL (issue 2, item 8). See bench/README.md.
#
# Starts a throwaway PostgreSQL (initdb, default settings, fsync on) and a
# Chronos single node, loads both, runs the pgbench scripts of this directory
# at 1 and 16 clients against each, and prints TPS and Chronos/PostgreSQL
# ratios; then loads 1,000,000 rows of (BIGINT, 100-byte TEXT) into a fresh
# Chronos and a table of PostgreSQL, and prints the load times and Chronos's
# peak RSS. Everything it starts is stopped, by PID, when it exits.
#
# Settings (environment):
#   DURATION=30        seconds per pgbench run (-T)
#   CLIENTS="1 16"     client counts (-c)
#   JOBS=2             pgbench threads (-j)
#   SCRIPTS="insert select update"
#   ROWS=100000        rows of bench_kv for select and update
#   LOAD_ROWS=1000000  rows of the load test (0 skips it)
#   LOAD=insert        how to load: insert (multi-row INSERTs of BATCH rows through psql) or copy (psql \copy)
#   BATCH=1000         rows per INSERT when LOAD=insert
#   SETTLE=10          seconds to wait before measuring Chronos's RSS again after the load
#   PG_BIN=...         PostgreSQL server binaries (default: the newest /usr/lib/postgresql/*/bin)
#   KEEP=1             keep the work directory (logs, data) instead of removing it
set -euo pipefail

DURATION=${DURATION:-30}
CLIENTS=${CLIENTS:-"1 16"}
JOBS=${JOBS:-2}
SCRIPTS=${SCRIPTS:-"insert select update"}
ROWS=${ROWS:-100000}
LOAD_ROWS=${LOAD_ROWS:-1000000}
LOAD=${LOAD:-insert}
BATCH=${BATCH:-1000}
SETTLE=${SETTLE:-10}

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

die() { echo "bench: $*" >&2; exit 1; }

for tool in psql pgbench awk go; do
	command -v "$tool" >/dev/null || die "$tool not found"
done
if [ -z "${PG_BIN:-}" ]; then
	PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi
[ -x "${PG_BIN:-}/postgres" ] || die "PostgreSQL server binaries not found; set PG_BIN"

work=$(mktemp -d "${TMPDIR:-/tmp}/chronos-bench.XXXXXX")
chmod 755 "$work"
pids=()

cleanup() {
	local pid
	for pid in "${pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	if [ "${KEEP:-}" = 1 ]; then
		echo "bench: work directory kept: $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# free_port prints a TCP port on 127.0.0.1 that nothing listens on.
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 30000))
		if ! (exec 9<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# wait_ready waits until psql can run a query on the server ($1 = name, $2.. = psql connection args).
wait_ready() {
	local name=$1
	shift
	for _ in $(seq 300); do
		if psql -X -q "$@" -c 'SELECT 1' >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	die "$name did not accept connections within 30 s (logs in $work)"
}

# --- PostgreSQL: initdb and postgres as a non-root user, default settings (fsync on).
pg_port=$(free_port)
as_pg=()
if [ "$(id -u)" = 0 ]; then
	id postgres >/dev/null 2>&1 || die "running as root needs a 'postgres' user for initdb"
	as_pg=(runuser -u postgres --)
	mkdir -p "$work/pg"
	chown postgres "$work/pg"
fi
pg_user=$(if [ "$(id -u)" = 0 ]; then echo postgres; else id -un; fi)
"${as_pg[@]}" "$PG_BIN/initdb" --no-locale -E UTF8 -A trust -U "$pg_user" -D "$work/pg/data" >"$work/initdb.log" 2>&1 ||
	die "initdb failed, see $work/initdb.log"

start_pg() {
	"${as_pg[@]}" "$PG_BIN/postgres" -D "$work/pg/data" -c listen_addresses=127.0.0.1 -c port="$pg_port" \
		-c unix_socket_directories="$work/pg" >"$work/postgres.log" 2>&1 &
	pids+=($!)
	pg_pid=$!
	PG=(-h 127.0.0.1 -p "$pg_port" -U "$pg_user" -d postgres)
	wait_ready PostgreSQL "${PG[@]}"
}

# --- Chronos: built once, run as a server without its shell (--no-repl).
go build -C "$root" -o "$work/chronos" ./cmd/chronos || die "go build ./cmd/chronos failed"

# start_chronos starts a single node on a fresh data directory ($1).
start_chronos() {
	ch_port=$(free_port)
	"$work/chronos" single-node --no-repl --data-dir "$work/$1" --address "127.0.0.1:$ch_port" \
		</dev/null >"$work/$1.log" 2>&1 &
	pids+=($!)
	ch_pid=$!
	CH=(-h 127.0.0.1 -p "$ch_port" -U chronos -d chronos)
	wait_ready Chronos "${CH[@]}"
}

stop_chronos() {
	kill -TERM "$ch_pid" 2>/dev/null || true
	wait "$ch_pid" 2>/dev/null || true
}

# rss_kb prints a field (VmHWM: peak, VmRSS: current) of a process's status in kB.
rss_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

# --- Load data: rows k = $2+1 .. $2+$3 into table $1, v a 100-byte text.
gen_insert() { # table first count
	awk -v t="$1" -v first="$2" -v n="$3" -v batch="$BATCH" 'BEGIN {
		for (i = 1; i <= n; i++) {
			k = first + i
			if ((i - 1) % batch == 0) printf "INSERT INTO %s (k, v) VALUES ", t
			else printf ","
			printf "(%d,'\''%0100d'\'')", k, k
			if (i % batch == 0 || i == n) printf ";\n"
		}
	}'
}
gen_csv() { # first count
	awk -v first="$1" -v n="$2" 'BEGIN { for (i = 1; i <= n; i++) printf "%d,%0100d\n", first + i, first + i }'
}

# load table count file-prefix psql-args...: loads and prints the seconds it took.
load() {
	local table=$1 count=$2 file=$3
	shift 3
	local t0 t1
	if [ "$LOAD" = copy ]; then
		[ -f "$file.csv" ] || gen_csv 0 "$count" >"$file.csv"
		t0=$(now)
		psql -X -q -v ON_ERROR_STOP=1 "$@" -c "\\copy $table (k, v) FROM '$file.csv' WITH (FORMAT csv)" >/dev/null ||
			die "loading $table failed"
	else
		[ -f "$file.sql" ] || gen_insert "$table" 0 "$count" >"$file.sql"
		t0=$(now)
		psql -X -q -v ON_ERROR_STOP=1 "$@" -f "$file.sql" >/dev/null || die "loading $table failed"
	fi
	t1=$(now)
	elapsed "$t0" "$t1"
}

# --- pgbench: prints the TPS of one run, or "error" (the log stays in $work).
bench() { # name script clients psql-args...
	local name=$1 script=$2 clients=$3
	shift 3
	local log="$work/pgbench-$name-$script-$clients.log"
	if pgbench -M prepared -n -c "$clients" -j "$JOBS" -T "$DURATION" -D rows="$ROWS" -f "$here/$script.sql" "$@" >"$log" 2>&1; then
		awk '/^tps = / { print $3; exit }' "$log"
	else
		echo error
	fi
}

ratio() { awk -v c="$1" -v p="$2" 'BEGIN { if (c + 0 > 0 && p + 0 > 0) printf "%.2fx", c / p; else print "-" }'; }

start_pg
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{ print $3 }') on 127.0.0.1:$pg_port; pgbench -M prepared -n -j $JOBS -T $DURATION"

# --- 1. The pgbench workloads.
start_chronos chronos-bench
# setup name psql-args...: creates the tables and loads bench_kv.
setup() {
	local name=$1
	shift
	psql -X -q -v ON_ERROR_STOP=1 "$@" -f "$here/schema.sql" >"$work/schema-$name.log" 2>&1 ||
		die "creating the tables failed on $name: $(cat "$work/schema-$name.log")"
	local secs
	secs=$(load bench_kv "$ROWS" "$work/kv" "$@")
	echo "loaded $ROWS rows into bench_kv on $name in ${secs}s"
}
setup PostgreSQL "${PG[@]}"
setup Chronos "${CH[@]}"

printf '\n%-8s %7s %14s %14s %9s\n' script clients PostgreSQL Chronos ratio
for script in $SCRIPTS; do
	for c in $CLIENTS; do
		pg_tps=$(bench pg "$script" "$c" "${PG[@]}")
		ch_tps=$(bench chronos "$script" "$c" "${CH[@]}")
		printf '%-8s %7s %14s %14s %9s\n' "$script" "$c" "$pg_tps" "$ch_tps" "$(ratio "$ch_tps" "$pg_tps")"
	done
done
echo "Chronos RSS after the workloads: $(($(rss_kb "$ch_pid" VmRSS) / 1024)) MB (peak $(($(rss_kb "$ch_pid" VmHWM) / 1024)) MB)"
stop_chronos

# --- 2. The load test: 1,000,000 rows into an empty table, Chronos on a fresh node.
if [ "$LOAD_ROWS" -gt 0 ]; then
	echo
	create="CREATE TABLE bench_load (k BIGINT PRIMARY KEY, v TEXT)"
	psql -X -q -v ON_ERROR_STOP=1 "${PG[@]}" -c "$create" >/dev/null
	pg_secs=$(load bench_load "$LOAD_ROWS" "$work/load" "${PG[@]}")
	start_chronos chronos-load
	psql -X -q -v ON_ERROR_STOP=1 "${CH[@]}" -c "$create" >/dev/null || die "CREATE TABLE failed on Chronos"
	ch_secs=$(load bench_load "$LOAD_ROWS" "$work/load" "${CH[@]}")
	count=$(psql -X -q -At "${CH[@]}" -c "SELECT count(*) FROM bench_load")
	echo "load of $LOAD_ROWS rows (BIGINT, 100-byte TEXT) by $LOAD: PostgreSQL ${pg_secs}s, Chronos ${ch_secs}s (Chronos holds $count rows)"
	echo "Chronos RSS holding them: $(($(rss_kb "$ch_pid" VmRSS) / 1024)) MB right after the load, peak $(($(rss_kb "$ch_pid" VmHWM) / 1024)) MB"
	sleep "$SETTLE"
	echo "Chronos RSS holding them after ${SETTLE}s idle: $(($(rss_kb "$ch_pid" VmRSS) / 1024)) MB"
	stop_chronos
fi
