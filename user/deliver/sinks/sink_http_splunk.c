// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The Splunk HTTP Event Collector sink: one envelope per record
 * ({"time","host","source","sourcetype","index","event"}) POSTed to
 * /services/collector/event, "Authorization: Splunk <token>". A 400 names
 * the bad event of a batch: the ones before it were taken.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "deliver/sinks/sink_http.h"

#define DEFAULT_HEC_SOURCE "mcpwatch"
#define HEC_PATH	   "/services/collector/event"

static const struct sink_config_key hec_keys[] = {
    SINK_HTTP_KEYS,
    {.name = "gzip", .type = SINK_KEY_BOOL, .def = "true", .help = "gzip the request body"},
    {.name = "host", .type = SINK_KEY_STRING, .help = "envelope host; default: the record's host"},
    {.name = "source",
     .type = SINK_KEY_STRING,
     .def = DEFAULT_HEC_SOURCE,
     .help = "envelope source"},
    {.name = "sourcetype",
     .type = SINK_KEY_STRING,
     .def = "mcpwatch:<kind>",
     .help = "envelope sourcetype"},
    {.name = "index", .type = SINK_KEY_STRING, .help = "envelope index; default: the token's"},
    {.name = NULL},
};

/* HEC takes the server's base url; one already naming the collector is kept. */
static char *hec_endpoint(const char *url)
{
	size_t len = strlen(url);
	char *out = NULL;

	while (len > 0 && url[len - 1] == '/')
		len--;
	if (http_has_suffix(url, len, HEC_PATH))
		return strndup(url, len);
	if (http_has_suffix(url, len, "/services/collector"))
		return asprintf(&out, "%.*s/event", (int)len, url) < 0 ? NULL : out;
	return asprintf(&out, "%.*s%s", (int)len, url, HEC_PATH) < 0 ? NULL : out;
}

static int check_hec_field(const struct sink_cfg *c, const struct json_value *cfg, const char *key,
			   const char *val)
{
	const struct json_value *v = json_object_get(cfg, key);

	if (val && (!*val || !http_valid_header_value(val))) {
		sink_cfg_error(c, v->line, v->col,
			       "\"%s\" must be a non-empty string without control characters", key);
		return -1;
	}
	return 0;
}

static int parse_hec(struct http_sink *h, const struct sink_cfg *c, const struct json_value *cfg)
{
	if (sink_cfg_string(c, cfg, "host", &h->host) ||
	    sink_cfg_string(c, cfg, "source", &h->source) ||
	    sink_cfg_string(c, cfg, "sourcetype", &h->sourcetype) ||
	    sink_cfg_string(c, cfg, "index", &h->index) ||
	    check_hec_field(c, cfg, "host", h->host) ||
	    check_hec_field(c, cfg, "source", h->source) ||
	    check_hec_field(c, cfg, "sourcetype", h->sourcetype) ||
	    check_hec_field(c, cfg, "index", h->index))
		return -1;
	if (!h->source && !(h->source = strdup(DEFAULT_HEC_SOURCE))) {
		sink_cfg_error(c, cfg->line, cfg->col, "out of memory");
		return -1;
	}
	return 0;
}

/* The configured host, else the record's, else ours. */
static void hec_host_of(struct http_sink *h, const struct sink_record *r, char *out, size_t len)
{
	if (h->host)
		snprintf(out, len, "%s", h->host);
	else if (r->host && *r->host)
		snprintf(out, len, "%s", r->host);
	else
		sink_local_hostname(out, len);
}

static int add_hec_envelope(struct http_sink *h, const struct sink_record *r)
{
	int64_t ms = r->time_ns > 0 ? r->time_ns / 1000000 : 0;
	char host[256], sourcetype[96];
	struct sink_buf *b = &h->body;

	hec_host_of(h, r, host, sizeof(host));
	if (h->sourcetype)
		snprintf(sourcetype, sizeof(sourcetype), "%s", h->sourcetype);
	else
		snprintf(sourcetype, sizeof(sourcetype), "mcpwatch:%s",
			 r->kind && *r->kind ? r->kind : "record");
	if (sink_buf_addf(b, "{\"time\":%lld.%03lld,\"host\":", (long long)(ms / 1000),
			  (long long)(ms % 1000)) ||
	    sink_buf_add_json_string(b, host) || sink_buf_add(b, ",\"source\":", 10) ||
	    sink_buf_add_json_string(b, h->source) || sink_buf_add(b, ",\"sourcetype\":", 14) ||
	    sink_buf_add_json_string(b, sourcetype))
		return -1;
	if (h->index &&
	    (sink_buf_add(b, ",\"index\":", 9) || sink_buf_add_json_string(b, h->index)))
		return -1;
	if (sink_buf_add(b, ",\"event\":", 9) || sink_buf_add(b, r->data, r->len) ||
	    sink_buf_add(b, "}\n", 2))
		return -1;
	return 0;
}

static int build_hec(struct http_sink *h, const struct sink_record *recs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (add_hec_envelope(h, &recs[i]))
			return -1;
	return 0;
}

/* HEC names the bad event of a batch; the ones before it were taken. */
static void classify_hec_400(struct http_sink *h, size_t n, enum sink_status *status, char *why,
			     size_t whylen)
{
	struct hec_answer a;
	size_t bad;

	if (hec_parse_response(h->answer.p, h->answer.len, &a) != 0 || a.invalid_event < 0 ||
	    (size_t)a.invalid_event >= n) {
		http_set_all(status, n, SINK_REJECT);
		return;
	}
	bad = (size_t)a.invalid_event;
	http_set_all(status, bad, SINK_OK);
	status[bad] = SINK_REJECT;
	http_set_all(status + bad + 1, n - bad - 1, SINK_RETRY);
	snprintf(why, whylen, "HTTP 400: event %zu of %zu rejected: code %d %s", bad, n, a.code,
		 a.text);
}

int hec_parse_response(const char *body, size_t len, struct hec_answer *out)
{
	struct json_value *doc;
	const char *text;
	int64_t i;

	out->code = -1;
	out->invalid_event = -1;
	out->text[0] = '\0';
	doc = body ? json_parse(body, len, NULL) : NULL;
	if (!doc || doc->type != JSON_OBJECT) {
		json_free(doc);
		return -1;
	}
	if (json_get_int(json_object_get(doc, "code"), &i) && i >= 0 && i <= 1000)
		out->code = (int)i;
	if (json_get_int(json_object_get(doc, "invalid-event-number"), &i) && i >= 0 &&
	    i <= 1000000000)
		out->invalid_event = (long)i;
	text = json_get_string(json_object_get(doc, "text"));
	if (text)
		http_answer_snippet(text, strlen(text), out->text, sizeof(out->text));
	json_free(doc);
	return 0;
}

static const struct http_receiver splunk_hec = {
    .kind = HTTP_SPLUNK_HEC,
    .gzip_default = true,
    .endpoint = hec_endpoint,
    .parse = parse_hec,
    .build = build_hec,
    .on_400 = classify_hec_400,
};

const struct sink_ops sink_splunk_hec_ops = HTTP_SINK_OPS("splunk_hec", hec_keys, 500, &splunk_hec);
