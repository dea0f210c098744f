// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The "fexit" file backend: one program on the return of do_sys_openat2(),
 * which open(2), openat(2), openat2(2) and creat(2) (and their compat
 * forms) all end in. Unlike the raw_tp backend it runs only for opens, not
 * for every syscall, and needs no enter/exit pairing map. It is loaded only
 * where the kernel permits fentry/fexit; user space probes that at start-up
 * and falls back to the raw_tp backend otherwise.
 */
#include "common.h"
#include "open.h"

SEC("fexit/do_sys_openat2")
int BPF_PROG(handle_openat2_exit, int dfd, const char *filename, struct open_how *how, long ret)
{
	struct mw_open_args a = {};

	if (!mw_open_wanted(bpf_get_current_pid_tgid() >> 32))
		return 0;
	a.filename = (__u64)filename;
	a.dfd = dfd;
	/* how is the caller's kernel copy, still live while we run. */
	a.flags = BPF_CORE_READ(how, flags) & ~(__u64)MW_O_LARGEFILE;
	a.mode = BPF_CORE_READ(how, mode);
	mw_open_report(&a, ret);
	return 0;
}
