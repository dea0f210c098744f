/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Private to user/format: what the per-format files (format_ocsf.c,
 * format_ecs.c, format_falco.c) share with the dispatcher in format.c — the
 * native record read once, typed readers of its fields, and writers that
 * drop absent or ill-typed fields instead of emitting them.
 */
#ifndef MCPWATCH_FORMAT_INT_H
#define MCPWATCH_FORMAT_INT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef MW_VERSION
#define MW_VERSION "0.0.0"
#endif

#define PRODUCT_NAME  "mcpwatch"
#define NS_PER_MS     1000000LL
#define TIME_TEXT_MAX 48
#define UID_TEXT_MAX  24

/*
 * What an alert is about, from which objects the record carries; OBJ_TOOL:
 * the result of an MCP tool call (tool_result rules: mcp.result).
 */
enum alert_object { OBJ_NONE, OBJ_PROCESS, OBJ_FILE, OBJ_LISTEN, OBJ_CONNECT, OBJ_TOOL };

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

/* The graded subject of a posture record: a server or the host. */
struct graded {
	bool host_scope;
	const char *name, *grade;
	int64_t score;
	bool has_score;
};

/* The MCP call of an alert (request in flight) or of a tool_call record, read once. */
struct mcp_call {
	bool present;	/* the record has an mcp object */
	bool ambiguous; /* several requests in flight: only mcp.candidates, no call */
	const char *method, *request_id, *tool, *client, *client_version, *transport, *session;
	const char *outcome; /* result, is_error, error, unanswered; NULL: no result */
	int is_error;	     /* 1, 0, -1 unknown */
	bool has_error_code, has_duration;
	int64_t error_code, duration_ms;
	const char *error_message;
	int64_t start_ns; /* 0: unknown */
};

enum mcp_status { MCP_UNKNOWN, MCP_SUCCESS, MCP_FAILURE, MCP_UNANSWERED };

void fmt_mcp_read(const struct native *n, struct mcp_call *c);
enum mcp_status fmt_mcp_status(const struct mcp_call *c);
const char *fmt_jsonrpc_error_name(int64_t code);
void fmt_mcp_call_text(const struct native *n, const struct mcp_call *c, char *buf, size_t len);

/* Reading: the value at a dotted path ("process.parent.pid"), type-checked. */
const cJSON *fmt_at(const cJSON *o, const char *path);
const char *fmt_str_at(const cJSON *o, const char *path);
bool fmt_int_at(const cJSON *o, const char *path, int64_t *out);
bool fmt_is_kind(const struct native *n, const char *kind);
void fmt_graded_read(const struct native *n, struct graded *g);
void fmt_posture_text(const struct graded *g, char *buf, size_t len);

/* A time field of the record ("aggregate.first_time") in ns, else fallback. */
int64_t time_at(const cJSON *rec, const char *path, int64_t fallback);

/* Writing: absent or ill-typed fields are left out; no empty object is attached. */
void fmt_add_str(cJSON *o, const char *key, const char *s);
void fmt_add_int(cJSON *o, const char *key, int64_t v);
void fmt_add_time_text(cJSON *o, const char *key, int64_t ns);
void fmt_copy_str(cJSON *o, const char *key, const cJSON *rec, const char *path);
void fmt_copy_int(cJSON *o, const char *key, const cJSON *rec, const char *path);
void fmt_copy_int_as_str(cJSON *o, const char *key, const cJSON *rec, const char *path);
void fmt_copy_ip(cJSON *o, const char *key, const cJSON *rec, const char *path);
void fmt_copy_port(cJSON *o, const char *key, const cJSON *rec, const char *path);
void fmt_copy_any(cJSON *o, const char *key, const cJSON *rec, const char *path);
void fmt_attach(cJSON *o, const char *key, cJSON *child);
void fmt_attach_list(cJSON *o, const char *key, cJSON *item);
void fmt_attach_process(cJSON *o, const char *key, cJSON *p);
cJSON *fmt_string_array(const char *s);
cJSON *fmt_strings_of(const cJSON *arr);

/* One record in each format, or NULL when the format has no form for its kind. */
cJSON *format_ocsf(const struct native *n);
cJSON *format_ecs(const struct native *n);
cJSON *format_falco(const struct native *n);

#endif /* MCPWATCH_FORMAT_INT_H */
