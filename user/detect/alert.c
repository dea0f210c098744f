/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
#include "detect/alert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "deliver/health.h"
#include "lib/redact.h"
#include "lib/clock.h"
#include "detect/record_parts.h"

#define ALERT_TEXT_MAX RECORD_TEXT_MAX
#define AGG_MAX_KEYS   4096
#define AGG_BUCKETS    1024 /* a power of two; AGG_MAX_KEYS keeps chains short */
#define AGG_REFRESH_NS 1000000000LL

/* One aggregation key: in a hash bucket for lookups on every match, and in
 * a list by age for the window checks of alerter_tick. */
struct agg {
	char *key;
	uint64_t hash;
	int64_t first_ns, last_ns;
	uint64_t repeats;
	/* Record of a recent repeat: rebuilt when the process or the tool call
	 * changes, else at most once per AGG_REFRESH_NS of event time (a flood
	 * of one key must not build and free a record per event). Its time is
	 * set to last_ns when it is written. */
	cJSON *last;
	int64_t built_ns;
	uint32_t built_pid;
	const struct tap_call *built_call;
	struct agg *chain;	   /* next in its bucket */
	struct agg *older, *newer; /* neighbours by creation */
};

struct rule_count {
	char *id;
	uint64_t n;
};

/* Distinct rule ids counted at most; later ones count only in matches. */
#define ALERTER_RULES_MAX 1024

struct alerter {
	struct output *out;
	char *host;
	int64_t window_ns;
	struct agg *buckets[AGG_BUCKETS];
	struct agg *newest; /* the newest key; ->older leads to the others */
	struct agg *oldest; /* the first to close: ->newer leads to the others */
	size_t naggs;
	uint64_t suppressed;
	uint64_t matches;	    /* every rule match, aggregated or written */
	struct rule_count *by_rule; /* matches per rule id, in first-match order */
	size_t nby_rule;
};

static void add_parent(cJSON *proc, const struct evctx *c)
{
	cJSON *par = cJSON_AddObjectToObject(proc, "parent");

	if (!par)
		return;
	cJSON_AddNumberToObject(par, "pid", c->proc->ppid);
	record_add_redacted(par, "exe", c->parent ? c->parent->exe : NULL);
	record_add_redacted(par, "cmdline", c->parent ? c->parent->cmdline : NULL);
}

static void add_file(cJSON *rec, const struct evctx *c)
{
	cJSON *f = cJSON_AddObjectToObject(rec, "file");
	char flags[256];

	if (!f)
		return;
	record_add_redacted(f, "path", c->file.path);
	evctx_format_oflags(c->file.oflags, flags, sizeof(flags));
	cJSON_AddStringToObject(f, "flags", flags);
	cJSON_AddNumberToObject(f, "result", (double)c->file.result);
	/* How the file was recognised: by the path opened, or as a known
	 * credential file (its inode) opened by another path. */
	record_add_redacted(f, "canonical_path", evctx_file_canonical(c));
	cJSON_AddStringToObject(f, "match", evctx_file_by_inode(c) ? "inode" : "path");
	if (c->file.ino) {
		cJSON_AddNumberToObject(f, "inode", (double)c->file.ino);
		cJSON_AddStringToObject(f, "device", c->file.device);
	}
	/* Only io_uring opens say how: every other open was a syscall. */
	if (c->file.via_uring)
		cJSON_AddStringToObject(f, "via", "io_uring");
}

static void add_uring(cJSON *rec, const struct evctx *c)
{
	cJSON *u = cJSON_AddObjectToObject(rec, "io_uring");

	if (!u)
		return;
	cJSON_AddNumberToObject(u, "fd", c->uring.fd);
	cJSON_AddNumberToObject(u, "sq_entries", c->uring.sq_entries);
	cJSON_AddNumberToObject(u, "cq_entries", c->uring.cq_entries);
	cJSON_AddNumberToObject(u, "flags", c->uring.setup_flags);
	cJSON_AddBoolToObject(u, "sqpoll", (c->uring.setup_flags & EVCTX_IORING_SETUP_SQPOLL) != 0);
}

static void add_network(cJSON *rec, const struct evctx *c)
{
	cJSON *n = cJSON_AddObjectToObject(rec, "network");

	if (!n)
		return;
	cJSON_AddStringToObject(n, "transport", evctx_transport(c));
	cJSON_AddStringToObject(n, "type", c->net.family == AF_INET6 ? "ipv6" : "ipv4");
	if (c->kind == RULE_EV_LISTEN) {
		cJSON_AddStringToObject(n, "local_addr",
					c->net.local_addr ? c->net.local_addr : "");
		cJSON_AddNumberToObject(n, "local_port", c->net.local_port);
		if (evctx_dual_stack(c) >= 0)
			cJSON_AddBoolToObject(n, "dual_stack", evctx_dual_stack(c) == 1);
		if (c->net.tls >= 0)
			cJSON_AddBoolToObject(n, "tls", c->net.tls == 1);
		if (c->net.tls_evidence)
			record_add_redacted(n, "tls_evidence", c->net.tls_evidence);
	} else {
		cJSON_AddStringToObject(n, "remote_addr",
					c->net.remote_addr ? c->net.remote_addr : "");
		cJSON_AddNumberToObject(n, "remote_port", c->net.remote_port);
	}
}

/* The MCP request behind the event, when the tap knows it. */
static void add_mcp(cJSON *rec, const struct evctx *c)
{
	cJSON *mcp;

	if (c->mcp.ncandidates > 1) {
		size_t shown = c->mcp.ncandidates < EVCTX_MCP_CANDIDATES ? c->mcp.ncandidates
									 : EVCTX_MCP_CANDIDATES;

		record_add_mcp_candidates(rec, c->mcp.candidates, shown, c->mcp.ncandidates);
		return;
	}
	if (!c->mcp.call)
		return;
	mcp = record_add_mcp(rec, c->mcp.call, true);
	if (mcp && c->kind == RULE_EV_TOOL_RESULT)
		record_add_mcp_result(mcp, c->mcp.call);
}

cJSON *alert_build(const struct rule *r, const struct evctx *c, const char *host)
{
	cJSON *rec = record_new("alert", c->time_ns, host);
	cJSON *rule, *tags, *proc;
	struct field_source src = evctx_source(c);
	char msg[ALERT_TEXT_MAX];

	if (!rec)
		return NULL;
	rule = cJSON_AddObjectToObject(rec, "rule");
	cJSON_AddStringToObject(rule, "id", r->id);
	cJSON_AddStringToObject(rule, "name", r->name ? r->name : r->id);
	cJSON_AddStringToObject(rule, "severity", rule_severity_name(r->severity));
	tags = cJSON_AddArrayToObject(rule, "tags");
	for (size_t i = 0; i < r->ntags; i++)
		cJSON_AddItemToArray(tags, cJSON_CreateString(r->tags[i]));
	rule_render_message(r, &src, msg, sizeof(msg));
	record_add_redacted(rec, "message", msg);
	cJSON_AddNumberToObject(rec, "count", 1);
	if (c->server)
		record_add_server(rec, c->server);
	proc = cJSON_AddObjectToObject(rec, "process");
	record_fill_process(proc, c->proc);
	add_parent(proc, c);
	if (c->user_name)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(rec, "user"), "name", c->user_name);
	if (c->kind == RULE_EV_OPEN)
		add_file(rec, c);
	else if (c->kind == RULE_EV_LISTEN || c->kind == RULE_EV_CONNECT)
		add_network(rec, c);
	else if (c->kind == RULE_EV_URING)
		add_uring(rec, c);
	record_add_container(rec, c->proc, &c->workload);
	add_mcp(rec, c);
	/* Seen before its server was identified: how long it waited for that. */
	if (c->held_ns > 0)
		cJSON_AddNumberToObject(cJSON_AddObjectToObject(rec, "event"), "held_ms",
					(double)(c->held_ns / 1000000));
	return rec;
}

/* A tool call's object: the tool (or the method when it is not a tools/call). */
static const char *tool_of(const struct evctx *c)
{
	if (!c->mcp.call)
		return "";
	return c->mcp.call->tool[0] ? c->mcp.call->tool : c->mcp.call->method;
}

/* What makes two matches "the same": rule, server, program, and the object. */
static char *aggregation_key(const struct rule *r, const struct evctx *c)
{
	char *key = NULL;
	const char *obj = c->kind == RULE_EV_OPEN      ? c->file.path
			  : c->kind == RULE_EV_EXEC    ? c->proc->cmdline
			  : c->kind == RULE_EV_LISTEN  ? c->net.local_addr
			  : c->kind == RULE_EV_CONNECT ? c->net.remote_addr
						       : tool_of(c);
	int port = c->kind == RULE_EV_LISTEN	? c->net.local_port
		   : c->kind == RULE_EV_CONNECT ? c->net.remote_port
						: 0;

	const char *exe = c->proc->exe ? c->proc->exe : "";

	/* Ids have no '|' and the port is last; the exe's length keeps a '|'
	 * in it from moving the boundary between exe and object. */
	if (asprintf(&key, "%s|%u|%zu:%s|%s|%d", r->id, c->server ? c->server->tgid : 0,
		     strlen(exe), exe, obj ? obj : "", port) < 0)
		return NULL;
	return key;
}

struct alerter *alerter_new(struct output *out, const char *host, int window_s)
{
	struct alerter *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->out = out;
	a->host = strdup(host);
	a->window_ns = (int64_t)window_s * 1000000000;
	if (!a->host) {
		free(a);
		return NULL;
	}
	return a;
}

/* FNV-1a: keys are short strings, and a flood of them only costs a flush. */
static uint64_t key_hash(const char *key)
{
	uint64_t h = 14695981039346656037ull;

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211ull;
	return h;
}

static struct agg **bucket_of(struct alerter *a, uint64_t hash)
{
	return &a->buckets[hash & (AGG_BUCKETS - 1)];
}

static void agg_insert(struct alerter *a, struct agg *g)
{
	struct agg **b = bucket_of(a, g->hash);

	g->chain = *b;
	*b = g;
	g->older = a->newest;
	g->newer = NULL;
	if (a->newest)
		a->newest->newer = g;
	else
		a->oldest = g;
	a->newest = g;
	a->naggs++;
}

static void agg_unlink(struct alerter *a, struct agg *g)
{
	struct agg **pp = bucket_of(a, g->hash);

	while (*pp != g)
		pp = &(*pp)->chain;
	*pp = g->chain;
	if (g->older)
		g->older->newer = g->newer;
	else
		a->oldest = g->newer;
	if (g->newer)
		g->newer->older = g->older;
	else
		a->newest = g->older;
	a->naggs--;
}

static struct agg *agg_find(struct alerter *a, const char *key, uint64_t hash)
{
	for (struct agg *g = *bucket_of(a, hash); g; g = g->chain)
		if (g->hash == hash && strcmp(g->key, key) == 0)
			return g;
	return NULL;
}

static void agg_close(struct alerter *a, struct agg *g)
{
	if (g->repeats && g->last) {
		cJSON *agg = cJSON_CreateObject();
		char t[48];

		cJSON_ReplaceItemInObject(g->last, "count", cJSON_CreateNumber((double)g->repeats));
		rfc3339_format(g->last_ns, 9, t, sizeof(t));
		cJSON_ReplaceItemInObject(g->last, "time", cJSON_CreateString(t));
		rfc3339_format(g->first_ns, 9, t, sizeof(t));
		cJSON_AddStringToObject(agg, "first_time", t);
		rfc3339_format(g->last_ns, 9, t, sizeof(t));
		cJSON_AddStringToObject(agg, "last_time", t);
		cJSON_AddNumberToObject(agg, "window_s", (double)(a->window_ns / 1000000000));
		cJSON_AddItemToObject(g->last, "aggregate", agg);
		output_write(a->out, g->last);
	}
	cJSON_Delete(g->last);
	free(g->key);
	free(g);
}

/*
 * Keys close in the order they were created (each window starts at its first
 * match), so the expired ones are the oldest few: find the newest of them from
 * the old end, then close them newest first, the order summaries have always
 * been written in. The cost is the expired count, not the number of keys.
 */
void alerter_tick(struct alerter *a, int64_t now_ns)
{
	struct agg *g = a->oldest, *older;

	if (!g || now_ns - g->first_ns < a->window_ns)
		return;
	while (g->newer && now_ns - g->newer->first_ns >= a->window_ns)
		g = g->newer;
	for (; g; g = older) {
		older = g->older;
		agg_unlink(a, g);
		agg_close(a, g);
	}
}

/* Close every aggregate now, newest first. */
static void agg_flush(struct alerter *a)
{
	while (a->newest) {
		struct agg *g = a->newest;

		agg_unlink(a, g);
		agg_close(a, g);
	}
}

void alerter_free(struct alerter *a)
{
	if (!a)
		return;
	agg_flush(a);
	for (size_t i = 0; i < a->nby_rule; i++)
		free(a->by_rule[i].id);
	free(a->by_rule);
	free(a->host);
	free(a);
}

void alerter_reconfigure(struct alerter *a, struct output *out, int window_s)
{
	agg_flush(a);
	a->out = out;
	a->window_ns = (int64_t)window_s * 1000000000;
}

uint64_t alerter_matches(const struct alerter *a)
{
	return a->matches;
}

size_t alerter_rule_counts(const struct alerter *a, struct health_labeled *out, size_t max)
{
	size_t i;

	for (i = 0; i < a->nby_rule && i < max; i++)
		out[i] = (struct health_labeled){a->by_rule[i].id, a->by_rule[i].n};
	return i;
}

/* Alerts are rare next to events: a linear search over the rule ids is cheap. */
static void count_rule(struct alerter *a, const char *id)
{
	struct rule_count *grown;
	size_t i;

	for (i = 0; i < a->nby_rule; i++)
		if (strcmp(a->by_rule[i].id, id) == 0) {
			a->by_rule[i].n++;
			return;
		}
	if (a->nby_rule >= ALERTER_RULES_MAX)
		return;
	grown = realloc(a->by_rule, (a->nby_rule + 1) * sizeof(*grown));
	if (!grown)
		return;
	a->by_rule = grown;
	grown[a->nby_rule].id = strdup(id);
	if (!grown[a->nby_rule].id)
		return;
	grown[a->nby_rule++].n = 1;
}

uint64_t alerter_suppressed(const struct alerter *a)
{
	return a->suppressed;
}

void alerter_emit(struct alerter *a, const struct rule *r, const struct evctx *c)
{
	char *key = a->window_ns > 0 ? aggregation_key(r, c) : NULL;
	uint64_t hash = key ? key_hash(key) : 0;
	struct agg *g = key ? agg_find(a, key, hash) : NULL;
	cJSON *rec;

	a->matches++;
	count_rule(a, r->id);
	if (g) {
		/* A repeat inside the window: count it, keep a recent record for the summary. */
		free(key);
		if (!g->last || c->proc->tgid != g->built_pid || c->mcp.call != g->built_call ||
		    c->time_ns - g->built_ns >= AGG_REFRESH_NS) {
			rec = alert_build(r, c, a->host);
			if (rec) {
				cJSON_Delete(g->last);
				g->last = rec;
				g->built_ns = c->time_ns;
				g->built_pid = c->proc->tgid;
				g->built_call = c->mcp.call;
			}
		}
		g->repeats++;
		g->last_ns = c->time_ns;
		a->suppressed++;
		return;
	}
	rec = alert_build(r, c, a->host);
	if (rec)
		output_write(a->out, rec);
	cJSON_Delete(rec);
	if (!key)
		return;
	if (a->naggs >= AGG_MAX_KEYS)
		agg_flush(a); /* memory stays bounded under a flood of distinct keys */
	g = calloc(1, sizeof(*g));
	if (!g) {
		free(key);
		return;
	}
	g->key = key;
	g->hash = hash;
	g->first_ns = g->last_ns = c->time_ns;
	agg_insert(a, g);
}
