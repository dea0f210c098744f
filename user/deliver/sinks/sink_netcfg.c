// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * What the network sinks share: reading their config keys with positions,
 * secrets from files or the environment, TLS options, and a byte buffer.
 */
#include "deliver/sinks/sink_net.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/json.h"
#include "lib/clock.h"
#include "lib/diag.h"

#define SECRET_FILE_MAX (64 * 1024)

void sink_cfg_error(const struct sink_cfg *c, int line, int col, const char *fmt, ...)
{
	char msg[DIAG_LINE_MAX];
	va_list ap;

	if (!c->err || !c->errlen)
		return;
	/* Keep the first error: it is the one that explains the others. */
	if (c->err[0])
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_format(c->err, c->errlen, c->file ? c->file : "<config>", line, col, "%s output: %s",
		    c->type, msg);
}

static int wrong_type(const struct sink_cfg *c, const struct json_value *v, const char *key,
		      const char *want)
{
	sink_cfg_error(c, v->line, v->col, "\"%s\" must be %s, not %s", key, want,
		       json_type_name(v->type));
	return -1;
}

int sink_cfg_string(const struct sink_cfg *c, const struct json_value *obj, const char *key,
		    char **out)
{
	const struct json_value *v = json_object_get(obj, key);
	const char *s;

	if (!v)
		return 0;
	s = json_get_string(v);
	if (!s)
		return wrong_type(c, v, key, "a string without NUL bytes");
	free(*out);
	*out = strdup(s);
	if (!*out) {
		sink_cfg_error(c, v->line, v->col, "out of memory");
		return -1;
	}
	return 0;
}

int sink_cfg_bool(const struct sink_cfg *c, const struct json_value *obj, const char *key,
		  bool *out)
{
	const struct json_value *v = json_object_get(obj, key);

	if (!v)
		return 0;
	if (!json_get_bool(v, out))
		return wrong_type(c, v, key, "true or false");
	return 0;
}

int sink_cfg_int(const struct sink_cfg *c, const struct json_value *obj, const char *key, long min,
		 long max, long *out)
{
	const struct json_value *v = json_object_get(obj, key);
	int64_t i;

	if (!v)
		return 0;
	if (!json_get_int(v, &i))
		return wrong_type(c, v, key, "an integer");
	if (i < min || i > max) {
		sink_cfg_error(c, v->line, v->col, "\"%s\" must be between %ld and %ld, not %lld",
			       key, min, max, (long long)i);
		return -1;
	}
	*out = (long)i;
	return 0;
}

int sink_cfg_file(const struct sink_cfg *c, const struct json_value *obj, const char *key,
		  char **out)
{
	const struct json_value *v = json_object_get(obj, key);
	char shown[128];

	if (!v)
		return 0;
	if (sink_cfg_string(c, obj, key, out))
		return -1;
	if (access(*out, R_OK) != 0) {
		json_quote_for_message(*out, strlen(*out), shown, sizeof(shown));
		sink_cfg_error(c, v->line, v->col, "\"%s\": \"%s\": %s", key, shown,
			       strerror(errno));
		return -1;
	}
	return 0;
}

const struct sink_config_key sink_tls_keys[] = {
    {.name = "verify",
     .type = SINK_KEY_BOOL,
     .def = "true",
     .help = "verify the receiver's certificate"},
    {.name = "ca_file",
     .type = SINK_KEY_STRING,
     .help = "PEM CA bundle; default: the system store"},
    {.name = "client_cert",
     .type = SINK_KEY_STRING,
     .help = "PEM client certificate (with client_key)"},
    {.name = "client_key", .type = SINK_KEY_STRING, .help = "PEM client key (with client_cert)"},
    {.name = NULL},
};

int sink_cfg_tls(const struct sink_cfg *c, const struct json_value *cfg, struct sink_tls *out)
{
	const struct json_value *tls = json_object_get(cfg, "tls");

	memset(out, 0, sizeof(*out));
	out->verify = true;
	if (!tls)
		return 0;
	if (sink_cfg_bool(c, tls, "verify", &out->verify) ||
	    sink_cfg_file(c, tls, "ca_file", &out->ca_file) ||
	    sink_cfg_file(c, tls, "client_cert", &out->client_cert) ||
	    sink_cfg_file(c, tls, "client_key", &out->client_key))
		return -1;
	if (!out->client_cert != !out->client_key) {
		sink_cfg_error(c, tls->line, tls->col,
			       "\"tls\": \"client_cert\" and \"client_key\" go together");
		return -1;
	}
	return 0;
}

void sink_tls_free(struct sink_tls *t)
{
	free(t->ca_file);
	free(t->client_cert);
	free(t->client_key);
	memset(t, 0, sizeof(*t));
}

void sink_secret_free(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

/* A secret goes into a header line: no control bytes, nothing empty. */
static int check_secret(const struct sink_cfg *c, const struct json_value *v, const char *key,
			const char *where, char *secret)
{
	size_t n = strlen(secret);

	while (n > 0 && (secret[n - 1] == '\n' || secret[n - 1] == '\r'))
		secret[--n] = '\0';
	if (n == 0) {
		sink_cfg_error(c, v->line, v->col, "\"%s\": %s is empty", key, where);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)secret[i];

		if (ch < 0x20 || ch == 0x7f) {
			sink_cfg_error(c, v->line, v->col,
				       "\"%s\": %s holds a control character (the secret must be "
				       "one line)",
				       key, where);
			return -1;
		}
	}
	return 0;
}

static int read_secret_file(const struct sink_cfg *c, const struct json_value *v, const char *key,
			    char **out)
{
	char why[96], shown[128], where[160];
	const char *path = json_get_string(v);
	size_t len = 0;
	char *buf;

	if (!path)
		return wrong_type(c, v, key, "a string without NUL bytes");
	json_quote_for_message(path, strlen(path), shown, sizeof(shown));
	buf = json_read_file(path, SECRET_FILE_MAX, &len, why, sizeof(why));
	if (!buf) {
		sink_cfg_error(c, v->line, v->col, "\"%s\": \"%s\": %s", key, shown, why);
		return -1;
	}
	snprintf(where, sizeof(where), "file \"%s\"", shown);
	if (memchr(buf, '\0', len)) {
		sink_cfg_error(c, v->line, v->col, "\"%s\": %s holds a NUL byte", key, where);
		explicit_bzero(buf, len);
		free(buf);
		return -1;
	}
	if (check_secret(c, v, key, where, buf)) {
		sink_secret_free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

static int read_secret_env(const struct sink_cfg *c, const struct json_value *v, const char *key,
			   char **out)
{
	const char *name = json_get_string(v), *val;
	char shown[128], where[160];

	if (!name)
		return wrong_type(c, v, key, "a string without NUL bytes");
	json_quote_for_message(name, strlen(name), shown, sizeof(shown));
	val = getenv(name);
	if (!val) {
		sink_cfg_error(c, v->line, v->col, "\"%s\": environment variable \"%s\" is not set",
			       key, shown);
		return -1;
	}
	snprintf(where, sizeof(where), "environment variable \"%s\"", shown);
	*out = strdup(val);
	if (!*out) {
		sink_cfg_error(c, v->line, v->col, "out of memory");
		return -1;
	}
	if (check_secret(c, v, key, where, *out)) {
		sink_secret_free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

int sink_cfg_secret(const struct sink_cfg *c, const struct json_value *cfg, const char *prefix,
		    char **out)
{
	char fkey[48], ekey[48];
	const struct json_value *f, *e;

	snprintf(fkey, sizeof(fkey), "%s_file", prefix);
	snprintf(ekey, sizeof(ekey), "%s_env", prefix);
	f = json_object_get(cfg, fkey);
	e = json_object_get(cfg, ekey);
	*out = NULL;
	if (f && e) {
		sink_cfg_error(c, e->line, e->col, "\"%s\" and \"%s\" exclude each other", fkey,
			       ekey);
		return -1;
	}
	if (f)
		return read_secret_file(c, f, fkey, out);
	if (e)
		return read_secret_env(c, e, ekey, out);
	return 0;
}

/* ---------------------------------------------------------------- buffer */

static int buf_reserve(struct sink_buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *p;

	if (b->len + more + 1 <= b->cap)
		return 0;
	while (cap < b->len + more + 1) {
		if (cap > SIZE_MAX / 2)
			return -ENOMEM;
		cap *= 2;
	}
	p = realloc(b->p, cap);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

int sink_buf_add(struct sink_buf *b, const void *data, size_t len)
{
	if (buf_reserve(b, len))
		return -ENOMEM;
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
	return 0;
}

int sink_buf_addf(struct sink_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_reserve(b, (size_t)n))
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int sink_buf_add_json_string(struct sink_buf *b, const char *s)
{
	int rc = sink_buf_add(b, "\"", 1);

	for (; !rc && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			rc = sink_buf_addf(b, "\\%c", ch);
		else if (ch < 0x20)
			rc = sink_buf_addf(b, "\\u%04x", ch);
		else
			rc = sink_buf_add(b, s, 1);
	}
	return rc ? rc : sink_buf_add(b, "\"", 1);
}

void sink_buf_free(struct sink_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void sink_local_hostname(char *buf, size_t len)
{
	if (gethostname(buf, len) != 0 || !buf[0])
		snprintf(buf, len, "localhost");
	buf[len - 1] = '\0';
}

void sink_format_time(int64_t time_ns, int digits, char *buf, size_t len)
{
	rfc3339_format(time_ns, digits, buf, len);
}
