/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * checks: owns the catalogue of posture checks — id, name, AgentGrade
 * weight, the MCP security practice it maps to, and the fix — and the
 * result type every prober fills. The HTTP probe, the host-side checks and
 * the grader all speak in these ids; only the grader turns them into a score.
 */
#ifndef MCPWATCH_CHECKS_H
#define MCPWATCH_CHECKS_H

#include <stdbool.h>
#include <stddef.h>

enum check_id {
	/* HTTP endpoint checks (AgentGrade weights) */
	CHK_HTTPS,		    /* 20 */
	CHK_AUTH,		    /* 15: 401/403 without credentials */
	CHK_ADMIN_PANEL,	    /* 10: no /admin, /dashboard, /_internal ... */
	CHK_CREDENTIALS_EXPOSED,    /* 10: no secrets in responses */
	CHK_CORS,		    /* 8: no wildcard or reflected Origin */
	CHK_CSP,		    /* 3 */
	CHK_HSTS,		    /* 3 */
	CHK_X_FRAME_OPTIONS,	    /* 3 */
	CHK_X_CONTENT_TYPE_OPTIONS, /* 3 */
	CHK_REGISTRY,		    /* 5: n/a offline */
	CHK_VERSION_LEAK,	    /* 5: Server, X-Powered-By */
	CHK_OPEN_REDIRECT,	    /* 5 */
	CHK_SENSITIVE_FILES,	    /* 5: /.env, /.git/config, /config, listings */
	CHK_ERROR_LEAK,		    /* 5: stack traces, paths, framework names */
	/* What only a monitor on the host can check */
	CHK_BIND_SCOPE,	       /* loopback vs all interfaces */
	CHK_ORIGIN_VALIDATION, /* invalid Origin must get 403 (DNS rebinding) */
	CHK_RATE_LIMIT,	       /* opt-in: a burst must meet 429 + Retry-After */
	/* Host-side checks, every server (stdio too) */
	CHK_PINNED_VERSION,
	CHK_INLINE_SECRETS,
	CHK_RUNS_AS_ROOT,
	CHK_RUNTIME_SHELL,
	CHK_RUNTIME_SENSITIVE_FILE,
	CHK_RUNTIME_PLAINTEXT_LISTENER,
	CHK_RUNTIME_EGRESS,
	/* Tool-call tap: judged only for servers whose calls the tap saw. */
	CHK_RUNTIME_TOOL_INPUT,
	CHK_RUNTIME_TOOL_OUTPUT,
	CHK_RUNTIME_TOOL_FLOOD,
	CHK_COUNT,
};

enum check_status { CHECK_NA = 0, CHECK_PASS, CHECK_FAIL };

struct check_def {
	enum check_id id;
	const char *key;  /* stable id in JSON: "https", "auth", ... */
	const char *name; /* human: "Served over HTTPS" */
	int weight;
	const char *practice; /* "transport-security" */
	const char *fix;      /* one line: what to change */
};

#define CHECK_EVIDENCE_MAX 256

struct check_result {
	enum check_status status;
	char evidence[CHECK_EVIDENCE_MAX]; /* what was seen; never a secret */
};

/* The catalogue, indexed by enum check_id. */
const struct check_def *check_def(enum check_id id);
const char *check_status_name(enum check_status s);
/* Set a result with printf-style evidence (truncated, sanitised to printable ASCII). */
void check_set(struct check_result *r, enum check_status s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* MCPWATCH_CHECKS_H */
