#!/usr/bin/env bash
# make bench: syscall cost side by side in one run —
#   base:        no agent
#   tp, raw_tp:  the agent with its syscall tracepoints, or with the raw_tp
#                pair (MCPWATCH_FILE_BACKEND/MCPWATCH_IO_BACKEND pinned), the
#                process not in a server tree (what every other process pays)
#   peer:        bpftrace on the same syscalls' tracepoints, filtered to a pid
#                that never runs (what a generic tracer costs); when installed
#   tp/raw_tp tracked: the process is an MCP server (its opens are reported)
# Each case runs ROUNDS times interleaved; the median is reported, with ratios to base.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
N=${BENCH_N:-300000}
ROUNDS=${BENCH_ROUNDS:-5}
work=$(mktemp -d)
agent_pid=
peer_pid=
cleanup() {
	[ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null
	[ -n "$peer_pid" ] && kill "$peer_pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
# A copy named like an MCP server is identified by its command line and tracked.
cp "$B/bench/bench_syscalls" "$work/mcp-server-bench"

run_case() { # label, binary → appends "label case ns" lines
	"$2" "$N" | while read -r c ns; do echo "$1 $c $ns"; done >>"$work/results"
}
start_agent() { # file backend, io backend
	MCPWATCH_FILE_BACKEND=$1 MCPWATCH_IO_BACKEND=$2 "$B/mcpwatch" run >"$work/agent.out" 2>"$work/agent.err" &
	agent_pid=$!
	for _ in $(seq 1 200); do grep -q '"event":"ready"' "$work/agent.out" 2>/dev/null && return; sleep 0.1; done
	echo "agent did not become ready"; cat "$work/agent.err"; exit 1
}
stop_agent() { kill "$agent_pid"; wait "$agent_pid" || true; agent_pid=; }

# The peer: the syscalls the agent's tracepoints cover, each entry and exit,
# a pid filter that never matches and a count behind it.
peer=
if command -v bpftrace >/dev/null 2>&1; then
	peer=$work/peer.bt
	calls="read write readv writev recvfrom sendto recvmsg sendmsg openat openat2 open creat"
	for c in $calls; do
		printf 'tracepoint:syscalls:sys_enter_%s, tracepoint:syscalls:sys_exit_%s /pid == 1/ { @n = count(); }\n' "$c" "$c"
	done >"$peer"
fi
start_peer() {
	bpftrace "$peer" >"$work/peer.out" 2>&1 &
	peer_pid=$!
	for _ in $(seq 1 300); do grep -q "Attaching" "$work/peer.out" 2>/dev/null && sleep 1 && return; sleep 0.1; done
	echo "bpftrace did not attach"; cat "$work/peer.out"; exit 1
}
stop_peer() { kill -INT "$peer_pid"; wait "$peer_pid" || true; peer_pid=; }

backends=":tp raw_tp:raw_tp"
for r in $(seq 1 "$ROUNDS"); do
	run_case base "$B/bench/bench_syscalls"
	for b in $backends; do
		start_agent "${b%%:*}" "${b##*:}"
		grep -o '"file_backend":"[a-z_]*","io_backend":"[a-z_]*"' "$work/agent.out" >"$work/chosen.${b##*:}"
		run_case "${b##*:}" "$B/bench/bench_syscalls"
		run_case "${b##*:}_tracked" "$work/mcp-server-bench"
		awk '/VmHWM/ {print $2}' "/proc/$agent_pid/status" >>"$work/rss"
		stop_agent
	done
	if [ -n "$peer" ]; then
		start_peer
		run_case peer "$B/bench/bench_syscalls"
		stop_peer
	fi
done
awk -v peer="${peer:+1}" '
{ k = $1 " " $2; n[k]++; v[k, n[k]] = $3; cases[$2] = 1 }
function median(k,   i, j, t, m) {
	m = n[k]; if (!m) return 0
	for (i = 1; i <= m; i++) a[i] = v[k, i]
	for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return a[int((m + 1) / 2)]
}
function ratio(x, b) { return b > 0 && x > 0 ? sprintf("%.3f", x / b) : "-" }
END {
	printf "ratio to no agent (median ns/op of base in brackets)\n"
	printf "%-14s %10s %8s %8s %8s %10s %10s\n", "case", "base ns", "tp", "raw_tp", "peer", "tp trk", "raw_tp trk"
	for (c in cases) {
		b = median("base " c)
		printf "%-14s %10.1f %8s %8s %8s %10s %10s\n", c, b, ratio(median("tp " c), b),
		       ratio(median("raw_tp " c), b), peer ? ratio(median("peer " c), b) : "-",
		       ratio(median("tp_tracked " c), b), ratio(median("raw_tp_tracked " c), b)
	}
}' "$work/results"
echo "backends: tp column $(cat "$work/chosen.tp"), raw_tp column $(cat "$work/chosen.raw_tp")"
[ -n "$peer" ] || echo "peer: bpftrace not installed (apt-get install bpftrace)"
echo "agent peak RSS: $(sort -n "$work/rss" | tail -n 1) kB"
echo "(N=$N syscalls per case, $ROUNDS interleaved rounds, kernel $(uname -r), $(nproc) CPUs)"

# BENCH_TAP=0: the syscall table only.
[ "${BENCH_TAP:-1}" = 0 ] && exit 0

# ---------------------------------------------------------------- tool-call tap
# A watched stdio server answering tools/call one at a time: no agent, the
# agent with the tap off, the agent with the tap on and every call audited
# (the audit records count the calls the tap saw: zero loss means all of them).
TAP_CALLS=${BENCH_TAP_CALLS:-3000}
cp "$B/bench/bench_tap" "$work/mcp-server-tapbench"
printf '{"tap":{"enabled":false},"posture":{"enabled":false},"sensor":{"lost_report_interval_s":1}}' >"$work/tap-off.json"
printf '{"audit":{"tool_calls":true},"posture":{"enabled":false},"sensor":{"lost_report_interval_s":1}}' >"$work/tap-on.json"
tap_case() { # label, size → appends "label size ns_per_call bytes audited lost"
	local out
	out=$("$B/bench/bench_tap" client "$work/mcp-server-tapbench" "$TAP_CALLS" "$2")
	echo "$1 $2 $(echo "$out" | awk '{print $4, $6}') $3" >>"$work/tap"
}
start_agent_with() { # config
	"$B/mcpwatch" run --config "$1" >"$work/agent.out" 2>"$work/agent.err" &
	agent_pid=$!
	for _ in $(seq 1 200); do grep -q '"event":"ready"' "$work/agent.out" 2>/dev/null && return; sleep 0.1; done
	echo "agent did not become ready"; cat "$work/agent.err"; exit 1
}
audited() { sleep 1.5; grep -c '"kind":"tool_call"' "$work/agent.out" || true; }
lost() { grep '"event":"lost"' "$work/agent.out" | grep -o '"io":[0-9]*' | awk -F: '{s+=$2} END {print s+0}'; }
for r in $(seq 1 "$ROUNDS"); do
	for size in 200 4096 16384; do
		tap_case none "$size" "- -"
		start_agent_with "$work/tap-off.json"
		tap_case off "$size" "- -"
		stop_agent
		start_agent_with "$work/tap-on.json"
		tap_case on "$size" "pending"
		stop_agent
		sed -i "\$s/pending\$/$(audited) $(lost)/" "$work/tap"
	done
done
awk -v calls="$TAP_CALLS" '
{ k = $1 " " $2; n[k]++; v[k, n[k]] = $3; b[k] = $4; if ($1 == "on") { aud[$2] = aud[$2] " " $5; lo[$2] += $6 } sizes[$2] = 1 }
function median(k,   i, j, t, m) {
	m = n[k]; for (i = 1; i <= m; i++) a[i] = v[k, i]
	for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return a[int((m + 1) / 2)]
}
END {
	printf "\n%-22s %10s %10s %10s %9s %9s %12s %s\n", "tap: us/call median", "no agent", "tap off", "tap on", "off/none", "on/none", "MB/s tapped", "audited per round (of " calls "), lost"
	for (s in sizes) {
		x = median("none " s); o = median("off " s); t = median("on " s)
		printf "%-22s %10.1f %10.1f %10.1f %9.3f %9.3f %12.1f %s, %d\n", "request " s " B", x / 1000, o / 1000, t / 1000, o / x, t / x, b["on " s] / (t * calls / 1e9) / 1e6, aud[s], lo[s]
	}
}' "$work/tap"
echo "(tap: $TAP_CALLS calls per case, one in flight at a time, $ROUNDS interleaved rounds)"

# ---------------------------------------------------------------- load
# Throughput (open and exec storms by a watched server), alert latency at a
# paced rate, start-up with many processes, idle RSS (tests/bench/load.mjs).
if [ "${BENCH_LOAD:-1}" != 0 ]; then
	echo
	node tests/bench/load.mjs "$B"
fi
