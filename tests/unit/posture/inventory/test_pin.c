// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Unit tests for user/posture/inventory/pin.c (with identify/launchers.c):
 * the pin analysis of launch specs, one case per line.
 */
#include "posture/inventory/invtest.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pin_npm_family),
	    cmocka_unit_test(test_pin_python_launchers),
	    cmocka_unit_test(test_pin_containers),
	    cmocka_unit_test(test_pin_local_and_remote),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
