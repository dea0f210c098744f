/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * postured: owns the daemon's posture cycle — the runtime findings the
 * agent observed per server (within the window), running a grade in a
 * child process (so a slow or hostile endpoint can neither stall the ring
 * buffer nor crash the agent), and turning its report into `kind: posture`
 * records and, when a server's grade drops, an alert.
 */
#ifndef MCPWATCH_POSTURED_H
#define MCPWATCH_POSTURED_H

#include <stdbool.h>
#include <stdint.h>

#include "posture/grade.h"
#include "deliver/output.h"
#include "enrich/workload.h"

struct postured;

/* Fills up to max servers the agent knows; returns how many. */
typedef size_t (*postured_known_fn)(struct grade_known *out, size_t max, void *arg);
/* The container and pod of a server process (out zeroed first); false when unknown. */
typedef bool (*postured_workload_fn)(uint32_t pid, struct workload *out, void *arg);

/* What the daemon grades with; the caller fills it from its configuration.
 * identity and fs_root must outlive the postured; the rest is copied. */
struct postured_opts {
	const struct identity *identity; /* who is a server */
	const char *host;		 /* host name for the records */
	const char *proc_root;		 /* "/proc" */
	const char *fs_root;		 /* where client configs are read: "" = this host */
	const char *const *home_globs;	 /* homes besides passwd's; must outlive it */
	size_t nhome_globs;
	int interval_s;		 /* a full grade at least this often */
	int runtime_window_s;	 /* how long a runtime finding counts */
	bool rate_limit;	 /* opt-in: send a burst to test rate limiting */
	postured_known_fn known; /* NULL: only what a /proc scan finds */
	void *known_arg;
	postured_workload_fn workload; /* NULL: records without container and k8s */
};

struct postured *postured_new(const struct postured_opts *o, struct output *out);
void postured_free(struct postured *pd); /* kills a running grade */

/* The agent saw a rule fire in a server tree: remember it as evidence. */
/* The tool-call tap saw server_pid answer a call (tool checks then apply). */
void postured_note_call(struct postured *pd, uint32_t server_pid, int64_t now_ns);
void postured_note_alert(struct postured *pd, const char *rule_id, uint32_t server_pid,
			 const char *message, int64_t now_ns);
/*
 * Ask for a grade (a new server, a new endpoint, a new finding) in delay_ms:
 * a server just launched gets a moment to open its listeners, so that its
 * first grade is not a stdio grade that "drops" when the port opens.
 */
void postured_request(struct postured *pd, bool full, int delay_ms);
/* Drive it from the agent loop: start due grades, collect finished ones. */
void postured_tick(struct postured *pd, int64_t mono_ns);
/* Take one grade's report (JSON text, as `grade --json` prints it): write the
 * posture records (all of them when full, else the changed ones) and drop alerts.
 * Returns 0, or -1 when the text is not a report. */
int postured_consume(struct postured *pd, const char *json, size_t len, bool full);
/* Block (up to timeout_ms) until a running grade has finished and been written. */
void postured_wait(struct postured *pd, int timeout_ms);

/* The last report's grades as metrics samples: the host's first (server
 * NULL), then its servers, up to max in all; 0 before the first grade. The
 * names live until the next tick. */
struct health_grade;
size_t postured_last_grades(const struct postured *pd, struct health_grade *out, size_t max);

#endif /* MCPWATCH_POSTURED_H */
