# Shared by bench/run, bench/musl and bench/peers: starting a server pinned to core 0,
# driving it with bench/loadgen pinned to core 1, and the server's CPU.
# shellcheck shell=sh

if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
	server_pin="taskset -c 0"
	load_pin="taskset -c 1"
else
	server_pin=""
	load_pin=""
fi

# The median of the first n numbers of a space-separated list, for awk.
median_awk='
function median(list, n,   i, j, t, a) {
	split(list, a, " ")
	for (i = 1; i <= n; i++)
		for (j = i + 1; j <= n; j++)
			if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
'

cpu_ns() { cut -d' ' -f1 "/proc/$1/schedstat"; }
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
peak_kb() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$1/status"; }

# start NAME COMMAND...: the server in the background ($pid, its output in
# ${server_log:-/dev/null}), answering TCP on $port, rightly or not.
start() {
	name=$1
	shift
	# shellcheck disable=SC2086
	$server_pin "$@" >"${server_log:-/dev/null}" 2>&1 &
	pid=$!
	i=0
	while :; do
		out=$(bench/loadgen -n 1 -c 1 -t 1 "$port" 2>/dev/null || true)
		case $out in
		*started=1\ answered=1*|*bad=1*) break ;;
		esac
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "bench: $name did not start" >&2; exit 1; }
		sleep 0.05
	done
}

stop() {
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	pid=""
}

# measure NAME: every scenario of $SCENARIOS, $RUNS times, one line a run
# into $results: name mode concurrency rate ns/reply stalls bad lost.
measure() {
	for scenario in $SCENARIOS; do
		mode=${scenario%:*}
		conc=${scenario#*:}
		count=$TCP_COUNT
		[ "$mode" = udp ] && count=$UDP_COUNT
		[ "$conc" = 1 ] && count=$((TCP_COUNT / 4))
		run=1
		while [ $run -le "$RUNS" ]; do
			before=$(cpu_ns "$pid")
			out=$($load_pin bench/loadgen -m "$mode" -c "$conc" \
			    -n "$count" -t "${SECONDS_A_RUN:-30}" "$port" || true)
			after=$(cpu_ns "$pid")
			answered=$(field "$out" answered)
			echo "$1 $mode $conc $(field "$out" rate)" \
			    "$(( (after - before) / (answered > 0 ? answered : 1) ))" \
			    "$(field "$out" stalls) $(field "$out" bad)" \
			    "$(( $(field "$out" errors) + $(field "$out" timeouts) + \
			    $(field "$out" refused) ))" >>"$results"
			run=$((run + 1))
		done
	done
	echo "$1 rss $(peak_kb "$pid")" >>"$results"
}
