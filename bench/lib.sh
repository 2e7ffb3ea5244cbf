# Shared pieces of the benchmark scripts (run.sh, cluster.sh); sourced,
# never run. The caller sets DURATION, JOBS, ROWS, LOAD and BATCH first.
# Sourcing checks the tools, creates the work directory (removed on exit,
# with every process in pids stopped by PID), runs initdb for a throwaway
# PostgreSQL and builds the chronos binary into the work directory.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

die() {
	echo "bench: $*" >&2
	KEEP=1 # the work directory holds the logs the message points to
	exit 1
}

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
		# A disowned process cannot be waited for: poll until it is gone.
		wait "$pid" 2>/dev/null || while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
	done
	if [ "${KEEP:-}" = 1 ]; then
		echo "bench: work directory kept: $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# free_port prints a TCP port on 127.0.0.1 that nothing listens on, below
# the kernel's range of ephemeral ports: a port there may be the local end of
# some connection, and a server cannot bind it then.
free_port() {
	local p low
	low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
	[ "$low" -gt 21000 ] || low=50000 # ephemeral ports everywhere: any will do
	while :; do
		p=$((20000 + RANDOM % (low - 20000)))
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
	# Connection arguments end with the database name, not -d NAME:
	# psql and pgbench both take it last, but pgbench's -d is --debug.
	PG=(-h 127.0.0.1 -p "$pg_port" -U "$pg_user" postgres)
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
	CH=(-h 127.0.0.1 -p "$ch_port" -U chronos chronos)
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

# median prints the median of its numeric arguments ("error" if any is not a number).
median() {
	printf '%s\n' "$@" | sort -g | awk '
		!/^[0-9.]+$/ { bad = 1 }
		{ v[NR] = $1 }
		END { if (bad || NR == 0) print "error"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# round N rounds the number on stdin to N decimals; anything else passes.
round() { awk -v n="$1" '/^[0-9.]+$/ { printf "%.*f\n", n, $1; next } { print }'; }

ratio() { awk -v c="$1" -v p="$2" 'BEGIN { if (c + 0 > 0 && p + 0 > 0) printf "%.2fx", c / p; else print "-" }'; }

# empty_insert_table psql-args...: recreates bench_insert from schema.sql,
# so that an insert run starts from an empty table, as every other did.
empty_insert_table() {
	grep -v '^--' "$here/schema.sql" | grep bench_insert | psql -X -q -v ON_ERROR_STOP=1 "$@" -f - >/dev/null ||
		die "recreating bench_insert failed"
}

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
