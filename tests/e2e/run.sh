#!/bin/sh
# End-to-end tests: real MCP servers, a real MCP client, the real agent.
# Run from the repository root, as root, after `make` (build/mcpwatch).
# Installs the pinned npm packages when they are missing or older than
# package-lock.json, then runs every tests/e2e/*.test.mjs serially: the tests
# share the kernel, so they must not overlap.
set -eu

cd "$(dirname "$0")/../.."

scripts/node-deps.sh

status=0
node --test --test-concurrency=1 --test-timeout=240000 tests/e2e/ || status=$?
exit "$status"
