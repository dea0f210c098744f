#!/usr/bin/env bash
# run-fuzz.sh smoke BIN...   each target over its seed corpus plus 20000 random inputs
# run-fuzz.sh SECONDS BIN... each target for SECONDS
set -u
mode=$1; shift
failed=0; passed=0
for bin in "$@"; do
	name=$(basename "$bin")
	corpus=tests/fuzz/corpus/${name#fuzz_}
	work=$(mktemp -d); mkdir -p "$corpus"
	if [ "$mode" = smoke ]; then
		args=(-runs=20000 -max_len=8192)
	else
		args=(-max_total_time="$mode" -max_len=8192)
	fi
	if "$bin" "${args[@]}" "$work" "$corpus" >"$work.log" 2>&1; then
		passed=$((passed + 1)); echo "ok   $name"
	else
		failed=$((failed + 1)); tail -n 40 "$work.log"; echo "FAIL $name"
	fi
	rm -rf "$work" "$work.log"
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
