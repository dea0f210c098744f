// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * format: native records to OCSF 1.3.0, ECS 8.11 and Falco's output format.
 * The mapping tables are in docs/formats.md. Every field is read with a
 * type check, so a record of the wrong shape loses fields, never validity.
 * This file reads the native record and holds the helpers every format
 * shares, and dispatches to format_ocsf.c, format_ecs.c and format_falco.c.
 */
#include "format/format.h"
#include "format/format_int.h"
#include "lib/clock.h"
#include "lib/paths.h"
#include "lib/names.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_EXACT_INT 9007199254740992.0 /* 2^53: doubles beyond are not exact integers */
#define PATH_KEY_MAX  64
#define PORT_MAX      65535

static const struct severity severities[] = {
    {"info", 1, "Informational", 0, "Informational"}, {"low", 2, "Low", 21, "Notice"},
    {"medium", 3, "Medium", 47, "Warning"},	      {"high", 4, "High", 73, "Error"},
    {"critical", 5, "Critical", 99, "Critical"},
};

/* A severity the rule did not say (or we do not know): not downgraded to "info". */
static const struct severity unknown_severity = {NULL, 0, "Unknown", -1, "Warning"};

/* ---------------------------------------------------------------- reading */

/* The value at a dotted path of object keys ("process.parent.pid"), or NULL. */
const cJSON *fmt_at(const cJSON *o, const char *path)
{
	char key[PATH_KEY_MAX];

	while (o && *path) {
		size_t n = strcspn(path, ".");

		if (n >= sizeof(key) || !cJSON_IsObject(o))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		o = cJSON_GetObjectItemCaseSensitive(o, key);
		path += n + (path[n] == '.');
	}
	return o;
}

const char *fmt_str_at(const cJSON *o, const char *path)
{
	const cJSON *v = fmt_at(o, path);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* An integral number that a double holds exactly; anything else is absent. */
bool fmt_int_at(const cJSON *o, const char *path, int64_t *out)
{
	const cJSON *v = fmt_at(o, path);
	double d;

	if (!cJSON_IsNumber(v))
		return false;
	d = v->valuedouble;
	if (!(d >= -MAX_EXACT_INT && d <= MAX_EXACT_INT) || (double)(int64_t)d != d)
		return false;
	*out = (int64_t)d;
	return true;
}

/* A time field of the record ("aggregate.first_time") in ns, else fallback. */
int64_t time_at(const cJSON *rec, const char *path, int64_t fallback)
{
	const char *s = fmt_str_at(rec, path);
	int64_t ns;

	return s && rfc3339_parse(s, &ns) ? ns : fallback;
}

/* ---------------------------------------------------------------- the record */

static const struct severity *severity_find(const char *name)
{
	for (size_t i = 0; name && i < sizeof(severities) / sizeof(severities[0]); i++) {
		if (strcmp(name, severities[i].name) == 0)
			return &severities[i];
	}
	return &unknown_severity;
}

static enum alert_object object_of(const cJSON *rec)
{
	if (cJSON_IsObject(fmt_at(rec, "file")))
		return OBJ_FILE;
	if (fmt_str_at(rec, "network.local_addr"))
		return OBJ_LISTEN;
	if (fmt_str_at(rec, "network.remote_addr"))
		return OBJ_CONNECT;
	if (cJSON_IsObject(fmt_at(rec, "mcp.result")))
		return OBJ_TOOL;
	if (cJSON_IsObject(fmt_at(rec, "process")))
		return OBJ_PROCESS;
	return OBJ_NONE;
}

static uint64_t hash_text(uint64_t h, const char *s)
{
	for (; s && *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL; /* FNV-1a */
	}
	h ^= 0x1f; /* a separator, so ("ab","c") and ("a","bc") differ */
	return h * 0x100000001b3ULL;
}

/*
 * A stable id: the same record delivered twice (at-least-once) gets the
 * same id, so a SIEM can drop the copy; two different records get two.
 */
static void record_uid(const cJSON *rec, int64_t time_ns, char *out, size_t len)
{
	static const char *const texts[] = {"kind",
					    "rule.id",
					    "scope",
					    "server.name",
					    "process.cmdline",
					    "file.path",
					    "network.local_addr",
					    "network.remote_addr",
					    NULL};
	static const char *const ints[] = {
	    "server.pid",	   "process.pid", "network.local_port",
	    "network.remote_port", "count",	  NULL};
	static const char *const mcp_texts[] = {"mcp.session.id", "mcp.request.id",
						"tool_call.start", NULL};
	uint64_t h = 0xcbf29ce484222325ULL;
	char num[32];
	int64_t v;

	for (const char *const *p = texts; *p; p++)
		h = hash_text(h, fmt_str_at(rec, *p));
	for (const char *const *p = ints; *p; p++) {
		num[0] = '\0';
		if (fmt_int_at(rec, *p, &v))
			snprintf(num, sizeof(num), "%" PRId64, v);
		h = hash_text(h, num);
	}
	/* Only when present, so records without an MCP call keep the ids they had. */
	for (const char *const *p = mcp_texts; *p; p++) {
		if (fmt_str_at(rec, *p))
			h = hash_text(h, fmt_str_at(rec, *p));
	}
	snprintf(num, sizeof(num), "%" PRId64, time_ns);
	h = hash_text(h, num);
	snprintf(out, len, "%016" PRIx64, h);
}

static bool native_read(const cJSON *rec, struct native *n)
{
	const char *t;

	memset(n, 0, sizeof(*n));
	if (!cJSON_IsObject(rec))
		return false;
	n->rec = rec;
	n->kind = fmt_str_at(rec, "kind");
	t = fmt_str_at(rec, "time");
	if (!n->kind || !t || !rfc3339_parse(t, &n->time_ns))
		return false;
	n->host = fmt_str_at(rec, "host.name");
	n->rule_id = fmt_str_at(rec, "rule.id");
	if (!n->rule_id)
		n->rule_id = "unknown";
	n->rule_name = fmt_str_at(rec, "rule.name");
	if (!n->rule_name)
		n->rule_name = n->rule_id;
	n->message = fmt_str_at(rec, "message");
	n->sev = severity_find(fmt_str_at(rec, "rule.severity"));
	n->object = object_of(rec);
	record_uid(rec, n->time_ns, n->uid, sizeof(n->uid));
	return true;
}

bool fmt_is_kind(const struct native *n, const char *kind)
{
	return strcmp(n->kind, kind) == 0;
}

/* ---------------------------------------------------------------- writing */

void fmt_add_str(cJSON *o, const char *key, const char *s)
{
	if (s)
		cJSON_AddStringToObject(o, key, s);
}

void fmt_add_int(cJSON *o, const char *key, int64_t v)
{
	cJSON_AddNumberToObject(o, key, (double)v);
}

void fmt_copy_str(cJSON *o, const char *key, const cJSON *rec, const char *path)
{
	fmt_add_str(o, key, fmt_str_at(rec, path));
}

void fmt_copy_int(cJSON *o, const char *key, const cJSON *rec, const char *path)
{
	int64_t v;

	if (fmt_int_at(rec, path, &v))
		fmt_add_int(o, key, v);
}

/* An integer as a string (OCSF user.uid, ECS user.id are strings). */
void fmt_copy_int_as_str(cJSON *o, const char *key, const cJSON *rec, const char *path)
{
	char buf[32];
	int64_t v;

	if (!fmt_int_at(rec, path, &v))
		return;
	snprintf(buf, sizeof(buf), "%" PRId64, v);
	fmt_add_str(o, key, buf);
}

/* An address only when it is one (OCSF ip_t, ECS ip): bad input loses the field. */
void fmt_copy_ip(cJSON *o, const char *key, const cJSON *rec, const char *path)
{
	const char *s = fmt_str_at(rec, path);
	unsigned char buf[sizeof(struct in6_addr)];

	if (s && (inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1))
		fmt_add_str(o, key, s);
}

void fmt_copy_port(cJSON *o, const char *key, const cJSON *rec, const char *path)
{
	int64_t v;

	if (fmt_int_at(rec, path, &v) && v >= 0 && v <= PORT_MAX)
		fmt_add_int(o, key, v);
}

void fmt_copy_any(cJSON *o, const char *key, const cJSON *rec, const char *path)
{
	const cJSON *v = fmt_at(rec, path);

	if (v)
		cJSON_AddItemToObject(o, key, cJSON_Duplicate(v, true));
}

/* Adds child under key when it has members; frees it otherwise (no empty objects). */
void fmt_attach(cJSON *o, const char *key, cJSON *child)
{
	if (child && child->child)
		cJSON_AddItemToObject(o, key, child);
	else
		cJSON_Delete(child);
}

/* Adds [item] under key when item has members; frees it otherwise. */
void fmt_attach_list(cJSON *o, const char *key, cJSON *item)
{
	cJSON *list;

	if (!item || !item->child || !(list = cJSON_AddArrayToObject(o, key))) {
		cJSON_Delete(item);
		return;
	}
	cJSON_AddItemToArray(list, item);
}

/* OCSF: a process object must have a pid (or uid, which we do not have). */
void fmt_attach_process(cJSON *o, const char *key, cJSON *p)
{
	if (p && cJSON_GetObjectItem(p, "pid"))
		cJSON_AddItemToObject(o, key, p);
	else
		cJSON_Delete(p);
}

cJSON *fmt_string_array(const char *s)
{
	cJSON *a = cJSON_CreateArray();

	cJSON_AddItemToArray(a, cJSON_CreateString(s));
	return a;
}

/* Only the strings of an array (rule.tags may hold anything on bad input). */
cJSON *fmt_strings_of(const cJSON *arr)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *v;

	if (!cJSON_IsArray(arr))
		return out;
	cJSON_ArrayForEach(v, arr)
	{
		if (cJSON_IsString(v))
			cJSON_AddItemToArray(out, cJSON_CreateString(v->valuestring));
	}
	return out;
}

void fmt_add_time_text(cJSON *o, const char *key, int64_t ns)
{
	char t[TIME_TEXT_MAX];

	rfc3339_format(ns, 9, t, sizeof(t));
	fmt_add_str(o, key, t);
}

/* ---------------------------------------------------------------- posture */

void fmt_graded_read(const struct native *n, struct graded *g)
{
	const char *scope = fmt_str_at(n->rec, "scope");

	g->host_scope = scope && strcmp(scope, "host") == 0;
	g->name = g->host_scope ? n->host : fmt_str_at(n->rec, "server.name");
	g->grade = fmt_str_at(n->rec, g->host_scope ? "host.grade" : "server.grade");
	g->has_score = fmt_int_at(n->rec, g->host_scope ? "host.score" : "server.score", &g->score);
	if (!g->name)
		g->name = "unknown";
	if (!g->grade)
		g->grade = "?";
}

void fmt_posture_text(const struct graded *g, char *buf, size_t len)
{
	if (g->has_score)
		snprintf(buf, len, "Posture of %s %s: grade %s (%" PRId64 "/100)",
			 g->host_scope ? "host" : "MCP server", g->name, g->grade, g->score);
	else
		snprintf(buf, len, "Posture of %s %s: grade %s",
			 g->host_scope ? "host" : "MCP server", g->name, g->grade);
}

/* ---------------------------------------------------------------- API */

int format_parse(const char *name, enum record_format *out)
{
	static const enum record_format all[] = {FMT_NATIVE, FMT_OCSF, FMT_ECS, FMT_FALCO};

	for (size_t i = 0; name && i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcmp(name, format_name(all[i])) == 0) {
			*out = all[i];
			return 0;
		}
	}
	return -1;
}

const char *format_name(enum record_format f)
{
	static const char *const names[] = {
	    [FMT_NATIVE] = "native", [FMT_OCSF] = "ocsf", [FMT_ECS] = "ecs", [FMT_FALCO] = "falco"};

	return name_of(names, NAMES_LEN(names), f, "unknown");
}

cJSON *format_record(enum record_format f, const cJSON *native)
{
	struct native n;

	if (f == FMT_NATIVE)
		return cJSON_IsObject(native) ? cJSON_Duplicate(native, true) : NULL;
	if (!native_read(native, &n))
		return NULL; /* not a native record: it has no other form */
	switch (f) {
	case FMT_OCSF:
		return format_ocsf(&n);
	case FMT_ECS:
		return format_ecs(&n);
	case FMT_FALCO:
		return format_falco(&n);
	case FMT_NATIVE:
		break;
	}
	return NULL;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int format_line(enum record_format f, const char *line, size_t len, char **out, char *err,
		size_t errlen)
{
	cJSON *rec, *formatted;

	*out = NULL;
	while (len && is_blank(line[len - 1]))
		len--;
	while (len && is_blank(*line)) {
		line++;
		len--;
	}
	if (!len)
		return 0;
	rec = cJSON_ParseWithLength(line, len);
	if (!cJSON_IsObject(rec)) {
		snprintf(err, errlen, "not a JSON object (%zu bytes)", len);
		cJSON_Delete(rec);
		return -1;
	}
	formatted = f == FMT_NATIVE ? NULL : format_record(f, rec);
	if (formatted) {
		*out = cJSON_PrintUnformatted(formatted);
	} else if ((*out = cJSON_malloc(len + 1))) {
		/* Native (or no form in f): the record as it came. */
		memcpy(*out, line, len);
		(*out)[len] = '\0';
	}
	cJSON_Delete(formatted);
	cJSON_Delete(rec);
	if (!*out) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}
