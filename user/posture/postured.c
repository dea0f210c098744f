/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
#include "posture/postured.h"

#include "deliver/health.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "detect/record_parts.h"
#include "lib/redact.h"
#include "lib/clock.h"

#define CHILD_LIMIT_NS (120LL * 1000000000) /* a grade that takes longer is killed */
#define RESULT_MAX     (16u << 20)
#define MAX_FINDINGS   1024

struct finding_rec {
	struct grade_runtime g;
	int64_t when[FINDING_COUNT];
	int64_t last_call; /* when the tap last saw a call of this server */
};

struct last_grade {
	char name[256];
	char transport[8];
	uint32_t pid;
	char grade;
	int score;
};

struct postured {
	struct postured_opts o; /* host and proc_root point into the copies below */
	struct output *out;
	char host[256];
	char proc_root[64];
	struct finding_rec *findings;
	size_t nfindings;
	pid_t child;
	int fd;
	bool child_full;
	int64_t child_started;
	char *buf;
	size_t len, cap;
	bool pending, pending_full, graded_once;
	int64_t next_periodic;
	int64_t not_before; /* a requested grade waits until then */
	struct last_grade *last;
	size_t nlast;
	char host_grade;
	int host_score;
};

struct postured *postured_new(const struct postured_opts *o, struct output *out)
{
	struct postured *pd = calloc(1, sizeof(*pd));

	if (!pd)
		return NULL;
	pd->o = *o;
	pd->out = out;
	pd->fd = -1;
	snprintf(pd->host, sizeof(pd->host), "%s", o->host);
	snprintf(pd->proc_root, sizeof(pd->proc_root), "%s", o->proc_root);
	pd->o.host = pd->host;
	pd->o.proc_root = pd->proc_root;
	if (!pd->o.fs_root)
		pd->o.fs_root = "";
	pd->pending = pd->pending_full = true; /* the first grade follows start-up */
	return pd;
}

static void child_reap(struct postured *pd, bool kill_it)
{
	if (pd->child <= 0)
		return;
	if (kill_it)
		kill(pd->child, SIGKILL);
	waitpid(pd->child, NULL, 0);
	pd->child = 0;
	if (pd->fd >= 0)
		close(pd->fd);
	pd->fd = -1;
	pd->len = 0;
}

void postured_free(struct postured *pd)
{
	if (!pd)
		return;
	child_reap(pd, true);
	free(pd->findings);
	free(pd->last);
	free(pd->buf);
	free(pd);
}

/* The record of server_pid, made when there is none (the oldest goes when full). */
static struct finding_rec *finding_rec_of(struct postured *pd, uint32_t server_pid)
{
	struct finding_rec *r = NULL;

	for (size_t i = 0; i < pd->nfindings; i++)
		if (pd->findings[i].g.server_pid == server_pid)
			r = &pd->findings[i];
	if (!r) {
		if (pd->nfindings >= MAX_FINDINGS) {
			/* Bounded: the oldest server's evidence goes first. */
			memmove(pd->findings, pd->findings + 1,
				(pd->nfindings - 1) * sizeof(*pd->findings));
			pd->nfindings--;
		}
		if (!pd->findings) {
			pd->findings = calloc(MAX_FINDINGS, sizeof(*pd->findings));
			if (!pd->findings)
				return NULL;
		}
		r = &pd->findings[pd->nfindings++];
		memset(r, 0, sizeof(*r));
		r->g.server_pid = server_pid;
	}
	return r;
}

void postured_note_call(struct postured *pd, uint32_t server_pid, int64_t now_ns)
{
	struct finding_rec *r = server_pid ? finding_rec_of(pd, server_pid) : NULL;

	if (!r)
		return;
	/* The first call makes the tool checks apply: grade again soon. */
	if (!r->g.tool_calls)
		postured_request(pd, false, 2000);
	r->g.tool_calls++;
	r->last_call = now_ns;
}

void postured_note_alert(struct postured *pd, const char *rule_id, uint32_t server_pid,
			 const char *message, int64_t now_ns)
{
	int f = grade_finding_for_rule(rule_id);
	struct finding_rec *r;

	if (f < 0 || !server_pid)
		return;
	r = finding_rec_of(pd, server_pid);
	if (!r)
		return;
	/* A first finding of its kind can change the grade: grade again now. */
	if (!r->g.seen[f])
		postured_request(pd, false, 0);
	r->g.seen[f] = true;
	r->when[f] = now_ns;
	redact_string(message, r->g.evidence[f], sizeof(r->g.evidence[f]));
}

void postured_request(struct postured *pd, bool full, int delay_ms)
{
	int64_t at = clock_monotonic_ns() + (int64_t)delay_ms * 1000000;

	if (!pd->pending || at > pd->not_before)
		pd->not_before = at;
	pd->pending = true;
	pd->pending_full |= full;
}

/* What the child grades with: the findings still inside the window. */
static size_t runtime_snapshot(struct postured *pd, struct grade_runtime *out, int64_t now_ns)
{
	int64_t window = (int64_t)pd->o.runtime_window_s * 1000000000;
	size_t n = 0;

	for (size_t i = 0; i < pd->nfindings; i++) {
		struct finding_rec *r = &pd->findings[i];

		out[n] = r->g;
		if (now_ns - r->last_call > window)
			out[n].tool_calls = 0;
		for (int f = 0; f < FINDING_COUNT; f++)
			if (r->g.seen[f] && now_ns - r->when[f] > window)
				out[n].seen[f] = false;
		n++;
	}
	return n;
}

static void child_run(struct postured *pd, int wfd, const struct grade_runtime *rt, size_t nrt,
		      const struct grade_known *known, size_t nknown)
{
	struct grade_opts go = {.identity = pd->o.identity,
				.rate_limit = pd->o.rate_limit,
				.runtime_window_s = pd->o.runtime_window_s,
				.proc_root = pd->proc_root,
				.fs_root = pd->o.fs_root,
				.home_globs = pd->o.home_globs,
				.nhome_globs = pd->o.nhome_globs,
				.host = pd->host,
				.skip_tgid = (uint32_t)getppid(),
				.known = known,
				.nknown = nknown,
				.runtime = rt,
				.nruntime = nrt,
				.diag = NULL};
	struct posture_report rep;
	char err[256];
	char *text = NULL;
	cJSON *j;
	size_t len, off = 0;

	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_IGN);
	if (grade_collect(&go, &rep, err, sizeof(err)) != 0)
		_exit(3);
	j = posture_report_json(&rep);
	text = j ? cJSON_PrintUnformatted(j) : NULL;
	if (!text)
		_exit(4);
	len = strlen(text);
	while (off < len) {
		ssize_t w = write(wfd, text + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(5);
		off += (size_t)w;
	}
	_exit(0);
}

#define MAX_KNOWN 512

static void child_start(struct postured *pd)
{
	struct grade_runtime *rt = calloc(pd->nfindings + 1, sizeof(*rt));
	struct grade_known *known = calloc(MAX_KNOWN, sizeof(*known));
	size_t nrt, nknown = 0;
	int fds[2];

	if (!rt || !known) {
		free(rt);
		free(known);
		return;
	}
	if (pd->o.known)
		nknown = pd->o.known(known, MAX_KNOWN, pd->o.known_arg);
	nrt = runtime_snapshot(pd, rt, clock_realtime_ns());
	if (pipe2(fds, O_CLOEXEC) != 0) {
		free(rt);
		free(known);
		return;
	}
	pd->child = fork();
	if (pd->child == 0) {
		close(fds[0]);
		child_run(pd, fds[1], rt, nrt, known, nknown);
	}
	free(rt);
	free(known);
	close(fds[1]);
	if (pd->child < 0) {
		close(fds[0]);
		pd->child = 0;
		return;
	}
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	pd->fd = fds[0];
	pd->len = 0;
	pd->child_full = pd->pending_full || !pd->graded_once;
	pd->child_started = clock_monotonic_ns();
	pd->pending = pd->pending_full = false;
}

static const struct last_grade *last_find(const struct postured *pd, const char *name, uint32_t pid)
{
	for (size_t i = 0; i < pd->nlast; i++)
		if (pd->last[i].pid == pid && strcmp(pd->last[i].name, name) == 0)
			return &pd->last[i];
	return NULL;
}

static const char *str_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static int int_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valueint : 0;
}

/* The container and pod of the server's process, when the agent knows them. */
static void add_workload(struct postured *pd, cJSON *rec, const cJSON *srv)
{
	struct workload w;
	int pid = int_of(srv, "pid");

	if (pd->o.workload && pid > 0 && pd->o.workload((uint32_t)pid, &w, pd->o.known_arg))
		record_add_container(rec, NULL, &w);
}

static void emit_server(struct postured *pd, const cJSON *srv)
{
	cJSON *rec = record_new("posture", clock_realtime_ns(), pd->host);

	if (!rec)
		return;
	cJSON_AddStringToObject(rec, "scope", "server");
	cJSON_AddItemToObject(rec, "server", cJSON_Duplicate(srv, true));
	add_workload(pd, rec, srv);
	output_write(pd->out, rec);
	cJSON_Delete(rec);
}

static void emit_host(struct postured *pd, const cJSON *report)
{
	cJSON *rec = record_new("posture", clock_realtime_ns(), pd->host);
	const cJSON *host = cJSON_GetObjectItemCaseSensitive(report, "host");
	const cJSON *servers = cJSON_GetObjectItemCaseSensitive(report, "servers");
	cJSON *h, *list, *srv;

	if (!rec)
		return;
	cJSON_AddStringToObject(rec, "scope", "host");
	h = cJSON_GetObjectItemCaseSensitive(rec, "host");
	cJSON_AddStringToObject(h, "grade", str_of(host, "grade"));
	cJSON_AddNumberToObject(h, "score", int_of(host, "score"));
	list = cJSON_AddArrayToObject(rec, "servers");
	cJSON_ArrayForEach(srv, servers)
	{
		cJSON *s = cJSON_CreateObject();

		cJSON_AddStringToObject(s, "name", str_of(srv, "name"));
		cJSON_AddItemToObject(s, "pid",
				      cJSON_Duplicate(cJSON_GetObjectItem(srv, "pid"), 0));
		cJSON_AddStringToObject(s, "grade", str_of(srv, "grade"));
		cJSON_AddNumberToObject(s, "score", int_of(srv, "score"));
		cJSON_AddItemToArray(list, s);
	}
	output_write(pd->out, rec);
	cJSON_Delete(rec);
}

/* The heaviest failing check names what went wrong. */
static void worst_failure(const cJSON *srv, char *out, size_t len)
{
	const cJSON *c;
	int best = -1;

	snprintf(out, len, "%s", str_of(srv, "capped_by"));
	if (*out)
		return;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(srv, "checks"))
	{
		if (strcmp(str_of(c, "status"), "fail") == 0 && int_of(c, "weight") > best) {
			best = int_of(c, "weight");
			snprintf(out, len, "%s: %s", str_of(c, "name"), str_of(c, "evidence"));
		}
	}
}

static void emit_drop(struct postured *pd, const cJSON *srv, const struct last_grade *was)
{
	cJSON *rec = record_new("alert", clock_realtime_ns(), pd->host);
	cJSON *rule, *tags, *server, *post;
	const char *grade = str_of(srv, "grade");
	char why[512], msg[1024];

	if (!rec)
		return;
	worst_failure(srv, why, sizeof(why));
	rule = cJSON_AddObjectToObject(rec, "rule");
	cJSON_AddStringToObject(rule, "id", "mcp-posture-drop");
	cJSON_AddStringToObject(rule, "name", "MCP server posture grade dropped");
	cJSON_AddStringToObject(rule, "severity", grade[0] == 'F' ? "high" : "medium");
	tags = cJSON_AddArrayToObject(rule, "tags");
	cJSON_AddItemToArray(tags, cJSON_CreateString("mcp"));
	cJSON_AddItemToArray(tags, cJSON_CreateString("posture"));
	snprintf(msg, sizeof(msg),
		 "Posture grade of MCP server %s (pid %u) dropped from %c (%d) to %s (%d): %s",
		 str_of(srv, "name"), was->pid, was->grade, was->score, grade, int_of(srv, "score"),
		 why);
	cJSON_AddStringToObject(rec, "message", msg);
	cJSON_AddNumberToObject(rec, "count", 1);
	server = cJSON_AddObjectToObject(rec, "server");
	cJSON_AddItemToObject(server, "pid", cJSON_Duplicate(cJSON_GetObjectItem(srv, "pid"), 0));
	cJSON_AddStringToObject(server, "name", str_of(srv, "name"));
	cJSON_AddStringToObject(server, "cmdline", str_of(srv, "command"));
	post = cJSON_AddObjectToObject(rec, "posture");
	cJSON_AddStringToObject(post, "from", (char[]){was->grade, '\0'});
	cJSON_AddStringToObject(post, "to", grade);
	cJSON_AddNumberToObject(post, "score_from", was->score);
	cJSON_AddNumberToObject(post, "score_to", int_of(srv, "score"));
	add_workload(pd, rec, srv);
	output_write(pd->out, rec);
	cJSON_Delete(rec);
}

static void process_report(struct postured *pd, const cJSON *report, bool full)
{
	const cJSON *servers = cJSON_GetObjectItemCaseSensitive(report, "servers");
	const cJSON *host = cJSON_GetObjectItemCaseSensitive(report, "host");
	int n = cJSON_GetArraySize(servers), i = 0;
	struct last_grade *now = calloc((size_t)n + 1, sizeof(*now));
	const char *hg = str_of(host, "grade");
	const cJSON *srv;

	if (!now)
		return;
	cJSON_ArrayForEach(srv, servers)
	{
		struct last_grade *g = &now[i++];
		const struct last_grade *was;

		snprintf(g->name, sizeof(g->name), "%s", str_of(srv, "name"));
		g->pid = (uint32_t)int_of(srv, "pid");
		g->grade = str_of(srv, "grade")[0];
		g->score = int_of(srv, "score");
		snprintf(g->transport, sizeof(g->transport), "%s", str_of(srv, "transport"));
		was = last_find(pd, g->name, g->pid);
		if (full || !was || was->grade != g->grade)
			emit_server(pd, srv);
		/* A server that just opened its port changed shape, not behaviour: the
		 * listener rule speaks for that; a drop alert here would be noise. */
		if (was && g->grade > was->grade && strcmp(was->transport, g->transport) == 0)
			emit_drop(pd, srv, was);
	}
	if (full || hg[0] != pd->host_grade)
		emit_host(pd, report);
	pd->host_grade = hg[0];
	pd->host_score = int_of(host, "score");
	free(pd->last);
	pd->last = now;
	pd->nlast = (size_t)n;
	pd->graded_once = true;
}

static void child_collect(struct postured *pd)
{
	for (;;) {
		ssize_t r;

		if (pd->len + 65536 > pd->cap) {
			size_t cap = pd->cap ? pd->cap * 2 : 262144;
			char *b = cap <= RESULT_MAX ? realloc(pd->buf, cap + 1) : NULL;

			if (!b) {
				child_reap(pd, true);
				return;
			}
			pd->buf = b;
			pd->cap = cap;
		}
		r = read(pd->fd, pd->buf + pd->len, pd->cap - pd->len);
		if (r > 0) {
			pd->len += (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return; /* EAGAIN: more later */
		break;		/* EOF: the child is done */
	}
	pd->buf[pd->len] = '\0';
	if (postured_consume(pd, pd->buf, pd->len, pd->child_full) != 0)
		fprintf(stderr, "mcpwatch: posture: grading failed (no report)\n");
	child_reap(pd, false);
}

int postured_consume(struct postured *pd, const char *json, size_t len, bool full)
{
	cJSON *report = cJSON_ParseWithLength(json, len);

	if (!report || !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(report, "servers"))) {
		cJSON_Delete(report);
		return -1;
	}
	process_report(pd, report, full);
	cJSON_Delete(report);
	return 0;
}

void postured_tick(struct postured *pd, int64_t mono_ns)
{
	if (pd->child > 0) {
		child_collect(pd);
		if (pd->child > 0 && mono_ns - pd->child_started > CHILD_LIMIT_NS) {
			fprintf(stderr, "mcpwatch: posture: grading took over 120 s; killed\n");
			child_reap(pd, true);
		}
		return;
	}
	if (mono_ns >= pd->next_periodic) {
		pd->pending = pd->pending_full = true;
		pd->next_periodic = mono_ns + (int64_t)pd->o.interval_s * 1000000000;
	}
	if (pd->pending && mono_ns >= pd->not_before)
		child_start(pd);
}

void postured_wait(struct postured *pd, int timeout_ms)
{
	int64_t end = clock_monotonic_ns() + (int64_t)timeout_ms * 1000000;

	while (pd->child > 0 && clock_monotonic_ns() < end) {
		struct timespec ts = {0, 20 * 1000000};

		child_collect(pd);
		if (pd->child > 0)
			nanosleep(&ts, NULL);
	}
}

size_t postured_last_grades(const struct postured *pd, struct health_grade *out, size_t max)
{
	size_t n = 0;

	if (!pd || !pd->graded_once || max == 0)
		return 0;
	out[n++] = (struct health_grade){NULL, 0, pd->host_grade, pd->host_score};
	for (size_t i = 0; i < pd->nlast && n < max; i++)
		out[n++] = (struct health_grade){pd->last[i].name, pd->last[i].pid,
						 pd->last[i].grade, pd->last[i].score};
	return n;
}
