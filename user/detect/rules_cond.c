// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Rules: compiling a condition object into a struct cond tree. Field names
 * resolve to field definitions and list names to slots of the ruleset's
 * list table (slots are stable, so a later file that replaces or extends a
 * list changes what earlier rules match). Every error is reported with the
 * position of the offending key or value.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/rules_int.h"

static const char *const op_names[] = {[OP_EQ] = "eq",
				       [OP_NE] = "ne",
				       [OP_IN] = "in",
				       [OP_GLOB] = "glob",
				       [OP_PREFIX] = "prefix",
				       [OP_SUFFIX] = "suffix",
				       [OP_CONTAINS] = "contains",
				       [OP_ICONTAINS] = "icontains",
				       [OP_GT] = "gt",
				       [OP_GE] = "ge",
				       [OP_LT] = "lt",
				       [OP_LE] = "le",
				       [OP_EXISTS] = "exists"};

static struct cond *new_cond(struct loader *ld, const struct json_value *at, enum cond_kind kind)
{
	struct cond *c = calloc(1, sizeof(*c));

	if (!c) {
		report_at(ld, at, "out of memory");
		return NULL;
	}
	c->kind = kind;
	c->list = -1;
	return c;
}

static struct cond *parse_group(struct loader *ld, const struct json_member *m, int ev)
{
	bool is_not = !strcmp(m->key, "not");
	struct cond *c = new_cond(ld, m->value,
				  is_not		   ? COND_NOT
				  : !strcmp(m->key, "all") ? COND_ALL
							   : COND_ANY);
	size_t i, n = is_not ? 1 : m->value->array.n;
	bool ok = true;

	if (!c)
		return NULL;
	c->kids = calloc(n, sizeof(*c->kids));
	if (!c->kids) {
		report_at(ld, m->value, "out of memory");
		free(c);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		c->kids[i] = parse_cond(ld, is_not ? m->value : m->value->array.items[i], ev);
		ok = ok && c->kids[i];
		c->nkids++;
	}
	if (!ok) {
		cond_free(c);
		return NULL;
	}
	return c;
}

static bool op_applies(enum cond_op op, enum field_type t)
{
	switch (op) {
	case OP_EQ:
	case OP_NE:
	case OP_EXISTS:
		return true;
	case OP_IN:
		return t != FV_BOOL;
	case OP_GLOB:
	case OP_PREFIX:
	case OP_SUFFIX:
	case OP_CONTAINS:
	case OP_ICONTAINS:
		return t == FV_STR;
	default:
		return t == FV_INT;
	}
}

/* "an integer", "a string with a NUL character", ... for messages. */
static const char *describe_value(const struct json_value *v)
{
	switch (v->type) {
	case JSON_NUMBER:
		return v->number.is_int ? "an integer" : "a fractional or too large number";
	case JSON_STRING:
		return json_get_string(v) ? "a string" : "a string with a NUL character";
	case JSON_BOOL:
		return "a boolean";
	case JSON_ARRAY:
		return "an array";
	case JSON_OBJECT:
		return "an object";
	default:
		return "null";
	}
}

/* Does one operand value fit the field's type? Reports when not. */
static bool operand_fits(struct loader *ld, const struct json_value *v, const struct field_def *f)
{
	int64_t i;
	bool b;

	if (f->type == FV_STR && json_get_string(v))
		return true;
	if (f->type == FV_INT && json_get_int(v, &i))
		return true;
	if (f->type == FV_BOOL && json_get_bool(v, &b))
		return true;
	report_at(ld, v, "field \"%s\" is %s %s; this value is %s", f->name,
		  f->type == FV_INT ? "an" : "a", field_type_name(f->type), describe_value(v));
	return false;
}

static bool operand_store(struct loader *ld, struct operands *o, const struct json_value *v,
			  const struct field_def *f)
{
	if (f->type != FV_STR) {
		if (v->type == JSON_BOOL)
			o->ints[o->n++] = v->boolean;
		else
			o->ints[o->n++] = v->number.i;
		return true;
	}
	o->strs[o->n] = dup_string(ld, v, "a value");
	return o->strs[o->n++] != NULL;
}

/* Inline operands from "value" (one) or "values" (array). */
static bool parse_inline_operands(struct loader *ld, struct cond *c, const struct json_value *v,
				  bool many)
{
	const struct json_value *const *items =
	    many ? (const struct json_value *const *)v->array.items : &v;
	size_t i, n = many ? v->array.n : 1;
	bool ok = true;

	if (many && !want_nonempty_array(ld, v, "\"values\""))
		return false;
	for (i = 0; i < n; i++)
		ok = operand_fits(ld, items[i], leaf_field(c)) && ok;
	if (!ok)
		return false;
	if (!operands_reserve(&c->inl, leaf_field(c)->type == FV_STR ? LIST_STR : LIST_INT, n)) {
		report_at(ld, v, "out of memory");
		return false;
	}
	for (i = 0; i < n && ok; i++)
		ok = operand_store(ld, &c->inl, items[i], leaf_field(c));
	return ok;
}

static bool parse_list_operand(struct loader *ld, struct cond *c, const struct json_value *v)
{
	const char *name = want_string(ld, v, "\"list\"");
	enum list_kind kind = LIST_EMPTY;

	if (!name)
		return false;
	c->list = resolve_list(ld, name, &kind);
	if (c->list < 0) {
		report_at(ld, v, "unknown list \"%s\"", show(name).s);
		return false;
	}
	if (!list_fits_field(kind, leaf_field(c))) {
		report_at(ld, v, "list \"%s\" holds %s but field \"%s\" is %s", name,
			  kind == LIST_STR ? "strings" : "integers", leaf_field(c)->name,
			  field_type_name(leaf_field(c)->type));
		return false;
	}
	return true;
}

/* Which operand keys an op takes: 0 none, 1 "value" only, 2 any of three. */
static int op_operand_style(enum cond_op op)
{
	if (op == OP_EXISTS)
		return 0;
	if (op == OP_IN || op == OP_GLOB || op == OP_PREFIX || op == OP_SUFFIX ||
	    op == OP_CONTAINS || op == OP_ICONTAINS)
		return 2;
	return 1;
}

static bool parse_operands(struct loader *ld, struct cond *c, const struct json_value *node)
{
	const struct json_value *value = json_object_get(node, "value");
	const struct json_value *values = json_object_get(node, "values");
	const struct json_value *list = json_object_get(node, "list");
	int given = !!value + !!values + !!list, style = op_operand_style(c->op);
	const char *op = op_names[c->op];

	if (style == 0 && given) {
		report_at(ld, node, "op \"%s\" takes no \"value\", \"values\" or \"list\"", op);
		return false;
	}
	if (style == 0)
		return true;
	if (style == 1 && (values || list || !value)) {
		report_at(ld, node, "op \"%s\" needs exactly one \"value\"", op);
		return false;
	}
	if (given != 1) {
		report_at(ld, node,
			  "op \"%s\" needs exactly one of \"value\", \"values\", \"list\"", op);
		return false;
	}
	if (list)
		return parse_list_operand(ld, c, list);
	return parse_inline_operands(ld, c, values ? values : value, values != NULL);
}

/* The catalogue id of a leaf's field, or FIELD_UNKNOWN (reported). */
static int parse_leaf_field(struct loader *ld, const struct json_value *v, int ev)
{
	const char *name = want_string(ld, v, "\"field\"");
	char served[40];
	int id;

	if (!name)
		return FIELD_UNKNOWN;
	id = field_id(name);
	if (id == FIELD_UNKNOWN) {
		report_at(ld, v, "unknown field \"%s\"", show(name).s);
		return FIELD_UNKNOWN;
	}
	if (ev >= 0 && !field_served(id, (enum rule_event)ev)) {
		field_events_text(field_at(id)->events, served, sizeof(served));
		report_at(ld, v, "field \"%s\" is not available for \"%s\" events (only %s)", name,
			  event_names[ev], served);
		return FIELD_UNKNOWN;
	}
	return id;
}

static int parse_leaf_op(struct loader *ld, const struct json_value *v)
{
	const char *name = want_string(ld, v, "\"op\"");
	int op = name ? name_index(op_names, OP_COUNT, name) : -1;

	if (name && op < 0)
		report_at(ld, v,
			  "unknown op \"%s\" (expected eq, ne, in, glob, prefix, suffix, "
			  "contains, icontains, gt, ge, lt, le, exists)",
			  show(name).s);
	return op;
}

static struct cond *parse_leaf(struct loader *ld, const struct json_value *node, int ev)
{
	static const char *const keys[] = {"field", "op", "value", "values", "list", NULL};
	const struct json_value *field = json_object_get(node, "field");
	const struct json_value *op = json_object_get(node, "op");
	struct cond *c;
	int opi;

	check_keys(ld, node, "a condition", keys,
		   "all, any, not, or field, op, value, values, list");
	if (!field || !op) {
		report_at(ld, node,
			  "condition needs \"all\", \"any\", \"not\", or \"field\" and \"op\"");
		return NULL;
	}
	c = new_cond(ld, node, COND_LEAF);
	if (!c)
		return NULL;
	c->field = parse_leaf_field(ld, field, ev);
	opi = parse_leaf_op(ld, op);
	if (c->field == FIELD_UNKNOWN || opi < 0)
		goto fail;
	c->op = (enum cond_op)opi;
	if (!op_applies(c->op, leaf_field(c)->type)) {
		report_at(ld, op, "op \"%s\" does not apply to %s field \"%s\"", op_names[c->op],
			  field_type_name(leaf_field(c)->type), leaf_field(c)->name);
		goto fail;
	}
	if (!parse_operands(ld, c, node))
		goto fail;
	return c;
fail:
	cond_free(c);
	return NULL;
}

/* The all/any/not member of a group node; reports mixing and bad shapes. */
static const struct json_member *group_member(struct loader *ld, const struct json_value *node,
					      bool *bad)
{
	static const char *const groups[] = {"all", "any", "not"};
	const struct json_member *m = NULL;
	size_t i;

	*bad = false;
	for (i = 0; i < 3 && !m; i++)
		m = json_object_member(node, groups[i]);
	if (!m)
		return NULL;
	if (node->object.n != 1) {
		report_at(ld, node, "a condition with \"%s\" must have no other key", m->key);
		*bad = true;
	} else if (!strcmp(m->key, "not") && m->value->type != JSON_OBJECT) {
		report_at(ld, m->value, "\"not\" must be a condition object, not %s",
			  json_type_name(m->value->type));
		*bad = true;
	} else if (strcmp(m->key, "not")) {
		char what[8];

		snprintf(what, sizeof(what), "\"%s\"", m->key);
		*bad = !want_nonempty_array(ld, m->value, what);
	}
	return m;
}

/* ev < 0: the rule's event is unknown, skip per-event field checks. */
struct cond *parse_cond(struct loader *ld, const struct json_value *v, int ev)
{
	const struct json_member *m;
	bool bad;

	if (v->type != JSON_OBJECT) {
		report_at(ld, v, "a condition must be an object, not %s", json_type_name(v->type));
		return NULL;
	}
	m = group_member(ld, v, &bad);
	if (bad)
		return NULL;
	return m ? parse_group(ld, m, ev) : parse_leaf(ld, v, ev);
}
