#!/usr/bin/env bash
# abtest.sh: is the working tree faster or slower than another revision at
# three-node inserts (or point selects)? Usage: bench/abtest.sh REV (e.g.
# HEAD~1).
#
# One run's inserts per second move by 10-20% on a shared two-core machine,
# more than most changes do, so two clusters of three nodes run at once,
# one built from the working tree (B) and one from REV (A), and pgbench
# (16 clients, -M prepared, bench/SCRIPT.sql) alternates between them in
# short slices, A then B, then B then A, and so on. Both see the same
# drift of the machine; the ratio of each pair of slices cancels most of
# it. The report is each build's median and the median of the per-pair
# ratios B/A, with how many pairs B won.
#
#   SLICES=12    pairs of slices
#   SLICE=3      seconds per slice
#   NODE=1       the member the clients use: 1 (the leader) or 2 (a follower)
#   SCRIPT=insert  or select (bench_kv is loaded with 100,000 rows first)
set -euo pipefail

[ $# = 1 ] || { echo "usage: bench/abtest.sh REV" >&2; exit 2; }
rev=$1
SLICES=${SLICES:-12}
SLICE=${SLICE:-3}
NODE=${NODE:-1}
SCRIPT=${SCRIPT:-insert}
DURATION=$SLICE JOBS=2 ROWS=100000 LOAD=insert BATCH=1000
source "$(dirname "$0")/lib.sh"

git -C "$root" worktree add -q --detach "$work/rev" "$rev" || die "cannot check out $rev"
trap 'git -C "$root" worktree remove --force "$work/rev" 2>/dev/null; cleanup' EXIT
go build -C "$work/rev" -o "$work/chronos-a" ./cmd/chronos || die "go build of $rev failed"
cp "$work/chronos" "$work/chronos-b"

# start_cluster NAME: three members of build NAME (a or b); sets port_NAME
# to the port of member NODE.
start_cluster() {
	local name=$1 peers="" first=""
	for i in 1 2 3; do
		local port
		port=$(free_port)
		local args=(node --id "node$i" --address "127.0.0.1:$port" --data-dir "$work/cluster-$name")
		[ -n "$peers" ] && args+=(--peers "$peers")
		"$work/chronos-$name" "${args[@]}" </dev/null >"$work/$name-node$i.log" 2>&1 &
		pids+=($!)
		wait_ready "cluster $name node$i" -h 127.0.0.1 -p "$port" -U chronos chronos
		peers="${peers:+$peers,}node$i=127.0.0.1:$port"
		[ -z "$first" ] && first=$port
		[ "$i" = "$NODE" ] && printf -v "port_$name" '%s' "$port"
	done
	if [ "$SCRIPT" = select ]; then
		setup "cluster $name" -h 127.0.0.1 -p "$first" -U chronos chronos
	else
		psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$first" -U chronos chronos -f "$here/schema.sql" >/dev/null 2>&1 ||
			die "cannot create the tables on cluster $name"
	fi
}

start_cluster a
start_cluster b
echo "A: $rev, B: working tree; $SCRIPT, $SLICES pairs of $SLICE s slices through node$NODE"

as=() bs=()
for i in $(seq "$SLICES"); do
	order="a b"
	[ $((i % 2)) = 0 ] && order="b a"
	for name in $order; do
		port_var="port_$name"
		tps=$(bench "$name-$i" "$SCRIPT" 16 -h 127.0.0.1 -p "${!port_var}" -U chronos chronos)
		[ "$name" = a ] && as+=("$tps") || bs+=("$tps")
	done
	echo "pair $i: A $(round 0 <<<"${as[-1]}")  B $(round 0 <<<"${bs[-1]}")"
done

ratios=() wins=0
for i in "${!as[@]}"; do
	ratios+=("$(awk -v a="${as[$i]}" -v b="${bs[$i]}" 'BEGIN { if (a > 0) printf "%.4f", b / a; else print "error" }')")
	awk -v a="${as[$i]}" -v b="${bs[$i]}" 'BEGIN { exit !(b > a) }' && wins=$((wins + 1))
done
echo "A median $(median "${as[@]}" | round 0), B median $(median "${bs[@]}" | round 0)," \
	"B/A per pair: median $(median "${ratios[@]}" | round 3), B faster in $wins of $SLICES"
