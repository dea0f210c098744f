#!/usr/bin/env bash
# Boots Debian's 6.1 and 6.12 cloud kernels under qemu with a busybox
# initramfs holding build/mcpwatch and build/tests/test_sensor_bpf, and checks
# that every BPF program loads and attaches there and which file backend the
# sensor picks. Not part of `make test`: it downloads ~60 MB of kernel
# packages and takes minutes under TCG. See tests/kernels/README.md.
#
#   tests/kernels/run-qemu.sh [SERIES...]     default: 6.1 6.12
#
# Environment:
#   MW_QEMU_ACCEL=tcg|kvm    qemu accelerator (default tcg; kvm needs /dev/kvm)
#   MW_QEMU_TIMEOUT=SECONDS  per-kernel limit (default 900)
#   MW_EXPECT_BACKEND=NAME   file backend every kernel must choose (default fexit)
#   BUILD=DIR                build directory (default build)
#
# Exit status: 0 if every kernel passed, 1 if one failed, 2 on a setup error.
set -euo pipefail

cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
KDIR=$BUILD/kernels
ACCEL=${MW_QEMU_ACCEL:-tcg}
TIMEOUT=${MW_QEMU_TIMEOUT:-900}
EXPECT=${MW_EXPECT_BACKEND:-fexit}
SERIES=("$@")
[ ${#SERIES[@]} -gt 0 ] || SERIES=(6.1 6.12)

die() {
	echo "run-qemu: $*" >&2
	exit 2
}

need_tools() {
	local t
	for t in qemu-system-x86_64 busybox apt-get apt-cache dpkg ldd clang gzip; do
		command -v "$t" >/dev/null ||
			die "$t not found (qemu-system-x86_64: apt-get install qemu-system-x86; busybox: busybox-static)"
	done
	busybox --list | grep -x cpio >/dev/null || die "busybox has no cpio applet (install busybox-static)"
}

# Newest Debian cloud kernel package of a series, e.g. 6.1 ->
# linux-image-6.1.0-54-cloud-amd64-unsigned, 6.12 -> linux-image-6.12.107+deb12-cloud-amd64-unsigned.
kernel_package() {
	local re="^linux-image-${1//./\\.}\\.[0-9]+[-+][^ ]*-cloud-amd64-unsigned\$"

	apt-cache search --names-only "$re" | awk '{print $1}' | sort -V | tail -n 1
}

# Downloads and unpacks pkg once; prints the path of its vmlinuz.
kernel_fetch() {
	local pkg=$1 root=$KDIR/$1

	if [ ! -d "$root/boot" ]; then
		mkdir -p "$KDIR/debs"
		(cd "$KDIR/debs" && apt-get download -q -o APT::Sandbox::User=root "$pkg") >&2 ||
			die "apt-get download $pkg failed (try: apt-get update)"
		rm -rf "$root.tmp"
		dpkg -x "$KDIR"/debs/"${pkg}"_*.deb "$root.tmp" || die "dpkg -x of $pkg failed"
		mv "$root.tmp" "$root"
	fi
	find "$root/boot" -name "vmlinuz-*" 2>/dev/null | head -n 1
}

# Copies a host binary and every shared library ldd lists into the initramfs.
copy_with_libs() {
	local bin=$1 dest=$2 lib

	install -D -m 0755 "$bin" "$ROOT$dest"
	for lib in $(ldd "$bin" | grep -o '/[^ ]*' || true); do
		[ -e "$ROOT$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$ROOT$lib"
	done
}

# A stand-in MCP server: the host's dash under a server's name, so the agent
# identifies it by its command line (busybox sh would be seen as a shell).
# init.sh has it read a private key once it is tracked.
write_workload() {
	mkdir -p "$ROOT/root/.ssh"
	echo "-----BEGIN OPENSSH PRIVATE KEY----- (test key)" >"$ROOT/root/.ssh/id_rsa"
	copy_with_libs "$(readlink -f /bin/dash)" /usr/bin/mcp-server-demo
}

build_initramfs() {
	ROOT=$KDIR/initramfs
	rm -rf "$ROOT"
	mkdir -p "$ROOT"/{usr/bin,usr/sbin,usr/lib,usr/lib64,proc,sys,dev,tmp,run,etc,root}
	# Debian's merged /usr layout, so paths match the host's (/bin/true -> /usr/bin/true).
	ln -s usr/bin "$ROOT/bin"
	ln -s usr/sbin "$ROOT/sbin"
	ln -s usr/lib "$ROOT/lib"
	ln -s usr/lib64 "$ROOT/lib64"
	install -m 0755 "$(command -v busybox)" "$ROOT/usr/bin/busybox"
	# /init's interpreter; init installs the other applets.
	ln -s busybox "$ROOT/usr/bin/sh"
	# test_sensor_bpf execs /bin/true and expects exe /usr/bin/true: a real one.
	copy_with_libs /usr/bin/true /usr/bin/true
	copy_with_libs "$BUILD/mcpwatch" /usr/bin/mcpwatch
	copy_with_libs "$BUILD/tests/test_sensor_bpf" /usr/bin/test_sensor_bpf
	copy_with_libs "$KDIR/proginfo" /usr/bin/proginfo
	echo "root:x:0:0:root:/root:/bin/sh" >"$ROOT/etc/passwd"
	echo "root:x:0:" >"$ROOT/etc/group"
	echo "qemu-guest" >"$ROOT/etc/hostname"
	write_workload
	install -m 0755 tests/kernels/init.sh "$ROOT/init"
	(cd "$ROOT" && find . | busybox cpio -o -H newc -R 0:0 2>/dev/null) | gzip -1 >"$KDIR/initrd.gz"
}

build_binaries() {
	make --no-print-directory "$BUILD/mcpwatch" "$BUILD/tests/test_sensor_bpf" >&2 ||
		die "make failed"
	mkdir -p "$KDIR"
	clang -O2 -g -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 \
		-Wvla tests/kernels/proginfo.c -lbpf -o "$KDIR/proginfo" || die "building proginfo failed"
}

# Prints the lines between ===MW-BEGIN name=== and ===MW-END name=== of a log.
section() {
	sed -n "/^===MW-BEGIN $2===/,/^===MW-END $2===/p" "$1" | sed '1d;$d'
}

# True if a test_sensor_bpf section ran every test and exited 0.
sensor_passed() {
	section "$1" "$2" | grep '^\[  PASSED  \]' >/dev/null &&
		section "$1" "$2" | grep -x 'exit status 0' >/dev/null &&
		! section "$1" "$2" | grep '^\[  FAILED  \]' >/dev/null
}

# Checks one kernel's log; prints a summary, returns non-zero on failure.
check_log() {
	local log=$1 ok=0 got name what

	section "$log" uname | sed 's/^/  kernel: /'
	for name in sensor-default sensor-raw_tp; do
		what="probed backend, expect $EXPECT"
		[ $name = sensor-raw_tp ] && what="MCPWATCH_FILE_BACKEND=raw_tp"
		if sensor_passed "$log" $name; then
			echo "  test_sensor_bpf ($what): PASSED"
		else
			echo "  test_sensor_bpf ($what): FAILED"
			section "$log" $name | grep -e '^\[  FAILED  \]' -e '^\[  ERROR' -e LINE | sed 's/^/    /' || true
			ok=1
		fi
	done
	got=$(section "$log" run-default | grep -o '"file_backend":"[^"]*"' | sed -n 1p | cut -d'"' -f4 || true)
	echo "  mcpwatch run: file_backend=${got:-none}"
	[ "$got" = "$EXPECT" ] || ok=1
	if section "$log" run-default | grep '"rule":{"id":"mcp-sensitive-file"' >/dev/null; then
		echo "  mcpwatch run: mcp-sensitive-file alert for the demo server: yes"
	else
		echo "  mcpwatch run: mcp-sensitive-file alert for the demo server: NO"
		ok=1
	fi
	section "$log" progs-default | sed 's/^/  [probed] /'
	section "$log" progs-raw_tp | sed 's/^/  [raw_tp] /'
	return $ok
}

run_kernel() {
	local series=$1 pkg vmlinuz log

	pkg=$(kernel_package "$series")
	[ -n "$pkg" ] || die "no linux-image-$series.*-cloud-amd64-unsigned package (try: apt-get update)"
	vmlinuz=$(kernel_fetch "$pkg")
	[ -n "$vmlinuz" ] || die "$pkg has no boot/vmlinuz-*"
	log=$KDIR/logs/$pkg.log
	mkdir -p "$KDIR/logs"
	echo "== $pkg ($ACCEL)"
	# panic=-1 and -no-reboot: if init dies, qemu exits instead of hanging.
	timeout "$TIMEOUT" qemu-system-x86_64 -accel "$ACCEL" -cpu max -smp 2 -m 2G \
		-nographic -no-reboot -kernel "$vmlinuz" -initrd "$KDIR/initrd.gz" \
		-append "console=ttyS0 lsm=lockdown,capability,bpf panic=-1 quiet mw_expect=$EXPECT" \
		</dev/null >"$log" 2>&1 || echo "  qemu exited with status $? (see $log)"
	tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"
	check_log "$log"
}

main() {
	local s fail=0

	need_tools
	build_binaries
	build_initramfs
	for s in "${SERIES[@]}"; do
		run_kernel "$s" || fail=1
	done
	[ $fail -eq 0 ] && echo "run-qemu: all kernels passed" || echo "run-qemu: FAILED (logs in $KDIR/logs)"
	return $fail
}

main
