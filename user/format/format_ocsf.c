// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * OCSF 1.3.0: alerts as Detection Findings (2004), posture records as
 * Compliance Findings (2003). Mapping table: docs/formats.md.
 */
#include "format/format.h"
#include "format/format_int.h"
#include "lib/clock.h"
#include "lib/paths.h"

#include <stdio.h>
#include <string.h>

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

/* ---------------------------------------------------------------- OCSF */

static cJSON *ocsf_metadata(const struct native *n)
{
	cJSON *m = cJSON_CreateObject(), *p = cJSON_AddObjectToObject(m, "product"), *profiles;

	fmt_add_str(p, "name", PRODUCT_NAME);
	fmt_add_str(p, "vendor_name", PRODUCT_NAME);
	fmt_add_str(p, "version", MW_VERSION);
	fmt_add_str(m, "version", OCSF_VERSION);
	fmt_add_str(m, "uid", n->uid);
	profiles = cJSON_AddArrayToObject(m, "profiles");
	cJSON_AddItemToArray(profiles, cJSON_CreateString("host"));
	if (fmt_str_at(n->rec, "container.id"))
		cJSON_AddItemToArray(profiles, cJSON_CreateString("container"));
	return m;
}

static cJSON *ocsf_device(const struct native *n)
{
	cJSON *d = cJSON_CreateObject(), *os;

	fmt_add_str(d, "hostname", n->host);
	fmt_add_str(d, "name", n->host);
	fmt_add_int(d, "type_id", OCSF_DEVICE_UNKNOWN);
	fmt_add_str(d, "type", "Unknown");
	os = cJSON_AddObjectToObject(d, "os");
	fmt_add_str(os, "name", "Linux");
	fmt_add_int(os, "type_id", OCSF_OS_LINUX);
	fmt_add_str(os, "type", "Linux");
	return d;
}

/* What every finding has: class, activity Create, time, metadata, device, status. */
static cJSON *ocsf_base(const struct native *n, int class_uid, const char *class_name)
{
	cJSON *o = cJSON_CreateObject(), *c;
	char type_name[64];

	fmt_add_int(o, "activity_id", OCSF_ACTIVITY_CREATE);
	fmt_add_str(o, "activity_name", "Create");
	fmt_add_int(o, "category_uid", OCSF_CATEGORY_FINDINGS);
	fmt_add_str(o, "category_name", "Findings");
	fmt_add_int(o, "class_uid", class_uid);
	fmt_add_str(o, "class_name", class_name);
	fmt_add_int(o, "type_uid", (int64_t)class_uid * 100 + OCSF_ACTIVITY_CREATE);
	snprintf(type_name, sizeof(type_name), "%s: Create", class_name);
	fmt_add_str(o, "type_name", type_name);
	fmt_add_int(o, "time", clock_ns_to_ms(n->time_ns));
	fmt_add_int(o, "timezone_offset", 0); /* times are UTC */
	fmt_add_int(o, "status_id", OCSF_STATUS_NEW);
	fmt_add_str(o, "status", "New");
	cJSON_AddItemToObject(o, "metadata", ocsf_metadata(n));
	cJSON_AddItemToObject(o, "device", ocsf_device(n));
	c = cJSON_CreateObject();
	fmt_copy_str(c, "uid", n->rec, "container.id");
	fmt_attach(o, "container", c);
	return o;
}

/* An OCSF file object; name and type_id are required by the schema. */
static cJSON *ocsf_file(const char *path, int type_id)
{
	cJSON *f;

	if (!path)
		return NULL;
	f = cJSON_CreateObject();
	fmt_add_str(f, "name", path_base(path));
	fmt_add_str(f, "path", path);
	fmt_add_int(f, "type_id", type_id);
	fmt_add_str(f, "type", type_id == OCSF_FILE_REGULAR ? "Regular File" : "Unknown");
	return f;
}

static cJSON *ocsf_parent(const cJSON *rec)
{
	cJSON *p = cJSON_CreateObject();

	fmt_copy_int(p, "pid", rec, "process.parent.pid");
	if (!cJSON_GetObjectItem(p, "pid"))
		fmt_copy_int(p, "pid", rec, "process.ppid");
	fmt_copy_str(p, "cmd_line", rec, "process.parent.cmdline");
	fmt_attach(p, "file", ocsf_file(fmt_str_at(rec, "process.parent.exe"), OCSF_FILE_REGULAR));
	return p;
}

static cJSON *ocsf_process(const cJSON *rec)
{
	cJSON *p = cJSON_CreateObject(), *user = cJSON_CreateObject();
	const char *exe = fmt_str_at(rec, "process.exe"), *comm = fmt_str_at(rec, "process.comm");

	fmt_copy_int(p, "pid", rec, "process.pid");
	fmt_add_str(p, "name", comm ? comm : path_base(exe));
	fmt_copy_str(p, "cmd_line", rec, "process.cmdline");
	fmt_attach(p, "file", ocsf_file(exe, OCSF_FILE_REGULAR));
	fmt_copy_int_as_str(user, "uid", rec, "process.uid");
	fmt_copy_str(user, "name", rec, "user.name");
	fmt_attach(p, "user", user);
	fmt_attach_process(p, "parent_process", ocsf_parent(rec));
	return p;
}

/* The server itself is the process of alerts about it (posture drop). */
static cJSON *ocsf_server_process(const cJSON *rec)
{
	cJSON *p = cJSON_CreateObject();

	fmt_copy_int(p, "pid", rec, "server.pid");
	fmt_copy_str(p, "name", rec, "server.name");
	fmt_copy_str(p, "cmd_line", rec, "server.cmdline");
	return p;
}

static cJSON *ocsf_connection(bool inbound, const cJSON *rec)
{
	cJSON *c = cJSON_CreateObject();
	const char *type = fmt_str_at(rec, "network.type");

	fmt_add_int(c, "direction_id", inbound ? OCSF_DIRECTION_INBOUND : OCSF_DIRECTION_OUTBOUND);
	fmt_add_str(c, "direction", inbound ? "Inbound" : "Outbound");
	fmt_add_str(c, "protocol_name", "tcp");
	fmt_add_int(c, "protocol_num", IANA_PROTOCOL_TCP);
	if (type && strcmp(type, "ipv6") == 0)
		fmt_add_int(c, "protocol_ver_id", 6);
	else if (type && strcmp(type, "ipv4") == 0)
		fmt_add_int(c, "protocol_ver_id", 4);
	return c;
}

/* The server side of the connection: the listener's own address, or the remote one. */
static cJSON *ocsf_endpoint(const cJSON *rec, const char *addr_path, const char *port_path)
{
	cJSON *e = cJSON_CreateObject();

	fmt_copy_ip(e, "ip", rec, addr_path);
	if (!cJSON_GetObjectItem(e, "ip"))
		return e; /* an endpoint needs an address; a port alone is none */
	fmt_copy_port(e, "port", rec, port_path);
	return e;
}

static cJSON *ocsf_evidence(const struct native *n)
{
	cJSON *e = cJSON_CreateObject();
	const cJSON *rec = n->rec;

	fmt_attach_process(e, "process",
			   n->object == OBJ_NONE ? ocsf_server_process(rec) : ocsf_process(rec));
	if (n->object == OBJ_FILE)
		fmt_attach(e, "file", ocsf_file(fmt_str_at(rec, "file.path"), OCSF_FILE_UNKNOWN));
	if (n->object == OBJ_LISTEN)
		fmt_attach(e, "dst_endpoint",
			   ocsf_endpoint(rec, "network.local_addr", "network.local_port"));
	if (n->object == OBJ_CONNECT)
		fmt_attach(e, "dst_endpoint",
			   ocsf_endpoint(rec, "network.remote_addr", "network.remote_port"));
	if (n->object == OBJ_LISTEN || n->object == OBJ_CONNECT)
		fmt_attach(e, "connection_info", ocsf_connection(n->object == OBJ_LISTEN, rec));
	return e;
}

static cJSON *ocsf_finding_info(const struct native *n, const char *title, const char *type)
{
	cJSON *f = cJSON_CreateObject();

	fmt_add_str(f, "uid", n->uid);
	fmt_add_str(f, "title", title);
	fmt_add_str(f, "desc", n->message);
	cJSON_AddItemToObject(f, "types", fmt_string_array(type));
	fmt_add_int(f, "created_time", clock_ns_to_ms(n->time_ns));
	fmt_add_int(f, "first_seen_time",
		    clock_ns_to_ms(time_at(n->rec, "aggregate.first_time", n->time_ns)));
	fmt_add_int(f, "last_seen_time",
		    clock_ns_to_ms(time_at(n->rec, "aggregate.last_time", n->time_ns)));
	return f;
}

static cJSON *ocsf_analytic(const struct native *n)
{
	cJSON *a = cJSON_CreateObject();

	fmt_add_str(a, "name", n->rule_id);
	fmt_add_str(a, "uid", n->rule_id);
	fmt_add_int(a, "type_id", OCSF_ANALYTIC_RULE);
	fmt_add_str(a, "type", "Rule");
	return a;
}

/* What OCSF has no attribute for, kept under "unmapped" as in the native record. */
static cJSON *ocsf_unmapped(const cJSON *rec)
{
	static const char *const kept[] = {"server", "aggregate", "posture",
					   "file",   "network",	  NULL};
	cJSON *u = cJSON_CreateObject(), *rule = cJSON_CreateObject();

	fmt_copy_any(rule, "tags", rec, "rule.tags");
	fmt_copy_any(rule, "severity", rec, "rule.severity");
	fmt_attach(u, "rule", rule);
	for (const char *const *k = kept; *k; k++)
		fmt_copy_any(u, *k, rec, *k);
	return u;
}

static cJSON *ocsf_alert(const struct native *n)
{
	cJSON *o = ocsf_base(n, OCSF_CLASS_DETECTION, "Detection Finding");
	cJSON *info = ocsf_finding_info(n, n->rule_name, n->rule_id);
	int64_t count;

	fmt_add_int(o, "severity_id", n->sev->ocsf_id);
	fmt_add_str(o, "severity", n->sev->ocsf_name);
	fmt_add_str(o, "message", n->message);
	cJSON_AddItemToObject(info, "analytic", ocsf_analytic(n));
	cJSON_AddItemToObject(o, "finding_info", info);
	if (fmt_int_at(n->rec, "count", &count) && count >= 0)
		fmt_add_int(o, "count", count);
	if (fmt_at(n->rec, "aggregate.first_time")) {
		fmt_add_int(o, "start_time",
			    clock_ns_to_ms(time_at(n->rec, "aggregate.first_time", n->time_ns)));
		fmt_add_int(o, "end_time",
			    clock_ns_to_ms(time_at(n->rec, "aggregate.last_time", n->time_ns)));
	}
	fmt_attach_list(o, "evidences", ocsf_evidence(n));
	fmt_attach(o, "unmapped", ocsf_unmapped(n->rec));
	return o;
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

	cJSON_AddItemToObject(c, "standards", fmt_string_array("AgentGrade"));
	fmt_add_str(c, "control", g->host_scope ? "mcp-host-grade" : "mcp-server-grade");
	fmt_add_int(c, "status_id", grade_status(g->grade, &status));
	fmt_add_str(c, "status", status);
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

	fmt_graded_read(n, &g);
	fmt_posture_text(&g, title, sizeof(title));
	sev = grade_severity(g.grade);
	fmt_add_int(o, "severity_id", sev);
	fmt_add_str(o, "severity", sev_names[sev]);
	fmt_add_str(o, "message", title);
	cJSON_AddItemToObject(o, "finding_info", ocsf_finding_info(n, title, "mcp-posture"));
	cJSON_AddItemToObject(o, "compliance", ocsf_compliance(&g));
	p = cJSON_CreateObject();
	fmt_copy_int(p, "pid", n->rec, "server.pid");
	fmt_copy_str(p, "name", n->rec, "server.name");
	fmt_copy_str(p, "cmd_line", n->rec, "server.command");
	fmt_attach_process(ev, "process", p);
	fmt_attach_list(o, "evidences", ev);
	u = cJSON_CreateObject();
	p = cJSON_AddObjectToObject(u, "posture");
	fmt_copy_any(p, "scope", n->rec, "scope");
	fmt_copy_any(p, "host", n->rec, "host");
	fmt_copy_any(p, "server", n->rec, "server");
	fmt_copy_any(p, "servers", n->rec, "servers");
	cJSON_AddItemToObject(o, "unmapped", u);
	return o;
}

cJSON *format_ocsf(const struct native *n)
{
	if (fmt_is_kind(n, "alert"))
		return ocsf_alert(n);
	if (fmt_is_kind(n, "posture"))
		return ocsf_posture(n);
	return NULL; /* agent records are about mcpwatch, not findings */
}
