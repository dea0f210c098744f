#!/usr/bin/env bash
# Build the mcpwatch container image from deploy/Dockerfile (make image).
# The Debian 12 base is made locally first when it is missing
# (scripts/image-base.sh), so no registry is needed.
# Environment (the Makefile sets the first three):
#   IMAGE     repository name, tagged :VERSION and :latest (localhost/mcpwatch)
#   VERSION   the agent's version (org.opencontainers.image.version)
#   REVISION  the git commit (org.opencontainers.image.revision)
#   SOURCE    the repository URL (org.opencontainers.image.source)
#   BINARY    compiled (the build stage runs make) or prebuilt (build/mcpwatch)
#   BASE      the base image tag (localhost/mcpwatch-base:bookworm)
#   ENGINE    podman or docker (default: podman, else docker when it runs)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/container-engine.sh
. scripts/container-engine.sh

IMAGE=${IMAGE:-localhost/mcpwatch}
VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo 0.0.0)}
REVISION=${REVISION:-$(git rev-parse HEAD 2>/dev/null || echo unknown)}
SOURCE=${SOURCE:-https://github.com/mcpwatch/mcpwatch}
BINARY=${BINARY:-compiled}
BASE=${BASE:-localhost/mcpwatch-base:bookworm}

engine_pick
ENGINE=$ENGINE scripts/image-base.sh "$BASE"
engine_probe "$BASE"

if [ "$BINARY" = prebuilt ] && [ ! -x build/mcpwatch ]; then
	echo "image: BINARY=prebuilt needs build/mcpwatch (run make)" >&2
	exit 1
fi

# Build steps use the host's network: their apt-get reaches the same mirror
# the base came from, and no bridge or NAT has to exist.
start=$(date +%s)
"$ENGINE" "${ENGINE_GLOBAL[@]}" build "${ENGINE_OPTS[@]}" --network=host \
	-f deploy/Dockerfile \
	--build-arg BASE="$BASE" --build-arg BINARY="$BINARY" \
	--build-arg VERSION="$VERSION" --build-arg REVISION="$REVISION" --build-arg SOURCE="$SOURCE" \
	-t "$IMAGE:$VERSION" -t "$IMAGE:latest" .
size=$("$ENGINE" image inspect --format '{{.Size}}' "$IMAGE:$VERSION")
echo "image: $IMAGE:$VERSION (also :latest), $((size / 1000000)) MB, built in $(($(date +%s) - start)) s"
