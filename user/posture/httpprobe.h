/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * httpprobe: owns the local HTTP probe of one MCP endpoint — the libcurl
 * requests that find the MCP path and fill the HTTP posture checks (HTTPS,
 * auth, admin panel, exposed credentials, CORS, security headers, version
 * leak, open redirect, sensitive files, error leak, bind scope, Origin
 * validation and, opt-in, rate limiting). It does not score.
 *
 * Safety rules it enforces:
 *   - local only: the target goes through tlsprobe_local_target() before any
 *     packet; libcurl is pinned to that one address (CURLOPT_RESOLVE for the
 *     name "localhost") and every socket libcurl opens is checked against it,
 *     so neither a redirect nor a name can take a request off the host;
 *     redirects are never followed, proxies never used;
 *   - read-only: GET/OPTIONS, plus POSTs of an MCP initialize, a malformed
 *     body and an unknown method; never any credential;
 *   - bounded: at most HTTPPROBE_MAX_REQUESTS requests (+ the opt-in burst),
 *     each within timeout_ms, the whole probe within HTTPPROBE_BUDGET_STEPS
 *     (+ HTTPPROBE_BURST_STEPS with rate_limit) x timeout_ms after the TLS
 *     detection; bodies cut at max_body, header blocks at max_header, event
 *     streams after their first event.
 *
 * The response classifiers below are pure functions (fuzzed).
 * The implementation is in posture/httpprobe/ (probe.h names its modules).
 */
#ifndef MCPWATCH_HTTPPROBE_H
#define MCPWATCH_HTTPPROBE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "posture/checks.h"

#define HTTPPROBE_PROBE_ORIGIN "https://mcpwatch-probe.invalid"
#define HTTPPROBE_EVIL_ORIGIN  "http://evil.mcpwatch-probe.invalid"
#define HTTPPROBE_PROBE_HOST   "mcpwatch-probe.invalid"
#define HTTPPROBE_MAX_REQUESTS 24  /* per probe, burst excluded */
#define HTTPPROBE_BURST_MAX    100 /* opts.burst is capped to this */
#define HTTPPROBE_BUDGET_STEPS 12  /* whole probe <= this x timeout_ms ... */
#define HTTPPROBE_BURST_STEPS  4   /* ... + this x timeout_ms with rate_limit */
#define HTTPPROBE_PATH_MAX     128
#define HTTPPROBE_HEADERS_MAX  48
#define HTTPPROBE_NAME_MAX     48
#define HTTPPROBE_VALUE_MAX    256

/* Zero means the default, shown after each field. */
struct httpprobe_opts {
	int timeout_ms;	     /* per request: 1500 */
	size_t max_body;     /* 64 KiB: longer bodies are cut (and the transfer aborted) */
	size_t max_header;   /* 16 KiB: a longer header block fails the request */
	bool rate_limit;     /* send a burst to test rate limiting: false (opt-in) */
	int burst;	     /* requests in that burst: 30, at most HTTPPROBE_BURST_MAX */
	const char *ca_file; /* verify the certificate with it; NULL: do not verify */
};

enum httpprobe_tls_hint {
	HTTPPROBE_TLS_DETECT = -1, /* ask the port (tlsprobe_check) */
	HTTPPROBE_TLS_NO = 0,
	HTTPPROBE_TLS_YES = 1,
};

struct httpprobe_target {
	int family;    /* AF_INET or AF_INET6 */
	char addr[64]; /* as bound: 0.0.0.0 is probed on 127.0.0.1, :: on ::1 */
	uint16_t port;
	int tls_hint; /* enum httpprobe_tls_hint */
};

struct httpprobe_report {
	bool reachable;			   /* a TCP connection was made */
	bool tls;			   /* spoke HTTPS */
	bool cert_verified;		   /* TLS certificate verified against opts.ca_file */
	char scheme[8];			   /* "http" or "https" */
	char mcp_path[HTTPPROBE_PATH_MAX]; /* where MCP answered, "" if nowhere */
	int init_status;		   /* status of the unauthenticated initialize (0: none) */
	char server_header[128];	   /* first Server header seen, printable */
	unsigned requests;		   /* HTTP requests sent, burst included */
	/*
	 * The HTTP checks, CHK_BIND_SCOPE, CHK_ORIGIN_VALIDATION and
	 * CHK_RATE_LIMIT are filled; the host-side ones stay CHECK_NA.
	 */
	struct check_result checks[CHK_COUNT];
	char error[256]; /* why the probe could not run, or "" */
};

/* Fills o with the defaults. */
void httpprobe_opts_default(struct httpprobe_opts *o);

/*
 * Probes the endpoint and fills out (o may be NULL for the defaults).
 * Returns 0 when the probe ran, even if checks fail; otherwise -errno with
 * out->error set: -EINVAL (bad arguments), -EADDRNOTAVAIL (not an address of
 * this host: nothing was sent), -ECONNREFUSED, -ETIMEDOUT (no HTTP answer in
 * time), -EMSGSIZE (header block over max_header), -EPROTO (not HTTP, TLS
 * failure), -ENOMEM.
 */
int httpprobe_run(const struct httpprobe_target *t, const struct httpprobe_opts *o,
		  struct httpprobe_report *out);

/* ---------------------------------------------------------------- pure parts */

struct httpprobe_header {
	char name[HTTPPROBE_NAME_MAX];
	char value[HTTPPROBE_VALUE_MAX]; /* trimmed, non-printable bytes as '?' */
};

/* One response head: the last status line in the bytes and the headers after it. */
struct httpprobe_head {
	int status; /* 100..599, 0 if no status line was found */
	size_t count;
	bool truncated; /* a header was cut, dropped (over HTTPPROBE_HEADERS_MAX) or malformed */
	struct httpprobe_header headers[HTTPPROBE_HEADERS_MAX];
};

/* Parses a raw header block (status line + header lines). 0, or -EINVAL without a status. */
int httpprobe_parse_head(const char *buf, size_t len, struct httpprobe_head *out);
/* The first header named name (case-insensitive), or NULL. */
const char *httpprobe_head_get(const struct httpprobe_head *h, const char *name);

/* How an answer to an initialize request (or GET of an SSE endpoint) looks. */
enum httpprobe_mcp_answer {
	HTTPPROBE_MCP_NONE,  /* not MCP */
	HTTPPROBE_MCP_OK,    /* 200 with a JSON-RPC message or an event stream */
	HTTPPROBE_MCP_AUTH,  /* 401/403: authentication required there */
	HTTPPROBE_MCP_ERROR, /* 200/400/406 with a JSON-RPC error */
};
enum httpprobe_mcp_answer httpprobe_classify_mcp_answer(int status, const char *content_type,
							const char *body, size_t len);

/*
 * Error-page leaks: a stack trace, an absolute path, or a framework name in an
 * HTML page. true with what (a short description of the pattern) set.
 */
bool httpprobe_find_error_leak(const char *body, size_t len, const char *content_type, char *what,
			       size_t wlen);
/* "Index of /", "<title>Directory listing", "Directory listing for /". */
bool httpprobe_is_directory_listing(const char *body, size_t len);
/*
 * For a GET of path answered 200 with body: does the body look like that
 * sensitive file? Returns a description of the matched pattern, or NULL.
 */
const char *httpprobe_sensitive_file_match(const char *path, const char *body, size_t len);
/* Does this header (Server, X-Powered-By, ...) name a product or a version? */
bool httpprobe_find_version_leak(const char *name, const char *value, char *what, size_t wlen);

/*
 * Does text hold a secret (by the redactor's patterns, MCP protocol fields
 * like "progressToken" excepted)? copy and redacted are caller buffers of
 * buflen >= strlen(text) + 1; window gets the redacted context of the first.
 */
bool httpprobe_find_secret(const char *text, char *copy, char *redacted, size_t buflen,
			   char *window, size_t wlen);

enum httpprobe_cors {
	HTTPPROBE_CORS_NONE,	   /* no Access-Control-Allow-Origin */
	HTTPPROBE_CORS_RESTRICTED, /* one fixed origin, not ours */
	HTTPPROBE_CORS_WILDCARD,   /* "*" */
	HTTPPROBE_CORS_REFLECTED,  /* echoes the Origin we sent */
	HTTPPROBE_CORS_NULL,	   /* "null": sandboxed frames and file: pages get in */
};
/* Verdict on an Access-Control-Allow-Origin value (NULL: absent) for our sent_origin. */
enum httpprobe_cors httpprobe_cors_classify(const char *acao, const char *sent_origin);

/* Does a Location value send the browser to host (or a subdomain), as browsers read it? */
bool httpprobe_location_points_to(const char *location, const char *host);
/*
 * If a Location stays on our origin (a path, or an absolute URL whose
 * authority is authority, e.g. "localhost:8080"), copies its path into path.
 */
bool httpprobe_location_local_path(const char *location, const char *authority, char *path,
				   size_t plen);

/* CHK_BIND_SCOPE verdict for a bound address; why gets the evidence. */
enum check_status httpprobe_bind_scope(int family, const char *addr, char *why, size_t wlen);

/* The connect-time guard: is peer exactly the pinned address and port? */
bool httpprobe_peer_allowed(const struct sockaddr_storage *pinned, const struct sockaddr *peer,
			    socklen_t len);

#endif /* MCPWATCH_HTTPPROBE_H */
