/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * inventory: owns the list of MCP servers CONFIGURED on this host, read from
 * the configuration files of every MCP client (Claude Desktop, Claude Code,
 * Cursor, VS Code, Windsurf, Gemini CLI) in every user's home, in the system
 * directories and in the project directories those files name (plus any the
 * caller adds). Per entry: transport, command and arguments, env keys (never
 * values), whether the entry holds a literal secret (the evidence names the
 * field, never the value) and whether its package or image is pinned.
 * Also owns the pin analysis of a command line and the test "does this
 * running process's argv correspond to that configured entry".
 * It only reads: files are bounded, unreadable or malformed ones become
 * diagnostics, never failures.
 * The implementation is in posture/inventory/: clients (which client keeps
 * which file where, per user), parse (each client's document shapes), entry
 * (one server entry), secrets (literal secrets), pin (pin analysis), match
 * (running argv against an entry), common (shared helpers); the launcher
 * syntax itself is identify/launchers.h.
 */
#ifndef MCPWATCH_INVENTORY_H
#define MCPWATCH_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/diag.h"

#define INVENTORY_FILE_MAX	  (1u << 20) /* bytes per client config file */
#define INVENTORY_CLAUDE_JSON_MAX (8u << 20) /* ~/.claude.json also keeps per-project state */
#define INVENTORY_MAX_FILES	  1024	     /* existing config files read per scan */
#define INVENTORY_MAX_SERVERS	  4096	     /* entries kept per inventory */
#define INVENTORY_MAX_PROJECTS	  512	     /* project directories per scan */
#define INVENTORY_MAX_ARGS	  1024	     /* arguments per entry */
#define INVENTORY_EVIDENCE_MAX	  256

/* The user of entries from system-wide files (/etc/...): they apply to everyone. */
#define INVENTORY_ALL_USERS "*"

enum inv_transport { INV_STDIO, INV_HTTP, INV_SSE };

enum pin_state { PIN_NA, PIN_PINNED, PIN_UNPINNED };

struct inv_server {
	char *name;	   /* the key under mcpServers / servers */
	char *client;	   /* "claude-desktop", "claude-code", "cursor", "vscode", "windsurf",
			      "gemini-cli" */
	char *declared_in; /* absolute path of the file (without the scan's root prefix) */
	char *user;	   /* home owner, file owner for project files, INVENTORY_ALL_USERS for
			    * system files; NULL from inventory_parse_buffer */
	char *project;	   /* the project directory it is scoped to (a project's own file, or
			    * "projects" in ~/.claude.json); NULL for user and system scope */
	enum inv_transport transport;
	char *command; /* stdio: as configured (redacted); NULL for remote entries */
	char **args;   /* redacted: a literal secret is never kept */
	size_t nargs;
	char *url;	 /* remote: redacted; NULL for stdio */
	char **env_keys; /* keys only */
	size_t nenv;
	bool disabled; /* "disabled": true */
	bool inline_secret;
	char
	    secret_evidence[INVENTORY_EVIDENCE_MAX]; /* "env GITHUB_TOKEN holds a literal secret" */
	enum pin_state pin;
	char pin_evidence[INVENTORY_EVIDENCE_MAX];
};

struct inventory {
	struct inv_server *servers;
	size_t n;
	struct diag diag; /* "PATH[:LINE:COL]: reason", kept (diag.lines) */
};

/*
 * Read every client config file under root_prefix ("" = this filesystem; a
 * directory such as a test tree or a mounted host root otherwise, then homes
 * come from <prefix>/etc/passwd and symbolic links are not followed). Homes:
 * every passwd entry plus /root. Project directories: those named in each
 * ~/.claude.json plus extra_project_dirs (absolute paths). *out is
 * initialised here. Returns the number of servers, or -1 (out of memory or
 * bad arguments; *out then holds what was found so far and must be freed).
 */
int inventory_scan(const char *root_prefix, const char *const *extra_project_dirs, size_t nextra,
		   struct inventory *out);
/* The same, also walking as a home every directory the globs home_globs name
 * (none: the defaults, every directory in /home, and /root), whether or not
 * a passwd entry names it. */
int inventory_scan_homes(const char *root_prefix, const char *const *extra_project_dirs,
			 size_t nextra, const char *const *home_globs, size_t nhome_globs,
			 struct inventory *out);
void inventory_free(struct inventory *inv);

/*
 * Parse one config document of `client` (names as in inv_server.client;
 * "claude-code" reads user, "projects" and project-file shapes alike; VS Code
 * and Gemini CLI files may hold comments and trailing commas) read from
 * `path`, appending its entries to *out (zeroed or earlier filled). Returns
 * the number appended; -1 when the document is unusable (a diagnostic is
 * added). Bad entries are skipped with a diagnostic.
 */
int inventory_parse_buffer(const char *client, const char *path, const char *buf, size_t len,
			   struct inventory *out);

/*
 * Is the package or image this command runs pinned to a version? npx / npm
 * exec / pnpm dlx / bunx / yarn dlx: an exact version; uvx / uv tool run /
 * pipx run: ==version or @version; docker / podman run: a digest or a tag
 * other than latest. Anything else is a local command: PIN_NA. command NULL
 * (a remote entry) is PIN_NA. evidence (never a secret) may be NULL.
 */
enum pin_state inventory_pin_state(const char *command, char *const *args, size_t nargs,
				   char *evidence, size_t elen);

/*
 * Does a running process's argv correspond to configured entry s? Either the
 * launcher itself (same launcher, same package or image, same trailing
 * arguments) or, best effort, what it resolved to: a configured `npx -y
 * @scope/server-x@1 /tmp` matches `node .../.bin/mcp-server-x /tmp` and
 * `node .../@scope/server-x/dist/index.js /tmp`; `uvx mcp-server-y --a`
 * matches `.../bin/python .../bin/mcp-server-y --a`. Remote entries never match.
 */
bool inventory_matches_cmdline(const struct inv_server *s, char *const *argv, int argc);

const char *inventory_transport_name(enum inv_transport t); /* "stdio", "http", "sse" */
const char *inventory_pin_name(enum pin_state p);	    /* "n/a", "pinned", "unpinned" */

#endif /* MCPWATCH_INVENTORY_H */
