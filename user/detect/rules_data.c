// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Rules: the data of a ruleset — names, rules and lists — and its
 * accessors. Loading is in rules_load.c and rules_cond.c, evaluation in
 * rules_eval.c; the format is described in docs/rules.md.
 */
#include <stdlib.h>
#include <string.h>

#include "detect/rules_int.h"

/* ------------------------------------------------------------------ names */

const char *const severity_names[] = {"info", "low", "medium", "high", "critical"};

const char *rule_severity_name(enum rule_severity s)
{
	return (unsigned)s <= SEV_CRITICAL ? severity_names[s] : "?";
}

int name_index(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		if (!strcmp(names[i], s))
			return (int)i;
	return -1;
}

static void operands_free(struct operands *o)
{
	size_t i;

	if (o->strs)
		for (i = 0; i < o->n; i++)
			free(o->strs[i]);
	free(o->strs);
	free(o->ints);
	free(o->plans);
	memset(o, 0, sizeof(*o));
}

static void operands_plan(struct operands *o)
{
	if (!o->strs || o->plans || !o->n)
		return;
	o->plans = calloc(o->n, sizeof(*o->plans));
	for (size_t i = 0; o->plans && i < o->n; i++)
		glob_plan(o->strs[i] ? o->strs[i] : "", &o->plans[i]);
}

static void cond_plan_globs(struct ruleset *rs, struct cond *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nkids; i++)
		cond_plan_globs(rs, c->kids[i]);
	if (c->kind == COND_LEAF && c->op == OP_GLOB)
		operands_plan(c->list >= 0 ? &rs->lists[c->list]->items : &c->inl);
}

/* Without memory for a plan, matching falls back to glob_match. */
void ruleset_plan_globs(struct ruleset *rs)
{
	for (size_t i = 0; i < rs->nrules; i++)
		cond_plan_globs(rs, rs->rules[i]->cond);
}

void cond_free(struct cond *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nkids; i++)
		cond_free(c->kids[i]);
	free(c->kids);
	operands_free(&c->inl);
	free(c);
}

void list_free(struct rule_list *l)
{
	if (!l)
		return;
	free(l->name);
	operands_free(&l->items);
	free(l);
}

void tags_free(char **tags, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(tags[i]);
	free(tags);
}

void rule_free(struct rule *r)
{
	if (!r)
		return;
	free(r->id);
	free(r->name);
	free(r->description);
	free(r->message);
	tags_free(r->tags, r->ntags);
	cond_free(r->cond);
	free(r->origin);
	free(r);
}

struct ruleset *ruleset_new(void)
{
	return calloc(1, sizeof(struct ruleset));
}

void ruleset_free(struct ruleset *rs)
{
	size_t i;

	if (!rs)
		return;
	for (i = 0; i < rs->nrules; i++)
		rule_free(rs->rules[i]);
	for (i = 0; i < rs->nlists; i++)
		list_free(rs->lists[i]);
	free(rs->rules);
	free(rs->lists);
	free(rs);
}

size_t ruleset_count(const struct ruleset *rs)
{
	return rs ? rs->nrules : 0;
}

const struct rule *ruleset_get(const struct ruleset *rs, size_t i)
{
	return rs && i < rs->nrules ? rs->rules[i] : NULL;
}

int rule_index(const struct ruleset *rs, const char *id)
{
	size_t i;

	for (i = 0; id && i < rs->nrules; i++)
		if (!strcmp(rs->rules[i]->id, id))
			return (int)i;
	return -1;
}

const struct rule *ruleset_find(const struct ruleset *rs, const char *id)
{
	int i = rs ? rule_index(rs, id) : -1;

	return i >= 0 ? rs->rules[i] : NULL;
}

int list_index(const struct ruleset *rs, const char *name)
{
	size_t i;

	for (i = 0; i < rs->nlists; i++)
		if (!strcmp(rs->lists[i]->name, name))
			return (int)i;
	return -1;
}

/* ------------------------------------------------------------------ placeholders */

bool is_field_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_';
}

/* If s starts a "{field.name}" placeholder, its length (braces included). */
size_t placeholder_length(const char *s)
{
	size_t n = 1;

	if (*s != '{')
		return 0;
	while (is_field_char(s[n]))
		n++;
	return n > 1 && s[n] == '}' ? n + 1 : 0;
}
