#!/usr/bin/env bash
# TPC-B-shaped transactions (pgbench's built-in tpcb-like: three UPDATEs, one
# SELECT and one INSERT in BEGIN ... END) against PostgreSQL at SERIALIZABLE,
# a Chronos single node and a three-node Chronos cluster (through a
# follower), at each client count (issue 4, item 5). See bench/README.md.
#
# pgbench -i -s SCALE loads the same data everywhere. Serialization failures
# (40001) are retried by pgbench (--max-tries); the abort rate printed is
# retries / (committed + retries).
#
# Settings (environment):
#   DURATION=20        seconds per pgbench run (-T)
#   CLIENTS="1 16"     client counts (-c)
#   JOBS=2             pgbench threads (-j)
#   SCALE=1            pgbench scale factor
#   CLUSTER=1          also measure a three-node cluster (0 skips it)
#   PG_BIN, KEEP=1: as for run.sh
set -euo pipefail

DURATION=${DURATION:-20}
CLIENTS=${CLIENTS:-"1 16"}
JOBS=${JOBS:-2}
SCALE=${SCALE:-1}
CLUSTER=${CLUSTER:-1}
ROWS=0 LOAD=insert BATCH=1000

. "$(dirname "$0")/lib.sh"

# tpcb name clients psql-args...: prints "tps abort-rate" of one run, or "error -".
tpcb() {
	local name=$1 clients=$2
	shift 2
	local log="$work/tpcb-$name-$clients.log"
	if pgbench -M prepared -n -b tpcb-like -s "$SCALE" --max-tries=1000 -c "$clients" -j "$JOBS" -T "$DURATION" "$@" >"$log" 2>&1; then
		awk '
			/^number of transactions actually processed:/ { split($6, a, "/"); done = a[1] }
			/^number of transactions retried:/ { retried = $5 }
			/^total number of retries:/ { retries = $5 }
			/^tps = / { tps = $3 }
			END { r = retries + 0; printf "%s %.2f%%\n", tps, (done + r > 0 ? 100 * r / (done + r) : 0) }' "$log"
	else
		echo "error -"
	fi
}

# check name psql-args...: every committed transaction added its delta to
# one account, teller and branch and logged it; the four sums must agree.
check() {
	local name=$1
	shift
	local sums
	sums=$(psql -X -q -At "$@" -c "SELECT (SELECT sum(abalance) FROM pgbench_accounts), (SELECT sum(tbalance) FROM pgbench_tellers),
		(SELECT sum(bbalance) FROM pgbench_branches), (SELECT coalesce(sum(delta), 0) FROM pgbench_history)")
	if awk -F'|' '{ exit !($1 == $2 && $2 == $3 && $3 == $4) }' <<<"$sums"; then
		echo "$name: balances consistent (account, teller, branch and history sums all $(cut -d'|' -f1 <<<"$sums"))"
	else
		echo "$name: INCONSISTENT sums account|teller|branch|history = $sums"
	fi
}

init() { # name psql-args...
	local name=$1
	shift
	pgbench -i -q -s "$SCALE" "$@" >"$work/init-$name.log" 2>&1 || die "pgbench -i failed on $name (see $work/init-$name.log)"
}

declare -A res
start_pg
init PostgreSQL "${PG[@]}"
for c in $CLIENTS; do
	res[pg-$c]=$(PGOPTIONS="-c default_transaction_isolation=serializable" tpcb pg "$c" "${PG[@]}")
done

start_chronos chronos-tpcb
init single "${CH[@]}"
for c in $CLIENTS; do
	res[single-$c]=$(tpcb single "$c" "${CH[@]}")
done
checks=("$(check PostgreSQL "${PG[@]}")" "$(check single "${CH[@]}")")
stop_chronos

if [ "$CLUSTER" = 1 ]; then
	declare -A port
	start_member() { # id peers
		port[$1]=$(free_port)
		local args=(node --id "$1" --address "127.0.0.1:${port[$1]}" --data-dir "$work/cluster")
		[ -z "$2" ] || args+=(--peers "$2")
		"$work/chronos" "${args[@]}" </dev/null >>"$work/$1.log" 2>&1 &
		pids+=($!)
		wait_ready "$1" -h 127.0.0.1 -p "${port[$1]}" -U chronos chronos
	}
	start_member node1 ""
	start_member node2 "node1=127.0.0.1:${port[node1]}"
	start_member node3 "node1=127.0.0.1:${port[node1]},node2=127.0.0.1:${port[node2]}"
	N2=(-h 127.0.0.1 -p "${port[node2]}" -U chronos chronos)
	init cluster "${N2[@]}"
	for c in $CLIENTS; do
		res[cluster-$c]=$(tpcb cluster "$c" "${N2[@]}")
	done
	checks+=("$(check 3-node -h 127.0.0.1 -p "${port[node3]}" -U chronos chronos)")
fi

echo "pgbench -b tpcb-like -M prepared -s $SCALE -T $DURATION -j $JOBS; PostgreSQL $("$PG_BIN/postgres" --version | awk '{ print $3 }') at SERIALIZABLE"
printf '\n%7s %22s %22s %22s   %s\n' clients "PostgreSQL tps/abort" "single tps/abort" "3-node tps/abort" "ratios to PostgreSQL: single, 3-node"
for c in $CLIENTS; do
	read -r pg_tps pg_ab <<<"${res[pg-$c]}"
	read -r s_tps s_ab <<<"${res[single-$c]}"
	read -r n_tps n_ab <<<"${res[cluster-$c]:-- -}"
	printf '%7s %22s %22s %22s   %s %s\n' "$c" "$pg_tps / $pg_ab" "$s_tps / $s_ab" "$n_tps / $n_ab" \
		"$(ratio "$s_tps" "$pg_tps")" "$(ratio "$n_tps" "$pg_tps")"
done
echo
printf '%s\n' "${checks[@]}"
