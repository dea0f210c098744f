/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
#include "identify/scan.h"

#include <stdio.h>
#include <stdlib.h>

#include "sense/procfs.h"

static int compare_start(const void *x, const void *y)
{
	const struct proc *const *a = x, *const *b = y;

	if ((*a)->start_ns != (*b)->start_ns)
		return (*a)->start_ns < (*b)->start_ns ? -1 : 1;
	return (*a)->tgid < (*b)->tgid ? -1 : (*a)->tgid > (*b)->tgid;
}

struct proc_list {
	struct proc **v;
	size_t n, cap;
};

static void collect_proc(struct proc *p, void *arg)
{
	struct proc_list *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct proc **v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = p;
}

static void add_process(struct proc_table *t, const struct proc_info *info)
{
	struct proc *p = proc_table_get(t, info->tgid);

	if (!p)
		return;
	p->ppid = info->ppid;
	p->uid = info->uid;
	p->start_ns = info->start_ns;
	snprintf(p->comm, sizeof(p->comm), "%s", info->comm);
	proc_set_image(p, info->exe, (const char *const *)info->argv, info->argc);
	if (info->container_id[0])
		proc_set_string(&p->container_id, info->container_id);
	if (info->pod_uid[0])
		proc_set_string(&p->pod_uid, info->pod_uid);
	p->container_runtime = info->container_runtime;
	p->container_checked = true;
}

int scan_processes(const char *proc_root, uint32_t skip_tgid, struct proc_table *t,
		   const struct identity *id, identity_join_fn join, void *arg, char *err,
		   size_t errlen)
{
	uint32_t *pids = NULL;
	size_t n = 0;
	struct proc_list all = {0};
	int servers = 0;

	if (procfs_list_pids(proc_root, &pids, &n, err, errlen) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct proc_info info;
		char why[128];

		if (pids[i] == skip_tgid || proc_table_lookup(t, pids[i]))
			continue;
		/* A process may exit between the listing and the read: skip it. */
		if (procfs_read_process(proc_root, pids[i], &info, why, sizeof(why)) != 0)
			continue;
		if (!info.kernel_thread)
			add_process(t, &info);
		procfs_free_process(&info);
	}
	free(pids);
	/* Parents before children, so launchers are known when their child is classified. */
	proc_table_foreach(t, collect_proc, &all);
	qsort(all.v, all.n, sizeof(*all.v), compare_start);
	for (size_t i = 0; i < all.n; i++)
		servers += identity_on_exec(id, t, all.v[i], join, arg);
	free(all.v);
	return servers;
}
