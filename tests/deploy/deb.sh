#!/usr/bin/env bash
# The Debian package: `make deb` builds it; its control data, file list,
# conffiles and Depends are checked (Depends against the libraries the binary
# links), lintian finds no error, the packaged binary runs its packaged rules
# and config, and dpkg installs, upgrades, removes and purges it in a scratch
# root (dpkg --root: maintainer scripts run chrooted there, under busybox sh,
# with recorders standing in for systemctl and deb-systemd-*) — never on this
# system's /usr.
# Prints "deb: N passed, M failed"; exits 1 if anything failed.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/checks.sh
finish() {
	summary deb
	exit
}

tmp=$(mktemp -d /tmp/mcpwatch-deb.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

deb=$(make -s deb 2>"$tmp/make.err" | tail -n 1)
check "make deb builds a .deb" test -f "$deb"
[ -f "$deb" ] || { cat "$tmp/make.err"; finish; }
echo "     $deb"

field() { dpkg-deb -f "$deb" "$1"; }
check "Package: mcpwatch" test "$(field Package)" = mcpwatch
version=$(field Version)
check "Version $version is a valid Debian version" dpkg --validate-version "$version"
described=$(git describe --tags --always --dirty 2>/dev/null || echo 0.1.0)
check "Version comes from the Makefile's VERSION ($described)" \
	grep -qF -- "$(d=${described#v}; echo "${d//-/+}")" <<<"$version"
check "Architecture is this machine's" test "$(field Architecture)" = "$(dpkg --print-architecture)"

# ---- the file list
dpkg-deb -c "$deb" >"$tmp/contents"
has() { # path mode
	awk -v p="./$1" -v m="$2" '$6 == p && $1 == m && $2 == "root/root" { found = 1 } END { exit !found }' "$tmp/contents"
}
check "/usr/bin/mcpwatch, 0755 root" has usr/bin/mcpwatch -rwxr-xr-x
check "/usr/share/mcpwatch/rules/default.json" has usr/share/mcpwatch/rules/default.json -rw-r--r--
check "/etc/mcpwatch/config.json" has etc/mcpwatch/config.json -rw-r--r--
check "/lib/systemd/system/mcpwatch.service" has lib/systemd/system/mcpwatch.service -rw-r--r--
check "/usr/share/doc/mcpwatch/copyright" has usr/share/doc/mcpwatch/copyright -rw-r--r--
check "/usr/share/man/man1/mcpwatch.1.gz" has usr/share/man/man1/mcpwatch.1.gz -rw-r--r--
check "every file owned by root" awk '$2 != "root/root" { exit 1 }' "$tmp/contents"
check "nothing under /usr/local" bash -c '! grep -q "\./usr/local" "$0"' "$tmp/contents"

# ---- control files
dpkg-deb -e "$deb" "$tmp/control"
check "conffiles: exactly /etc/mcpwatch/config.json" \
	test "$(cat "$tmp/control/conffiles")" = /etc/mcpwatch/config.json
for s in postinst prerm postrm; do
	check "$s is executable POSIX sh" bash -c '[ -x "$0" ] && head -n 1 "$0" | grep -qx "#!/bin/sh" && busybox sh -n "$0"' "$tmp/control/$s"
done

# ---- the files themselves
dpkg-deb -x "$deb" "$tmp/x"
bin=$tmp/x/usr/bin/mcpwatch
check "the unit's ExecStart runs the packaged binary" \
	grep -q '^ExecStart=/usr/bin/mcpwatch ' "$tmp/x/lib/systemd/system/mcpwatch.service"
check "the unit is otherwise deploy/systemd/mcpwatch.service" \
	diff <(grep -v '^ExecStart=' deploy/systemd/mcpwatch.service) <(grep -v '^ExecStart=' "$tmp/x/lib/systemd/system/mcpwatch.service")
check "the binary is stripped" bash -c '! readelf -S "$0" | grep -q "\.debug_info"' "$bin"
check "the packaged binary runs (--version)" bash -c '"$0" --version | grep -qF -- "$1"' "$bin" "$described"
check "the packaged default rules pass rules check" "$bin" rules check --no-default-rules "$tmp/x/usr/share/mcpwatch/rules/default.json"
mkdir -p "$tmp/empty/proc"
check "the packaged config loads (grade --config)" \
	"$bin" grade --config "$tmp/x/etc/mcpwatch/config.json" --fs-root "$tmp/empty" --proc-root "$tmp/empty/proc"

# ---- Depends: every library the binary links (NEEDED) comes from a package Depends names
depends=$(field Depends)
echo "     Depends: $depends"
dep_names=$(tr ',' '\n' <<<"$depends" | sed -E 's/^ *([^ (|]+).*/\1/' | sort -u)
needed=$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
check "the binary links libraries (NEEDED)" test -n "$needed"
for so in $needed; do
	path=$(ldd "$bin" | awk -v so="$so" '$1 == so { print $3 }')
	pkg=$(dpkg -S "$(realpath "$path")" 2>/dev/null | head -n 1 | cut -d: -f1)
	[ -n "$pkg" ] || pkg=$(dpkg -S "$path" 2>/dev/null | head -n 1 | cut -d: -f1)
	check "$so ($pkg) is in Depends" grep -qx -- "$pkg" <<<"$dep_names"
done

# ---- lintian (scripts/deps.sh installs it): errors and warnings fail, the rest is shown
if command -v lintian >/dev/null; then
	lintian --pedantic "$deb" 2>/dev/null | tee "$tmp/lintian" | sed 's/^/     lintian: /'
	check "lintian: no error, no warning" bash -c '! grep -q "^[EW]:" "$0"' "$tmp/lintian"
else
	check "lintian is installed (scripts/deps.sh)" false
fi

# ---- dpkg in a scratch root
root=$tmp/root
mkdir -p "$root"/{bin,dev,etc,tmp,run/systemd/system,usr/bin,var/log} "$root"/var/lib/dpkg/{info,updates,triggers}
: >"$root/var/lib/dpkg/status"
cp "$(command -v busybox)" "$root/bin/busybox"
chroot "$root" /bin/busybox --install -s /bin
mknod -m 666 "$root/dev/null" c 1 3
# systemd "runs" in the root (/run/systemd/system exists); its tools only record their arguments.
for tool in systemctl deb-systemd-helper deb-systemd-invoke; do
	printf '#!/bin/sh\necho "%s $*" >>/tmp/calls\n' "$tool" >"$root/usr/bin/$tool"
	chmod 0755 "$root/usr/bin/$tool"
done
live_before=$(ls -l /usr/bin/mcpwatch /lib/systemd/system/mcpwatch.service /etc/mcpwatch/config.json 2>&1)
dpkg_root() { dpkg --root="$root" --force-depends "$@" >>"$tmp/dpkg.log" 2>&1; }
calls() { cat "$root/tmp/calls" 2>/dev/null; : >"$root/tmp/calls"; }

check "dpkg --root installs it" dpkg_root -i "$deb"
check "installed: the binary, the rules, the unit, the config" \
	test -x "$root/usr/bin/mcpwatch" -a -f "$root/usr/share/mcpwatch/rules/default.json" \
	-a -f "$root/lib/systemd/system/mcpwatch.service" -a -f "$root/etc/mcpwatch/config.json"
check "dpkg's status: install ok installed" \
	bash -c 'dpkg --root="$0" -s mcpwatch | grep -qx "Status: install ok installed"' "$root"
c=$(calls)
check "first install enables and starts the unit, after daemon-reload" \
	bash -c 'grep -qx "deb-systemd-helper enable mcpwatch.service" <<<"$0" &&
		grep -qx "systemctl --system daemon-reload" <<<"$0" &&
		grep -qx "deb-systemd-invoke start mcpwatch.service" <<<"$0"' "$c"

echo '{"outputs": [{"type": "stdout"}], "alerts": {"aggregate_window_s": 5}}' >"$root/etc/mcpwatch/config.json"
check "reinstall (upgrade path) succeeds" dpkg_root -i "$deb"
check "a changed conffile survives the upgrade" grep -q aggregate_window_s "$root/etc/mcpwatch/config.json"
check "an upgrade restarts the unit" grep -qx "deb-systemd-invoke restart mcpwatch.service" <<<"$(calls)"

mkdir -p "$root/var/lib/mcpwatch/spool" "$root/var/log/mcpwatch"
check "dpkg --root removes it" dpkg_root -r mcpwatch
check "removed: the binary and the unit are gone" test ! -e "$root/usr/bin/mcpwatch" -a ! -e "$root/lib/systemd/system/mcpwatch.service"
check "removed: the conffile stays" test -f "$root/etc/mcpwatch/config.json"
c=$(calls)
check "remove stops and masks the unit" \
	bash -c 'grep -qx "deb-systemd-invoke stop mcpwatch.service" <<<"$0" &&
		grep -qx "deb-systemd-helper mask mcpwatch.service" <<<"$0"' "$c"
check "dpkg --root purges it" dpkg_root -P mcpwatch
check "purged: config, spool and logs are gone" \
	test ! -e "$root/etc/mcpwatch" -a ! -e "$root/var/lib/mcpwatch" -a ! -e "$root/var/log/mcpwatch"
check "purge forgets the unit's state" grep -qx "deb-systemd-helper purge mcpwatch.service" <<<"$(calls)"
check "this system's /usr, /lib and /etc untouched" test "$live_before" = \
	"$(ls -l /usr/bin/mcpwatch /lib/systemd/system/mcpwatch.service /etc/mcpwatch/config.json 2>&1)"
[ "$failed" -eq 0 ] || sed 's/^/     dpkg: /' "$tmp/dpkg.log"
finish
