#!/bin/sh
# Install the pinned npm packages the tests use (real MCP servers, the MCP SDK
# client, ajv) when node_modules is missing or older than package-lock.json.
set -eu
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
	npm ci --no-audit --no-fund
	# npm ci leaves node_modules' mtime as it was; mark it fresh.
	touch node_modules
fi
