// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The Elasticsearch / OpenSearch sink: _bulk requests with one "create"
 * action per record (a data stream needs "@timestamp": added first when the
 * record has none), each item's status read from the answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "lib/json.h"
#include "deliver/sinks/sink_http.h"

#define DEFAULT_DATA_STREAM "logs-mcpwatch-default"
#define ES_BULK_QUERY	    "filter_path=errors,items.*.status,items.*.error"

static const struct sink_config_key es_keys[] = {
    SINK_HTTP_KEYS,
    {.name = "gzip", .type = SINK_KEY_BOOL, .def = "true", .help = "gzip the request body"},
    {.name = "data_stream",
     .type = SINK_KEY_STRING,
     .def = DEFAULT_DATA_STREAM,
     .help = "the data stream (or index) written to"},
    {.name = "username", .type = SINK_KEY_STRING, .help = "HTTP Basic user (with a password)"},
    {.name = "password_file", .type = SINK_KEY_STRING, .help = "file holding the password"},
    {.name = "password_env",
     .type = SINK_KEY_STRING,
     .help = "environment variable holding the password"},
    {.name = NULL},
};

/* The cluster's base url, or one already ending in /_bulk. */
static char *es_endpoint(const char *url)
{
	size_t len = strlen(url);
	char *out = NULL;

	while (len > 0 && url[len - 1] == '/')
		len--;
	if (http_has_suffix(url, len, "/_bulk"))
		return asprintf(&out, "%.*s?%s", (int)len, url, ES_BULK_QUERY) < 0 ? NULL : out;
	return asprintf(&out, "%.*s/_bulk?%s", (int)len, url, ES_BULK_QUERY) < 0 ? NULL : out;
}

/* An index or data stream name as Elasticsearch allows it (lower case, no separators). */
static bool valid_index_name(const char *s)
{
	if (!*s || strlen(s) > 255 || *s == '-' || *s == '_' || *s == '+')
		return false;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch <= 0x20 || ch >= 0x7f || (ch >= 'A' && ch <= 'Z') ||
		    strchr("\\/*?\"<>|,#:", ch))
			return false;
	}
	return true;
}

static int parse_es(struct http_sink *h, const struct sink_cfg *c, const struct json_value *cfg)
{
	const struct json_value *v = json_object_get(cfg, "data_stream");
	const struct json_value *u = json_object_get(cfg, "username");

	if (sink_cfg_string(c, cfg, "data_stream", &h->data_stream) ||
	    sink_cfg_string(c, cfg, "username", &h->username) ||
	    sink_cfg_secret(c, cfg, "password", &h->password))
		return -1;
	if (h->data_stream && !valid_index_name(h->data_stream)) {
		sink_cfg_error(c, v->line, v->col,
			       "\"data_stream\" is not a valid index or data stream name "
			       "(lower case, no spaces or \\/*?\"<>|,#:)");
		return -1;
	}
	if (!h->data_stream && !(h->data_stream = strdup(DEFAULT_DATA_STREAM))) {
		sink_cfg_error(c, cfg->line, cfg->col, "out of memory");
		return -1;
	}
	if (!h->username != !h->password) {
		sink_cfg_error(c, u ? u->line : cfg->line, u ? u->col : cfg->col,
			       "\"username\" and \"password_file\"/\"password_env\" go together");
		return -1;
	}
	if (h->username && (strchr(h->username, ':') || !http_valid_header_value(h->username))) {
		sink_cfg_error(c, u->line, u->col,
			       "\"username\" must hold no ':' or control characters");
		return -1;
	}
	if (h->username && h->token) {
		sink_cfg_error(c, u->line, u->col,
			       "\"username\" and an API key (\"token_file\"/\"token_env\") exclude "
			       "each other");
		return -1;
	}
	return 0;
}

/* The document as given, or with "@timestamp" first when it has none (a data stream needs it). */
static int add_es_document(struct http_sink *h, const struct sink_record *r)
{
	cJSON *doc = cJSON_ParseWithLength(r->data, r->len);
	bool needs_ts = cJSON_IsObject(doc) && !cJSON_GetObjectItemCaseSensitive(doc, "@timestamp");
	bool empty = needs_ts && !doc->child;
	const char *open;
	char ts[48];
	int rc;

	cJSON_Delete(doc);
	if (!needs_ts)
		return sink_buf_add(&h->body, r->data, r->len);
	open = memchr(r->data, '{', r->len);
	sink_format_time(r->time_ns, 9, ts, sizeof(ts));
	rc = sink_buf_addf(&h->body, "{\"@timestamp\":\"%s\"%s", ts, empty ? "" : ",");
	if (!rc)
		rc = sink_buf_add(&h->body, open + 1, r->len - (size_t)(open + 1 - r->data));
	return rc;
}

static int build_bulk(struct http_sink *h, const struct sink_record *recs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (sink_buf_addf(&h->body, "{\"create\":{\"_index\":\"%s\"}}\n", h->data_stream) ||
		    add_es_document(h, &recs[i]) || sink_buf_add(&h->body, "\n", 1))
			return -1;
	}
	return 0;
}

static bool item_error_text(const struct json_value *item, char *out, size_t len)
{
	const struct json_value *err = json_object_get(item, "error");
	const char *type = json_get_string(json_object_get(err, "type"));
	const char *reason = json_get_string(json_object_get(err, "reason"));
	char raw[512];

	if (!err)
		return false;
	if (!type && !reason && json_get_string(err))
		reason = json_get_string(err);
	snprintf(raw, sizeof(raw), "%s%s%s", type ? type : "", type && reason ? ": " : "",
		 reason ? reason : "");
	http_answer_snippet(raw, strlen(raw), out, len);
	return true;
}

/* {"create": {"status": 201, "error": {...}}}: the status of one item, or -1. */
static long bulk_item_status(const struct json_value *item, const struct json_value **inner)
{
	int64_t st;

	if (!item || item->type != JSON_OBJECT || item->object.n != 1)
		return -1;
	*inner = item->object.members[0].value;
	if (!json_get_int(json_object_get(*inner, "status"), &st) || st < 100 || st > 599)
		return -1;
	return (long)st;
}

static enum sink_status status_of_item(long st)
{
	if (st == 409 || (st >= 200 && st < 300))
		return SINK_OK;
	if (st == 429 || st >= 500 || st < 0)
		return SINK_RETRY;
	return SINK_REJECT;
}

static void note_item(size_t i, long st, const struct json_value *inner, char *why, size_t whylen)
{
	char text[SNIPPET_MAX];

	if (!why || !whylen || why[0])
		return;
	if (st < 0) {
		snprintf(why, whylen, "item %zu: no status in the _bulk answer", i);
		return;
	}
	if (!item_error_text(inner, text, sizeof(text)))
		text[0] = '\0';
	snprintf(why, whylen, "item %zu: %ld%s%s", i, st, text[0] ? " " : "", text);
}

int es_bulk_parse_response(const char *body, size_t len, size_t n, enum sink_status *status,
			   char *why, size_t whylen)
{
	const struct json_value *items, *errors;
	struct json_value *doc;
	bool any_error = true;
	size_t k;

	if (why && whylen)
		why[0] = '\0';
	http_set_all(status, n, SINK_RETRY);
	doc = body ? json_parse(body, len, NULL) : NULL;
	items = json_object_get(doc, "items");
	errors = json_object_get(doc, "errors");
	if (!doc || doc->type != JSON_OBJECT || (!items && !errors) ||
	    (errors && !json_get_bool(errors, &any_error)) ||
	    (items && items->type != JSON_ARRAY)) {
		json_free(doc);
		snprintf(why, whylen, "the answer is not a _bulk answer");
		return -1;
	}
	if (!items && !any_error) {
		/* "errors": false and no item list (a filter_path that kept only errors). */
		http_set_all(status, n, SINK_OK);
		json_free(doc);
		return 0;
	}
	k = items ? (items->array.n < n ? items->array.n : n) : 0;
	for (size_t i = 0; i < k; i++) {
		const struct json_value *inner = NULL;
		long st = bulk_item_status(items->array.items[i], &inner);

		status[i] = status_of_item(st);
		if (status[i] != SINK_OK)
			note_item(i, st, inner, why, whylen);
	}
	if (k < n && why && whylen && !why[0])
		snprintf(why, whylen, "the _bulk answer lists %zu items for %zu records", k, n);
	json_free(doc);
	return 0;
}

static void on_bulk_answer(struct http_sink *h, size_t n, enum sink_status *status, char *why,
			   size_t whylen)
{
	es_bulk_parse_response(h->answer.p, h->answer.len, n, status, why, whylen);
}

static const struct http_receiver elasticsearch = {
    .kind = HTTP_ELASTICSEARCH,
    .gzip_default = true,
    .endpoint = es_endpoint,
    .parse = parse_es,
    .build = build_bulk,
    .on_2xx = on_bulk_answer,
};

const struct sink_ops sink_elasticsearch_ops =
    HTTP_SINK_OPS("elasticsearch", es_keys, 500, &elasticsearch);
