/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * rules_int: what the parts of the rules module share and nobody else sees —
 * the compiled condition tree, the ruleset's arrays, and the loader that
 * rules_load.c (documents, lists, rules, merging) and rules_cond.c
 * (conditions) fill together. rules_data.c owns the data, rules_eval.c matching.
 */
#ifndef MCPWATCH_RULES_INT_H
#define MCPWATCH_RULES_INT_H

#include "lib/glob.h"

#include "detect/rules.h"
#include "lib/json.h"

#define RULES_FILE_MAX (4u << 20)
#define RULE_ID_MAX    128

extern const char *const severity_names[];
extern const char *const event_names[]; /* fields.c */
int name_index(const char *const *names, size_t n, const char *s);

enum cond_kind { COND_ALL, COND_ANY, COND_NOT, COND_LEAF };

enum cond_op {
	OP_EQ,
	OP_NE,
	OP_IN,
	OP_GLOB,
	OP_PREFIX,
	OP_SUFFIX,
	OP_CONTAINS,
	OP_ICONTAINS, /* contains, ASCII letters compared without case */
	OP_GT,
	OP_GE,
	OP_LT,
	OP_LE,
	OP_EXISTS,
	OP_COUNT,
};

/* Operand values: strings or integers (booleans are 0/1). */
struct operands {
	char **strs;
	int64_t *ints;
	size_t n;
	struct glob_plan *plans; /* per string, when a glob leaf uses them; may be NULL */
};

struct cond {
	enum cond_kind kind;
	struct cond **kids; /* all, any: nkids >= 1; not: exactly 1 */
	size_t nkids;
	int field; /* leaf: id in the field catalogue */
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

/* The catalogue entry of a leaf's field (compiled to an id at load). */
static inline const struct field_def *leaf_field(const struct cond *c)
{
	return field_at(c->field);
}

/* Can a list of this kind be compared with field f? (An empty list can.) */
static inline bool list_fits_field(enum list_kind kind, const struct field_def *f)
{
	return !(kind == LIST_STR && f->type != FV_STR) && !(kind == LIST_INT && f->type != FV_INT);
}

void cond_free(struct cond *c);
void list_free(struct rule_list *l);
void tags_free(char **tags, size_t n);
void rule_free(struct rule *r);
int rule_index(const struct ruleset *rs, const char *id);
int list_index(const struct ruleset *rs, const char *name);

/* Message placeholders "{field.name}" (rule_render_message, validation). */
bool is_field_char(char c);
size_t placeholder_length(const char *s);

/* ---- the loader of one document (rules_load.c, rules_cond.c) */

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
	struct diag *diag;
	unsigned base; /* diag->count when this load started */
	struct staged_list *lists;
	size_t nlists;
	struct staged_rule *rules;
	size_t nrules;
};
void report(struct loader *ld, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define report_at(ld, v, ...) report(ld, (v)->line, (v)->col, __VA_ARGS__)
const char *want_string(struct loader *ld, const struct json_value *v, const char *what);
char *dup_string(struct loader *ld, const struct json_value *v, const char *what);
bool want_nonempty_array(struct loader *ld, const struct json_value *v, const char *what);
void check_keys(struct loader *ld, const struct json_value *obj, const char *where,
		const char *const *allowed, const char *expected);

/* A user-supplied name made safe for a one-line message (see json.h). */
struct shown {
	char s[72];
};
struct shown show(const char *name);

/* Slot and kind of list `name` as it will be after this document. */
int resolve_list(const struct loader *ld, const char *name, enum list_kind *kind);
bool operands_reserve(struct operands *o, enum list_kind kind, size_t n);
/* Work out the glob plans of every glob leaf's operands (after a commit). */
void ruleset_plan_globs(struct ruleset *rs);
/* Compile a condition; ev < 0: the rule's event is unknown. NULL on error. */
struct cond *parse_cond(struct loader *ld, const struct json_value *v, int ev);

#endif /* MCPWATCH_RULES_INT_H */
