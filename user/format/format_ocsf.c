// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * OCSF 1.3.0: alerts as Detection Findings (2004), posture records as
 * Compliance Findings (2003). Mapping table: docs/formats.md.
 */
#include "format/format.h"
#include "format/format_int.h"
#include "lib/clock.h"
#include "lib/paths.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* OCSF enumerations used here (OCSF 1.3.0). */
#define OCSF_CATEGORY_FINDINGS	    2
#define OCSF_CATEGORY_APPLICATION   6
#define OCSF_CLASS_COMPLIANCE	    2003
#define OCSF_CLASS_DETECTION	    2004
#define OCSF_CLASS_API_ACTIVITY	    6003
#define OCSF_ACTIVITY_CREATE	    1
#define OCSF_ACTIVITY_OTHER	    99
#define OCSF_SEVERITY_INFORMATIONAL 1
#define OCSF_STATUS_UNKNOWN	    0
#define OCSF_STATUS_SUCCESS	    1
#define OCSF_STATUS_FAILURE	    2
#define OCSF_STATUS_OTHER	    99
#define OCSF_STATUS_NEW		    1
#define OCSF_ANALYTIC_RULE	    1
#define OCSF_FILE_UNKNOWN	    0
#define OCSF_FILE_REGULAR	    1
#define OCSF_DEVICE_UNKNOWN	    0
#define OCSF_OS_LINUX		    200
#define OCSF_DIRECTION_INBOUND	    1
#define OCSF_DIRECTION_OUTBOUND	    2
#define IANA_PROTOCOL_TCP	    6
#define IANA_PROTOCOL_UDP	    17

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

/* The class of an OCSF event and the one activity mcpwatch reports in it. */
struct ocsf_class {
	int uid;
	const char *name;
	int category_uid;
	const char *category_name;
	int activity_id;
	const char *activity_name;
};

static const struct ocsf_class detection_finding = {OCSF_CLASS_DETECTION,   "Detection Finding",
						    OCSF_CATEGORY_FINDINGS, "Findings",
						    OCSF_ACTIVITY_CREATE,   "Create"};
static const struct ocsf_class compliance_finding = {OCSF_CLASS_COMPLIANCE,  "Compliance Finding",
						     OCSF_CATEGORY_FINDINGS, "Findings",
						     OCSF_ACTIVITY_CREATE,   "Create"};
/* An MCP call is none of Create, Read, Update, Delete: what a tool does is the tool's. */
static const struct ocsf_class api_activity = {OCSF_CLASS_API_ACTIVITY,	  "API Activity",
					       OCSF_CATEGORY_APPLICATION, "Application Activity",
					       OCSF_ACTIVITY_OTHER,	  "Other"};

static void ocsf_classify(cJSON *o, const struct ocsf_class *c)
{
	char type_name[96];

	fmt_add_int(o, "activity_id", c->activity_id);
	fmt_add_str(o, "activity_name", c->activity_name);
	fmt_add_int(o, "category_uid", c->category_uid);
	fmt_add_str(o, "category_name", c->category_name);
	fmt_add_int(o, "class_uid", c->uid);
	fmt_add_str(o, "class_name", c->name);
	fmt_add_int(o, "type_uid", (int64_t)c->uid * 100 + c->activity_id);
	snprintf(type_name, sizeof(type_name), "%s: %s", c->name, c->activity_name);
	fmt_add_str(o, "type_name", type_name);
}

/*
 * OCSF's container: uid, name, runtime, image {uid, name} (an image needs
 * its uid: without the image id the name is not written there), and for a
 * pod orchestrator "Kubernetes" and pod_uuid. The pod's name and namespace
 * have no OCSF attribute: they stay under unmapped.k8s.
 */
static void ocsf_container(cJSON *c, const cJSON *rec)
{
	fmt_copy_str(c, "uid", rec, "container.id");
	fmt_copy_str(c, "name", rec, "container.name");
	fmt_copy_str(c, "runtime", rec, "container.runtime");
	if (fmt_str_at(rec, "container.image_id")) {
		cJSON *img = cJSON_CreateObject();

		fmt_copy_str(img, "uid", rec, "container.image_id");
		fmt_copy_str(img, "name", rec, "container.image");
		fmt_attach(c, "image", img);
	}
	if (cJSON_IsObject(fmt_at(rec, "k8s"))) {
		fmt_add_str(c, "orchestrator", "Kubernetes");
		fmt_copy_str(c, "pod_uuid", rec, "k8s.pod.uid");
	}
}

/* What every event has: class, time, metadata, device, container. */
static cJSON *ocsf_base(const struct native *n, const struct ocsf_class *cls)
{
	cJSON *o = cJSON_CreateObject(), *c;

	ocsf_classify(o, cls);
	fmt_add_int(o, "time", clock_ns_to_ms(n->time_ns));
	fmt_add_int(o, "timezone_offset", 0); /* times are UTC */
	cJSON_AddItemToObject(o, "metadata", ocsf_metadata(n));
	cJSON_AddItemToObject(o, "device", ocsf_device(n));
	c = cJSON_CreateObject();
	ocsf_container(c, n->rec);
	fmt_attach(o, "container", c);
	return o;
}

/* A finding is new when mcpwatch writes it. */
static cJSON *ocsf_finding_base(const struct native *n, const struct ocsf_class *cls)
{
	cJSON *o = ocsf_base(n, cls);

	fmt_add_int(o, "status_id", OCSF_STATUS_NEW);
	fmt_add_str(o, "status", "New");
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
	const char *transport = fmt_str_at(rec, "network.transport");
	bool udp = transport && strcmp(transport, "udp") == 0;

	fmt_add_int(c, "direction_id", inbound ? OCSF_DIRECTION_INBOUND : OCSF_DIRECTION_OUTBOUND);
	fmt_add_str(c, "direction", inbound ? "Inbound" : "Outbound");
	fmt_add_str(c, "protocol_name", udp ? "udp" : "tcp");
	fmt_add_int(c, "protocol_num", udp ? IANA_PROTOCOL_UDP : IANA_PROTOCOL_TCP);
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

/* ---------------------------------------------------------------- MCP calls */

/* The answer: a JSON-RPC error is the response's code; a tool's isError is not an error code. */
static cJSON *ocsf_api_response(const struct mcp_call *c)
{
	cJSON *r = cJSON_CreateObject();
	const char *name;
	char code[24];

	if (!c->has_error_code)
		return r;
	fmt_add_int(r, "code", c->error_code);
	name = fmt_jsonrpc_error_name(c->error_code);
	snprintf(code, sizeof(code), "%" PRId64, c->error_code);
	fmt_add_str(r, "error", name ? name : code);
	fmt_add_str(r, "error_message", c->error_message);
	return r;
}

/*
 * The call as an OCSF API: the JSON-RPC method is the operation (required),
 * the request id the request's uid (required in a request), the MCP
 * server the service. NULL when there is no single call (ambiguous) or no method.
 */
static cJSON *ocsf_api(const struct native *n, const struct mcp_call *c)
{
	cJSON *api, *req, *svc;

	if (!c->method)
		return NULL;
	api = cJSON_CreateObject();
	fmt_add_str(api, "operation", c->method);
	req = cJSON_CreateObject();
	fmt_add_str(req, "uid", c->request_id);
	fmt_attach(api, "request", req);
	fmt_attach(api, "response", ocsf_api_response(c));
	svc = cJSON_CreateObject();
	fmt_copy_str(svc, "name", n->rec, "server.name");
	if (cJSON_GetObjectItem(svc, "name"))
		fmt_copy_str(svc, "version", n->rec, "server.version");
	fmt_attach(api, "service", svc);
	return api;
}

/* The MCP client that made the call: its name (clientInfo) and its session. */
static cJSON *ocsf_actor(const struct mcp_call *c)
{
	cJSON *a = cJSON_CreateObject(), *session = cJSON_CreateObject();

	fmt_add_str(a, "app_name", c->client);
	fmt_add_str(session, "uid", c->session);
	fmt_attach(a, "session", session);
	return a;
}

/* The client: a local process for stdio; else known by its name only. */
static cJSON *ocsf_src_endpoint(const struct native *n, const struct mcp_call *c)
{
	cJSON *e = cJSON_CreateObject();

	if (c->transport && strcmp(c->transport, "stdio") == 0 && n->host)
		fmt_add_str(e, "hostname", n->host);
	else
		fmt_add_str(e, "svc_name", c->client ? c->client : "unknown");
	return e;
}

/* The MCP server, always on this host. */
static cJSON *ocsf_dst_endpoint(const struct native *n)
{
	cJSON *e = cJSON_CreateObject();

	fmt_add_str(e, "hostname", n->host);
	fmt_copy_str(e, "svc_name", n->rec, "server.name");
	return e;
}

static void ocsf_call_status(cJSON *o, const struct mcp_call *c)
{
	static const int ids[] = {[MCP_UNKNOWN] = OCSF_STATUS_UNKNOWN,
				  [MCP_SUCCESS] = OCSF_STATUS_SUCCESS,
				  [MCP_FAILURE] = OCSF_STATUS_FAILURE,
				  [MCP_UNANSWERED] = OCSF_STATUS_OTHER};
	static const char *const names[] = {[MCP_UNKNOWN] = "Unknown",
					    [MCP_SUCCESS] = "Success",
					    [MCP_FAILURE] = "Failure",
					    [MCP_UNANSWERED] = "Unanswered"};
	enum mcp_status st = fmt_mcp_status(c);
	char code[24];

	fmt_add_int(o, "status_id", ids[st]);
	fmt_add_str(o, "status", names[st]);
	if (c->has_error_code) {
		snprintf(code, sizeof(code), "%" PRId64, c->error_code);
		fmt_add_str(o, "status_code", code);
	}
	fmt_add_str(o, "status_detail", c->outcome);
}

/* start_time and duration from the call; end_time is when it was answered (time). */
static void ocsf_call_times(cJSON *o, const struct native *n, const struct mcp_call *c)
{
	if (c->start_ns)
		fmt_add_int(o, "start_time", clock_ns_to_ms(c->start_ns));
	fmt_add_int(o, "end_time", clock_ns_to_ms(n->time_ns));
	if (c->has_duration)
		fmt_add_int(o, "duration", c->duration_ms);
}

/* The tool a tools/call names, as the resource the call acted on. */
static void ocsf_call_resources(cJSON *o, const struct mcp_call *c)
{
	cJSON *r;

	if (!c->tool)
		return;
	r = cJSON_CreateObject();
	fmt_add_str(r, "name", c->tool);
	fmt_add_str(r, "type", "MCP tool");
	fmt_attach_list(o, "resources", r);
}

static cJSON *ocsf_call_unmapped(const cJSON *rec)
{
	static const char *const kept[] = {"mcp", "tool_call", "server", "process", "k8s", NULL};
	cJSON *u = cJSON_CreateObject();

	for (const char *const *k = kept; *k; k++)
		fmt_copy_any(u, *k, rec, *k);
	return u;
}

/*
 * A tool_call record → API Activity (6003). OCSF requires api.operation,
 * actor (at least one attribute) and src_endpoint (at least one address or
 * name): what is unknown is written "unknown" rather than left out.
 */
static cJSON *ocsf_tool_call(const struct native *n)
{
	cJSON *o = ocsf_base(n, &api_activity), *api, *actor;
	struct mcp_call c;
	char text[512];

	fmt_mcp_read(n, &c);
	fmt_add_int(o, "severity_id", OCSF_SEVERITY_INFORMATIONAL);
	fmt_add_str(o, "severity", "Informational");
	ocsf_call_status(o, &c);
	fmt_mcp_call_text(n, &c, text, sizeof(text));
	fmt_add_str(o, "message", text);
	ocsf_call_times(o, n, &c);
	api = ocsf_api(n, &c);
	if (!api) {
		api = cJSON_CreateObject();
		fmt_add_str(api, "operation", "unknown");
	}
	cJSON_AddItemToObject(o, "api", api);
	actor = ocsf_actor(&c);
	if (!actor->child)
		fmt_add_str(actor, "app_name", "unknown");
	cJSON_AddItemToObject(o, "actor", actor);
	cJSON_AddItemToObject(o, "src_endpoint", ocsf_src_endpoint(n, &c));
	fmt_attach(o, "dst_endpoint", ocsf_dst_endpoint(n));
	ocsf_call_resources(o, &c);
	fmt_attach(o, "unmapped", ocsf_call_unmapped(n->rec));
	return o;
}

static cJSON *ocsf_evidence(const struct native *n)
{
	cJSON *e = cJSON_CreateObject();
	const cJSON *rec = n->rec;
	struct mcp_call call;

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
	fmt_mcp_read(n, &call);
	fmt_attach(e, "api", ocsf_api(n, &call));
	fmt_attach(e, "actor", ocsf_actor(&call));
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
	static const char *const kept[] = {"server",  "aggregate", "posture", "file",
					   "network", "mcp",	   "k8s",     NULL};
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
	cJSON *o = ocsf_finding_base(n, &detection_finding);
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
	cJSON *o = ocsf_finding_base(n, &compliance_finding), *u, *p;
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
	if (fmt_is_kind(n, "tool_call"))
		return ocsf_tool_call(n);
	return NULL; /* agent records are about mcpwatch, not findings */
}
