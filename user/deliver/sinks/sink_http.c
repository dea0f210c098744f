// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The HTTP(S) sinks: a generic NDJSON webhook, Splunk HEC, Elasticsearch /
 * OpenSearch _bulk and Falcosidekick. One libcurl easy handle per sink, so
 * the connection (and its TLS session) is reused between batches. Every
 * answer is read into a bounded buffer; what reaches a log line is cut and
 * redacted, and the token never appears in any message.
 */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include <cjson/cJSON.h>

#include "lib/json.h"
#include "lib/redact.h"
#include "deliver/sinks/sink.h"
#include "deliver/sinks/sink_net.h"

#define DEFAULT_TIMEOUT_MS  10000
#define DEFAULT_DATA_STREAM "logs-mcpwatch-default"
#define DEFAULT_HEC_SOURCE  "mcpwatch"
#define HEC_PATH	    "/services/collector/event"
#define ES_BULK_QUERY	    "filter_path=errors,items.*.status,items.*.error"
#define SNIPPET_MAX	    160
#define USER_AGENT	    "mcpwatch/1"

enum http_kind { HTTP_WEBHOOK, HTTP_SPLUNK_HEC, HTTP_ELASTICSEARCH, HTTP_FALCOSIDEKICK };

struct http_sink {
	enum http_kind kind;
	CURL *curl;
	char *url; /* where every request goes */
	char *proxy;
	char *token;			 /* secret: only ever copied into auth_line */
	char *username, *password;	 /* elasticsearch basic auth; password is secret */
	char *auth_header, *auth_scheme; /* webhook */
	struct curl_slist *headers;	 /* holds the Authorization line: secret */
	struct sink_tls tls;
	bool gzip;
	long timeout_ms;
	/* splunk_hec */
	char *host, *source, *sourcetype, *index;
	/* elasticsearch */
	char *data_stream;
	struct sink_buf body, zbody, answer;
	char errbuf[CURL_ERROR_SIZE];
	atomic_bool fresh_connect; /* set by reopen(), maybe from another thread */
};

/* ---------------------------------------------------------------- config */

static const char *const webhook_keys[] = {"url",	  "token_file",	 "token_env", "tls",
					   "gzip",	  "timeout_ms",	 "headers",   "proxy",
					   "auth_header", "auth_scheme", NULL};
static const char *const hec_keys[] = {"url",	     "token_file", "token_env", "tls",	"gzip",
				       "timeout_ms", "headers",	   "proxy",	"host", "source",
				       "sourcetype", "index",	   NULL};
static const char *const es_keys[] = {
    "url",   "token_file",  "token_env", "tls",		  "gzip",	  "timeout_ms", "headers",
    "proxy", "data_stream", "username",	 "password_file", "password_env", NULL};
static const char *const falco_keys[] = {"url",	       "token_file", "token_env", "tls",
					 "timeout_ms", "headers",    "proxy",	  NULL};

static const char *const *kind_keys(enum http_kind k)
{
	switch (k) {
	case HTTP_WEBHOOK:
		return webhook_keys;
	case HTTP_SPLUNK_HEC:
		return hec_keys;
	case HTTP_ELASTICSEARCH:
		return es_keys;
	case HTTP_FALCOSIDEKICK:
		return falco_keys;
	}
	return webhook_keys;
}

static bool has_suffix(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/* The endpoint of a base url: Splunk and Elasticsearch take the server's base. */
static char *endpoint_of(enum http_kind kind, const char *url)
{
	size_t len = strlen(url);
	char *out = NULL;

	if (kind == HTTP_WEBHOOK || kind == HTTP_FALCOSIDEKICK)
		return strdup(url);
	while (len > 0 && url[len - 1] == '/')
		len--;
	if (kind == HTTP_SPLUNK_HEC) {
		if (has_suffix(url, len, HEC_PATH))
			return strndup(url, len);
		if (has_suffix(url, len, "/services/collector"))
			return asprintf(&out, "%.*s/event", (int)len, url) < 0 ? NULL : out;
		return asprintf(&out, "%.*s%s", (int)len, url, HEC_PATH) < 0 ? NULL : out;
	}
	if (has_suffix(url, len, "/_bulk"))
		return asprintf(&out, "%.*s?%s", (int)len, url, ES_BULK_QUERY) < 0 ? NULL : out;
	return asprintf(&out, "%.*s/_bulk?%s", (int)len, url, ES_BULK_QUERY) < 0 ? NULL : out;
}

static int parse_url(struct http_sink *h, const struct sink_cfg *c, const struct json_value *cfg)
{
	const struct json_value *v = json_object_get(cfg, "url");
	char *url = NULL;
	size_t len;

	if (!v) {
		sink_cfg_error(c, cfg->line, cfg->col, "\"url\" is required");
		return -1;
	}
	if (sink_cfg_string(c, cfg, "url", &url))
		return -1;
	len = strlen(url);
	/* The url itself may carry credentials: name it in no message. */
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
		sink_cfg_error(c, v->line, v->col, "\"url\" must start with http:// or https://");
		free(url);
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7f) {
			sink_cfg_error(c, v->line, v->col,
				       "\"url\" holds a space or a control character");
			free(url);
			return -1;
		}
	}
	h->url = endpoint_of(h->kind, url);
	free(url);
	if (!h->url) {
		sink_cfg_error(c, v->line, v->col, "out of memory");
		return -1;
	}
	return 0;
}

static bool is_token_char(unsigned char ch)
{
	return ch > 0x20 && ch < 0x7f && !strchr("\"(),/:;<=>?@[\\]{}", ch);
}

static bool valid_header_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!is_token_char((unsigned char)*s))
			return false;
	return true;
}

static bool valid_header_value(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 && *s != '\t')
			return false;
	return true;
}

static int add_header(struct http_sink *h, const char *name, const char *value)
{
	struct curl_slist *n;
	char *line = NULL;

	/* "Name;" is curl's way to send a header with an empty value ("Name:" removes it). */
	if ((*value ? asprintf(&line, "%s: %s", name, value) : asprintf(&line, "%s;", name)) < 0)
		return -1;
	n = curl_slist_append(h->headers, line);
	explicit_bzero(line, strlen(line));
	free(line);
	if (!n)
		return -1;
	h->headers = n;
	return 0;
}

/* Content-Encoding and the like are ours to set: a user header must not undo them. */
static bool reserved_header(const char *name)
{
	static const char *const names[] = {"content-length", "content-encoding",
					    "transfer-encoding", "host", NULL};

	for (size_t i = 0; names[i]; i++)
		if (strcasecmp(name, names[i]) == 0)
			return true;
	return false;
}

static int parse_headers(struct http_sink *h, const struct sink_cfg *c,
			 const struct json_value *cfg)
{
	const struct json_value *obj = json_object_get(cfg, "headers");
	char shown[64];

	if (!obj)
		return 0;
	if (obj->type != JSON_OBJECT) {
		sink_cfg_error(c, obj->line, obj->col, "\"headers\" must be an object, not %s",
			       json_type_name(obj->type));
		return -1;
	}
	for (size_t i = 0; i < obj->object.n; i++) {
		const struct json_member *m = &obj->object.members[i];
		const char *val = json_get_string(m->value);

		json_quote_for_message(m->key, m->key_len, shown, sizeof(shown));
		if (strlen(m->key) != m->key_len || !valid_header_name(m->key) ||
		    reserved_header(m->key)) {
			sink_cfg_error(c, m->line, m->col,
				       "\"headers\": \"%s\" is not a header name one may set",
				       shown);
			return -1;
		}
		/* A header value may be a secret: never shown. */
		if (!val || !valid_header_value(val)) {
			sink_cfg_error(c, m->value->line, m->value->col,
				       "\"headers\": the value of \"%s\" must be a string without "
				       "control characters",
				       shown);
			return -1;
		}
		if (add_header(h, m->key, val)) {
			sink_cfg_error(c, m->line, m->col, "out of memory");
			return -1;
		}
	}
	return 0;
}

static int parse_common(struct http_sink *h, const struct sink_cfg *c, const struct json_value *cfg)
{
	if (sink_cfg_check_keys(c, cfg, kind_keys(h->kind)) || parse_url(h, c, cfg) ||
	    sink_cfg_tls(c, cfg, &h->tls) || sink_cfg_bool(c, cfg, "gzip", &h->gzip) ||
	    sink_cfg_int(c, cfg, "timeout_ms", 100, 600000, &h->timeout_ms) ||
	    sink_cfg_string(c, cfg, "proxy", &h->proxy) ||
	    sink_cfg_secret(c, cfg, "token", &h->token))
		return -1;
	return parse_headers(h, c, cfg);
}

static int parse_webhook(struct http_sink *h, const struct sink_cfg *c,
			 const struct json_value *cfg)
{
	const struct json_value *v = json_object_get(cfg, "auth_header");

	if (sink_cfg_string(c, cfg, "auth_header", &h->auth_header) ||
	    sink_cfg_string(c, cfg, "auth_scheme", &h->auth_scheme))
		return -1;
	if (h->auth_header &&
	    (!valid_header_name(h->auth_header) || reserved_header(h->auth_header))) {
		sink_cfg_error(c, v->line, v->col,
			       "\"auth_header\" is not a header name one may set");
		return -1;
	}
	v = json_object_get(cfg, "auth_scheme");
	if (h->auth_scheme &&
	    (!valid_header_value(h->auth_scheme) || strchr(h->auth_scheme, ' '))) {
		sink_cfg_error(c, v->line, v->col, "\"auth_scheme\" must be one word");
		return -1;
	}
	return 0;
}

static int check_hec_field(const struct sink_cfg *c, const struct json_value *cfg, const char *key,
			   const char *val)
{
	const struct json_value *v = json_object_get(cfg, key);

	if (val && (!*val || !valid_header_value(val))) {
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
	if (h->username && (strchr(h->username, ':') || !valid_header_value(h->username))) {
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

static void warn_falco_format(const struct sink_cfg *c, const struct json_value *cfg)
{
	const struct json_value *f = json_object_get(cfg, "format");
	const char *name = json_get_string(f);

	/* Not an error: a relay in front of Falcosidekick may want another form. */
	if (!name || strcmp(name, "falco") != 0)
		fprintf(stderr,
			"%s:%d:%d: warning: falcosidekick output: \"format\" is not \"falco\"; "
			"Falcosidekick expects Falco's output format\n",
			c->file ? c->file : "<config>", f ? f->line : cfg->line,
			f ? f->col : cfg->col);
}

/* ---------------------------------------------------------------- curl handle */

static int set_auth(struct http_sink *h)
{
	const char *scheme = NULL, *name = "Authorization";
	char *value = NULL;
	int rc;

	if (!h->token)
		return 0;
	switch (h->kind) {
	case HTTP_SPLUNK_HEC:
		scheme = "Splunk";
		break;
	case HTTP_ELASTICSEARCH:
		scheme = "ApiKey";
		break;
	case HTTP_WEBHOOK:
		if (h->auth_header)
			name = h->auth_header;
		scheme = h->auth_scheme ? h->auth_scheme : "Bearer";
		break;
	case HTTP_FALCOSIDEKICK:
		scheme = "Bearer";
		break;
	}
	if (asprintf(&value, "%s%s%s", scheme, *scheme ? " " : "", h->token) < 0)
		return -1;
	rc = add_header(h, name, value);
	explicit_bzero(value, strlen(value));
	free(value);
	return rc;
}

static bool has_header(const struct http_sink *h, const char *name)
{
	size_t n = strlen(name);

	for (const struct curl_slist *l = h->headers; l; l = l->next)
		if (strncasecmp(l->data, name, n) == 0 && l->data[n] == ':')
			return true;
	return false;
}

static int set_static_headers(struct http_sink *h)
{
	const char *type = h->kind == HTTP_WEBHOOK || h->kind == HTTP_ELASTICSEARCH
			       ? "application/x-ndjson"
			       : "application/json";
	struct curl_slist *l;

	/* A "Content-Type" in "headers" replaces ours (some webhooks want application/json). */
	if (!has_header(h, "Content-Type") && add_header(h, "Content-Type", type))
		return -1;
	if (h->gzip && add_header(h, "Content-Encoding", "gzip"))
		return -1;
	/* "Expect:" removes curl's Expect: 100-continue round trip before each batch. */
	l = curl_slist_append(h->headers, "Expect:");
	if (!l)
		return -1;
	h->headers = l;
	return set_auth(h);
}

static size_t on_answer(char *data, size_t size, size_t nmemb, void *ud)
{
	struct http_sink *h = ud;
	size_t n = size * nmemb, room;

	/* Keep a bounded prefix; read the rest and throw it away. */
	room = h->answer.len < SINK_HTTP_ANSWER_MAX ? SINK_HTTP_ANSWER_MAX - h->answer.len : 0;
	if (room && sink_buf_add(&h->answer, data, n < room ? n : room))
		return 0;
	return n;
}

static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int set_tls_options(struct http_sink *h)
{
	CURL *c = h->curl;
	int bad = 0;

	bad |= curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, h->tls.verify ? 1L : 0L) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, h->tls.verify ? 2L : 0L) != CURLE_OK;
	if (h->tls.ca_file)
		bad |= curl_easy_setopt(c, CURLOPT_CAINFO, h->tls.ca_file) != CURLE_OK;
	if (h->tls.client_cert) {
		bad |= curl_easy_setopt(c, CURLOPT_SSLCERT, h->tls.client_cert) != CURLE_OK;
		bad |= curl_easy_setopt(c, CURLOPT_SSLKEY, h->tls.client_key) != CURLE_OK;
	}
	return bad ? -1 : 0;
}

static int set_auth_options(struct http_sink *h)
{
	CURL *c = h->curl;
	int bad = 0;

	if (!h->username)
		return 0;
	bad |= curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_USERNAME, h->username) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_PASSWORD, h->password) != CURLE_OK;
	return bad ? -1 : 0;
}

static int setup_curl(struct http_sink *h)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	CURL *c;
	int bad = 0;

	pthread_once(&once, curl_init_once);
	c = h->curl = curl_easy_init();
	if (!c)
		return -1;
	bad |= curl_easy_setopt(c, CURLOPT_URL, h->url) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_POST, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->headers) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_USERAGENT, USER_AGENT) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED) != CURLE_OK;
	/* Only the configured proxy: the daemon's environment is not configuration. */
	bad |= curl_easy_setopt(c, CURLOPT_PROXY, h->proxy ? h->proxy : "") != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, h->timeout_ms) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, h->timeout_ms) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_answer) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_WRITEDATA, h) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L) != CURLE_OK;
	return bad || set_tls_options(h) || set_auth_options(h) ? -1 : 0;
}

static void http_free(struct http_sink *h)
{
	if (!h)
		return;
	if (h->curl)
		curl_easy_cleanup(h->curl);
	/* The header list holds the token in its Authorization line. */
	for (struct curl_slist *l = h->headers; l; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(h->headers);
	sink_secret_free(h->token);
	sink_secret_free(h->password);
	free(h->url);
	free(h->proxy);
	free(h->username);
	free(h->auth_header);
	free(h->auth_scheme);
	free(h->host);
	free(h->source);
	free(h->sourcetype);
	free(h->index);
	free(h->data_stream);
	sink_tls_free(&h->tls);
	sink_buf_free(&h->body);
	sink_buf_free(&h->zbody);
	sink_buf_free(&h->answer);
	free(h);
}

static int http_open(struct sink *s, enum http_kind kind, const struct json_value *cfg,
		     const char *cfg_file, char *err, size_t errlen)
{
	struct sink_cfg c = {cfg_file, s->ops->type, err, errlen};
	struct http_sink *h = calloc(1, sizeof(*h));
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!h) {
		snprintf(err, errlen, "%s: out of memory", cfg_file ? cfg_file : "<config>");
		return -1;
	}
	h->kind = kind;
	h->timeout_ms = DEFAULT_TIMEOUT_MS;
	h->gzip = kind == HTTP_SPLUNK_HEC || kind == HTTP_ELASTICSEARCH;
	if (kind == HTTP_FALCOSIDEKICK)
		warn_falco_format(&c, cfg);
	rc = parse_common(h, &c, cfg);
	if (!rc && kind == HTTP_WEBHOOK)
		rc = parse_webhook(h, &c, cfg);
	if (!rc && kind == HTTP_SPLUNK_HEC)
		rc = parse_hec(h, &c, cfg);
	if (!rc && kind == HTTP_ELASTICSEARCH)
		rc = parse_es(h, &c, cfg);
	if (!rc && (set_static_headers(h) || setup_curl(h))) {
		sink_cfg_error(&c, cfg->line, cfg->col, "cannot set up libcurl (out of memory?)");
		rc = -1;
	}
	if (rc) {
		http_free(h);
		return -1;
	}
	s->priv = h;
	return 0;
}

/* ---------------------------------------------------------------- request bodies */

static int build_ndjson(struct http_sink *h, const struct sink_record *recs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (sink_buf_add(&h->body, recs[i].data, recs[i].len) ||
		    sink_buf_add(&h->body, "\n", 1))
			return -1;
	return 0;
}

static void hec_host_of(struct http_sink *h, const struct sink_record *r, char *out, size_t len)
{
	cJSON *doc;

	if (h->host) {
		snprintf(out, len, "%s", h->host);
		return;
	}
	doc = cJSON_ParseWithLength(r->data, r->len);
	if (!doc || !sink_record_hostname(doc, out, len))
		sink_local_hostname(out, len);
	cJSON_Delete(doc);
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

static int gzip_body(struct http_sink *h)
{
	z_stream z = {0};
	uLong bound;
	int rc;

	if (h->body.len > UINT32_MAX / 2)
		return -1;
	/* windowBits 15 + 16: a gzip wrapper, as Content-Encoding: gzip means. */
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return -1;
	bound = deflateBound(&z, (uLong)h->body.len);
	if (h->zbody.cap < bound) {
		char *p = realloc(h->zbody.p, bound);

		if (!p) {
			deflateEnd(&z);
			return -1;
		}
		h->zbody.p = p;
		h->zbody.cap = bound;
	}
	z.next_in = (Bytef *)h->body.p;
	z.avail_in = (uInt)h->body.len;
	z.next_out = (Bytef *)h->zbody.p;
	z.avail_out = (uInt)bound;
	rc = deflate(&z, Z_FINISH);
	h->zbody.len = z.total_out;
	deflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}

static int build_body(struct http_sink *h, const struct sink_record *recs, size_t n)
{
	int rc = 0;

	h->body.len = 0;
	switch (h->kind) {
	case HTTP_WEBHOOK:
		rc = build_ndjson(h, recs, n);
		break;
	case HTTP_SPLUNK_HEC:
		rc = build_hec(h, recs, n);
		break;
	case HTTP_ELASTICSEARCH:
		rc = build_bulk(h, recs, n);
		break;
	case HTTP_FALCOSIDEKICK:
		rc = sink_buf_add(&h->body, recs[0].data, recs[0].len);
		break;
	}
	if (!rc && h->gzip)
		rc = gzip_body(h);
	return rc;
}

/* ---------------------------------------------------------------- answers */

/* The first bytes of an answer for a log line: redacted, printable, cut. */
static void answer_snippet(const char *body, size_t len, char *out, size_t outlen)
{
	char raw[SNIPPET_MAX * 2 + 1], red[SNIPPET_MAX * 2 + 1];
	size_t n = len < sizeof(raw) - 1 ? len : sizeof(raw) - 1, k;

	memcpy(raw, body ? body : "", n);
	raw[n] = '\0';
	for (k = 0; k < n; k++)
		if ((unsigned char)raw[k] < 0x20 || raw[k] == 0x7f)
			raw[k] = ' ';
	/* Redact the whole window before cutting it: a cut never exposes a secret's start. */
	redact_string(raw, red, sizeof(red));
	json_quote_for_message(red, strlen(red), out, outlen < SNIPPET_MAX ? outlen : SNIPPET_MAX);
}

static void set_all(enum sink_status *status, size_t n, enum sink_status st)
{
	for (size_t i = 0; i < n; i++)
		status[i] = st;
}

static enum sink_status status_of_http(long code)
{
	if (code >= 200 && code < 300)
		return SINK_OK;
	if (code == 429 || code >= 500 || code < 200)
		return SINK_RETRY;
	/* 3xx: redirects are not followed; keep the records until the url is fixed. */
	if (code < 400)
		return SINK_RETRY;
	return SINK_REJECT;
}

/* HEC names the bad event of a batch; the ones before it were taken. */
static void classify_hec_400(struct http_sink *h, size_t n, enum sink_status *status, char *why,
			     size_t whylen)
{
	struct hec_answer a;
	size_t bad;

	if (hec_parse_response(h->answer.p, h->answer.len, &a) != 0 || a.invalid_event < 0 ||
	    (size_t)a.invalid_event >= n) {
		set_all(status, n, SINK_REJECT);
		return;
	}
	bad = (size_t)a.invalid_event;
	set_all(status, bad, SINK_OK);
	status[bad] = SINK_REJECT;
	set_all(status + bad + 1, n - bad - 1, SINK_RETRY);
	snprintf(why, whylen, "HTTP 400: event %zu of %zu rejected: code %d %s", bad, n, a.code,
		 a.text);
}

static void classify(struct http_sink *h, long code, size_t n, enum sink_status *status, char *why,
		     size_t whylen)
{
	enum sink_status st = status_of_http(code);
	char snippet[SNIPPET_MAX];

	if (st == SINK_OK && h->kind == HTTP_ELASTICSEARCH) {
		es_bulk_parse_response(h->answer.p, h->answer.len, n, status, why, whylen);
		return;
	}
	set_all(status, n, st);
	if (st == SINK_OK)
		return;
	answer_snippet(h->answer.p, h->answer.len, snippet, sizeof(snippet));
	snprintf(why, whylen, "HTTP %ld%s%s", code, snippet[0] ? ": " : "", snippet);
	if (code == 400 && h->kind == HTTP_SPLUNK_HEC)
		classify_hec_400(h, n, status, why, whylen);
}

static void post_batch(struct http_sink *h, const struct sink_record *recs, size_t n,
		       enum sink_status *status, char *why, size_t whylen)
{
	const struct sink_buf *b;
	long code = 0;
	CURLcode rc;

	if (build_body(h, recs, n)) {
		set_all(status, n, SINK_RETRY);
		snprintf(why, whylen, "out of memory building the request");
		return;
	}
	b = h->gzip ? &h->zbody : &h->body;
	h->answer.len = 0;
	h->errbuf[0] = '\0';
	curl_easy_setopt(h->curl, CURLOPT_FRESH_CONNECT,
			 atomic_exchange(&h->fresh_connect, false) ? 1L : 0L);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, b->p);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)b->len);
	rc = curl_easy_perform(h->curl);
	if (rc != CURLE_OK) {
		set_all(status, n, SINK_RETRY);
		snprintf(why, whylen, "POST failed: %s",
			 h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc));
		return;
	}
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &code);
	classify(h, code, n, status, why, whylen);
}

static void http_send(struct sink *s, const struct sink_record *recs, size_t n,
		      enum sink_status *status, char *why, size_t whylen)
{
	struct http_sink *h = s->priv;

	if (why && whylen)
		why[0] = '\0';
	if (!n)
		return;
	if (h->kind != HTTP_FALCOSIDEKICK) {
		post_batch(h, recs, n, status, why, whylen);
		return;
	}
	/* One record per request; after a failure the rest wait (order is kept). */
	for (size_t i = 0; i < n; i++) {
		post_batch(h, recs + i, 1, status + i, why, whylen);
		if (status[i] == SINK_RETRY) {
			set_all(status + i + 1, n - i - 1, SINK_RETRY);
			return;
		}
	}
}

static void http_close(struct sink *s)
{
	http_free(s->priv);
	s->priv = NULL;
}

/* A fresh connection on the next request (SIGHUP, e.g. after a receiver's certificate changed). */
static void http_reopen(struct sink *s)
{
	struct http_sink *h = s->priv;

	if (h)
		atomic_store(&h->fresh_connect, true);
}

/* ---------------------------------------------------------------- answer parsers */

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
	answer_snippet(raw, strlen(raw), out, len);
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
	set_all(status, n, SINK_RETRY);
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
		set_all(status, n, SINK_OK);
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
		answer_snippet(text, strlen(text), out->text, sizeof(out->text));
	json_free(doc);
	return 0;
}

/* ---------------------------------------------------------------- ops */

static int webhook_open(struct sink *s, const struct json_value *cfg, const char *file, char *err,
			size_t errlen)
{
	return http_open(s, HTTP_WEBHOOK, cfg, file, err, errlen);
}

static int hec_open(struct sink *s, const struct json_value *cfg, const char *file, char *err,
		    size_t errlen)
{
	return http_open(s, HTTP_SPLUNK_HEC, cfg, file, err, errlen);
}

static int es_open(struct sink *s, const struct json_value *cfg, const char *file, char *err,
		   size_t errlen)
{
	return http_open(s, HTTP_ELASTICSEARCH, cfg, file, err, errlen);
}

static int falco_open(struct sink *s, const struct json_value *cfg, const char *file, char *err,
		      size_t errlen)
{
	return http_open(s, HTTP_FALCOSIDEKICK, cfg, file, err, errlen);
}

const struct sink_ops sink_webhook_ops = {
    .type = "webhook",
    .max_batch = 500,
    .open = webhook_open,
    .send = http_send,
    .reopen = http_reopen,
    .close = http_close,
};

const struct sink_ops sink_splunk_hec_ops = {
    .type = "splunk_hec",
    .max_batch = 500,
    .open = hec_open,
    .send = http_send,
    .reopen = http_reopen,
    .close = http_close,
};

const struct sink_ops sink_elasticsearch_ops = {
    .type = "elasticsearch",
    .max_batch = 500,
    .open = es_open,
    .send = http_send,
    .reopen = http_reopen,
    .close = http_close,
};

const struct sink_ops sink_falcosidekick_ops = {
    .type = "falcosidekick",
    .max_batch = 1,
    .open = falco_open,
    .send = http_send,
    .reopen = http_reopen,
    .close = http_close,
};
