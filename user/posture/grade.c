/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
#include "posture/grade.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "posture/httpprobe.h"
#include "identify/identity.h"
#include "posture/inventory.h"
#include "sense/procfs.h"
#include "identify/proctable.h"
#include "lib/redact.h"
#include "identify/scan.h"
#include "lib/diag.h"

#define GRADE_MAX_SERVERS 512

/* The checks an HTTP probe answers; n/a for a stdio server. */
static const enum check_id http_checks[] = {
    CHK_HTTPS,
    CHK_AUTH,
    CHK_ADMIN_PANEL,
    CHK_CREDENTIALS_EXPOSED,
    CHK_CORS,
    CHK_CSP,
    CHK_HSTS,
    CHK_X_FRAME_OPTIONS,
    CHK_X_CONTENT_TYPE_OPTIONS,
    CHK_VERSION_LEAK,
    CHK_OPEN_REDIRECT,
    CHK_SENSITIVE_FILES,
    CHK_ERROR_LEAK,
    CHK_BIND_SCOPE,
    CHK_ORIGIN_VALIDATION,
    CHK_RATE_LIMIT,
};

static const enum check_id runtime_checks[FINDING_COUNT] = {
    [FINDING_SHELL] = CHK_RUNTIME_SHELL,
    [FINDING_SENSITIVE_FILE] = CHK_RUNTIME_SENSITIVE_FILE,
    [FINDING_PLAINTEXT_LISTENER] = CHK_RUNTIME_PLAINTEXT_LISTENER,
    [FINDING_EGRESS] = CHK_RUNTIME_EGRESS,
    [FINDING_TOOL_INPUT] = CHK_RUNTIME_TOOL_INPUT,
    [FINDING_TOOL_OUTPUT] = CHK_RUNTIME_TOOL_OUTPUT,
    [FINDING_TOOL_FLOOD] = CHK_RUNTIME_TOOL_FLOOD,
};

int grade_finding_for_rule(const char *rule_id)
{
	static const char *const rules[FINDING_COUNT] = {
	    [FINDING_SHELL] = "mcp-shell-spawn",
	    [FINDING_SENSITIVE_FILE] = "mcp-sensitive-file",
	    [FINDING_PLAINTEXT_LISTENER] = "mcp-plaintext-listener",
	    [FINDING_EGRESS] = "mcp-cloud-metadata",
	    [FINDING_TOOL_INPUT] = "mcp-tool-input-injection",
	    [FINDING_TOOL_OUTPUT] = "mcp-tool-output-injection",
	    [FINDING_TOOL_FLOOD] = "mcp-tool-call-flood",
	};

	/* Other built-in rules that are the same finding: code run from an
	 * anonymous file (or through an fd) in a tree is what a shell is for. */
	static const struct {
		const char *rule;
		int finding;
	} also[] = {{"mcp-anonymous-exec", FINDING_SHELL}};

	for (int i = 0; i < FINDING_COUNT; i++)
		if (strcmp(rule_id, rules[i]) == 0)
			return i;
	for (size_t i = 0; i < sizeof(also) / sizeof(also[0]); i++)
		if (strcmp(rule_id, also[i].rule) == 0)
			return also[i].finding;
	return -1;
}

struct collect {
	const struct grade_opts *o;
	struct proc_table *procs;
	struct proc_listener *listeners;
	size_t nlisteners;
	struct inventory inv;
	bool *inv_used;
	struct posture_report *r;
	size_t cap;
};

static struct posture_server *server_add(struct collect *c)
{
	struct posture_server *s;

	if (c->r->n >= GRADE_MAX_SERVERS)
		return NULL;
	if (c->r->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		struct posture_server *v = realloc(c->r->servers, cap * sizeof(*v));

		if (!v)
			return NULL;
		c->r->servers = v;
		c->cap = cap;
	}
	s = &c->r->servers[c->r->n++];
	memset(s, 0, sizeof(*s));
	return s;
}

static void set_na(struct posture_server *s, const enum check_id *ids, size_t n, const char *why)
{
	for (size_t i = 0; i < n; i++)
		check_set(&s->checks[ids[i]], CHECK_NA, "%s", why);
}

/* Several endpoints: a failure anywhere is the server's failure. */
static void merge_probe(struct posture_server *s, const struct httpprobe_report *pr,
			const char *where, bool first)
{
	for (size_t i = 0; i < sizeof(http_checks) / sizeof(http_checks[0]); i++) {
		enum check_id id = http_checks[i];
		const struct check_result *in = &pr->checks[id];
		struct check_result *out = &s->checks[id];

		if (!first && (in->status == CHECK_NA ||
			       (in->status == CHECK_PASS && out->status != CHECK_NA)))
			continue;
		check_set(out, in->status, "%s%s%s", s->nendpoints > 1 ? where : "",
			  s->nendpoints > 1 ? ": " : "", in->evidence);
	}
}

static void probe_listener(struct collect *c, struct posture_server *s,
			   const struct proc_listener *l)
{
	struct httpprobe_target t = {
	    .family = l->family, .port = l->port, .tls_hint = HTTPPROBE_TLS_DETECT};
	struct httpprobe_opts po;
	struct httpprobe_report pr;
	struct posture_endpoint *e;
	char where[96];

	if (s->nendpoints >= POSTURE_MAX_ENDPOINTS)
		return;
	snprintf(t.addr, sizeof(t.addr), "%s", l->addr);
	httpprobe_opts_default(&po);
	po.rate_limit = c->o->rate_limit;
	e = &s->endpoints[s->nendpoints++];
	snprintf(e->addr, sizeof(e->addr), "%s", l->addr);
	e->port = l->port;
	snprintf(where, sizeof(where), "%s%s%s:%u", l->family == AF_INET6 ? "[" : "", l->addr,
		 l->family == AF_INET6 ? "]" : "", l->port);
	if (httpprobe_run(&t, &po, &pr) != 0) {
		check_set(&s->checks[CHK_HTTPS], CHECK_NA, "%s: not probed: %s", where, pr.error);
		return;
	}
	e->tls = pr.tls;
	snprintf(e->mcp_path, sizeof(e->mcp_path), "%s", pr.mcp_path);
	if (strcmp(pr.mcp_path, "/sse") == 0)
		snprintf(s->transport, sizeof(s->transport), "sse");
	merge_probe(s, &pr, where, s->nendpoints == 1);
}

/* The command line that says how the server was launched: its outermost launcher's. */
static const struct proc *launch_of(const struct collect *c, const struct proc *p)
{
	const struct proc *top = p;

	for (int i = 0; i < 16; i++) {
		const struct proc *par = proc_table_lookup(c->procs, top->ppid);

		if (!par || par == top || par->role != ROLE_LAUNCHER)
			break;
		top = par;
	}
	return top;
}

static void check_pin(struct posture_server *s, const struct proc *launch)
{
	char ev[CHECK_EVIDENCE_MAX];
	struct argv_view view;
	enum pin_state st;

	argv_view_init(&view, launch->argv, launch->argc);
	if (view.n < 1) {
		check_set(&s->checks[CHK_PINNED_VERSION], CHECK_NA, "command line unknown");
		return;
	}
	st = inventory_pin_state(view.v[0], view.v + 1, (size_t)(view.n - 1), ev, sizeof(ev));
	check_set(&s->checks[CHK_PINNED_VERSION],
		  st == PIN_PINNED     ? CHECK_PASS
		  : st == PIN_UNPINNED ? CHECK_FAIL
				       : CHECK_NA,
		  "%s", ev);
}

static void check_runtime(const struct collect *c, struct posture_server *s)
{
	const struct grade_runtime *rt = NULL;

	for (size_t i = 0; c->o->runtime && i < c->o->nruntime; i++)
		if (c->o->runtime[i].server_pid == s->pid)
			rt = &c->o->runtime[i];
	for (int f = 0; f < FINDING_COUNT; f++) {
		struct check_result *r = &s->checks[runtime_checks[f]];

		if (!c->o->runtime)
			check_set(r, CHECK_NA, "observed only by the running agent");
		else if (f >= FINDING_TOOL_INPUT && !(rt && (rt->tool_calls || rt->seen[f])))
			check_set(r, CHECK_NA, "no tool call seen by the tap in the last %d s",
				  c->o->runtime_window_s);
		else if (rt && rt->seen[f])
			check_set(r, CHECK_FAIL, "%s", rt->evidence[f]);
		else
			check_set(r, CHECK_PASS, "nothing seen in the last %d s",
				  c->o->runtime_window_s);
	}
}

static void add_declaration(struct posture_server *s, const struct inv_server *e)
{
	for (size_t i = 0; i < s->ndeclared; i++)
		if (strcmp(s->declared_in[i], e->declared_in) == 0)
			return;
	if (s->ndeclared < POSTURE_MAX_DECL)
		snprintf(s->declared_in[s->ndeclared++], sizeof(s->declared_in[0]), "%s",
			 e->declared_in);
	if (!s->client[0])
		snprintf(s->client, sizeof(s->client), "%s", e->client);
}

/* What the client config says about a server: secrets inline, and the pin. */
static void apply_config(struct posture_server *s, const struct inv_server *e)
{
	add_declaration(s, e);
	if (e->inline_secret)
		check_set(&s->checks[CHK_INLINE_SECRETS], CHECK_FAIL, "%s: %s", e->declared_in,
			  e->secret_evidence);
	else if (s->checks[CHK_INLINE_SECRETS].status != CHECK_FAIL)
		check_set(&s->checks[CHK_INLINE_SECRETS], CHECK_PASS, "no literal secret in %s",
			  e->declared_in);
	if (e->pin != PIN_NA)
		check_set(&s->checks[CHK_PINNED_VERSION],
			  e->pin == PIN_PINNED ? CHECK_PASS : CHECK_FAIL, "%s", e->pin_evidence);
}

static bool entry_runs_as(const struct collect *c, const struct inv_server *e,
			  const struct proc *srv, const struct proc *launch)
{
	struct argv_view view;

	if (inventory_matches_cmdline(e, srv->argv, srv->argc))
		return true;
	argv_view_init(&view, launch->argv, launch->argc);
	return launch != srv && inventory_matches_cmdline(e, view.v, view.n);
}

static void add_running(struct collect *c, const struct proc *p)
{
	struct posture_server *s = server_add(c);
	const struct proc *launch = launch_of(c, p);
	char cmd[sizeof(s->command)];

	if (!s)
		return;
	snprintf(s->name, sizeof(s->name), "%s", p->server_name ? p->server_name : p->comm);
	s->pid = p->tgid;
	s->running = true;
	snprintf(s->transport, sizeof(s->transport), "%s", p->transport ? p->transport : "stdio");
	redact_string(launch->cmdline ? launch->cmdline : "", cmd, sizeof(cmd));
	snprintf(s->command, sizeof(s->command), "%s", cmd);
	check_set(&s->checks[CHK_INLINE_SECRETS], CHECK_NA, "not declared in a client config");
	check_set(&s->checks[CHK_REGISTRY], CHECK_NA, "cannot be known offline");
	check_pin(s, launch);
	if (p->uid == 0)
		check_set(&s->checks[CHK_RUNS_AS_ROOT], CHECK_FAIL, "pid %u runs as uid 0 (root)",
			  p->tgid);
	else
		check_set(&s->checks[CHK_RUNS_AS_ROOT], CHECK_PASS, "pid %u runs as uid %u",
			  p->tgid, p->uid);
	set_na(s, http_checks, sizeof(http_checks) / sizeof(http_checks[0]),
	       "stdio server: no network endpoint");
	for (size_t i = 0; i < c->nlisteners; i++) {
		const struct proc *owner = proc_table_lookup(c->procs, c->listeners[i].tgid);

		/* The HTTP endpoint checks are about TCP listeners. */
		if (!owner || owner->server_tgid != p->tgid ||
		    c->listeners[i].protocol != IPPROTO_TCP)
			continue;
		if (s->nendpoints == 0 && !p->transport)
			snprintf(s->transport, sizeof(s->transport), "http");
		probe_listener(c, s, &c->listeners[i]);
	}
	check_runtime(c, s);
	for (size_t i = 0; i < c->inv.n; i++) {
		if (entry_runs_as(c, &c->inv.servers[i], p, launch)) {
			apply_config(s, &c->inv.servers[i]);
			c->inv_used[i] = true;
		}
	}
}

/* The same entry declared in several files is one server. */
static struct posture_server *find_configured(struct collect *c, const struct inv_server *e,
					      const char *command)
{
	for (size_t i = 0; i < c->r->n; i++) {
		struct posture_server *s = &c->r->servers[i];

		if (!s->running && strcmp(s->name, e->name) == 0 &&
		    strcmp(s->command, command) == 0)
			return s;
	}
	return NULL;
}

static void configured_command(const struct inv_server *e, char *out, size_t len)
{
	size_t off;

	if (e->url) {
		snprintf(out, len, "%s", e->url);
		return;
	}
	off = (size_t)snprintf(out, len, "%s", e->command ? e->command : "");
	for (size_t i = 0; i < e->nargs && off < len; i++)
		off += (size_t)snprintf(out + off, len - off, " %s", e->args[i]);
}

static void add_configured(struct collect *c, const struct inv_server *e)
{
	struct posture_server *s;
	char cmd[sizeof(s->command)];

	configured_command(e, cmd, sizeof(cmd));
	s = find_configured(c, e, cmd);
	if (s) {
		apply_config(s, e);
		return;
	}
	s = server_add(c);
	if (!s)
		return;
	snprintf(s->name, sizeof(s->name), "%s", e->name);
	snprintf(s->transport, sizeof(s->transport), "%s", inventory_transport_name(e->transport));
	snprintf(s->command, sizeof(s->command), "%s", cmd);
	set_na(s, http_checks, sizeof(http_checks) / sizeof(http_checks[0]),
	       e->url ? "remote endpoint: mcpwatch probes only this host" : "not running");
	/* A URL's scheme says enough about HTTPS without sending anything. */
	if (e->url && strncmp(e->url, "https://", 8) == 0)
		check_set(&s->checks[CHK_HTTPS], CHECK_PASS, "configured URL uses https://");
	else if (e->url)
		check_set(&s->checks[CHK_HTTPS], CHECK_FAIL, "configured URL is not https://");
	check_set(&s->checks[CHK_REGISTRY], CHECK_NA, "cannot be known offline");
	check_set(&s->checks[CHK_RUNS_AS_ROOT], CHECK_NA, "not running");
	check_set(&s->checks[CHK_PINNED_VERSION], CHECK_NA, "%s", e->pin_evidence);
	for (int f = 0; f < FINDING_COUNT; f++)
		check_set(&s->checks[runtime_checks[f]], CHECK_NA, "not running");
	apply_config(s, e);
}

struct collect_servers {
	struct collect *c;
	const struct proc **v;
	size_t n;
};

static void collect_server(struct proc *p, void *arg)
{
	struct collect_servers *cs = arg;

	if (p->role == ROLE_SERVER && !p->exited && cs->n < GRADE_MAX_SERVERS)
		cs->v[cs->n++] = p;
}

static int compare_pid(const void *a, const void *b)
{
	const struct proc *const *x = a, *const *y = b;

	return (*x)->tgid < (*y)->tgid ? -1 : (*x)->tgid > (*y)->tgid;
}

/* The agent's identifications win over what the scan alone can tell. */
static void apply_known(struct collect *c)
{
	for (size_t i = 0; i < c->o->nknown; i++) {
		const struct grade_known *k = &c->o->known[i];
		struct proc *p = proc_table_lookup(c->procs, k->pid);

		if (!p)
			continue;
		if (p->role != ROLE_SERVER || !p->server_name ||
		    strcmp(p->server_name, k->name) != 0)
			identity_make_server(c->procs, p, k->name, NULL, NULL);
		if (k->transport[0])
			proc_set_string(&p->transport, k->transport);
	}
}

/* Running servers' working directories may hold project configs (.mcp.json ...). */
static char **server_cwds(const struct collect *c, const struct proc **v, size_t n)
{
	char **dirs = calloc(n + 1, sizeof(*dirs));

	for (size_t i = 0; dirs && i < n; i++) {
		char link[64], target[4096];
		ssize_t len;

		snprintf(link, sizeof(link), "%s/%u/cwd", c->o->proc_root, v[i]->tgid);
		len = readlink(link, target, sizeof(target) - 1);
		if (len > 0) {
			target[len] = '\0';
			dirs[i] = strdup(target);
		}
	}
	return dirs;
}

int grade_collect(const struct grade_opts *o, struct posture_report *out, char *err, size_t errlen)
{
	struct collect c = {.o = o, .r = out};
	struct collect_servers cs = {&c, NULL, 0};
	char **cwds = NULL;
	size_t ncwds = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	snprintf(out->host, sizeof(out->host), "%s", o->host);
	c.procs = proc_table_new();
	cs.v = calloc(GRADE_MAX_SERVERS, sizeof(*cs.v));
	if (!c.procs || !cs.v) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (scan_processes(o->proc_root, o->skip_tgid, c.procs, o->identity, NULL, NULL, err,
			   errlen) < 0)
		goto out;
	if (procfs_read_listeners(o->proc_root, &c.listeners, &c.nlisteners, err, errlen) != 0) {
		if (o->diag)
			diag_add(o->diag, o->proc_root, 0, 0, "listeners unknown: %s", err);
		c.nlisteners = 0;
	}
	apply_known(&c);
	proc_table_foreach(c.procs, collect_server, &cs);
	qsort(cs.v, cs.n, sizeof(*cs.v), compare_pid);
	cwds = server_cwds(&c, cs.v, cs.n);
	ncwds = cwds ? cs.n : 0;
	inventory_scan_homes(o->fs_root, (const char *const *)cwds, ncwds, o->home_globs,
			     o->nhome_globs, &c.inv);
	for (size_t i = 0; o->diag && i < c.inv.diag.nlines; i++)
		diag_add(o->diag, NULL, 0, 0, "%s", c.inv.diag.lines[i]);
	c.inv_used = calloc(c.inv.n + 1, sizeof(*c.inv_used));
	if (!c.inv_used) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < cs.n; i++)
		add_running(&c, cs.v[i]);
	for (size_t i = 0; i < c.inv.n; i++)
		if (!c.inv_used[i] && !c.inv.servers[i].disabled)
			add_configured(&c, &c.inv.servers[i]);
	for (size_t i = 0; i < out->n; i++)
		posture_grade_server(&out->servers[i]);
	posture_grade_host(out);
	rc = 0;
out:
	for (size_t i = 0; cwds && i < cs.n; i++)
		free(cwds[i]);
	free(cwds);
	free(cs.v);
	free(c.inv_used);
	inventory_free(&c.inv);
	free(c.listeners);
	proc_table_free(c.procs);
	if (rc)
		posture_report_free(out);
	return rc;
}
