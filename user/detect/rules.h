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

#include "detect/field_value.h"
#include "detect/fields.h"

enum rule_severity { SEV_INFO, SEV_LOW, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL };

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

/* Diagnostics go to a struct diag (lib/diag.h): one line each,
 * "FILE:LINE:COLUMN: what is wrong"; diag->count counts them. */
struct diag;

struct ruleset *ruleset_new(void);
void ruleset_free(struct ruleset *rs);
/* Parse one rule document and merge it in. Returns 0 or -1 (diag filled).
 * On error the ruleset is left as it was before the call. */
int ruleset_load_buffer(struct ruleset *rs, const char *name, const char *buf, size_t len,
			struct diag *diag);
int ruleset_load_file(struct ruleset *rs, const char *path, struct diag *diag);

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
/* Merge the embedded default rules (name "<embedded>/default.json"). */
int ruleset_load_defaults(struct ruleset *rs, struct diag *diag);

/* The default rules embedded in the binary (deploy/rules/default.json). */
extern const char mw_default_rules[];
extern const size_t mw_default_rules_len;

#endif /* MCPWATCH_RULES_H */
