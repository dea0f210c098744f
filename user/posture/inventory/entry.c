// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* inventory/entry: one server entry of a client config, read into an inv_server. */
#include "posture/inventory/entry.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/redact.h"
#include "posture/inventory/common.h"
#include "posture/inventory/secrets.h"
#include "lib/names.h"

/* What an entry says, validated; strings point into the JSON tree. */
struct entry_fields {
	const char *type, *command, *url, *url_key;
	const struct json_value *args, *env, *headers;
	bool disabled;
	enum inv_transport transport;
};

static void entry_diag(struct doc_ctx *c, const struct json_value *at, const char *where,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void entry_diag(struct doc_ctx *c, const struct json_value *at, const char *where,
		       const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	inv_add_diag(c->out, c->path, at->line, at->col, "%s: %s", where, msg);
}

/* *s = the string at key (NULL when absent); false (diagnosed) when not a string. */
static bool optional_string(struct doc_ctx *c, const struct json_value *e, const char *key,
			    const char *where, const char **s)
{
	const struct json_value *v = json_object_get(e, key);

	*s = NULL;
	if (!v)
		return true;
	*s = json_get_string(v);
	if (*s)
		return true;
	entry_diag(c, v, where, "\"%s\": expected a string, got %s", key,
		   v->type == JSON_STRING ? "a string holding NUL" : json_type_name(v->type));
	return false;
}

static bool optional_typed(struct doc_ctx *c, const struct json_value *e, const char *key,
			   enum json_type type, const char *where, const struct json_value **v)
{
	*v = json_object_get(e, key);
	if (!*v || (*v)->type == type)
		return true;
	entry_diag(c, *v, where, "\"%s\": expected %s, got %s", key,
		   type == JSON_ARRAY ? "an array" : "an object", json_type_name((*v)->type));
	return false;
}

static bool all_strings(struct doc_ctx *c, const struct json_value *v, const char *key,
			const char *where)
{
	size_t i, n = v->type == JSON_ARRAY ? v->array.n : v->object.n;
	const struct json_value *item;

	if (v->type == JSON_ARRAY && n > INVENTORY_MAX_ARGS) {
		entry_diag(c, v, where, "\"%s\": more than %d items", key, INVENTORY_MAX_ARGS);
		return false;
	}
	for (i = 0; i < n; i++) {
		item = v->type == JSON_ARRAY ? v->array.items[i] : v->object.members[i].value;
		if (!json_get_string(item)) {
			entry_diag(c, item, where, "\"%s\" item %zu: expected a string, got %s",
				   key, i, json_type_name(item->type));
			return false;
		}
	}
	return true;
}

static bool read_fields(struct doc_ctx *c, const struct json_value *e, const char *where,
			struct entry_fields *f)
{
	static const char *const url_keys[] = {"httpUrl", "url", "serverUrl", NULL};
	const struct json_value *v;
	const char *const *k;
	const char *url;

	if (!optional_string(c, e, "type", where, &f->type) ||
	    !optional_string(c, e, "command", where, &f->command) ||
	    !optional_typed(c, e, "args", JSON_ARRAY, where, &f->args) ||
	    !optional_typed(c, e, "env", JSON_OBJECT, where, &f->env) ||
	    !optional_typed(c, e, "headers", JSON_OBJECT, where, &f->headers))
		return false;
	if ((f->args && !all_strings(c, f->args, "args", where)) ||
	    (f->env && !all_strings(c, f->env, "env", where)) ||
	    (f->headers && !all_strings(c, f->headers, "headers", where)))
		return false;
	for (k = url_keys; *k; k++) {
		if (!optional_string(c, e, *k, where, &url))
			return false;
		if (url && !f->url) {
			f->url = url;
			f->url_key = *k;
		}
	}
	v = json_object_get(e, "disabled");
	if (v && !json_get_bool(v, &f->disabled))
		entry_diag(c, v, where, "\"disabled\": expected a boolean, got %s; ignored",
			   json_type_name(v->type));
	return true;
}

/* Without a "type": Gemini's "url" is SSE, "httpUrl" streamable HTTP; others by path. */
static enum inv_transport remote_transport(const struct doc_ctx *c, const struct entry_fields *f)
{
	size_t n = strcspn(f->url, "?#");

	if (streq(f->url_key, "httpUrl"))
		return INV_HTTP;
	if (streq(c->client, "gemini-cli") && streq(f->url_key, "url"))
		return INV_SSE;
	if (n >= 4 && strncmp(f->url + n - 4, "/sse", 4) == 0)
		return INV_SSE;
	return INV_HTTP;
}

static bool decide_transport(struct doc_ctx *c, const struct json_value *e, const char *where,
			     struct entry_fields *f)
{
	static const char *const http_types[] = {"http", "streamable-http", "streamableHttp",
						 "streamable_http", NULL};

	if (!f->type) {
		if (!f->command && !f->url) {
			entry_diag(c, e, where, "no \"command\" and no URL; entry skipped");
			return false;
		}
		f->transport = f->command ? INV_STDIO : remote_transport(c, f);
		return true;
	}
	if (streq(f->type, "stdio"))
		f->transport = INV_STDIO;
	else if (streq(f->type, "sse"))
		f->transport = INV_SSE;
	else if (in_list(f->type, http_types))
		f->transport = INV_HTTP;
	else {
		char shown[INV_NAME_SHOWN];

		inv_shown_name(f->type, shown);
		entry_diag(c, json_object_get(e, "type"), where, "unknown \"type\" \"%s\"", shown);
		return false;
	}
	if (f->transport == INV_STDIO ? !f->command : !f->url) {
		entry_diag(c, e, where, "\"type\" \"%s\" without %s; entry skipped", f->type,
			   f->transport == INV_STDIO ? "\"command\"" : "a URL");
		return false;
	}
	return true;
}

/* Arguments (and the command, as argv[0]): found secrets masked, references kept. */
static int take_argv(const struct entry_fields *f, struct inv_server *s, struct secret_scan *ss)
{
	size_t n = f->args ? f->args->array.n : 0, i, total = n + 1;
	char **lit = calloc(total, sizeof(char *)), **litr = calloc(total, sizeof(char *));
	char **red = calloc(total, sizeof(char *));
	int rc = -1;

	s->args = calloc(n ? n : 1, sizeof(char *));
	if (!lit || !litr || !red || !s->args)
		goto out;
	for (i = 0; i < total; i++) {
		const char *a = i == 0 ? f->command : json_get_string(f->args->array.items[i - 1]);

		lit[i] = secret_strip_references(a);
		litr[i] = lit[i] ? strdup(lit[i]) : NULL;
		red[i] = strdup(a);
		if (!lit[i] || !litr[i] || !red[i])
			goto out;
	}
	redact_argv(litr, (int)total);
	redact_argv(red, (int)total);
	for (i = 0; i < total; i++) {
		const char *a = i == 0 ? f->command : json_get_string(f->args->array.items[i - 1]);
		bool secret = strcmp(lit[i], litr[i]) != 0;
		const char *keep = !secret ? a : strcmp(red[i], a) ? red[i] : REDACT_MASK;

		if (secret && i == 0)
			secret_found(ss, "command holds a literal secret");
		else if (secret)
			secret_found(ss, "args[%zu] holds a literal secret", i - 1);
		if (i == 0)
			s->command = strdup(keep);
		else
			s->args[s->nargs++] = strdup(keep);
		if (i == 0 ? !s->command : !s->args[s->nargs - 1])
			goto out;
	}
	rc = 0;
out:
	if (lit)
		inv_strv_free(lit, total);
	if (litr)
		inv_strv_free(litr, total);
	if (red)
		inv_strv_free(red, total);
	return rc;
}

static int take_env(const struct entry_fields *f, struct inv_server *s, struct secret_scan *ss)
{
	const struct json_member *m;
	char shown[INV_NAME_SHOWN];
	size_t i;

	for (i = 0; f->env && i < f->env->object.n; i++) {
		m = &f->env->object.members[i];
		if (!inv_strv_push(&s->env_keys, &s->nenv, m->key))
			return -1;
		if (secret_in_pair(m->key, "=", json_get_string(m->value))) {
			inv_shown_name(m->key, shown);
			secret_found(ss, "env %s holds a literal secret", shown);
		}
	}
	return 0;
}

static void scan_headers(const struct entry_fields *f, struct secret_scan *ss)
{
	const struct json_member *m;
	char shown[INV_NAME_SHOWN];
	const char *v;
	size_t i;

	for (i = 0; f->headers && i < f->headers->object.n; i++) {
		m = &f->headers->object.members[i];
		v = json_get_string(m->value);
		if (!secret_in_pair(m->key, ": ", v))
			continue;
		inv_shown_name(m->key, shown);
		secret_found(ss, "headers.%s holds a literal %s", shown,
			     strncasecmp(v, "bearer ", 7) == 0 ? "bearer token" : "secret");
	}
}

static int take_url(const struct entry_fields *f, struct inv_server *s, struct secret_scan *ss)
{
	size_t n;

	if (!f->url)
		return 0;
	if (!secret_in_literal(f->url)) {
		s->url = strdup(f->url);
		return s->url ? 0 : -1;
	}
	secret_found(ss, "%s holds a literal secret", f->url_key);
	n = strlen(f->url);
	s->url = malloc(n + 1);
	if (!s->url)
		return -1;
	redact_string(f->url, s->url, n + 1);
	if (streq(s->url, f->url))
		snprintf(s->url, n + 1, "%s", REDACT_MASK);
	return 0;
}

void inv_server_free(struct inv_server *s)
{
	free(s->name);
	free(s->client);
	free(s->declared_in);
	free(s->user);
	free(s->project);
	free(s->command);
	inv_strv_free(s->args, s->nargs);
	free(s->url);
	inv_strv_free(s->env_keys, s->nenv);
	memset(s, 0, sizeof(*s));
}

static char *strdup_or_null(const char *s, bool *failed)
{
	char *copy = s ? strdup(s) : NULL;

	if (s && !copy)
		*failed = true;
	return copy;
}

static int build_server(struct doc_ctx *c, const char *name, const struct entry_fields *f,
			struct inv_server *s)
{
	struct secret_scan ss = {0};
	bool failed = false;

	s->name = strdup_or_null(name, &failed);
	s->client = strdup_or_null(c->client, &failed);
	s->declared_in = strdup_or_null(c->path, &failed);
	s->user = strdup_or_null(c->user, &failed);
	s->project = strdup_or_null(c->project, &failed);
	s->transport = f->transport;
	s->disabled = f->disabled;
	if (failed)
		return -1;
	if (f->transport == INV_STDIO && take_argv(f, s, &ss))
		return -1;
	if (take_env(f, s, &ss) || take_url(f, s, &ss))
		return -1;
	scan_headers(f, &ss);
	s->inline_secret = ss.count > 0;
	if (ss.count > 1) {
		size_t len = strlen(ss.evidence);

		snprintf(ss.evidence + len, sizeof(ss.evidence) - len, " (and %d more)",
			 ss.count - 1);
	}
	memcpy(s->secret_evidence, ss.evidence, sizeof(s->secret_evidence));
	if (f->transport == INV_STDIO)
		s->pin = inventory_pin_state(s->command, s->args, s->nargs, s->pin_evidence,
					     sizeof(s->pin_evidence));
	else
		s->pin =
		    inventory_pin_state(NULL, NULL, 0, s->pin_evidence, sizeof(s->pin_evidence));
	return 0;
}

static void parse_entry(struct doc_ctx *c, const char *section, const struct json_member *m)
{
	struct entry_fields f = {0};
	struct inv_server s = {0};
	char where[512], shown[INV_NAME_SHOWN];

	json_quote_for_message(m->key, m->key_len, shown, sizeof(shown));
	snprintf(where, sizeof(where), "%s.%s", section, shown);
	if (m->value->type != JSON_OBJECT) {
		entry_diag(c, m->value, where, "expected an object, got %s",
			   json_type_name(m->value->type));
		return;
	}
	if (!read_fields(c, m->value, where, &f) || !decide_transport(c, m->value, where, &f))
		return;
	if (c->out->n >= INVENTORY_MAX_SERVERS) {
		entry_diag(c, m->value, where, "more than %d servers; entry skipped",
			   INVENTORY_MAX_SERVERS);
		return;
	}
	if (build_server(c, m->key, &f, &s) ||
	    !inv_array_reserve(&c->out->servers, c->out->n, sizeof(s))) {
		inv_server_free(&s);
		c->out_of_memory = true;
		return;
	}
	c->out->servers[c->out->n++] = s;
	c->added++;
}

void inv_parse_section(struct doc_ctx *c, const char *section, const struct json_value *v)
{
	size_t i;

	if (!v)
		return;
	if (v->type != JSON_OBJECT) {
		inv_add_diag(c->out, c->path, v->line, v->col, "%s: expected an object, got %s",
			     section, json_type_name(v->type));
		return;
	}
	for (i = 0; i < v->object.n && !c->out_of_memory; i++)
		parse_entry(c, section, &v->object.members[i]);
}

const char *inventory_transport_name(enum inv_transport t)
{
	static const char *const names[] = {
	    [INV_STDIO] = "stdio", [INV_HTTP] = "http", [INV_SSE] = "sse"};

	return name_of(names, NAMES_LEN(names), t, "unknown");
}
