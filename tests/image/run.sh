#!/usr/bin/env bash
# make test-image: run the built image as the DaemonSet does and check that it
# alerts on an MCP server started on this host (tests/image/*.test.mjs).
#   IMAGE=localhost/mcpwatch:VERSION tests/image/run.sh
# The containers run under the kernel lock (no other agent may run at the same
# time), and every container the tests start is removed on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=scripts/container-engine.sh
. scripts/container-engine.sh

IMAGE=${IMAGE:-localhost/mcpwatch:latest}
engine_pick
"$ENGINE" image inspect "$IMAGE" >/dev/null 2>&1 || {
	echo "test-image: no image $IMAGE (make image builds it)" >&2
	exit 1
}
engine_probe "$IMAGE"
scripts/node-deps.sh

# Containers are named mcpwatch-image-test-<this shell's pid>-*; remove them
# whatever happens to the tests.
export IMAGE_TEST_PREFIX="mcpwatch-image-test-$$"
cleanup() {
	local c
	for c in $("$ENGINE" ps -a --format '{{.Names}}' | grep "^$IMAGE_TEST_PREFIX" || true); do
		"$ENGINE" "${ENGINE_GLOBAL[@]}" rm -f "$c" >/dev/null 2>&1 || true
	done
}
trap cleanup EXIT
trap "exit 130" INT TERM

export IMAGE ENGINE
export ENGINE_GLOBAL_ARGS="${ENGINE_GLOBAL[*]}" ENGINE_RUN_ARGS="${ENGINE_OPTS[*]}"
# The lock is held from here to the end of this script, after the EXIT trap
# has removed the containers: no agent of ours runs without it.
start=$(date +%s)
exec 9>/tmp/mcpwatch-kernel.lock
flock 9
echo "test-image: kernel lock taken after $(($(date +%s) - start)) s"
status=0
node --test --test-concurrency=1 --test-timeout=300000 tests/image/ || status=$?
echo "test-image: $(($(date +%s) - start)) s"
exit "$status"
