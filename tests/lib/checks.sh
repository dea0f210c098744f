# Sourced by the shell test suites (tests/build, tests/deploy): counts the
# checks, prints an "ok"/"FAIL" line for each and, at the end, the
# "SUITE: N passed, M failed" line that tests/run-all.sh adds up.
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
check() { # description, command...
	local what=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$what"; else fail "$what"; fi
}
summary() { # suite; prints the count line, and fails if any check failed
	echo "$1: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
