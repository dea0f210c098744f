// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include "detect/rule_strings.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "detect/rules_int.h"

struct strs {
	const char **v;
	size_t n, cap;
};

static int strs_add(struct strs *s, const char *str)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], str))
			return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		const char **v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = str;
	return 0;
}

static int collect(const struct ruleset *rs, const struct cond *c, int field, struct strs *s)
{
	const struct operands *o;
	int rc = 0;

	if (c->kind != COND_LEAF) {
		for (size_t i = 0; i < c->nkids && !rc; i++)
			rc = collect(rs, c->kids[i], field, s);
		return rc;
	}
	if (c->field != field || (c->op != OP_EQ && c->op != OP_IN))
		return 0;
	o = c->list >= 0 ? &rs->lists[c->list]->items : &c->inl;
	for (size_t i = 0; o->strs && i < o->n && !rc; i++)
		rc = strs_add(s, o->strs[i]);
	return rc;
}

int rule_strings_of_field(const struct ruleset *rs, const char *field, const char ***out, size_t *n)
{
	struct strs s = {0};
	int id = field_id(field), rc = 0;

	for (size_t i = 0; rs && id != FIELD_UNKNOWN && i < rs->nrules && !rc; i++)
		if (rs->rules[i]->enabled && rs->rules[i]->cond)
			rc = collect(rs, rs->rules[i]->cond, id, &s);
	if (rc) {
		free(s.v);
		s.v = NULL;
		s.n = 0;
	}
	*out = s.v;
	*n = s.n;
	return rc;
}
