// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Syscall-level sensors: file opens of tracked processes (when no fexit
 * program reports them), sampling of JSON-looking writes to stdout (MCP
 * stdio identification), the tool-call tap's reads and writes, and UDP
 * binds of tracked processes (a UDP service has no TCP state to trace).
 *
 * Two ways in, one body of code. Best: the syscall-specific tracepoints
 * (tp/syscalls/sys_{enter,exit}_<name>), which run a program only for the
 * dozen syscalls named here, so any other syscall of any process pays
 * nothing; attaching them needs tracefs. Last resort: one raw_tp program on
 * sys_enter and one on sys_exit for the whole host, which run on every
 * syscall and start with the syscall id compare. User space loads one set
 * or the other (sensor.c), never both.
 */
#include "common.h"
#include "io.h"
#include "open.h"
#include "sock.h"

#if defined(__TARGET_ARCH_x86)
#define MW_NR_READ	    0
#define MW_NR_WRITE	    1
#define MW_NR_OPEN	    2
#define MW_NR_READV	    19
#define MW_NR_WRITEV	    20
#define MW_NR_SENDTO	    44
#define MW_NR_RECVFROM	    45
#define MW_NR_SENDMSG	    46
#define MW_NR_RECVMSG	    47
#define MW_NR_CREAT	    85
#define MW_NR_OPENAT	    257
#define MW_NR_OPENAT2	    437
#define MW_NR_BIND	    49
#define MW_SYSCALL_NR(regs) BPF_CORE_READ(regs, orig_ax)
#elif defined(__TARGET_ARCH_arm64)
/* arm64 has no open(2) or creat(2); -2 never matches a syscall id. */
#define MW_NR_READ	    63
#define MW_NR_WRITE	    64
#define MW_NR_OPEN	    -2
#define MW_NR_READV	    65
#define MW_NR_WRITEV	    66
#define MW_NR_SENDTO	    206
#define MW_NR_RECVFROM	    207
#define MW_NR_SENDMSG	    211
#define MW_NR_RECVMSG	    212
#define MW_NR_CREAT	    -2
#define MW_NR_OPENAT	    56
#define MW_NR_OPENAT2	    437
#define MW_NR_BIND	    200
/* The kernel's arm64 pt_regs keeps the syscall number in syscallno. */
struct pt_regs___mw_arm64 {
	__s32 syscallno;
} __attribute__((preserve_access_index));
#define MW_SYSCALL_NR(regs) BPF_CORE_READ((struct pt_regs___mw_arm64 *)(regs), syscallno)
#else
#error "mcpwatch: syscall numbers are defined for x86 and arm64 only"
#endif

#define MW_CREAT_FLAGS 01101 /* O_CREAT | O_WRONLY | O_TRUNC */
#define MW_STDOUT_MIN  16    /* shorter writes cannot be an initialize result */
#define MW_SNIFF_IOVS  4     /* buffers of a pending process's writev/sendmsg sampled */

/*
 * Set before load: false when another file backend reports opens, so that
 * sys_enter keeps only its stdout half and pending_opens stays empty.
 */
const volatile bool open_via_sys_enter = true;
/* User space runs the tool-call tap: start it at a possible handshake (io.h). */
const volatile bool tap_early = false;

/* The first four arguments of a syscall, from the tracepoint record or
 * from the registers (raw_tp); read only for the syscalls we handle. */
struct mw_sysargs {
	__u64 a[4];
};

static __always_inline void mw_sysargs_regs(struct mw_sysargs *s, struct pt_regs *regs)
{
	s->a[0] = PT_REGS_PARM1_CORE_SYSCALL(regs);
	s->a[1] = PT_REGS_PARM2_CORE_SYSCALL(regs);
	s->a[2] = PT_REGS_PARM3_CORE_SYSCALL(regs);
	s->a[3] = PT_REGS_PARM4_CORE_SYSCALL(regs);
}

/* What sys_enter saw of an open, for sys_exit to report. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64); /* pid_tgid */
	__type(value, struct mw_open_args);
} pending_opens SEC(".maps");

/* Tool-call tap: a read or write of a tapped process, for sys_exit to copy. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64); /* pid_tgid */
	__type(value, struct mw_io_args);
} pending_io SEC(".maps");

static __always_inline bool mw_is_io(long id)
{
	return id == MW_NR_READ || id == MW_NR_WRITE || id == MW_NR_READV || id == MW_NR_WRITEV ||
	       id == MW_NR_RECVFROM || id == MW_NR_SENDTO || id == MW_NR_RECVMSG ||
	       id == MW_NR_SENDMSG;
}

static __always_inline bool mw_is_open(long id)
{
	return id == MW_NR_OPENAT || id == MW_NR_OPEN || id == MW_NR_OPENAT2 || id == MW_NR_CREAT;
}

/* Decodes the arguments of the four open syscalls into one shape. */
static __always_inline void mw_open_args_read(struct mw_open_args *a, const struct mw_sysargs *s,
					      long id)
{
	a->dfd = MW_AT_FDCWD;
	if (id == MW_NR_OPEN || id == MW_NR_CREAT) {
		a->filename = s->a[0];
		if (id == MW_NR_CREAT) {
			a->flags = MW_CREAT_FLAGS;
			a->mode = s->a[1];
		} else {
			a->flags = s->a[1];
			a->mode = s->a[2];
		}
		return;
	}
	a->dfd = s->a[0];
	a->filename = s->a[1];
	if (id == MW_NR_OPENAT2) {
		struct open_how how = {};

		bpf_probe_read_user(&how, sizeof(how), (void *)s->a[2]);
		a->flags = how.flags;
		a->mode = how.mode;
	} else {
		a->flags = s->a[2];
		a->mode = s->a[3];
	}
}

static __always_inline int mw_open_enter(const struct mw_sysargs *s, long id)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	struct mw_open_args a = {};

	if (!mw_open_wanted(tgid))
		return 0;
	mw_open_args_read(&a, s, id);
	/* A full map loses this open: count it like a ring-buffer loss. */
	if (bpf_map_update_elem(&pending_opens, &pid_tgid, &a, BPF_ANY))
		mw_count(MW_CNT_LOST + MW_EV_OPEN);
	return 0;
}

static __always_inline int mw_open_exit(long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct mw_open_args *pending = bpf_map_lookup_elem(&pending_opens, &pid_tgid);
	struct mw_open_args a;

	if (!pending)
		return 0;
	a = *pending;
	bpf_map_delete_elem(&pending_opens, &pid_tgid);
	mw_open_report(&a, ret);
	return 0;
}

/* The buffer (or iovec array and count) of a read or write syscall. */
static __always_inline void mw_io_args_read(struct mw_io_args *a, const struct mw_sysargs *s,
					    long id)
{
	a->dir =
	    (id == MW_NR_READ || id == MW_NR_READV || id == MW_NR_RECVFROM || id == MW_NR_RECVMSG)
		? MW_IO_IN
		: MW_IO_OUT;
	a->buf = s->a[1];
	if (id == MW_NR_READV || id == MW_NR_WRITEV) {
		a->iovcnt = s->a[2];
	} else if (id == MW_NR_RECVMSG || id == MW_NR_SENDMSG) {
		struct user_msghdr msg = {};

		bpf_probe_read_user(&msg, sizeof(msg), (void *)a->buf);
		a->buf = (__u64)msg.msg_iov;
		a->iovcnt = msg.msg_iovlen;
	}
}

/*
 * Only a tapped process goes further than the filter bit (the caller tested
 * it), and only its stdio and socket fds are kept.
 */
static __always_inline int mw_io_enter(const struct mw_sysargs *s, long id)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct mw_io_args a = {};
	__u32 flags;

	flags = mw_tap_flags(pid_tgid >> 32);
	if (!flags)
		return 0;
	a.fd = s->a[0];
	mw_io_args_read(&a, s, id);
	a.source = MW_IO_SYSCALL;
	a.fd_kind = mw_io_fd_kind(a.fd, a.dir, flags, &a.stream);
	if (a.fd_kind == MW_FD_OTHER ||
	    (a.iovcnt == 0 && (id == MW_NR_READV || id == MW_NR_WRITEV || id == MW_NR_RECVMSG ||
			       id == MW_NR_SENDMSG)))
		return 0;
	if (bpf_map_update_elem(&pending_io, &pid_tgid, &a, BPF_ANY))
		mw_count(MW_CNT_LOST + MW_EV_IO);
	return 0;
}

static __always_inline int mw_io_exit(long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct mw_io_args *pending;
	struct mw_io_args a;

	/* Only a tapped process has something pending: the others stop here. */
	if (!mw_tap_maybe(pid_tgid >> 32))
		return 0;
	pending = bpf_map_lookup_elem(&pending_io, &pid_tgid);
	if (!pending)
		return 0;
	a = *pending;
	bpf_map_delete_elem(&pending_io, &pid_tgid);
	if (ret > 0)
		mw_io_report(&a, ret);
	return 0;
}

/* Is id one of the syscalls that can write a stdio server's answer? */
static __always_inline bool mw_is_out(long id)
{
	return id == MW_NR_WRITE || id == MW_NR_WRITEV || id == MW_NR_SENDTO || id == MW_NR_SENDMSG;
}

/* The iovec array and count of writev(2) and sendmsg(2); false for the others. */
static __always_inline bool mw_out_iovs(const struct mw_sysargs *s, long id, __u64 *iov, __u64 *cnt)
{
	if (id == MW_NR_WRITEV) {
		*iov = s->a[1];
		*cnt = s->a[2];
		return true;
	}
	if (id == MW_NR_SENDMSG) {
		struct user_msghdr msg = {};

		if (bpf_probe_read_user(&msg, sizeof(msg), (void *)s->a[1]))
			return false;
		*iov = (__u64)msg.msg_iov;
		*cnt = msg.msg_iovlen;
		return true;
	}
	return false;
}

/* The first buffer of a write (write/sendto's buffer, writev/sendmsg's iov[0]). */
static __always_inline int mw_stdout_buf(const struct mw_sysargs *s, long id, const void **buf,
					 __u64 *count)
{
	struct iovec iov;
	/* Initialised: clang may read cnt on the path where mw_out_iovs failed,
	 * and 6.1's verifier refuses an uninitialised register (R1 !read_ok). */
	__u64 iovs = 0, cnt = 0;

	if (id == MW_NR_WRITE || id == MW_NR_SENDTO) {
		*buf = (const void *)s->a[1];
		*count = s->a[2];
		return 0;
	}
	if (!mw_out_iovs(s, id, &iovs, &cnt) || (long)cnt < 1)
		return -1;
	if (bpf_probe_read_user(&iov, sizeof(iov), (void *)iovs))
		return -1;
	*buf = iov.iov_base;
	*count = iov.iov_len;
	return 0;
}

/*
 * Does buf start a JSON object with a key: whitespace, '{', whitespace, '"'
 * within its first MW_STDOUT_MIN bytes? Servers write `{"`, but `{ "` and a
 * leading newline are as valid.
 */
static __always_inline bool mw_json_head(const void *buf, __u64 count)
{
	char h[MW_STDOUT_MIN] = {};
	__u32 n = count < MW_STDOUT_MIN ? count : MW_STDOUT_MIN;
	bool brace = false;

	barrier_var(n);
	n &= 2 * MW_STDOUT_MIN - 1;
	if (n > MW_STDOUT_MIN || bpf_probe_read_user(h, n, buf))
		return false;
	for (int i = 0; i < MW_STDOUT_MIN; i++) {
		char c = h[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			continue;
		if (!brace && c == '{') {
			brace = true;
			continue;
		}
		return brace && c == '"';
	}
	return false;
}

/* Counts one more sample for tgid; false once MW_SNIFF_LIMIT is reached. */
static __always_inline bool mw_sniff_allow(__u32 tgid)
{
	__u32 *n = bpf_map_lookup_elem(&sniff, &tgid);
	__u32 one = 1;

	if (!n) {
		bpf_map_update_elem(&sniff, &tgid, &one, BPF_NOEXIST);
		return true;
	}
	/* Also true of MW_SNIFF_DONE. */
	if (*n >= MW_SNIFF_LIMIT)
		return false;
	__sync_fetch_and_add(n, 1);
	return true;
}

static __always_inline void mw_stdout_send(__u64 pid_tgid, __u32 fd, const void *buf, __u64 count)
{
	struct mw_scratch *s = mw_scratch_get(MW_SLOT_STDOUT);
	struct mw_stdout *o;
	__u32 len = count < MW_STDOUT_SAMPLE ? count : MW_STDOUT_SAMPLE;
	__u64 size;

	if (!s)
		return;
	o = &s->out;
	mw_hdr_fill(&o->h, MW_EV_STDOUT, pid_tgid >> 32, (__u32)pid_tgid);
	mw_tracked_server(pid_tgid >> 32, &o->h.flags);
	o->fd = fd;
	o->count = count;
	/* Opaque to the compiler, so the mask stays on the register the call
	 * gets: older verifiers (6.1) lose a spilled register's bounds. */
	barrier_var(len);
	len &= 2 * MW_STDOUT_SAMPLE - 1;
	if (bpf_probe_read_user(o->data, len, buf))
		len = 0;
	o->len = len;
	size = offsetof(struct mw_stdout, data) + len;
	o->h.size = size;
	mw_send(o, size, MW_EV_STDOUT);
}

/*
 * A pending process (bpf/common.h): every buffer of the write is sampled,
 * whatever it starts with, one record per buffer in order, so that user
 * space can join a handshake split over several writes or iovecs. Bounded
 * by MW_SNIFF_LIMIT writes per process and MW_SNIFF_IOVS buffers per write.
 */
static __always_inline void mw_stdout_sniff_all(const struct mw_sysargs *s, long id, __u64 pid_tgid,
						__u32 fd)
{
	bool json = false;
	__u64 iovs = 0, cnt = 0; /* see mw_stdout_buf */

	if (!mw_sniff_allow(pid_tgid >> 32))
		return;
	if (id == MW_NR_WRITE || id == MW_NR_SENDTO) {
		json = mw_json_head((const void *)s->a[1], s->a[2]);
		mw_stdout_send(pid_tgid, fd, (const void *)s->a[1], s->a[2]);
	} else if (mw_out_iovs(s, id, &iovs, &cnt)) {
		for (int i = 0; i < MW_SNIFF_IOVS; i++) {
			struct iovec iov;

			if ((__u64)i >= cnt ||
			    bpf_probe_read_user(&iov, sizeof(iov),
						(void *)(iovs + i * sizeof(iov))))
				break;
			if (!iov.iov_len)
				continue;
			json = json || mw_json_head(iov.iov_base, iov.iov_len);
			mw_stdout_send(pid_tgid, fd, iov.iov_base, iov.iov_len);
		}
	}
	if (tap_early && json)
		mw_tap_provisional(pid_tgid >> 32);
}

/*
 * Near-free for every other process: the fd compare and a filter bit, then
 * a few user bytes; the maps are touched only for writes to fd 1 that start
 * a JSON object, and for the writes of pending processes. A pending process
 * is sampled on fd 1 and on any fd whose file is fd 1's (a dup of stdout).
 */
static __always_inline int mw_stdout_sniff(const struct mw_sysargs *s, long id)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	long fd = s->a[0];
	const void *buf;
	__u64 count;
	bool pend;

	if (fd != 1 && !mw_bits_test(&pend_filter, tgid))
		return 0;
	if (tgid == self_tgid)
		return 0;
	pend = mw_pending_root(tgid) != 0;
	if (fd != 1) {
		struct task_struct *task = (struct task_struct *)bpf_get_current_task();
		struct file *f;

		if (!pend || fd < 0)
			return 0;
		f = mw_task_fd_file(task, fd);
		if (!f || f != mw_task_fd_file(task, 1))
			return 0;
	}
	if (pend) {
		mw_stdout_sniff_all(s, id, pid_tgid, fd);
		return 0;
	}
	if (mw_stdout_buf(s, id, &buf, &count) || count < MW_STDOUT_MIN ||
	    !mw_json_head(buf, count))
		return 0;
	if (!mw_sniff_allow(tgid))
		return 0;
	mw_stdout_send(pid_tgid, 1, buf, count);
	if (tap_early)
		mw_tap_provisional(tgid);
	return 0;
}

/* A read or write syscall on its way in: the stdout sample, then the tap. */
static __always_inline int mw_rw_enter(const struct mw_sysargs *s, long id)
{
	if (mw_is_out(id))
		mw_stdout_sniff(s, id);
	if (!mw_tap_maybe(bpf_get_current_pid_tgid() >> 32))
		return 0;
	return mw_io_enter(s, id);
}

/* ------------------------------------------------------------ UDP binds */

/*
 * What sys_enter saw of a bind worth reporting: an AF_INET/AF_INET6 address
 * with a port. A bind to port 0 asks for any port (libuv binds every UDP
 * client socket that way): a client, not a service, so it stops at enter.
 */
struct mw_bind_args {
	__s32 fd;
	__u16 port; /* requested, host byte order */
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64); /* pid_tgid */
	__type(value, struct mw_bind_args);
} pending_binds SEC(".maps");

static __always_inline int mw_bind_enter(const struct mw_sysargs *s, long id)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct mw_bind_args a = {};
	__u16 head[2]; /* sa_family, then sin_port / sin6_port (network order) */

	/* Tracked trees only, like opens and connects: a bind costs others a lookup. */
	if (!mw_open_wanted(pid_tgid >> 32) || s->a[2] < sizeof(head))
		return 0;
	if (bpf_probe_read_user(head, sizeof(head), (void *)s->a[1]))
		return 0;
	if ((head[0] != MW_AF_INET && head[0] != MW_AF_INET6) || !head[1])
		return 0;
	a.fd = s->a[0];
	a.port = bpf_ntohs(head[1]);
	if (bpf_map_update_elem(&pending_binds, &pid_tgid, &a, BPF_ANY))
		mw_count(MW_CNT_LOST + MW_EV_LISTEN);
	return 0;
}

/*
 * A bind that succeeded: the socket behind the fd (file->private_data of a
 * socket file) is reported as a listener if it is UDP. TCP sockets are left
 * to the state tracepoint, which sees them when they listen.
 */
static __always_inline void mw_bind_report(const struct mw_bind_args *a, __u64 pid_tgid)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct file *f = mw_task_fd_file(task, a->fd);
	struct mw_sock r = {};
	struct socket *sock;
	struct sock *sk;
	__u16 family;

	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & MW_S_IFMT) != MW_S_IFSOCK)
		return;
	sock = BPF_CORE_READ(f, private_data);
	sk = BPF_CORE_READ(sock, sk);
	if (!sk || BPF_CORE_READ(sk, sk_protocol) != MW_IPPROTO_UDP)
		return;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != MW_AF_INET && family != MW_AF_INET6)
		return;
	mw_hdr_fill(&r.h, MW_EV_LISTEN, pid_tgid >> 32, (__u32)pid_tgid);
	r.server_tgid = mw_tracked_server(pid_tgid >> 32, &r.h.flags);
	r.h.flags |= mw_sock_v6only_flag(sk, family);
	r.family = family;
	r.protocol = MW_IPPROTO_UDP;
	r.state = 1;
	mw_sock_addrs_read(&r, sk);
	if (!r.lport)
		r.lport = a->port;
	r.h.size = sizeof(r);
	mw_send(&r, sizeof(r), MW_EV_LISTEN);
}

static __always_inline int mw_bind_exit(long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct mw_bind_args *pending = bpf_map_lookup_elem(&pending_binds, &pid_tgid);
	struct mw_bind_args a;

	if (!pending)
		return 0;
	a = *pending;
	bpf_map_delete_elem(&pending_binds, &pid_tgid);
	if (ret == 0)
		mw_bind_report(&a, pid_tgid);
	return 0;
}

/* ------------------------------------------------------------ raw_tp pair */

SEC("raw_tp/sys_enter")
int BPF_PROG(handle_sys_enter, struct pt_regs *regs, long id)
{
	struct mw_sysargs s;

	if (mw_is_out(id)) {
		__u32 tgid = bpf_get_current_pid_tgid() >> 32;

		/* Most writes are neither to fd 1 nor by a tapped or pending
		 * process: one register read and two bit tests, before the
		 * other arguments. */
		if (PT_REGS_PARM1_CORE_SYSCALL(regs) != 1 && !mw_tap_maybe(tgid) &&
		    !mw_bits_test(&pend_filter, tgid))
			return 0;
		mw_sysargs_regs(&s, regs);
		return mw_rw_enter(&s, id);
	}
	if (mw_is_io(id)) {
		if (!mw_tap_maybe(bpf_get_current_pid_tgid() >> 32))
			return 0;
		mw_sysargs_regs(&s, regs);
		return mw_io_enter(&s, id);
	}
	if (open_via_sys_enter && mw_is_open(id)) {
		mw_sysargs_regs(&s, regs);
		return mw_open_enter(&s, id);
	}
	if (id == MW_NR_BIND) {
		mw_sysargs_regs(&s, regs);
		return mw_bind_enter(&s, id);
	}
	return 0;
}

SEC("raw_tp/sys_exit")
int BPF_PROG(handle_sys_exit, struct pt_regs *regs, long ret)
{
	long id = MW_SYSCALL_NR(regs);

	if (mw_is_io(id))
		return mw_io_exit(ret);
	if (open_via_sys_enter && mw_is_open(id))
		return mw_open_exit(ret);
	if (id == MW_NR_BIND)
		return mw_bind_exit(ret);
	return 0;
}

/* ------------------------------------------------------------ syscall tracepoints */

static __always_inline void mw_sysargs_tp(struct mw_sysargs *s,
					  const struct trace_event_raw_sys_enter *ctx)
{
	s->a[0] = ctx->args[0];
	s->a[1] = ctx->args[1];
	s->a[2] = ctx->args[2];
	s->a[3] = ctx->args[3];
}

/* One enter and one exit program per syscall, calling enter(args, nr) and
 * exit(ret). The exits of the reads and writes stop at the filter bit for
 * every process that is not tapped. */
#define MW_TP_PAIR(name, nr, enter, exit)                                                          \
	SEC("tp/syscalls/sys_enter_" #name)                                                        \
	int tp_enter_##name(struct trace_event_raw_sys_enter *ctx)                                 \
	{                                                                                          \
		struct mw_sysargs s;                                                               \
                                                                                                   \
		mw_sysargs_tp(&s, ctx);                                                            \
		return enter(&s, nr);                                                              \
	}                                                                                          \
	SEC("tp/syscalls/sys_exit_" #name)                                                         \
	int tp_exit_##name(struct trace_event_raw_sys_exit *ctx)                                   \
	{                                                                                          \
		return exit(ctx->ret);                                                             \
	}
#define MW_TP_RW(name, nr)   MW_TP_PAIR(name, nr, mw_rw_enter, mw_io_exit)
#define MW_TP_OPEN(name, nr) MW_TP_PAIR(name, nr, mw_open_enter, mw_open_exit)

MW_TP_RW(read, MW_NR_READ)
MW_TP_RW(write, MW_NR_WRITE)
MW_TP_RW(readv, MW_NR_READV)
MW_TP_RW(writev, MW_NR_WRITEV)
MW_TP_RW(recvfrom, MW_NR_RECVFROM)
MW_TP_RW(sendto, MW_NR_SENDTO)
MW_TP_RW(recvmsg, MW_NR_RECVMSG)
MW_TP_RW(sendmsg, MW_NR_SENDMSG)

MW_TP_PAIR(bind, MW_NR_BIND, mw_bind_enter, mw_bind_exit)

MW_TP_OPEN(openat, MW_NR_OPENAT)
MW_TP_OPEN(openat2, MW_NR_OPENAT2)
#if defined(__TARGET_ARCH_x86)
/* arm64 has neither. */
MW_TP_OPEN(open, MW_NR_OPEN)
MW_TP_OPEN(creat, MW_NR_CREAT)
#endif
