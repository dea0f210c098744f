/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * fields: owns the one catalogue of event fields — for each field its name
 * ("process.exe"), type, the rule events that serve it, the getter that
 * reads it from a struct evctx, and a line of description. Rules compile
 * field names into ids (indexes into the catalogue) at load and fetch values
 * by id; docs/rules.md lists the same fields (tests/unit/detect/test_fields.c
 * keeps the two equal); `mcpwatch rules fields` prints the catalogue.
 */
#ifndef MCPWATCH_FIELDS_H
#define MCPWATCH_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "detect/field_value.h"

struct evctx;

#define FIELD_EV(e)   (1u << (e))
#define FIELD_EV_ALL  (FIELD_EV(RULE_EV_COUNT) - 1)
#define FIELD_UNKNOWN (-1)

struct field_def {
	const char *name;
	enum field_type type;
	unsigned events; /* FIELD_EV() of each rule event that serves it */
	/* Fills *out, or leaves FV_NONE when this event lacks the value. */
	void (*get)(const struct evctx *c, struct field_value *out);
	const char *doc; /* one line, as in docs/rules.md */
};

/* Ids are 0 .. field_count() - 1. */
size_t field_count(void);
/* The field with id `id`, or NULL when there is none. */
const struct field_def *field_at(int id);
/* The id of the field called name (first n bytes), or FIELD_UNKNOWN. */
int field_id_n(const char *name, size_t n);
int field_id(const char *name);
/* Do events of kind ev serve field id? */
bool field_served(int id, enum rule_event ev);

const char *rule_event_name(enum rule_event e); /* "exec", ... */
const char *field_type_name(enum field_type t); /* "string", "integer", ... */
/* "open" or "listen, connect": the events of a FIELD_EV mask. */
void field_events_text(unsigned events, char *out, size_t outlen);

/* By name: is `field` a field events of kind ev serve, and its type (or FV_NONE). */
bool rule_field_known(enum rule_event ev, const char *field);
enum field_type rule_field_type(enum rule_event ev, const char *field);

/* The catalogue serves struct evctx: a field_source getter (ctx is a
 * struct evctx) that leaves FV_NONE for fields its kind does not carry. */
void evctx_get_field(const void *ctx, int field, struct field_value *out);

static inline struct field_source evctx_source(const struct evctx *c)
{
	struct field_source s = {evctx_get_field, c};
	return s;
}

/* The catalogue as a table, one field a line (mcpwatch rules fields). */
void field_catalogue_print(FILE *out);

#endif /* MCPWATCH_FIELDS_H */
