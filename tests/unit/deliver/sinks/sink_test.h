/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * What the sink tests share: opening a sink as mcpwatch does — its config
 * object checked against the sink's key table first (the configuration
 * loader's job), then open() — with the errors of either in err.
 */
#ifndef MCPWATCH_SINK_TEST_H
#define MCPWATCH_SINK_TEST_H

#include <stdio.h>
#include <string.h>

#include "lib/json.h"
#include "deliver/sinks/sink.h"
#include "diagto.h"

/* The framework's keys these tests use (config.c has the real list). */
static inline bool sink_test_common_key(const char *key)
{
	return strcmp(key, "type") == 0 || strcmp(key, "name") == 0 || strcmp(key, "format") == 0;
}

static inline int checked_open(struct sink *s, const struct json_value *cfg, const char *file,
			       char *err, size_t errlen)
{
	FILE *diag = fmemopen(err, errlen, "w");
	int bad = sink_config_check(s->ops, cfg, sink_test_common_key, file, diag_to(diag));
	size_t n;

	fclose(diag);
	err[errlen - 1] = '\0';
	n = strlen(err);
	if (bad) {
		if (n && err[n - 1] == '\n')
			err[n - 1] = '\0';
		return -1;
	}
	err[0] = '\0';
	return s->ops->open(s, cfg, file, err, errlen);
}

#endif /* MCPWATCH_SINK_TEST_H */
