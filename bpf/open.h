/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The file-open record, shared by every file backend (raw_tp sys_enter/exit
 * pairing in syscalls.bpf.c, fexit on do_sys_openat2 in file_fexit.bpf.c):
 * the decoded open arguments and the one function that turns them and the
 * result into a struct mw_open on the ring, so that user space cannot tell
 * which backend produced a record.
 */
#ifndef MCPWATCH_BPF_OPEN_H
#define MCPWATCH_BPF_OPEN_H

#include "common.h"
#include "path.h"

#define MW_AT_FDCWD -100

/*
 * 64-bit kernels force O_LARGEFILE into every open's flags before
 * do_sys_openat2() (force_o_largefile()), and io_uring into an OPENAT's; the
 * raw_tp backend reports the caller's flags, which on 64-bit never need it.
 * Dropping it keeps the records of every backend identical.
 */
#if defined(__TARGET_ARCH_x86)
#define MW_O_LARGEFILE 0100000
#elif defined(__TARGET_ARCH_arm64)
#define MW_O_LARGEFILE 0400000
#else
#error "mcpwatch: O_LARGEFILE is defined for x86 and arm64 only"
#endif

/* An open's arguments, in the same shape whatever the syscall. */
struct mw_open_args {
	__u64 filename; /* user pointer */
	__s32 dfd;
	__u32 flags;
	__u32 mode;
	__u32 hflags; /* MW_F_* for the record's header (MW_F_URING) */
};

/* True if tgid is in a tracked (or pending) tree and is not the agent itself. */
static __always_inline bool mw_open_wanted(__u32 tgid)
{
	return tgid != self_tgid && (bpf_map_lookup_elem(&tracked, &tgid) || mw_pending_root(tgid));
}

/*
 * A failed open has no file to walk: send the user's string and, when it is
 * relative, the directory it was relative to, at data[MW_PATH_MAX].
 */
static __always_inline void mw_open_raw_fill(struct mw_open *o, struct task_struct *task,
					     const struct mw_open_args *a)
{
	long n = bpf_probe_read_user_str(o->data, MW_PATH_MAX, (void *)a->filename);
	struct file *dir;

	o->h.flags |= MW_F_PATH_RAW;
	if (n <= 0)
		return;
	o->path_len = n;
	if (o->data[0] == '/')
		return;
	if (a->dfd == MW_AT_FDCWD) {
		mw_path_walk(o->data + MW_PATH_MAX, &o->base_len,
			     BPF_CORE_READ(task, fs, pwd.dentry), BPF_CORE_READ(task, fs, pwd.mnt),
			     &o->h.flags, NULL);
		return;
	}
	dir = mw_task_fd_file(task, a->dfd);
	mw_file_path_walk(o->data + MW_PATH_MAX, &o->base_len, dir, &o->h.flags, NULL);
}

/* Is the open filter on (user space installed names no rule can do without)? */
static __always_inline __u32 mw_open_filter_on(void)
{
	__u32 zero = 0;
	struct mw_open_filter *f = bpf_map_lookup_elem(&open_filter, &zero);

	return f ? f->on : 0;
}

/*
 * Is the opened file one user space learnt to be a secret? Asked only of
 * opens the name filter would drop, so the lookup costs nothing on the
 * opens it keeps; a hit is flagged so user space knows why it came.
 */
static __always_inline bool mw_secret_inode(struct mw_open *o)
{
	struct mw_inode_key k = {.ino = o->ino, .dev = o->dev};

	if (!bpf_map_lookup_elem(&secret_inodes, &k))
		return false;
	o->h.flags |= MW_F_INODE_HIT;
	return true;
}

/*
 * Builds the record of the current task's open a, which returned ret, and
 * sends it — unless the open succeeded, the filter is on and no component of
 * the resolved path (the very components the record would carry) matched an
 * open_names entry and its inode is not in secret_inodes: then no rule could
 * match it, and it is only counted.
 * Failed opens have no resolved path and are always sent.
 */
static __always_inline void mw_open_report(const struct mw_open_args *a, long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct task_struct *task = bpf_get_current_task_btf();
	struct mw_scratch *s = mw_scratch_get(MW_SLOT_OPEN);
	struct file *file = NULL;
	struct mw_open *o;
	__u64 size;

	if (!s)
		return;
	s->filter_want = 0;
	o = &s->open;
	mw_hdr_fill(&o->h, MW_EV_OPEN, pid_tgid >> 32, (__u32)pid_tgid);
	o->h.flags = a->hflags;
	o->server_tgid = mw_tree_of(pid_tgid >> 32, &o->h.flags);
	o->ret = ret;
	o->dfd = a->dfd;
	o->oflags = a->flags;
	o->mode = a->mode;
	o->path_len = 0;
	o->base_len = 0;
	o->ino = 0;
	o->dev = 0;
	o->pad = 0;
	/* The new fd's file is the exact, symlink-resolved result. */
	if (ret >= 0)
		file = mw_task_fd_file(task, ret);
	if (file) {
		o->ino = BPF_CORE_READ(file, f_inode, i_ino);
		o->dev = BPF_CORE_READ(file, f_inode, i_sb, s_dev);
		s->filter_want = mw_open_filter_on();
		mw_file_path_walk(o->data, &o->path_len, file, &o->h.flags, &s->filter_want);
		/* A truncated walk is sent: user space sees part of the path. */
		if (s->filter_want && !(o->h.flags & MW_F_PATH_TRUNC) && !mw_secret_inode(o)) {
			/* Counted for server trees only: a pending tree's opens are
			 * every stdio-piped process's, not a server's. */
			if (o->h.flags & MW_F_TRACKED)
				mw_count(MW_CNT_FILTERED + MW_EV_OPEN);
			return;
		}
	} else {
		mw_open_raw_fill(o, task, a);
	}
	if (o->base_len)
		size = offsetof(struct mw_open, data) + MW_PATH_MAX +
		       (o->base_len & (MW_PATH_MAX - 1));
	else
		size = offsetof(struct mw_open, data) + (o->path_len & (MW_PATH_MAX * 2 - 1));
	o->h.size = size;
	mw_send(o, size, MW_EV_OPEN);
}

#endif /* MCPWATCH_BPF_OPEN_H */
