// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The open filter's derivation (see open_filter.h). A pattern is read as a
 * run of tokens, each a literal byte or a wildcard ('*', '?' and a bracket
 * expression all count as one: each may match '/'); the string must match
 * the whole of it. A literal run split at '/' then gives its pieces: one
 * with '/' on both sides is a whole component; one after a '/' at the run's
 * end is a component's start, or the last component when the pattern ends
 * there; the first piece of a run that opens the pattern is the string's
 * first piece (before its first '/'). Each such piece is a sound test; the
 * longest (an exact one counts a little more) is kept, the rightmost on a
 * tie (leaf names are the rarer ones).
 */
#include "detect/open_filter.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "detect/rules_int.h"

#define TOK_WILD (-1)

enum test_kind { TEST_NONE, TEST_PREFIX, TEST_EXACT };

/* Wildcards around a literal operand (prefix/suffix/contains ops). */
enum wrap { WRAP_NONE = 0, WRAP_BEFORE = 1, WRAP_AFTER = 2 };

/* The end of the bracket expression at p ('['), as lib/glob.c reads it, or
 * NULL when it is unterminated (then '[' is a literal). */
static const char *bracket_end(const char *p)
{
	p++;
	if (*p == '!' || *p == '^')
		p++;
	do {
		if (!*p)
			return NULL;
		if (p[1] == '-' && p[2] && p[2] != ']')
			p += 2;
		p++;
	} while (*p != ']');
	return p + 1;
}

/* Tokens of s into toks (room for strlen(s) + 2); returns their count. */
static size_t tokenise(const char *s, bool glob, unsigned wrap, int *toks)
{
	size_t n = 0;

	if (wrap & WRAP_BEFORE)
		toks[n++] = TOK_WILD;
	while (*s) {
		const char *end;

		if (!glob) {
			toks[n++] = (unsigned char)*s++;
		} else if (*s == '*' || *s == '?') {
			toks[n++] = TOK_WILD;
			s++;
		} else if (*s == '[' && (end = bracket_end(s)) != NULL) {
			toks[n++] = TOK_WILD;
			s = end;
		} else if (*s == '\\' && s[1]) {
			toks[n++] = (unsigned char)s[1];
			s += 2;
		} else {
			toks[n++] = (unsigned char)*s++;
		}
	}
	if (wrap & WRAP_AFTER)
		toks[n++] = TOK_WILD;
	return n;
}

struct best {
	enum test_kind kind;
	const int *name;
	size_t len;
	size_t score;
};

/* Weighs the piece name[0..len) as a test of kind, as the kernel keeps it. */
static void consider(struct best *b, enum test_kind kind, const int *name, size_t len)
{
	size_t score;

	if (kind == TEST_NONE || !len)
		return;
	if (kind == TEST_EXACT && len >= MW_OPEN_KEY_LEN)
		kind = TEST_PREFIX;
	if (kind == TEST_PREFIX && len > MW_OPEN_KEY_LEN)
		len = MW_OPEN_KEY_LEN;
	score = kind == TEST_EXACT ? len + 4 : len;
	if (score >= b->score) {
		*b = (struct best){kind, name, len, score};
	}
}

/* The pieces of the literal run toks[i..j) of a pattern of n tokens. */
static void run_pieces(struct best *b, const int *toks, size_t i, size_t j, size_t n)
{
	bool left_start = i == 0, right_end = j == n;
	size_t start = i;

	for (size_t p = i; p <= j; p++) {
		bool first, last;
		enum test_kind kind;

		if (p < j && toks[p] != '/')
			continue;
		first = start == i;
		last = p == j;
		if (!first && !last)
			kind = TEST_EXACT;
		else if (!first)
			kind = right_end ? TEST_EXACT : TEST_PREFIX;
		else if (!last)
			kind = left_start ? TEST_EXACT : TEST_NONE;
		else
			kind = !left_start ? TEST_NONE : right_end ? TEST_EXACT : TEST_PREFIX;
		consider(b, kind, toks + start, p - start);
		start = p + 1;
	}
}

/*
 * The best test of pattern s. name: s is matched against the last
 * component (file.name), which has no '/': only the run that opens the
 * pattern counts, and a '/' in it means the pattern never matches (any test
 * is then sound).
 */
static int pattern_test(const char *s, bool glob, unsigned wrap, bool name,
			struct sensor_name_match *out, char *buf, size_t buflen)
{
	size_t len = strlen(s), n, i = 0;
	struct best b = {0};
	int *toks = malloc((len + 2) * sizeof(*toks));

	if (!toks)
		return -ENOMEM;
	n = tokenise(s, glob, wrap, toks);
	if (name) {
		size_t j = 0;

		while (j < n && toks[j] != TOK_WILD && toks[j] != '/')
			j++;
		consider(&b, j == n ? TEST_EXACT : TEST_PREFIX, toks, j);
	} else {
		while (i < n) {
			size_t j = i;

			while (j < n && toks[j] != TOK_WILD)
				j++;
			if (j > i)
				run_pieces(&b, toks, i, j, n);
			i = j < n ? j + 1 : j;
		}
	}
	if (b.kind == TEST_NONE || b.len >= buflen) {
		free(toks);
		return 0;
	}
	for (i = 0; i < b.len; i++)
		buf[i] = (char)b.name[i];
	buf[b.len] = '\0';
	out->name = buf;
	out->exact = b.kind == TEST_EXACT;
	free(toks);
	return 1;
}

int open_filter_pattern(const char *pattern, bool glob, struct sensor_name_match *out, char *buf,
			size_t buflen)
{
	if (!pattern || !out || !buf)
		return 0;
	return pattern_test(pattern, glob, WRAP_NONE, false, out, buf, buflen);
}

/* ------------------------------------------------------------ conditions */

/* What a condition needs: every path (all), or one of the tests. */
struct need {
	bool all;
	struct sensor_name_match *m;
	size_t n, cap;
};

static void need_free(struct need *x)
{
	for (size_t i = 0; i < x->n; i++)
		free((char *)x->m[i].name);
	free(x->m);
	*x = (struct need){0};
}

static int need_add(struct need *x, const struct sensor_name_match *t)
{
	for (size_t i = 0; i < x->n; i++)
		if (x->m[i].exact == t->exact && !strcmp(x->m[i].name, t->name))
			return 0;
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 16;
		struct sensor_name_match *m = realloc(x->m, cap * sizeof(*m));

		if (!m)
			return -ENOMEM;
		x->m = m;
		x->cap = cap;
	}
	x->m[x->n].name = strdup(t->name);
	if (!x->m[x->n].name)
		return -ENOMEM;
	x->m[x->n++].exact = t->exact;
	return 0;
}

/* x |= y (y is freed). */
static int need_union(struct need *x, struct need *y)
{
	int rc = 0;

	if (x->all || y->all) {
		need_free(x);
		x->all = true;
	} else {
		for (size_t i = 0; i < y->n && !rc; i++)
			rc = need_add(x, &y->m[i]);
	}
	need_free(y);
	return rc;
}

static int leaf_need(const struct ruleset *rs, const struct cond *c, struct need *out)
{
	const struct field_def *f = leaf_field(c);
	const struct operands *o = c->list >= 0 ? &rs->lists[c->list]->items : &c->inl;
	bool name, glob = false;
	unsigned wrap = WRAP_NONE;
	char buf[MW_OPEN_KEY_LEN + 1];
	int rc = 0;

	out->all = true;
	/*
	 * file.canonical_path is the path itself unless the file is a learnt
	 * secret (detect/secret_ids.h), whose opens the kernel sends by inode
	 * whatever the filter says: its tests are file.path's.
	 */
	if (!f || (strcmp(f->name, "file.path") && strcmp(f->name, "file.name") &&
		   strcmp(f->name, "file.canonical_path")))
		return 0;
	name = !strcmp(f->name, "file.name");
	switch (c->op) {
	case OP_GLOB:
		glob = true;
		break;
	case OP_EQ:
	case OP_IN:
		break;
	case OP_PREFIX:
		wrap = WRAP_AFTER;
		break;
	case OP_SUFFIX:
		wrap = WRAP_BEFORE;
		break;
	case OP_CONTAINS:
		wrap = WRAP_BEFORE | WRAP_AFTER;
		break;
	default:
		return 0;
	}
	if (o->n && !o->strs)
		return 0;
	out->all = false;
	/* No operand (an empty list): the leaf never holds, no test needed. */
	for (size_t i = 0; i < o->n && !rc; i++) {
		struct sensor_name_match t;

		rc = pattern_test(o->strs[i], glob, wrap, name, &t, buf, sizeof(buf));
		if (rc == 0) {
			need_free(out);
			out->all = true;
			return 0;
		}
		rc = rc < 0 ? rc : need_add(out, &t);
	}
	return rc;
}

static int cond_need(const struct ruleset *rs, const struct cond *c, struct need *out)
{
	int rc = 0;

	*out = (struct need){0};
	switch (c->kind) {
	case COND_LEAF:
		return leaf_need(rs, c, out);
	case COND_NOT:
		/* Exceptions never narrow the filter. */
		out->all = true;
		return 0;
	case COND_ANY:
		for (size_t i = 0; i < c->nkids && !rc && !out->all; i++) {
			struct need k;

			rc = cond_need(rs, c->kids[i], &k);
			if (!rc)
				rc = need_union(out, &k);
			else
				need_free(&k);
		}
		return rc;
	case COND_ALL:
		/* Every child must hold: the tests of any one child suffice;
		 * keep the fewest. */
		out->all = true;
		for (size_t i = 0; i < c->nkids && !rc; i++) {
			struct need k;

			rc = cond_need(rs, c->kids[i], &k);
			if (!rc && !k.all && (out->all || k.n < out->n)) {
				need_free(out);
				*out = k;
			} else {
				need_free(&k);
			}
		}
		return rc;
	}
	out->all = true;
	return 0;
}

void open_filter_free(struct open_filter *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++)
		free((char *)f->m[i].name);
	free(f->m);
	*f = (struct open_filter){0};
}

int open_filter_derive(const struct ruleset *rs, struct open_filter *f)
{
	struct need total = {0};
	int rc = 0;

	*f = (struct open_filter){0};
	for (size_t i = 0; rs && i < rs->nrules && !rc && !total.all; i++) {
		const struct rule *r = rs->rules[i];
		struct need k;

		if (!r->enabled || r->event != RULE_EV_OPEN || !r->cond)
			continue;
		rc = cond_need(rs, r->cond, &k);
		if (!rc && k.all)
			f->why = r;
		if (!rc)
			rc = need_union(&total, &k);
		else
			need_free(&k);
	}
	if (rc || total.all || total.n > MW_OPEN_NAMES_MAX) {
		if (rc || !total.all)
			f->why = NULL;
		need_free(&total);
		return rc;
	}
	f->on = true;
	f->m = total.m;
	f->n = total.n;
	return 0;
}

/* ------------------------------------------------------------ the model */

static bool piece_passes(const struct sensor_name_match *t, const char *p, size_t len)
{
	size_t n = strlen(t->name);

	if (t->exact)
		return n == len && !memcmp(p, t->name, n);
	return n <= len && !memcmp(p, t->name, n);
}

bool open_filter_admits(const struct open_filter *f, const char *path)
{
	const char *p = path;

	if (!f || !f->on)
		return true;
	if (!path)
		return false;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);

		for (size_t i = 0; i < f->n && len; i++)
			if (piece_passes(&f->m[i], p, len))
				return true;
		if (!slash)
			return false;
		p = slash + 1;
	}
}
