// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The configuration file. Keys are described by tables (one per JSON object)
 * so that the unknown-key, type and range checks are written once. A
 * document is applied to a deep copy of the current config, which replaces
 * it only when the whole document is valid.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define HOST_NAME_MAX_LEN 253
#define SELECTOR_NAME_MAX 64
#define CONFIG_ARRAY_MAX  1024

enum opt_kind {
	OPT_HOST, /* string or null */
	OPT_BOOL,
	OPT_INT,
	OPT_STRINGS,   /* array of non-empty strings */
	OPT_BASENAMES, /* array of non-empty strings without '/' */
	OPT_SELECTORS,
	OPT_OUTPUTS,
	OPT_GROUP,
};

struct opt {
	const char *key;
	enum opt_kind kind;
	size_t off;		 /* of the field in struct config */
	size_t count_off;	 /* OPT_STRINGS, OPT_BASENAMES: of its element count */
	int min, max;		 /* OPT_INT */
	bool pow2;		 /* OPT_INT: must be a power of two */
	const struct opt *group; /* OPT_GROUP: its keys, ending with key NULL */
};

#define FIELD(f) offsetof(struct config, f)
#define ARRAY(k, kind, f, n)                                                                       \
	{                                                                                          \
		k, kind, FIELD(f), FIELD(n), 0, 0, false, NULL                                     \
	}
#define INT(k, f, lo, hi, p2)                                                                      \
	{                                                                                          \
		k, OPT_INT, FIELD(f), 0, lo, hi, p2, NULL                                          \
	}
#define BOOL(k, f)                                                                                 \
	{                                                                                          \
		k, OPT_BOOL, FIELD(f), 0, 0, 0, false, NULL                                        \
	}
#define GROUP(k, g)                                                                                \
	{                                                                                          \
		k, OPT_GROUP, 0, 0, 0, 0, false, g                                                 \
	}

static const struct opt rules_opts[] = {
    BOOL("default_rules", default_rules),
    ARRAY("files", OPT_STRINGS, rules_files, nrules_files),
    {.key = NULL},
};

static const struct opt servers_opts[] = {
    {"selectors", OPT_SELECTORS, FIELD(selectors), FIELD(nselectors), 0, 0, false, NULL},
    ARRAY("ignore", OPT_STRINGS, ignore_globs, nignore_globs),
    ARRAY("launchers", OPT_BASENAMES, launchers, nlaunchers),
    {.key = NULL},
};

static const struct opt alerts_opts[] = {
    INT("aggregate_window_s", aggregate_window_s, 0, 3600, false),
    {.key = NULL},
};

static const struct opt sensor_opts[] = {
    INT("ringbuf_mb", ringbuf_mb, 1, 1024, true),
    INT("lost_report_interval_s", lost_report_interval_s, 1, 3600, false),
    {.key = NULL},
};

static const struct opt posture_opts[] = {
    BOOL("probe_tls", probe_tls),
    INT("tls_probe_timeout_ms", tls_probe_timeout_ms, 10, 60000, false),
    INT("interval_s", posture_interval_s, 10, 86400, false),
    BOOL("rate_limit", posture_rate_limit),
    INT("runtime_window_s", posture_runtime_window_s, 60, 30 * 86400, false),
    BOOL("enabled", posture_enabled),
    {.key = NULL},
};

static const struct opt top_opts[] = {
    {"host_name", OPT_HOST, FIELD(host_name), 0, 0, 0, false, NULL},
    GROUP("rules", rules_opts),
    GROUP("servers", servers_opts),
    GROUP("alerts", alerts_opts),
    GROUP("sensor", sensor_opts),
    GROUP("posture", posture_opts),
    {"outputs", OPT_OUTPUTS, 0, 0, 0, 0, false, NULL},
    {.key = NULL},
};

struct loader {
	struct config *c;
	const char *name;
	const char *buf; /* the document, for the raw "outputs" text */
	FILE *diag;
	int errors;
};

static void report_at(struct loader *ld, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void report_at(struct loader *ld, int line, int col, const char *fmt, ...)
{
	va_list ap;

	ld->errors++;
	if (!ld->diag)
		return;
	fprintf(ld->diag, "%s:%d:%d: ", ld->name, line, col);
	va_start(ap, fmt);
	vfprintf(ld->diag, fmt, ap);
	va_end(ap);
	fputc('\n', ld->diag);
}

#define report(ld, v, ...) report_at(ld, (v)->line, (v)->col, __VA_ARGS__)

/* ------------------------------------------------------------------ memory */

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->default_rules = true;
	c->aggregate_window_s = 60;
	c->ringbuf_mb = 16;
	c->lost_report_interval_s = 10;
	c->probe_tls = true;
	c->tls_probe_timeout_ms = 500;
	c->posture_interval_s = 300;
	c->posture_rate_limit = false;
	c->posture_runtime_window_s = 3600;
	c->posture_enabled = true;
}

static void strings_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void selectors_free(struct config_selector *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(s[i].name);
		free(s[i].cmdline_glob);
	}
	free(s);
}

void config_free(struct config *c)
{
	if (!c)
		return;
	free(c->host_name);
	strings_free(c->rules_files, c->nrules_files);
	selectors_free(c->selectors, c->nselectors);
	strings_free(c->ignore_globs, c->nignore_globs);
	strings_free(c->launchers, c->nlaunchers);
	free(c->outputs_json);
	config_defaults(c);
}

static bool dup_or_null(char **dst, const char *src)
{
	*dst = src ? strdup(src) : NULL;
	return !src || *dst;
}

static bool strings_copy(char ***dst, char *const *src, size_t n)
{
	size_t i;

	*dst = n ? calloc(n, sizeof(**dst)) : NULL;
	if (n && !*dst)
		return false;
	for (i = 0; i < n; i++)
		if (!dup_or_null(&(*dst)[i], src[i]))
			return false;
	return true;
}

static bool selectors_copy(struct config_selector **dst, const struct config_selector *src,
			   size_t n)
{
	size_t i;

	*dst = n ? calloc(n, sizeof(**dst)) : NULL;
	if (n && !*dst)
		return false;
	for (i = 0; i < n; i++)
		if (!dup_or_null(&(*dst)[i].name, src[i].name) ||
		    !dup_or_null(&(*dst)[i].cmdline_glob, src[i].cmdline_glob))
			return false;
	return true;
}

/* Deep copy. Counts are set only with their arrays, so that on failure
 * config_free(dst) frees exactly what was copied. */
static bool config_copy(struct config *dst, const struct config *src)
{
	*dst = *src;
	dst->host_name = dst->outputs_json = NULL;
	dst->rules_files = dst->ignore_globs = dst->launchers = NULL;
	dst->selectors = NULL;
	dst->nrules_files = dst->nignore_globs = dst->nlaunchers = dst->nselectors = 0;
	if (!dup_or_null(&dst->host_name, src->host_name) ||
	    !dup_or_null(&dst->outputs_json, src->outputs_json))
		return false;
	if (!strings_copy(&dst->rules_files, src->rules_files, src->nrules_files))
		return false;
	dst->nrules_files = src->nrules_files;
	if (!strings_copy(&dst->ignore_globs, src->ignore_globs, src->nignore_globs))
		return false;
	dst->nignore_globs = src->nignore_globs;
	if (!strings_copy(&dst->launchers, src->launchers, src->nlaunchers))
		return false;
	dst->nlaunchers = src->nlaunchers;
	if (!selectors_copy(&dst->selectors, src->selectors, src->nselectors))
		return false;
	dst->nselectors = src->nselectors;
	return true;
}

/* ------------------------------------------------------------------ values */

static void *field_at(struct loader *ld, size_t off)
{
	return (char *)ld->c + off;
}

static bool is_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* A non-empty, NUL-free, printable string, or NULL with an error. */
static const char *want_text(struct loader *ld, const struct json_value *v, const char *what)
{
	const char *s = json_get_string(v);

	if (v->type != JSON_STRING)
		report(ld, v, "%s must be a string, not %s", what, json_type_name(v->type));
	else if (!s || !is_printable(s))
		report(ld, v, "%s must not contain control characters", what);
	else if (!*s)
		report(ld, v, "%s must not be empty", what);
	else
		return s;
	return NULL;
}

static void set_host(struct loader *ld, const struct opt *o, const struct json_value *v)
{
	char **dst = field_at(ld, o->off);
	const char *s;

	if (v->type == JSON_NULL) {
		free(*dst);
		*dst = NULL;
		return;
	}
	s = want_text(ld, v, "\"host_name\"");
	if (!s)
		return;
	if (strlen(s) > HOST_NAME_MAX_LEN || strpbrk(s, " \t")) {
		report(ld, v, "\"host_name\" must be at most %d characters without spaces",
		       HOST_NAME_MAX_LEN);
		return;
	}
	free(*dst);
	*dst = strdup(s);
	if (!*dst)
		report(ld, v, "out of memory");
}

static void set_bool(struct loader *ld, const struct opt *o, const struct json_value *v)
{
	if (!json_get_bool(v, field_at(ld, o->off)))
		report(ld, v, "\"%s\" must be true or false, not %s", o->key,
		       json_type_name(v->type));
}

static void set_int(struct loader *ld, const struct opt *o, const struct json_value *v)
{
	int64_t x;

	if (!json_get_int(v, &x)) {
		report(ld, v, "\"%s\" must be an integer, not %s", o->key,
		       v->type == JSON_NUMBER ? "a fractional number" : json_type_name(v->type));
		return;
	}
	if (x < o->min || x > o->max) {
		report(ld, v, "\"%s\" is %lld; it must be between %d and %d", o->key, (long long)x,
		       o->min, o->max);
		return;
	}
	if (o->pow2 && (x & (x - 1))) {
		report(ld, v, "\"%s\" is %lld; it must be a power of two", o->key, (long long)x);
		return;
	}
	*(int *)field_at(ld, o->off) = (int)x;
}

static bool want_array(struct loader *ld, const struct opt *o, const struct json_value *v)
{
	if (v->type != JSON_ARRAY) {
		report(ld, v, "\"%s\" must be an array, not %s", o->key, json_type_name(v->type));
		return false;
	}
	if (v->array.n > CONFIG_ARRAY_MAX) {
		report(ld, v, "\"%s\" has more than %d entries", o->key, CONFIG_ARRAY_MAX);
		return false;
	}
	return true;
}

static void set_strings(struct loader *ld, const struct opt *o, const struct json_value *v)
{
	char ***dst = field_at(ld, o->off), **out;
	size_t *count = field_at(ld, o->count_off), i, n = 0;
	int errors = ld->errors;
	const char *s;

	if (!want_array(ld, o, v))
		return;
	out = calloc(v->array.n ? v->array.n : 1, sizeof(*out));
	if (!out) {
		report(ld, v, "out of memory");
		return;
	}
	for (i = 0; i < v->array.n; i++) {
		s = want_text(ld, v->array.items[i], "an entry");
		if (s && o->kind == OPT_BASENAMES && strchr(s, '/'))
			report(ld, v->array.items[i], "a launcher is a program name, without '/'");
		else if (s && !(out[n++] = strdup(s)))
			report(ld, v->array.items[i], "out of memory");
	}
	if (ld->errors != errors) {
		strings_free(out, n);
		return;
	}
	strings_free(*dst, *count);
	*dst = out;
	*count = n;
}

static bool parse_selector(struct loader *ld, const struct json_value *v,
			   struct config_selector *sel)
{
	const struct json_value *name = json_object_get(v, "name");
	const struct json_value *cmd = json_object_get(v, "cmdline");
	const char *n = NULL, *g = NULL;
	size_t i;

	if (v->type != JSON_OBJECT) {
		report(ld, v, "a selector must be an object {\"name\", \"cmdline\"}, not %s",
		       json_type_name(v->type));
		return false;
	}
	for (i = 0; i < v->object.n; i++) {
		const struct json_member *m = &v->object.members[i];

		if (strcmp(m->key, "name") && strcmp(m->key, "cmdline"))
			report_at(ld, m->line, m->col,
				  "unknown key in a selector (expected name, cmdline)");
	}
	if (!name || !cmd) {
		report(ld, v, "a selector needs \"name\" and \"cmdline\"");
		return false;
	}
	n = want_text(ld, name, "\"name\"");
	g = want_text(ld, cmd, "\"cmdline\"");
	if (n && strlen(n) > SELECTOR_NAME_MAX) {
		report(ld, name, "\"name\" must be at most %d characters", SELECTOR_NAME_MAX);
		return false;
	}
	if (!n || !g)
		return false;
	if (!(sel->name = strdup(n)) || !(sel->cmdline_glob = strdup(g))) {
		report(ld, v, "out of memory");
		return false;
	}
	return true;
}

static void set_selectors(struct loader *ld, const struct opt *o, const struct json_value *v)
{
	struct config_selector *out;
	size_t i;
	bool ok = true;

	if (!want_array(ld, o, v))
		return;
	out = calloc(v->array.n ? v->array.n : 1, sizeof(*out));
	if (!out) {
		report(ld, v, "out of memory");
		return;
	}
	for (i = 0; i < v->array.n; i++)
		ok = parse_selector(ld, v->array.items[i], &out[i]) && ok;
	if (!ok) {
		selectors_free(out, v->array.n);
		return;
	}
	selectors_free(ld->c->selectors, ld->c->nselectors);
	ld->c->selectors = out;
	ld->c->nselectors = v->array.n;
}

/* Outputs belong to another module: check the shape, keep the text. */
static void set_outputs(struct loader *ld, const struct opt *o, const struct json_value *v)
{
	char *raw;

	if (!want_array(ld, o, v))
		return;
	raw = strndup(ld->buf + v->offset, v->length);
	if (!raw) {
		report(ld, v, "out of memory");
		return;
	}
	free(ld->c->outputs_json);
	ld->c->outputs_json = raw;
	ld->c->noutputs = v->array.n;
}

/* ------------------------------------------------------------------ walking */

static void apply_object(struct loader *ld, const struct opt *opts, const struct json_value *obj,
			 const char *where);

static void expected_keys(const struct opt *opts, char *out, size_t outlen)
{
	size_t n = 0;

	out[0] = '\0';
	for (; opts->key && n < outlen; opts++)
		n += (size_t)snprintf(out + n, outlen - n, "%s%s", n ? ", " : "", opts->key);
}

static const struct opt *find_opt(const struct opt *opts, const struct json_member *m)
{
	for (; opts->key; opts++)
		if (strlen(opts->key) == m->key_len && !strcmp(opts->key, m->key))
			return opts;
	return NULL;
}

static void apply_member(struct loader *ld, const struct opt *o, const struct json_value *v)
{
	switch (o->kind) {
	case OPT_HOST:
		set_host(ld, o, v);
		break;
	case OPT_BOOL:
		set_bool(ld, o, v);
		break;
	case OPT_INT:
		set_int(ld, o, v);
		break;
	case OPT_STRINGS:
	case OPT_BASENAMES:
		set_strings(ld, o, v);
		break;
	case OPT_SELECTORS:
		set_selectors(ld, o, v);
		break;
	case OPT_OUTPUTS:
		set_outputs(ld, o, v);
		break;
	case OPT_GROUP:
		apply_object(ld, o->group, v, o->key);
		break;
	}
}

static void apply_object(struct loader *ld, const struct opt *opts, const struct json_value *obj,
			 const char *where)
{
	char key[64], expected[256];
	const struct opt *o;
	size_t i;

	if (obj->type != JSON_OBJECT) {
		report(ld, obj, "%s%s%s must be an object, not %s", where ? "\"" : "",
		       where ? where : "the configuration", where ? "\"" : "",
		       json_type_name(obj->type));
		return;
	}
	for (i = 0; i < obj->object.n; i++) {
		const struct json_member *m = &obj->object.members[i];

		o = find_opt(opts, m);
		if (o) {
			apply_member(ld, o, m->value);
			continue;
		}
		json_quote_for_message(m->key, m->key_len, key, sizeof(key));
		expected_keys(opts, expected, sizeof(expected));
		report_at(ld, m->line, m->col, "unknown key \"%s\"%s%s (expected %s)", key,
			  where ? " in " : "", where ? where : "", expected);
	}
}

int config_load_buffer(struct config *c, const char *name, const char *buf, size_t len, FILE *diag)
{
	struct config work;
	struct loader ld = {&work, name ? name : "<config>", buf, diag, 0};
	struct json_error err;
	struct json_value *doc;

	if (!c)
		return -1;
	doc = json_parse(buf, len, &err);
	if (!doc) {
		if (diag)
			fprintf(diag, "%s:%d:%d: %s\n", ld.name, err.line, err.col, err.message);
		return -1;
	}
	if (!config_copy(&work, c)) {
		if (diag)
			fprintf(diag, "%s: out of memory\n", ld.name);
		ld.errors++;
	} else {
		apply_object(&ld, top_opts, doc, NULL);
	}
	json_free(doc);
	if (ld.errors) {
		config_free(&work);
		return -1;
	}
	config_free(c);
	*c = work;
	return 0;
}

int config_load_file(struct config *c, const char *path, FILE *diag)
{
	char why[128], *buf;
	size_t len = 0;
	int rc;

	if (!c || !path)
		return -1;
	buf = json_read_file(path, CONFIG_FILE_MAX, &len, why, sizeof(why));
	if (!buf) {
		if (diag)
			fprintf(diag, "%s: %s\n", path, why);
		return -1;
	}
	rc = config_load_buffer(c, path, buf, len, diag);
	free(buf);
	return rc;
}
