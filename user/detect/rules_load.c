// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Rules: loading (JSON via json.c, which keeps positions), validation and
 * merging. The format is described in docs/rules.md.
 *
 * Loading is staged: a document is parsed and checked completely into a
 * struct loader, and only when it has no error is it merged into the
 * ruleset, so a bad file never leaves half its rules behind. Conditions are
 * compiled at load (rules_cond.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/rules_int.h"
#include "lib/diag.h"

void report(struct loader *ld, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(ld->diag, ld->name, line, col, fmt, ap);
	va_end(ap);
}

/* The value as a NUL-free string, or NULL with an error naming `what`. */
const char *want_string(struct loader *ld, const struct json_value *v, const char *what)
{
	const char *s = json_get_string(v);

	if (!s) {
		if (v->type == JSON_STRING)
			report_at(ld, v, "%s must not contain NUL characters", what);
		else
			report_at(ld, v, "%s must be a string, not %s", what,
				  json_type_name(v->type));
	}
	return s;
}

char *dup_string(struct loader *ld, const struct json_value *v, const char *what)
{
	const char *s = want_string(ld, v, what);
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		report_at(ld, v, "out of memory");
	return d;
}

/* A user-supplied name made safe for a one-line message (see json.h). */
struct shown show(const char *name)
{
	struct shown out;

	json_quote_for_message(name, strlen(name), out.s, sizeof(out.s));
	return out;
}

bool want_nonempty_array(struct loader *ld, const struct json_value *v, const char *what)
{
	if (v->type != JSON_ARRAY) {
		report_at(ld, v, "%s must be an array, not %s", what, json_type_name(v->type));
		return false;
	}
	if (!v->array.n) {
		report_at(ld, v, "%s must not be empty", what);
		return false;
	}
	return true;
}

static void report_unknown_key(struct loader *ld, const struct json_member *m, const char *where,
			       const char *expected)
{
	char key[64];

	json_quote_for_message(m->key, m->key_len, key, sizeof(key));
	report(ld, m->line, m->col, "unknown key \"%s\" in %s (expected %s)", key, where, expected);
}

/* Report every key of obj not in the NULL-terminated `allowed`. */
void check_keys(struct loader *ld, const struct json_value *obj, const char *where,
		const char *const *allowed, const char *expected)
{
	size_t i, k;

	for (i = 0; i < obj->object.n; i++) {
		const struct json_member *m = &obj->object.members[i];

		for (k = 0; allowed[k]; k++)
			if (!strcmp(allowed[k], m->key) && strlen(m->key) == m->key_len)
				break;
		if (!allowed[k])
			report_unknown_key(ld, m, where, expected);
	}
}

/* ---- lists */

static const struct staged_list *staged_list_find(const struct loader *ld, const char *name)
{
	size_t i;

	for (i = 0; i < ld->nlists; i++)
		if (!strcmp(ld->lists[i].list->name, name))
			return &ld->lists[i];
	return NULL;
}

/* Slot and kind of list `name` as it will be after this document. */
int resolve_list(const struct loader *ld, const char *name, enum list_kind *kind)
{
	const struct staged_list *sl = staged_list_find(ld, name);
	int slot;

	if (sl) {
		*kind = sl->list->kind;
		return sl->slot;
	}
	slot = list_index(ld->rs, name);
	if (slot >= 0)
		*kind = ld->rs->lists[slot]->kind;
	return slot;
}

bool operands_reserve(struct operands *o, enum list_kind kind, size_t n)
{
	if (!n)
		return true;
	if (kind == LIST_STR)
		o->strs = calloc(n, sizeof(*o->strs));
	else
		o->ints = calloc(n, sizeof(*o->ints));
	return o->strs || o->ints;
}

/* Add one item to a list being built; the first item fixes the kind. */
static bool list_add_item(struct loader *ld, struct rule_list *l, const struct json_value *item)
{
	enum list_kind kind = item->type == JSON_STRING ? LIST_STR : LIST_INT;
	int64_t i;

	if (item->type != JSON_STRING && !json_get_int(item, &i)) {
		report_at(ld, item, "list items must be strings or integers, not %s",
			  item->type == JSON_NUMBER ? "a fractional number"
						    : json_type_name(item->type));
		return false;
	}
	if (l->kind != LIST_EMPTY && l->kind != kind) {
		report_at(ld, item, "list \"%s\" mixes strings and integers", l->name);
		return false;
	}
	l->kind = kind;
	if (kind == LIST_INT) {
		l->items.ints[l->items.n++] = i;
		return true;
	}
	l->items.strs[l->items.n] = dup_string(ld, item, "a list item");
	return l->items.strs[l->items.n++] != NULL;
}

static bool list_copy_items(struct rule_list *dst, const struct rule_list *src)
{
	size_t i;

	dst->kind = src->kind;
	for (i = 0; i < src->items.n; i++) {
		if (src->kind == LIST_INT) {
			dst->items.ints[dst->items.n++] = src->items.ints[i];
			continue;
		}
		dst->items.strs[dst->items.n] = strdup(src->items.strs[i]);
		if (!dst->items.strs[dst->items.n++])
			return false;
	}
	return true;
}

/* The items array and append flag of a list definition (array or object). */
static const struct json_value *list_definition(struct loader *ld, const struct json_value *def,
						bool *append)
{
	static const char *const keys[] = {"items", "append", NULL};
	const struct json_value *items, *app;

	*append = false;
	if (def->type == JSON_ARRAY)
		return def;
	if (def->type != JSON_OBJECT) {
		report_at(ld, def, "a list must be an array or an object with \"items\", not %s",
			  json_type_name(def->type));
		return NULL;
	}
	check_keys(ld, def, "a list", keys, "items, append");
	app = json_object_get(def, "append");
	if (app && !json_get_bool(app, append))
		report_at(ld, app, "\"append\" must be true or false");
	items = json_object_get(def, "items");
	if (!items)
		report_at(ld, def, "list object needs \"items\"");
	else if (items->type != JSON_ARRAY)
		report_at(ld, items, "\"items\" must be an array, not %s",
			  json_type_name(items->type));
	return items && items->type == JSON_ARRAY ? items : NULL;
}

static bool list_build(struct loader *ld, const struct json_member *m, struct rule_list *l)
{
	const struct rule_list *old = NULL;
	const struct json_value *items;
	enum list_kind kind;
	bool append, ok = true;
	int slot;
	size_t i;

	items = list_definition(ld, m->value, &append);
	if (!items)
		return false;
	slot = list_index(ld->rs, l->name);
	if (append && slot < 0) {
		report(ld, m->line, m->col,
		       "list \"%s\" has \"append\" but no earlier file defines it", l->name);
		return false;
	}
	if (append)
		old = ld->rs->lists[slot];
	kind = items->array.n ? (items->array.items[0]->type == JSON_STRING ? LIST_STR : LIST_INT)
			      : LIST_EMPTY;
	if (old && old->kind != LIST_EMPTY)
		kind = old->kind;
	if (!operands_reserve(&l->items, kind, items->array.n + (old ? old->items.n : 0)) ||
	    (old && !list_copy_items(l, old))) {
		report(ld, m->line, m->col, "out of memory");
		return false;
	}
	for (i = 0; i < items->array.n && ok; i++)
		ok = list_add_item(ld, l, items->array.items[i]);
	return ok;
}

static bool valid_name(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!is_field_char(s[n]) && s[n] != '-' && !(s[n] >= 'A' && s[n] <= 'Z') &&
		    s[n] != ':')
			return false;
	return n > 0 && n <= RULE_ID_MAX;
}

static void load_list(struct loader *ld, const struct json_member *m, size_t *cap)
{
	struct rule_list *l;
	void *grown;
	int slot;

	if (!valid_name(m->key) || strlen(m->key) != m->key_len) {
		report(ld, m->line, m->col,
		       "invalid list name (use 1-%d letters, digits, '.', '_', '-', ':')",
		       RULE_ID_MAX);
		return;
	}
	l = calloc(1, sizeof(*l));
	if (!l || !(l->name = strdup(m->key)) || !list_build(ld, m, l)) {
		if (!l || !l->name)
			report(ld, m->line, m->col, "out of memory");
		list_free(l);
		return;
	}
	if (ld->nlists == *cap) {
		grown = realloc(ld->lists, (*cap ? *cap * 2 : 8) * sizeof(*ld->lists));
		if (!grown) {
			report(ld, m->line, m->col, "out of memory");
			list_free(l);
			return;
		}
		ld->lists = grown;
		*cap = *cap ? *cap * 2 : 8;
	}
	slot = list_index(ld->rs, l->name);
	if (slot < 0)
		slot = (int)(ld->rs->nlists + ld->nlists); /* new lists get slots past the end */
	ld->lists[ld->nlists++] = (struct staged_list){l, slot, m->line, m->col};
}

static void load_lists(struct loader *ld, const struct json_value *lists)
{
	size_t i, cap = 0;

	if (lists->type != JSON_OBJECT) {
		report_at(ld, lists, "\"lists\" must be an object mapping names to arrays, not %s",
			  json_type_name(lists->type));
		return;
	}
	for (i = 0; i < lists->object.n; i++)
		load_list(ld, &lists->object.members[i], &cap);
}

/* Fix slots of new lists: those that replaced an existing name kept it, the
 * others were numbered in staging order, which is the order they are added. */
static void number_new_lists(struct loader *ld)
{
	size_t i;
	int next = (int)ld->rs->nlists;

	for (i = 0; i < ld->nlists; i++)
		if (ld->lists[i].slot >= (int)ld->rs->nlists)
			ld->lists[i].slot = next++;
}

/* ---- rules */

static bool check_message(struct loader *ld, const struct json_value *v, int ev)
{
	const char *s = v->string.s;
	bool ok = true;
	size_t n;
	int id;

	for (; *s; s++) {
		n = placeholder_length(s);
		if (!n)
			continue;
		id = field_id_n(s + 1, n - 2);
		if (id == FIELD_UNKNOWN || (ev >= 0 && !field_served(id, (enum rule_event)ev))) {
			report_at(ld, v, "message placeholder %.*s is not a field of \"%s\" events",
				  (int)n, s, ev >= 0 ? event_names[ev] : "?");
			ok = false;
		}
		s += n - 1;
	}
	return ok;
}

static bool parse_tags(struct loader *ld, const struct json_value *v, struct rule *r)
{
	size_t i;

	if (v->type != JSON_ARRAY) {
		report_at(ld, v, "\"tags\" must be an array of strings, not %s",
			  json_type_name(v->type));
		return false;
	}
	r->tags = calloc(v->array.n ? v->array.n : 1, sizeof(*r->tags));
	if (!r->tags) {
		report_at(ld, v, "out of memory");
		return false;
	}
	for (i = 0; i < v->array.n; i++) {
		r->tags[r->ntags] = dup_string(ld, v->array.items[i], "a tag");
		if (!r->tags[r->ntags])
			return false;
		if (!*r->tags[r->ntags++]) {
			report_at(ld, v->array.items[i], "a tag must not be empty");
			return false;
		}
	}
	return true;
}

static int parse_enum(struct loader *ld, const struct json_value *v, const char *what,
		      const char *const *names, size_t n, const char *expected)
{
	const char *s = want_string(ld, v, what);
	int i = s ? name_index(names, n, s) : -1;

	if (s && i < 0)
		report_at(ld, v, "unknown %s \"%s\" (expected %s)", what, show(s).s, expected);
	return i;
}

/* Fields every rule object may carry, complete or partial. */
static unsigned parse_rule_common(struct loader *ld, const struct json_value *obj, struct rule *r,
				  int ev)
{
	const struct json_value *v;
	unsigned set = 0;
	int sev;

	if ((v = json_object_get(obj, "name")) && (r->name = dup_string(ld, v, "\"name\"")))
		set |= SET_NAME;
	if ((v = json_object_get(obj, "description")) &&
	    (r->description = dup_string(ld, v, "\"description\"")))
		set |= SET_DESCRIPTION;
	if ((v = json_object_get(obj, "severity"))) {
		sev = parse_enum(ld, v, "severity", severity_names, 5,
				 "info, low, medium, high, critical");
		r->severity = sev >= 0 ? (enum rule_severity)sev : SEV_INFO;
		set |= sev >= 0 ? SET_SEVERITY : 0;
	}
	if ((v = json_object_get(obj, "enabled"))) {
		if (json_get_bool(v, &r->enabled))
			set |= SET_ENABLED;
		else
			report_at(ld, v, "\"enabled\" must be true or false");
	}
	if ((v = json_object_get(obj, "message")) &&
	    (r->message = dup_string(ld, v, "\"message\"")) && check_message(ld, v, ev))
		set |= SET_MESSAGE;
	if ((v = json_object_get(obj, "tags")) && parse_tags(ld, v, r))
		set |= SET_TAGS;
	return set;
}

static bool set_origin(struct loader *ld, struct rule *r, const struct json_value *obj)
{
	size_t n = strlen(ld->name) + 24;

	r->origin = malloc(n);
	if (!r->origin) {
		report_at(ld, obj, "out of memory");
		return false;
	}
	snprintf(r->origin, n, "%s:%d", ld->name, obj->line);
	return true;
}

static void require_key(struct loader *ld, const struct json_value *obj, const char *key,
			const char *id)
{
	if (!json_object_get(obj, key))
		report_at(ld, obj, "rule \"%s\" needs \"%s\"", id, key);
}

/* A rule with a "condition": every field is defined here. */
static void parse_complete_rule(struct loader *ld, const struct json_value *obj, struct rule *r)
{
	const struct json_value *ev = json_object_get(obj, "event");
	const struct json_value *cond = json_object_get(obj, "condition");
	int e = -1;

	require_key(ld, obj, "event", r->id);
	require_key(ld, obj, "severity", r->id);
	require_key(ld, obj, "message", r->id);
	if (ev)
		e = parse_enum(ld, ev, "event", event_names, RULE_EV_COUNT,
			       "exec, open, listen, connect");
	r->event = e >= 0 ? (enum rule_event)e : RULE_EV_EXEC;
	r->enabled = true;
	parse_rule_common(ld, obj, r, e);
	r->cond = parse_cond(ld, cond, e);
	if (!r->name)
		r->name = strdup(r->id);
	if (!r->name)
		report_at(ld, obj, "out of memory");
}

/* A rule without "condition" adjusts an earlier rule with the same id. */
static void parse_partial_rule(struct loader *ld, const struct json_value *obj,
			       struct staged_rule *sr)
{
	const struct json_value *ev = json_object_get(obj, "event");

	if (sr->target < 0) {
		report_at(ld, obj,
			  "rule \"%s\" has no \"condition\" and no earlier file defines this id",
			  sr->rule->id);
		return;
	}
	if (ev)
		report_at(ld, ev, "\"event\" can only change together with \"condition\"");
	sr->partial = true;
	sr->set = parse_rule_common(ld, obj, sr->rule, (int)ld->rs->rules[sr->target]->event);
}

static const char *parse_rule_id(struct loader *ld, const struct json_value *obj)
{
	const struct json_value *v = json_object_get(obj, "id");
	const char *id;

	if (!v) {
		report_at(ld, obj, "rule needs an \"id\"");
		return NULL;
	}
	id = want_string(ld, v, "\"id\"");
	if (id && !valid_name(id)) {
		report_at(ld, v, "invalid rule id (use 1-%d letters, digits, '.', '_', '-', ':')",
			  RULE_ID_MAX);
		return NULL;
	}
	return id;
}

static bool id_seen_in_document(struct loader *ld, const char *id, const struct json_value *at)
{
	size_t i;

	for (i = 0; i < ld->nrules; i++) {
		const struct json_member *m = ld->rules[i].id_member;

		if (!strcmp(ld->rules[i].rule->id, id)) {
			report_at(ld, at, "duplicate rule id \"%s\" (first at %d:%d)", id,
				  m->value->line, m->value->col);
			return true;
		}
	}
	return false;
}

static void load_rule(struct loader *ld, const struct json_value *obj)
{
	static const char *const keys[] = {"id",       "name",	  "description", "event",
					   "severity", "enabled", "condition",	 "message",
					   "tags",     NULL};
	struct staged_rule sr = {0};
	const char *id;

	if (obj->type != JSON_OBJECT) {
		report_at(ld, obj, "a rule must be an object, not %s", json_type_name(obj->type));
		return;
	}
	check_keys(ld, obj, "a rule", keys,
		   "id, name, description, event, severity, enabled, condition, message, tags");
	id = parse_rule_id(ld, obj);
	if (!id || id_seen_in_document(ld, id, json_object_get(obj, "id")))
		return;
	sr.rule = calloc(1, sizeof(*sr.rule));
	if (!sr.rule || !(sr.rule->id = strdup(id)) || !set_origin(ld, sr.rule, obj)) {
		report_at(ld, obj, "out of memory");
		rule_free(sr.rule);
		return;
	}
	sr.target = rule_index(ld->rs, id);
	sr.id_member = json_object_member(obj, "id");
	if (json_object_get(obj, "condition"))
		parse_complete_rule(ld, obj, sr.rule);
	else
		parse_partial_rule(ld, obj, &sr);
	/* Stage even a rule with errors, so that later duplicates are still found. */
	ld->rules[ld->nrules++] = sr;
}

static void load_rules(struct loader *ld, const struct json_value *rules)
{
	size_t i;

	if (rules->type != JSON_ARRAY) {
		report_at(ld, rules, "\"rules\" must be an array, not %s",
			  json_type_name(rules->type));
		return;
	}
	ld->rules = calloc(rules->array.n ? rules->array.n : 1, sizeof(*ld->rules));
	if (!ld->rules) {
		report_at(ld, rules, "out of memory");
		return;
	}
	for (i = 0; i < rules->array.n; i++)
		load_rule(ld, rules->array.items[i]);
}

/* ---- lists replaced under existing rules */

/* Does a compiled condition compare list `slot` with a field of the wrong
 * type for the list's new kind? Returns the field at fault or NULL. */
static const struct field_def *cond_list_conflict(const struct cond *c, int slot,
						  enum list_kind kind)
{
	const struct field_def *f;
	size_t i;

	for (i = 0; i < c->nkids; i++)
		if ((f = cond_list_conflict(c->kids[i], slot, kind)))
			return f;
	if (c->kind != COND_LEAF || c->list != slot)
		return NULL;
	return list_fits_field(kind, leaf_field(c)) ? NULL : leaf_field(c);
}

static bool rule_replaced_here(const struct loader *ld, size_t idx)
{
	size_t i;

	for (i = 0; i < ld->nrules; i++)
		if (ld->rules[i].target == (int)idx && !ld->rules[i].partial)
			return true;
	return false;
}

/* An earlier file's rule may use a list this document redefines. */
static void check_replaced_lists(struct loader *ld)
{
	const struct field_def *f;
	size_t i, k;

	for (i = 0; i < ld->nlists; i++) {
		const struct staged_list *sl = &ld->lists[i];

		if (sl->slot >= (int)ld->rs->nlists)
			continue;
		for (k = 0; k < ld->rs->nrules; k++) {
			const struct rule *r = ld->rs->rules[k];

			if (rule_replaced_here(ld, k) || !r->cond ||
			    !(f = cond_list_conflict(r->cond, sl->slot, sl->list->kind)))
				continue;
			report(ld, sl->line, sl->col,
			       "list \"%s\" now holds %s but rule \"%s\" (%s) compares it with "
			       "%s field \"%s\"",
			       sl->list->name, sl->list->kind == LIST_STR ? "strings" : "integers",
			       r->id, r->origin, field_type_name(f->type), f->name);
		}
	}
}

/* ---- commit */

static bool reserve(void **arr, size_t *cap, size_t need, size_t size)
{
	size_t ncap = *cap ? *cap : 8;
	void *a;

	while (ncap < need)
		ncap *= 2;
	if (ncap == *cap)
		return true;
	a = realloc(*arr, ncap * size);
	if (!a)
		return false;
	*arr = a;
	*cap = ncap;
	return true;
}

static void apply_partial(struct rule *dst, struct staged_rule *sr)
{
	struct rule *src = sr->rule;

#define TAKE(flag, field)                                                                          \
	do {                                                                                       \
		if (sr->set & (flag)) {                                                            \
			free(dst->field);                                                          \
			dst->field = src->field;                                                   \
			src->field = NULL;                                                         \
		}                                                                                  \
	} while (0)
	TAKE(SET_NAME, name);
	TAKE(SET_DESCRIPTION, description);
	TAKE(SET_MESSAGE, message);
#undef TAKE
	if (sr->set & SET_SEVERITY)
		dst->severity = src->severity;
	if (sr->set & SET_ENABLED)
		dst->enabled = src->enabled;
	if (sr->set & SET_TAGS) {
		tags_free(dst->tags, dst->ntags);
		dst->tags = src->tags;
		dst->ntags = src->ntags;
		src->tags = NULL;
		src->ntags = 0;
	}
	rule_free(src);
	sr->rule = NULL;
}

/* Move the staged lists and rules into the ruleset. Cannot fail once the
 * arrays are reserved, so the ruleset is never left half-merged. */
static int commit(struct loader *ld)
{
	struct ruleset *rs = ld->rs;
	size_t i;

	if (!reserve((void **)&rs->lists, &rs->lists_cap, rs->nlists + ld->nlists,
		     sizeof(*rs->lists)) ||
	    !reserve((void **)&rs->rules, &rs->rules_cap, rs->nrules + ld->nrules,
		     sizeof(*rs->rules)))
		return -1;
	for (i = 0; i < ld->nlists; i++) {
		struct staged_list *sl = &ld->lists[i];

		if (sl->slot < (int)rs->nlists)
			list_free(rs->lists[sl->slot]);
		else
			rs->nlists++;
		rs->lists[sl->slot] = sl->list;
		sl->list = NULL;
	}
	for (i = 0; i < ld->nrules; i++) {
		struct staged_rule *sr = &ld->rules[i];

		if (sr->partial) {
			apply_partial(rs->rules[sr->target], sr);
			continue;
		}
		if (sr->target >= 0) {
			rule_free(rs->rules[sr->target]);
			rs->rules[sr->target] = sr->rule;
		} else {
			rs->rules[rs->nrules++] = sr->rule;
		}
		sr->rule = NULL;
	}
	ruleset_plan_globs(rs);
	return 0;
}

static void loader_free(struct loader *ld)
{
	size_t i;

	for (i = 0; i < ld->nlists; i++)
		list_free(ld->lists[i].list);
	for (i = 0; i < ld->nrules; i++)
		rule_free(ld->rules[i].rule);
	free(ld->lists);
	free(ld->rules);
}

static void load_document(struct loader *ld, const struct json_value *doc)
{
	static const char *const keys[] = {"version", "lists", "rules", NULL};
	const struct json_value *v;
	int64_t version;

	if (doc->type != JSON_OBJECT) {
		report_at(ld, doc, "a rule file must be an object, not %s",
			  json_type_name(doc->type));
		return;
	}
	check_keys(ld, doc, "the rule file", keys, "version, lists, rules");
	v = json_object_get(doc, "version");
	if (!v)
		report_at(ld, doc, "missing \"version\" (this mcpwatch reads version 1)");
	else if (!json_get_int(v, &version) || version != 1)
		report_at(ld, v, "unsupported \"version\" (this mcpwatch reads version 1)");
	if ((v = json_object_get(doc, "lists")))
		load_lists(ld, v);
	number_new_lists(ld);
	if ((v = json_object_get(doc, "rules")))
		load_rules(ld, v);
	check_replaced_lists(ld);
}

int ruleset_load_buffer(struct ruleset *rs, const char *name, const char *buf, size_t len,
			struct diag *diag)
{
	struct loader ld = {.rs = rs, .name = name ? name : "<rules>", .diag = diag};
	struct json_error err;
	struct json_value *doc;
	struct diag quiet;
	int rc = -1;

	if (!rs)
		return -1;
	ld.diag = diag_or_quiet(diag, &quiet);
	ld.base = ld.diag->count;
	doc = json_parse(buf, len, &err);
	if (!doc) {
		report(&ld, err.line, err.col, "%s", err.message);
		return -1;
	}
	load_document(&ld, doc);
	if (ld.diag->count == ld.base) {
		rc = commit(&ld);
		if (rc)
			report(&ld, 1, 1, "out of memory");
	}
	loader_free(&ld);
	json_free(doc);
	return rc;
}

static int load_rules_buffer(void *rs, const char *name, const char *buf, size_t len,
			     struct diag *diag)
{
	return ruleset_load_buffer(rs, name, buf, len, diag);
}

int ruleset_load_file(struct ruleset *rs, const char *path, struct diag *diag)
{
	return rs ? json_load_file(path, RULES_FILE_MAX, diag, load_rules_buffer, rs) : -1;
}

int ruleset_load_defaults(struct ruleset *rs, struct diag *diag)
{
	return ruleset_load_buffer(rs, "<embedded>/default.json", mw_default_rules,
				   mw_default_rules_len, diag);
}
