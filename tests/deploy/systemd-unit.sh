#!/usr/bin/env bash
# The systemd unit grants exactly deploy/capabilities.txt and is hardened:
# `systemd-analyze security --offline=yes` rates it at most MAX_EXPOSURE.
# Each check is also run against a weakened copy of the unit (CAP_SYS_ADMIN
# added, the sandbox removed), which it must reject: the checks can fail.
# Prints "deploy: N passed, M failed"; exits 1 if anything failed.
set -u
cd "$(dirname "$0")/../.."
UNIT=deploy/systemd/mcpwatch.service
CAPS_FILE=deploy/capabilities.txt
MAX_EXPOSURE=${MAX_EXPOSURE:-3.5}
. tests/lib/checks.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The capability list of a file: one name a line, comments and blanks dropped, sorted.
caps_of_file() { sed -e 's/#.*//' "$1" | tr -s ' \t' '\n\n' | grep -v '^$' | sort -u; }
# The names of one directive of the unit (every line of it, as systemd adds them up), sorted.
caps_of_unit() { # unit, directive
	sed -n "s/^$2=//p" "$1" | tr -s ' \t' '\n\n' | grep -v '^$' | sort -u
}

# "2.7" from "→ Overall exposure level for mcpwatch.service: 2.7 OK"
exposure() { # unit; prints the number, or nothing when the analysis failed
	systemd-analyze security --offline=yes --no-pager "$1" 2>"$tmp/analyze.err" |
		sed -nE 's/.*Overall exposure level for [^:]*: ([0-9]+\.[0-9]+).*/\1/p'
}

check_caps() { # unit, what
	local want; want=$(caps_of_file "$CAPS_FILE")
	local d bad=0
	for d in CapabilityBoundingSet AmbientCapabilities; do
		local got; got=$(caps_of_unit "$1" "$d")
		[ "$got" = "$want" ] || { echo "     $d: $(echo $got) != $(echo $want) ($CAPS_FILE)"; bad=1; }
	done
	return $bad
}

check_exposure() { # unit
	local e; e=$(exposure "$1")
	if [ -z "$e" ]; then
		echo "     systemd-analyze gave no exposure: $(head -c 400 "$tmp/analyze.err")"
		return 1
	fi
	echo "     exposure $e (at most $MAX_EXPOSURE)"
	awk -v e="$e" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(e <= m) }'
}

if ! command -v systemd-analyze >/dev/null 2>&1; then
	fail "systemd-analyze is installed (scripts/deps.sh installs systemd)"
	summary deploy
	exit 1
fi

[ -s "$CAPS_FILE" ] && [ "$(caps_of_file "$CAPS_FILE" | grep -cv '^CAP_[A-Z_]*$')" -eq 0 ] &&
	ok "$CAPS_FILE lists capabilities by name" || fail "$CAPS_FILE lists capabilities by name"
for c in CAP_SYS_ADMIN CAP_NET_ADMIN; do
	caps_of_file "$CAPS_FILE" | grep -qx "$c" && fail "$CAPS_FILE has no $c" || ok "$CAPS_FILE has no $c"
done

check_caps "$UNIT" && ok "$UNIT grants exactly $CAPS_FILE" || fail "$UNIT grants exactly $CAPS_FILE"
check_exposure "$UNIT" && ok "$UNIT exposure at most $MAX_EXPOSURE" ||
	fail "$UNIT exposure at most $MAX_EXPOSURE"
# The agent's own system calls stay allowed by the filter.
for sc in bpf perf_event_open; do
	grep -Eq "^SystemCallFilter=[^~].*\b$sc\b" "$UNIT" && ok "$UNIT allows $sc(2)" ||
		fail "$UNIT allows $sc(2)"
done
grep -qx 'NoNewPrivileges=yes' "$UNIT" && ok "$UNIT sets NoNewPrivileges" ||
	fail "$UNIT sets NoNewPrivileges"

# The same checks must reject a weakened unit.
weak="$tmp/mcpwatch.service"
sed -e 's/^\(CapabilityBoundingSet=.*\)$/\1 CAP_SYS_ADMIN/' "$UNIT" >"$weak"
check_caps "$weak" >/dev/null && fail "a unit with CAP_SYS_ADMIN added is rejected" ||
	ok "a unit with CAP_SYS_ADMIN added is rejected"
grep -Ev '^(Protect|Private|Restrict|SystemCall|LockPersonality|MemoryDeny|UMask|DevicePolicy)' \
	"$UNIT" >"$weak"
check_exposure "$weak" >/dev/null && fail "a unit without its sandbox is rated above $MAX_EXPOSURE" ||
	ok "a unit without its sandbox is rated above $MAX_EXPOSURE"

summary deploy
