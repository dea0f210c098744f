#!/usr/bin/env bash
# The BPF side builds for every supported ARCH on this machine, whatever its
# own architecture, with nothing but clang and bpftool: `make ARCH=<arch> bpf`
# into a scratch build directory, then checks that each linked object is BPF,
# was built against its own arch's registers (the CO-RE types the syscall
# argument macros read) and that its skeleton compiles. With CROSS=1 (after
# `make ARCH=arm64 cross-deps`), also cross-builds the agent and checks it is an
# aarch64 executable: opt-in, so that `make test` does the same work on every
# machine whatever was installed on it by hand.
# Prints "build: N passed, M failed"; exits 1 if anything failed.
set -u
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
. tests/lib/checks.sh

# The register a syscall's first argument is read from, per arch (libbpf's
# PT_REGS_PARM1_CORE_SYSCALL), and one that only the other arch has.
# ELF e_machine of a file (EM_BPF 247, EM_AARCH64 183); `file` is not a dependency.
machine() {
	od -An -tu2 -j18 -N2 "$1" | tr -d ' '
}

declare -A own=([x86]=di [arm64]=orig_x0)
declare -A other=([x86]=orig_x0 [arm64]=orig_ax)

for arch in x86 arm64; do
	out=$B/tests/arch/$arch
	rm -rf "$out"
	log=$(make --no-print-directory -s ARCH="$arch" BUILD="$out" bpf 2>&1)
	rc=$?
	[ "$rc" -eq 0 ] || printf '%s\n' "$log" | tail -n 30
	check "$arch: make ARCH=$arch bpf" test "$rc" -eq 0
	obj=$out/mcpwatch.bpf.o
	check "$arch: linked object is eBPF" test "$(machine "$obj")" = 247
	btf=$(bpftool btf dump file "$obj" 2>/dev/null)
	check "$arch: syscall arguments read from ${own[$arch]}" \
		grep -q "'${own[$arch]}'" <<<"$btf"
	check "$arch: no ${other[$arch]} of another arch" \
		bash -c "! grep -q \"'${other[$arch]}'\" <<<\"\$0\"" "$btf"
	check "$arch: skeleton compiles" \
		sh -c "printf '#include \"mcpwatch.skel.h\"\n' |
			clang -fsyntax-only -I'$out' -x c -"
done

if [ "${CROSS:-0}" = 1 ]; then
	out=$B/tests/arch/arm64
	log=$(make --no-print-directory -s -j"$(nproc)" ARCH=arm64 BUILD="$out" cross 2>&1)
	rc=$?
	[ "$rc" -eq 0 ] || printf '%s\n' "$log" | tail -n 30
	check "arm64: make ARCH=arm64 cross" test "$rc" -eq 0
	check "arm64: agent is an aarch64 executable" test "$(machine "$out/mcpwatch")" = 183
else
	echo "skip arm64 cross build: opt-in, CROSS=1 after make ARCH=arm64 cross-deps"
fi

summary build
