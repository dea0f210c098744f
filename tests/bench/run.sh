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
