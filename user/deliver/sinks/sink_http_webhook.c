// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The webhook sink: a batch of records POSTed as NDJSON, the token as
 * "Authorization: Bearer" unless auth_header / auth_scheme say otherwise.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "deliver/sinks/sink_http.h"

static const struct sink_config_key webhook_keys[] = {
    SINK_HTTP_KEYS,
    {.name = "gzip", .type = SINK_KEY_BOOL, .def = "false", .help = "gzip the request body"},
    {.name = "auth_header",
     .type = SINK_KEY_STRING,
     .def = "Authorization",
     .help = "the header that carries the token"},
    {.name = "auth_scheme",
     .type = SINK_KEY_STRING,
     .def = "Bearer",
     .help = "one word before the token; \"\": the bare token"},
    {.name = NULL},
};

static char *webhook_endpoint(const char *url)
{
	return strdup(url);
}

static int parse_webhook(struct http_sink *h, const struct sink_cfg *c,
			 const struct json_value *cfg)
{
	const struct json_value *v = json_object_get(cfg, "auth_header");

	if (sink_cfg_string(c, cfg, "auth_header", &h->auth_header) ||
	    sink_cfg_string(c, cfg, "auth_scheme", &h->auth_scheme))
		return -1;
	if (h->auth_header &&
	    (!http_valid_header_name(h->auth_header) || http_reserved_header(h->auth_header))) {
		sink_cfg_error(c, v->line, v->col,
			       "\"auth_header\" is not a header name one may set");
		return -1;
	}
	v = json_object_get(cfg, "auth_scheme");
	if (h->auth_scheme &&
	    (!http_valid_header_value(h->auth_scheme) || strchr(h->auth_scheme, ' '))) {
		sink_cfg_error(c, v->line, v->col, "\"auth_scheme\" must be one word");
		return -1;
	}
	return 0;
}

static int build_ndjson(struct http_sink *h, const struct sink_record *recs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (sink_buf_add(&h->body, recs[i].data, recs[i].len) ||
		    sink_buf_add(&h->body, "\n", 1))
			return -1;
	return 0;
}

static const struct http_receiver webhook = {
    .kind = HTTP_WEBHOOK,
    .gzip_default = false,
    .endpoint = webhook_endpoint,
    .parse = parse_webhook,
    .build = build_ndjson,
};

const struct sink_ops sink_webhook_ops = HTTP_SINK_OPS("webhook", webhook_keys, 500, &webhook);
