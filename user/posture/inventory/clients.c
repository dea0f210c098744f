// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* inventory/clients: which MCP client keeps which config file where, for every user. */
#include "posture/inventory.h"

#include <errno.h>
#include <glob.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/json.h"
#include "lib/paths.h"
#include "posture/inventory/common.h"
#include "posture/inventory/entry.h"
#include "posture/inventory/parse.h"

#define MAX_USERS 4096

struct user_ent {
	char *name;
	char *home;
	unsigned long uid;
};

struct scan {
	const char *prefix;
	struct inventory *out;
	struct user_ent *users;
	size_t nusers;
	char **seen; /* logical paths already considered */
	size_t nseen;
	char **projects;
	size_t nprojects;
	size_t nread;
	bool out_of_memory;
};

static void add_user(struct scan *sc, const char *name, unsigned long uid, const char *home)
{
	struct user_ent u = {0};

	if (home[0] != '/' || sc->nusers >= MAX_USERS)
		return;
	u.name = strdup(name);
	u.home = strdup(home);
	u.uid = uid;
	if (!u.name || !u.home || !inv_array_reserve(&sc->users, sc->nusers, sizeof(u))) {
		free(u.name);
		free(u.home);
		sc->out_of_memory = true;
		return;
	}
	sc->users[sc->nusers++] = u;
}

/* name:password:uid:gid:gecos:home:shell */
static void add_passwd_line(struct scan *sc, char *line)
{
	char *field[7], *p = line, *end;
	unsigned long uid;
	int i;

	for (i = 0; i < 7; i++) {
		field[i] = p;
		p = strchr(p, ':');
		if (!p && i < 6)
			return;
		if (p)
			*p++ = '\0';
	}
	errno = 0;
	uid = strtoul(field[2], &end, 10);
	if (!field[0][0] || end == field[2] || *end || errno)
		return;
	add_user(sc, field[0], uid, field[5]);
}

static void load_users_from_file(struct scan *sc)
{
	char path[4096], why[128], *text, *line, *save = NULL;
	size_t len;

	snprintf(path, sizeof(path), "%s/etc/passwd", sc->prefix);
	text = json_read_file(path, INVENTORY_FILE_MAX, &len, why, sizeof(why));
	if (!text) {
		inv_add_diag(sc->out, path, 0, 0, "%s", why);
		return;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		add_passwd_line(sc, line);
	free(text);
}

static void load_users(struct scan *sc)
{
	struct passwd *pw;
	size_t i;

	if (sc->prefix[0]) {
		load_users_from_file(sc);
	} else {
		setpwent();
		while ((pw = getpwent()) && !sc->out_of_memory)
			add_user(sc, pw->pw_name, pw->pw_uid, pw->pw_dir ? pw->pw_dir : "");
		endpwent();
	}
	for (i = 0; i < sc->nusers; i++) {
		if (streq(sc->users[i].home, "/root"))
			return;
	}
	add_user(sc, "root", 0, "/root");
}

/* The homes walked even when no password entry names them: directory users
 * (LDAP/AD through sssd) are not enumerated, but their homes are there. */
static const char *const default_home_globs[] = {"/home/*", "/root"};

static bool home_known(const struct scan *sc, const char *home)
{
	for (size_t i = 0; i < sc->nusers; i++)
		if (streq(sc->users[i].home, home))
			return true;
	return false;
}

/* Each directory a glob names (under the prefix; links are not followed) is a home. */
static void add_home_dirs(struct scan *sc, const char *const *globs, size_t n)
{
	size_t pre = strlen(sc->prefix);
	char pattern[4096];

	if (!globs || !n) {
		globs = default_home_globs;
		n = sizeof(default_home_globs) / sizeof(default_home_globs[0]);
	}
	for (size_t i = 0; i < n && !sc->out_of_memory; i++) {
		glob_t g;

		if (globs[i][0] != '/' ||
		    (size_t)snprintf(pattern, sizeof(pattern), "%s%s", sc->prefix, globs[i]) >=
			sizeof(pattern) ||
		    glob(pattern, GLOB_NOSORT, NULL, &g) != 0)
			continue;
		for (size_t k = 0; k < g.gl_pathc && sc->nusers < MAX_USERS; k++) {
			const char *home = g.gl_pathv[k] + pre;
			struct stat st;

			if (lstat(g.gl_pathv[k], &st) || !S_ISDIR(st.st_mode) ||
			    home_known(sc, home))
				continue;
			add_user(sc, path_base(home), st.st_uid, home);
		}
		globfree(&g);
	}
}

static bool seen_before(struct scan *sc, const char *path)
{
	size_t i;

	for (i = 0; i < sc->nseen; i++) {
		if (streq(sc->seen[i], path))
			return true;
	}
	if (!inv_strv_push(&sc->seen, &sc->nseen, path))
		sc->out_of_memory = true;
	return false;
}

static void owner_name(const struct scan *sc, unsigned long uid, char *out, size_t outlen)
{
	size_t i;

	for (i = 0; i < sc->nusers; i++) {
		if (sc->users[i].uid == uid) {
			snprintf(out, outlen, "%s", sc->users[i].name);
			return;
		}
	}
	snprintf(out, outlen, "%lu", uid);
}

/* lstat under the prefix: false when absent (silently), already read, or refused (diagnosed). */
static bool stat_config(struct scan *sc, const char *logical, const char *real, struct stat *st)
{
	if (lstat(real, st) != 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			inv_add_diag(sc->out, logical, 0, 0, "%s", strerror(errno));
		return false;
	}
	if (S_ISLNK(st->st_mode) && sc->prefix[0]) {
		/* an absolute link would resolve outside the scanned root */
		inv_add_diag(sc->out, logical, 0, 0,
			     "symbolic link not followed under a root prefix");
		return false;
	}
	if (S_ISLNK(st->st_mode) && stat(real, st) != 0) {
		inv_add_diag(sc->out, logical, 0, 0, "%s", strerror(errno));
		return false;
	}
	/* a project directory may be a home too: each file is read once */
	if (seen_before(sc, logical))
		return false;
	if (sc->nread >= INVENTORY_MAX_FILES) {
		if (sc->nread++ == INVENTORY_MAX_FILES)
			inv_add_diag(sc->out, logical, 0, 0,
				     "more than %d config files; the rest are skipped",
				     INVENTORY_MAX_FILES);
		return false;
	}
	sc->nread++;
	return true;
}

/* Read and parse one config file: a home's (home_user) or a project's (its owner). */
static void read_config(struct scan *sc, const char *client, const char *logical,
			const char *home_user, const char *project)
{
	char real[4096], why[128], owner[64];
	struct doc_ctx c = {.client = client, .path = logical, .out = sc->out};
	struct stat st;
	size_t len, max;
	char *buf;

	if ((size_t)snprintf(real, sizeof(real), "%s%s", sc->prefix, logical) >= sizeof(real) ||
	    !stat_config(sc, logical, real, &st))
		return;
	max = ends_with(logical, "/.claude.json") ? INVENTORY_CLAUDE_JSON_MAX : INVENTORY_FILE_MAX;
	buf = json_read_file(real, max, &len, why, sizeof(why));
	if (!buf) {
		inv_add_diag(sc->out, logical, 0, 0, "%s", why);
		return;
	}
	owner_name(sc, st.st_uid, owner, sizeof(owner));
	c.user = home_user ? home_user : owner;
	c.project = project;
	if (streq(client, "claude-code") && home_user) {
		c.projects = &sc->projects;
		c.nprojects = &sc->nprojects;
	}
	if (inv_parse_document(&c, buf, len) < 0 && c.out_of_memory)
		sc->out_of_memory = true;
	free(buf);
}

struct config_place {
	const char *client;
	const char *path; /* relative to a home or project directory, or absolute */
};

static const struct config_place home_configs[] = {
    {"claude-desktop", ".config/Claude/claude_desktop_config.json"},
    {"claude-code", ".claude.json"},
    {"cursor", ".cursor/mcp.json"},
    {"vscode", ".config/Code/User/mcp.json"},
    {"vscode", ".config/Code/User/settings.json"},
    {"windsurf", ".codeium/windsurf/mcp_config.json"},
    {"gemini-cli", ".gemini/settings.json"},
};

static const struct config_place project_configs[] = {
    {"claude-code", ".mcp.json"},
    {"cursor", ".cursor/mcp.json"},
    {"vscode", ".vscode/mcp.json"},
    {"gemini-cli", ".gemini/settings.json"},
};

static const struct config_place system_configs[] = {
    {"claude-code", "/etc/claude-code/managed-mcp.json"},
    {"gemini-cli", "/etc/gemini-cli/settings.json"},
};

static void read_configs_in(struct scan *sc, const char *dir, const struct config_place *places,
			    size_t nplaces, const char *home_user)
{
	char path[4096];
	size_t i;

	for (i = 0; i < nplaces && !sc->out_of_memory; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s%s%s", dir,
				     ends_with(dir, "/") ? "" : "/", places[i].path) < sizeof(path))
			read_config(sc, places[i].client, path, home_user, home_user ? NULL : dir);
	}
}

static bool home_seen(const struct scan *sc, size_t upto)
{
	size_t i;

	for (i = 0; i < upto; i++) {
		if (streq(sc->users[i].home, sc->users[upto].home))
			return true;
	}
	return false;
}

/* ".." could climb out of a root prefix. */
static bool project_dir_ok(struct scan *sc, const char *dir)
{
	char shown[INV_NAME_SHOWN];

	if (dir[0] == '/' && !strstr(dir, "/../") && !ends_with(dir, "/.."))
		return true;
	inv_shown_name(dir, shown);
	inv_add_diag(sc->out, NULL, 0, 0,
		     "project directory \"%s\": not an absolute path without ..", shown);
	return false;
}

static void scan_projects(struct scan *sc)
{
	size_t i;

	if (sc->nprojects >= INVENTORY_MAX_PROJECTS)
		inv_add_diag(sc->out, NULL, 0, 0,
			     "%d project directories or more; further ones are skipped",
			     INVENTORY_MAX_PROJECTS);
	for (i = 0; i < sc->nprojects && !sc->out_of_memory; i++) {
		if (!project_dir_ok(sc, sc->projects[i]))
			continue;
		read_configs_in(sc, sc->projects[i], project_configs,
				sizeof(project_configs) / sizeof(project_configs[0]), NULL);
	}
}

static void scan_free(struct scan *sc)
{
	size_t i;

	for (i = 0; i < sc->nusers; i++) {
		free(sc->users[i].name);
		free(sc->users[i].home);
	}
	free(sc->users);
	inv_strv_free(sc->seen, sc->nseen);
	inv_strv_free(sc->projects, sc->nprojects);
}

int inventory_scan(const char *root_prefix, const char *const *extra_project_dirs, size_t nextra,
		   struct inventory *out)
{
	return inventory_scan_homes(root_prefix, extra_project_dirs, nextra, NULL, 0, out);
}

int inventory_scan_homes(const char *root_prefix, const char *const *extra_project_dirs,
			 size_t nextra, const char *const *home_globs, size_t nhome_globs,
			 struct inventory *out)
{
	struct scan sc = {.prefix = root_prefix ? root_prefix : "", .out = out};
	size_t i;

	if (!out)
		return -1;
	memset(out, 0, sizeof(*out));
	/* the caller's directories first: a long ~/.claude.json must not crowd them out */
	for (i = 0; extra_project_dirs && i < nextra && !sc.out_of_memory; i++) {
		if (extra_project_dirs[i] &&
		    !inv_projects_add(&sc.projects, &sc.nprojects, extra_project_dirs[i]))
			sc.out_of_memory = true;
	}
	load_users(&sc);
	add_home_dirs(&sc, home_globs, nhome_globs);
	for (i = 0; i < sizeof(system_configs) / sizeof(system_configs[0]); i++)
		read_config(&sc, system_configs[i].client, system_configs[i].path,
			    INVENTORY_ALL_USERS, NULL);
	for (i = 0; i < sc.nusers && !sc.out_of_memory; i++) {
		if (!home_seen(&sc, i))
			read_configs_in(&sc, sc.users[i].home, home_configs,
					sizeof(home_configs) / sizeof(home_configs[0]),
					sc.users[i].name);
	}
	scan_projects(&sc);
	scan_free(&sc);
	return sc.out_of_memory ? -1 : (int)out->n;
}

void inventory_free(struct inventory *inv)
{
	size_t i;

	if (!inv)
		return;
	for (i = 0; i < inv->n; i++)
		inv_server_free(&inv->servers[i]);
	free(inv->servers);
	diag_free(&inv->diag);
	memset(inv, 0, sizeof(*inv));
}
