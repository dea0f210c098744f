/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
#include "detect/audit.h"

#include "deliver/output.h"
#include "detect/record_parts.h"
#include "lib/clock.h"

static void add_call(cJSON *rec, const struct tap_call *c)
{
	cJSON *call = cJSON_AddObjectToObject(rec, "tool_call");
	char start[RFC3339_MAX];

	if (!call)
		return;
	rfc3339_format(c->start_ns, 9, start, sizeof(start));
	cJSON_AddStringToObject(call, "start", start);
	cJSON_AddNumberToObject(call, "duration_ms", (double)((c->end_ns - c->start_ns) / 1000000));
	record_add_outcome(call, c);
	cJSON_AddNumberToObject(call, "request_bytes", (double)c->request_bytes);
	cJSON_AddNumberToObject(call, "response_bytes", (double)c->response_bytes);
}

cJSON *audit_record(const struct tap_call *c, const struct proc *server, const struct proc *proc,
		    const struct workload *w, const char *host, bool arguments)
{
	cJSON *rec = record_new("tool_call", c->end_ns ? c->end_ns : c->start_ns, host);

	if (!rec)
		return NULL;
	if (server)
		record_add_server(rec, server);
	if (proc) {
		record_fill_process(cJSON_AddObjectToObject(rec, "process"), proc);
		record_add_container(rec, proc, w);
	}
	record_add_mcp(rec, c, arguments);
	add_call(rec, c);
	return rec;
}
