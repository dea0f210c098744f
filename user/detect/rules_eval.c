// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Rules: evaluation of compiled conditions against one event, and rendering
 * of alert messages. Evaluation walks the compiled tree and never allocates.
 */
#include <stdio.h>
#include <string.h>

#include "detect/rules_int.h"
#include "lib/glob.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ matching */

/* v (already lower-cased by operands_match) contains pat, ASCII case folded. */
static bool lower_contains(const char *v, const char *pat)
{
	char low[256];
	size_t n = strlen(pat);

	if (n >= sizeof(low))
		return strcasestr(v, pat) != NULL;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)pat[i]);
	return strstr(v, low) != NULL;
}

static bool str_op_match(enum cond_op op, const char *v, size_t vl, const char *pat,
			 const struct glob_plan *plan)
{
	size_t pl;

	switch (op) {
	case OP_EQ:
	case OP_NE:
	case OP_IN:
		return !strcmp(v, pat);
	case OP_GLOB:
		return plan ? glob_match_plan(pat, plan, v, vl) : glob_match(pat, v);
	case OP_PREFIX:
		return !strncmp(v, pat, strlen(pat));
	case OP_SUFFIX:
		pl = strlen(pat);
		return vl >= pl && !memcmp(v + vl - pl, pat, pl);
	case OP_CONTAINS:
		return strstr(v, pat) != NULL;
	case OP_ICONTAINS:
		return lower_contains(v, pat);
	default:
		return false;
	}
}

static bool int_op_match(enum cond_op op, int64_t v, int64_t x)
{
	switch (op) {
	case OP_EQ:
	case OP_NE:
	case OP_IN:
		return v == x;
	case OP_GT:
		return v > x;
	case OP_GE:
		return v >= x;
	case OP_LT:
		return v < x;
	case OP_LE:
		return v <= x;
	default:
		return false;
	}
}

/* True when any operand matches (ne: when none equals). */
static bool operands_match(enum cond_op op, const struct field_value *v, const struct operands *o)
{
	const char *s = v->type == FV_STR ? v->s : NULL;
	char *lower = NULL;
	bool hit = false;
	size_t i, vl;

	/* Fold the value once, not once per operand (a 16 KiB tool result). */
	if (op == OP_ICONTAINS && s) {
		lower = strdup(s);
		if (!lower)
			return false;
		for (char *c = lower; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		s = lower;
	}
	vl = s ? strlen(s) : 0;
	for (i = 0; i < o->n && !hit; i++) {
		if (v->type == FV_STR)
			hit = o->strs &&
			      str_op_match(op, s, vl, o->strs[i], o->plans ? &o->plans[i] : NULL);
		else
			hit = o->ints && int_op_match(op, v->i, o->ints[i]);
	}
	free(lower);
	return op == OP_NE ? !hit : hit;
}

static bool leaf_eval(const struct ruleset *rs, const struct cond *c,
		      const struct field_source *src)
{
	struct field_value v = {.type = FV_NONE};
	const struct operands *o;

	src->get(src->ctx, c->field, &v);
	if (v.type == FV_STR && !v.s)
		v.type = FV_NONE;
	if (c->op == OP_EXISTS)
		return v.type != FV_NONE && !(v.type == FV_STR && !*v.s);
	/* A missing or mistyped value matches nothing; "not" handles absence. */
	if (v.type != field_at(c->field)->type)
		return false;
	if (v.type == FV_BOOL)
		v.i = v.i != 0;
	o = c->list >= 0 ? &rs->lists[c->list]->items : &c->inl;
	return operands_match(c->op, &v, o);
}

static bool cond_eval(const struct ruleset *rs, const struct cond *c,
		      const struct field_source *src)
{
	size_t i;

	switch (c->kind) {
	case COND_ALL:
		for (i = 0; i < c->nkids; i++)
			if (!cond_eval(rs, c->kids[i], src))
				return false;
		return true;
	case COND_ANY:
		for (i = 0; i < c->nkids; i++)
			if (cond_eval(rs, c->kids[i], src))
				return true;
		return false;
	case COND_NOT:
		return !cond_eval(rs, c->kids[0], src);
	case COND_LEAF:
		return leaf_eval(rs, c, src);
	}
	return false;
}

void ruleset_eval(const struct ruleset *rs, enum rule_event ev, const struct field_source *src,
		  rule_match_fn fn, void *arg)
{
	size_t i;

	if (!rs || !src || !src->get || !fn)
		return;
	for (i = 0; i < rs->nrules; i++) {
		const struct rule *r = rs->rules[i];

		if (r->enabled && r->event == ev && r->cond && cond_eval(rs, r->cond, src))
			fn(r, arg);
	}
}

/* ------------------------------------------------------------------ messages */

/* Placeholders are looked up by name here, not at load: a message is only
 * rendered for a match, and partial overrides may replace it. */

struct out_buf {
	char *p;
	size_t len, cap;
};

static void out_append(struct out_buf *o, const char *s, size_t n)
{
	size_t room = o->cap - 1 - o->len;

	if (n > room)
		n = room;
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void render_field(struct out_buf *o, const char *name, size_t n,
			 const struct field_source *src)
{
	int id = field_id_n(name, n);
	struct field_value v = {.type = FV_NONE};
	char num[24];

	if (id != FIELD_UNKNOWN && src && src->get)
		src->get(src->ctx, id, &v);
	if (v.type == FV_STR && v.s && *v.s) {
		out_append(o, v.s, strlen(v.s));
	} else if (v.type == FV_INT) {
		snprintf(num, sizeof(num), "%lld", (long long)v.i);
		out_append(o, num, strlen(num));
	} else if (v.type == FV_BOOL) {
		out_append(o, v.i ? "true" : "false", v.i ? 4 : 5);
	} else {
		out_append(o, "?", 1);
	}
}

size_t rule_render_message(const struct rule *r, const struct field_source *src, char *out,
			   size_t outlen)
{
	struct out_buf o = {out, 0, outlen};
	const char *s, *lit;
	size_t n;

	if (!out || !outlen)
		return 0;
	out[0] = '\0';
	if (!r || !r->message)
		return 0;
	for (s = lit = r->message; *s;) {
		n = placeholder_length(s);
		if (!n) {
			s++;
			continue;
		}
		out_append(&o, lit, (size_t)(s - lit));
		render_field(&o, s + 1, n - 2, src);
		s += n;
		lit = s;
	}
	out_append(&o, lit, (size_t)(s - lit));
	return o.len;
}
