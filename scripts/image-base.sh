#!/usr/bin/env bash
# The Debian 12 base image deploy/Dockerfile builds FROM, made here without a
# registry: mmdebstrap writes a minimal bookworm rootfs from the Debian mirror
# this machine's apt already uses, and the container engine imports it as a
# local tag. Nothing is done when the tag exists.
#   scripts/image-base.sh [TAG]     (default localhost/mcpwatch-base:bookworm)
# Environment: ENGINE (podman or docker; default podman), IMAGE_MIRROR (a
# Debian mirror URL, when /etc/apt names none for bookworm).
set -euo pipefail

TAG=${1:-localhost/mcpwatch-base:bookworm}
ENGINE=${ENGINE:-podman}
SUITE=bookworm

if "$ENGINE" image inspect "$TAG" >/dev/null 2>&1; then
	echo "image-base: $TAG present"
	exit 0
fi

# "deb URI SUITE COMPONENTS" for every bookworm* entry of the host's apt
# sources, one-line (.list) and deb822 (.sources) alike; third-party
# repositories (other suites, other keys) are left out.
host_sources() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		# Options in [brackets] (signed-by, arch) are dropped: mmdebstrap checks
		# signatures with the host's keyrings.
		sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" |
			awk -v s="$SUITE" '$1 == "deb" && index($3, s) == 1 { $1 = ""; print "deb" $0 }'
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		awk -v s="$SUITE" '
			function flush(   i, j, nu, ns, u, su) {
				if (types ~ /(^| )deb( |$)/ && enabled != "no") {
					nu = split(uris, u, " "); ns = split(suites, su, " ")
					for (i = 1; i <= nu; i++)
						for (j = 1; j <= ns; j++)
							if (index(su[j], s) == 1)
								print "deb " u[i] " " su[j] " " comps
				}
				types = uris = suites = comps = enabled = ""
			}
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { flush(); next }
			{
				key = tolower($1); sub(/:$/, "", key); $1 = ""; sub(/^ +/, "")
				if (key == "types") types = $0
				else if (key == "uris") uris = $0
				else if (key == "suites") suites = $0
				else if (key == "components") comps = $0
				else if (key == "enabled") enabled = tolower($0)
			}
			END { flush() }' "$f"
	done
}

mapfile -t sources < <(host_sources | sort -u)
if [ ${#sources[@]} -eq 0 ]; then
	mirror=${IMAGE_MIRROR:-http://deb.debian.org/debian}
	echo "image-base: /etc/apt names no $SUITE mirror; using $mirror" >&2
	sources=("deb $mirror $SUITE main")
elif [ -n "${IMAGE_MIRROR:-}" ]; then
	sources=("deb $IMAGE_MIRROR $SUITE main")
fi
printf 'image-base: mirror %s\n' "${sources[@]}"

command -v mmdebstrap >/dev/null || {
	echo "image-base: mmdebstrap is missing (scripts/deps.sh installs it)" >&2
	exit 1
}

# minbase: Essential packages and apt, nothing else; merged /usr with
# usr-is-merged (by default apt would pick usrmerge, which drags in 45 MB of
# Perl). Documentation, manual pages and translations are left out of every
# package a stage installs later (dpkg path-exclude), and deleted from the
# base after it is made: mmdebstrap's own --dpkgopt filter starts a Python
# process per package, a minute of the build on a busy 2-core machine.
excludes='path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright'
merged_usr=(--include=usr-is-merged)
[ -d /usr/share/mmdebstrap/hooks/merged-usr ] && merged_usr=(--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr)
echo "image-base: building $TAG from Debian $SUITE"
EXCLUDES=$excludes mmdebstrap --variant=minbase --format=tar --quiet "${merged_usr[@]}" \
	--aptopt='APT::Install-Recommends "false"' \
	--setup-hook='mkdir -p "$1/etc/dpkg/dpkg.cfg.d" && printf "%s\n" "$EXCLUDES" > "$1/etc/dpkg/dpkg.cfg.d/mcpwatch-excludes"' \
	--customize-hook='cd "$1" && rm -rf usr/share/man/* usr/share/info/* &&
		find usr/share/locale -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} + &&
		find usr/share/doc -mindepth 1 ! -type d ! -name copyright -delete &&
		find usr/share/doc -mindepth 1 -type d -empty -delete' \
	"$SUITE" - "${sources[@]}" |
	"$ENGINE" import \
		--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		--change 'CMD ["/bin/bash"]' \
		- "$TAG" >/dev/null
echo "image-base: $TAG built"
