/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The kernel-side path walker: turns a (dentry, vfsmount) pair into the
 * leaf-first component list of include/mcpwatch_abi.h, crossing mount
 * points up to the root of the task's mount namespace, and the lookup of a
 * task's open file by descriptor number.
 */
#ifndef MCPWATCH_BPF_PATH_H
#define MCPWATCH_BPF_PATH_H

#include "common.h"

/*
 * Clears *want if the component at name (NUL-terminated, in map memory with
 * at least MW_OPEN_KEY_LEN readable bytes) matches an open_names entry.
 * Bytes after the NUL are whatever was there: every entry ends at or before
 * the NUL. The first two bytes go through the first2 bitmap first.
 */
static __always_inline void mw_name_check(const char *name, volatile __u32 *want)
{
	struct mw_name_key key = {.prefixlen = MW_OPEN_KEY_LEN * 8};
	__u32 zero = 0, idx = ((__u32)(__u8)name[0] << 8) | (__u8)name[1];
	struct mw_open_filter *f = bpf_map_lookup_elem(&open_filter, &zero);

	if (!f || !(f->first2[(idx >> 6) & (MW_OPEN_FIRST2_WORDS - 1)] & (1ull << (idx & 63))))
		return;
	if (bpf_probe_read_kernel(key.data, sizeof(key.data), name))
		return;
	if (bpf_map_lookup_elem(&open_names, &key))
		*want = 0;
}

/*
 * Walks from dentry up to the namespace root and writes each component,
 * NUL-terminated, at buf[*len], adding to *len. buf must have MW_PATH_MAX +
 * MW_NAME_MAX writable bytes: the offset is masked to MW_PATH_MAX - 1 (so
 * the verifier can bound it) and a component is only started below
 * MW_PATH_MAX - MW_NAME_MAX, so *len stays below MW_PATH_MAX. Sets
 * MW_F_PATH_TRUNC in *flags when the depth or the buffer ran out first.
 *
 * *len must live in map memory and is accessed as volatile: the verifier
 * then sees an unknown offset at every iteration instead of a different
 * range per path, so loop states prune and verification stays linear in
 * MW_PATH_DEPTH.
 *
 * want (map memory too, for the same reason; NULL: no filter): while *want
 * is nonzero each component written is looked up in open_names, and the
 * first match clears *want.
 */
static __always_inline void mw_path_walk(char *buf, volatile __u32 *len, struct dentry *dentry,
					 struct vfsmount *vfsmnt, __u32 *flags,
					 volatile __u32 *want)
{
	struct mount *mnt = (void *)vfsmnt - bpf_core_field_offset(struct mount, mnt);
	struct dentry *mnt_root = BPF_CORE_READ(mnt, mnt.mnt_root);
	int i;

	*len = 0;
	for (i = 0; i < MW_PATH_DEPTH; i++) {
		struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
		const unsigned char *name;
		__u32 off;
		long n;

		if (dentry == mnt_root) {
			struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

			/* A mount that is its own parent is the namespace root. */
			if (up == mnt)
				return;
			dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = up;
			mnt_root = BPF_CORE_READ(mnt, mnt.mnt_root);
			continue;
		}
		/* A root that is not a mount root: detached or pseudo fs. */
		if (dentry == parent)
			return;
		off = *len;
		if (off >= MW_PATH_MAX - MW_NAME_MAX)
			break;
		name = BPF_CORE_READ(dentry, d_name.name);
		n = bpf_probe_read_kernel_str(buf + (off & (MW_PATH_MAX - 1)), MW_NAME_MAX, name);
		if (n > 0) {
			*len = off + n;
			if (want && *want)
				mw_name_check(buf + (off & (MW_PATH_MAX - 1)), want);
		}
		dentry = parent;
	}
	*flags |= MW_F_PATH_TRUNC;
}

/* The struct file behind descriptor fd of task, or NULL. */
static __always_inline struct file *mw_task_fd_file(struct task_struct *task, long fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *file = NULL;

	if (fd < 0 || !fdt || (__u64)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	return file;
}

/* Walks file->f_path; an empty path if file is NULL. want: see mw_path_walk. */
static __always_inline void mw_file_path_walk(char *buf, volatile __u32 *len, struct file *file,
					      __u32 *flags, volatile __u32 *want)
{
	*len = 0;
	if (file)
		mw_path_walk(buf, len, BPF_CORE_READ(file, f_path.dentry),
			     BPF_CORE_READ(file, f_path.mnt), flags, want);
}

#endif /* MCPWATCH_BPF_PATH_H */
