// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * proginfo: prints one line per loaded BPF program whose name starts with
 * a prefix (default "handle_"): name, type, instructions after
 * verification (xlated), instructions the verifier processed, JIT size.
 * Run by tests/kernels/run-qemu.sh inside the guest while mcpwatch runs;
 * bpftool 7.1 does not show verified_insns.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static void proginfo_print_one(__u32 id, const char *prefix)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	const char *type;
	int fd = bpf_prog_get_fd_by_id(id);

	if (fd < 0)
		return;
	memset(&info, 0, sizeof(info));
	if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
	    !strncmp(info.name, prefix, strlen(prefix))) {
		type = libbpf_bpf_prog_type_str(info.type);
		printf("prog %-16s type=%-16s xlated_insns=%u verified_insns=%u jited_bytes=%u\n",
		       info.name, type ? type : "?", info.xlated_prog_len / 8, info.verified_insns,
		       info.jited_prog_len);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	const char *prefix = argc > 1 ? argv[1] : "handle_";
	__u32 id = 0;

	while (!bpf_prog_get_next_id(id, &id))
		proginfo_print_one(id, prefix);
	if (errno != ENOENT) {
		fprintf(stderr, "proginfo: listing BPF programs failed: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
