/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * grade: owns collecting the posture of a host — the inventory of MCP
 * servers (running ones from a /proc scan with their listeners, configured
 * ones from every MCP client's config files), the local HTTP probe of each
 * running endpoint, the host-side checks (pinned launch, inline secrets,
 * root, runtime findings) — into a graded posture report.
 */
#ifndef MCPWATCH_GRADE_H
#define MCPWATCH_GRADE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "posture/checks.h"
#include "identify/identity.h"
#include "posture/posture.h"

struct diag;

enum grade_finding {
	FINDING_SHELL,
	FINDING_SENSITIVE_FILE,
	FINDING_PLAINTEXT_LISTENER,
	FINDING_EGRESS,
	FINDING_TOOL_INPUT, /* the findings from here on need tool calls seen */
	FINDING_TOOL_OUTPUT,
	FINDING_TOOL_FLOOD,
	FINDING_COUNT,
};

/* What the running agent observed of one server tree within the window. */
struct grade_runtime {
	uint32_t server_pid;
	uint64_t tool_calls; /* calls the tool-call tap saw: 0 = tool checks n/a */
	bool seen[FINDING_COUNT];
	char evidence[FINDING_COUNT][CHECK_EVIDENCE_MAX];
};

/* A server the running agent already knows (e.g. identified by protocol, which a
 * one-shot /proc scan cannot see), so the grade names and counts it the same. */
struct grade_known {
	uint32_t pid;
	char name[256];
	char transport[8]; /* "" if unknown */
};

struct grade_opts {
	/* Who is a server (the caller builds it from its configuration). */
	const struct identity *identity;
	bool rate_limit;       /* opt-in: send a burst to test rate limiting */
	int runtime_window_s;  /* how long a runtime finding counts (for its evidence) */
	const char *proc_root; /* "/proc" */
	const char *fs_root;   /* prefix for client config files: "" = this host */
	/* Globs of homes walked besides the passwd ones; none: the defaults. */
	const char *const *home_globs;
	size_t nhome_globs;
	const char *host;   /* host name for the report */
	uint32_t skip_tgid; /* the caller */
	/* NULL: one-shot, runtime checks are n/a; else the agent's observations */
	const struct grade_runtime *runtime;
	size_t nruntime;
	const struct grade_known *known; /* NULL in one-shot mode */
	size_t nknown;
	struct diag *diag; /* unreadable config files etc., one line each; NULL = quiet */
};

/* Collect and grade. Returns 0, or -1 with err filled (nothing to report). */
int grade_collect(const struct grade_opts *o, struct posture_report *out, char *err, size_t errlen);

/* Map a rule id of an alert to the runtime finding it is evidence of, or -1. */
int grade_finding_for_rule(const char *rule_id);

#endif /* MCPWATCH_GRADE_H */
