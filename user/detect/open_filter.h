/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * open_filter: owns the derivation of the kernel's open filter from the
 * rules — the set of path-component tests (sensor_set_open_filter) that
 * every path some enabled open rule can match passes — and the model of
 * that kernel test, for the tests.
 *
 * Sound by construction: a glob in this dialect lets '*' match '/', so only
 * a literal run bounded by '/' (or by the pattern's ends) names a whole
 * component: a pattern ending in "/.aws/credentials" needs a component
 * ".aws" and a last component "credentials"; one ending in "/.env.*" a
 * component starting with ".env.".
 * Conditions combine them: all → one child's tests, any → the union, not →
 * none (every path). One rule whose open condition yields none turns the
 * filter off: every open is sent, as without it.
 */
#ifndef MCPWATCH_OPEN_FILTER_H
#define MCPWATCH_OPEN_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "detect/rules.h"
#include "sense/sensor.h"

struct open_filter {
	bool on;		     /* false: every open must be sent */
	const struct rule *why;	     /* !on: a rule that needs every open (NULL: too many tests) */
	struct sensor_name_match *m; /* on: the tests, names owned */
	size_t n;
};

/* Fills f from the enabled open rules of rs. 0, or -ENOMEM (f is then off). */
int open_filter_derive(const struct ruleset *rs, struct open_filter *f);
void open_filter_free(struct open_filter *f);

/*
 * The one test a pattern gives: 1 and *out (name in buf, of buflen bytes),
 * or 0 when the pattern constrains no component. glob: pattern is in the
 * lib/glob.h dialect; else it is a literal that must be the whole string.
 * Names are cut as the kernel cuts them (sensor_name_key).
 */
int open_filter_pattern(const char *pattern, bool glob, struct sensor_name_match *out, char *buf,
			size_t buflen);

/* Would the kernel send a successful open of path (absolute, normalised)? */
bool open_filter_admits(const struct open_filter *f, const char *path);

#endif /* MCPWATCH_OPEN_FILTER_H */
