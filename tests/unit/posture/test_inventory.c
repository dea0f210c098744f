// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Unit tests for user/posture/inventory/: pin analysis one case per line, a scan of
 * a fake host built from tests/fixtures/clients/ (every field of every
 * entry), literal-secret detection, bad files, and argv matching.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "posture/inventory.h"

#define FIXTURES "tests/fixtures/clients/"

/* The literal secrets planted in the fixtures: none may come out. */
static const char *const planted_secrets[] = {
    "ghp_FAKEfake0000FAKEfake0000FAKEfake0000",
    "Sup3rS3cretPw",
    "sk-live-FAKE0123456789abcdefFAKE",
    "BSAfakeFAKEfake0123456789",
    "xoxb-FAKE1234567890-fakefakefake",
    "FAKE1234567890-fakefakefake",
    "FAKEfake0123456789",
    NULL,
};

/* ---------------------------------------------------------------- helpers */

/* Split a command line on blanks into a static argv. */
struct words {
	char buf[1024];
	char *v[64];
	int n;
};

static void split(struct words *w, const char *line)
{
	char *save = NULL, *tok;

	snprintf(w->buf, sizeof(w->buf), "%s", line);
	w->n = 0;
	for (tok = strtok_r(w->buf, " ", &save); tok && w->n < 63; tok = strtok_r(NULL, " ", &save))
		w->v[w->n++] = tok;
	w->v[w->n] = NULL;
}

static void expect_pin(const char *line, enum pin_state want, const char *want_evidence)
{
	char ev[INVENTORY_EVIDENCE_MAX];
	struct words w;
	enum pin_state got;

	split(&w, line);
	got = inventory_pin_state(w.v[0], w.v + 1, (size_t)w.n - 1, ev, sizeof(ev));
	if (got != want)
		fail_msg("pin(\"%s\") = %s (%s), want %s", line, inventory_pin_name(got), ev,
			 inventory_pin_name(want));
	if (want_evidence && strcmp(ev, want_evidence) != 0)
		fail_msg("pin(\"%s\") evidence\n  got  \"%s\"\n  want \"%s\"", line, ev,
			 want_evidence);
}

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

/* Everything the inventory says, checked for planted secrets. */
static void assert_no_secret_in(const char *s)
{
	const char *const *p;

	for (p = planted_secrets; s && *p; p++) {
		if (strstr(s, *p))
			fail_msg("secret \"%s\" leaked in \"%s\"", *p, s);
	}
}

static void assert_no_secrets(const struct inventory *inv)
{
	size_t i, j;

	for (i = 0; i < inv->n; i++) {
		const struct inv_server *s = &inv->servers[i];

		assert_no_secret_in(s->name);
		assert_no_secret_in(s->command);
		assert_no_secret_in(s->url);
		assert_no_secret_in(s->secret_evidence);
		assert_no_secret_in(s->pin_evidence);
		for (j = 0; j < s->nargs; j++)
			assert_no_secret_in(s->args[j]);
		for (j = 0; j < s->nenv; j++)
			assert_no_secret_in(s->env_keys[j]);
	}
	for (i = 0; i < inv->ndiag; i++)
		assert_no_secret_in(inv->diagnostics[i]);
}

static void print_diagnostics(const struct inventory *inv)
{
	size_t i;

	for (i = 0; i < inv->ndiag; i++)
		print_message("diagnostic: %s\n", inv->diagnostics[i]);
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

#define REMOTE "remote server; pin not applicable"
#define LOCAL  "local command; pin not applicable"

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

/* ---------------------------------------------------------------- tests */

static void test_pin_npm_family(void **state)
{
	expect_pin("npx -y @modelcontextprotocol/server-filesystem@2025.8.21 /tmp", PIN_PINNED,
		   "npx package @modelcontextprotocol/server-filesystem@2025.8.21 pinned to an "
		   "exact version");
	expect_pin("npx -y @modelcontextprotocol/server-filesystem /tmp", PIN_UNPINNED,
		   "npx package @modelcontextprotocol/server-filesystem has no version: the "
		   "latest release runs at each start");
	expect_pin("npx -y @playwright/mcp@latest", PIN_UNPINNED,
		   "npx package @playwright/mcp@latest names a tag, not an exact version");
	expect_pin("npx mcp-remote@^0.1.0 https://x", PIN_UNPINNED,
		   "npx package mcp-remote@^0.1.0 names a range, not an exact version");
	expect_pin("npx mcp-remote@~0.1.0", PIN_UNPINNED, NULL);
	expect_pin("npx mcp-remote@>=0.1.0", PIN_UNPINNED, NULL);
	expect_pin("npx mcp-remote@0.1", PIN_UNPINNED, NULL);
	expect_pin("npx mcp-remote@next", PIN_UNPINNED, NULL);
	expect_pin("npx mcp-remote@0.1.16", PIN_PINNED, NULL);
	expect_pin("npx mcp-remote@v0.1.16", PIN_PINNED, NULL);
	expect_pin("npx mcp-remote@1.0.0-beta.2+build.7", PIN_PINNED, NULL);
	expect_pin("npx mcp-remote@1.0.0-", PIN_UNPINNED, NULL);
	expect_pin("/usr/bin/npx --yes tavily-mcp@0.1.4", PIN_PINNED, NULL);
	expect_pin("npx.cmd -y @upstash/context7-mcp@1.0.14", PIN_PINNED, NULL);
	expect_pin("npx -p @scope/pkg@1.2.3 pkg-bin --flag", PIN_PINNED,
		   "npx package @scope/pkg@1.2.3 pinned to an exact version");
	expect_pin("npx --package=@scope/pkg pkg-bin", PIN_UNPINNED, NULL);
	expect_pin("npx --registry https://r.example @scope/pkg@1.2.3", PIN_PINNED, NULL);
	expect_pin("npx -y", PIN_NA, "npx without a package or image; pin not applicable");
	expect_pin("npx ./local-server", PIN_NA,
		   "npx runs local package ./local-server; pin not applicable");
	expect_pin("npx github:acme/mcp-server", PIN_UNPINNED,
		   "npx package github:acme/mcp-server is a git or URL reference without a "
		   "commit");
	expect_pin("npx github:acme/mcp-server#0123456789abcdef0123456789abcdef01234567",
		   PIN_PINNED,
		   "npx package "
		   "github:acme/mcp-server#0123456789abcdef0123456789abcdef01234567 "
		   "pinned to a commit");
	expect_pin("npx acme/mcp-server#main", PIN_UNPINNED, NULL);
	expect_pin("npm exec --yes -- @scope/pkg@1.2.3 /tmp", PIN_PINNED,
		   "npm exec package @scope/pkg@1.2.3 pinned to an exact version");
	expect_pin("npm exec @scope/pkg", PIN_UNPINNED, NULL);
	expect_pin("npm x -y pkg@2.0.0", PIN_PINNED, NULL);
	expect_pin("npm install pkg", PIN_NA, LOCAL);
	expect_pin("node /usr/lib/node_modules/npm/bin/npx-cli.js -y pkg@1.0.0", PIN_PINNED,
		   "npx package pkg@1.0.0 pinned to an exact version");
	expect_pin("pnpm dlx @scope/pkg@1.2.3", PIN_PINNED,
		   "pnpm dlx package @scope/pkg@1.2.3 pinned to an exact version");
	expect_pin("pnpm dlx @scope/pkg", PIN_UNPINNED, NULL);
	expect_pin("pnpx @scope/pkg@1.2.3", PIN_PINNED, NULL);
	expect_pin("bunx @scope/pkg@1.2.3", PIN_PINNED,
		   "bunx package @scope/pkg@1.2.3 pinned to an exact version");
	expect_pin("bun x pkg@latest", PIN_UNPINNED, NULL);
	expect_pin("yarn dlx -p pkg@1.2.3 pkg", PIN_PINNED,
		   "yarn dlx package pkg@1.2.3 pinned to an exact version");
	expect_pin("yarn dlx pkg", PIN_UNPINNED, NULL);
	expect_pin("env NODE_ENV=production npx -y pkg@1.2.3", PIN_PINNED, NULL);
	expect_pin("cmd /c npx -y pkg", PIN_UNPINNED, NULL);
}

static void test_pin_python_launchers(void **state)
{
	expect_pin("uvx mcp-server-fetch==2025.4.7", PIN_PINNED,
		   "uvx package mcp-server-fetch==2025.4.7 pinned to an exact version");
	expect_pin("uvx mcp-server-fetch", PIN_UNPINNED,
		   "uvx package mcp-server-fetch has no version: the latest release runs at "
		   "each start");
	expect_pin("uvx mcp-server-fetch@2025.4.7", PIN_PINNED, NULL);
	expect_pin("uvx mcp-server-fetch@latest", PIN_UNPINNED,
		   "uvx package mcp-server-fetch@latest names a tag, not an exact version");
	expect_pin("uvx mcp-server-fetch>=1.0", PIN_UNPINNED,
		   "uvx package mcp-server-fetch>=1.0 names a range, not an exact version");
	expect_pin("uvx mcp-server-fetch~=1.0", PIN_UNPINNED, NULL);
	expect_pin("uvx mcp-server-fetch==1.*", PIN_UNPINNED, NULL);
	expect_pin("uvx mcp-server-git[cli]==0.6.2 --repository /r", PIN_PINNED, NULL);
	expect_pin("uvx --from mcp-server-sqlite==0.6.2 mcp-server-sqlite --db-path /d", PIN_PINNED,
		   "uvx package mcp-server-sqlite==0.6.2 pinned to an exact version");
	expect_pin("uvx --from=mcp-server-sqlite mcp-server-sqlite", PIN_UNPINNED, NULL);
	expect_pin("uvx --python 3.12 --with httpx mcp-server-x==1.0.0", PIN_PINNED, NULL);
	expect_pin("uvx --from git+https://github.com/acme/mcp mcp-acme", PIN_UNPINNED,
		   "uvx package git+https://github.com/acme/mcp is a git or URL reference without "
		   "a commit");
	expect_pin(
	    "uvx --from git+https://github.com/acme/mcp@0123456789abcdef0123456789abcdef01234567"
	    " mcp-acme",
	    PIN_PINNED, NULL);
	expect_pin("uvx --from /home/alice/src/mcp mcp-acme", PIN_NA, NULL);
	expect_pin("uv tool run mcp-server-x==1.2.3", PIN_PINNED,
		   "uv tool run package mcp-server-x==1.2.3 pinned to an exact version");
	expect_pin("uv tool uvx mcp-server-x", PIN_UNPINNED, NULL);
	expect_pin("uv run --directory /srv/mcp server.py", PIN_NA, LOCAL);
	expect_pin("pipx run mcp-server-x==1.2.3", PIN_PINNED,
		   "pipx run package mcp-server-x==1.2.3 pinned to an exact version");
	expect_pin("pipx run --spec mcp-server-x==1.2.3 mcp-x", PIN_PINNED, NULL);
	expect_pin("pipx run mcp-server-x", PIN_UNPINNED, NULL);
}

static void test_pin_containers(void **state)
{
	expect_pin("docker run -i --rm -e GITHUB_TOKEN ghcr.io/github/github-mcp-server",
		   PIN_UNPINNED,
		   "docker run image ghcr.io/github/github-mcp-server has no tag: latest runs");
	expect_pin("docker run -i --rm mcp/fetch:latest", PIN_UNPINNED,
		   "docker run image mcp/fetch:latest uses tag latest");
	expect_pin("docker run -i --rm mcp/fetch:1.2", PIN_PINNED,
		   "docker run image mcp/fetch:1.2 pinned to a tag");
	expect_pin("docker run -i mcp/fetch@sha256:"
		   "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		   PIN_PINNED, NULL);
	expect_pin("docker run -i mcp/fetch@sha256:0123", PIN_UNPINNED,
		   "docker run image mcp/fetch@sha256:0123 has a malformed digest");
	expect_pin("docker run -i -e A=1 -v /a:/b --name n --network host -p 8080:80 "
		   "--mount type=bind,src=/x,dst=/y -w /work -u 1000 img:2 --arg",
		   PIN_PINNED, "docker run image img:2 pinned to a tag");
	expect_pin("docker run -it -eFOO=bar --rm=true --env=X=1 img", PIN_UNPINNED, NULL);
	expect_pin("docker run --rm -i localhost:5000/team/img", PIN_UNPINNED, NULL);
	expect_pin("docker run --rm -i localhost:5000/team/img:3.1", PIN_PINNED, NULL);
	expect_pin("docker container run -i img:1", PIN_PINNED, NULL);
	expect_pin("podman run -i --rm quay.io/acme/mcp:v1", PIN_PINNED,
		   "podman run image quay.io/acme/mcp:v1 pinned to a tag");
	expect_pin("docker run -i --rm", PIN_NA,
		   "docker run without a package or image; pin not applicable");
	expect_pin("docker exec -i box mcp-server", PIN_NA, LOCAL);
}

static void test_pin_local_and_remote(void **state)
{
	char ev[INVENTORY_EVIDENCE_MAX];

	expect_pin("node /home/bob/mcp/notes/build/index.js", PIN_NA, LOCAL);
	expect_pin("/usr/local/bin/mcp-server-x --stdio", PIN_NA, LOCAL);
	expect_pin("python -m mcp_server_time", PIN_NA, LOCAL);
	expect_pin("python3 server.py", PIN_NA, LOCAL);
	assert_int_equal(inventory_pin_state(NULL, NULL, 0, ev, sizeof(ev)), PIN_NA);
	assert_string_equal(ev, REMOTE);
	assert_int_equal(inventory_pin_state("npx", NULL, 3, NULL, 0), PIN_NA);
	/* a password in a package URL never reaches the evidence */
	expect_pin("npx git+https://bob:Sup3rS3cretPw@git.example.com/x.git", PIN_UNPINNED,
		   "npx package git+https://bob:***@git.example.com/x.git is a git or URL "
		   "reference without a commit");
}

static void test_scan_fixture_host(void **state)
{
	const char *extra[] = {"/srv/agent"};
	size_t nwant = sizeof(fixture_entries) / sizeof(fixture_entries[0]), i;
	char *root = build_fixture_host();
	struct inventory inv;

	assert_int_equal(inventory_scan(root, extra, 1, &inv), (int)nwant);
	print_diagnostics(&inv);
	assert_int_equal(inv.ndiag, 0);
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
	assert_int_equal(inv.ndiag, 2);
	assert_string_equal(inv.diagnostics[0],
			    "project directory \"relative/dir\": not an absolute path without ..");
	assert_string_equal(inv.diagnostics[1],
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
	assert_int_equal(inv.ndiag, 5);
	assert_string_equal(inv.diagnostics[0],
			    "/home/alice/.config/Claude/claude_desktop_config.json:1:1: "
			    "unexpected byte 0x7f, expected a value");
	assert_string_equal(inv.diagnostics[1],
			    "/home/alice/.claude.json: symbolic link not followed under a root "
			    "prefix");
	assert_string_equal(inv.diagnostics[2], "/home/alice/.cursor/mcp.json: not a regular file");
	assert_string_equal(
	    inv.diagnostics[3],
	    "/home/alice/.codeium/windsurf/mcp_config.json: too large (limit 1 MiB)");
	assert_string_equal(inv.diagnostics[4], "/home/alice/.gemini/settings.json:1:65: nesting "
						"deeper than 64 levels");
	inventory_free(&inv);

	/* no passwd under the prefix: only /root is looked at, and that is said */
	snprintf(path, sizeof(path), "%s/etc/passwd", root);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(inventory_scan(root, NULL, 0, &inv), 0);
	assert_int_equal(inv.ndiag, 1);
	assert_non_null(strstr(inv.diagnostics[0], "/etc/passwd: No such file or directory"));
	inventory_free(&inv);
	remove_tree(root);
	free(root);
}

static int parse(struct inventory *inv, const char *client, const char *doc)
{
	return inventory_parse_buffer(client, "/c.json", doc, strlen(doc), inv);
}

/* Parse doc as client: want_n entries and exactly the one diagnostic want_diag (or none). */
static void expect_parse(const char *client, const char *doc, int want_rc, size_t want_n,
			 const char *want_diag)
{
	struct inventory inv = {0};
	int rc = parse(&inv, client, doc);
	char first[512] = "";
	bool ok;

	if (inv.ndiag)
		snprintf(first, sizeof(first), "%s", inv.diagnostics[0]);
	ok = rc == want_rc && inv.n == want_n && inv.ndiag == (want_diag ? 1u : 0u) &&
	     (!want_diag || strcmp(first, want_diag) == 0);
	if (!ok)
		print_diagnostics(&inv);
	inventory_free(&inv); /* before failing: cmocka's longjmp would leak it */
	if (!ok)
		fail_msg("parse(%s, %s): rc %d diag \"%s\"; want rc %d n %zu diag \"%s\"", client,
			 doc, rc, first, want_rc, want_n, want_diag ? want_diag : "");
}

static void test_parse_wrong_shapes(void **state)
{
	expect_parse("cursor", "", -1, 0, "/c.json:1:1: unexpected end of input, expected a value");
	expect_parse("cursor", "[]", -1, 0,
		     "/c.json: expected a JSON object at the top, got array");
	expect_parse("cursor", "{}", 0, 0, NULL);
	expect_parse("cursor", "{\"mcpServers\": []}", 0, 0,
		     "/c.json:1:16: mcpServers: expected an object, got array");
	expect_parse("cursor", "{\"mcpServers\": {\"a\": \"npx\"}}", 0, 0,
		     "/c.json:1:22: mcpServers.a: expected an object, got string");
	expect_parse("cursor", "{\"mcpServers\": {\"a\": {}}}", 0, 0,
		     "/c.json:1:22: mcpServers.a: no \"command\" and no URL; entry skipped");
	expect_parse("cursor", "{\"mcpServers\": {\"a\": {\"command\": 7}}}", 0, 0,
		     "/c.json:1:34: mcpServers.a: \"command\": expected a string, got number");
	expect_parse("cursor", "{\"mcpServers\": {\"a\": {\"command\": \"x\", \"args\": \"-y\"}}}",
		     0, 0, "/c.json:1:47: mcpServers.a: \"args\": expected an array, got string");
	expect_parse("cursor",
		     "{\"mcpServers\": {\"a\": {\"command\": \"x\", \"args\": [\"-y\", 1]}}}", 0, 0,
		     "/c.json:1:54: mcpServers.a: \"args\" item 1: expected a string, got number");
	expect_parse("cursor",
		     "{\"mcpServers\": {\"a\": {\"command\": \"x\", \"env\": {\"K\": null}}}}", 0,
		     0, "/c.json:1:52: mcpServers.a: \"env\" item 0: expected a string, got null");
	expect_parse("cursor", "{\"mcpServers\": {\"a\": {\"command\": \"a\\u0000b\"}}}", 0, 0,
		     "/c.json:1:34: mcpServers.a: \"command\": expected a string, got a string "
		     "holding NUL");
	expect_parse("cursor", "{\"mcpServers\": {\"a\": {\"type\": \"ws\", \"url\": \"x\"}}}", 0,
		     0, "/c.json:1:31: mcpServers.a: unknown \"type\" \"ws\"");
	expect_parse("claude-code", "{\"mcpServers\": {\"a\": {\"type\": \"stdio\"}}}", 0, 0,
		     "/c.json:1:22: mcpServers.a: \"type\" \"stdio\" without \"command\"; entry "
		     "skipped");
	expect_parse("claude-code",
		     "{\"mcpServers\": {\"a\": {\"type\": \"sse\", \"command\": \"x\"}}}", 0, 0,
		     "/c.json:1:22: mcpServers.a: \"type\" \"sse\" without a URL; entry skipped");
	/* a wrong "disabled" is said but the server is still listed */
	expect_parse("windsurf",
		     "{\"mcpServers\": {\"a\": {\"command\": \"x\", \"disabled\": \"yes\"}}}", 1, 1,
		     "/c.json:1:51: mcpServers.a: \"disabled\": expected a boolean, got "
		     "string; ignored");
	/* bad entries do not hide good ones */
	expect_parse("cursor", "{\"mcpServers\": {\"bad\": 1, \"good\": {\"command\": \"x\"}}}", 1,
		     1, "/c.json:1:24: mcpServers.bad: expected an object, got number");
	expect_parse("claude-code", "{\"projects\": []}", 0, 0,
		     "/c.json:1:14: projects: expected an object, got array");
	expect_parse("claude-code", "{\"projects\": {\"/p\": 1, \"/q\": {\"mcpServers\": 2}}}", 0,
		     0,
		     "/c.json:1:45: projects[\"/q\"].mcpServers: expected an object, got number");
	expect_parse("emacs", "{}", -1, 0, "/c.json: unknown MCP client \"emacs\"");
	expect_parse("vscode", "{\"mcpServers\": {\"a\": {\"command\": \"x\"}}}", 0, 0, NULL);
	expect_parse("cursor", "{\"mcpServers\": {\"a\": {\"command\": \"x\"},}}", -1, 0,
		     "/c.json:1:39: trailing comma before '}'");
}

static void test_parse_transports(void **state)
{
	struct inventory inv = {0};

	assert_int_equal(
	    parse(&inv, "cursor",
		  "{\"mcpServers\": {\"a\": {\"url\": \"https://h/sse\"},"
		  "\"b\": {\"url\": \"https://h/mcp\"},"
		  "\"c\": {\"url\": \"https://h/sse?x=1\"},"
		  "\"d\": {\"type\": \"streamable-http\", \"url\": \"https://h/sse\"},"
		  "\"e\": {\"command\": \"x\", \"url\": \"https://h/mcp\"},"
		  "\"f\": {\"type\": \"http\", \"command\": \"x\", \"url\": \"https://h/\"}}}"),
	    6);
	assert_int_equal(
	    parse(&inv, "gemini-cli",
		  "{\"mcpServers\": {\"g\": {\"url\": \"https://h/events\"},"
		  "\"h\": {\"httpUrl\": \"https://h/mcp\", \"url\": \"https://h/sse\"}}}"),
	    2);
	assert_int_equal(inv.n, 8);
	assert_int_equal(inv.servers[0].transport, INV_SSE);
	assert_int_equal(inv.servers[1].transport, INV_HTTP);
	assert_int_equal(inv.servers[2].transport, INV_SSE);
	assert_int_equal(inv.servers[3].transport, INV_HTTP);
	assert_int_equal(inv.servers[4].transport, INV_STDIO);
	assert_string_equal(inv.servers[4].url, "https://h/mcp");
	assert_int_equal(inv.servers[5].transport, INV_HTTP);
	assert_null(inv.servers[5].command); /* the type says remote */
	assert_int_equal(inv.servers[6].transport, INV_SSE);
	assert_int_equal(inv.servers[7].transport, INV_HTTP);
	assert_string_equal(inv.servers[7].url, "https://h/mcp");
	assert_null(inv.servers[7].user);
	assert_string_equal(inv.servers[7].declared_in, "/c.json");
	assert_string_equal(inventory_transport_name(INV_SSE), "sse");
	assert_string_equal(inventory_pin_name(PIN_UNPINNED), "unpinned");
	inventory_free(&inv);
}

/* Comments and trailing commas are blanked outside strings only. */
static void test_parse_jsonc(void **state)
{
	static const char doc[] =
	    "{\n"
	    "  // a comment with \"quotes\" and }\n"
	    "  \"servers\": { /* block\n comment */\n"
	    "    \"a\": {\"url\": \"https://h//x/*y*/\", \"type\": \"http\",},\n"
	    "    \"b\": {\"command\": \"x\", \"args\": [\"//\", \"a,\", \"\\\"/*\",],},\n"
	    "  },\n"
	    "}\n";
	struct inventory inv = {0};

	assert_int_equal(parse(&inv, "vscode", doc), 2);
	assert_string_equal(inv.servers[0].url, "https://h//x/*y*/");
	assert_int_equal(inv.servers[1].nargs, 3);
	assert_string_equal(inv.servers[1].args[0], "//");
	assert_string_equal(inv.servers[1].args[1], "a,");
	assert_string_equal(inv.servers[1].args[2], "\"/*");
	/* positions survive the blanking */
	assert_int_equal(parse(&inv, "vscode", "{\n// c\n\"servers\": {\"c\": 1}}"), 0);
	assert_string_equal(inv.diagnostics[0], "/c.json:3:18: servers.c: expected an object, got "
						"number");
	/* an unterminated comment eats the rest and the document fails */
	assert_int_equal(parse(&inv, "gemini-cli", "{\"mcpServers\": {} /* open"), -1);
	inventory_free(&inv);
}

/* What counts as a literal secret, and what is only a reference to one. */
static void test_inline_secrets(void **state)
{
	static const char doc[] =
	    "{\"mcpServers\": {"
	    "\"ref\": {\"command\": \"x\", \"args\": [\"--token\", \"${input:tok}\", "
	    "\"--api-key=$KEY\"],"
	    "  \"env\": {\"GITHUB_TOKEN\": \"${env:GITHUB_TOKEN}\", \"API_KEY\": \"$API_KEY\","
	    "  \"GOOGLE_APPLICATION_CREDENTIALS\": \"/home/a/creds.json\", \"PASSWORD\": \"\","
	    "  \"DEBUG\": \"ghp-not-a-token\"},"
	    "  \"headers\": {\"Authorization\": \"Bearer ${input:tok}\", \"X-Api-Key\": "
	    "\"${KEY}\"}},"
	    "\"lit\": {\"command\": \"x\", \"args\": [\"--token\", \"Sup3rS3cretPw\", \"keep\","
	    "  \"--password=${P}Sup3rS3cretPw\"],"
	    "  \"env\": {\"DB_PASSWORD\": \"Sup3rS3cretPw\", \"X\": "
	    "\"ghp_FAKEfake0000FAKEfake0000FAKEfake0000\"}},"
	    "\"hdr\": {\"url\": \"https://h/mcp\", \"headers\": {\"X-Api-Key\": "
	    "\"Sup3rS3cretPw\"}},"
	    "\"url\": {\"url\": \"https://u:Sup3rS3cretPw@h/mcp\"},"
	    "\"urlref\": {\"url\": \"https://h/mcp?key=${env:KEY}\"}"
	    "}}";
	struct inventory inv = {0};

	assert_int_equal(parse(&inv, "cursor", doc), 5);
	print_diagnostics(&inv);
	assert_false(inv.servers[0].inline_secret);
	assert_string_equal(inv.servers[0].secret_evidence, "");
	/* references are kept as written */
	assert_string_equal(inv.servers[0].args[1], "${input:tok}");
	assert_string_equal(inv.servers[0].args[2], "--api-key=$KEY");
	assert_true(inv.servers[1].inline_secret);
	assert_string_equal(inv.servers[1].secret_evidence,
			    "args[1] holds a literal secret (and 3 more)");
	assert_string_equal(inv.servers[1].args[0], "--token");
	assert_string_equal(inv.servers[1].args[1], "***");
	assert_string_equal(inv.servers[1].args[2], "keep");
	assert_string_equal(inv.servers[1].args[3], "--password=***");
	assert_string_equal(inv.servers[2].secret_evidence,
			    "headers.X-Api-Key holds a literal secret");
	assert_string_equal(inv.servers[3].secret_evidence, "url holds a literal secret");
	assert_string_equal(inv.servers[3].url, "https://u:***@h/mcp");
	assert_false(inv.servers[4].inline_secret);
	assert_string_equal(inv.servers[4].url, "https://h/mcp?key=${env:KEY}");
	assert_no_secrets(&inv);
	inventory_free(&inv);
}

static bool matches(const struct inv_server *s, const char *line)
{
	struct words w;

	split(&w, line);
	return inventory_matches_cmdline(s, w.v, w.n);
}

/* One configured entry from a command line. */
static void configure(struct inventory *inv, const char *line)
{
	char doc[2048], *p = doc;
	struct words w;
	int i;

	split(&w, line);
	p += sprintf(p, "{\"mcpServers\": {\"s\": {\"command\": \"%s\", \"args\": [", w.v[0]);
	for (i = 1; i < w.n; i++)
		p += sprintf(p, "%s\"%s\"", i > 1 ? ", " : "", w.v[i]);
	sprintf(p, "]}}}");
	inventory_free(inv);
	assert_int_equal(parse(inv, "claude-desktop", doc), 1);
}

static void test_matches_cmdline(void **state)
{
	struct inventory inv = {0};
	struct inv_server remote = {.url = "https://h/mcp"};

	configure(&inv, "npx -y @modelcontextprotocol/server-filesystem@2025.8.21 /tmp");
	assert_true(matches(&inv.servers[0],
			    "npx -y @modelcontextprotocol/server-filesystem@2025.8.21 /tmp"));
	assert_true(
	    matches(&inv.servers[0], "npm exec -y @modelcontextprotocol/server-filesystem /tmp"));
	assert_true(
	    matches(&inv.servers[0],
		    "node /root/.npm/_npx/0a1b/node_modules/.bin/mcp-server-filesystem /tmp"));
	assert_true(matches(&inv.servers[0],
			    "node /root/.npm/_npx/0a1b/node_modules/"
			    "@modelcontextprotocol/server-filesystem/dist/index.js /tmp"));
	assert_true(matches(&inv.servers[0], "/usr/bin/node --max-old-space-size=512 "
					     "/x/node_modules/.bin/mcp-server-filesystem /tmp"));
	assert_false(
	    matches(&inv.servers[0], "node /x/node_modules/.bin/mcp-server-filesystem /home"));
	assert_false(matches(&inv.servers[0], "node /x/node_modules/.bin/mcp-server-filesystem"));
	assert_false(matches(&inv.servers[0], "node /x/node_modules/.bin/mcp-server-memory /tmp"));
	assert_false(matches(&inv.servers[0], "npx -y @modelcontextprotocol/server-memory /tmp"));
	assert_false(matches(&inv.servers[0], "cat /x/server-filesystem /tmp"));

	configure(&inv, "npx -y @playwright/mcp@latest --headless");
	assert_true(
	    matches(&inv.servers[0], "node /x/node_modules/@playwright/mcp/cli.js --headless"));
	assert_false(
	    matches(&inv.servers[0], "node /x/node_modules/@playwright/mcpx/cli.js --headless"));

	configure(&inv, "uvx mcp-server-time --local-timezone=Europe/Paris");
	assert_true(matches(
	    &inv.servers[0],
	    "/root/.cache/uv/archive-v0/Ab1/bin/python "
	    "/root/.cache/uv/archive-v0/Ab1/bin/mcp-server-time --local-timezone=Europe/Paris"));
	assert_true(
	    matches(&inv.servers[0], "uv tool uvx mcp-server-time --local-timezone=Europe/Paris"));
	assert_true(
	    matches(&inv.servers[0], "python3 -m mcp_server_time --local-timezone=Europe/Paris"));
	assert_false(matches(&inv.servers[0], "/x/bin/mcp-server-time"));

	configure(&inv, "uvx --from mcp-server-sqlite==0.6.2 mcp-sqlite --db-path /d.db");
	assert_true(matches(&inv.servers[0], "/x/bin/python /x/bin/mcp-sqlite --db-path /d.db"));
	assert_true(
	    matches(&inv.servers[0], "uvx --from mcp-server-sqlite mcp-sqlite --db-path /d.db"));

	configure(&inv, "docker run -i --rm -e TOKEN ghcr.io/github/github-mcp-server:v1 stdio");
	assert_true(
	    matches(&inv.servers[0],
		    "docker run -i --rm -e TOKEN ghcr.io/github/github-mcp-server:v1 stdio"));
	assert_true(matches(&inv.servers[0],
			    "/usr/bin/docker run --rm -i ghcr.io/github/github-mcp-server stdio"));
	assert_false(matches(&inv.servers[0], "docker run -i --rm ghcr.io/github/other:v1 stdio"));
	assert_false(matches(&inv.servers[0], "/server stdio"));

	configure(&inv, "node build/index.js --port 3000");
	assert_true(matches(&inv.servers[0], "node build/index.js --port 3000"));
	assert_true(
	    matches(&inv.servers[0], "/usr/bin/node /home/bob/notes/build/index.js --port 3000"));
	assert_false(matches(&inv.servers[0], "node other.js --port 3000"));
	assert_false(matches(&inv.servers[0], "bash build/index.js --port 3000"));

	configure(&inv, "/usr/local/bin/mcp-server-x --stdio");
	assert_true(matches(&inv.servers[0], "/usr/local/bin/mcp-server-x --stdio"));
	assert_true(
	    matches(&inv.servers[0], "/usr/bin/python3 /usr/local/bin/mcp-server-x --stdio"));
	assert_false(matches(&inv.servers[0], "vim /usr/local/bin/mcp-server-x --stdio"));

	configure(&inv, "python -m my_mcp_server --port 8080");
	assert_true(matches(&inv.servers[0], "/usr/bin/python3.11 -m my_mcp_server --port 8080"));
	assert_false(matches(&inv.servers[0], "/usr/bin/python3.11 -m other --port 8080"));

	/* a secret argument is stored masked; the running one still matches */
	configure(&inv, "/usr/local/bin/db-mcp --password Sup3rS3cretPw");
	assert_string_equal(inv.servers[0].args[1], "***");
	assert_true(matches(&inv.servers[0], "/usr/local/bin/db-mcp --password Sup3rS3cretPw"));

	assert_false(inventory_matches_cmdline(&remote, (char *[]){"x", NULL}, 1));
	assert_false(inventory_matches_cmdline(&inv.servers[0], NULL, 0));
	assert_false(matches(&inv.servers[0], ""));
	inventory_free(&inv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pin_npm_family),    cmocka_unit_test(test_pin_python_launchers),
	    cmocka_unit_test(test_pin_containers),    cmocka_unit_test(test_pin_local_and_remote),
	    cmocka_unit_test(test_scan_fixture_host), cmocka_unit_test(test_scan_dedup_and_root),
	    cmocka_unit_test(test_scan_bad_files),    cmocka_unit_test(test_parse_wrong_shapes),
	    cmocka_unit_test(test_parse_transports),  cmocka_unit_test(test_parse_jsonc),
	    cmocka_unit_test(test_inline_secrets),    cmocka_unit_test(test_matches_cmdline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
