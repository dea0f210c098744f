// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Unit tests for user/posture/inventory/clients.c: a scan of a fake host
 * built from tests/fixtures/clients/ (every field of every entry), homes,
 * project directories and bad files.
 */
#include "posture/inventory/invtest.h"

static void write_file(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

static void mkdirs(const char *root, const char *rel)
{
	char path[4096], *p;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
		*p = '/';
	}
	assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
}

/* Copy fixture `name` to root + dest (parents created). */
static void place(const char *root, const char *name, const char *dest)
{
	char from[512], to[4096], dir[4096], *text, *slash;
	FILE *f;
	long n;

	snprintf(from, sizeof(from), FIXTURES "%s", name);
	f = fopen(from, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	text = malloc((size_t)n + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	snprintf(dir, sizeof(dir), "%s", dest + 1);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		mkdirs(root, dir);
	}
	snprintf(to, sizeof(to), "%s%s", root, dest);
	write_file(to, text, (size_t)n);
	free(text);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void remove_tree(const char *root)
{
	nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static char *make_root(void)
{
	char *root = strdup("/tmp/mcpwatch-inventory-XXXXXX");

	assert_non_null(root);
	assert_non_null(mkdtemp(root));
	return root;
}

/* "a|b|c" */
static void join(char *const *v, size_t n, char *out, size_t outlen)
{
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < n && used < outlen; i++)
		used += (size_t)snprintf(out + used, outlen - used, "%s%s", i ? "|" : "", v[i]);
}

struct want {
	const char *name, *client, *declared_in, *user, *project;
	enum inv_transport transport;
	const char *command, *args, *url, *env;
	bool disabled;
	const char *secret; /* evidence, NULL = no inline secret */
	enum pin_state pin;
	const char *pin_evidence;
};

static void assert_str_or_null(const char *got, const char *want, const char *what,
			       const char *name)
{
	if (!want && !got)
		return;
	if (!want || !got || strcmp(got, want) != 0)
		fail_msg("%s.%s: got \"%s\", want \"%s\"", name, what, got ? got : "(null)",
			 want ? want : "(null)");
}

static void assert_entry(const struct inv_server *s, const struct want *w)
{
	char joined[2048];

	assert_str_or_null(s->name, w->name, "name", w->name);
	assert_str_or_null(s->client, w->client, "client", w->name);
	assert_str_or_null(s->declared_in, w->declared_in, "declared_in", w->name);
	assert_str_or_null(s->user, w->user, "user", w->name);
	assert_str_or_null(s->project, w->project, "project", w->name);
	if (s->transport != w->transport)
		fail_msg("%s.transport: got %s", w->name, inventory_transport_name(s->transport));
	assert_str_or_null(s->command, w->command, "command", w->name);
	join(s->args, s->nargs, joined, sizeof(joined));
	assert_str_or_null(joined, w->args ? w->args : "", "args", w->name);
	assert_str_or_null(s->url, w->url, "url", w->name);
	join(s->env_keys, s->nenv, joined, sizeof(joined));
	assert_str_or_null(joined, w->env ? w->env : "", "env_keys", w->name);
	assert_int_equal(s->disabled, w->disabled);
	assert_int_equal(s->inline_secret, w->secret != NULL);
	assert_str_or_null(s->secret_evidence, w->secret ? w->secret : "", "secret_evidence",
			   w->name);
	if (s->pin != w->pin)
		fail_msg("%s.pin: got %s (%s)", w->name, inventory_pin_name(s->pin),
			 s->pin_evidence);
	assert_str_or_null(s->pin_evidence, w->pin_evidence, "pin_evidence", w->name);
}

/* In scan order: system files, homes in passwd order, then project directories. */
static const struct want fixture_entries[] = {
    {"company-tools", "claude-code", "/etc/claude-code/managed-mcp.json", "*", NULL, INV_HTTP, NULL,
     NULL, "https://mcp.corp.example.com/mcp", NULL, false, NULL, PIN_NA, REMOTE},
    {"filesystem", "claude-desktop", "/home/alice/.config/Claude/claude_desktop_config.json",
     "alice", NULL, INV_STDIO, "npx",
     "-y|@modelcontextprotocol/server-filesystem|/home/alice/Documents|/home/alice/Desktop", NULL,
     NULL, false, NULL, PIN_UNPINNED,
     "npx package @modelcontextprotocol/server-filesystem has no version: the latest release "
     "runs at each start"},
    {"github", "claude-desktop", "/home/alice/.config/Claude/claude_desktop_config.json", "alice",
     NULL, INV_STDIO, "docker",
     "run|-i|--rm|-e|GITHUB_PERSONAL_ACCESS_TOKEN|ghcr.io/github/github-mcp-server:v0.13.0", NULL,
     "GITHUB_PERSONAL_ACCESS_TOKEN", false,
     "env GITHUB_PERSONAL_ACCESS_TOKEN holds a literal secret", PIN_PINNED,
     "docker run image ghcr.io/github/github-mcp-server:v0.13.0 pinned to a tag"},
    {"fetch", "claude-desktop", "/home/alice/.config/Claude/claude_desktop_config.json", "alice",
     NULL, INV_STDIO, "uvx", "mcp-server-fetch==2025.4.7", NULL, NULL, false, NULL, PIN_PINNED,
     "uvx package mcp-server-fetch==2025.4.7 pinned to an exact version"},
    {"sentry", "claude-code", "/home/alice/.claude.json", "alice", NULL, INV_HTTP, NULL, NULL,
     "https://mcp.sentry.dev/mcp", NULL, false, NULL, PIN_NA, REMOTE},
    {"postgres", "claude-code", "/home/alice/.claude.json", "alice", NULL, INV_STDIO,
     "/usr/local/bin/postgres-mcp",
     "--access-mode|restricted|postgresql://app:***@db.internal:5432/app", NULL, NULL, false,
     "args[2] holds a literal secret", PIN_NA, LOCAL},
    {"playwright", "claude-code", "/home/alice/.claude.json", "alice", "/home/alice/src/webapp",
     INV_STDIO, "npx", "@playwright/mcp@latest", NULL, NULL, false, NULL, PIN_UNPINNED,
     "npx package @playwright/mcp@latest names a tag, not an exact version"},
    {"github", "vscode", "/home/alice/.config/Code/User/mcp.json", "alice", NULL, INV_HTTP, NULL,
     NULL, "https://api.githubcopilot.com/mcp/", NULL, false, NULL, PIN_NA, REMOTE},
    {"memory", "vscode", "/home/alice/.config/Code/User/mcp.json", "alice", NULL, INV_STDIO, "npx",
     "-y|@modelcontextprotocol/server-memory@2025.4.25", NULL, "MEMORY_FILE_PATH", false, NULL,
     PIN_PINNED,
     "npx package @modelcontextprotocol/server-memory@2025.4.25 pinned to an exact version"},
    {"pythonTools", "gemini-cli", "/home/alice/.gemini/settings.json", "alice", NULL, INV_STDIO,
     "python", "-m|my_mcp_server|--port|8080", NULL, "DATABASE_URL|API_KEY", false, NULL, PIN_NA,
     LOCAL},
    {"remoteEvents", "gemini-cli", "/home/alice/.gemini/settings.json", "alice", NULL, INV_SSE,
     NULL, NULL, "http://localhost:8081/events", NULL, false, NULL, PIN_NA, REMOTE},
    {"httpServer", "gemini-cli", "/home/alice/.gemini/settings.json", "alice", NULL, INV_HTTP, NULL,
     NULL, "https://api.example.com/mcp?api_key=***", NULL, false, "httpUrl holds a literal secret",
     PIN_NA, REMOTE},
    {"dockerTool", "gemini-cli", "/home/alice/.gemini/settings.json", "alice", NULL, INV_STDIO,
     "podman",
     "run|-i|--rm|-e|API_KEY|-v|/home/alice/data:/data|--name|tool|docker.io/acme/"
     "mcp-tool@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
     NULL, NULL, false, NULL, PIN_PINNED,
     "podman run image docker.io/acme/"
     "mcp-tool@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef pinned "
     "by digest"},
    {"context7", "cursor", "/home/bob/.cursor/mcp.json", "bob", NULL, INV_HTTP, NULL, NULL,
     "https://mcp.context7.com/mcp", NULL, false, NULL, PIN_NA, REMOTE},
    {"brave-search", "cursor", "/home/bob/.cursor/mcp.json", "bob", NULL, INV_STDIO, "npx",
     "-y|@modelcontextprotocol/server-brave-search@0.6.2", NULL, "BRAVE_API_KEY", false,
     "env BRAVE_API_KEY holds a literal secret", PIN_PINNED,
     "npx package @modelcontextprotocol/server-brave-search@0.6.2 pinned to an exact version"},
    {"notes", "cursor", "/home/bob/.cursor/mcp.json", "bob", NULL, INV_STDIO, "node",
     "/home/bob/mcp/notes/build/index.js", NULL, NULL, false, NULL, PIN_NA, LOCAL},
    {"sqlite", "vscode", "/home/bob/.config/Code/User/settings.json", "bob", NULL, INV_STDIO, "uvx",
     "--from|mcp-server-sqlite==0.6.2|mcp-server-sqlite|--db-path|/home/bob/data.db", NULL, NULL,
     false, NULL, PIN_PINNED, "uvx package mcp-server-sqlite==0.6.2 pinned to an exact version"},
    {"stripe", "windsurf", "/home/bob/.codeium/windsurf/mcp_config.json", "bob", NULL, INV_HTTP,
     NULL, NULL, "https://mcp.stripe.com/", NULL, false, NULL, PIN_NA, REMOTE},
    {"puppeteer", "windsurf", "/home/bob/.codeium/windsurf/mcp_config.json", "bob", NULL, INV_STDIO,
     "npx", "-y|@modelcontextprotocol/server-puppeteer", NULL, NULL, true, NULL, PIN_UNPINNED,
     "npx package @modelcontextprotocol/server-puppeteer has no version: the latest release "
     "runs at each start"},
    {"slack", "windsurf", "/home/bob/.codeium/windsurf/mcp_config.json", "bob", NULL, INV_STDIO,
     "npx", "-y|@modelcontextprotocol/server-slack@2025.4.25", NULL,
     "SLACK_BOT_TOKEN|SLACK_TEAM_ID", false, "env SLACK_BOT_TOKEN holds a literal secret",
     PIN_PINNED,
     "npx package @modelcontextprotocol/server-slack@2025.4.25 pinned to an exact version"},
    /* the caller's extra project directory comes before those ~/.claude.json names */
    {"time", "vscode", "/srv/agent/.vscode/mcp.json", "bob", "/srv/agent", INV_STDIO, "uvx",
     "mcp-server-time|--local-timezone=Europe/Paris", NULL, NULL, false, NULL, PIN_UNPINNED,
     "uvx package mcp-server-time has no version: the latest release runs at each start"},
    {"linear", "claude-code", "/home/alice/src/webapp/.mcp.json", "alice", "/home/alice/src/webapp",
     INV_SSE, NULL, NULL, "https://mcp.linear.app/sse", NULL, false, NULL, PIN_NA, REMOTE},
    {"internal-api", "claude-code", "/home/alice/src/webapp/.mcp.json", "alice",
     "/home/alice/src/webapp", INV_HTTP, NULL, NULL, "https://mcp.internal.example.com/mcp", NULL,
     false, "headers.Authorization holds a literal bearer token", PIN_NA, REMOTE},
};

/* The fake host: /etc/passwd with alice and bob, every client's file in its place. */
static char *build_fixture_host(void)
{
	char *root = make_root(), path[4096];

	place(root, "passwd", "/etc/passwd");
	place(root, "managed-mcp.json", "/etc/claude-code/managed-mcp.json");
	place(root, "claude_desktop_config.json",
	      "/home/alice/.config/Claude/claude_desktop_config.json");
	place(root, "claude.json", "/home/alice/.claude.json");
	place(root, "vscode-mcp.json", "/home/alice/.config/Code/User/mcp.json");
	place(root, "gemini-settings.json", "/home/alice/.gemini/settings.json");
	place(root, "project.mcp.json", "/home/alice/src/webapp/.mcp.json");
	place(root, "cursor-mcp.json", "/home/bob/.cursor/mcp.json");
	place(root, "vscode-settings.json", "/home/bob/.config/Code/User/settings.json");
	place(root, "windsurf-mcp_config.json", "/home/bob/.codeium/windsurf/mcp_config.json");
	place(root, "vscode-project-mcp.json", "/srv/agent/.vscode/mcp.json");
	mkdirs(root, "home/alice/src/empty");
	/* project files are attributed to their owner (the tests run as root) */
	snprintf(path, sizeof(path), "%s/home/alice/src/webapp/.mcp.json", root);
	assert_int_equal(chown(path, 1000, 1000), 0);
	snprintf(path, sizeof(path), "%s/srv/agent/.vscode/mcp.json", root);
	assert_int_equal(chown(path, 1001, 1001), 0);
	return root;
}

static void test_scan_fixture_host(void **state)
{
	const char *extra[] = {"/srv/agent"};
	size_t nwant = sizeof(fixture_entries) / sizeof(fixture_entries[0]), i;
	char *root = build_fixture_host();
	struct inventory inv;

	assert_int_equal(inventory_scan(root, extra, 1, &inv), (int)nwant);
	print_diagnostics(&inv);
	assert_int_equal(inv.diag.nlines, 0);
	assert_int_equal(inv.n, nwant);
	for (i = 0; i < nwant; i++)
		assert_entry(&inv.servers[i], &fixture_entries[i]);
	assert_no_secrets(&inv);
	inventory_free(&inv);
	assert_null(inv.servers);
	assert_int_equal(inv.n, 0);

	/* without the extra directory /srv/agent is not read */
	assert_int_equal(inventory_scan(root, NULL, 0, &inv), (int)nwant - 1);
	inventory_free(&inv);
	remove_tree(root);
	free(root);
}

/* A home under /home with no passwd line (a directory user) is read all the
 * same; a symlinked "home" is not followed; explicit globs replace the defaults. */
static void test_scan_homes_without_passwd(void **state)
{
	static const char passwd[] = "bob:x:1001:1001::/home/bob:/bin/sh\n";
	const char *only_srv[] = {"/srv/homes/*"};
	char *root = make_root(), path[4096], target[4096];
	struct inventory inv;

	place(root, "cursor-mcp.json", "/home/bob/.cursor/mcp.json");
	place(root, "cursor-mcp.json", "/home/dave/.cursor/mcp.json");
	place(root, "cursor-mcp.json", "/srv/homes/erin/.cursor/mcp.json");
	mkdirs(root, "etc");
	snprintf(path, sizeof(path), "%s/etc/passwd", root);
	write_file(path, passwd, strlen(passwd));
	snprintf(target, sizeof(target), "%s/home/dave", root);
	snprintf(path, sizeof(path), "%s/home/link", root);
	assert_int_equal(symlink(target, path), 0);

	assert_int_equal(inventory_scan(root, NULL, 0, &inv), 6);
	print_diagnostics(&inv);
	/* bob's and dave's three servers each: not erin's, not dave's again through the link */
	assert_string_equal(inv.servers[3].declared_in, "/home/dave/.cursor/mcp.json");
	assert_string_equal(inv.servers[3].user, "dave");
	inventory_free(&inv);

	assert_int_equal(inventory_scan_homes(root, NULL, 0, only_srv, 1, &inv), 6);
	assert_string_equal(inv.servers[3].declared_in, "/srv/homes/erin/.cursor/mcp.json");
	assert_string_equal(inv.servers[3].user, "erin");
	inventory_free(&inv);
	remove_tree(root);
	free(root);
}

/* A project directory that is also a home is read once; /root comes without a passwd line. */
static void test_scan_dedup_and_root(void **state)
{
	static const char passwd[] = "bob:x:1001:1001::/home/bob:/bin/sh\n"
				     "broken line\n"
				     ":x:1:1::/x:\n"
				     "carol:x:1002:1002::relative:/bin/sh\n";
	const char *extra[] = {"/home/bob", "/home/bob/", "relative/dir", "/a/../etc"};
	char *root = make_root(), path[4096];
	struct inventory inv;

	place(root, "cursor-mcp.json", "/home/bob/.cursor/mcp.json");
	place(root, "managed-mcp.json", "/root/.cursor/mcp.json");
	mkdirs(root, "etc");
	snprintf(path, sizeof(path), "%s/etc/passwd", root);
	write_file(path, passwd, strlen(passwd));
	assert_int_equal(inventory_scan(root, extra, 4, &inv), 4);
	print_diagnostics(&inv);
	assert_string_equal(inv.servers[0].declared_in, "/home/bob/.cursor/mcp.json");
	assert_string_equal(inv.servers[0].user, "bob");
	assert_string_equal(inv.servers[3].declared_in, "/root/.cursor/mcp.json");
	assert_string_equal(inv.servers[3].user, "root");
	assert_string_equal(inv.servers[3].client, "cursor");
	assert_int_equal(inv.diag.nlines, 2);
	assert_string_equal(inv.diag.lines[0],
			    "project directory \"relative/dir\": not an absolute path without ..");
	assert_string_equal(inv.diag.lines[1],
			    "project directory \"/a/../etc\": not an absolute path without ..");
	inventory_free(&inv);
	remove_tree(root);
	free(root);
}

/* Unreadable, huge, garbage, linked and nested files: diagnostics, never failures. */
static void test_scan_bad_files(void **state)
{
	static const char passwd[] = "alice:x:1000:1000::/home/alice:/bin/sh\n";
	char *root = make_root(), path[4096], target[4096], *big, *deep;
	size_t i, n = 2 * INVENTORY_FILE_MAX;
	struct inventory inv;

	mkdirs(root, "etc");
	snprintf(path, sizeof(path), "%s/etc/passwd", root);
	write_file(path, passwd, strlen(passwd));
	/* a directory where a file should be */
	mkdirs(root, "home/alice/.cursor/mcp.json");
	/* too large */
	mkdirs(root, "home/alice/.codeium/windsurf");
	big = malloc(n);
	assert_non_null(big);
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	snprintf(path, sizeof(path), "%s/home/alice/.codeium/windsurf/mcp_config.json", root);
	write_file(path, big, n);
	free(big);
	/* garbage */
	mkdirs(root, "home/alice/.config/Claude");
	snprintf(path, sizeof(path), "%s/home/alice/.config/Claude/claude_desktop_config.json",
		 root);
	write_file(path, "\x7f\x45LF\x02\x01garbage", 10);
	/* nested deeper than the parser allows */
	deep = malloc(400);
	assert_non_null(deep);
	for (i = 0; i < 200; i++)
		deep[i] = '[';
	for (; i < 400; i++)
		deep[i] = ']';
	mkdirs(root, "home/alice/.gemini");
	snprintf(path, sizeof(path), "%s/home/alice/.gemini/settings.json", root);
	write_file(path, deep, 400);
	free(deep);
	/* an absolute symbolic link would leave the root prefix */
	snprintf(path, sizeof(path), "%s/home/alice/.claude.json", root);
	snprintf(target, sizeof(target), "/etc/passwd");
	assert_int_equal(symlink(target, path), 0);

	assert_int_equal(inventory_scan(root, NULL, 0, &inv), 0);
	print_diagnostics(&inv);
	assert_int_equal(inv.diag.nlines, 5);
	assert_string_equal(inv.diag.lines[0],
			    "/home/alice/.config/Claude/claude_desktop_config.json:1:1: "
			    "unexpected byte 0x7f, expected a value");
	assert_string_equal(inv.diag.lines[1],
			    "/home/alice/.claude.json: symbolic link not followed under a root "
			    "prefix");
	assert_string_equal(inv.diag.lines[2], "/home/alice/.cursor/mcp.json: not a regular file");
	assert_string_equal(
	    inv.diag.lines[3],
	    "/home/alice/.codeium/windsurf/mcp_config.json: too large (limit 1 MiB)");
	assert_string_equal(inv.diag.lines[4], "/home/alice/.gemini/settings.json:1:65: nesting "
					       "deeper than 64 levels");
	inventory_free(&inv);

	/* no passwd under the prefix: that is said, and the homes in /home are
	 * still walked (a directory user's home has no passwd line either) */
	snprintf(path, sizeof(path), "%s/etc/passwd", root);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(inventory_scan(root, NULL, 0, &inv), 0);
	assert_int_equal(inv.diag.nlines, 6);
	assert_non_null(strstr(inv.diag.lines[0], "/etc/passwd: No such file or directory"));
	assert_string_equal(inv.diag.lines[3], "/home/alice/.cursor/mcp.json: not a regular file");
	inventory_free(&inv);
	remove_tree(root);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scan_fixture_host),
	    cmocka_unit_test(test_scan_homes_without_passwd),
	    cmocka_unit_test(test_scan_dedup_and_root),
	    cmocka_unit_test(test_scan_bad_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
