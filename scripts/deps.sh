#!/usr/bin/env bash
# Install what mcpwatch needs to build and test, on Debian 12 / Ubuntu 22.04+.
#   scripts/deps.sh          install whatever is missing (needs root, or sudo)
#   scripts/deps.sh --check  exit 0 if everything is present, 1 otherwise
set -euo pipefail

PKGS=(clang llvm make pkg-config libbpf-dev libelf-dev zlib1g-dev libcjson-dev
      libcurl4-openssl-dev libcmocka-dev libclang-rt-dev iproute2 openssl jq procps
      busybox-static ca-certificates libssl-dev rsyslog python3 systemd util-linux
      dpkg-dev lintian mmdebstrap)
# dpkg-dev, lintian: `make deb` and its test. mmdebstrap: the local base image of
# `make image` (no registry). systemd, util-linux: the hardened unit's test, setpriv.
# bpftool: its own package on Debian 12 / Ubuntu 24.04, linux-tools on older Ubuntu.
BPFTOOL_PKG=bpftool
# podman, runc: `make image`, `make test-image` and the container-name end-to-end test
# (tests/e2e/93-workload); runc where crun cannot run on a cgroup v1/v2 hybrid host.
PKGS+=(podman runc)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v bpftool >/dev/null 2>&1 || missing+=("$BPFTOOL_PKG")
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ "${1:-}" = "--check" ]; then
	[ ${#missing[@]} -eq 0 ] && exit 0
	echo "missing: ${missing[*]}" >&2
	exit 1
fi
[ ${#missing[@]} -eq 0 ] && { echo "deps: all present"; exit 0; }

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
	# Ubuntu before 24.04 ships bpftool in linux-tools.
	missing=("${missing[@]/bpftool/linux-tools-common}")
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" \
		"linux-tools-$(uname -r)" || true
fi
scripts/deps.sh --check
