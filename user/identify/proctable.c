/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
#include "identify/proctable.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PT_INITIAL_BUCKETS 1024
#define PT_MAX_ANCESTRY	   64

struct proc_table {
	struct proc **buckets;
	size_t nbuckets; /* power of two */
	size_t count;
};

static size_t proc_hash(uint32_t tgid, size_t nbuckets)
{
	/* Fibonacci hashing spreads sequential pids across buckets. */
	return (size_t)((tgid * 2654435761u) & (nbuckets - 1));
}

struct proc_table *proc_table_new(void)
{
	struct proc_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->nbuckets = PT_INITIAL_BUCKETS;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	return t;
}

static void proc_free_argv(struct proc *p)
{
	for (int i = 0; i < p->argc; i++)
		free(p->argv[i]);
	free(p->argv);
	p->argv = NULL;
	p->argc = 0;
}

static void proc_free(struct proc *p)
{
	proc_free_argv(p);
	free(p->exe);
	free(p->cmdline);
	free(p->container_id);
	free(p->pod_uid);
	free(p->user_name);
	free(p->server_name);
	free(p->server_version);
	free(p->transport);
	free(p);
}

void proc_table_free(struct proc_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct proc *p = t->buckets[i];

		while (p) {
			struct proc *next = p->next;

			proc_free(p);
			p = next;
		}
	}
	free(t->buckets);
	free(t);
}

size_t proc_table_count(const struct proc_table *t)
{
	return t->count;
}

struct proc *proc_table_lookup(const struct proc_table *t, uint32_t tgid)
{
	struct proc *p = t->buckets[proc_hash(tgid, t->nbuckets)];

	while (p && p->tgid != tgid)
		p = p->next;
	return p;
}

static void proc_table_grow(struct proc_table *t)
{
	size_t n = t->nbuckets * 2;
	struct proc **b = calloc(n, sizeof(*b));

	if (!b)
		return; /* keep working with longer chains */
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct proc *p = t->buckets[i];

		while (p) {
			struct proc *next = p->next;
			size_t h = proc_hash(p->tgid, n);

			p->next = b[h];
			b[h] = p;
			p = next;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = n;
}

struct proc *proc_table_get(struct proc_table *t, uint32_t tgid)
{
	struct proc *p = proc_table_lookup(t, tgid);
	size_t h;

	if (p)
		return p;
	if (t->count >= t->nbuckets)
		proc_table_grow(t);
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->tgid = tgid;
	h = proc_hash(tgid, t->nbuckets);
	p->next = t->buckets[h];
	t->buckets[h] = p;
	t->count++;
	return p;
}

void proc_table_remove(struct proc_table *t, uint32_t tgid)
{
	struct proc **pp = &t->buckets[proc_hash(tgid, t->nbuckets)];

	while (*pp && (*pp)->tgid != tgid)
		pp = &(*pp)->next;
	if (!*pp)
		return;
	struct proc *p = *pp;

	*pp = p->next;
	proc_free(p);
	t->count--;
}

int proc_set_string(char **field, const char *value)
{
	char *copy = NULL;

	if (value) {
		copy = strdup(value);
		if (!copy)
			return -ENOMEM;
	}
	free(*field);
	*field = copy;
	return 0;
}

static char *join_argv(char *const *argv, int argc)
{
	size_t len = 1;
	char *s, *o;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	o = s;
	for (int i = 0; i < argc; i++) {
		size_t l = strlen(argv[i]);

		if (i)
			*o++ = ' ';
		memcpy(o, argv[i], l);
		o += l;
	}
	*o = '\0';
	return s;
}

int proc_set_image(struct proc *p, const char *exe, const char *const *argv, int argc)
{
	char **v = calloc(argc > 0 ? (size_t)argc : 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (int i = 0; i < argc; i++) {
		v[i] = strdup(argv[i] ? argv[i] : "");
		if (!v[i]) {
			while (i--)
				free(v[i]);
			free(v);
			return -ENOMEM;
		}
	}
	proc_free_argv(p);
	p->argv = v;
	p->argc = argc;
	free(p->cmdline);
	p->cmdline = join_argv(v, argc);
	return proc_set_string(&p->exe, exe ? exe : "");
}

struct proc *proc_table_fork(struct proc_table *t, uint32_t child, uint32_t parent)
{
	struct proc *c = proc_table_get(t, child);
	struct proc *par = proc_table_lookup(t, parent);

	if (!c)
		return NULL;
	c->ppid = parent;
	memset(c->lineage, 0, sizeof(c->lineage));
	c->lineage[0] = parent;
	if (!par || par == c)
		return c;
	memcpy(c->lineage + 1, par->lineage, sizeof(c->lineage) - sizeof(c->lineage[0]));
	c->uid = par->uid;
	c->cgroup_id = par->cgroup_id;
	memcpy(c->comm, par->comm, sizeof(c->comm));
	proc_set_image(c, par->exe, (const char *const *)par->argv, par->argc);
	/* Same image, same identity, until the child execs. */
	c->exe_how = par->exe_how;
	c->exe_anonymous = par->exe_anonymous;
	c->exe_via_fd = par->exe_via_fd;
	memcpy(c->exe_match, par->exe_match, sizeof(c->exe_match));
	proc_set_string(&c->container_id, par->container_id);
	proc_set_string(&c->pod_uid, par->pod_uid);
	c->container_runtime = par->container_runtime;
	/* A forked server is not a second server: it is a member of the tree. */
	c->server_tgid = par->server_tgid;
	if (par->server_tgid)
		c->role = ROLE_MEMBER;
	else if (par->role == ROLE_LAUNCHER) {
		c->role = ROLE_LAUNCHER;
		proc_set_string(&c->server_name, par->server_name);
	}
	return c;
}

struct proc *proc_snapshot(const struct proc *p)
{
	struct proc *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->tgid = p->tgid;
	c->ppid = p->ppid;
	c->uid = p->uid;
	c->start_ns = p->start_ns;
	c->cgroup_id = p->cgroup_id;
	memcpy(c->comm, p->comm, sizeof(c->comm));
	memcpy(c->lineage, p->lineage, sizeof(c->lineage));
	c->container_runtime = p->container_runtime;
	c->container_checked = p->container_checked;
	c->user_checked = p->user_checked;
	if (proc_set_image(c, p->exe, (const char *const *)p->argv, p->argc) ||
	    proc_set_string(&c->container_id, p->container_id) ||
	    proc_set_string(&c->pod_uid, p->pod_uid) ||
	    proc_set_string(&c->user_name, p->user_name)) {
		proc_free(c);
		return NULL;
	}
	return c;
}

void proc_snapshot_free(struct proc *p)
{
	if (p)
		proc_free(p);
}

bool proc_forked_by(const struct proc *p, uint32_t ancestor)
{
	for (size_t i = 0; p && ancestor && i < PT_LINEAGE; i++)
		if (p->lineage[i] == ancestor)
			return true;
	return false;
}

bool proc_table_descends(const struct proc_table *t, const struct proc *p, uint32_t ancestor)
{
	for (int i = 0; p && i < PT_MAX_ANCESTRY; i++) {
		if (p->tgid == ancestor)
			return true;
		if (p->ppid == 0 || p->ppid == p->tgid)
			return false;
		p = proc_table_lookup(t, p->ppid);
	}
	return false;
}

void proc_table_foreach(struct proc_table *t, proc_visit_fn fn, void *arg)
{
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct proc *p = t->buckets[i];

		while (p) {
			struct proc *next = p->next; /* fn may remove p */

			fn(p, arg);
			p = next;
		}
	}
}
