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
#   ROUNDS=1           runs of each workload per server, alternating between them; the medians are printed
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
ROUNDS=${ROUNDS:-1}
ROWS=${ROWS:-100000}
LOAD_ROWS=${LOAD_ROWS:-1000000}
LOAD=${LOAD:-insert}
BATCH=${BATCH:-1000}
SETTLE=${SETTLE:-10}

. "$(dirname "$0")/lib.sh"

start_pg
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{ print $3 }') on 127.0.0.1:$pg_port; pgbench -M prepared -n -j $JOBS -T $DURATION"

# --- 1. The pgbench workloads.
start_chronos chronos-bench
setup PostgreSQL "${PG[@]}"
setup Chronos "${CH[@]}"

printf '\n%-8s %7s %14s %14s %9s\n' script clients PostgreSQL Chronos ratio
for script in $SCRIPTS; do
	for c in $CLIENTS; do
		pg_runs=() ch_runs=()
		for _ in $(seq "$ROUNDS"); do
			pg_runs+=("$(bench pg "$script" "$c" "${PG[@]}")")
			ch_runs+=("$(bench chronos "$script" "$c" "${CH[@]}")")
		done
		pg_tps=$(median "${pg_runs[@]}")
		ch_tps=$(median "${ch_runs[@]}")
		printf '%-8s %7s %14s %14s %9s\n' "$script" "$c" "$pg_tps" "$ch_tps" "$(ratio "$ch_tps" "$pg_tps")"
		if [ "$ROUNDS" -gt 1 ]; then
			printf '%16s runs: PostgreSQL %s; Chronos %s\n' '' "${pg_runs[*]}" "${ch_runs[*]}"
		fi
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
