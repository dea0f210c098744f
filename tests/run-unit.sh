#!/usr/bin/env bash
# Run cmocka test binaries; print each one's result and a total line
# "unit: N passed, M failed". Exit 1 if anything failed.
set -u
passed=0; failed=0; bad=()
for bin in "$@"; do
	out=$(CMOCKA_MESSAGE_OUTPUT=stdout ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "$bin" 2>&1)
	rc=$?
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p)); failed=$((failed + f))
	if [ "$rc" -ne 0 ]; then
		bad+=("$bin"); printf '%s\n' "$out" | tail -n 60
		printf 'FAIL %s (%d passed, %d failed)\n' "$(basename "$bin")" "$p" "$f"
	else
		printf 'ok   %s (%d passed)\n' "$(basename "$bin")" "$p"
	fi
done
echo "${SUITE:-unit}: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
