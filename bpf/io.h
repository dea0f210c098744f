/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The tool-call tap's copy of one read or write into MW_EV_IO chunks,
 * shared by the syscall programs (syscalls.bpf.c) and the TLS uprobes
 * (tls.bpf.c). Only processes in the `tap` map get here: every other
 * process stops at that one lookup.
 */
#ifndef MCPWATCH_BPF_IO_H
#define MCPWATCH_BPF_IO_H

#include "common.h"
#include "path.h"

#define MW_S_IFMT     00170000
#define MW_S_IFSOCK   0140000
#define MW_IO_IOV_MAX 8 /* iovecs followed in readv/writev/recvmsg/sendmsg */

/* What the entry of a call saw, for its return to copy. */
struct mw_io_args {
	__u64 buf;    /* user buffer, or the iovec array when iovcnt > 0 */
	__u64 stream; /* struct file * or SSL * */
	__u64 outlen; /* SSL_*_ex: user pointer to the byte count; 0 otherwise */
	__u32 iovcnt;
	__s32 fd;
	__u8 dir;
	__u8 source;
	__u8 fd_kind;
	__u8 is_ex;
	__u32 pad;
};

/* False when tgid is surely not tapped: its bit in tap_filter is clear. */
static __always_inline bool mw_tap_maybe(__u32 tgid)
{
	return mw_bits_test(&tap_filter, tgid);
}

/*
 * Tap tgid's stdio from now on unless it is tapped already: the caller saw a
 * write that may be an MCP handshake, and the client's first tools/call may
 * follow before user space has read it. The filter word is updated without
 * an atomic (BPF atomics other than add need a newer kernel): a bit lost to a
 * concurrent update loses only this head start, and user space sets it again
 * when the process turns out to be a server.
 */
static __always_inline void mw_tap_provisional(__u32 tgid)
{
	__u32 flags = MW_TAP_STDIO | MW_TAP_PROVISIONAL;

	if (!bpf_map_update_elem(&tap, &tgid, &flags, BPF_NOEXIST))
		mw_bits_set(&tap_filter, tgid);
}

/* MW_TAP_* of tgid, 0 when it is not tapped. */
static __always_inline __u32 mw_tap_flags(__u32 tgid)
{
	__u32 *flags = bpf_map_lookup_elem(&tap, &tgid);

	return flags ? *flags : 0;
}

/* Which tapped channel fd is (MW_FD_OTHER: not one), and its file as the stream id. */
static __always_inline __u8 mw_io_fd_kind(int fd, __u8 dir, __u32 flags, __u64 *stream)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct file *f = mw_task_fd_file(task, fd);
	__u16 mode;

	if (!f)
		return MW_FD_OTHER;
	*stream = (__u64)f;
	if ((flags & MW_TAP_STDIO) &&
	    ((fd == 0 && dir == MW_IO_IN) || (fd == 1 && dir == MW_IO_OUT)))
		return MW_FD_STDIO;
	if (!(flags & MW_TAP_SOCKET))
		return MW_FD_OTHER;
	mode = BPF_CORE_READ(f, f_inode, i_mode);
	return (mode & MW_S_IFMT) == MW_S_IFSOCK ? MW_FD_SOCKET : MW_FD_OTHER;
}

/*
 * The tap's copies give way first: once the ring buffer is half full, a
 * chunk is dropped (and counted lost) so that the other half stays for the
 * execs, opens and listens a rule needs. A server flooding its stdout can
 * then blind the tap, but not the shell and file rules.
 */
static __always_inline bool mw_io_ring_has_room(void)
{
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) <
	       bpf_ringbuf_query(&events, BPF_RB_RING_SIZE) / 2;
}

/* Sends bytes [off, off + n) of the call, read from user address src. */
static __always_inline void mw_io_send_chunk(struct mw_io *o, __u64 src, __u32 off, __u64 n)
{
	__u32 len = n > MW_IO_CHUNK ? MW_IO_CHUNK : n;
	__u64 size;

	if (!mw_io_ring_has_room()) {
		mw_count(MW_CNT_LOST + MW_EV_IO);
		return;
	}
	o->offset = off;
	if (bpf_probe_read_user(o->data, len, (void *)src))
		len = 0;
	o->len = len;
	size = offsetof(struct mw_io, data) + len;
	o->h.size = size;
	mw_send(o, size, MW_EV_IO);
}

static __always_inline void mw_io_fill(struct mw_io *o, const struct mw_io_args *a, __u64 total)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	mw_hdr_fill(&o->h, MW_EV_IO, pid_tgid >> 32, (__u32)pid_tgid);
	o->server_tgid = mw_tracked_server(pid_tgid >> 32, &o->h.flags);
	o->dir = a->dir;
	o->source = a->source;
	o->fd_kind = a->fd_kind;
	o->pad = 0;
	o->fd = a->fd;
	o->stream = a->stream;
	o->total = total;
	o->pad2 = 0;
}

/* Moves the cursor to the next iovec of the call; false when there is none. */
static __always_inline bool mw_io_next_iov(volatile struct mw_io_cursor *c,
					   const struct mw_io_args *a, __u64 total)
{
	__u32 i = c->iov_i;
	struct iovec iov;
	__u64 rest;

	if (i >= a->iovcnt || i >= MW_IO_IOV_MAX ||
	    bpf_probe_read_user(&iov, sizeof(iov), (void *)(a->buf + i * sizeof(iov))))
		return false;
	rest = total - c->done;
	c->iov_i = i + 1;
	c->src = (__u64)iov.iov_base;
	c->left = iov.iov_len < rest ? iov.iov_len : rest;
	return true;
}

/*
 * Copies the first MW_IO_CHUNKS chunks of the total bytes the call moved,
 * walking its iovecs when it had some (a plain buffer is one buffer with no
 * iovec after it). One loop with a fixed bound: an iteration either starts
 * the next iovec or sends one chunk, which never spans two iovecs.
 */
static __always_inline void mw_io_report(const struct mw_io_args *a, __u64 total)
{
	struct mw_scratch *s = mw_scratch_get(MW_SLOT_IO);
	volatile struct mw_io_cursor *c;

	if (!s || !total)
		return;
	mw_io_fill(&s->io, a, total);
	c = &s->io_cur;
	c->src = a->buf;
	c->left = a->iovcnt ? 0 : total;
	c->done = 0;
	c->iov_i = 0;
	c->chunks = 0;
	for (int i = 0; i < MW_IO_CHUNKS + MW_IO_IOV_MAX; i++) {
		__u64 left = c->left, n;

		if (c->done >= total || c->chunks >= MW_IO_CHUNKS)
			break;
		if (!left) {
			if (!mw_io_next_iov(c, a, total))
				break;
			continue;
		}
		n = left < MW_IO_CHUNK ? left : MW_IO_CHUNK;
		mw_io_send_chunk(&s->io, c->src, c->done, n);
		c->src += n;
		c->done += n;
		c->left -= n;
		c->chunks++;
	}
}

#endif /* MCPWATCH_BPF_IO_H */
