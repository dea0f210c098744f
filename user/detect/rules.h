/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * rules: owns the rule file format (JSON: named lists, rules with an event
 * kind, a condition tree over event fields, severity, message template,
 * tags), loading and validation with FILE:LINE:COLUMN diagnostics, merging
 * of several files (later ids override earlier ones), and evaluation of a
 * ruleset against one event's fields. It knows nothing of BPF or processes:
 * the caller supplies fields through struct field_source.
 */
#ifndef MCPWATCH_RULES_H
#define MCPWATCH_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum rule_event { RULE_EV_EXEC, RULE_EV_OPEN, RULE_EV_LISTEN, RULE_EV_CONNECT, RULE_EV_COUNT };

enum rule_severity { SEV_INFO, SEV_LOW, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL };

enum field_type { FV_NONE, FV_STR, FV_INT, FV_BOOL };

struct field_value {
	enum field_type type;
	const char *s; /* FV_STR */
	int64_t i;     /* FV_INT, FV_BOOL (0/1) */
};

/* The caller's event: get() fills *out for a field name, or sets FV_NONE. */
struct field_source {
	void (*get)(const void *ctx, const char *field, struct field_value *out);
	const void *ctx;
};

struct rule {
	char *id; /* "mcp-shell-spawn" */
	char *name;
	char *description;
	enum rule_event event;
	enum rule_severity severity;
	char *message; /* template: "{process.exe} ..." */
	char **tags;
	size_t ntags;
	bool enabled;
	struct cond *cond; /* opaque condition tree */
	char *origin;	   /* "file:line" where it was defined */
};

struct ruleset;

/* Diagnostics: each error is one line "FILE:LINE:COLUMN: what is wrong". */
struct rules_diag {
	FILE *out; /* where lines go; NULL = count only */
	int errors;
};

struct ruleset *ruleset_new(void);
void ruleset_free(struct ruleset *rs);
/* Parse one rule document and merge it in. Returns 0 or -1 (diag filled).
 * On error the ruleset is left as it was before the call. */
int ruleset_load_buffer(struct ruleset *rs, const char *name, const char *buf, size_t len,
			struct rules_diag *diag);
int ruleset_load_file(struct ruleset *rs, const char *path, struct rules_diag *diag);

size_t ruleset_count(const struct ruleset *rs);
const struct rule *ruleset_get(const struct ruleset *rs, size_t i);
const struct rule *ruleset_find(const struct ruleset *rs, const char *id);

/* Call fn for each enabled rule of kind ev whose condition holds. */
typedef void (*rule_match_fn)(const struct rule *r, void *arg);
void ruleset_eval(const struct ruleset *rs, enum rule_event ev, const struct field_source *src,
		  rule_match_fn fn, void *arg);

/* Render r->message with {field} placeholders; unknown/empty fields render
 * as "?". Always NUL-terminates; returns the length written. */
size_t rule_render_message(const struct rule *r, const struct field_source *src, char *out,
			   size_t outlen);

const char *rule_severity_name(enum rule_severity s);
const char *rule_event_name(enum rule_event e);
/* Is `field` a field events of kind ev carry? (used by validation) */
bool rule_field_known(enum rule_event ev, const char *field);

/* Type of `field` for events of kind ev; FV_NONE when ev has no such field. */
enum field_type rule_field_type(enum rule_event ev, const char *field);
/* Merge the embedded default rules (name "<embedded>/default.json"). */
int ruleset_load_defaults(struct ruleset *rs, struct rules_diag *diag);

/* The default rules embedded in the binary (deploy/rules/default.json). */
extern const char mw_default_rules[];
extern const size_t mw_default_rules_len;

#endif /* MCPWATCH_RULES_H */
