#!/usr/bin/env bash
# Regenerates bpf/arch/arm64/vmlinux.h from the BTF of Debian's arm64 kernel,
# on any host architecture (the header is committed; builds never run this).
#
#   scripts/vmlinux-arm64.sh [PACKAGE]
#
# PACKAGE defaults to the newest linux-image-6.12.*-arm64-unsigned in the apt
# lists: the newest kernel Debian 12 ships, so that the header has every type
# the BPF code may name; CO-RE relocates field offsets for older kernels.
#
# The arm64 vmlinuz is a raw (or, in older packages, gzip-compressed) Image,
# not an ELF, so there is no .BTF section to ask for: the BTF blob is found
# by its header (magic 0xeB9F, version 1, flags 0, hdr_len 24) and cut out
# as header + type section + string section.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bpf/arch/arm64/vmlinux.h
BPFTOOL=${BPFTOOL:-bpftool}

die() { echo "vmlinux-arm64: $*" >&2; exit 1; }

# apt only lists and downloads arm64 packages once the architecture is known.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	dpkg --add-architecture arm64
	apt-get update -qq
fi
pkg=${1:-$(apt-cache search --names-only '^linux-image-6\.12\..*-arm64-unsigned$' |
	awk '{print $1}' | grep -v -e cloud -e -rt- | sort -V | tail -n 1)}
[ -n "$pkg" ] || die "no linux-image-6.12.*-arm64-unsigned in the apt lists"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download -q "$pkg" >/dev/null 2>&1) || die "cannot download $pkg"
dpkg -x "$tmp"/*.deb "$tmp/root"
image=$(ls "$tmp"/root/boot/vmlinuz-* 2>/dev/null | head -n 1)
[ -n "$image" ] || die "$pkg has no /boot/vmlinuz-*"

# Older Debian arm64 kernels ship vmlinuz gzip-compressed.
if [ "$(head -c 2 "$image" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
	gzip -dc "$image" >"$tmp/Image"
	image=$tmp/Image
fi

# Bytes [off, off + len) of the image (dd: tail | head fails under pipefail).
cut_bytes() {
	dd if="$image" iflag=skip_bytes,count_bytes skip="$1" count="$2" bs=1M status=none
}

# Each candidate header is checked by its section layout (types first, then
# strings, within the file) and finally by bpftool parsing the blob.
found=
for off in $(LC_ALL=C grep -obUaP '\x9f\xeb\x01\x00\x18\x00\x00\x00' "$image" | cut -d: -f1); do
	read -r type_off type_len str_off str_len < <(cut_bytes "$off" 24 | od -An -j8 -tu4)
	[ "$type_off" -eq 0 ] && [ "$str_off" -eq "$type_len" ] || continue
	size=$((24 + str_off + str_len))
	[ $((off + size)) -le "$(stat -c %s "$image")" ] || continue
	cut_bytes "$off" "$size" >"$tmp/btf"
	if "$BPFTOOL" btf dump file "$tmp/btf" format c >"$tmp/vmlinux.h" 2>/dev/null; then
		found=$off
		break
	fi
done
[ -n "$found" ] || die "no BTF blob found in $(basename "$image")"

mkdir -p "$(dirname "$OUT")"
mv "$tmp/vmlinux.h" "$OUT"
echo "vmlinux-arm64: $OUT from $pkg (BTF at offset $found, $size bytes)"
