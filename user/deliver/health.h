/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * health: owns how the agent shows it is alive and what it counts without
 * opening a port: a heartbeat file for exec liveness/readiness probes, the
 * systemd notification protocol (READY, WATCHDOG, STOPPING on
 * $NOTIFY_SOCKET, for Type=notify units), and a Prometheus text file for the
 * node exporter's textfile collector. Files are replaced atomically (written
 * to a temporary name in the same directory, then renamed).
 */
#ifndef MCPWATCH_HEALTH_H
#define MCPWATCH_HEALTH_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "mcpwatch_abi.h"

/* What the metrics file says; names[] names the event types (NULL: skipped). */
/* A count with one label value (alerts by rule). */
struct health_labeled {
	const char *label;
	uint64_t n;
};

/* A posture grade: the host (server NULL) or one server. */
struct health_grade {
	const char *server;
	uint32_t pid;
	char grade; /* 'A'..'F' */
	int score;
};

struct health_counts {
	const char *const *event_names; /* MW_EV_MAX entries */
	uint64_t events[MW_EV_MAX];
	uint64_t lost[MW_EV_MAX];
	uint64_t filtered[MW_EV_MAX]; /* not sent: the kernel's open filter */
	uint64_t alerts;	      /* rule matches, aggregated ones included */
	const struct health_labeled *alerts_by_rule;
	size_t nalerts_by_rule;
	const struct health_grade *grades; /* the last posture grade; none before it */
	size_t ngrades;
	uint64_t tool_calls; /* requests the tool-call tap saw */
	uint64_t servers;    /* MCP servers watched now */
	/* Actions held for a handshake (identify/hold): evaluated once the
	 * server was identified, expired, dropped for want of room. */
	uint64_t held_replayed, held_expired, held_dropped;
	const cJSON *outputs; /* output_stats_json(): delivered, pending, dropped */
	int64_t time_ns;
};

/* "ok <RFC 3339 time>\n" into path. 0, or -errno with the reason in err. */
int health_write_heartbeat(const char *path, int64_t time_ns, char *err, size_t errlen);
/* The Prometheus text exposition of c into path. 0, or -errno with the reason. */
int health_write_metrics(const char *path, const struct health_counts *c, char *err, size_t errlen);
/* Renders it into a new string (caller frees); NULL when out of memory. */
char *health_metrics_text(const struct health_counts *c);
/* Sends msg ("READY=1", "WATCHDOG=1", "STOPPING=1") to $NOTIFY_SOCKET when
 * it is set; 0 when sent or not asked for, -errno otherwise. */
int health_notify(const char *msg);
/* The watchdog period systemd asked for ($WATCHDOG_USEC, for this pid), 0 if none. */
int64_t health_watchdog_ns(void);

#endif /* MCPWATCH_HEALTH_H */
