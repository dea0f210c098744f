// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Unit tests for user/posture/inventory/match.c: does a running argv
 * correspond to a configured entry.
 */
#include "posture/inventory/invtest.h"

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
	    cmocka_unit_test(test_matches_cmdline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
