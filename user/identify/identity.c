/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
#include "identify/identity.h"
#include "identify/launchers.h"
#include "lib/glob.h"
#include "lib/paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct selector {
	char *name;
	char *glob;
};

struct strvec {
	char **v;
	size_t n;
};

struct identity {
	struct selector *selectors;
	size_t nselectors;
	struct strvec ignore;
	struct strvec launchers;
};

/* Package or program names that are MCP servers by convention. */
static const char *const server_name_globs[] = {
    "@modelcontextprotocol/server-*",
    "mcp-server-*",
    "*-mcp-server",
    "*-mcp-server-*",
    "mcp_server_*",
    "*_mcp_server",
    "mcp-server",
    "fastmcp",
    "*-mcp-server.*",
    "*_mcp_server.*",
    "mcp-server-*.*",
};

/* One spaced string, then nothing but the empty padding of the old argv area. */
bool argv_is_title(char *const *argv, int argc)
{
	if (argc < 1 || !strchr(argv[0], ' '))
		return false;
	for (int i = 1; i < argc; i++)
		if (argv[i][0])
			return false;
	return true;
}

void argv_view_init(struct argv_view *a, char *const *argv, int argc)
{
	char *save = NULL;

	if (!argv_is_title(argv, argc)) {
		a->n = argc < 64 ? argc : 64;
		for (int i = 0; i < a->n; i++)
			a->v[i] = argv[i];
		return;
	}
	snprintf(a->buf, sizeof(a->buf), "%s", argv[0]);
	a->n = 0;
	for (char *t = strtok_r(a->buf, " ", &save); t && a->n < 64; t = strtok_r(NULL, " ", &save))
		a->v[a->n++] = t;
}

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

static bool glob_any(const char *s, const char *const *globs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (glob_match(globs[i], s))
			return true;
	return false;
}

static int strvec_add(struct strvec *v, const char *s)
{
	char **nv = realloc(v->v, (v->n + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	v->v = nv;
	v->v[v->n] = strdup(s);
	if (!v->v[v->n])
		return -ENOMEM;
	v->n++;
	return 0;
}

static void strvec_free(struct strvec *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
}

struct identity *identity_new(void)
{
	return calloc(1, sizeof(struct identity));
}

void identity_free(struct identity *id)
{
	if (!id)
		return;
	for (size_t i = 0; i < id->nselectors; i++) {
		free(id->selectors[i].name);
		free(id->selectors[i].glob);
	}
	free(id->selectors);
	strvec_free(&id->ignore);
	strvec_free(&id->launchers);
	free(id);
}

int identity_add_selector(struct identity *id, const char *name, const char *cmdline_glob)
{
	struct selector *s = realloc(id->selectors, (id->nselectors + 1) * sizeof(*s));

	if (!s)
		return -ENOMEM;
	id->selectors = s;
	s = &id->selectors[id->nselectors];
	s->name = strdup(name);
	s->glob = strdup(cmdline_glob);
	if (!s->name || !s->glob) {
		free(s->name);
		free(s->glob);
		return -ENOMEM;
	}
	id->nselectors++;
	return 0;
}

int identity_add_ignore(struct identity *id, const char *cmdline_glob)
{
	return strvec_add(&id->ignore, cmdline_glob);
}

int identity_add_launcher(struct identity *id, const char *basename)
{
	return strvec_add(&id->launchers, basename);
}

static bool is_interpreter(const char *exe, char *const *argv, int argc)
{
	if (exe && *exe && launcher_is_interpreter(path_base(exe)))
		return true;
	return argc > 0 && launcher_is_interpreter(path_base(argv[0]));
}

static bool is_launcher_argv(const struct identity *id, const char *exe, char *const *argv,
			     int argc)
{
	const char *names[2] = {exe && *exe ? path_base(exe) : "",
				argc > 0 ? path_base(argv[0]) : ""};

	for (int i = 0; i < 2; i++) {
		if (!*names[i])
			continue;
		if (launcher_starts_program(names[i]))
			return true;
		if (in_list(names[i], (const char *const *)id->launchers.v, id->launchers.n))
			return true;
	}
	/* npx and npm are node scripts: `node /usr/lib/node_modules/npm/bin/npx-cli.js`. */
	if (is_interpreter(exe, argv, argc) && argc > 1)
		return launcher_is_script(path_base(argv[1])) != NULL;
	return false;
}

bool identity_is_launcher(const struct identity *id, const char *exe, char *const *argv, int argc)
{
	struct argv_view a;

	argv_view_init(&a, argv, argc);
	return is_launcher_argv(id, exe, a.v, a.n);
}

/*
 * The package a token names: "…/node_modules/@scope/pkg/dist/index.js" →
 * "@scope/pkg"; "@scope/pkg@1.2.3" → "@scope/pkg"; "/x/bin/mcp-server-git" →
 * "mcp-server-git".
 */
static void token_package_name(const char *tok, char *out, size_t outlen)
{
	const char *nm = NULL, *p = tok, *end;
	size_t len;

	while ((p = strstr(p, "node_modules/")) != NULL) {
		nm = p + strlen("node_modules/");
		p = nm;
	}
	if (nm && *nm && strncmp(nm, ".bin/", 5) != 0) {
		end = strchr(nm, '/');
		if (*nm == '@' && end)
			end = strchr(end + 1, '/');
		len = end ? (size_t)(end - nm) : strlen(nm);
		snprintf(out, outlen, "%.*s", (int)len, nm);
		return;
	}
	if (*tok == '@' && strchr(tok, '/')) {
		const char *ver = strchr(tok + 1, '@');
		const char *slash2 = strchr(strchr(tok, '/') + 1, '/');

		len = strlen(tok);
		if (ver && (!slash2 || ver < slash2))
			len = (size_t)(ver - tok);
		else if (slash2)
			len = (size_t)(slash2 - tok);
		snprintf(out, outlen, "%.*s", (int)len, tok);
		return;
	}
	tok = path_base(tok);
	end = strchr(tok + (*tok == '@'), '@'); /* npx "mcp-server-x@1.0" */
	len = end ? (size_t)(end - tok) : strlen(tok);
	snprintf(out, outlen, "%.*s", (int)len, tok);
}

static bool token_names_server(const char *tok, char *name, size_t nlen)
{
	char pkg[256];

	token_package_name(tok, pkg, sizeof(pkg));
	if (!pkg[0] || !glob_any(pkg, server_name_globs,
				 sizeof(server_name_globs) / sizeof(server_name_globs[0])))
		return false;
	snprintf(name, nlen, "%s", pkg);
	return true;
}

/* Python's `-m mcp_server_x` / `-m mcp.server`: the module names the server. */
static bool module_names_server(char *const *argv, int argc, int i, char *name, size_t nlen)
{
	if (strcmp(argv[i], "-m") != 0 || i + 1 >= argc)
		return false;
	if (strncmp(argv[i + 1], "mcp", 3) != 0 && !token_names_server(argv[i + 1], name, nlen))
		return false;
	snprintf(name, nlen, "%s", argv[i + 1]);
	return true;
}

static bool argv_names_server(const struct identity *id, const char *exe, char *const *argv,
			      int argc, char *name, size_t nlen)
{
	bool launcher = is_launcher_argv(id, exe, argv, argc);
	bool interp = !launcher && is_interpreter(exe, argv, argc);

	if (exe && *exe && token_names_server(exe, name, nlen))
		return true;
	for (int i = 0; i < argc; i++) {
		if (module_names_server(argv, argc, i, name, nlen))
			return true;
		if (i > 0 && argv[i][0] == '-')
			continue;
		if (token_names_server(argv[i], name, nlen))
			return true;
		/* A native program is named by argv[0]; an interpreter by its script. */
		if (!launcher && (i > 0 || !interp))
			return false;
	}
	return false;
}

bool identity_match_server(const struct identity *id, const char *exe, char *const *argv, int argc,
			   char *name, size_t nlen)
{
	char cmdline[4096];
	size_t off = 0;

	cmdline[0] = '\0';
	for (int i = 0; i < argc && off < sizeof(cmdline) - 1; i++) {
		int n =
		    snprintf(cmdline + off, sizeof(cmdline) - off, "%s%s", i ? " " : "", argv[i]);

		off += n > 0 ? (size_t)n : 0;
	}
	for (size_t i = 0; i < id->ignore.n; i++)
		if (glob_match(id->ignore.v[i], cmdline))
			return false;
	for (size_t i = 0; i < id->nselectors; i++) {
		if (glob_match(id->selectors[i].glob, cmdline)) {
			snprintf(name, nlen, "%s", id->selectors[i].name);
			return true;
		}
	}
	struct argv_view a;

	argv_view_init(&a, argv, argc);
	return argv_names_server(id, exe, a.v, a.n, name, nlen);
}

static void join_tree(struct proc *p, uint32_t server, identity_join_fn join, void *arg)
{
	p->server_tgid = server;
	if (p->tgid != server)
		p->role = ROLE_MEMBER;
	if (join)
		join(p, arg);
}

struct adopt_ctx {
	struct proc_table *t;
	struct proc *server;
	identity_join_fn join;
	void *arg;
};

static void adopt_descendant(struct proc *p, void *arg)
{
	struct adopt_ctx *c = arg;

	if (p == c->server || p->server_tgid)
		return;
	/* The current parent chain, or the fork-time one: a daemon forked
	 * before the server was identified and reparented since is still its
	 * (unless it is older than the server: a reused pid in its lineage). */
	if (proc_table_descends(c->t, p, c->server->tgid) ||
	    (proc_forked_by(p, c->server->tgid) &&
	     (!p->start_ns || p->start_ns >= c->server->start_ns)))
		join_tree(p, c->server->tgid, c->join, c->arg);
}

void identity_make_server(struct proc_table *t, struct proc *p, const char *name,
			  identity_join_fn join, void *arg)
{
	struct adopt_ctx c = {t, p, join, arg};

	p->role = ROLE_SERVER;
	if (name && (!p->server_name || strcmp(p->server_name, name) != 0))
		proc_set_string(&p->server_name, name);
	join_tree(p, p->tgid, join, arg);
	proc_table_foreach(t, adopt_descendant, &c);
}

bool identity_on_exec(const struct identity *id, struct proc_table *t, struct proc *p,
		      identity_join_fn join, void *arg)
{
	char name[256];
	struct proc *parent;
	const char *pending = NULL;
	bool launcher, matched;

	/* Inside a tree nothing changes: an exec there is the tree's own behaviour. */
	if (p->server_tgid)
		return false;
	launcher = identity_is_launcher(id, p->exe, p->argv, p->argc);
	matched = identity_match_server(id, p->exe, p->argv, p->argc, name, sizeof(name));
	parent = proc_table_lookup(t, p->ppid);
	if (p->role == ROLE_LAUNCHER && p->server_name)
		pending = p->server_name;
	else if (parent && parent != p && parent->role == ROLE_LAUNCHER && parent->server_name)
		pending = parent->server_name;

	if (!matched && !pending) {
		if (p->role == ROLE_LAUNCHER) {
			p->role = ROLE_NONE;
			proc_set_string(&p->server_name, NULL);
		}
		return false;
	}
	if (launcher) {
		const char *keep = matched ? name : pending;

		if (keep != p->server_name)
			proc_set_string(&p->server_name, keep);
		p->role = ROLE_LAUNCHER;
		return false;
	}
	identity_make_server(t, p, matched ? name : pending, join, arg);
	return true;
}

bool identity_on_server_info(struct proc_table *t, struct proc *p, const char *name,
			     const char *version, identity_join_fn join, void *arg)
{
	bool changed;

	/* A process inside another server's tree stays in that tree. */
	if (p->server_tgid && p->server_tgid != p->tgid)
		return false;
	changed = p->role != ROLE_SERVER || !p->name_from_protocol || !p->server_name ||
		  strcmp(p->server_name, name) != 0;
	p->name_from_protocol = true;
	proc_set_string(&p->server_version, version && *version ? version : NULL);
	proc_set_string(&p->transport, "stdio");
	if (changed)
		identity_make_server(t, p, name, join, arg);
	return changed;
}
