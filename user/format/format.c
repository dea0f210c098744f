// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * format: native records to OCSF 1.3.0, ECS 8.11 and Falco's output format.
 * The mapping tables are in docs/formats.md. Every field is read with a
 * type check, so a record of the wrong shape loses fields, never validity.
 */
#include "format/format.h"
#include "lib/paths.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef MW_VERSION
#define MW_VERSION "0.0.0"
#endif

#define PRODUCT_NAME  "mcpwatch"
#define MAX_EXACT_INT 9007199254740992.0 /* 2^53: doubles beyond are not exact integers */
#define NS_PER_MS     1000000LL
#define NS_PER_S      1000000000LL
#define MAX_SECONDS   9223372035LL /* |seconds| whose nanoseconds fit in int64_t */
#define TIME_TEXT_MAX 48
#define UID_TEXT_MAX  24
#define PATH_KEY_MAX  64
#define PORT_MAX      65535

/* OCSF enumerations used here (OCSF 1.3.0). */
#define OCSF_CATEGORY_FINDINGS	2
#define OCSF_CLASS_COMPLIANCE	2003
#define OCSF_CLASS_DETECTION	2004
#define OCSF_ACTIVITY_CREATE	1
#define OCSF_STATUS_NEW		1
#define OCSF_ANALYTIC_RULE	1
#define OCSF_FILE_UNKNOWN	0
#define OCSF_FILE_REGULAR	1
#define OCSF_DEVICE_UNKNOWN	0
#define OCSF_OS_LINUX		200
#define OCSF_DIRECTION_INBOUND	1
#define OCSF_DIRECTION_OUTBOUND 2
#define IANA_PROTOCOL_TCP	6

/* What an alert is about, from which objects the record carries. */
enum alert_object { OBJ_NONE, OBJ_PROCESS, OBJ_FILE, OBJ_LISTEN, OBJ_CONNECT };

/* The parts of a native record every formatter needs, read (and checked) once. */
struct native {
	const cJSON *rec;
	const char *kind;
	int64_t time_ns;
	const char *host; /* host.name, or NULL */
	const char *rule_id, *rule_name, *message;
	const struct severity *sev;
	enum alert_object object;
	char uid[UID_TEXT_MAX];
};

struct severity {
	const char *name; /* rule.severity */
	int ocsf_id;
	const char *ocsf_name;
	int risk_score; /* ECS event.risk_score, -1: none */
	const char *falco;
};

static const struct severity severities[] = {
    {"info", 1, "Informational", 0, "Informational"}, {"low", 2, "Low", 21, "Notice"},
    {"medium", 3, "Medium", 47, "Warning"},	      {"high", 4, "High", 73, "Error"},
    {"critical", 5, "Critical", 99, "Critical"},
};

/* A severity the rule did not say (or we do not know): not downgraded to "info". */
static const struct severity unknown_severity = {NULL, 0, "Unknown", -1, "Warning"};

/* ---------------------------------------------------------------- reading */

/* The value at a dotted path of object keys ("process.parent.pid"), or NULL. */
static const cJSON *at(const cJSON *o, const char *path)
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

static const char *str_at(const cJSON *o, const char *path)
{
	const cJSON *v = at(o, path);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* An integral number that a double holds exactly; anything else is absent. */
static bool int_at(const cJSON *o, const char *path, int64_t *out)
{
	const cJSON *v = at(o, path);
	double d;

	if (!cJSON_IsNumber(v))
		return false;
	d = v->valuedouble;
	if (!(d >= -MAX_EXACT_INT && d <= MAX_EXACT_INT) || (double)(int64_t)d != d)
		return false;
	*out = (int64_t)d;
	return true;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* ---------------------------------------------------------------- time */

static bool take_digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool take_char(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

/* ".123456789" (any number of digits; beyond nanoseconds ignored) → ns. */
static bool take_fraction(const char **p, int64_t *ns)
{
	int64_t scale = NS_PER_S / 10;

	*ns = 0;
	if (!take_char(p, '.'))
		return true;
	if (**p < '0' || **p > '9')
		return false;
	for (; **p >= '0' && **p <= '9'; (*p)++, scale /= 10)
		*ns += (**p - '0') * scale;
	return true;
}

/* "Z" or "+HH:MM" / "-HH:MM" → seconds east of UTC. */
static bool take_offset(const char **p, int64_t *secs)
{
	int sign, hh, mm;

	*secs = 0;
	if (take_char(p, 'Z') || take_char(p, 'z'))
		return true;
	sign = **p == '-' ? -1 : 1;
	if (!take_char(p, '+') && !take_char(p, '-'))
		return false;
	if (!take_digits(p, 2, &hh) || !take_char(p, ':') || !take_digits(p, 2, &mm) || hh > 23 ||
	    mm > 59)
		return false;
	*secs = sign * (hh * 3600 + mm * 60);
	return true;
}

/* RFC 3339 date-time → nanoseconds since the epoch; false if malformed or out of range. */
static bool rfc3339_parse(const char *s, int64_t *ns)
{
	struct tm tm = {0};
	int64_t frac, offset, secs;
	int y, mo, d, h, mi, sec;

	if (!take_digits(&s, 4, &y) || !take_char(&s, '-') || !take_digits(&s, 2, &mo) ||
	    !take_char(&s, '-') || !take_digits(&s, 2, &d) ||
	    !(take_char(&s, 'T') || take_char(&s, 't') || take_char(&s, ' ')) ||
	    !take_digits(&s, 2, &h) || !take_char(&s, ':') || !take_digits(&s, 2, &mi) ||
	    !take_char(&s, ':') || !take_digits(&s, 2, &sec) || !take_fraction(&s, &frac) ||
	    !take_offset(&s, &offset) || *s)
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return false;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	secs = (int64_t)timegm(&tm) - offset;
	if (secs <= -MAX_SECONDS || secs >= MAX_SECONDS)
		return false;
	*ns = secs * NS_PER_S + frac;
	return true;
}

/* 2026-11-25T12:00:00.123456789Z */
static void rfc3339_format(int64_t ns, char *buf, size_t len)
{
	int64_t secs = floor_div(ns, NS_PER_S);
	time_t t = (time_t)secs;
	struct tm tm;

	if (!gmtime_r(&t, &tm)) {
		snprintf(buf, len, "1970-01-01T00:00:00.000000000Z");
		return;
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09" PRId64 "Z", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int64_t)(ns - secs * NS_PER_S));
}

/* A time field of the record ("aggregate.first_time") in ns, else fallback. */
static int64_t time_at(const cJSON *rec, const char *path, int64_t fallback)
{
	const char *s = str_at(rec, path);
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
	if (cJSON_IsObject(at(rec, "file")))
		return OBJ_FILE;
	if (str_at(rec, "network.local_addr"))
		return OBJ_LISTEN;
	if (str_at(rec, "network.remote_addr"))
		return OBJ_CONNECT;
	if (cJSON_IsObject(at(rec, "process")))
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
	uint64_t h = 0xcbf29ce484222325ULL;
	char num[32];
	int64_t v;

	for (const char *const *p = texts; *p; p++)
		h = hash_text(h, str_at(rec, *p));
	for (const char *const *p = ints; *p; p++) {
		num[0] = '\0';
		if (int_at(rec, *p, &v))
			snprintf(num, sizeof(num), "%" PRId64, v);
		h = hash_text(h, num);
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
	n->kind = str_at(rec, "kind");
	t = str_at(rec, "time");
	if (!n->kind || !t || !rfc3339_parse(t, &n->time_ns))
		return false;
	n->host = str_at(rec, "host.name");
	n->rule_id = str_at(rec, "rule.id");
	if (!n->rule_id)
		n->rule_id = "unknown";
	n->rule_name = str_at(rec, "rule.name");
	if (!n->rule_name)
		n->rule_name = n->rule_id;
	n->message = str_at(rec, "message");
	n->sev = severity_find(str_at(rec, "rule.severity"));
	n->object = object_of(rec);
	record_uid(rec, n->time_ns, n->uid, sizeof(n->uid));
	return true;
}

static bool is_kind(const struct native *n, const char *kind)
{
	return strcmp(n->kind, kind) == 0;
}

/* ---------------------------------------------------------------- writing */

static void add_str(cJSON *o, const char *key, const char *s)
{
	if (s)
		cJSON_AddStringToObject(o, key, s);
}

static void add_int(cJSON *o, const char *key, int64_t v)
{
	cJSON_AddNumberToObject(o, key, (double)v);
}

static void copy_str(cJSON *o, const char *key, const cJSON *rec, const char *path)
{
	add_str(o, key, str_at(rec, path));
}

static void copy_int(cJSON *o, const char *key, const cJSON *rec, const char *path)
{
	int64_t v;

	if (int_at(rec, path, &v))
		add_int(o, key, v);
}

/* An integer as a string (OCSF user.uid, ECS user.id are strings). */
static void copy_int_as_str(cJSON *o, const char *key, const cJSON *rec, const char *path)
{
	char buf[32];
	int64_t v;

	if (!int_at(rec, path, &v))
		return;
	snprintf(buf, sizeof(buf), "%" PRId64, v);
	add_str(o, key, buf);
}

/* An address only when it is one (OCSF ip_t, ECS ip): bad input loses the field. */
static void copy_ip(cJSON *o, const char *key, const cJSON *rec, const char *path)
{
	const char *s = str_at(rec, path);
	unsigned char buf[sizeof(struct in6_addr)];

	if (s && (inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1))
		add_str(o, key, s);
}

static void copy_port(cJSON *o, const char *key, const cJSON *rec, const char *path)
{
	int64_t v;

	if (int_at(rec, path, &v) && v >= 0 && v <= PORT_MAX)
		add_int(o, key, v);
}

static void copy_any(cJSON *o, const char *key, const cJSON *rec, const char *path)
{
	const cJSON *v = at(rec, path);

	if (v)
		cJSON_AddItemToObject(o, key, cJSON_Duplicate(v, true));
}

/* Adds child under key when it has members; frees it otherwise (no empty objects). */
static void attach(cJSON *o, const char *key, cJSON *child)
{
	if (child && child->child)
		cJSON_AddItemToObject(o, key, child);
	else
		cJSON_Delete(child);
}

/* Adds [item] under key when item has members; frees it otherwise. */
static void attach_list(cJSON *o, const char *key, cJSON *item)
{
	cJSON *list;

	if (!item || !item->child || !(list = cJSON_AddArrayToObject(o, key))) {
		cJSON_Delete(item);
		return;
	}
	cJSON_AddItemToArray(list, item);
}

/* OCSF: a process object must have a pid (or uid, which we do not have). */
static void attach_process(cJSON *o, const char *key, cJSON *p)
{
	if (p && cJSON_GetObjectItem(p, "pid"))
		cJSON_AddItemToObject(o, key, p);
	else
		cJSON_Delete(p);
}

static cJSON *string_array(const char *s)
{
	cJSON *a = cJSON_CreateArray();

	cJSON_AddItemToArray(a, cJSON_CreateString(s));
	return a;
}

/* Only the strings of an array (rule.tags may hold anything on bad input). */
static cJSON *strings_of(const cJSON *arr)
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

static void add_time_text(cJSON *o, const char *key, int64_t ns)
{
	char t[TIME_TEXT_MAX];

	rfc3339_format(ns, t, sizeof(t));
	add_str(o, key, t);
}

/* ---------------------------------------------------------------- OCSF */

static cJSON *ocsf_metadata(const struct native *n)
{
	cJSON *m = cJSON_CreateObject(), *p = cJSON_AddObjectToObject(m, "product"), *profiles;

	add_str(p, "name", PRODUCT_NAME);
	add_str(p, "vendor_name", PRODUCT_NAME);
	add_str(p, "version", MW_VERSION);
	add_str(m, "version", OCSF_VERSION);
	add_str(m, "uid", n->uid);
	profiles = cJSON_AddArrayToObject(m, "profiles");
	cJSON_AddItemToArray(profiles, cJSON_CreateString("host"));
	if (str_at(n->rec, "container.id"))
		cJSON_AddItemToArray(profiles, cJSON_CreateString("container"));
	return m;
}

static cJSON *ocsf_device(const struct native *n)
{
	cJSON *d = cJSON_CreateObject(), *os;

	add_str(d, "hostname", n->host);
	add_str(d, "name", n->host);
	add_int(d, "type_id", OCSF_DEVICE_UNKNOWN);
	add_str(d, "type", "Unknown");
	os = cJSON_AddObjectToObject(d, "os");
	add_str(os, "name", "Linux");
	add_int(os, "type_id", OCSF_OS_LINUX);
	add_str(os, "type", "Linux");
	return d;
}

/* What every finding has: class, activity Create, time, metadata, device, status. */
static cJSON *ocsf_base(const struct native *n, int class_uid, const char *class_name)
{
	cJSON *o = cJSON_CreateObject(), *c;
	char type_name[64];

	add_int(o, "activity_id", OCSF_ACTIVITY_CREATE);
	add_str(o, "activity_name", "Create");
	add_int(o, "category_uid", OCSF_CATEGORY_FINDINGS);
	add_str(o, "category_name", "Findings");
	add_int(o, "class_uid", class_uid);
	add_str(o, "class_name", class_name);
	add_int(o, "type_uid", (int64_t)class_uid * 100 + OCSF_ACTIVITY_CREATE);
	snprintf(type_name, sizeof(type_name), "%s: Create", class_name);
	add_str(o, "type_name", type_name);
	add_int(o, "time", floor_div(n->time_ns, NS_PER_MS));
	add_int(o, "timezone_offset", 0); /* times are UTC */
	add_int(o, "status_id", OCSF_STATUS_NEW);
	add_str(o, "status", "New");
	cJSON_AddItemToObject(o, "metadata", ocsf_metadata(n));
	cJSON_AddItemToObject(o, "device", ocsf_device(n));
	c = cJSON_CreateObject();
	copy_str(c, "uid", n->rec, "container.id");
	attach(o, "container", c);
	return o;
}

/* An OCSF file object; name and type_id are required by the schema. */
static cJSON *ocsf_file(const char *path, int type_id)
{
	cJSON *f;

	if (!path)
		return NULL;
	f = cJSON_CreateObject();
	add_str(f, "name", path_base(path));
	add_str(f, "path", path);
	add_int(f, "type_id", type_id);
	add_str(f, "type", type_id == OCSF_FILE_REGULAR ? "Regular File" : "Unknown");
	return f;
}

static cJSON *ocsf_parent(const cJSON *rec)
{
	cJSON *p = cJSON_CreateObject();

	copy_int(p, "pid", rec, "process.parent.pid");
	if (!cJSON_GetObjectItem(p, "pid"))
		copy_int(p, "pid", rec, "process.ppid");
	copy_str(p, "cmd_line", rec, "process.parent.cmdline");
	attach(p, "file", ocsf_file(str_at(rec, "process.parent.exe"), OCSF_FILE_REGULAR));
	return p;
}

static cJSON *ocsf_process(const cJSON *rec)
{
	cJSON *p = cJSON_CreateObject(), *user = cJSON_CreateObject();
	const char *exe = str_at(rec, "process.exe"), *comm = str_at(rec, "process.comm");

	copy_int(p, "pid", rec, "process.pid");
	add_str(p, "name", comm ? comm : path_base(exe));
	copy_str(p, "cmd_line", rec, "process.cmdline");
	attach(p, "file", ocsf_file(exe, OCSF_FILE_REGULAR));
	copy_int_as_str(user, "uid", rec, "process.uid");
	copy_str(user, "name", rec, "user.name");
	attach(p, "user", user);
	attach_process(p, "parent_process", ocsf_parent(rec));
	return p;
}

/* The server itself is the process of alerts about it (posture drop). */
static cJSON *ocsf_server_process(const cJSON *rec)
{
	cJSON *p = cJSON_CreateObject();

	copy_int(p, "pid", rec, "server.pid");
	copy_str(p, "name", rec, "server.name");
	copy_str(p, "cmd_line", rec, "server.cmdline");
	return p;
}

static cJSON *ocsf_connection(bool inbound, const cJSON *rec)
{
	cJSON *c = cJSON_CreateObject();
	const char *type = str_at(rec, "network.type");

	add_int(c, "direction_id", inbound ? OCSF_DIRECTION_INBOUND : OCSF_DIRECTION_OUTBOUND);
	add_str(c, "direction", inbound ? "Inbound" : "Outbound");
	add_str(c, "protocol_name", "tcp");
	add_int(c, "protocol_num", IANA_PROTOCOL_TCP);
	if (type && strcmp(type, "ipv6") == 0)
		add_int(c, "protocol_ver_id", 6);
	else if (type && strcmp(type, "ipv4") == 0)
		add_int(c, "protocol_ver_id", 4);
	return c;
}

/* The server side of the connection: the listener's own address, or the remote one. */
static cJSON *ocsf_endpoint(const cJSON *rec, const char *addr_path, const char *port_path)
{
	cJSON *e = cJSON_CreateObject();

	copy_ip(e, "ip", rec, addr_path);
	if (!cJSON_GetObjectItem(e, "ip"))
		return e; /* an endpoint needs an address; a port alone is none */
	copy_port(e, "port", rec, port_path);
	return e;
}

static cJSON *ocsf_evidence(const struct native *n)
{
	cJSON *e = cJSON_CreateObject();
	const cJSON *rec = n->rec;

	attach_process(e, "process",
		       n->object == OBJ_NONE ? ocsf_server_process(rec) : ocsf_process(rec));
	if (n->object == OBJ_FILE)
		attach(e, "file", ocsf_file(str_at(rec, "file.path"), OCSF_FILE_UNKNOWN));
	if (n->object == OBJ_LISTEN)
		attach(e, "dst_endpoint",
		       ocsf_endpoint(rec, "network.local_addr", "network.local_port"));
	if (n->object == OBJ_CONNECT)
		attach(e, "dst_endpoint",
		       ocsf_endpoint(rec, "network.remote_addr", "network.remote_port"));
	if (n->object == OBJ_LISTEN || n->object == OBJ_CONNECT)
		attach(e, "connection_info", ocsf_connection(n->object == OBJ_LISTEN, rec));
	return e;
}

static cJSON *ocsf_finding_info(const struct native *n, const char *title, const char *type)
{
	cJSON *f = cJSON_CreateObject();

	add_str(f, "uid", n->uid);
	add_str(f, "title", title);
	add_str(f, "desc", n->message);
	cJSON_AddItemToObject(f, "types", string_array(type));
	add_int(f, "created_time", floor_div(n->time_ns, NS_PER_MS));
	add_int(f, "first_seen_time",
		floor_div(time_at(n->rec, "aggregate.first_time", n->time_ns), NS_PER_MS));
	add_int(f, "last_seen_time",
		floor_div(time_at(n->rec, "aggregate.last_time", n->time_ns), NS_PER_MS));
	return f;
}

static cJSON *ocsf_analytic(const struct native *n)
{
	cJSON *a = cJSON_CreateObject();

	add_str(a, "name", n->rule_id);
	add_str(a, "uid", n->rule_id);
	add_int(a, "type_id", OCSF_ANALYTIC_RULE);
	add_str(a, "type", "Rule");
	return a;
}

/* What OCSF has no attribute for, kept under "unmapped" as in the native record. */
static cJSON *ocsf_unmapped(const cJSON *rec)
{
	static const char *const kept[] = {"server", "aggregate", "posture",
					   "file",   "network",	  NULL};
	cJSON *u = cJSON_CreateObject(), *rule = cJSON_CreateObject();

	copy_any(rule, "tags", rec, "rule.tags");
	copy_any(rule, "severity", rec, "rule.severity");
	attach(u, "rule", rule);
	for (const char *const *k = kept; *k; k++)
		copy_any(u, *k, rec, *k);
	return u;
}

static cJSON *ocsf_alert(const struct native *n)
{
	cJSON *o = ocsf_base(n, OCSF_CLASS_DETECTION, "Detection Finding");
	cJSON *info = ocsf_finding_info(n, n->rule_name, n->rule_id);
	int64_t count;

	add_int(o, "severity_id", n->sev->ocsf_id);
	add_str(o, "severity", n->sev->ocsf_name);
	add_str(o, "message", n->message);
	cJSON_AddItemToObject(info, "analytic", ocsf_analytic(n));
	cJSON_AddItemToObject(o, "finding_info", info);
	if (int_at(n->rec, "count", &count) && count >= 0)
		add_int(o, "count", count);
	if (at(n->rec, "aggregate.first_time")) {
		add_int(o, "start_time",
			floor_div(time_at(n->rec, "aggregate.first_time", n->time_ns), NS_PER_MS));
		add_int(o, "end_time",
			floor_div(time_at(n->rec, "aggregate.last_time", n->time_ns), NS_PER_MS));
	}
	attach_list(o, "evidences", ocsf_evidence(n));
	attach(o, "unmapped", ocsf_unmapped(n->rec));
	return o;
}

/* ---------------------------------------------------------------- posture */

/* The graded subject of a posture record: a server or the host. */
struct graded {
	bool host_scope;
	const char *name, *grade;
	int64_t score;
	bool has_score;
};

static void graded_read(const struct native *n, struct graded *g)
{
	const char *scope = str_at(n->rec, "scope");

	g->host_scope = scope && strcmp(scope, "host") == 0;
	g->name = g->host_scope ? n->host : str_at(n->rec, "server.name");
	g->grade = str_at(n->rec, g->host_scope ? "host.grade" : "server.grade");
	g->has_score = int_at(n->rec, g->host_scope ? "host.score" : "server.score", &g->score);
	if (!g->name)
		g->name = "unknown";
	if (!g->grade)
		g->grade = "?";
}

static void posture_text(const struct graded *g, char *buf, size_t len)
{
	if (g->has_score)
		snprintf(buf, len, "Posture of %s %s: grade %s (%" PRId64 "/100)",
			 g->host_scope ? "host" : "MCP server", g->name, g->grade, g->score);
	else
		snprintf(buf, len, "Posture of %s %s: grade %s",
			 g->host_scope ? "host" : "MCP server", g->name, g->grade);
}

/* Grades A–B pass, C warns, D–F fail (OCSF compliance status_id). */
static int grade_status(const char *grade, const char **name)
{
	static const char *const names[] = {"Unknown", "Pass", "Warning", "Fail"};
	int id = 0;

	if (grade[0] && !grade[1] && strchr("AB", grade[0]))
		id = 1;
	else if (grade[0] && !grade[1] && grade[0] == 'C')
		id = 2;
	else if (grade[0] && !grade[1] && strchr("DF", grade[0]))
		id = 3;
	*name = names[id];
	return id;
}

/* A (1 Informational) … F (4 High): a posture grade is a risk, not an attack. */
static int grade_severity(const char *grade)
{
	static const char grades[] = "ABCDF";
	static const int ids[] = {1, 1, 2, 3, 4};
	const char *p = grade[0] && !grade[1] ? strchr(grades, grade[0]) : NULL;

	return p ? ids[p - grades] : 0;
}

static cJSON *ocsf_compliance(const struct graded *g)
{
	cJSON *c = cJSON_CreateObject();
	const char *status;

	cJSON_AddItemToObject(c, "standards", string_array("AgentGrade"));
	add_str(c, "control", g->host_scope ? "mcp-host-grade" : "mcp-server-grade");
	add_int(c, "status_id", grade_status(g->grade, &status));
	add_str(c, "status", status);
	return c;
}

static cJSON *ocsf_posture(const struct native *n)
{
	static const char *const sev_names[] = {"Unknown", "Informational", "Low", "Medium",
						"High"};
	cJSON *o = ocsf_base(n, OCSF_CLASS_COMPLIANCE, "Compliance Finding"), *u, *p;
	cJSON *ev = cJSON_CreateObject();
	struct graded g;
	char title[512];
	int sev;

	graded_read(n, &g);
	posture_text(&g, title, sizeof(title));
	sev = grade_severity(g.grade);
	add_int(o, "severity_id", sev);
	add_str(o, "severity", sev_names[sev]);
	add_str(o, "message", title);
	cJSON_AddItemToObject(o, "finding_info", ocsf_finding_info(n, title, "mcp-posture"));
	cJSON_AddItemToObject(o, "compliance", ocsf_compliance(&g));
	p = cJSON_CreateObject();
	copy_int(p, "pid", n->rec, "server.pid");
	copy_str(p, "name", n->rec, "server.name");
	copy_str(p, "cmd_line", n->rec, "server.command");
	attach_process(ev, "process", p);
	attach_list(o, "evidences", ev);
	u = cJSON_CreateObject();
	p = cJSON_AddObjectToObject(u, "posture");
	copy_any(p, "scope", n->rec, "scope");
	copy_any(p, "host", n->rec, "host");
	copy_any(p, "server", n->rec, "server");
	copy_any(p, "servers", n->rec, "servers");
	cJSON_AddItemToObject(o, "unmapped", u);
	return o;
}

static cJSON *format_ocsf(const struct native *n)
{
	if (is_kind(n, "alert"))
		return ocsf_alert(n);
	if (is_kind(n, "posture"))
		return ocsf_posture(n);
	return NULL; /* agent records are about mcpwatch, not findings */
}

/* ---------------------------------------------------------------- ECS */

static cJSON *ecs_event(const struct native *n, const char *kind, const char *category,
			const char *type, const char *dataset)
{
	cJSON *e = cJSON_CreateObject();

	add_str(e, "kind", kind);
	cJSON_AddItemToObject(e, "category", string_array(category));
	cJSON_AddItemToObject(e, "type", string_array(type));
	add_str(e, "dataset", dataset);
	add_str(e, "module", PRODUCT_NAME);
	add_str(e, "id", n->uid);
	add_time_text(e, "created", n->time_ns);
	return e;
}

/* @timestamp, ecs, host, agent, and the event object. */
static cJSON *ecs_base(const struct native *n, cJSON *event)
{
	cJSON *o = cJSON_CreateObject(), *h, *a;

	add_time_text(o, "@timestamp", n->time_ns);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "ecs"), "version", ECS_VERSION);
	cJSON_AddItemToObject(o, "event", event);
	h = cJSON_AddObjectToObject(o, "host");
	add_str(h, "name", n->host);
	add_str(h, "hostname", n->host);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(h, "os"), "type", "linux");
	a = cJSON_AddObjectToObject(o, "agent");
	add_str(a, "type", PRODUCT_NAME);
	add_str(a, "version", MW_VERSION);
	return o;
}

static cJSON *ecs_user(const cJSON *rec)
{
	cJSON *u = cJSON_CreateObject();

	copy_int_as_str(u, "id", rec, "process.uid");
	copy_str(u, "name", rec, "user.name");
	return u;
}

static cJSON *ecs_parent(const cJSON *rec)
{
	cJSON *p = cJSON_CreateObject();
	const char *exe = str_at(rec, "process.parent.exe");

	copy_int(p, "pid", rec, "process.parent.pid");
	if (!cJSON_GetObjectItem(p, "pid"))
		copy_int(p, "pid", rec, "process.ppid");
	add_str(p, "executable", exe);
	add_str(p, "name", path_base(exe));
	copy_str(p, "command_line", rec, "process.parent.cmdline");
	return p;
}

static cJSON *ecs_process(const struct native *n)
{
	const cJSON *rec = n->rec;
	cJSON *p = cJSON_CreateObject();
	const char *exe = str_at(rec, "process.exe"), *comm = str_at(rec, "process.comm");

	if (n->object == OBJ_NONE) {
		copy_int(p, "pid", rec, "server.pid");
		copy_str(p, "command_line", rec, "server.cmdline");
		return p;
	}
	copy_int(p, "pid", rec, "process.pid");
	add_str(p, "name", comm ? comm : path_base(exe));
	add_str(p, "executable", exe);
	copy_str(p, "command_line", rec, "process.cmdline");
	attach(p, "user", ecs_user(rec));
	attach(p, "parent", ecs_parent(rec));
	return p;
}

static void ecs_network(cJSON *o, const struct native *n)
{
	bool listen = n->object == OBJ_LISTEN;
	cJSON *dst = cJSON_CreateObject(), *net = cJSON_CreateObject();

	copy_ip(dst, "ip", n->rec, listen ? "network.local_addr" : "network.remote_addr");
	copy_port(dst, "port", n->rec, listen ? "network.local_port" : "network.remote_port");
	attach(o, "destination", dst);
	copy_str(net, "transport", n->rec, "network.transport");
	copy_str(net, "type", n->rec, "network.type");
	add_str(net, "direction", listen ? "ingress" : "egress");
	attach(o, "network", net);
}

static void ecs_file(cJSON *o, const cJSON *rec)
{
	cJSON *f = cJSON_CreateObject();
	const char *path = str_at(rec, "file.path");

	add_str(f, "path", path);
	add_str(f, "name", path_base(path));
	attach(o, "file", f);
}

/* What ECS has no field for, under "mcpwatch", as in the native record. */
static cJSON *ecs_extra(const cJSON *rec)
{
	cJSON *m = cJSON_CreateObject(), *f = cJSON_CreateObject(), *net = cJSON_CreateObject();

	copy_any(m, "server", rec, "server");
	copy_any(m, "count", rec, "count");
	copy_any(m, "aggregate", rec, "aggregate");
	copy_any(m, "posture", rec, "posture");
	copy_any(f, "flags", rec, "file.flags");
	copy_any(f, "result", rec, "file.result");
	attach(m, "file", f);
	copy_any(net, "tls", rec, "network.tls");
	copy_any(net, "tls_evidence", rec, "network.tls_evidence");
	attach(m, "network", net);
	return m;
}

static void ecs_alert_event(const struct native *n, const char **category, const char **type)
{
	static const char *const categories[] = {"configuration", "process", "file", "network",
						 "network"};
	static const char *const types[] = {"change", "start", "access", "connection",
					    "connection"};

	*category = categories[n->object];
	*type = types[n->object];
}

static cJSON *ecs_rule(const struct native *n)
{
	cJSON *r = cJSON_CreateObject();

	add_str(r, "id", n->rule_id);
	add_str(r, "name", n->rule_name);
	add_str(r, "ruleset", PRODUCT_NAME);
	return r;
}

static cJSON *ecs_alert(const struct native *n)
{
	const char *category, *type;
	cJSON *event, *o, *c;

	ecs_alert_event(n, &category, &type);
	event = ecs_event(n, "alert", category, type, "mcpwatch.alert");
	add_int(event, "severity", n->sev->ocsf_id);
	if (n->sev->risk_score >= 0)
		add_int(event, "risk_score", n->sev->risk_score);
	if (at(n->rec, "aggregate.first_time")) {
		add_time_text(event, "start", time_at(n->rec, "aggregate.first_time", n->time_ns));
		add_time_text(event, "end", time_at(n->rec, "aggregate.last_time", n->time_ns));
	}
	o = ecs_base(n, event);
	add_str(o, "message", n->message);
	cJSON_AddItemToObject(o, "rule", ecs_rule(n));
	attach(o, "process", ecs_process(n));
	attach(o, "user", ecs_user(n->rec));
	if (n->object == OBJ_FILE)
		ecs_file(o, n->rec);
	if (n->object == OBJ_LISTEN || n->object == OBJ_CONNECT)
		ecs_network(o, n);
	c = cJSON_CreateObject();
	copy_str(c, "id", n->rec, "container.id");
	attach(o, "container", c);
	cJSON_AddItemToObject(o, "tags", strings_of(at(n->rec, "rule.tags")));
	attach(o, PRODUCT_NAME, ecs_extra(n->rec));
	return o;
}

static cJSON *ecs_posture(const struct native *n)
{
	cJSON *o, *p, *m;
	struct graded g;
	char text[512];

	graded_read(n, &g);
	posture_text(&g, text, sizeof(text));
	o = ecs_base(n, ecs_event(n, "state", "configuration", "info", "mcpwatch.posture"));
	add_str(o, "message", text);
	p = cJSON_CreateObject();
	copy_int(p, "pid", n->rec, "server.pid");
	copy_str(p, "command_line", n->rec, "server.command");
	attach(o, "process", p);
	m = cJSON_AddObjectToObject(cJSON_AddObjectToObject(o, PRODUCT_NAME), "posture");
	copy_any(m, "scope", n->rec, "scope");
	add_str(m, "grade", g.grade);
	if (g.has_score)
		add_int(m, "score", g.score);
	copy_any(m, "server", n->rec, "server");
	copy_any(m, "servers", n->rec, "servers");
	return o;
}

/* The agent's own lifecycle: ready is its start, stopping its end. */
static cJSON *ecs_agent(const struct native *n)
{
	const char *event = str_at(n->rec, "event"), *type = "info";
	cJSON *o, *m;
	const cJSON *item;
	char text[256];

	if (event && strcmp(event, "ready") == 0)
		type = "start";
	else if (event && strcmp(event, "stopping") == 0)
		type = "end";
	o = ecs_base(n, ecs_event(n, "event", "process", type, "mcpwatch.agent"));
	snprintf(text, sizeof(text), "mcpwatch agent: %.200s", event ? event : "event");
	add_str(o, "message", text);
	m = cJSON_AddObjectToObject(cJSON_AddObjectToObject(o, PRODUCT_NAME), "agent");
	cJSON_ArrayForEach(item, n->rec)
	{
		if (item->string && strcmp(item->string, "kind") != 0 &&
		    strcmp(item->string, "time") != 0 && strcmp(item->string, "host") != 0)
			cJSON_AddItemToObject(m, item->string, cJSON_Duplicate(item, true));
	}
	return o;
}

static cJSON *format_ecs(const struct native *n)
{
	if (is_kind(n, "alert"))
		return ecs_alert(n);
	if (is_kind(n, "posture"))
		return ecs_posture(n);
	if (is_kind(n, "agent"))
		return ecs_agent(n);
	return NULL;
}

/* ---------------------------------------------------------------- Falco */

static void falco_process(cJSON *f, const struct native *n)
{
	const cJSON *rec = n->rec;

	copy_int(f, "proc.pid", rec, "process.pid");
	copy_str(f, "proc.name", rec, "process.comm");
	copy_str(f, "proc.cmdline", rec, "process.cmdline");
	copy_str(f, "proc.exepath", rec, "process.exe");
	copy_int(f, "proc.ppid", rec, "process.ppid");
	copy_str(f, "proc.pcmdline", rec, "process.parent.cmdline");
	copy_str(f, "proc.pexepath", rec, "process.parent.exe");
	copy_int(f, "user.uid", rec, "process.uid");
	copy_str(f, "user.name", rec, "user.name");
}

/* Falco's socket fields: fd.sip/fd.sport name the server side of the connection. */
static void falco_network(cJSON *f, const struct native *n)
{
	bool listen = n->object == OBJ_LISTEN;
	const char *addr = str_at(n->rec, listen ? "network.local_addr" : "network.remote_addr");
	const char *port_path = listen ? "network.local_port" : "network.remote_port";
	int64_t port = 0;
	bool has_port = int_at(n->rec, port_path, &port);
	char name[128];

	add_str(f, "fd.sip", addr);
	add_str(f, listen ? "fd.lip" : "fd.rip", addr);
	if (has_port) {
		add_int(f, "fd.sport", port);
		add_int(f, listen ? "fd.lport" : "fd.rport", port);
	}
	copy_str(f, "fd.l4proto", n->rec, "network.transport");
	if (addr && has_port) {
		snprintf(name, sizeof(name),
			 strchr(addr, ':') ? "[%.64s]:%" PRId64 : "%.64s:%" PRId64, addr, port);
		add_str(f, "fd.name", name);
	}
}

static cJSON *falco_fields(const struct native *n)
{
	cJSON *f = cJSON_CreateObject();
	const char *container = str_at(n->rec, "container.id");
	char ns[32];

	snprintf(ns, sizeof(ns), "%" PRId64, n->time_ns);
	/* Nanoseconds exceed a double's exact range: written as a JSON integer verbatim. */
	cJSON_AddItemToObject(f, "evt.time", cJSON_CreateRaw(ns));
	if (n->object != OBJ_NONE)
		falco_process(f, n);
	if (n->object == OBJ_FILE)
		copy_str(f, "fd.name", n->rec, "file.path");
	if (n->object == OBJ_LISTEN || n->object == OBJ_CONNECT)
		falco_network(f, n);
	add_str(f, "container.id", container ? container : "host"); /* Falco's name for "none" */
	copy_str(f, "mcp.server.name", n->rec, "server.name");
	copy_int(f, "mcp.server.pid", n->rec, "server.pid");
	copy_str(f, "mcp.rule.id", n->rec, "rule.id");
	return f;
}

static cJSON *falco_alert(const struct native *n)
{
	cJSON *o = cJSON_CreateObject();
	char t[TIME_TEXT_MAX], *output = NULL;

	rfc3339_format(n->time_ns, t, sizeof(t));
	add_str(o, "time", t);
	add_str(o, "rule", n->rule_name);
	add_str(o, "priority", n->sev->falco);
	/* Falco's own line: "<time>: <Priority> <message>". */
	if (asprintf(&output, "%s: %s %s", t, n->sev->falco,
		     n->message ? n->message : n->rule_name) >= 0) {
		add_str(o, "output", output);
		free(output);
	}
	cJSON_AddItemToObject(o, "output_fields", falco_fields(n));
	add_str(o, "hostname", n->host ? n->host : "");
	add_str(o, "source", PRODUCT_NAME);
	cJSON_AddItemToObject(o, "tags", strings_of(at(n->rec, "rule.tags")));
	return o;
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
	switch (f) {
	case FMT_NATIVE:
		return "native";
	case FMT_OCSF:
		return "ocsf";
	case FMT_ECS:
		return "ecs";
	case FMT_FALCO:
		return "falco";
	}
	return "unknown";
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
		return is_kind(&n, "alert") ? falco_alert(&n) : NULL;
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
