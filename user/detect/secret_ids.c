// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Credential files by identity (see secret_ids.h). glob(3) expands a
 * pattern of the rules' dialect into candidates — its '*' stops at '/',
 * so it finds a subset of what the pattern matches — and each candidate is
 * then checked with the dialect itself (lib/glob.h).
 */
#include "detect/secret_ids.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "detect/rules_int.h"
#include "lib/glob.h"

/* ------------------------------------------------------------ patterns */

static int strv_add(char ***v, size_t *n, const char *s)
{
	char **nv;

	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i], s))
			return 0;
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = strdup(s);
	if (!nv[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static bool path_field(const struct cond *c)
{
	const struct field_def *f = leaf_field(c);

	return f && (!strcmp(f->name, "file.path") || !strcmp(f->name, "file.canonical_path"));
}

static int cond_patterns(const struct ruleset *rs, const struct cond *c, bool neg,
			 struct secret_patterns *p)
{
	const struct operands *o;
	int rc = 0;

	switch (c->kind) {
	case COND_LEAF:
		if (!path_field(c) || (c->op != OP_GLOB && c->op != OP_EQ && c->op != OP_IN))
			return 0;
		o = c->list >= 0 ? &rs->lists[c->list]->items : &c->inl;
		for (size_t i = 0; o->strs && i < o->n && !rc; i++) {
			const char *s = o->strs[i];
			char *lit = NULL;

			if (c->op != OP_GLOB) {
				/* eq/in: a literal; escape it into a glob. */
				size_t k = 0;

				lit = malloc(strlen(s) * 2 + 1);
				if (!lit)
					return -ENOMEM;
				for (; *s; s++) {
					if (strchr("*?[\\", *s))
						lit[k++] = '\\';
					lit[k++] = *s;
				}
				lit[k] = '\0';
				s = lit;
			}
			rc = neg ? strv_add(&p->neg, &p->nneg, s) : strv_add(&p->pos, &p->npos, s);
			free(lit);
		}
		return rc;
	case COND_NOT:
		return cond_patterns(rs, c->kids[0], !neg, p);
	case COND_ANY:
	case COND_ALL:
		for (size_t i = 0; i < c->nkids && !rc; i++)
			rc = cond_patterns(rs, c->kids[i], neg, p);
		return rc;
	}
	return 0;
}

int secret_patterns_derive(const struct ruleset *rs, struct secret_patterns *p)
{
	int rc = 0;

	*p = (struct secret_patterns){0};
	for (size_t i = 0; rs && i < rs->nrules && !rc; i++) {
		const struct rule *r = rs->rules[i];

		if (r->enabled && r->event == RULE_EV_OPEN && r->cond)
			rc = cond_patterns(rs, r->cond, false, p);
	}
	if (rc)
		secret_patterns_free(p);
	return rc;
}

void secret_patterns_free(struct secret_patterns *p)
{
	if (!p)
		return;
	strv_free(p->pos, p->npos);
	strv_free(p->neg, p->nneg);
	*p = (struct secret_patterns){0};
}

/* ------------------------------------------------------------ learning */

struct learner {
	struct secret_ids *out;
	size_t cap;
	const struct secret_patterns *p;
	const char *root; /* "" for "/" */
	int rc;
};

/* Pseudo file systems: an inode there says nothing lasting. */
static bool pseudo_path(const char *path)
{
	static const char *const dirs[] = {"/proc/", "/sys/", "/dev/"};

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (!strncmp(path, dirs[i], strlen(dirs[i])))
			return true;
	return false;
}

static bool excepted(const struct secret_patterns *p, const char *path)
{
	for (size_t i = 0; i < p->nneg; i++)
		if (glob_match(p->neg[i], path))
			return true;
	return false;
}

/* Candidates kept before the sort that bounds the inodes. */
#define CANDIDATES_MAX (SECRET_IDS_MAX * 2)

static void learn_file(struct learner *l, const char *pattern, const char *real)
{
	const char *path = real + strlen(l->root);
	struct secret_ids *o = l->out;
	struct secret_file *v;
	struct stat st;

	if (l->rc || !glob_match(pattern, path) || excepted(l->p, path) || pseudo_path(path))
		return;
	/* Followed: a link's target is the file an open gets. */
	if (stat(real, &st) || !S_ISREG(st.st_mode))
		return;
	if (o->n == CANDIDATES_MAX) {
		o->dropped++;
		return;
	}
	if (o->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;

		v = realloc(o->v, cap * sizeof(*v));
		if (!v) {
			l->rc = -ENOMEM;
			return;
		}
		o->v = v;
		l->cap = cap;
	}
	o->v[o->n].path = strdup(path);
	if (!o->v[o->n].path) {
		l->rc = -ENOMEM;
		return;
	}
	o->v[o->n].dev = st.st_dev;
	o->v[o->n].ino = st.st_ino;
	o->n++;
}

/* Expands pattern (root-relative text, already prefixed) with glob(3). */
static void learn_glob(struct learner *l, const char *pattern, const char *expand)
{
	glob_t g;

	/* GLOB_PERIOD: the dialect's '*' matches a leading '.'. */
	if (glob(expand, GLOB_NOSORT | GLOB_PERIOD, NULL, &g) != 0)
		return;
	for (size_t k = 0; k < g.gl_pathc && !l->rc; k++)
		learn_file(l, pattern, g.gl_pathv[k]);
	globfree(&g);
}

static int file_cmp(const void *a, const void *b)
{
	const struct secret_file *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* Sorts, drops duplicate paths, then whole inodes past SECRET_IDS_MAX. */
static void learn_finish(struct secret_ids *o)
{
	size_t w = 0;

	if (!o->n)
		return;
	qsort(o->v, o->n, sizeof(*o->v), file_cmp);
	o->inodes = 0;
	for (size_t i = 0; i < o->n; i++) {
		bool same_inode =
		    w && o->v[w - 1].dev == o->v[i].dev && o->v[w - 1].ino == o->v[i].ino;

		if (same_inode && !strcmp(o->v[w - 1].path, o->v[i].path)) {
			free(o->v[i].path);
			continue;
		}
		if (!same_inode && o->inodes == SECRET_IDS_MAX) {
			free(o->v[i].path);
			o->dropped++;
			continue;
		}
		if (!same_inode)
			o->inodes++;
		o->v[w++] = o->v[i];
	}
	o->n = w;
}

static const char *const default_homes[] = {"/home/*", "/root"};

int secret_ids_learn(struct secret_ids *out, const struct secret_patterns *p,
		     const char *const *home_globs, size_t nhomes, const char *root)
{
	struct learner l = {.out = out, .p = p, .root = root && strcmp(root, "/") ? root : ""};
	char buf[8192];
	glob_t homes = {0};
	bool have_homes = false;

	secret_ids_free(out);
	if (!p)
		return 0;
	if (!home_globs || !nhomes) {
		home_globs = default_homes;
		nhomes = sizeof(default_homes) / sizeof(default_homes[0]);
	}
	/* The homes, once: every "*" + "/rest" pattern is tried under each. */
	for (size_t i = 0; i < nhomes; i++) {
		if (home_globs[i][0] != '/' || (size_t)snprintf(buf, sizeof(buf), "%s%s", l.root,
								home_globs[i]) >= sizeof(buf))
			continue;
		if (glob(buf, GLOB_ONLYDIR | (have_homes ? GLOB_APPEND : 0), NULL, &homes) == 0)
			have_homes = true;
	}
	for (size_t i = 0; i < p->npos && !l.rc; i++) {
		const char *pat = p->pos[i];

		if (pat[0] == '/') {
			if (!pseudo_path(pat) &&
			    (size_t)snprintf(buf, sizeof(buf), "%s%s", l.root, pat) < sizeof(buf))
				learn_glob(&l, pat, buf);
			continue;
		}
		if (pat[0] != '*' || pat[1] != '/')
			continue; /* no home-relative form: by path only */
		for (size_t h = 0;
		     have_homes && h < homes.gl_pathc && h < SECRET_IDS_HOMES_MAX && !l.rc; h++) {
			/* The home (root prefix included) stands for the leading '*'. */
			if ((size_t)snprintf(buf, sizeof(buf), "%s%s", homes.gl_pathv[h], pat + 1) <
			    sizeof(buf))
				learn_glob(&l, pat, buf);
		}
	}
	if (have_homes)
		globfree(&homes);
	if (l.rc) {
		secret_ids_free(out);
		return l.rc;
	}
	learn_finish(out);
	return 0;
}

void secret_ids_free(struct secret_ids *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].path);
	free(s->v);
	*s = (struct secret_ids){0};
}

const char *secret_ids_lookup(const struct secret_ids *s, uint64_t dev, uint64_t ino,
			      const char *path)
{
	size_t lo = 0, hi = s ? s->n : 0, first;

	/* The first entry not below (dev, ino). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct secret_file *f = &s->v[mid];

		if (f->dev < dev || (f->dev == dev && f->ino < ino))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!s || lo == s->n || s->v[lo].dev != dev || s->v[lo].ino != ino)
		return NULL;
	first = lo;
	for (; path && lo < s->n && s->v[lo].dev == dev && s->v[lo].ino == ino; lo++)
		if (!strcmp(s->v[lo].path, path))
			return s->v[lo].path;
	return s->v[first].path;
}
