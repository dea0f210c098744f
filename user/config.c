// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The configuration file. Keys are described by tables (one per JSON object)
 * so that the unknown-key, type and range checks are written once. A
 * document is applied to a deep copy of the current config, which replaces
 * it only when the whole document is valid.
 */
#include "config.h"

#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "lib/redact.h"
#include "deliver/output.h"
#include "deliver/sinks/sink.h"
#include "lib/diag.h"

#define HOST_NAME_MAX_LEN 253
#define SELECTOR_NAME_MAX 64
#define CONFIG_ARRAY_MAX  1024
#define CONFIG_PATH_MAX	  4000
#define PATTERN_LEN_MAX	  512
#define PATTERN_SIZE_MAX  10000 /* repeated atoms, see pattern_size */

enum opt_kind {
	OPT_HOST, /* string or null */
	OPT_BOOL,
	OPT_INT,
	OPT_STRINGS,   /* array of non-empty strings */
	OPT_BASENAMES, /* array of non-empty strings without '/' */
	OPT_SELECTORS,
	OPT_OUTPUTS,
	OPT_PATH,     /* absolute path */
	OPT_PATTERNS, /* array of POSIX extended regular expressions */
	OPT_CHOICE,   /* one string of choices; the field holds its index */
	OPT_DNSNAME,  /* a DNS subdomain (a Kubernetes node name) */
	OPT_URL,      /* an http:// or https:// URL without spaces */
	OPT_GROUP,
};

struct opt {
	const char *key;
	enum opt_kind kind;
	size_t off;		    /* of the field in struct config */
	size_t count_off;	    /* OPT_STRINGS, OPT_BASENAMES: of its element count */
	int min, max;		    /* OPT_INT */
	bool pow2;		    /* OPT_INT: must be a power of two */
	const struct opt *group;    /* OPT_GROUP: its keys, ending with key NULL */
	const char *const *choices; /* OPT_CHOICE: the strings, ending with NULL */
};

#define FIELD(f) offsetof(struct config, f)
#define ARRAY(k, kind_, f, n)                                                                      \
	{                                                                                          \
		.key = k, .kind = kind_, .off = FIELD(f), .count_off = FIELD(n)                    \
	}
#define INT(k, f, lo, hi, p2)                                                                      \
	{                                                                                          \
		.key = k, .kind = OPT_INT, .off = FIELD(f), .min = lo, .max = hi, .pow2 = p2       \
	}
#define BOOL(k, f)                                                                                 \
	{                                                                                          \
		.key = k, .kind = OPT_BOOL, .off = FIELD(f)                                        \
	}
#define GROUP(k, g)                                                                                \
	{                                                                                          \
		.key = k, .kind = OPT_GROUP, .group = g                                            \
	}

static const struct opt rules_opts[] = {
    BOOL("default_rules", default_rules),
    ARRAY("files", OPT_STRINGS, rules_files, nrules_files),
    {.key = NULL},
};

static const struct opt servers_opts[] = {
    ARRAY("selectors", OPT_SELECTORS, selectors, nselectors),
    ARRAY("ignore", OPT_STRINGS, ignore_globs, nignore_globs),
    ARRAY("launchers", OPT_BASENAMES, launchers, nlaunchers),
    INT("hold_ms", hold_ms, 0, 60000, false),
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
    {.key = "fs_root", .kind = OPT_PATH, .off = FIELD(posture_fs_root)},
    ARRAY("home_dirs", OPT_STRINGS, posture_home_dirs, nposture_home_dirs),
    {.key = NULL},
};

static const struct opt tap_opts[] = {
    BOOL("enabled", tap_enabled),
    {.key = NULL},
};

static const struct opt health_opts[] = {
    {.key = "file", .kind = OPT_PATH, .off = FIELD(health_file)},
    {.key = "metrics_file", .kind = OPT_PATH, .off = FIELD(health_metrics_file)},
    INT("interval_s", health_interval_s, 1, 3600, false),
    {.key = NULL},
};

static const char *const audit_argument_choices[] = {"keys", "redacted", NULL};

static const struct opt audit_opts[] = {
    BOOL("tool_calls", audit_tool_calls),
    {.key = "arguments",
     .kind = OPT_CHOICE,
     .off = FIELD(audit_arguments),
     .choices = audit_argument_choices},
    {.key = NULL},
};

static const char *const auto_on_off[] = {"auto", "on", "off", NULL};

static const struct opt metadata_opts[] = {
    {.key = "enabled", .kind = OPT_CHOICE, .off = FIELD(metadata_enabled), .choices = auto_on_off},
    {.key = "runtime_socket", .kind = OPT_PATH, .off = FIELD(metadata_runtime_socket)},
    {.key = "host_root", .kind = OPT_PATH, .off = FIELD(metadata_host_root)},
    {.key = "kubernetes",
     .kind = OPT_CHOICE,
     .off = FIELD(metadata_kubernetes),
     .choices = auto_on_off},
    {.key = "node_name", .kind = OPT_DNSNAME, .off = FIELD(metadata_node_name)},
    {.key = "api_url", .kind = OPT_URL, .off = FIELD(metadata_api_url)},
    {.key = "ca_file", .kind = OPT_PATH, .off = FIELD(metadata_ca_file)},
    {.key = "token_file", .kind = OPT_PATH, .off = FIELD(metadata_token_file)},
    {.key = NULL},
};

static const struct opt redaction_opts[] = {
    ARRAY("patterns", OPT_PATTERNS, redact_patterns, nredact_patterns),
    {.key = NULL},
};

static const struct opt top_opts[] = {
    {.key = "host_name", .kind = OPT_HOST, .off = FIELD(host_name)},
    GROUP("rules", rules_opts),
    GROUP("servers", servers_opts),
    GROUP("alerts", alerts_opts),
    GROUP("sensor", sensor_opts),
    GROUP("posture", posture_opts),
    GROUP("tap", tap_opts),
    GROUP("audit", audit_opts),
    GROUP("health", health_opts),
    {.key = "outputs", .kind = OPT_OUTPUTS},
    {.key = "spool_dir", .kind = OPT_PATH, .off = FIELD(spool_dir)},
    GROUP("redaction", redaction_opts),
    GROUP("metadata", metadata_opts),
    {.key = NULL},
};

struct loader {
	struct config *c;
	const char *name;
	struct json_value *root; /* the parsed document */
	bool root_kept;		 /* by a config_doc: "outputs" point into it */
	struct diag *diag;	 /* never NULL: a quiet one when the caller wants none */
	unsigned base;		 /* diag->count when this load started */
};

/* Errors of this load so far. */
static unsigned load_errors(const struct loader *ld)
{
	return ld->diag->count - ld->base;
}

/* A parsed document that set "outputs", shared by the copies of a config. */
struct config_doc {
	unsigned refs;
	struct json_value *root;
	char *name;
};

static void doc_release(struct config_doc *d)
{
	if (!d || --d->refs)
		return;
	json_free(d->root);
	free(d->name);
	free(d);
}

static void report_at(struct loader *ld, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void report_at(struct loader *ld, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(ld->diag, ld->name, line, col, fmt, ap);
	va_end(ap);
}

#define report(ld, v, ...) report_at(ld, (v)->line, (v)->col, __VA_ARGS__)

/* ------------------------------------------------------------------ memory */

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->default_rules = true;
	c->aggregate_window_s = 60;
	c->ringbuf_mb = 8;
	c->lost_report_interval_s = 10;
	c->probe_tls = true;
	c->tls_probe_timeout_ms = 500;
	c->posture_interval_s = 300;
	c->posture_rate_limit = false;
	c->posture_runtime_window_s = 3600;
	c->posture_enabled = true;
	c->tap_enabled = true;
	c->hold_ms = 3000;
	c->health_interval_s = 10;
}

static void strings_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void outputs_free(struct config_output *o, size_t n)
{
	size_t i;

	for (i = 0; o && i < n; i++) {
		free(o[i].type);
		free(o[i].name);
	}
	free(o);
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
	strings_free(c->posture_home_dirs, c->nposture_home_dirs);
	outputs_free(c->outputs, c->noutputs);
	doc_release(c->outputs_doc);
	free(c->spool_dir);
	free(c->posture_fs_root);
	free(c->health_file);
	free(c->health_metrics_file);
	free(c->metadata_runtime_socket);
	free(c->metadata_host_root);
	free(c->metadata_node_name);
	free(c->metadata_api_url);
	free(c->metadata_ca_file);
	free(c->metadata_token_file);
	strings_free(c->redact_patterns, c->nredact_patterns);
	config_defaults(c);
}

static bool dup_or_null(char **dst, const char *src)
{
	*dst = src ? strdup(src) : NULL;
	return !src || *dst;
}

/* Copies n strings and their count; false when out of memory. */
static bool strings_copy(char ***dst, size_t *ndst, char *const *src, size_t n)
{
	size_t i;

	*dst = n ? calloc(n, sizeof(**dst)) : NULL;
	if (n && !*dst)
		return false;
	*ndst = n;
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

/* Sets *count with the array so that config_free frees a partial copy. */
static bool outputs_copy(struct config_output **dst, size_t *count, const struct config_output *src,
			 size_t n)
{
	size_t i;

	*dst = n ? calloc(n, sizeof(**dst)) : NULL;
	if (n && !*dst)
		return false;
	*count = n;
	for (i = 0; i < n; i++) {
		(*dst)[i] = src[i];
		(*dst)[i].type = (*dst)[i].name = NULL;
		if (!dup_or_null(&(*dst)[i].type, src[i].type) ||
		    !dup_or_null(&(*dst)[i].name, src[i].name))
			return false;
	}
	return true;
}

/* Deep copy. Counts are set only with their arrays, so that on failure
 * config_free(dst) frees exactly what was copied. */
static bool config_copy(struct config *dst, const struct config *src)
{
	*dst = *src;
	dst->host_name = NULL;
	/* The document is read-only: copies share it. */
	if (dst->outputs_doc)
		dst->outputs_doc->refs++;
	dst->spool_dir = dst->posture_fs_root = dst->health_file = dst->health_metrics_file = NULL;
	dst->rules_files = dst->ignore_globs = dst->launchers = dst->redact_patterns = NULL;
	dst->posture_home_dirs = NULL;
	dst->nposture_home_dirs = 0;
	dst->metadata_runtime_socket = dst->metadata_host_root = dst->metadata_node_name = NULL;
	dst->metadata_api_url = dst->metadata_ca_file = dst->metadata_token_file = NULL;
	dst->selectors = NULL;
	dst->outputs = NULL;
	dst->nrules_files = dst->nignore_globs = dst->nlaunchers = dst->nselectors = 0;
	dst->noutputs = dst->nredact_patterns = 0;
	if (!dup_or_null(&dst->host_name, src->host_name) ||
	    !dup_or_null(&dst->spool_dir, src->spool_dir) ||
	    !dup_or_null(&dst->posture_fs_root, src->posture_fs_root) ||
	    !dup_or_null(&dst->health_file, src->health_file) ||
	    !dup_or_null(&dst->health_metrics_file, src->health_metrics_file) ||
	    !dup_or_null(&dst->metadata_runtime_socket, src->metadata_runtime_socket) ||
	    !dup_or_null(&dst->metadata_host_root, src->metadata_host_root) ||
	    !dup_or_null(&dst->metadata_node_name, src->metadata_node_name) ||
	    !dup_or_null(&dst->metadata_api_url, src->metadata_api_url) ||
	    !dup_or_null(&dst->metadata_ca_file, src->metadata_ca_file) ||
	    !dup_or_null(&dst->metadata_token_file, src->metadata_token_file))
		return false;
	if (!outputs_copy(&dst->outputs, &dst->noutputs, src->outputs, src->noutputs))
		return false;
	if (!strings_copy(&dst->redact_patterns, &dst->nredact_patterns, src->redact_patterns,
			  src->nredact_patterns) ||
	    !strings_copy(&dst->rules_files, &dst->nrules_files, src->rules_files,
			  src->nrules_files) ||
	    !strings_copy(&dst->ignore_globs, &dst->nignore_globs, src->ignore_globs,
			  src->nignore_globs) ||
	    !strings_copy(&dst->launchers, &dst->nlaunchers, src->launchers, src->nlaunchers) ||
	    !strings_copy(&dst->posture_home_dirs, &dst->nposture_home_dirs, src->posture_home_dirs,
			  src->nposture_home_dirs))
		return false;
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

static void set_choice(struct loader *ld, const struct opt *o, const struct json_value *v)
{
	const char *s = json_get_string(v);
	char allowed[256] = "";

	for (int i = 0; o->choices[i]; i++) {
		if (s && !strcmp(s, o->choices[i])) {
			*(int *)field_at(ld, o->off) = i;
			return;
		}
		snprintf(allowed + strlen(allowed), sizeof(allowed) - strlen(allowed), "%s\"%s\"",
			 i ? ", " : "", o->choices[i]);
	}
	report(ld, v, "\"%s\" must be one of %s", o->key, allowed);
}

static void set_bool(struct loader *ld, const struct opt *o, const struct json_value *v)
{
	if (!json_get_bool(v, field_at(ld, o->off)))
		report(ld, v, "\"%s\" must be true or false, not %s", o->key,
		       json_type_name(v->type));
}

/* The integer at v, or false with a diagnostic when it is not one in [min, max]. */
static bool int_in_range(struct loader *ld, const char *key, const struct json_value *v,
			 long long min, long long max, int64_t *x)
{
	if (!json_get_int(v, x)) {
		report(ld, v, "\"%s\" must be an integer, not %s", key,
		       v->type == JSON_NUMBER ? "a fractional number" : json_type_name(v->type));
		return false;
	}
	if (*x < min || *x > max) {
		report(ld, v, "\"%s\" is %lld; it must be between %lld and %lld", key,
		       (long long)*x, min, max);
		return false;
	}
	return true;
}

static void set_int(struct loader *ld, const struct opt *o, const struct json_value *v)
{
	int64_t x;

	if (!int_in_range(ld, o->key, v, o->min, o->max, &x))
		return;
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
	unsigned errors = load_errors(ld);
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
	if (load_errors(ld) != errors) {
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

/* ------------------------------------------------------------------ outputs */

enum out_key_kind { OUT_TYPE, OUT_NAME, OUT_FORMAT, OUT_ENABLED, OUT_INT };

/* The keys every output object may have; the rest belong to its sink. */
struct out_key {
	const char *key;
	enum out_key_kind kind;
	size_t off; /* OUT_INT: of an int (or long long when wide) in struct config_output */
	long long min, max;
	bool wide, network; /* network: meaningless for a synchronous (local) sink */
};

#define OUT_FIELD(f) offsetof(struct config_output, f)
#define OUT_INT_KEY(k, f, lo, hi, w)                                                               \
	{                                                                                          \
		k, OUT_INT, OUT_FIELD(f), lo, hi, w, true                                          \
	}

static const struct out_key out_keys[] = {
    {"type", OUT_TYPE, 0, 0, 0, false, false},
    {"name", OUT_NAME, 0, 0, 0, false, false},
    {"format", OUT_FORMAT, 0, 0, 0, false, false},
    {"enabled", OUT_ENABLED, 0, 0, 0, false, false},
    OUT_INT_KEY("batch_max_records", batch_max_records, 1, 100000, false),
    OUT_INT_KEY("batch_max_bytes", batch_max_bytes, 1024, 64 << 20, false),
    OUT_INT_KEY("batch_max_wait_ms", batch_max_wait_ms, 0, 600000, false),
    OUT_INT_KEY("spool_max_bytes", spool_max_bytes, 65536, 1LL << 40, true),
    OUT_INT_KEY("retry_initial_ms", retry_initial_ms, 1, 3600000, false),
    OUT_INT_KEY("retry_max_ms", retry_max_ms, 1, 86400000, false),
    {.key = NULL},
};

#define OUTPUT_TYPES "stdout, file, syslog, webhook, splunk_hec, elasticsearch, falcosidekick"

bool config_output_key_is_common(const char *key)
{
	for (const struct out_key *k = out_keys; k->key; k++)
		if (strcmp(k->key, key) == 0)
			return true;
	return false;
}

static void output_defaults(struct config_output *o)
{
	memset(o, 0, sizeof(*o));
	o->format = FMT_NATIVE;
	o->enabled = true;
	o->batch_max_records = 500;
	o->batch_max_bytes = 1 << 20;
	o->batch_max_wait_ms = 1000;
	o->spool_max_bytes = 64LL << 20;
	o->retry_initial_ms = 500;
	o->retry_max_ms = 60000;
}

/* A name is a directory of the spool: letters, digits, '.', '_', '-'. */
static bool output_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > CONFIG_OUTPUT_NAME_MAX || s[0] == '.')
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

static void set_output_string(struct loader *ld, const struct out_key *k,
			      const struct json_value *v, struct config_output *out)
{
	enum record_format f;
	const char *s = want_text(ld, v, k->kind == OUT_TYPE ? "\"type\"" : "this key");

	if (!s)
		return;
	if (k->kind == OUT_TYPE && !sink_ops_find(s))
		report(ld, v, "unknown output type (expected " OUTPUT_TYPES ")");
	else if (k->kind == OUT_TYPE && !(out->type = strdup(s)))
		report(ld, v, "out of memory");
	else if (k->kind == OUT_NAME && !output_name_ok(s))
		report(ld, v,
		       "\"name\" must be 1-%d letters, digits, '.', '_' or '-', not starting "
		       "with '.'",
		       CONFIG_OUTPUT_NAME_MAX);
	else if (k->kind == OUT_NAME && !(out->name = strdup(s)))
		report(ld, v, "out of memory");
	else if (k->kind == OUT_FORMAT && format_parse(s, &f) != 0)
		report(ld, v, "unknown format (expected native, ocsf, ecs, falco)");
	else if (k->kind == OUT_FORMAT)
		out->format = f;
}

static void set_output_int(struct loader *ld, const struct out_key *k, const struct json_value *v,
			   struct config_output *out)
{
	void *field = (char *)out + k->off;
	int64_t x;

	if (!int_in_range(ld, k->key, v, k->min, k->max, &x))
		return;
	if (k->wide)
		*(long long *)field = (long long)x;
	else
		*(int *)field = (int)x;
}

static void set_output_key(struct loader *ld, const struct out_key *k, const struct json_value *v,
			   struct config_output *out)
{
	switch (k->kind) {
	case OUT_TYPE:
	case OUT_NAME:
	case OUT_FORMAT:
		set_output_string(ld, k, v, out);
		break;
	case OUT_ENABLED:
		if (!json_get_bool(v, &out->enabled))
			report(ld, v, "\"enabled\" must be true or false, not %s",
			       json_type_name(v->type));
		break;
	case OUT_INT:
		set_output_int(ld, k, v, out);
		break;
	}
}

static const struct out_key *out_key_find(const struct json_member *m)
{
	for (const struct out_key *k = out_keys; k->key; k++)
		if (strlen(k->key) == m->key_len && strcmp(k->key, m->key) == 0)
			return k;
	return NULL;
}

/* Delivery keys on stdout or file would be silently ignored: say so. */
static void check_local_keys(struct loader *ld, const struct json_value *v,
			     const struct config_output *out)
{
	const struct sink_ops *ops = sink_ops_find(out->type);
	const struct out_key *k;

	if (!ops || !ops->synchronous)
		return;
	for (size_t i = 0; i < v->object.n; i++) {
		k = out_key_find(&v->object.members[i]);
		if (k && k->network)
			report_at(ld, v->object.members[i].line, v->object.members[i].col,
				  "\"%s\" applies to network outputs, not to a %s output", k->key,
				  out->type);
	}
}

/* The common keys of one output; its sink checks the others at start-up. */
static void parse_output(struct loader *ld, const struct json_value *v, struct config_output *out)
{
	const struct out_key *k;

	output_defaults(out);
	if (v->type != JSON_OBJECT) {
		report(ld, v, "an output must be an object with a \"type\", not %s",
		       json_type_name(v->type));
		return;
	}
	for (size_t i = 0; i < v->object.n; i++) {
		k = out_key_find(&v->object.members[i]);
		if (k)
			set_output_key(ld, k, v->object.members[i].value, out);
	}
	if (!json_object_get(v, "type")) {
		report(ld, v, "an output needs a \"type\" (" OUTPUT_TYPES ")");
		return;
	}
	if (out->type && !sink_ops_find(out->type)->synchronous &&
	    out->retry_max_ms < out->retry_initial_ms) {
		const struct json_value *at = json_object_get(v, "retry_max_ms");

		report(ld, at ? at : json_object_get(v, "retry_initial_ms"),
		       "\"retry_max_ms\" (%d) must not be less than \"retry_initial_ms\" (%d)",
		       out->retry_max_ms, out->retry_initial_ms);
	}
	if (!out->type)
		return;
	check_local_keys(ld, v, out);
	/* The sink's own keys, against its table: once, here, with positions. */
	sink_config_check(sink_ops_find(out->type), v, config_output_key_is_common, ld->name,
			  ld->diag);
	out->cfg = v;
}

/* Default names ("<type>-<n>") and uniqueness: a name is a spool directory. */
static void name_outputs(struct loader *ld, const struct json_value *arr,
			 struct config_output *outs, size_t n)
{
	size_t i, j, nth;

	for (i = 0; i < n; i++) {
		if (outs[i].name || !outs[i].type)
			continue;
		for (nth = 1, j = 0; j < i; j++)
			nth += outs[j].type && strcmp(outs[j].type, outs[i].type) == 0;
		if (asprintf(&outs[i].name, "%s-%zu", outs[i].type, nth) < 0) {
			outs[i].name = NULL;
			report(ld, arr->array.items[i], "out of memory");
		}
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < i && outs[i].name; j++)
			if (outs[j].name && strcmp(outs[i].name, outs[j].name) == 0) {
				report(ld, arr->array.items[i],
				       "two outputs are named \"%s\"; give each a \"name\"",
				       outs[i].name);
				break;
			}
}

/* The document stays parsed for the sinks: "outputs" point into it. */
static struct config_doc *keep_document(struct loader *ld)
{
	struct config_doc *d = calloc(1, sizeof(*d));

	if (!d || !(d->name = strdup(ld->name))) {
		free(d);
		return NULL;
	}
	d->refs = 1;
	d->root = ld->root;
	ld->root_kept = true;
	return d;
}

static void set_outputs(struct loader *ld, const struct opt *o, const struct json_value *v)
{
	struct config_output *outs;
	struct config_doc *doc = NULL;
	unsigned errors = load_errors(ld);
	size_t i;

	if (!want_array(ld, o, v))
		return;
	outs = calloc(v->array.n ? v->array.n : 1, sizeof(*outs));
	if (!outs) {
		report(ld, v, "out of memory");
		return;
	}
	for (i = 0; i < v->array.n; i++)
		parse_output(ld, v->array.items[i], &outs[i]);
	name_outputs(ld, v, outs, v->array.n);
	if (load_errors(ld) == errors && !(doc = keep_document(ld)))
		report(ld, v, "out of memory");
	if (load_errors(ld) != errors) {
		outputs_free(outs, v->array.n);
		return;
	}
	outputs_free(ld->c->outputs, ld->c->noutputs);
	doc_release(ld->c->outputs_doc);
	ld->c->outputs = outs;
	ld->c->noutputs = v->array.n;
	ld->c->outputs_doc = doc;
}

/* Replaces the string at o's field with a copy of s. */
static void set_text(struct loader *ld, const struct opt *o, const struct json_value *v,
		     const char *s)
{
	char **dst = field_at(ld, o->off);

	free(*dst);
	*dst = strdup(s);
	if (!*dst)
		report(ld, v, "out of memory");
}

static void set_path(struct loader *ld, const struct opt *o, const struct json_value *v)
{
	char what[64];
	const char *s;

	snprintf(what, sizeof(what), "\"%s\"", o->key);
	s = want_text(ld, v, what);
	if (!s)
		return;
	if (s[0] != '/' || strlen(s) > CONFIG_PATH_MAX) {
		report(ld, v, "\"%s\" must be an absolute path of at most %d bytes", o->key,
		       CONFIG_PATH_MAX);
		return;
	}
	set_text(ld, o, v, s);
}

/* RFC 1123 subdomain, as Kubernetes names nodes: [a-z0-9]([-a-z0-9.]*[a-z0-9])? */
static void set_dnsname(struct loader *ld, const struct opt *o, const struct json_value *v)
{
	char what[64];
	const char *s;
	size_t n;

	snprintf(what, sizeof(what), "\"%s\"", o->key);
	s = want_text(ld, v, what);
	if (!s)
		return;
	n = strlen(s);
	if (n > HOST_NAME_MAX_LEN || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-.") != n ||
	    s[0] == '-' || s[0] == '.' || s[n - 1] == '-' || s[n - 1] == '.') {
		report(ld, v,
		       "\"%s\" must be a node name: lowercase letters, digits, '-' and '.', at "
		       "most %d characters",
		       o->key, HOST_NAME_MAX_LEN);
		return;
	}
	set_text(ld, o, v, s);
}

static void set_url(struct loader *ld, const struct opt *o, const struct json_value *v)
{
	char what[64];
	const char *s;

	snprintf(what, sizeof(what), "\"%s\"", o->key);
	s = want_text(ld, v, what);
	if (!s)
		return;
	if ((strncmp(s, "https://", 8) && strncmp(s, "http://", 7)) || strlen(s) > 512 ||
	    strpbrk(s, " \t?#")) {
		report(ld, v,
		       "\"%s\" must be an https:// (or http://) URL of at most 512 bytes, "
		       "without spaces, query or fragment",
		       o->key);
		return;
	}
	set_text(ld, o, v, s);
}

/* ------------------------------------------------------------------ patterns */

/* "{m}", "{m,}", "{m,n}" at p (after '{'): the largest count, p past '}'. */
static long long interval_bound(const char **p)
{
	char *end;
	long long m = strtoll(*p, &end, 10), n = m;

	if (*end == ',' && end[1] == '}') {
		n = m + 1; /* {m,}: at least m, counted as m + 1 */
		end++;
	} else if (*end == ',') {
		n = strtoll(end + 1, &end, 10);
	}
	*p = *end == '}' ? end : end - 1; /* malformed: regcomp will say so */
	if (n < m)
		n = m;
	return n < 1 ? 1 : n > PATTERN_SIZE_MAX ? PATTERN_SIZE_MAX + 1 : n;
}

/* What a repetition operator at p multiplies its atom by (glibc copies the
 * atom for each '+' and for each count of an interval), or 0. */
static long long repeat_factor(const char **p)
{
	switch (**p) {
	case '*':
	case '?':
		return 1;
	case '+':
		return 2;
	case '{':
		(*p)++;
		return interval_bound(p);
	default:
		return 0;
	}
}

/* Skips a bracket expression ("[]a]" and "[^]a]" included); one atom. */
static const char *skip_bracket(const char *p)
{
	p += p[1] == '^' ? 2 : 1;
	if (*p == ']')
		p++;
	while (*p && *p != ']')
		p++;
	return *p ? p : p - 1;
}

/*
 * Roughly how many atoms a regular expression expands to, counting
 * repetitions ("(a{100}){100}" is 10000): glibc's regcomp builds that many
 * states, so bounding it bounds the memory and time a pattern from the
 * config file can cost. A repetition of a repetition ("a+*", "a{2}{3}":
 * undefined in POSIX, exponential in glibc) counts as too large.
 * Saturates at PATTERN_SIZE_MAX + 1.
 */
static long long pattern_size(const char *p)
{
	long long stack[32], sum = 0, item = 0, f;
	bool repeated = false;
	int depth = 0;

	for (; *p; p++) {
		f = item ? repeat_factor(&p) : 0;
		if (f) {
			if (repeated)
				return PATTERN_SIZE_MAX + 1;
			repeated = true;
			sum += item * (f - 1);
			item *= f;
		} else if (*p == '(' && depth < 32) {
			stack[depth++] = sum;
			sum = item = 0;
			repeated = false;
			continue;
		} else if (*p == ')' && depth > 0) {
			item = sum ? sum : 1;
			sum = stack[--depth] + item;
			repeated = false;
		} else {
			if (*p == '[')
				p = skip_bracket(p);
			else if (*p == '\\' && p[1])
				p++;
			item = 1;
			sum++;
			repeated = false;
		}
		if (sum > PATTERN_SIZE_MAX || item > PATTERN_SIZE_MAX)
			return PATTERN_SIZE_MAX + 1;
	}
	while (depth > 0)
		sum += stack[--depth];
	return sum;
}

static bool pattern_ok(struct loader *ld, const struct json_value *v, const char *s)
{
	char why[128], shown[64];
	regex_t re;
	int rc;

	json_quote_for_message(s, strlen(s), shown, sizeof(shown));
	if (strlen(s) > PATTERN_LEN_MAX || pattern_size(s) > PATTERN_SIZE_MAX) {
		report(ld, v,
		       "pattern \"%s\" is too large (at most %d characters and %d repeated "
		       "atoms; no repetition of a repetition like a+* or a{2}{3})",
		       shown, PATTERN_LEN_MAX, PATTERN_SIZE_MAX);
		return false;
	}
	rc = regcomp(&re, s, REG_EXTENDED);
	if (rc) {
		regerror(rc, &re, why, sizeof(why));
		report(ld, v, "pattern \"%s\" is not a POSIX extended regular expression: %s",
		       shown, why);
		return false;
	}
	/* It would match everywhere and mask nothing (redact.c refuses it too). */
	rc = regexec(&re, "", 0, NULL, 0);
	regfree(&re);
	if (rc == 0)
		report(ld, v, "pattern \"%s\" matches the empty string", shown);
	return rc != 0;
}

static void set_patterns(struct loader *ld, const struct opt *o, const struct json_value *v)
{
	unsigned errors = load_errors(ld);

	if (!want_array(ld, o, v))
		return;
	if (v->array.n > REDACT_MAX_PATTERNS) {
		report(ld, v, "\"patterns\" has more than %d entries", REDACT_MAX_PATTERNS);
		return;
	}
	for (size_t i = 0; i < v->array.n; i++) {
		const char *s = want_text(ld, v->array.items[i], "a pattern");

		if (s)
			pattern_ok(ld, v->array.items[i], s);
	}
	if (load_errors(ld) == errors)
		set_strings(ld, o, v);
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

typedef void (*opt_setter)(struct loader *ld, const struct opt *o, const struct json_value *v);

static void apply_group(struct loader *ld, const struct opt *o, const struct json_value *v)
{
	apply_object(ld, o->group, v, o->key);
}

static void apply_member(struct loader *ld, const struct opt *o, const struct json_value *v)
{
	static const opt_setter setters[] = {
	    [OPT_HOST] = set_host,	   [OPT_BOOL] = set_bool,
	    [OPT_INT] = set_int,	   [OPT_STRINGS] = set_strings,
	    [OPT_BASENAMES] = set_strings, [OPT_SELECTORS] = set_selectors,
	    [OPT_OUTPUTS] = set_outputs,   [OPT_PATH] = set_path,
	    [OPT_PATTERNS] = set_patterns, [OPT_CHOICE] = set_choice,
	    [OPT_GROUP] = apply_group,	   [OPT_DNSNAME] = set_dnsname,
	    [OPT_URL] = set_url,
	};

	setters[o->kind](ld, o, v);
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

int config_load_buffer(struct config *c, const char *name, const char *buf, size_t len,
		       struct diag *diag)
{
	struct config work;
	struct diag quiet;
	struct loader ld = {&work, name ? name : "<config>", NULL, false, diag, 0};
	struct json_error err;
	struct json_value *doc;

	if (!c)
		return -1;
	ld.diag = diag_or_quiet(diag, &quiet);
	ld.base = ld.diag->count;
	doc = json_parse(buf, len, &err);
	if (!doc) {
		diag_add(ld.diag, ld.name, err.line, err.col, "%s", err.message);
		return -1;
	}
	ld.root = doc;
	if (!config_copy(&work, c)) {
		diag_add(ld.diag, ld.name, 0, 0, "out of memory");
	} else {
		apply_object(&ld, top_opts, doc, NULL);
	}
	/* Kept: work's outputs_doc owns it (and frees it with work on error). */
	if (!ld.root_kept)
		json_free(doc);
	if (load_errors(&ld)) {
		config_free(&work);
		return -1;
	}
	config_free(c);
	*c = work;
	return 0;
}

static int load_config_buffer(void *c, const char *name, const char *buf, size_t len,
			      struct diag *diag)
{
	return config_load_buffer(c, name, buf, len, diag);
}

int config_load_file(struct config *c, const char *path, struct diag *diag)
{
	return c ? json_load_file(path, CONFIG_FILE_MAX, diag, load_config_buffer, c) : -1;
}

/* ------------------------------------------------------------------ reload */

static bool same_string(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool same_strings(char *const *a, size_t na, char *const *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!same_string(a[i], b[i]))
			return false;
	return true;
}

bool config_redaction_equal(const struct config *a, const struct config *b)
{
	return same_strings(a->redact_patterns, a->nredact_patterns, b->redact_patterns,
			    b->nredact_patterns);
}

size_t config_keep_restart_keys(const struct config *running, struct config *next,
				const char **names, size_t max)
{
	size_t n = 0;

#define KEEP_INT(field, name)                                                                      \
	do {                                                                                       \
		if (next->field != running->field) {                                               \
			if (n < max)                                                               \
				names[n++] = name;                                                 \
			next->field = running->field;                                              \
		}                                                                                  \
	} while (0)
#define KEEP_STR(field, name)                                                                      \
	do {                                                                                       \
		if (!same_string(next->field, running->field)) {                                   \
			if (n < max)                                                               \
				names[n++] = name;                                                 \
			free(next->field);                                                         \
			next->field = running->field ? strdup(running->field) : NULL;              \
		}                                                                                  \
	} while (0)
	KEEP_INT(ringbuf_mb, "sensor.ringbuf_mb");
	KEEP_INT(tap_enabled, "tap.enabled");
	KEEP_INT(probe_tls, "posture.probe_tls");
	KEEP_INT(tls_probe_timeout_ms, "posture.tls_probe_timeout_ms");
	/* The metadata resolver's workers were started with these. */
	KEEP_INT(metadata_enabled, "metadata.enabled");
	KEEP_INT(metadata_kubernetes, "metadata.kubernetes");
	KEEP_STR(metadata_runtime_socket, "metadata.runtime_socket");
	KEEP_STR(metadata_host_root, "metadata.host_root");
	KEEP_STR(metadata_node_name, "metadata.node_name");
	KEEP_STR(metadata_api_url, "metadata.api_url");
	KEEP_STR(metadata_ca_file, "metadata.ca_file");
	KEEP_STR(metadata_token_file, "metadata.token_file");
	KEEP_STR(host_name, "host_name");
#undef KEEP_INT
#undef KEEP_STR
	return n;
}

bool config_outputs_equal(const struct config *a, const struct config *b)
{
	if (a->noutputs != b->noutputs || !same_string(a->spool_dir, b->spool_dir))
		return false;
	for (size_t i = 0; i < a->noutputs; i++)
		if (!json_equal(a->outputs[i].cfg, b->outputs[i].cfg))
			return false;
	return true;
}

/* ------------------------------------------------------------------ building outputs */

const char *config_outputs_file(const struct config *c)
{
	return c->outputs_doc ? c->outputs_doc->name : "<config>";
}

static void spec_of(const struct config *c, const struct config_output *co, struct output_spec *sp)
{
	memset(sp, 0, sizeof(*sp));
	sp->type = co->type;
	sp->name = co->name;
	sp->cfg = co->cfg;
	sp->cfg_file = config_outputs_file(c);
	sp->opts.format = co->format;
	sp->opts.spool_dir = c->spool_dir;
	sp->opts.spool_max_bytes = (uint64_t)co->spool_max_bytes;
	sp->opts.batch_max_records = (size_t)co->batch_max_records;
	sp->opts.batch_max_bytes = (size_t)co->batch_max_bytes;
	sp->opts.batch_max_wait_ms = co->batch_max_wait_ms;
	sp->opts.retry_initial_ms = co->retry_initial_ms;
	sp->opts.retry_max_ms = co->retry_max_ms;
}

struct output *config_output_new(const struct config *c, FILE *stream, char *err, size_t errlen)
{
	struct output_spec *specs;
	struct output *o;
	size_t n = 0;

	err[0] = '\0';
	if (!c->noutputs) {
		o = output_new_stream(stream);
		if (!o)
			snprintf(err, errlen, "out of memory");
		return o;
	}
	specs = calloc(c->noutputs, sizeof(*specs));
	if (!specs) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* A disabled output builds nothing: no file opened, no spool. */
	for (size_t i = 0; i < c->noutputs; i++)
		if (c->outputs[i].enabled)
			spec_of(c, &c->outputs[i], &specs[n++]);
	o = output_new(specs, n, stream, err, errlen);
	free(specs);
	return o;
}
