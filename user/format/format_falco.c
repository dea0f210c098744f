// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Falco's output format (the JSON of json_output: true), for alerts only:
 * posture, agent and tool_call records have no Falco form (Falco's stream
 * is alerts; they go out native). Mapping table:
 * docs/formats.md.
 */
#include "format/format_int.h"
#include "lib/clock.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- Falco */

static void falco_process(cJSON *f, const struct native *n)
{
	const cJSON *rec = n->rec;

	fmt_copy_int(f, "proc.pid", rec, "process.pid");
	fmt_copy_str(f, "proc.name", rec, "process.comm");
	fmt_copy_str(f, "proc.cmdline", rec, "process.cmdline");
	fmt_copy_str(f, "proc.exepath", rec, "process.exe");
	fmt_copy_int(f, "proc.ppid", rec, "process.ppid");
	fmt_copy_str(f, "proc.pcmdline", rec, "process.parent.cmdline");
	fmt_copy_str(f, "proc.pexepath", rec, "process.parent.exe");
	fmt_copy_int(f, "user.uid", rec, "process.uid");
	fmt_copy_str(f, "user.name", rec, "user.name");
}

/* Falco's socket fields: fd.sip/fd.sport name the server side of the connection. */
static void falco_network(cJSON *f, const struct native *n)
{
	bool listen = n->object == OBJ_LISTEN;
	const char *addr =
	    fmt_str_at(n->rec, listen ? "network.local_addr" : "network.remote_addr");
	const char *port_path = listen ? "network.local_port" : "network.remote_port";
	int64_t port = 0;
	bool has_port = fmt_int_at(n->rec, port_path, &port);
	char name[128];

	fmt_add_str(f, "fd.sip", addr);
	fmt_add_str(f, listen ? "fd.lip" : "fd.rip", addr);
	if (has_port) {
		fmt_add_int(f, "fd.sport", port);
		fmt_add_int(f, listen ? "fd.lport" : "fd.rport", port);
	}
	fmt_copy_str(f, "fd.l4proto", n->rec, "network.transport");
	if (addr && has_port) {
		snprintf(name, sizeof(name),
			 strchr(addr, ':') ? "[%.64s]:%" PRId64 : "%.64s:%" PRId64, addr, port);
		fmt_add_str(f, "fd.name", name);
	}
}

/* The MCP request in flight: Falco-style flat fields; an ambiguous one says only that. */
static void falco_mcp(cJSON *f, const struct native *n)
{
	struct mcp_call c;

	fmt_mcp_read(n, &c);
	if (!c.present)
		return;
	if (c.ambiguous) {
		cJSON_AddTrueToObject(f, "mcp.ambiguous");
		fmt_add_str(f, "mcp.transport", c.transport);
		return;
	}
	fmt_add_str(f, "mcp.method", c.method);
	fmt_add_str(f, "mcp.tool.name", c.tool);
	fmt_add_str(f, "mcp.request.id", c.request_id);
	fmt_add_str(f, "mcp.client.name", c.client);
	fmt_add_str(f, "mcp.transport", c.transport);
	fmt_add_str(f, "mcp.result.outcome", c.outcome);
}

/*
 * Falco's container and k8s fields: container.name, container.type (the
 * runtime), container.image (as written: repository:tag),
 * container.image.repository and .tag split from it, container.image.id,
 * k8s.pod.name, k8s.pod.uid, k8s.ns.name.
 */
static void falco_container(cJSON *f, const cJSON *rec)
{
	const char *image = fmt_str_at(rec, "container.image");

	fmt_copy_str(f, "container.name", rec, "container.name");
	fmt_copy_str(f, "container.type", rec, "container.runtime");
	fmt_copy_str(f, "container.image.id", rec, "container.image_id");
	if (image) {
		/* "registry:5000/app:1.2@sha256:..." → repository, tag (digest apart). */
		const char *at = strchr(image, '@');
		size_t name_len = at ? (size_t)(at - image) : strlen(image), repo_len = name_len;
		char name[512];

		snprintf(name, sizeof(name), "%.*s", (int)name_len, image);
		{
			const char *slash = strrchr(name, '/');
			const char *colon = strrchr(slash ? slash : name, ':');

			if (colon) {
				repo_len = (size_t)(colon - name);
				fmt_add_str(f, "container.image.tag", colon + 1);
			}
		}
		name[repo_len < sizeof(name) ? repo_len : sizeof(name) - 1] = '\0';
		fmt_add_str(f, "container.image", image);
		fmt_add_str(f, "container.image.repository", name);
	}
	fmt_copy_str(f, "k8s.pod.name", rec, "k8s.pod.name");
	fmt_copy_str(f, "k8s.pod.uid", rec, "k8s.pod.uid");
	fmt_copy_str(f, "k8s.ns.name", rec, "k8s.namespace");
}

static cJSON *falco_fields(const struct native *n)
{
	cJSON *f = cJSON_CreateObject();
	const char *container = fmt_str_at(n->rec, "container.id");
	char ns[32];

	snprintf(ns, sizeof(ns), "%" PRId64, n->time_ns);
	/* Nanoseconds exceed a double's exact range: written as a JSON integer verbatim. */
	cJSON_AddItemToObject(f, "evt.time", cJSON_CreateRaw(ns));
	if (n->object != OBJ_NONE)
		falco_process(f, n);
	if (n->object == OBJ_FILE)
		fmt_copy_str(f, "fd.name", n->rec, "file.path");
	if (n->object == OBJ_LISTEN || n->object == OBJ_CONNECT)
		falco_network(f, n);
	fmt_add_str(f, "container.id",
		    container ? container : "host"); /* Falco's name for "none" */
	falco_container(f, n->rec);
	fmt_copy_str(f, "mcp.server.name", n->rec, "server.name");
	fmt_copy_int(f, "mcp.server.pid", n->rec, "server.pid");
	fmt_copy_str(f, "mcp.rule.id", n->rec, "rule.id");
	falco_mcp(f, n);
	return f;
}

static cJSON *falco_alert(const struct native *n)
{
	cJSON *o = cJSON_CreateObject();
	char t[TIME_TEXT_MAX], *output = NULL;

	rfc3339_format(n->time_ns, 9, t, sizeof(t));
	fmt_add_str(o, "time", t);
	fmt_add_str(o, "rule", n->rule_name);
	fmt_add_str(o, "priority", n->sev->falco);
	/* Falco's own line: "<time>: <Priority> <message>". */
	if (asprintf(&output, "%s: %s %s", t, n->sev->falco,
		     n->message ? n->message : n->rule_name) >= 0) {
		fmt_add_str(o, "output", output);
		free(output);
	}
	cJSON_AddItemToObject(o, "output_fields", falco_fields(n));
	fmt_add_str(o, "hostname", n->host ? n->host : "");
	fmt_add_str(o, "source", PRODUCT_NAME);
	cJSON_AddItemToObject(o, "tags", fmt_strings_of(fmt_at(n->rec, "rule.tags")));
	return o;
}

cJSON *format_falco(const struct native *n)
{
	return fmt_is_kind(n, "alert") ? falco_alert(n) : NULL; /* Falco has only alerts */
}
