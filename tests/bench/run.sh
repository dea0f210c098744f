#!/usr/bin/env bash
# make bench: syscall cost side by side in one run —
#   base:      no agent
#   untracked: agent running, process not in a server tree (what every other process pays)
#   tracked:   agent running, process is an MCP server (file opens are reported)
# Each case runs ROUNDS times interleaved; the median is reported, with ratios to base.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
N=${BENCH_N:-300000}
ROUNDS=${BENCH_ROUNDS:-5}
work=$(mktemp -d)
agent_pid=
cleanup() { [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
# A copy named like an MCP server is identified by its command line and tracked.
cp "$B/bench/bench_syscalls" "$work/mcp-server-bench"

run_case() { # label, binary → appends "label case ns" lines
	"$2" "$N" | while read -r c ns; do echo "$1 $c $ns"; done >>"$work/results"
}
start_agent() {
	"$B/mcpwatch" run >"$work/agent.out" 2>"$work/agent.err" &
	agent_pid=$!
	for _ in $(seq 1 200); do grep -q '"event":"ready"' "$work/agent.out" 2>/dev/null && return; sleep 0.1; done
	echo "agent did not become ready"; cat "$work/agent.err"; exit 1
}
stop_agent() { kill "$agent_pid"; wait "$agent_pid" || true; agent_pid=; }

for r in $(seq 1 "$ROUNDS"); do
	run_case base "$B/bench/bench_syscalls"
	start_agent
	run_case untracked "$B/bench/bench_syscalls"
	run_case tracked "$work/mcp-server-bench"
	awk '/VmHWM/ {print $2}' "/proc/$agent_pid/status" >>"$work/rss"
	stop_agent
done
awk '
{ k = $1 " " $2; n[k]++; v[k, n[k]] = $3; cases[$2] = 1 }
function median(k,   i, j, t, m) {
	m = n[k]; for (i = 1; i <= m; i++) a[i] = v[k, i]
	for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return a[int((m + 1) / 2)]
}
END {
	printf "%-14s %10s %10s %10s %10s %10s\n", "ns/op median", "base", "untracked", "tracked", "untr/base", "trk/base"
	for (c in cases) {
		b = median("base " c); u = median("untracked " c); t = median("tracked " c)
		printf "%-14s %10.1f %10.1f %10.1f %10.3f %10.3f\n", c, b, u, t, u / b, t / b
	}
}' "$work/results"
echo "agent peak RSS: $(sort -n "$work/rss" | tail -n 1) kB"
echo "(N=$N syscalls per case, $ROUNDS interleaved rounds, kernel $(uname -r))"

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
