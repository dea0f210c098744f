/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * format: owns turning a native record (the stream's own JSON: kind, time,
 * host, rule, server, process, file, network, container, posture, mcp,
 * tool_call) into
 * what a SIEM expects: OCSF Detection Finding, ECS, or Falco's output
 * format. Pure functions of one record; no I/O.
 */
#ifndef MCPWATCH_FORMAT_H
#define MCPWATCH_FORMAT_H

#include <cjson/cJSON.h>
#include <stddef.h>

enum record_format { FMT_NATIVE, FMT_OCSF, FMT_ECS, FMT_FALCO };

#define OCSF_VERSION "1.3.0"
#define ECS_VERSION  "8.11.0"

/* "native", "ocsf", "ecs", "falco" → 0, or -1 if unknown. */
int format_parse(const char *name, enum record_format *out);
const char *format_name(enum record_format f);

/*
 * A new record in format f (caller frees), or NULL if f has no form for this
 * kind of record (e.g. agent records have no Falco form) — the caller then
 * sends the native record. Total: any JSON (wrong types, missing fields)
 * gives a valid record of f or NULL, never a crash; a record without a
 * string "kind" and an RFC 3339 "time" has no form but native. FMT_NATIVE
 * gives a copy. Mapping tables: docs/formats.md.
 *   ocsf:  alert → Detection Finding (2004), posture → Compliance Finding
 *          (2003), tool_call → API Activity (6003), agent → NULL.
 *   ecs:   alert (event.kind alert), posture (state), agent and tool_call
 *          (event).
 *   falco: alert; posture, agent and tool_call → NULL.
 * An alert's "mcp" object (the MCP request in flight) is mapped in each.
 */
cJSON *format_record(enum record_format f, const cJSON *native);

/*
 * One NDJSON line of a native record → the text of its form in f, one line
 * without newline, in *out (free with cJSON_free); the line itself when f
 * has no form for it. A blank line: 0 and *out NULL. Not a JSON object: -1
 * and a one-line reason in err. (Added for `mcpwatch format`.)
 */
int format_line(enum record_format f, const char *line, size_t len, char **out, char *err,
		size_t errlen);

#endif /* MCPWATCH_FORMAT_H */
