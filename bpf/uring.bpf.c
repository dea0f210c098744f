// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * io_uring, on tp_btf (no tracefs, no fexit needed). A request submitted
 * through io_uring is run by io_uring itself: an IORING_OP_OPENAT goes
 * io_openat2() -> do_filp_open(), never through do_sys_openat2() nor an open
 * syscall, so no file backend sees it. Here:
 *   - io_uring_create: a tracked process set up a ring (MW_EV_URING);
 *   - io_uring_complete: an OPENAT/OPENAT2 of a tracked process completed;
 *     its result fd is in the process's fd table by then (io-wq workers and
 *     the SQPOLL thread share it), so the open is reported from that fd's
 *     file exactly like any other open (open.h), flagged MW_F_URING.
 * Both programs are optional: user space loads them only where the
 * kernel's BTF has the tracepoints (sensor.c). Connects and listens through
 * io_uring need nothing here: they change TCP state in a task of the same
 * thread group, which net.bpf.c sees.
 */
#include "common.h"
#include "open.h"

/* uapi enum io_uring_op: fixed values. */
#define MW_IORING_OP_OPENAT  18
#define MW_IORING_OP_OPENAT2 28

/*
 * The parts of the kernel's request that are read, as local CO-RE types
 * (the ___mw flavour matches io_kiocb, io_cqe and io_open of whatever
 * kernel runs this): the request's first union holds the opcode's command
 * data (cmd, 6.0+; struct io_open for an open), cqe.res is its result.
 */
struct io_cmd_data___mw {
	__u64 data[8];
} __attribute__((preserve_access_index));

struct io_cqe___mw {
	__s32 res;
} __attribute__((preserve_access_index));

struct io_kiocb___mw {
	struct io_cmd_data___mw cmd;
	__u8 opcode;
	struct io_cqe___mw cqe;
} __attribute__((preserve_access_index));

struct io_open___mw {
	int dfd;
	__u32 file_slot;
	struct open_how how;
} __attribute__((preserve_access_index));

SEC("tp_btf/io_uring_create")
int BPF_PROG(handle_uring_create, int fd, void *ring, __u32 sq_entries, __u32 cq_entries,
	     __u32 flags)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	struct mw_uring r = {};

	/* Rings are common (runtimes, databases): tracked trees only. */
	if (tgid == self_tgid || !bpf_map_lookup_elem(&tracked, &tgid))
		return 0;
	mw_hdr_fill(&r.h, MW_EV_URING, tgid, (__u32)pid_tgid);
	r.server_tgid = mw_tracked_server(tgid, &r.h.flags);
	r.fd = fd;
	r.sq_entries = sq_entries;
	r.cq_entries = cq_entries;
	r.setup_flags = flags;
	r.h.size = sizeof(r);
	mw_send(&r, sizeof(r), MW_EV_URING);
	return 0;
}

/*
 * Only the first two arguments (ring, request) are used: they are the same
 * on every kernel with this tracepoint's request argument (5.17+), while the
 * rest changed (user_data/res/cflags, then the cqe itself in 6.4).
 */
SEC("tp_btf/io_uring_complete")
int BPF_PROG(handle_uring_complete, void *ring, void *req)
{
	struct io_kiocb___mw *r = req;
	struct io_open___mw *op;
	struct mw_open_args a = {};
	__u8 opcode;
	int res;

	if (!mw_open_wanted(bpf_get_current_pid_tgid() >> 32))
		return 0;
	/* Older layouts (no cmd union) are left alone, not misread. */
	if (!bpf_core_field_exists(r->cmd) || !bpf_core_field_exists(r->cqe))
		return 0;
	opcode = BPF_CORE_READ(r, opcode);
	if (opcode != MW_IORING_OP_OPENAT && opcode != MW_IORING_OP_OPENAT2)
		return 0;
	res = BPF_CORE_READ(r, cqe.res);
	op = (void *)&r->cmd;
	/*
	 * A failed open's name was freed before it completed, so there is no
	 * path to report; a direct descriptor (file_slot) went to the ring's
	 * own file table and res is no fd. Both stay unseen (README).
	 */
	if (res < 0 || BPF_CORE_READ(op, file_slot))
		return 0;
	a.dfd = BPF_CORE_READ(op, dfd);
	a.flags = BPF_CORE_READ(op, how.flags) & ~(__u64)MW_O_LARGEFILE;
	a.mode = BPF_CORE_READ(op, how.mode);
	a.hflags = MW_F_URING;
	mw_open_report(&a, res);
	return 0;
}
