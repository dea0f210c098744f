// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Rules: loading (JSON via json.c, which keeps positions), validation,
 * merging and evaluation. The format is described in docs/rules.md.
 *
 * Loading is staged: a document is parsed and checked completely into a
 * struct loader, and only when it has no error is it merged into the
 * ruleset, so a bad file never leaves half its rules behind. Conditions are
 * compiled at load: field names resolve to entries of field_table, list
 * names to slots of the ruleset's list table (slots are stable, so a later
 * file that replaces or extends a list changes what earlier rules match).
 * Evaluation walks the compiled tree and never allocates.
 */
#include "detect/rules.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/glob.h"
#include "lib/json.h"

#define RULES_FILE_MAX (4u << 20)
#define RULE_ID_MAX    128

/* ------------------------------------------------------------------ fields */

#define EV_BIT(e) (1u << (e))
#define EV_ALL                                                                                     \
	(EV_BIT(RULE_EV_EXEC) | EV_BIT(RULE_EV_OPEN) | EV_BIT(RULE_EV_LISTEN) |                    \
	 EV_BIT(RULE_EV_CONNECT))
#define EV_NET (EV_BIT(RULE_EV_LISTEN) | EV_BIT(RULE_EV_CONNECT))

struct field_def {
	const char *name;
	enum field_type type;
	unsigned events; /* EV_BIT mask */
};

static const struct field_def field_table[] = {
    {"process.pid", FV_INT, EV_ALL},
    {"process.ppid", FV_INT, EV_ALL},
    {"process.uid", FV_INT, EV_ALL},
    {"process.exe", FV_STR, EV_ALL},
    {"process.name", FV_STR, EV_ALL},
    {"process.argv0_name", FV_STR, EV_ALL},
    {"process.cmdline", FV_STR, EV_ALL},
    {"process.comm", FV_STR, EV_ALL},
    {"process.parent.exe", FV_STR, EV_ALL},
    {"process.parent.name", FV_STR, EV_ALL},
    {"process.parent.cmdline", FV_STR, EV_ALL},
    {"process.in_server_tree", FV_BOOL, EV_ALL},
    {"process.is_server", FV_BOOL, EV_ALL},
    {"process.is_launcher", FV_BOOL, EV_ALL},
    {"server.pid", FV_INT, EV_ALL},
    {"server.name", FV_STR, EV_ALL},
    {"server.cmdline", FV_STR, EV_ALL},
    {"server.transport", FV_STR, EV_ALL},
    {"container.id", FV_STR, EV_ALL},
    {"user.name", FV_STR, EV_ALL},
    {"file.path", FV_STR, EV_BIT(RULE_EV_OPEN)},
    {"file.name", FV_STR, EV_BIT(RULE_EV_OPEN)},
    {"file.flags", FV_INT, EV_BIT(RULE_EV_OPEN)},
    {"file.write", FV_BOOL, EV_BIT(RULE_EV_OPEN)},
    {"file.result", FV_INT, EV_BIT(RULE_EV_OPEN)},
    {"file.proc_other", FV_BOOL, EV_BIT(RULE_EV_OPEN)},
    {"network.local_addr", FV_STR, EV_BIT(RULE_EV_LISTEN)},
    {"network.local_port", FV_INT, EV_BIT(RULE_EV_LISTEN)},
    {"network.loopback", FV_BOOL, EV_BIT(RULE_EV_LISTEN)},
    {"network.tls", FV_BOOL, EV_BIT(RULE_EV_LISTEN)},
    {"network.remote_addr", FV_STR, EV_BIT(RULE_EV_CONNECT)},
    {"network.remote_port", FV_INT, EV_BIT(RULE_EV_CONNECT)},
    {"network.family", FV_STR, EV_NET},
    {"network.transport", FV_STR, EV_NET},
};

#define NFIELDS (sizeof(field_table) / sizeof(field_table[0]))

static const struct field_def *field_lookup_n(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < NFIELDS; i++)
		if (strlen(field_table[i].name) == n && !memcmp(field_table[i].name, name, n))
			return &field_table[i];
	return NULL;
}

static const struct field_def *field_lookup(const char *name)
{
	return field_lookup_n(name, strlen(name));
}

bool rule_field_known(enum rule_event ev, const char *field)
{
	const struct field_def *f = field ? field_lookup(field) : NULL;

	return f && (unsigned)ev < RULE_EV_COUNT && (f->events & EV_BIT(ev));
}

enum field_type rule_field_type(enum rule_event ev, const char *field)
{
	return rule_field_known(ev, field) ? field_lookup(field)->type : FV_NONE;
}

static const char *field_type_name(enum field_type t)
{
	switch (t) {
	case FV_STR:
		return "string";
	case FV_INT:
		return "integer";
	case FV_BOOL:
		return "boolean";
	default:
		return "none";
	}
}

/* ------------------------------------------------------------------ names */

static const char *const severity_names[] = {"info", "low", "medium", "high", "critical"};
static const char *const event_names[] = {"exec", "open", "listen", "connect"};

const char *rule_severity_name(enum rule_severity s)
{
	return (unsigned)s <= SEV_CRITICAL ? severity_names[s] : "?";
}

const char *rule_event_name(enum rule_event e)
{
	return (unsigned)e < RULE_EV_COUNT ? event_names[e] : "?";
}

static int name_index(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		if (!strcmp(names[i], s))
			return (int)i;
	return -1;
}

/* ------------------------------------------------------------------ data */

enum cond_kind { COND_ALL, COND_ANY, COND_NOT, COND_LEAF };

enum cond_op {
	OP_EQ,
	OP_NE,
	OP_IN,
	OP_GLOB,
	OP_PREFIX,
	OP_SUFFIX,
	OP_CONTAINS,
	OP_GT,
	OP_GE,
	OP_LT,
	OP_LE,
	OP_EXISTS,
	OP_COUNT,
};

static const char *const op_names[] = {"eq",	   "ne", "in", "glob", "prefix", "suffix",
				       "contains", "gt", "ge", "lt",   "le",	 "exists"};

/* Operand values: strings or integers (booleans are 0/1). */
struct operands {
	char **strs;
	int64_t *ints;
	size_t n;
};

struct cond {
	enum cond_kind kind;
	struct cond **kids; /* all, any: nkids >= 1; not: exactly 1 */
	size_t nkids;
	const struct field_def *field; /* leaf */
	enum cond_op op;
	int list; /* slot in ruleset->lists, or -1: operands are inline */
	struct operands inl;
};

enum list_kind { LIST_EMPTY, LIST_STR, LIST_INT };

struct rule_list {
	char *name;
	enum list_kind kind;
	struct operands items;
};

struct ruleset {
	struct rule **rules;
	size_t nrules, rules_cap;
	struct rule_list **lists;
	size_t nlists, lists_cap;
};

static void operands_free(struct operands *o)
{
	size_t i;

	if (o->strs)
		for (i = 0; i < o->n; i++)
			free(o->strs[i]);
	free(o->strs);
	free(o->ints);
	memset(o, 0, sizeof(*o));
}

static void cond_free(struct cond *c)
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

static void list_free(struct rule_list *l)
{
	if (!l)
		return;
	free(l->name);
	operands_free(&l->items);
	free(l);
}

static void tags_free(char **tags, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(tags[i]);
	free(tags);
}

static void rule_free(struct rule *r)
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

static int rule_index(const struct ruleset *rs, const char *id)
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

static int list_index(const struct ruleset *rs, const char *name)
{
	size_t i;

	for (i = 0; i < rs->nlists; i++)
		if (!strcmp(rs->lists[i]->name, name))
			return (int)i;
	return -1;
}

/* ------------------------------------------------------------------ matching */

static bool str_op_match(enum cond_op op, const char *v, const char *pat)
{
	size_t vl, pl;

	switch (op) {
	case OP_EQ:
	case OP_NE:
	case OP_IN:
		return !strcmp(v, pat);
	case OP_GLOB:
		return glob_match(pat, v);
	case OP_PREFIX:
		return !strncmp(v, pat, strlen(pat));
	case OP_SUFFIX:
		vl = strlen(v);
		pl = strlen(pat);
		return vl >= pl && !memcmp(v + vl - pl, pat, pl);
	case OP_CONTAINS:
		return strstr(v, pat) != NULL;
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
	bool hit = false;
	size_t i;

	for (i = 0; i < o->n && !hit; i++) {
		if (v->type == FV_STR)
			hit = o->strs && str_op_match(op, v->s, o->strs[i]);
		else
			hit = o->ints && int_op_match(op, v->i, o->ints[i]);
	}
	return op == OP_NE ? !hit : hit;
}

static bool leaf_eval(const struct ruleset *rs, const struct cond *c,
		      const struct field_source *src)
{
	struct field_value v = {.type = FV_NONE};
	const struct operands *o;

	src->get(src->ctx, c->field->name, &v);
	if (v.type == FV_STR && !v.s)
		v.type = FV_NONE;
	if (c->op == OP_EXISTS)
		return v.type != FV_NONE && !(v.type == FV_STR && !*v.s);
	/* A missing or mistyped value matches nothing; "not" handles absence. */
	if (v.type != c->field->type)
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

static bool is_field_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_';
}

/* If s starts a "{field.name}" placeholder, its length (braces included). */
static size_t placeholder_length(const char *s)
{
	size_t n = 1;

	if (*s != '{')
		return 0;
	while (is_field_char(s[n]))
		n++;
	return n > 1 && s[n] == '}' ? n + 1 : 0;
}

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
	const struct field_def *f = field_lookup_n(name, n);
	struct field_value v = {.type = FV_NONE};
	char num[24];

	if (f && src && src->get)
		src->get(src->ctx, f->name, &v);
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

/* ------------------------------------------------------------------ loading */

/* Which optional rule keys a document set (for partial overrides). */
enum {
	SET_NAME = 1 << 0,
	SET_DESCRIPTION = 1 << 1,
	SET_SEVERITY = 1 << 2,
	SET_ENABLED = 1 << 3,
	SET_MESSAGE = 1 << 4,
	SET_TAGS = 1 << 5,
};

struct staged_rule {
	struct rule *rule; /* complete rule, or the fields of a partial override */
	bool partial;
	unsigned set; /* SET_* for a partial override */
	int target;   /* index in rs->rules it replaces or patches, -1 = new */
	const struct json_member *id_member;
};

struct staged_list {
	struct rule_list *list; /* final contents (appends already merged) */
	int slot;		/* index in rs->lists it replaces, or where it will be added */
	int line, col;
};

struct loader {
	struct ruleset *rs;
	const char *name;
	struct rules_diag *diag;
	int errors;
	struct staged_list *lists;
	size_t nlists;
	struct staged_rule *rules;
	size_t nrules;
};

static void report(struct loader *ld, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void report(struct loader *ld, int line, int col, const char *fmt, ...)
{
	va_list ap;

	ld->errors++;
	if (ld->diag)
		ld->diag->errors++;
	if (!ld->diag || !ld->diag->out)
		return;
	fprintf(ld->diag->out, "%s:%d:%d: ", ld->name, line, col);
	va_start(ap, fmt);
	vfprintf(ld->diag->out, fmt, ap);
	va_end(ap);
	fputc('\n', ld->diag->out);
}

#define report_at(ld, v, ...) report(ld, (v)->line, (v)->col, __VA_ARGS__)

/* The value as a NUL-free string, or NULL with an error naming `what`. */
static const char *want_string(struct loader *ld, const struct json_value *v, const char *what)
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

static char *dup_string(struct loader *ld, const struct json_value *v, const char *what)
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
struct shown {
	char s[72];
};

static struct shown show(const char *name)
{
	struct shown out;

	json_quote_for_message(name, strlen(name), out.s, sizeof(out.s));
	return out;
}

static bool want_nonempty_array(struct loader *ld, const struct json_value *v, const char *what)
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
static void check_keys(struct loader *ld, const struct json_value *obj, const char *where,
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
static int resolve_list(const struct loader *ld, const char *name, enum list_kind *kind)
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

static bool operands_reserve(struct operands *o, enum list_kind kind, size_t n)
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

/* ---- conditions */

static struct cond *parse_cond(struct loader *ld, const struct json_value *v, int ev);

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
		ok = operand_fits(ld, items[i], c->field) && ok;
	if (!ok)
		return false;
	if (!operands_reserve(&c->inl, c->field->type == FV_STR ? LIST_STR : LIST_INT, n)) {
		report_at(ld, v, "out of memory");
		return false;
	}
	for (i = 0; i < n && ok; i++)
		ok = operand_store(ld, &c->inl, items[i], c->field);
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
	if ((kind == LIST_STR && c->field->type != FV_STR) ||
	    (kind == LIST_INT && c->field->type != FV_INT)) {
		report_at(ld, v, "list \"%s\" holds %s but field \"%s\" is %s", name,
			  kind == LIST_STR ? "strings" : "integers", c->field->name,
			  field_type_name(c->field->type));
		return false;
	}
	return true;
}

/* Which operand keys an op takes: 0 none, 1 "value" only, 2 any of three. */
static int op_operand_style(enum cond_op op)
{
	if (op == OP_EXISTS)
		return 0;
	if (op == OP_IN || op == OP_GLOB || op == OP_PREFIX || op == OP_SUFFIX || op == OP_CONTAINS)
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

static const struct field_def *parse_leaf_field(struct loader *ld, const struct json_value *v,
						int ev)
{
	const char *name = want_string(ld, v, "\"field\"");
	const struct field_def *f;

	if (!name)
		return NULL;
	f = field_lookup(name);
	if (!f) {
		report_at(ld, v, "unknown field \"%s\"", show(name).s);
		return NULL;
	}
	if (ev >= 0 && !(f->events & EV_BIT(ev))) {
		report_at(ld, v, "field \"%s\" is not available for \"%s\" events", name,
			  event_names[ev]);
		return NULL;
	}
	return f;
}

static int parse_leaf_op(struct loader *ld, const struct json_value *v)
{
	const char *name = want_string(ld, v, "\"op\"");
	int op = name ? name_index(op_names, OP_COUNT, name) : -1;

	if (name && op < 0)
		report_at(ld, v,
			  "unknown op \"%s\" (expected eq, ne, in, glob, prefix, suffix, "
			  "contains, gt, ge, lt, le, exists)",
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
	if (!c->field || opi < 0)
		goto fail;
	c->op = (enum cond_op)opi;
	if (!op_applies(c->op, c->field->type)) {
		report_at(ld, op, "op \"%s\" does not apply to %s field \"%s\"", op_names[c->op],
			  field_type_name(c->field->type), c->field->name);
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
static struct cond *parse_cond(struct loader *ld, const struct json_value *v, int ev)
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

/* ---- rules */

static bool check_message(struct loader *ld, const struct json_value *v, int ev)
{
	const char *s = v->string.s;
	bool ok = true;
	size_t n;

	for (; *s; s++) {
		n = placeholder_length(s);
		if (!n)
			continue;
		if (!field_lookup_n(s + 1, n - 2) ||
		    (ev >= 0 && !(field_lookup_n(s + 1, n - 2)->events & EV_BIT(ev)))) {
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
	if ((kind == LIST_STR && c->field->type != FV_STR) ||
	    (kind == LIST_INT && c->field->type != FV_INT))
		return c->field;
	return NULL;
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
			struct rules_diag *diag)
{
	struct loader ld = {.rs = rs, .name = name ? name : "<rules>", .diag = diag};
	struct json_error err;
	struct json_value *doc;
	int rc = -1;

	if (!rs)
		return -1;
	doc = json_parse(buf, len, &err);
	if (!doc) {
		report(&ld, err.line, err.col, "%s", err.message);
		return -1;
	}
	load_document(&ld, doc);
	if (!ld.errors) {
		rc = commit(&ld);
		if (rc)
			report(&ld, 1, 1, "out of memory");
	}
	loader_free(&ld);
	json_free(doc);
	return rc;
}

int ruleset_load_file(struct ruleset *rs, const char *path, struct rules_diag *diag)
{
	char why[128];
	size_t len = 0;
	char *buf;
	int rc;

	if (!rs || !path)
		return -1;
	buf = json_read_file(path, RULES_FILE_MAX, &len, why, sizeof(why));
	if (!buf) {
		if (diag)
			diag->errors++;
		if (diag && diag->out)
			fprintf(diag->out, "%s: %s\n", path, why);
		return -1;
	}
	rc = ruleset_load_buffer(rs, path, buf, len, diag);
	free(buf);
	return rc;
}

int ruleset_load_defaults(struct ruleset *rs, struct rules_diag *diag)
{
	return ruleset_load_buffer(rs, "<embedded>/default.json", mw_default_rules,
				   mw_default_rules_len, diag);
}
