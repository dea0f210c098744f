// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The HTTP(S) transport the receivers share: the common keys, one libcurl
 * easy handle per sink, request bodies (gzip), and answers. Every answer is
 * read into a bounded buffer; what reaches a log line is cut and redacted,
 * and the token never appears in any message.
 */
#include "deliver/sinks/sink_http.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "lib/json.h"
#include "lib/redact.h"
#include "lib/http_client.h"

#define DEFAULT_TIMEOUT_MS 10000
#define USER_AGENT	   "mcpwatch/1"

/* ---------------------------------------------------------------- config */

bool http_has_suffix(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && memcmp(s + len - n, suffix, n) == 0;
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
	h->url = h->rx->endpoint(url);
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

bool http_valid_header_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!is_token_char((unsigned char)*s))
			return false;
	return true;
}

bool http_valid_header_value(const char *s)
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
bool http_reserved_header(const char *name)
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
		if (strlen(m->key) != m->key_len || !http_valid_header_name(m->key) ||
		    http_reserved_header(m->key)) {
			sink_cfg_error(c, m->line, m->col,
				       "\"headers\": \"%s\" is not a header name one may set",
				       shown);
			return -1;
		}
		/* A header value may be a secret: never shown. */
		if (!val || !http_valid_header_value(val)) {
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
	if (parse_url(h, c, cfg) || sink_cfg_tls(c, cfg, &h->tls) ||
	    sink_cfg_bool(c, cfg, "gzip", &h->gzip) ||
	    sink_cfg_int(c, cfg, "timeout_ms", 100, 600000, &h->timeout_ms) ||
	    sink_cfg_string(c, cfg, "proxy", &h->proxy) ||
	    sink_cfg_secret(c, cfg, "token", &h->token))
		return -1;
	return parse_headers(h, c, cfg);
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
	struct http_client_opts o = {.timeout_ms = h->timeout_ms,
				     .proxy = h->proxy,
				     .user_agent = USER_AGENT,
				     .errbuf = h->errbuf};
	CURL *c;
	int bad = 0;

	c = h->curl = http_client_new(&o);
	if (!c)
		return -1;
	bad |= curl_easy_setopt(c, CURLOPT_URL, h->url) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_POST, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->headers) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_answer) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_WRITEDATA, h) != CURLE_OK;
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

int http_sink_open(struct sink *s, const struct json_value *cfg, const char *cfg_file, char *err,
		   size_t errlen)
{
	const struct http_receiver *rx = s->ops->impl;
	struct sink_cfg c = {cfg_file, s->ops->type, err, errlen};
	struct http_sink *h = calloc(1, sizeof(*h));
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!h) {
		snprintf(err, errlen, "%s: out of memory", cfg_file ? cfg_file : "<config>");
		return -1;
	}
	h->rx = rx;
	h->kind = rx->kind;
	h->timeout_ms = DEFAULT_TIMEOUT_MS;
	h->gzip = rx->gzip_default;
	rc = parse_common(h, &c, cfg);
	if (!rc && rx->parse)
		rc = rx->parse(h, &c, cfg);
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
	int rc;

	h->body.len = 0;
	rc = h->rx->build(h, recs, n);
	if (!rc && h->gzip)
		rc = gzip_body(h);
	return rc;
}

/* ---------------------------------------------------------------- answers */

void http_answer_snippet(const char *body, size_t len, char *out, size_t outlen)
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

void http_set_all(enum sink_status *status, size_t n, enum sink_status st)
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

static void classify(struct http_sink *h, long code, size_t n, enum sink_status *status, char *why,
		     size_t whylen)
{
	enum sink_status st = status_of_http(code);
	char snippet[SNIPPET_MAX];

	if (st == SINK_OK && h->rx->on_2xx) {
		h->rx->on_2xx(h, n, status, why, whylen);
		return;
	}
	http_set_all(status, n, st);
	if (st == SINK_OK)
		return;
	http_answer_snippet(h->answer.p, h->answer.len, snippet, sizeof(snippet));
	snprintf(why, whylen, "HTTP %ld%s%s", code, snippet[0] ? ": " : "", snippet);
	if (code == 400 && h->rx->on_400)
		h->rx->on_400(h, n, status, why, whylen);
}

void http_post_batch(struct http_sink *h, const struct sink_record *recs, size_t n,
		     enum sink_status *status, char *why, size_t whylen)
{
	const struct sink_buf *b;
	long code = 0;
	CURLcode rc;

	if (build_body(h, recs, n)) {
		http_set_all(status, n, SINK_RETRY);
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
		http_set_all(status, n, SINK_RETRY);
		snprintf(why, whylen, "POST failed: %s",
			 h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc));
		return;
	}
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &code);
	classify(h, code, n, status, why, whylen);
}

void http_sink_send(struct sink *s, const struct sink_record *recs, size_t n,
		    enum sink_status *status, char *why, size_t whylen)
{
	if (why && whylen)
		why[0] = '\0';
	if (n)
		http_post_batch(s->priv, recs, n, status, why, whylen);
}

void http_sink_close(struct sink *s)
{
	http_free(s->priv);
	s->priv = NULL;
}

/* A fresh connection on the next request (SIGHUP, e.g. after a receiver's certificate changed). */
void http_sink_reopen(struct sink *s)
{
	struct http_sink *h = s->priv;

	if (h)
		atomic_store(&h->fresh_connect, true);
}
