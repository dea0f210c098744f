#!/usr/bin/env bash
# Everything `make test` runs, in order, with one total line at the end.
# Unit tests (ASan+UBSan), BPF sensor tests (root), fuzz smoke, end-to-end.
set -u
cd "$(dirname "$0")/.."
B=${BUILD:-build}
total_p=0; total_f=0
run_suite() { # name, command...
	local name=$1; shift
	echo "== $name"
	local out; out=$("$@" 2>&1); local rc=$?
	printf '%s\n' "$out"
	local line p f
	line=$(printf '%s\n' "$out" | grep -E '^[a-z0-9_-]+: [0-9]+ passed, [0-9]+ failed' | tail -n 1)
	if [ -n "$line" ]; then
		p=$(printf '%s' "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
		f=$(printf '%s' "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	else # node's test runner: "# pass N" (tap) or "ℹ pass N" (spec)
		p=$(printf '%s\n' "$out" | sed -nE 's/^(#|ℹ) pass ([0-9]+)$/\2/p' | tail -n 1)
		f=$(printf '%s\n' "$out" | sed -nE 's/^(#|ℹ) fail ([0-9]+)$/\2/p' | tail -n 1)
		echo "$name: ${p:-0} passed, ${f:-0} failed"
	fi
	p=${p:-0}; f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	total_p=$((total_p + p)); total_f=$((total_f + f))
}
# Unit tests drive real servers too (the HTTP probe against server-everything).
scripts/node-deps.sh || { echo "total: 0 passed, 1 failed"; exit 1; }
# The Makefile passes exactly the binaries it built (UNIT_BINS, FUZZ_BINS), so a
# stale binary left in the build directory is never run.
unit_bins=${UNIT_BINS:-$(ls $B/tests/test_* | grep -v '/test_sensor_bpf$')}
fuzz_bins=${FUZZ_BINS:-$(ls $B/fuzz/fuzz_*)}
run_suite layers scripts/check-layers.sh
run_suite build tests/build/arm64-bpf.sh
run_suite deploy tests/deploy/systemd-unit.sh
run_suite unit tests/run-unit.sh $unit_bins
if [ -x $B/tests/test_sensor_bpf ]; then
	# The same conformance tests on each backend this kernel offers: the
	# probed one (syscall tracepoints here; the sensor mounts tracefs when it
	# is missing), then the raw_tp pair every kernel has. fexit runs under
	# make kernels (refused here).
	run_suite sensor env SUITE=sensor MW_EXPECT_IO_BACKEND=tp tests/run-unit.sh $B/tests/test_sensor_bpf
	run_suite sensor-raw_tp env SUITE=sensor-raw_tp MCPWATCH_FILE_BACKEND=raw_tp \
		MCPWATCH_IO_BACKEND=raw_tp MW_EXPECT_FILE_BACKEND=raw_tp MW_EXPECT_IO_BACKEND=raw_tp \
		tests/run-unit.sh $B/tests/test_sensor_bpf
fi
run_suite fuzz tests/run-fuzz.sh smoke $fuzz_bins
# Deployment: the Kubernetes manifests rendered and validated offline; the .deb.
run_suite k8s node --test tests/deploy/k8s.test.mjs
run_suite deb tests/deploy/deb.sh
run_suite e2e tests/e2e/run.sh
echo
echo "total: $total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
