/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * field_value: the shapes every part of detect shares about one event's
 * fields — the rule event kinds, a field's type and value, and the
 * field_source through which an event serves values by catalogue id. Only
 * declarations, so that evctx (which fills events) and fields (whose
 * getters read them) can both use them without including each other.
 */
#ifndef MCPWATCH_FIELD_VALUE_H
#define MCPWATCH_FIELD_VALUE_H

#include <stdint.h>

enum rule_event {
	RULE_EV_EXEC,
	RULE_EV_OPEN,
	RULE_EV_LISTEN,
	RULE_EV_CONNECT,
	RULE_EV_TOOL_CALL,   /* a server read an MCP request (tool-call tap) */
	RULE_EV_TOOL_RESULT, /* it answered it, or went away without answering */
	RULE_EV_URING,	     /* a process set up an io_uring instance */
	RULE_EV_COUNT
};

enum field_type { FV_NONE, FV_STR, FV_INT, FV_BOOL };

struct field_value {
	enum field_type type;
	const char *s; /* FV_STR */
	int64_t i;     /* FV_INT, FV_BOOL (0/1) */
};

/* The caller's event: get() fills *out for the field with catalogue id
 * `field` (detect/fields.h), or sets FV_NONE. */
struct field_source {
	void (*get)(const void *ctx, int field, struct field_value *out);
	const void *ctx;
};

#endif /* MCPWATCH_FIELD_VALUE_H */
