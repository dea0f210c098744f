// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Fuzz the "outputs", "spool_dir" and "redaction" keys: the config loader,
 * then, when every output is local (stdout, file: built with MW_FUZZING
 * the file sink opens no file), the outputs themselves with each sink's
 * own keys. No crash, no leak; a loaded config has a unique name and a
 * known type for every output, and values in range.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "deliver/output.h"
#include "deliver/sinks/sink.h"

static void check_outputs(const struct config *c)
{
	for (size_t i = 0; i < c->noutputs; i++) {
		const struct config_output *o = &c->outputs[i];

		if (!o->type || !o->name || !sink_ops_find(o->type) || strchr(o->name, '/') ||
		    o->batch_max_records < 1 || o->retry_max_ms < o->retry_initial_ms ||
		    o->spool_max_bytes < 65536)
			abort();
		for (size_t j = 0; j < i; j++)
			if (strcmp(o->name, c->outputs[j].name) == 0)
				abort();
	}
	if (c->spool_dir && c->spool_dir[0] != '/')
		abort();
}

static bool all_local(const struct config *c)
{
	for (size_t i = 0; i < c->noutputs; i++)
		if (!sink_ops_find(c->outputs[i].type)->synchronous)
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	struct output *o;
	char err[4096];

	config_defaults(&c);
	if (!config_load_buffer(&c, "fuzz", (const char *)data, size, NULL)) {
		check_outputs(&c);
		if (all_local(&c)) {
			o = config_output_new(&c, stdout, err, sizeof(err));
			output_free(o);
		}
	}
	config_free(&c);
	return 0;
}
