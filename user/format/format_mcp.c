// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The MCP call a record is about — the "mcp" object of an alert (the
 * request in flight) or of a tool_call record (the call itself), with its
 * result — read once and type-checked, for every format. Mapping tables:
 * docs/formats.md, "MCP calls".
 */
#include "format/format_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Where a record keeps the result of its call: alerts under mcp, tool_call records apart. */
struct result_paths {
	const char *outcome, *is_error, *error_code, *error_message, *duration_ms, *start;
};

static const struct result_paths alert_result = {
    "mcp.result.outcome",	"mcp.result.is_error", "mcp.result.error.code",
    "mcp.result.error.message", "mcp.duration_ms",     NULL};

static const struct result_paths tool_call_result = {
    "tool_call.outcome",       "tool_call.is_error",	"tool_call.error.code",
    "tool_call.error.message", "tool_call.duration_ms", "tool_call.start"};

static void mcp_read_result(const cJSON *rec, const struct result_paths *p, struct mcp_call *c)
{
	const cJSON *is_error = fmt_at(rec, p->is_error);
	int64_t v;

	c->outcome = fmt_str_at(rec, p->outcome);
	c->is_error = cJSON_IsBool(is_error) ? cJSON_IsTrue(is_error) : -1;
	c->has_error_code = fmt_int_at(rec, p->error_code, &c->error_code);
	c->error_message = fmt_str_at(rec, p->error_message);
	c->has_duration = fmt_int_at(rec, p->duration_ms, &v) && v >= 0;
	c->duration_ms = c->has_duration ? v : 0;
	c->start_ns = p->start ? time_at(rec, p->start, 0) : 0;
}

void fmt_mcp_read(const struct native *n, struct mcp_call *c)
{
	const cJSON *rec = n->rec, *amb = fmt_at(rec, "mcp.ambiguous");
	bool tool_call = fmt_is_kind(n, "tool_call");

	memset(c, 0, sizeof(*c));
	c->is_error = -1;
	c->present = cJSON_IsObject(fmt_at(rec, "mcp"));
	if (!c->present)
		return;
	c->ambiguous = cJSON_IsTrue(amb);
	c->transport = fmt_str_at(rec, "mcp.transport");
	if (!c->transport)
		c->transport = fmt_str_at(rec, "server.transport");
	if (c->ambiguous)
		return; /* several calls in flight: none of them is this event's */
	c->method = fmt_str_at(rec, "mcp.method");
	c->request_id = fmt_str_at(rec, "mcp.request.id");
	c->tool = fmt_str_at(rec, "mcp.tool.name");
	c->client = fmt_str_at(rec, "mcp.client.name");
	c->client_version = fmt_str_at(rec, "mcp.client.version");
	c->session = fmt_str_at(rec, "mcp.session.id");
	mcp_read_result(rec, tool_call ? &tool_call_result : &alert_result, c);
}

static bool outcome_is(const struct mcp_call *c, const char *outcome)
{
	return c->outcome && strcmp(c->outcome, outcome) == 0;
}

enum mcp_status fmt_mcp_status(const struct mcp_call *c)
{
	if (outcome_is(c, "error") || outcome_is(c, "is_error") || c->is_error == 1)
		return MCP_FAILURE;
	if (outcome_is(c, "result"))
		return MCP_SUCCESS;
	if (outcome_is(c, "unanswered"))
		return MCP_UNANSWERED;
	return MCP_UNKNOWN;
}

/* The name JSON-RPC 2.0 gives its own error codes; NULL for the others. */
const char *fmt_jsonrpc_error_name(int64_t code)
{
	static const struct {
		int code;
		const char *name;
	} errors[] = {
	    {-32700, "Parse error"},	{-32600, "Invalid Request"}, {-32601, "Method not found"},
	    {-32602, "Invalid params"}, {-32603, "Internal error"},
	};

	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		if (errors[i].code == code)
			return errors[i].name;
	}
	return NULL;
}

/* "error -32602 (Invalid params)", "tool error", "answered", "unanswered". */
static void outcome_text(const struct mcp_call *c, char *buf, size_t len)
{
	const char *name = c->has_error_code ? fmt_jsonrpc_error_name(c->error_code) : NULL;

	if (outcome_is(c, "error") && c->has_error_code)
		snprintf(buf, len, "error %" PRId64 "%s%s%s", c->error_code, name ? " (" : "",
			 name ? name : "", name ? ")" : "");
	else if (fmt_mcp_status(c) == MCP_FAILURE)
		snprintf(buf, len, "%s", outcome_is(c, "error") ? "error" : "tool error");
	else if (fmt_mcp_status(c) == MCP_SUCCESS)
		snprintf(buf, len, "answered");
	else if (fmt_mcp_status(c) == MCP_UNANSWERED)
		snprintf(buf, len, "unanswered");
	else
		snprintf(buf, len, "outcome unknown");
}

/* "MCP tools/call read_file on server fs from claude-code: answered (12 ms)". */
void fmt_mcp_call_text(const struct native *n, const struct mcp_call *c, char *buf, size_t len)
{
	const char *server = fmt_str_at(n->rec, "server.name");
	char outcome[96], took[40] = "";

	outcome_text(c, outcome, sizeof(outcome));
	if (c->has_duration)
		snprintf(took, sizeof(took), " (%" PRId64 " ms)", c->duration_ms);
	snprintf(buf, len, "MCP %.64s%s%.128s on server %.128s%s%.128s: %s%s",
		 c->method ? c->method : "call", c->tool ? " " : "", c->tool ? c->tool : "",
		 server ? server : "unknown", c->client ? " from " : "", c->client ? c->client : "",
		 outcome, took);
}
