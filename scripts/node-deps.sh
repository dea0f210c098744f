#!/bin/sh
# Install the pinned npm packages the tests use (real MCP servers, the MCP SDK
# client, ajv) when they are missing or older than package-lock.json. npm's own
# record of what it installed (node_modules/.package-lock.json) is the mark:
# an emptied or half-written node_modules directory is installed again.
set -eu
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	npm ci --no-audit --no-fund
	touch node_modules/.package-lock.json
fi
