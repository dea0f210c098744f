#!/usr/bin/env bash
# The architecture as a test (docs/architecture.md): every #include "X/..." in
# user/ must point down the layers, and no two modules may include each other
# through any chain (no cycles). Prints one line per violation and the total
# "layers: N passed, M failed" (N = files checked clean).
#
# Layers and what each may include besides itself:
#   lib      —
#   format   lib
#   sense    lib
#   identify lib sense
#   deliver  lib format
#   enrich   lib sense
#   detect   lib sense identify enrich deliver format
#   posture  lib sense identify enrich detect deliver format
#   (root)   everything: main, agent, config wire the layers together
set -u
cd "$(dirname "$0")/.."

declare -A allowed=(
	[lib]=""
	[format]="lib"
	[sense]="lib"
	[identify]="lib sense"
	[deliver]="lib format"
	[enrich]="lib sense"
	[detect]="lib sense identify enrich deliver format"
	[posture]="lib sense identify enrich detect deliver format"
)

layer_of() { # user/deliver/sinks/x.c → deliver; user/main.c → root
	local rel=${1#user/}
	case $rel in */*) echo "${rel%%/*}" ;; *) echo root ;; esac
}

passed=0 failed=0
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
while IFS= read -r f; do
	from=$(layer_of "$f")
	mod=${f%.*}
	ok=1
	while IFS= read -r inc; do
		[ -n "$inc" ] || continue
		case $inc in mcpwatch_abi.h | mcpwatch.skel.h) continue ;; esac
		target=user/$inc
		if [ ! -f "$target" ]; then
			echo "$f: includes \"$inc\", which is not under user/"
			ok=0
			continue
		fi
		to=$(layer_of "$target")
		echo "$mod ${target%.*}" >>"$edges"
		[ "$to" = "$from" ] && continue
		if [ "$from" != root ] && ! [[ " ${allowed[$from]} " == *" $to "* ]]; then
			echo "$f: layer $from may not include $inc (layer $to)"
			ok=0
		fi
	done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
	if [ $ok -eq 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done < <(find user -name '*.c' -o -name '*.h' | sort)

# Module cycles: depth-first search over "module includes module" edges.
cycles=$(awk '
$1 != $2 { adj[$1] = adj[$1] " " $2; nodes[$1] = 1; nodes[$2] = 1 }
function dfs(n,   i, k, m, parts) {
	state[n] = 1; path[++depth] = n
	k = split(adj[n], parts, " ")
	for (i = 1; i <= k; i++) {
		m = parts[i]
		if (state[m] == 1) { line = m; for (j = depth; j >= 1 && path[j] != m; j--) line = path[j] " -> " line; print m " -> " substr(line, length(m) + 5) }
		else if (!state[m]) dfs(m)
	}
	depth--; state[n] = 2
}
END { for (n in nodes) if (!state[n]) dfs(n) }' "$edges" | sort -u)
if [ -n "$cycles" ]; then
	while IFS= read -r c; do echo "include cycle: $c"; failed=$((failed + 1)); done <<<"$cycles"
fi
echo "layers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
