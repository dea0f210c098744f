/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
#include "deliver/health.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/clock.h"

/* Writes text to path through path.tmp and a rename: readers never see half. */
static int replace_file(const char *path, const char *text, char *err, size_t errlen)
{
	char tmp[4096];
	size_t len = strlen(text);
	int fd, rc = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -ENAMETOOLONG;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) != 0)
		rc = -errno;
	if (fd >= 0 && close(fd) != 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) != 0)
		rc = -errno;
	if (rc) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		unlink(tmp);
	}
	return rc;
}

int health_write_heartbeat(const char *path, int64_t time_ns, char *err, size_t errlen)
{
	char t[RFC3339_MAX], line[RFC3339_MAX + 8];

	rfc3339_format(time_ns, 3, t, sizeof(t));
	snprintf(line, sizeof(line), "ok %s\n", t);
	return replace_file(path, line, err, errlen);
}

struct text {
	char *buf;
	size_t len, cap;
	bool failed;
};

static void __attribute__((format(printf, 2, 3))) put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (int tries = 0; tries < 2 && !t->failed; tries++) {
		va_start(ap, fmt);
		n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < t->cap - t->len) {
			t->len += (size_t)n;
			return;
		}
		char *more = n < 0 ? NULL : realloc(t->buf, t->cap * 2 + (size_t)n);

		if (!more) {
			t->failed = true;
			return;
		}
		t->buf = more;
		t->cap = t->cap * 2 + (size_t)n;
	}
}

/* A label value: backslash, quote and newline escaped, as the format asks. */
static void put_label(struct text *t, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\\' || *s == '"')
			put(t, "\\%c", *s);
		else if (*s == '\n')
			put(t, "\\n");
		else
			put(t, "%c", *s);
	}
}

static void put_head(struct text *t, const char *name, const char *type, const char *help)
{
	put(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void put_events(struct text *t, const struct health_counts *c)
{
	put_head(t, "mcpwatch_events_total", "counter", "Kernel events received, by type.");
	for (int i = 0; i < MW_EV_MAX; i++)
		if (c->event_names && c->event_names[i])
			put(t, "mcpwatch_events_total{type=\"%s\"} %llu\n", c->event_names[i],
			    (unsigned long long)c->events[i]);
	put_head(t, "mcpwatch_events_lost_total", "counter",
		 "Kernel events lost (ring buffer or map full), by type.");
	for (int i = 0; i < MW_EV_MAX; i++)
		if (c->event_names && c->event_names[i])
			put(t, "mcpwatch_events_lost_total{type=\"%s\"} %llu\n", c->event_names[i],
			    (unsigned long long)c->lost[i]);
	put_head(t, "mcpwatch_events_filtered_total", "counter",
		 "Kernel events not sent because no rule could match them, by type.");
	for (int i = 0; i < MW_EV_MAX; i++)
		if (c->event_names && c->event_names[i])
			put(t, "mcpwatch_events_filtered_total{type=\"%s\"} %llu\n",
			    c->event_names[i], (unsigned long long)c->filtered[i]);
}

/* One sample per output of the number at key (or per reason of the object at key). */
static void put_outputs(struct text *t, const cJSON *outputs)
{
	static const struct {
		const char *metric, *key, *type, *help;
	} m[] = {
	    {"mcpwatch_output_delivered_total", "delivered", "counter",
	     "Records the output's receiver acknowledged."},
	    {"mcpwatch_output_pending", "pending", "gauge", "Records queued or spooled, not sent."},
	    {"mcpwatch_output_dropped_total", "dropped", "counter",
	     "Records the output dropped, by reason."},
	};
	const cJSON *o, *r;

	for (size_t k = 0; k < sizeof(m) / sizeof(m[0]); k++) {
		put_head(t, m[k].metric, m[k].type, m[k].help);
		cJSON_ArrayForEach(o, outputs)
		{
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, m[k].key);
			const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(o, "name"));

			if (cJSON_IsNumber(v)) {
				put(t, "%s{output=\"", m[k].metric);
				put_label(t, name);
				put(t, "\"} %.0f\n", v->valuedouble);
				continue;
			}
			cJSON_ArrayForEach(r, v)
			{
				put(t, "%s{output=\"", m[k].metric);
				put_label(t, name);
				put(t, "\",reason=\"");
				put_label(t, r->string);
				put(t, "\"} %.0f\n", r->valuedouble);
			}
		}
	}
}

static void put_alerts(struct text *t, const struct health_counts *c)
{
	put_head(t, "mcpwatch_alerts_total", "counter", "Rule matches (aggregated ones included).");
	put(t, "mcpwatch_alerts_total %llu\n", (unsigned long long)c->alerts);
	put_head(t, "mcpwatch_rule_alerts_total", "counter",
		 "Rule matches by rule id (aggregated ones included).");
	for (size_t i = 0; i < c->nalerts_by_rule; i++) {
		put(t, "mcpwatch_rule_alerts_total{rule=\"");
		put_label(t, c->alerts_by_rule[i].label);
		put(t, "\"} %llu\n", (unsigned long long)c->alerts_by_rule[i].n);
	}
}

/* Score as the value, the letter as a label: alert on a score, read a grade. */
static void put_grades(struct text *t, const struct health_counts *c)
{
	put_head(t, "mcpwatch_posture_score", "gauge",
		 "Last posture score (0-100) of the host and of each MCP server, with its grade.");
	for (size_t i = 0; i < c->ngrades; i++) {
		const struct health_grade *g = &c->grades[i];
		char letter[2] = {g->grade >= 'A' && g->grade <= 'F' ? g->grade : '?', '\0'};

		if (!g->server) {
			put(t, "mcpwatch_posture_score{scope=\"host\",grade=\"%s\"} %d\n", letter,
			    g->score);
			continue;
		}
		put(t, "mcpwatch_posture_score{scope=\"server\",server=\"");
		put_label(t, g->server);
		put(t, "\",pid=\"%u\",grade=\"%s\"} %d\n", g->pid, letter, g->score);
	}
}

char *health_metrics_text(const struct health_counts *c)
{
	struct text t = {.buf = malloc(4096), .cap = 4096};

	if (!t.buf)
		return NULL;
	t.buf[0] = '\0';
	put_events(&t, c);
	put_alerts(&t, c);
	put_head(&t, "mcpwatch_tool_calls_total", "counter",
		 "MCP requests the tool-call tap saw servers read.");
	put(&t, "mcpwatch_tool_calls_total %llu\n", (unsigned long long)c->tool_calls);
	put_head(&t, "mcpwatch_held_events_total", "counter",
		 "Actions of possible stdio servers held for their handshake, by outcome.");
	put(&t, "mcpwatch_held_events_total{outcome=\"replayed\"} %llu\n",
	    (unsigned long long)c->held_replayed);
	put(&t, "mcpwatch_held_events_total{outcome=\"expired\"} %llu\n",
	    (unsigned long long)c->held_expired);
	put(&t, "mcpwatch_held_events_total{outcome=\"dropped\"} %llu\n",
	    (unsigned long long)c->held_dropped);
	put_head(&t, "mcpwatch_servers_watched", "gauge", "MCP servers the agent watches now.");
	put(&t, "mcpwatch_servers_watched %llu\n", (unsigned long long)c->servers);
	put_outputs(&t, c->outputs);
	put_grades(&t, c);
	put_head(&t, "mcpwatch_last_update_seconds", "gauge", "When this file was written.");
	put(&t, "mcpwatch_last_update_seconds %.3f\n", (double)c->time_ns / 1e9);
	if (t.failed) {
		free(t.buf);
		return NULL;
	}
	return t.buf;
}

int health_write_metrics(const char *path, const struct health_counts *c, char *err, size_t errlen)
{
	char *text = health_metrics_text(c);
	int rc;

	if (!text) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	rc = replace_file(path, text, err, errlen);
	free(text);
	return rc;
}

int health_notify(const char *msg)
{
	const char *sock = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t n;
	int fd, rc = 0;

	if (!sock || !sock[0])
		return 0;
	n = strlen(sock);
	if ((sock[0] != '/' && sock[0] != '@') || n >= sizeof(sa.sun_path))
		return -EINVAL;
	memcpy(sa.sun_path, sock, n);
	if (sa.sun_path[0] == '@') /* an abstract socket */
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa,
		   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n)) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int64_t health_watchdog_ns(void)
{
	const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	long long v;

	if (!usec || (pid && atol(pid) != (long)getpid()))
		return 0;
	v = atoll(usec);
	return v > 0 ? v * 1000 : 0;
}
