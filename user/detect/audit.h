/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * audit: owns the `kind: "tool_call"` record — one per MCP request a
 * tapped server answered (or abandoned), for "log every tool invocation"
 * (MCP security practice 9): who called which tool of which server, with
 * which argument names (values only on request, redacted), how it ended
 * and how long it took. docs/formats.md has its shape.
 */
#ifndef MCPWATCH_AUDIT_H
#define MCPWATCH_AUDIT_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "enrich/workload.h"
#include "identify/proctable.h"
#include "identify/tap.h"

/* The record for call c (ended); server and proc may be NULL when the
 * table no longer knows them; w is proc's container and pod (may be NULL).
 * arguments: include the redacted values. */
cJSON *audit_record(const struct tap_call *c, const struct proc *server, const struct proc *proc,
		    const struct workload *w, const char *host, bool arguments);

#endif /* MCPWATCH_AUDIT_H */
