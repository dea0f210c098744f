// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * ECS 8.11: alerts (event.kind alert), posture records (state) and the
 * agent's own lifecycle records (event). Mapping table: docs/formats.md.
 */
#include "format/format.h"
#include "format/format_int.h"
#include "lib/paths.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- ECS */

static cJSON *ecs_event(const struct native *n, const char *kind, const char *category,
			const char *type, const char *dataset)
{
	cJSON *e = cJSON_CreateObject();

	fmt_add_str(e, "kind", kind);
	cJSON_AddItemToObject(e, "category", fmt_string_array(category));
	cJSON_AddItemToObject(e, "type", fmt_string_array(type));
	fmt_add_str(e, "dataset", dataset);
	fmt_add_str(e, "module", PRODUCT_NAME);
	fmt_add_str(e, "id", n->uid);
	fmt_add_time_text(e, "created", n->time_ns);
	return e;
}

/* @timestamp, ecs, host, agent, and the event object. */
static cJSON *ecs_base(const struct native *n, cJSON *event)
{
	cJSON *o = cJSON_CreateObject(), *h, *a;

	fmt_add_time_text(o, "@timestamp", n->time_ns);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "ecs"), "version", ECS_VERSION);
	cJSON_AddItemToObject(o, "event", event);
	h = cJSON_AddObjectToObject(o, "host");
	fmt_add_str(h, "name", n->host);
	fmt_add_str(h, "hostname", n->host);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(h, "os"), "type", "linux");
	a = cJSON_AddObjectToObject(o, "agent");
	fmt_add_str(a, "type", PRODUCT_NAME);
	fmt_add_str(a, "version", MW_VERSION);
	return o;
}

static cJSON *ecs_user(const cJSON *rec)
{
	cJSON *u = cJSON_CreateObject();

	fmt_copy_int_as_str(u, "id", rec, "process.uid");
	fmt_copy_str(u, "name", rec, "user.name");
	return u;
}

static cJSON *ecs_parent(const cJSON *rec)
{
	cJSON *p = cJSON_CreateObject();
	const char *exe = fmt_str_at(rec, "process.parent.exe");

	fmt_copy_int(p, "pid", rec, "process.parent.pid");
	if (!cJSON_GetObjectItem(p, "pid"))
		fmt_copy_int(p, "pid", rec, "process.ppid");
	fmt_add_str(p, "executable", exe);
	fmt_add_str(p, "name", path_base(exe));
	fmt_copy_str(p, "command_line", rec, "process.parent.cmdline");
	return p;
}

static cJSON *ecs_process(const struct native *n)
{
	const cJSON *rec = n->rec;
	cJSON *p = cJSON_CreateObject();
	const char *exe = fmt_str_at(rec, "process.exe"), *comm = fmt_str_at(rec, "process.comm");

	if (n->object == OBJ_NONE) {
		fmt_copy_int(p, "pid", rec, "server.pid");
		fmt_copy_str(p, "command_line", rec, "server.cmdline");
		return p;
	}
	fmt_copy_int(p, "pid", rec, "process.pid");
	fmt_add_str(p, "name", comm ? comm : path_base(exe));
	fmt_add_str(p, "executable", exe);
	fmt_copy_str(p, "command_line", rec, "process.cmdline");
	fmt_attach(p, "user", ecs_user(rec));
	fmt_attach(p, "parent", ecs_parent(rec));
	return p;
}

static void ecs_network(cJSON *o, const struct native *n)
{
	bool listen = n->object == OBJ_LISTEN;
	cJSON *dst = cJSON_CreateObject(), *net = cJSON_CreateObject();

	fmt_copy_ip(dst, "ip", n->rec, listen ? "network.local_addr" : "network.remote_addr");
	fmt_copy_port(dst, "port", n->rec, listen ? "network.local_port" : "network.remote_port");
	fmt_attach(o, "destination", dst);
	fmt_copy_str(net, "transport", n->rec, "network.transport");
	fmt_copy_str(net, "type", n->rec, "network.type");
	fmt_add_str(net, "direction", listen ? "ingress" : "egress");
	fmt_attach(o, "network", net);
}

static void ecs_file(cJSON *o, const cJSON *rec)
{
	cJSON *f = cJSON_CreateObject();
	const char *path = fmt_str_at(rec, "file.path");

	fmt_add_str(f, "path", path);
	fmt_add_str(f, "name", path_base(path));
	fmt_attach(o, "file", f);
}

/* What ECS has no field for, under "mcpwatch", as in the native record. */
/*
 * container.{id,name,image.name,runtime}; a pod is ECS's orchestrator:
 * {type: kubernetes, namespace, resource: {type: pod, name}}. ECS has no
 * kubernetes.* fields: the rest of k8s stays under mcpwatch.k8s.
 */
static void ecs_container(cJSON *o, const cJSON *rec)
{
	cJSON *c = cJSON_CreateObject(), *img = cJSON_CreateObject();
	cJSON *orch = cJSON_CreateObject(), *res = cJSON_CreateObject();

	fmt_copy_str(c, "id", rec, "container.id");
	fmt_copy_str(c, "name", rec, "container.name");
	fmt_copy_str(img, "name", rec, "container.image");
	fmt_attach(c, "image", img);
	fmt_copy_str(c, "runtime", rec, "container.runtime");
	fmt_attach(o, "container", c);
	if (!cJSON_IsObject(fmt_at(rec, "k8s"))) {
		cJSON_Delete(orch);
		cJSON_Delete(res);
		return;
	}
	fmt_add_str(orch, "type", "kubernetes");
	fmt_copy_str(orch, "namespace", rec, "k8s.namespace");
	if (fmt_str_at(rec, "k8s.pod.name")) {
		fmt_add_str(res, "type", "pod");
		fmt_copy_str(res, "name", rec, "k8s.pod.name");
	}
	fmt_attach(orch, "resource", res);
	fmt_attach(o, "orchestrator", orch);
}

static cJSON *ecs_extra(const cJSON *rec)
{
	cJSON *m = cJSON_CreateObject(), *f = cJSON_CreateObject(), *net = cJSON_CreateObject();

	fmt_copy_any(m, "server", rec, "server");
	fmt_copy_any(m, "count", rec, "count");
	fmt_copy_any(m, "aggregate", rec, "aggregate");
	fmt_copy_any(m, "posture", rec, "posture");
	fmt_copy_any(m, "mcp", rec, "mcp");
	fmt_copy_any(m, "k8s", rec, "k8s"); /* the pod uid, node and container name */
	fmt_copy_any(f, "flags", rec, "file.flags");
	fmt_copy_any(f, "result", rec, "file.result");
	fmt_copy_any(f, "canonical_path", rec, "file.canonical_path");
	fmt_copy_any(f, "match", rec, "file.match");
	fmt_copy_any(f, "inode", rec, "file.inode");
	fmt_copy_any(f, "device", rec, "file.device");
	fmt_attach(m, "file", f);
	fmt_copy_any(net, "tls", rec, "network.tls");
	fmt_copy_any(net, "tls_evidence", rec, "network.tls_evidence");
	fmt_attach(m, "network", net);
	return m;
}

static void ecs_alert_event(const struct native *n, const char **category, const char **type)
{
	static const char *const categories[] = {
	    [OBJ_NONE] = "configuration", [OBJ_PROCESS] = "process", [OBJ_FILE] = "file",
	    [OBJ_LISTEN] = "network",	  [OBJ_CONNECT] = "network", [OBJ_TOOL] = "api"};
	static const char *const types[] = {
	    [OBJ_NONE] = "change",	 [OBJ_PROCESS] = "start",      [OBJ_FILE] = "access",
	    [OBJ_LISTEN] = "connection", [OBJ_CONNECT] = "connection", [OBJ_TOOL] = "access"};

	*category = categories[n->object];
	*type = types[n->object];
}

static cJSON *ecs_rule(const struct native *n)
{
	cJSON *r = cJSON_CreateObject();

	fmt_add_str(r, "id", n->rule_id);
	fmt_add_str(r, "name", n->rule_name);
	fmt_add_str(r, "ruleset", PRODUCT_NAME);
	return r;
}

static cJSON *ecs_alert(const struct native *n)
{
	const char *category, *type;
	cJSON *event, *o;

	ecs_alert_event(n, &category, &type);
	event = ecs_event(n, "alert", category, type, "mcpwatch.alert");
	fmt_add_int(event, "severity", n->sev->ocsf_id);
	if (n->sev->risk_score >= 0)
		fmt_add_int(event, "risk_score", n->sev->risk_score);
	if (fmt_at(n->rec, "aggregate.first_time")) {
		fmt_add_time_text(event, "start",
				  time_at(n->rec, "aggregate.first_time", n->time_ns));
		fmt_add_time_text(event, "end", time_at(n->rec, "aggregate.last_time", n->time_ns));
	}
	o = ecs_base(n, event);
	fmt_add_str(o, "message", n->message);
	cJSON_AddItemToObject(o, "rule", ecs_rule(n));
	fmt_attach(o, "process", ecs_process(n));
	fmt_attach(o, "user", ecs_user(n->rec));
	if (n->object == OBJ_FILE)
		ecs_file(o, n->rec);
	if (n->object == OBJ_LISTEN || n->object == OBJ_CONNECT)
		ecs_network(o, n);
	ecs_container(o, n->rec);
	cJSON_AddItemToObject(o, "tags", fmt_strings_of(fmt_at(n->rec, "rule.tags")));
	fmt_attach(o, PRODUCT_NAME, ecs_extra(n->rec));
	return o;
}

static cJSON *ecs_posture(const struct native *n)
{
	cJSON *o, *p, *m;
	struct graded g;
	char text[512];

	fmt_graded_read(n, &g);
	fmt_posture_text(&g, text, sizeof(text));
	o = ecs_base(n, ecs_event(n, "state", "configuration", "info", "mcpwatch.posture"));
	fmt_add_str(o, "message", text);
	p = cJSON_CreateObject();
	fmt_copy_int(p, "pid", n->rec, "server.pid");
	fmt_copy_str(p, "command_line", n->rec, "server.command");
	fmt_attach(o, "process", p);
	ecs_container(o, n->rec);
	fmt_copy_any(cJSON_AddObjectToObject(o, PRODUCT_NAME), "k8s", n->rec, "k8s");
	m = cJSON_AddObjectToObject(cJSON_GetObjectItem(o, PRODUCT_NAME), "posture");
	fmt_copy_any(m, "scope", n->rec, "scope");
	fmt_add_str(m, "grade", g.grade);
	if (g.has_score)
		fmt_add_int(m, "score", g.score);
	fmt_copy_any(m, "server", n->rec, "server");
	fmt_copy_any(m, "servers", n->rec, "servers");
	return o;
}

/* The agent's own lifecycle: ready is its start, stopping its end. */
static cJSON *ecs_agent(const struct native *n)
{
	const char *event = fmt_str_at(n->rec, "event"), *type = "info";
	cJSON *o, *m;
	const cJSON *item;
	char text[256];

	if (event && strcmp(event, "ready") == 0)
		type = "start";
	else if (event && strcmp(event, "stopping") == 0)
		type = "end";
	o = ecs_base(n, ecs_event(n, "event", "process", type, "mcpwatch.agent"));
	snprintf(text, sizeof(text), "mcpwatch agent: %.200s", event ? event : "event");
	fmt_add_str(o, "message", text);
	m = cJSON_AddObjectToObject(cJSON_AddObjectToObject(o, PRODUCT_NAME), "agent");
	cJSON_ArrayForEach(item, n->rec)
	{
		if (item->string && strcmp(item->string, "kind") != 0 &&
		    strcmp(item->string, "time") != 0 && strcmp(item->string, "host") != 0)
			cJSON_AddItemToObject(m, item->string, cJSON_Duplicate(item, true));
	}
	return o;
}

/* ECS event.outcome: an unanswered call is neither success nor failure. */
static const char *ecs_outcome(const struct mcp_call *c)
{
	static const char *const outcomes[] = {[MCP_UNKNOWN] = "unknown",
					       [MCP_SUCCESS] = "success",
					       [MCP_FAILURE] = "failure",
					       [MCP_UNANSWERED] = "unknown"};

	return outcomes[fmt_mcp_status(c)];
}

static cJSON *ecs_call_event(const struct native *n, const struct mcp_call *c)
{
	cJSON *e = ecs_event(n, "event", "api", "access", "mcpwatch.tool_call");

	fmt_add_str(e, "action", "tool_call");
	fmt_add_str(e, "outcome", ecs_outcome(c));
	if (c->start_ns)
		fmt_add_time_text(e, "start", c->start_ns);
	fmt_add_time_text(e, "end", n->time_ns);
	if (c->has_duration)
		fmt_add_int(e, "duration", c->duration_ms * NS_PER_MS);
	return e;
}

/* A JSON-RPC error answer: ECS error.code is a keyword. */
static void ecs_call_error(cJSON *o, const struct mcp_call *c)
{
	cJSON *err;
	char code[24];

	if (!c->has_error_code)
		return;
	err = cJSON_AddObjectToObject(o, "error");
	snprintf(code, sizeof(code), "%" PRId64, c->error_code);
	fmt_add_str(err, "code", code);
	fmt_add_str(err, "message", c->error_message);
	fmt_add_str(err, "type", fmt_jsonrpc_error_name(c->error_code));
}

/* A tool_call record: an api event; the call itself under mcpwatch.mcp / .tool_call. */
static cJSON *ecs_tool_call(const struct native *n)
{
	struct mcp_call c;
	cJSON *o, *m;
	char text[512];

	fmt_mcp_read(n, &c);
	o = ecs_base(n, ecs_call_event(n, &c));
	fmt_mcp_call_text(n, &c, text, sizeof(text));
	fmt_add_str(o, "message", text);
	fmt_attach(o, "process", ecs_process(n));
	ecs_call_error(o, &c);
	ecs_container(o, n->rec);
	m = cJSON_CreateObject();
	fmt_copy_any(m, "k8s", n->rec, "k8s");
	fmt_copy_any(m, "server", n->rec, "server");
	fmt_copy_any(m, "mcp", n->rec, "mcp");
	fmt_copy_any(m, "tool_call", n->rec, "tool_call");
	fmt_attach(o, PRODUCT_NAME, m);
	return o;
}

cJSON *format_ecs(const struct native *n)
{
	if (fmt_is_kind(n, "alert"))
		return ecs_alert(n);
	if (fmt_is_kind(n, "posture"))
		return ecs_posture(n);
	if (fmt_is_kind(n, "agent"))
		return ecs_agent(n);
	if (fmt_is_kind(n, "tool_call"))
		return ecs_tool_call(n);
	return NULL;
}
