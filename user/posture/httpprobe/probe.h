/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * httpprobe/probe: owns the state of one probe run that the transport and
 * the checks share — the libcurl handle and its pinned address, the
 * bounded buffers, the request and time budget, the exchange just made and
 * what the checks gathered so far — and the calls between the probe's
 * modules: transport (requests), discover (the MCP endpoint, Origin),
 * access (bind scope, HTTPS, auth, admin pages, sensitive files),
 * credentials, headers (security headers, CORS, version leak), redirect,
 * errorleak, ratelimit, and run (the order of it all). Internal to
 * posture/httpprobe/; the public face is posture/httpprobe.h.
 */
#ifndef MCPWATCH_HTTPPROBE_PROBE_H
#define MCPWATCH_HTTPPROBE_PROBE_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "posture/httpprobe.h"

#define LABEL_MAX (16 + HTTPPROBE_PATH_MAX)

/* One request and what came back; the buffers live in struct probe. */
struct exchange {
	char label[LABEL_MAX]; /* "POST /mcp", for evidence */
	const char *sent_origin;
	CURLcode rc;
	bool answered; /* a complete final response head arrived */
	bool head_done, head_overflow, body_cut;
	size_t raw_len, raw_total, body_len;
	char error[160];
	struct httpprobe_head head;
};

/* The response whose headers the header checks read: MCP answer > GET / > first. */
struct primary {
	int rank; /* -1: none yet */
	char label[LABEL_MAX + 8];
	char csp[HTTPPROBE_VALUE_MAX], hsts[HTTPPROBE_VALUE_MAX];
	char xfo[HTTPPROBE_VALUE_MAX], xcto[HTTPPROBE_VALUE_MAX];
};

struct probe {
	CURL *curl;
	struct httpprobe_opts o;
	struct httpprobe_report *out;
	struct sockaddr_storage pinned;
	struct curl_slist *resolve;
	char authority[32]; /* "localhost:PORT", the Host we send */
	bool verify;	    /* check the certificate (ca_file given, not failed yet) */
	char *raw, *headtext, *body, *scratch, *plain;
	size_t scratch_len;
	char errbuf[CURL_ERROR_SIZE];
	int64_t deadline;
	unsigned max_requests, blocked, observed;
	int strikes;
	bool stopped;
	char stop_reason[128];
	enum httpprobe_mcp_answer mcp_answer;
	char mcp_label[LABEL_MAX];
	bool preflight_answered;
	char cors_allowed[96]; /* a fixed allowed origin seen, for the pass evidence */
	uint64_t baseline_hash;
	size_t baseline_len;
	int baseline_status;
	struct primary primary;
	struct exchange ex;
};

struct request {
	const char *method; /* GET, POST or OPTIONS */
	const char *path;
	const char *body;   /* POST only */
	const char *origin; /* Origin header, or NULL */
	bool preflight;	    /* add Access-Control-Request-Method/-Headers */
};

static inline struct check_result *check(struct probe *p, enum check_id id)
{
	return &p->out->checks[id];
}

/* transport */
int64_t probe_now_ms(void);
int probe_alloc(struct probe *p);
void probe_free(struct probe *p);
/* Local only: the target must be this host's; libcurl is pinned to that address. */
int probe_pin_target(struct probe *p, const struct httpprobe_target *t);
/* http or https: by the hint, or by asking the port. */
int probe_detect_scheme(struct probe *p, const struct httpprobe_target *t);
/*
 * Sends one request within the probe's bounds. 0 when a response head came
 * back (p->ex holds it), -errno otherwise (p->ex.error says why).
 */
int probe_request(struct probe *p, const struct request *rq);
/* A header of the exchange just made, or NULL. */
const char *probe_header(struct probe *p, const char *name);

/* run: what every answered response is checked for (secrets, version, CORS),
 * and how a check says it was not tested or passed on what was answered. */
void probe_observe_response(struct probe *p);
void probe_untested(struct probe *p, enum check_id id, const char *what);
void probe_pass_answered(struct probe *p, enum check_id id, unsigned answered, size_t asked,
			 const char *what);

/* discover */
/* 0 when the server answered HTTP at all (the MCP path may stay ""), -errno if not. */
int probe_discover_mcp_path(struct probe *p);
/* Where JSON-RPC POSTs go: the MCP path, /messages for an SSE endpoint, else /mcp. */
const char *probe_post_path(struct probe *p);
void probe_check_origin_validation(struct probe *p);

/* access */
void probe_check_https(struct probe *p);
void probe_check_auth(struct probe *p);
/* A catch-all server answers every path with the same page: that page is no evidence. */
void probe_fetch_baseline(struct probe *p);
void probe_check_admin_panel(struct probe *p);
void probe_check_sensitive_files(struct probe *p);

/* credentials */
void probe_observe_secrets(struct probe *p);

/* headers */
void probe_observe_version(struct probe *p);
void probe_observe_cors(struct probe *p);
/* Keep this exchange's security headers if it ranks above the one kept. */
void probe_capture_primary(struct probe *p, int rank);
void probe_check_security_headers(struct probe *p);
void probe_check_cors_preflight(struct probe *p);

/* redirect, errorleak, ratelimit */
void probe_check_open_redirect(struct probe *p);
void probe_check_error_leak(struct probe *p);
void probe_check_rate_limit(struct probe *p);

#endif /* MCPWATCH_HTTPPROBE_PROBE_H */
