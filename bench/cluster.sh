#!/usr/bin/env bash
# Benchmark a three-node Chronos cluster beside a single node and PostgreSQL
# (issue 3, item 8). See bench/README.md.
#
# Starts a throwaway PostgreSQL, a Chronos single node and a three-node
# cluster on loopback (`chronos node --id nodeN --address ... --data-dir ...
# [--peers ...]`, the README's commands), loads the same data into each, and
# runs the pgbench scripts at CLIENTS clients against PostgreSQL, the single
# node, node1 (the leader) and node2 (a follower); it prints TPS and the
# ratios to PostgreSQL. Then it measures a leader failover with
# bench/failover: inserts on every member, kill -9 of the leader, time until
# the first write sent after the kill is acknowledged. Everything it starts
# is stopped, by PID, when it exits.
#
# Settings (environment):
#   DURATION=15        seconds per pgbench run (-T)
#   ROUNDS=1           rounds of the cluster's runs; in each, PostgreSQL runs
#                      again right before every node, and the report gives
#                      the medians over the rounds
#   CLIENTS=16         client count (-c)
#   JOBS=2             pgbench threads (-j)
#   SCRIPTS="insert select"
#   ROWS=100000        rows of bench_kv for select
#   WRITERS=4          failover: concurrent writers per member (0 skips the failover test)
#   LOAD=insert, BATCH=1000, PG_BIN, KEEP=1: as for run.sh
set -euo pipefail

DURATION=${DURATION:-15}
ROUNDS=${ROUNDS:-1}
CLIENTS=${CLIENTS:-16}
JOBS=${JOBS:-2}
SCRIPTS=${SCRIPTS:-"insert select"}
ROWS=${ROWS:-100000}
WRITERS=${WRITERS:-4}
LOAD=${LOAD:-insert}
BATCH=${BATCH:-1000}

. "$(dirname "$0")/lib.sh"

go build -C "$root" -o "$work/failover" ./bench/failover || die "go build ./bench/failover failed"

# start_node id port [peers]: starts cluster member id on 127.0.0.1:port.
declare -A node_pid node_port
start_node() {
	local id=$1 port=$2 peers=${3:-}
	local args=(node --id "$id" --address "127.0.0.1:$port" --data-dir "$work/cluster")
	if [ -n "$peers" ]; then
		args+=(--peers "$peers")
	fi
	"$work/chronos" "${args[@]}" </dev/null >>"$work/$id.log" 2>&1 &
	pids+=($!)
	node_pid[$id]=$!
	node_port[$id]=$port
	wait_ready "$id" -h 127.0.0.1 -p "$port" -U chronos chronos
}
conn() { echo -h 127.0.0.1 -p "${node_port[$1]}" -U chronos chronos; }

# CPU accounting: the user+system CPU time the Chronos processes spend per
# transaction tells whether a run is bound by the two shared cores.
declare -A tps cpu
clk_tck=$(getconf CLK_TCK)
cpu_ticks() { # pids...: their CPU time so far, in clock ticks
	local t=0 p
	for p in "$@"; do
		t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat")))
	done
	echo "$t"
}
# measure key script psql-args... -- pids...: runs bench, stores the TPS in
# tps[key] and the Chronos CPU milliseconds per transaction in cpu[key].
measure() {
	local key=$1 script=$2
	shift 2
	local args=()
	while [ "$1" != -- ]; do
		args+=("$1")
		shift
	done
	shift
	local t0 t1
	t0=$(cpu_ticks "$@")
	tps[$key]=$(bench "$key" "$script" "$CLIENTS" "${args[@]}")
	t1=$(cpu_ticks "$@")
	cpu[$key]=$(awk -v d=$((t1 - t0)) -v hz="$clk_tck" -v tps="${tps[$key]}" -v s="$DURATION" \
		'BEGIN { if (tps + 0 > 0) printf "%.3f", d * 1000 / hz / (tps * s); else print "-" }')
}

start_pg
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{ print $3 }') on 127.0.0.1:$pg_port; pgbench -M prepared -n -c $CLIENTS -j $JOBS -T $DURATION"
setup PostgreSQL "${PG[@]}"

# --- The single node, measured and stopped before the cluster starts.
start_chronos chronos-single
setup single "${CH[@]}"
for script in $SCRIPTS; do
	tps[pg-$script]=$(bench pg "$script" "$CLIENTS" "${PG[@]}")
	measure "single-$script" "$script" "${CH[@]}" -- "$ch_pid"
done
stop_chronos

# --- The cluster: node1 bootstraps, node2 and node3 join through the
# members before them, as in the README.
p1=$(free_port)
start_node node1 "$p1"
p2=$(free_port)
start_node node2 "$p2" "node1=127.0.0.1:$p1"
p3=$(free_port)
start_node node3 "$p3" "node1=127.0.0.1:$p1,node2=127.0.0.1:$p2"
# shellcheck disable=SC2046
setup cluster $(conn node1)
# shellcheck disable=SC2046
leader=$(psql -X -q -At $(conn node2) -c "SELECT id FROM chronos.nodes WHERE role = 'leader'")
echo "cluster: node1 on $p1, node2 on $p2, node3 on $p3; leader $leader"
# Each node's run comes right after a PostgreSQL run of the same script, so
# that the ratio compares runs minutes apart at most, however the load of
# the machine drifts; ROUNDS repeats the pairs and the medians are reported.
declare -A runs # "pg-node1-insert" and the like: the figures of every round
for round in $(seq "$ROUNDS"); do
	for script in $SCRIPTS; do
		for id in node1 node2; do
			if [ "$script" = insert ]; then
				empty_insert_table "${PG[@]}"
				# shellcheck disable=SC2046
				empty_insert_table $(conn node1)
			fi
			pg=$(bench pg "$script" "$CLIENTS" "${PG[@]}")
			# shellcheck disable=SC2046
			measure "$id-$script" "$script" $(conn $id) -- "${node_pid[node1]}" "${node_pid[node2]}" "${node_pid[node3]}"
			runs[pg-$id-$script]+=" $pg"
			runs[$id-$script]+=" ${tps[$id-$script]}"
			runs[ratio-$id-$script]+=" $(ratio "${tps[$id-$script]}" "$pg" | tr -d x)"
			runs[cpu-$id-$script]+=" ${cpu[$id-$script]}"
		done
	done
done

printf '\n%-7s %11s %11s   %s\n' script PostgreSQL single "single/PostgreSQL"
for script in $SCRIPTS; do
	printf '%-7s %11s %11s   %s\n' "$script" "${tps[pg-$script]}" "${tps[single-$script]}" "$(ratio "${tps[single-$script]}" "${tps[pg-$script]}")"
done
echo
echo "cluster, $ROUNDS round(s), each node's run right after a PostgreSQL run (medians):"
printf '%-7s %-6s %11s %11s %7s   %s\n' script node PostgreSQL Chronos ratio "ratio in each round"
for script in $SCRIPTS; do
	for id in node1 node2; do
		# shellcheck disable=SC2086
		printf '%-7s %-6s %11s %11s %7s   %s\n' "$script" "$id" "$(median ${runs[pg-$id-$script]} | round 0)" \
			"$(median ${runs[$id-$script]} | round 0)" "$(median ${runs[ratio-$id-$script]} | round 2)x" "${runs[ratio-$id-$script]# }"
	done
done
echo
echo "Chronos CPU time (user+system, all its processes) per transaction, in ms (medians):"
for script in $SCRIPTS; do
	# shellcheck disable=SC2086
	printf '%-7s single %s, cluster via node1 %s, via node2 %s\n' "$script" "${cpu[single-$script]}" \
		"$(median ${runs[cpu-node1-$script]} | round 3)" "$(median ${runs[cpu-node2-$script]} | round 3)"
done
echo "load average now: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores; other work on the machine counts too)"

# --- Leader failover under a write load.
if [ "$WRITERS" -gt 0 ]; then
	echo
	# shellcheck disable=SC2046
	leader=$(psql -X -q -At $(conn node1) -c "SELECT id FROM chronos.nodes WHERE role = 'leader'")
	[ -n "$leader" ] || die "no leader before the failover test"
	# The test kills the leader with SIGKILL; bash would report that as
	# "Killed" for a job it still tracks.
	disown "${node_pid[$leader]}"
	"$work/failover" -nodes "node1=127.0.0.1:$p1,node2=127.0.0.1:$p2,node3=127.0.0.1:$p3" \
		-leader "$leader" -pid "${node_pid[$leader]}" -writers "$WRITERS" || die "the failover test failed (logs in $work)"
fi
