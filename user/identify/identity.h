/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * identity: owns the answer to "which process trees are MCP servers". It
 * classifies a process from its command line (selectors: the official
 * servers' and SDK conventions, plus the user's), recognises launchers
 * (npx, npm exec, uvx, pipx, docker run, env, shell wrappers) so that the
 * server is the process they end up running, and accepts a protocol
 * identification (an initialize result with serverInfo seen on stdout).
 * It writes roles into the process table; it emits nothing.
 */
#ifndef MCPWATCH_IDENTITY_H
#define MCPWATCH_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>

#include "identify/proctable.h"

struct identity;

struct identity *identity_new(void);
void identity_free(struct identity *id);
/* A user selector: a process whose command line matches glob is a server called name. */
int identity_add_selector(struct identity *id, const char *name, const char *cmdline_glob);
/* Command lines matching glob are never servers. */
int identity_add_ignore(struct identity *id, const char *cmdline_glob);
/* An extra launcher, by executable basename. */
int identity_add_launcher(struct identity *id, const char *basename);

/*
 * npm and other programs rewrite their process title: /proc then shows one
 * argv string, "npm exec @scope/pkg@1.2.3 /tmp", plus the empty padding of
 * the old argv area. A view splits such a title into words (at most 64), so
 * that it classifies like the argv it replaced; any other argv is viewed as is.
 */
struct argv_view {
	char *v[64];
	int n;
	char buf[4096];
};

bool argv_is_title(char *const *argv, int argc);
void argv_view_init(struct argv_view *a, char *const *argv, int argc);

/* Pure predicates, unit-tested. */
bool identity_is_launcher(const struct identity *id, const char *exe, char *const *argv, int argc);
/* Does the command line name an MCP server? Fills name (derived) when it does. */
bool identity_match_server(const struct identity *id, const char *exe, char *const *argv, int argc,
			   char *name, size_t nlen);

/* Called for each process that joins a server tree (to track it in the kernel). */
typedef void (*identity_join_fn)(struct proc *p, void *arg);

/*
 * After p exec'd (or was found by the /proc scan, parents first): assign its
 * role. Returns true when p became a server (the root of a new tree).
 */
bool identity_on_exec(const struct identity *id, struct proc_table *t, struct proc *p,
		      identity_join_fn join, void *arg);
/*
 * p wrote an MCP message naming the server on its stdout. Returns true when
 * p became a server or its name changed.
 */
bool identity_on_server_info(struct proc_table *t, struct proc *p, const char *name,
			     const char *version, identity_join_fn join, void *arg);
/* Make p the root of a server tree and pull in its known descendants. */
void identity_make_server(struct proc_table *t, struct proc *p, const char *name,
			  identity_join_fn join, void *arg);

#endif /* MCPWATCH_IDENTITY_H */
