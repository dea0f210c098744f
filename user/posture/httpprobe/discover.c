// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* httpprobe/discover: where the MCP endpoint answers, and whether it checks Origin. */
#include "posture/httpprobe/probe.h"

#include <string.h>

#include "posture/httpprobe/text.h"

static const char init_body[] =
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
    "\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
    "\"clientInfo\":{\"name\":\"mcpwatch-probe\",\"version\":\"1\"}}}";

static bool is_jsonrpc_with(const char *body, size_t len, const char *member)
{
	return http_find_exact(body, len, "\"jsonrpc\"") && http_find_exact(body, len, member);
}

enum httpprobe_mcp_answer httpprobe_classify_mcp_answer(int status, const char *content_type,
							const char *body, size_t len)
{
	if (status == 401 || status == 403)
		return HTTPPROBE_MCP_AUTH;
	if (status == 200 && http_starts_with_nocase(content_type, "text/event-stream"))
		return HTTPPROBE_MCP_OK;
	if (status == 200 && is_jsonrpc_with(body, len, "\"result\""))
		return HTTPPROBE_MCP_OK;
	if ((status == 200 || status == 400 || status == 406) &&
	    is_jsonrpc_with(body, len, "\"error\""))
		return HTTPPROBE_MCP_ERROR;
	return HTTPPROBE_MCP_NONE;
}

static bool redirect_followable(const struct request *rq, int status)
{
	if (status == 307 || status == 308)
		return true;
	return strcmp(rq->method, "GET") == 0 && (status == 301 || status == 302 || status == 303);
}

/*
 * Asks one candidate path; a redirect to another path of the same origin
 * (Starlette sends /mcp -> /mcp/) is followed once, by us, never by libcurl.
 */
static int ask_candidate(struct probe *p, const struct request *rq, char *final_path, size_t cap)
{
	char path[HTTPPROBE_PATH_MAX];
	struct request again = *rq;
	const char *loc;
	int rc = probe_request(p, rq);

	http_set_text(final_path, cap, "%s", rq->path);
	if (rc || !redirect_followable(rq, p->ex.head.status))
		return rc;
	loc = probe_header(p, "Location");
	if (!loc || !httpprobe_location_local_path(loc, p->authority, path, sizeof(path)) ||
	    strcmp(path, rq->path) == 0)
		return 0;
	again.path = path;
	http_set_text(final_path, cap, "%s", path);
	return probe_request(p, &again);
}

static enum httpprobe_mcp_answer classify_exchange(struct probe *p)
{
	return httpprobe_classify_mcp_answer(p->ex.head.status, probe_header(p, "Content-Type"),
					     p->body, p->ex.body_len);
}

/* 0 when the server answered HTTP at all (the MCP path may stay ""), -errno if not. */
int probe_discover_mcp_path(struct probe *p)
{
	static const struct request candidates[] = {
	    {"POST", "/mcp", init_body, NULL, false},
	    {"POST", "/", init_body, NULL, false},
	    {"GET", "/sse", NULL, NULL, false},
	    {"POST", "/messages", init_body, NULL, false},
	};
	char path[HTTPPROBE_PATH_MAX];

	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		int rc = ask_candidate(p, &candidates[i], path, sizeof(path));

		if (rc && i == 0)
			return rc; /* the server does not speak HTTP to us: stop here */
		if (rc)
			continue;
		if (i == 0)
			p->out->init_status = p->ex.head.status;
		probe_capture_primary(p, 0);
		p->mcp_answer = classify_exchange(p);
		if (p->mcp_answer != HTTPPROBE_MCP_NONE) {
			http_set_text(p->out->mcp_path, sizeof(p->out->mcp_path), "%s", path);
			http_set_text(p->mcp_label, sizeof(p->mcp_label), "%s%s",
				      candidates[i].body ? "initialize " : "", p->ex.label);
			p->out->init_status = p->ex.head.status;
			probe_capture_primary(p, 2);
			return 0;
		}
	}
	return 0;
}

static bool mcp_is_sse(struct probe *p)
{
	return strcmp(p->out->mcp_path, "/sse") == 0;
}

/* Where JSON-RPC POSTs go: the MCP path, /messages for an SSE endpoint, else /mcp. */
const char *probe_post_path(struct probe *p)
{
	if (!p->out->mcp_path[0])
		return "/mcp";
	return mcp_is_sse(p) ? "/messages" : p->out->mcp_path;
}

static void judge_origin_answer(struct probe *p, const char *label)
{
	struct check_result *r = check(p, CHK_ORIGIN_VALIDATION);
	int st = p->ex.head.status, plain = p->out->init_status;
	bool names_origin = http_find_nocase(p->body, p->ex.body_len, "origin") != NULL;

	if ((st == 403 && (plain != 403 || names_origin)) || (st == 400 && names_origin))
		check_set(r, CHECK_PASS, "%s with Origin %s -> %d (rejected)", label,
			  HTTPPROBE_EVIL_ORIGIN, st);
	else if (st == 401 || st == 403)
		check_set(r, CHECK_NA, "auth answered first (%d): Origin not tested", st);
	else if (st >= 400 && st < 500 && st != plain)
		check_set(r, CHECK_PASS, "%s with Origin %s -> %d (without Origin: %d)", label,
			  HTTPPROBE_EVIL_ORIGIN, st, plain);
	else
		check_set(r, CHECK_FAIL, "%s with Origin %s -> %d (processed%s)", label,
			  HTTPPROBE_EVIL_ORIGIN, st, st == plain ? ", as without Origin" : "");
}

void probe_check_origin_validation(struct probe *p)
{
	struct request rq = {"POST", p->out->mcp_path, init_body, HTTPPROBE_EVIL_ORIGIN, false};
	char label[LABEL_MAX];

	if (!p->out->mcp_path[0]) {
		check_set(check(p, CHK_ORIGIN_VALIDATION), CHECK_NA, "no MCP endpoint found");
		return;
	}
	if (mcp_is_sse(p)) {
		rq.method = "GET";
		rq.body = NULL;
	}
	if (probe_request(p, &rq)) {
		probe_untested(p, CHK_ORIGIN_VALIDATION, "no answer with a foreign Origin");
		return;
	}
	http_set_text(label, sizeof(label), "%s", p->ex.label);
	judge_origin_answer(p, label);
}
