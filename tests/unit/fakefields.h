/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Test helper: a fake event for the rules engine — a small table of field
 * values by name, served by catalogue id through a struct field_source.
 */
#ifndef MCPWATCH_TEST_FAKEFIELDS_H
#define MCPWATCH_TEST_FAKEFIELDS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "detect/rules.h"

struct fake_field {
	const char *name;
	struct field_value v;
};

struct fake_event {
	struct fake_field f[24];
	int n;
};

static inline void fake_get(const void *ctx, int field, struct field_value *out)
{
	const struct fake_event *e = ctx;
	const struct field_def *def = field_at(field);

	out->type = FV_NONE;
	for (int i = 0; def && i < e->n; i++)
		if (!strcmp(e->f[i].name, def->name))
			*out = e->f[i].v;
}

static inline void set_str(struct fake_event *e, const char *name, const char *s)
{
	assert_true(e->n < 24);
	e->f[e->n++] = (struct fake_field){name, {FV_STR, s, 0}};
}

static inline void set_int(struct fake_event *e, const char *name, int64_t i)
{
	assert_true(e->n < 24);
	e->f[e->n++] = (struct fake_field){name, {FV_INT, NULL, i}};
}

static inline void set_bool(struct fake_event *e, const char *name, bool b)
{
	assert_true(e->n < 24);
	e->f[e->n++] = (struct fake_field){name, {FV_BOOL, NULL, b}};
}

#endif /* MCPWATCH_TEST_FAKEFIELDS_H */
