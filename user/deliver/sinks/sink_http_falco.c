// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The Falcosidekick sink: each record POSTed on its own, as is (Falco's
 * output format expected); after a failed record the following ones wait,
 * so order is kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "deliver/sinks/sink_http.h"
#include "lib/diag.h"

/* No "gzip": Falcosidekick does not take compressed bodies. */
static const struct sink_config_key falco_keys[] = {
    SINK_HTTP_KEYS,
    {.name = NULL},
};

static char *falco_endpoint(const char *url)
{
	return strdup(url);
}

static void warn_falco_format(const struct sink_cfg *c, const struct json_value *cfg)
{
	const struct json_value *f = json_object_get(cfg, "format");
	const char *name = json_get_string(f);
	char line[DIAG_LINE_MAX];

	/* Not an error: a relay in front of Falcosidekick may want another form. */
	if (name && strcmp(name, "falco") == 0)
		return;
	diag_format(line, sizeof(line), c->file ? c->file : "<config>", f ? f->line : cfg->line,
		    f ? f->col : cfg->col,
		    "warning: falcosidekick output: \"format\" is not \"falco\"; "
		    "Falcosidekick expects Falco's output format");
	fprintf(stderr, "%s\n", line);
}

static int parse_falco(struct http_sink *h, const struct sink_cfg *c, const struct json_value *cfg)
{
	warn_falco_format(c, cfg);
	return 0;
}

static int build_one(struct http_sink *h, const struct sink_record *recs, size_t n)
{
	return sink_buf_add(&h->body, recs[0].data, recs[0].len);
}

/* One record per request; after a failure the rest wait (order is kept). */
static void falco_send(struct sink *s, const struct sink_record *recs, size_t n,
		       enum sink_status *status, char *why, size_t whylen)
{
	struct http_sink *h = s->priv;

	if (why && whylen)
		why[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		http_post_batch(h, recs + i, 1, status + i, why, whylen);
		if (status[i] == SINK_RETRY) {
			http_set_all(status + i + 1, n - i - 1, SINK_RETRY);
			return;
		}
	}
}

static const struct http_receiver falcosidekick = {
    .kind = HTTP_FALCOSIDEKICK,
    .gzip_default = false,
    .endpoint = falco_endpoint,
    .parse = parse_falco,
    .build = build_one,
};

const struct sink_ops sink_falcosidekick_ops = {
    .type = "falcosidekick",
    .keys = falco_keys,
    .max_batch = 1,
    .open = http_sink_open,
    .send = falco_send,
    .reopen = http_sink_reopen,
    .close = http_sink_close,
    .impl = &falcosidekick,
};
