// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Process lifecycle, global and cheap: every exec (with executable path and
 * argv), every new process (and tracked-tree inheritance before the child
 * runs), every process exit (and cleanup of its map entries).
 */
#include "common.h"
#include "path.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* The agent's own tgid: none of its activity is reported. */
const volatile __u32 self_tgid = 0;
/* How long a process exec'd with channels on its stdio stays pending (the
 * hold window, servers.hold_ms at load); 0: nothing is pending. */
const volatile __u64 pend_hold_ns = 0;

/*
 * argv straight from the new mm: the strings copy_strings() just wrote, so
 * the pages are present and a non-faulting read works. Written right after
 * the exe components (data[exe_len]) to keep records small.
 */
static __always_inline __u32 mw_exec_args_read(struct mw_exec *e, struct task_struct *task,
					       __u32 exe_len)
{
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	unsigned long start = BPF_CORE_READ(mm, arg_start);
	unsigned long end = BPF_CORE_READ(mm, arg_end);
	__u64 len;

	if (!mm || end <= start)
		return 0;
	len = end - start;
	if (len > MW_ARGS_MAX) {
		len = MW_ARGS_MAX;
		e->h.flags |= MW_F_ARGS_TRUNC;
	}
	if (bpf_probe_read_user(e->data + (exe_len & (MW_PATH_MAX - 1)), len, (void *)start))
		return 0;
	return len;
}

#define MW_S_IFMT_P   00170000
#define MW_S_IFSOCK_P 0140000
#define MW_S_IFIFO_P  0010000

/* Is fd of task a pipe or a socket (how a client connects a stdio server)? */
static __always_inline bool mw_fd_is_channel(struct task_struct *task, int fd)
{
	struct file *f = mw_task_fd_file(task, fd);
	__u32 mode;

	if (!f)
		return false;
	mode = BPF_CORE_READ(f, f_inode, i_mode) & MW_S_IFMT_P;
	return mode == MW_S_IFSOCK_P || mode == MW_S_IFIFO_P;
}

/* For scripts bprm->file is the interpreter, which is what we report. */
static __always_inline struct file *mw_exec_file(struct task_struct *task,
						 struct linux_binprm *bprm)
{
	struct file *file = BPF_CORE_READ(bprm, file);

	if (!file)
		file = BPF_CORE_READ(task, mm, exe_file);
	return file;
}

/*
 * What the executable is, whatever it is called: its inode and device, and
 * the two ways to run a file that has no name to match. A memfd or unlinked
 * file has i_nlink 0; a pseudo-fs dentry (memfd's) is its own parent, so the
 * walk wrote no component and exe_len is 0 with a file present. An exec
 * through a descriptor (execveat AT_EMPTY_PATH, fexecve) has the filename
 * "/dev/fd/N" that do_execveat_common() made up.
 */
static __always_inline void mw_exec_identity(struct mw_exec *e, struct file *file,
					     struct linux_binprm *bprm)
{
	struct inode *inode;
	const char *filename;
	char fn[9] = {};

	e->exe_ino = 0;
	e->exe_dev = 0;
	e->exe_pad = 0;
	if (!file)
		return;
	inode = BPF_CORE_READ(file, f_inode);
	e->exe_ino = BPF_CORE_READ(inode, i_ino);
	e->exe_dev = BPF_CORE_READ(inode, i_sb, s_dev);
	if (BPF_CORE_READ(inode, __i_nlink) == 0 || e->exe_len == 0)
		e->h.flags |= MW_F_EXE_ANON;
	filename = BPF_CORE_READ(bprm, filename);
	if (filename && bpf_probe_read_kernel_str(fn, sizeof(fn), filename) == sizeof(fn) &&
	    fn[0] == '/' && fn[1] == 'd' && fn[2] == 'e' && fn[3] == 'v' && fn[4] == '/' &&
	    fn[5] == 'f' && fn[6] == 'd' && fn[7] == '/')
		e->h.flags |= MW_F_EXE_FD;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(handle_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 uid_gid = bpf_get_current_uid_gid();
	__u32 tgid = pid_tgid >> 32;
	struct mw_scratch *s;
	struct mw_exec *e;
	struct file *file;
	__u32 exe_len, args_len;
	__u64 size;

	if (tgid == self_tgid)
		return 0;
	s = mw_scratch_get(MW_SLOT_EXEC);
	if (!s)
		return 0;
	e = &s->exec;
	mw_hdr_fill(&e->h, MW_EV_EXEC, tgid, (__u32)pid_tgid);
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = (__u32)uid_gid;
	e->gid = uid_gid >> 32;
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->start_ns = BPF_CORE_READ(task, start_boottime);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->server_tgid = mw_tree_of(tgid, &e->h.flags);
	/*
	 * A new image with pipes or sockets on stdin and stdout may be a stdio
	 * MCP server that acts before its first answer: hold its tree's
	 * actions (user space) until it is identified or the hold expires.
	 * Its own exec is not held: it is the server starting.
	 */
	if (pend_hold_ns && !(e->h.flags & (MW_F_TRACKED | MW_F_PENDING)) &&
	    mw_fd_is_channel(task, 0) && mw_fd_is_channel(task, 1))
		mw_pending_set(tgid, tgid, bpf_ktime_get_ns() + pend_hold_ns);
	e->args_len = 0;
	file = mw_exec_file(task, bprm);
	mw_file_path_walk(e->data, &e->exe_len, file, &e->h.flags, NULL);
	mw_exec_identity(e, file, bprm);
	exe_len = e->exe_len & (MW_PATH_MAX - 1);
	args_len = mw_exec_args_read(e, task, exe_len);
	e->args_len = args_len;
	size = offsetof(struct mw_exec, data) + exe_len + args_len;
	e->h.size = size;
	mw_send(e, size, MW_EV_EXEC);
	return 0;
}

/*
 * Threads are not processes: only a new thread group is reported. The
 * child joins its parent's tracked tree here, before it is first scheduled,
 * so a tracked tree is watched from the child's first instruction.
 */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(handle_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 tgid = BPF_CORE_READ(child, tgid);
	__u32 parent_tgid = BPF_CORE_READ(parent, tgid);
	struct mw_tracked *t;
	struct mw_fork f = {};

	if (BPF_CORE_READ(child, pid) != tgid || parent_tgid == self_tgid)
		return 0;
	mw_hdr_fill(&f.h, MW_EV_FORK, tgid, tgid);
	t = bpf_map_lookup_elem(&tracked, &parent_tgid);
	if (t) {
		struct mw_tracked inherit = *t;

		/* A full map would leave the child unwatched: count the loss. */
		if (bpf_map_update_elem(&tracked, &tgid, &inherit, BPF_ANY))
			mw_count(MW_CNT_LOST + MW_EV_FORK);
		f.server_tgid = inherit.server_tgid;
		f.h.flags |= MW_F_TRACKED;
	} else {
		/* Fork-time lineage: the child stays in its parent's pending tree
		 * whatever it is reparented to before identification. */
		struct mw_pending *pend = mw_pending_get(parent_tgid);

		if (pend) {
			__u32 root = pend->root;

			/* The root's window, not a new one: a tree is pending as long
			 * as its root. */
			mw_pending_set(tgid, root, pend->until_ns);
			f.server_tgid = root;
			f.h.flags |= MW_F_PENDING;
		}
	}
	f.ppid = BPF_CORE_READ(child, real_parent, tgid);
	f.start_ns = BPF_CORE_READ(child, start_boottime);
	f.h.size = sizeof(f);
	mw_send(&f, sizeof(f), MW_EV_FORK);
	return 0;
}

/*
 * Reported once per process, when its last thread exits: do_exit() has
 * already decremented signal->live, so live == 0 means the group is dead
 * (this works whether or not the tracepoint passes group_dead). exit_code is
 * the kernel's wait status: (status << 8) for exit(), the signal number
 * (| 0x80 with a core dump) for a fatal signal.
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(handle_exit, struct task_struct *task)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);
	struct mw_exit x = {};

	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	mw_hdr_fill(&x.h, MW_EV_EXIT, tgid, BPF_CORE_READ(task, pid));
	mw_tracked_server(tgid, &x.h.flags);
	bpf_map_delete_elem(&tracked, &tgid);
	bpf_map_delete_elem(&sniff, &tgid);
	bpf_map_delete_elem(&pending, &tgid);
	bpf_map_delete_elem(&tap, &tgid);
	if (tgid == self_tgid)
		return 0;
	x.exit_code = BPF_CORE_READ(task, exit_code);
	x.h.size = sizeof(x);
	mw_send(&x, sizeof(x), MW_EV_EXIT);
	return 0;
}
