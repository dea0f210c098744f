/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * record_parts: owns the objects that alerts and audit records share — the
 * server, the process, the container and the MCP request ("mcp") — so that
 * each has one shape on the stream (docs/formats.md), and the rule that
 * every free-form string in them is redacted before it is written.
 */
#ifndef MCPWATCH_RECORD_PARTS_H
#define MCPWATCH_RECORD_PARTS_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "enrich/workload.h"
#include "identify/proctable.h"
#include "identify/tap.h"

#define RECORD_TEXT_MAX 8192

/* obj[key] = value with secrets masked (null when value is NULL). */
void record_add_redacted(cJSON *obj, const char *key, const char *value);
/* {"pid", "ppid", "uid", "exe", "cmdline", "comm"} into obj. */
void record_fill_process(cJSON *obj, const struct proc *p);
/* rec.server = {"pid", "name", "cmdline", "version", "transport", "identified_by"}. */
void record_add_server(cJSON *rec, const struct proc *server);
/*
 * rec.container = {"id", "name", "image", "image_id", "runtime"} when p runs in one and
 * rec.k8s = {"pod": {"name", "uid"}, "namespace", "node": {"name"},
 * "container": {"name"}} when it runs in a pod: what w knows (w may be NULL:
 * the id from p alone); unknown members are left out.
 */
void record_add_container(cJSON *rec, const struct proc *p, const struct workload *w);
/*
 * The request as an "mcp" object: method, request.id, tool.{name,
 * argument_keys and, with arguments, arguments}, client, transport,
 * session.id. Returns the object (added to parent under "mcp").
 */
cJSON *record_add_mcp(cJSON *parent, const struct tap_call *c, bool arguments);
/* "mcp": {"ambiguous": true, "in_flight": n, "candidates": [{method, request.id, tool.name}]} */
void record_add_mcp_candidates(cJSON *parent, const struct tap_call *const *c, size_t shown,
			       size_t in_flight);
/* "outcome", "is_error" (when known), "error": {"code"} (a JSON-RPC error) into obj. */
void record_add_outcome(cJSON *obj, const struct tap_call *c);
/* "result": {"outcome", "is_error", "error": {"code"}, "bytes"} and "duration_ms" into mcp. */
void record_add_mcp_result(cJSON *mcp, const struct tap_call *c);

#endif /* MCPWATCH_RECORD_PARTS_H */
