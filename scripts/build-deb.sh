#!/usr/bin/env bash
# Build the Debian package of mcpwatch with dpkg-deb (no debhelper needed).
#   scripts/build-deb.sh BUILD_DIR VERSION [ARCH]   (STRIP: the target's strip)
# Run by `make deb`, after `make install DESTDIR=BUILD_DIR/deb/root PREFIX=/usr`
# has staged the files: the same layout as a source install with PREFIX=/usr,
# except that the unit moves to /lib/systemd/system (Debian 12 keeps units
# there: files may not move between / and /usr while the /usr merge settles).
# Writes BUILD_DIR/mcpwatch_<version>_<arch>.deb and prints its path.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:?build directory}
version=${2:?version}
arch=${3:-$(dpkg --print-architecture)}
stage=$(realpath -m "$build/deb/root")
maintainer=${DEB_MAINTAINER:-mcpwatch authors <noreply@mcpwatch.invalid>}

# Debian versions start with a digit and use '-' only before a Debian
# revision: v0.2.0 → 0.2.0, 0.2.0-3-gabc1234 → 0.2.0+3+gabc1234, and a bare
# commit id (no tag yet) → 0.0~git<id>, which sorts before any release.
deb_version() {
	local v=${1#v}
	if [[ $v =~ ^[0-9]+\.[0-9] ]]; then
		printf '%s\n' "${v//-/+}"
	else
		printf '0.0~git%s\n' "${v//-/+}"
	fi
}
dver=$(deb_version "$version")

[ -x "$stage/usr/bin/mcpwatch" ] || { echo "build-deb: $stage/usr/bin/mcpwatch missing (make install first)" >&2; exit 1; }

# The unit where Debian 12 wants it; ExecStart already names /usr/bin (make install).
mkdir -p "$stage/lib/systemd/system"
mv "$stage/usr/lib/systemd/system/mcpwatch.service" "$stage/lib/systemd/system/mcpwatch.service"
rmdir -p "$stage/usr/lib/systemd/system" 2>/dev/null || true
grep -q '^ExecStart=/usr/bin/mcpwatch ' "$stage/lib/systemd/system/mcpwatch.service" || {
	echo "build-deb: the unit's ExecStart does not run /usr/bin/mcpwatch" >&2
	exit 1
}

# Stripped, as Debian ships binaries (the BPF objects are data in the binary).
"${STRIP:-strip}" --strip-unneeded --remove-section=.comment --remove-section=.note "$stage/usr/bin/mcpwatch"

# Documentation: the copyright file every package carries, and a changelog.
doc=$stage/usr/share/doc/mcpwatch
mkdir -p "$doc"
{
	cat <<-EOF
		Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
		Upstream-Name: mcpwatch
		Source: https://github.com/mcpwatch/mcpwatch

		Files: *
		Copyright: 2026 The mcpwatch authors
		License: GPL-2.0-only or BSD-2-Clause

		License: GPL-2.0-only
		 On Debian systems, the complete text of the GNU General Public License
		 version 2 can be found in '/usr/share/common-licenses/GPL-2'.

		License: BSD-2-Clause
	EOF
	# The licence text, indented, blank lines as " ."
	sed -e 's/^$/./' -e 's/^/ /' LICENSES/BSD-2-Clause.txt
} > "$doc/copyright"
{
	printf 'mcpwatch (%s) unstable; urgency=medium\n\n' "$dver"
	printf '  * Built from mcpwatch %s.\n\n' "$version"
	printf ' -- %s  %s\n' "$maintainer" "$(date -R -d "@${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")"
} | gzip -9n > "$doc/changelog.gz"

# A manual page made from the binary's own --help, so that it never disagrees
# (not for another ARCH than this machine's, whose binary does not run here).
man=$stage/usr/share/man/man1
if "$stage/usr/bin/mcpwatch" --help >/dev/null 2>&1; then
mkdir -p "$man"
{
	printf '.TH MCPWATCH 1 "" "mcpwatch %s" "User Commands"\n' "$version"
	printf '.SH NAME\nmcpwatch \\- eBPF runtime monitor for MCP servers\n.SH SYNOPSIS\n.nf\n'
	"$stage/usr/bin/mcpwatch" --help | sed -e 's/\\/\\e/g' -e "s/^[.']/\\\\\&&/" -e 's/-/\\-/g'
	printf '.fi\n.SH SEE ALSO\n/usr/share/doc/mcpwatch, https://github.com/mcpwatch/mcpwatch\n'
} | gzip -9n > "$man/mcpwatch.1.gz"
fi

# Maintainer scripts and the conffile list.
mkdir -p "$stage/DEBIAN"
install -m 0755 deploy/debian/postinst deploy/debian/prerm deploy/debian/postrm "$stage/DEBIAN/"
# Every file under /etc is a conffile: an upgrade never overwrites local changes.
(cd "$stage" && find etc -type f | sort | sed 's|^|/|') > "$stage/DEBIAN/conffiles"

# Depends from the libraries the binary links (their packages' shlibs files).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/debian"
printf 'Source: mcpwatch\n\nPackage: mcpwatch\nArchitecture: any\n' > "$work/debian/control"
depends=$(cd "$work" && dpkg-shlibdeps -O "$stage/usr/bin/mcpwatch" 2>/dev/null |
	sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "build-deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat > "$stage/DEBIAN/control" <<EOF
Package: mcpwatch
Version: $dver
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $size
Depends: $depends
Section: admin
Priority: optional
Homepage: https://github.com/mcpwatch/mcpwatch
Description: eBPF runtime monitor for MCP servers
 mcpwatch watches the MCP (Model Context Protocol) servers of a host with
 eBPF: the processes they start, the files they open, the connections they
 make and the ports they listen on. It alerts on what an MCP server should
 not do, grades each server's security posture (A-F) and writes a JSON stream
 to the journal, files, syslog or a SIEM.
EOF

# Checksums of the files but conffiles (dpkg keeps theirs), for dpkg --verify.
(cd "$stage" && find . \( -path ./DEBIAN -o -path ./etc \) -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z |
	xargs -0 md5sum) > "$stage/DEBIAN/md5sums"

# Files owned by root whoever builds; modes as installed.
find "$stage" -type d -exec chmod 0755 {} +
out=$build/mcpwatch_${dver}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$out" >/dev/null
echo "$out"
