/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
#include "detect/record_parts.h"

#include <stdio.h>
#include <string.h>

#include "identify/exeid.h"
#include "lib/redact.h"

void record_add_redacted(cJSON *obj, const char *key, const char *value)
{
	char buf[RECORD_TEXT_MAX];

	if (!value) {
		cJSON_AddNullToObject(obj, key);
		return;
	}
	redact_string(value, buf, sizeof(buf));
	cJSON_AddStringToObject(obj, key, buf);
}

void record_fill_process(cJSON *obj, const struct proc *p)
{
	cJSON_AddNumberToObject(obj, "pid", p->tgid);
	cJSON_AddNumberToObject(obj, "ppid", p->ppid);
	cJSON_AddNumberToObject(obj, "uid", p->uid);
	record_add_redacted(obj, "exe", p->exe);
	record_add_redacted(obj, "cmdline", p->cmdline ? p->cmdline : "");
	cJSON_AddStringToObject(obj, "comm", p->comm);
	/* How the executable was recognised: only what is known is said. */
	if (exeid_how_name(p->exe_how))
		cJSON_AddStringToObject(obj, "exe_identity", exeid_how_name(p->exe_how));
	if (p->exe_match[0])
		cJSON_AddStringToObject(obj, "exe_match", p->exe_match);
	if (p->exe_anonymous)
		cJSON_AddBoolToObject(obj, "exe_anonymous", true);
	if (p->exe_via_fd)
		cJSON_AddBoolToObject(obj, "exe_via_fd", true);
}

void record_add_server(cJSON *rec, const struct proc *s)
{
	cJSON *srv = cJSON_AddObjectToObject(rec, "server");

	if (!srv)
		return;
	cJSON_AddNumberToObject(srv, "pid", s->tgid);
	record_add_redacted(srv, "name", s->server_name ? s->server_name : "unknown");
	record_add_redacted(srv, "cmdline", s->cmdline ? s->cmdline : "");
	if (s->server_version)
		record_add_redacted(srv, "version", s->server_version);
	if (s->transport)
		cJSON_AddStringToObject(srv, "transport", s->transport);
	cJSON_AddStringToObject(srv, "identified_by",
				s->name_from_protocol ? "protocol" : "cmdline");
}

/* parent[key] = s unless s is empty (unknown). */
static void add_known(cJSON *parent, const char *key, const char *s)
{
	if (parent && s && s[0])
		cJSON_AddStringToObject(parent, key, s);
}

/* parent[key] = {} created on first use. */
static cJSON *object_of(cJSON *parent, const char *key)
{
	cJSON *o = cJSON_GetObjectItemCaseSensitive(parent, key);

	return o ? o : cJSON_AddObjectToObject(parent, key);
}

void record_add_container(cJSON *rec, const struct proc *p, const struct workload *w)
{
	static const struct workload none;
	const char *id;
	cJSON *ctr, *k8s;

	if (!w)
		w = &none;
	id = w->container_id[0] ? w->container_id : p ? p->container_id : NULL;
	if ((id && id[0]) || w->container_name[0] || w->container_image[0]) {
		ctr = cJSON_AddObjectToObject(rec, "container");
		add_known(ctr, "id", id);
		add_known(ctr, "name", w->container_name);
		add_known(ctr, "image", w->container_image);
		add_known(ctr, "image_id", w->container_image_id);
		add_known(ctr, "runtime", w->container_runtime);
	}
	if (!workload_in_pod(w))
		return;
	k8s = cJSON_AddObjectToObject(rec, "k8s");
	if (!k8s)
		return;
	if (w->pod_name[0] || w->pod_uid[0]) {
		cJSON *pod = object_of(k8s, "pod");

		add_known(pod, "name", w->pod_name);
		add_known(pod, "uid", w->pod_uid);
	}
	add_known(k8s, "namespace", w->pod_namespace);
	if (w->node_name[0])
		add_known(object_of(k8s, "node"), "name", w->node_name);
	if (w->k8s_container_name[0])
		add_known(object_of(k8s, "container"), "name", w->k8s_container_name);
}

/* parent[key] = s, redacted, unless s is empty. */
static void add_text(cJSON *parent, const char *key, const char *s)
{
	if (s && s[0])
		record_add_redacted(parent, key, s);
}

/* "path,mode" → ["path", "mode"] */
static void add_keys(cJSON *tool, const char *keys)
{
	cJSON *arr;
	const char *p = keys;

	if (!keys || !keys[0])
		return;
	arr = cJSON_AddArrayToObject(tool, "argument_keys");
	while (arr && *p) {
		size_t n = strcspn(p, ",");
		char key[JSONRPC_NAME_MAX];

		snprintf(key, sizeof(key), "%.*s", (int)n, p);
		cJSON_AddItemToArray(arr, cJSON_CreateString(key));
		p += n + (p[n] == ',');
	}
}

cJSON *record_add_mcp(cJSON *parent, const struct tap_call *c, bool arguments)
{
	cJSON *mcp = cJSON_AddObjectToObject(parent, "mcp"), *tool;

	if (!mcp)
		return NULL;
	add_text(mcp, "method", c->method);
	if (c->id[0])
		cJSON_AddStringToObject(cJSON_AddObjectToObject(mcp, "request"), "id", c->id);
	if (c->tool[0]) {
		tool = cJSON_AddObjectToObject(mcp, "tool");
		add_text(tool, "name", c->tool);
		add_keys(tool, c->argument_keys);
		if (arguments)
			add_text(tool, "arguments", c->arguments);
	}
	if (c->client_name[0]) {
		cJSON *client = cJSON_AddObjectToObject(mcp, "client");

		add_text(client, "name", c->client_name);
		add_text(client, "version", c->client_version);
	}
	cJSON_AddStringToObject(mcp, "transport", tap_transport_name(c->transport));
	if (c->session[0])
		add_text(cJSON_AddObjectToObject(mcp, "session"), "id", c->session);
	return mcp;
}

void record_add_mcp_candidates(cJSON *parent, const struct tap_call *const *c, size_t shown,
			       size_t in_flight)
{
	cJSON *mcp = cJSON_AddObjectToObject(parent, "mcp");
	cJSON *arr;

	if (!mcp)
		return;
	cJSON_AddBoolToObject(mcp, "ambiguous", true);
	cJSON_AddNumberToObject(mcp, "in_flight", (double)in_flight);
	arr = cJSON_AddArrayToObject(mcp, "candidates");
	for (size_t i = 0; arr && i < shown; i++) {
		cJSON *one = cJSON_CreateObject();

		add_text(one, "method", c[i]->method);
		if (c[i]->id[0])
			cJSON_AddStringToObject(cJSON_AddObjectToObject(one, "request"), "id",
						c[i]->id);
		if (c[i]->tool[0])
			add_text(cJSON_AddObjectToObject(one, "tool"), "name", c[i]->tool);
		cJSON_AddItemToArray(arr, one);
	}
}

void record_add_outcome(cJSON *obj, const struct tap_call *c)
{
	cJSON_AddStringToObject(obj, "outcome", tap_outcome_name(c->outcome));
	if (c->is_error >= 0)
		cJSON_AddBoolToObject(obj, "is_error", c->is_error == 1);
	if (c->has_error_code)
		cJSON_AddNumberToObject(cJSON_AddObjectToObject(obj, "error"), "code",
					(double)c->error_code);
}

void record_add_mcp_result(cJSON *mcp, const struct tap_call *c)
{
	cJSON *res = cJSON_AddObjectToObject(mcp, "result");

	if (!res)
		return;
	record_add_outcome(res, c);
	cJSON_AddNumberToObject(res, "bytes", (double)c->response_bytes);
	if (c->end_ns)
		cJSON_AddNumberToObject(mcp, "duration_ms",
					(double)((c->end_ns - c->start_ns) / 1000000));
}
