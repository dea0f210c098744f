// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The stdout output: one record per line on the agent's standard output,
 * flushed after each batch so a pipe reader sees records as they happen.
 * Synchronous: written in the caller's thread, as the stream always was.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "deliver/delivery.h"
#include "deliver/sinks/sink.h"

/* No keys of its own: only the common output keys. */
static const struct sink_config_key stdout_keys[] = {{.name = NULL}};

static int stdout_open(struct sink *s, const struct json_value *cfg, const char *cfg_file,
		       char *err, size_t errlen)
{
	s->priv = stdout;
	return 0;
}

void sink_stdout_set_stream(struct sink *s, FILE *f)
{
	s->priv = f;
}

static void stdout_send(struct sink *s, const struct sink_record *recs, size_t n,
			enum sink_status *status, char *why, size_t whylen)
{
	FILE *f = s->priv;
	size_t i;
	bool ok = true;

	for (i = 0; i < n; i++) {
		ok = ok && fwrite(recs[i].data, 1, recs[i].len, f) == recs[i].len &&
		     fputc('\n', f) != EOF;
		status[i] = ok ? SINK_OK : SINK_RETRY;
	}
	if (fflush(f) != 0 || !ok) {
		for (i = 0; i < n; i++)
			status[i] = SINK_RETRY;
		snprintf(why, whylen, "write to standard output: %s", strerror(errno));
	}
}

static void stdout_close(struct sink *s)
{
	if (s->priv)
		fflush(s->priv);
}

const struct sink_ops sink_stdout_ops = {
    .type = "stdout",
    .keys = stdout_keys,
    .max_batch = 0,
    .open = stdout_open,
    .send = stdout_send,
    .reopen = NULL,
    .close = stdout_close,
    .synchronous = true,
};
