/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * sink_http: what the HTTP(S) sinks share — the libcurl transport (one
 * easy handle per sink, so the connection and its TLS session are reused
 * between batches), the common keys (url, token, tls, headers, proxy,
 * timeout) and answer classification — and the contract each receiver
 * (sink_http_webhook.c, sink_http_splunk.c, sink_http_elastic.c,
 * sink_http_falco.c) fills: its endpoint, its own keys, its request body
 * and how it reads an answer. Private to those files.
 */
#ifndef MCPWATCH_SINK_HTTP_H
#define MCPWATCH_SINK_HTTP_H

#include <curl/curl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "deliver/sinks/sink.h"
#include "deliver/sinks/sink_net.h"

#define SNIPPET_MAX 160

enum http_kind { HTTP_WEBHOOK, HTTP_SPLUNK_HEC, HTTP_ELASTICSEARCH, HTTP_FALCOSIDEKICK };

struct http_sink;

/* One kind of receiver. */
struct http_receiver {
	enum http_kind kind;
	bool gzip_default;
	/* The request URL for the configured (base) url; NULL: out of memory. */
	char *(*endpoint)(const char *url);
	/* Its own keys (checked by sink_config_check); NULL: none. */
	int (*parse)(struct http_sink *h, const struct sink_cfg *c, const struct json_value *cfg);
	/* Appends the request body for recs to h->body. */
	int (*build)(struct http_sink *h, const struct sink_record *recs, size_t n);
	/* Per-record statuses of a 2xx answer (NULL: all taken) and of a 400
	 * answer (NULL: all rejected), read from h->answer. */
	void (*on_2xx)(struct http_sink *h, size_t n, enum sink_status *status, char *why,
		       size_t whylen);
	void (*on_400)(struct http_sink *h, size_t n, enum sink_status *status, char *why,
		       size_t whylen);
};

struct http_sink {
	const struct http_receiver *rx;
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

/* The keys of every HTTP sink, for the receivers' key tables ("gzip" apart:
 * its default differs, and falcosidekick has none). */
/* clang-format off */
#define SINK_HTTP_KEYS                                                                             \
	{.name = "url", .type = SINK_KEY_STRING, .required = true,                                 \
	 .help = "http:// or https:// URL of the receiver"},                                       \
	{.name = "token_file", .type = SINK_KEY_STRING, .help = "file holding the token"},         \
	{.name = "token_env", .type = SINK_KEY_STRING,                                             \
	 .help = "environment variable holding the token"},                                        \
	{.name = "tls", .type = SINK_KEY_OBJECT, .members = sink_tls_keys,                         \
	 .help = "verify, ca_file, client_cert, client_key"},                                      \
	{.name = "timeout_ms", .type = SINK_KEY_INT, .def = "10000", .min = 100, .max = 600000,    \
	 .help = "bound on one request, connection included"},                                     \
	{.name = "headers", .type = SINK_KEY_STRING_MAP, .def = "{}",                              \
	 .help = "extra static request headers"},                                                  \
	{.name = "proxy", .type = SINK_KEY_STRING, .help = "HTTP(S) proxy URL; default: none"}
/* clang-format on */

/* Opens an HTTP sink whose ops->impl is its struct http_receiver. */
int http_sink_open(struct sink *s, const struct json_value *cfg, const char *cfg_file, char *err,
		   size_t errlen);

/* The sink_ops of an HTTP receiver type: they differ only in these. */
#define HTTP_SINK_OPS(type_, keys_, max_batch_, receiver_)                                         \
	{                                                                                          \
		.type = (type_), .keys = (keys_), .max_batch = (max_batch_),                       \
		.open = http_sink_open, .send = http_sink_send, .reopen = http_sink_reopen,        \
		.close = http_sink_close, .impl = (receiver_),                                     \
	}
/* Sends recs in one request. */
void http_sink_send(struct sink *s, const struct sink_record *recs, size_t n,
		    enum sink_status *status, char *why, size_t whylen);
void http_post_batch(struct http_sink *h, const struct sink_record *recs, size_t n,
		     enum sink_status *status, char *why, size_t whylen);
void http_sink_reopen(struct sink *s);
void http_sink_close(struct sink *s);

bool http_has_suffix(const char *s, size_t len, const char *suffix);
bool http_valid_header_name(const char *s);
bool http_valid_header_value(const char *s);
bool http_reserved_header(const char *name);
void http_set_all(enum sink_status *status, size_t n, enum sink_status st);
/* The first bytes of an answer for a log line: redacted, printable, cut. */
void http_answer_snippet(const char *body, size_t len, char *out, size_t outlen);

#endif /* MCPWATCH_SINK_HTTP_H */
