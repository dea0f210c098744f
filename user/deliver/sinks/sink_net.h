/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * sink_net: owns the pieces of the network sinks (user/deliver/sinks/sink_http.c and
 * user/deliver/sinks/sink_syslog.c) that read outside input — receiver answers, config
 * addresses — or build wire formats. They are pure functions, exposed here
 * so that unit tests and fuzz targets can reach them; the sinks themselves
 * are used only through struct sink_ops (user/deliver/sinks/sink.h).
 */
#ifndef MCPWATCH_SINK_NET_H
#define MCPWATCH_SINK_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "deliver/sinks/sink.h"

/* Largest receiver answer kept (the rest is read and thrown away). */
#define SINK_HTTP_ANSWER_MAX (1024 * 1024)

/*
 * Reads an Elasticsearch/OpenSearch _bulk answer for a request of n
 * records and sets status[i] for each item: 2xx and 409 (a create that
 * found the document already there) OK, 429 and 5xx RETRY, any other
 * REJECT. Items the answer does not list are RETRY. Returns 0, or -1 when
 * body is not a _bulk answer (then every status is RETRY). why names the
 * first failed item: "item 3: 400 mapper_parsing_exception: ..." (redacted).
 */
int es_bulk_parse_response(const char *body, size_t len, size_t n, enum sink_status *status,
			   char *why, size_t whylen);

/* A Splunk HEC answer: {"text":"Success","code":0} or, for a bad event of
 * a batch, {"text":"Invalid data format","code":6,"invalid-event-number":2}. */
struct hec_answer {
	int code;	    /* -1 when absent */
	long invalid_event; /* -1 when absent */
	char text[128];	    /* printable, redacted; "" when absent */
};

/* Returns 0, or -1 when body is no HEC answer (out then holds the "absent" values). */
int hec_parse_response(const char *body, size_t len, struct hec_answer *out);

enum syslog_transport { SYSLOG_UNIX, SYSLOG_UDP, SYSLOG_TCP, SYSLOG_TLS };

struct syslog_address {
	enum syslog_transport transport;
	char path[108]; /* SYSLOG_UNIX: the socket path (sun_path) */
	char host[256]; /* the others: a name, an IPv4 address or an IPv6 one without [] */
	char port[6];
};

/*
 * "unix:/dev/log", "udp://host:port", "tcp://[::1]:6514", "tls://host:port".
 * Returns 0, or -1 with a one-line reason in why.
 */
int syslog_address_parse(const char *s, struct syslog_address *out, char *why, size_t whylen);

/* "kern" .. "local7", "authpriv", ... → 0..23, or -1. */
int syslog_facility_parse(const char *name);

/*
 * Writes the RFC 5424 header "<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID
 * MSGID - " (structured data nil, one space before MSG) into buf. Fields
 * are cut to their RFC lengths and non-printable bytes become '?'; an empty
 * field is "-". Returns the length, or 0 if buf is too small.
 */
size_t syslog_format_header(char *buf, size_t cap, int pri, int64_t time_ns, const char *hostname,
			    const char *app_name, long procid, const char *msgid);

/* ---------------------------------------------------------------- shared by the network sinks */

struct json_value;

/* Where a sink reports config errors: "FILE:LINE:COLUMN: <type> output: message". */
struct sink_cfg {
	const char *file;
	const char *type;
	char *err;
	size_t errlen;
};

void sink_cfg_error(const struct sink_cfg *c, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Optional members, already checked against the sink's key table
 * (sink_config_check): 0 when absent (out untouched) or valid, -1 with an
 * error (out of memory, or a value the table did not vouch for). */
int sink_cfg_string(const struct sink_cfg *c, const struct json_value *obj, const char *key,
		    char **out);
int sink_cfg_bool(const struct sink_cfg *c, const struct json_value *obj, const char *key,
		  bool *out);
int sink_cfg_int(const struct sink_cfg *c, const struct json_value *obj, const char *key, long min,
		 long max, long *out);
/* A path member that must name a readable file. */
int sink_cfg_file(const struct sink_cfg *c, const struct json_value *obj, const char *key,
		  char **out);

/* "tls": {"verify": true, "ca_file", "client_cert", "client_key"} */
struct sink_tls {
	bool verify;
	char *ca_file, *client_cert, *client_key;
};

/* The keys of a "tls" object, for the sinks' key tables. */
extern const struct sink_config_key sink_tls_keys[];

int sink_cfg_tls(const struct sink_cfg *c, const struct json_value *cfg, struct sink_tls *out);
void sink_tls_free(struct sink_tls *t);

/*
 * A secret named by "<prefix>_file" (read now, at most 64 KiB, trailing
 * CR/LF stripped) or "<prefix>_env"; *out stays NULL when neither key is
 * there. Errors name the key and the file or variable, never the secret.
 */
int sink_cfg_secret(const struct sink_cfg *c, const struct json_value *cfg, const char *prefix,
		    char **out);

/* Overwrites and frees a secret. */
void sink_secret_free(char *s);

/* A growable byte buffer. */
struct sink_buf {
	char *p;
	size_t len, cap;
};

int sink_buf_add(struct sink_buf *b, const void *data, size_t len);
int sink_buf_addf(struct sink_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s as a JSON string literal, quotes included. */
int sink_buf_add_json_string(struct sink_buf *b, const char *s);
void sink_buf_free(struct sink_buf *b);

/* gethostname(2), or "localhost". */
void sink_local_hostname(char *buf, size_t len);

/* time_ns as RFC 3339 UTC with digits (0..9) of fraction: 2026-11-25T12:00:00.123Z */
void sink_format_time(int64_t time_ns, int digits, char *buf, size_t len);

#endif /* MCPWATCH_SINK_NET_H */
