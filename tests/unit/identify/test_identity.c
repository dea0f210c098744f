/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Unit tests for identity: selectors, launchers, trees, protocol identification. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "identify/identity.h"

#define ARGV(...) ((char *[]){__VA_ARGS__}), (int)(sizeof((char *[]){__VA_ARGS__}) / sizeof(char *))

static struct identity *id;

static int setup(void **state)
{
	(void)state;
	id = identity_new();
	return id ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	identity_free(id);
	return 0;
}

static void assert_server(const char *exe, char **argv, int argc, const char *want)
{
	char name[256] = "";

	assert_true(identity_match_server(id, exe, argv, argc, name, sizeof(name)));
	assert_string_equal(name, want);
}

static void assert_not_server(const char *exe, char **argv, int argc)
{
	char name[256] = "";

	assert_false(identity_match_server(id, exe, argv, argc, name, sizeof(name)));
}

static void test_official_servers_by_path(void **state)
{
	(void)state;
	assert_server(
	    "/usr/bin/node",
	    ARGV("node", "/app/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js",
		 "/tmp"),
	    "@modelcontextprotocol/server-filesystem");
	assert_server(
	    "/usr/bin/node",
	    ARGV("node", "/root/.npm/_npx/ab12/node_modules/.bin/mcp-server-everything", "stdio"),
	    "mcp-server-everything");
	assert_server("/usr/local/bin/github-mcp-server", ARGV("github-mcp-server", "stdio"),
		      "github-mcp-server");
	assert_server("/usr/bin/python3.11",
		      ARGV("python3", "-m", "mcp_server_git", "--repository", "."),
		      "mcp_server_git");
	assert_server("/usr/bin/python3", ARGV("python", "-u", "-m", "mcp.server.fastmcp"),
		      "mcp.server.fastmcp");
	assert_server("/home/u/.local/bin/fastmcp", ARGV("fastmcp", "run", "server.py"), "fastmcp");
}

static void test_launchers_name_the_package(void **state)
{
	(void)state;
	/* npx is node running npx-cli.js: a launcher whose argument names the server. */
	assert_true(
	    identity_is_launcher(id, "/usr/bin/node",
				 ARGV("node", "/usr/lib/node_modules/npm/bin/npx-cli.js", "-y",
				      "@modelcontextprotocol/server-everything@2025.9.25")));
	assert_server("/usr/bin/node",
		      ARGV("npx", "-y", "@modelcontextprotocol/server-everything@2025.9.25"),
		      "@modelcontextprotocol/server-everything");
	assert_true(identity_is_launcher(id, "/usr/bin/dash", ARGV("sh", "-c", "mcp-server-x")));
	assert_true(identity_is_launcher(id, "/usr/bin/env", ARGV("/usr/bin/env", "node", "x.js")));
	assert_true(identity_is_launcher(id, "/usr/bin/docker",
					 ARGV("docker", "run", "-i", "--rm", "mcp/github")));
	assert_false(identity_is_launcher(id, "/usr/bin/node", ARGV("node", "server.js")));
	assert_server("/root/.local/bin/uvx", ARGV("uvx", "mcp-server-fetch"), "mcp-server-fetch");
	/* npm rewrites its title: /proc shows one string. */
	assert_true(identity_is_launcher(
	    id, "/usr/bin/node",
	    ARGV("npm exec @modelcontextprotocol/server-filesystem@2026.8.31 /tmp")));
	assert_server("/usr/bin/node",
		      ARGV("npm exec @modelcontextprotocol/server-filesystem@2026.8.31 /tmp"),
		      "@modelcontextprotocol/server-filesystem");
	/* As /proc shows it: the title, then the padding of the old argv area. */
	assert_true(identity_is_launcher(
	    id, "/usr/bin/node",
	    ARGV("npm exec @modelcontextprotocol/server-x@1.0.0 /tmp", "", "", "")));
	assert_false(argv_is_title(ARGV("node", "a b")));
	assert_false(argv_is_title(ARGV("a b", "c")));
}

static void test_not_servers(void **state)
{
	(void)state;
	/* A native program is named by argv[0] only: grep's argument names nothing. */
	assert_not_server("/usr/bin/grep", ARGV("grep", "mcp-server-everything", "/tmp/log"));
	assert_not_server("/usr/bin/node", ARGV("node", "tests/e2e/run.mjs", "mcp-server-x"));
	assert_not_server("/usr/bin/node", ARGV("node", "server.js"));
	assert_not_server("/usr/bin/python3", ARGV("python3", "-m", "http.server"));
	assert_not_server("/usr/bin/bash", ARGV("bash"));
	assert_not_server("", ARGV(""));
}

static void test_user_selector_and_ignore(void **state)
{
	(void)state;
	assert_int_equal(identity_add_selector(id, "acme", "*acme-tools*serve*"), 0);
	assert_server("/usr/bin/node", ARGV("node", "/opt/acme-tools/bin/cli.js", "serve"), "acme");
	assert_int_equal(identity_add_ignore(id, "*mcp-server-dev*"), 0);
	assert_not_server("/usr/bin/node", ARGV("node", "/x/node_modules/.bin/mcp-server-dev"));
	assert_int_equal(identity_add_launcher(id, "with-secrets"), 0);
	assert_true(
	    identity_is_launcher(id, "/usr/local/bin/with-secrets", ARGV("with-secrets", "x")));
}

static struct proc *exec_proc(struct proc_table *t, uint32_t tgid, uint32_t ppid, const char *exe,
			      char **argv, int argc)
{
	struct proc *p = proc_table_get(t, tgid);

	p->ppid = ppid;
	assert_int_equal(proc_set_image(p, exe, (const char *const *)argv, argc), 0);
	return p;
}

static int joined;

static void count_join(struct proc *p, void *arg)
{
	(void)p;
	(void)arg;
	joined++;
}

/* npx → sh -c → env → node: only the node process is the server. */
static void test_launch_chain_through_npx(void **state)
{
	struct proc_table *t = proc_table_new();
	struct proc *npx, *sh, *env, *node;

	(void)state;
	joined = 0;
	npx = exec_proc(t, 100, 1, "/usr/bin/node",
			ARGV("node", "/usr/bin/npx", "-y",
			     "@modelcontextprotocol/server-filesystem@2025.8.21", "/tmp"));
	assert_false(identity_on_exec(id, t, npx, count_join, NULL));
	assert_int_equal(npx->role, ROLE_LAUNCHER);
	assert_string_equal(npx->server_name, "@modelcontextprotocol/server-filesystem");

	proc_table_fork(t, 101, 100);
	sh =
	    exec_proc(t, 101, 100, "/usr/bin/dash", ARGV("sh", "-c", "mcp-server-filesystem /tmp"));
	assert_false(identity_on_exec(id, t, sh, count_join, NULL));
	assert_int_equal(sh->role, ROLE_LAUNCHER);

	proc_table_fork(t, 102, 101);
	env = exec_proc(t, 102, 101, "/usr/bin/env",
			ARGV("/usr/bin/env", "node",
			     "/root/.npm/_npx/1/node_modules/.bin/mcp-server-filesystem", "/tmp"));
	assert_false(identity_on_exec(id, t, env, count_join, NULL));
	assert_int_equal(env->role, ROLE_LAUNCHER);

	node = exec_proc(
	    t, 102, 101, "/usr/bin/node",
	    ARGV("node", "/root/.npm/_npx/1/node_modules/.bin/mcp-server-filesystem", "/tmp"));
	assert_true(identity_on_exec(id, t, node, count_join, NULL));
	assert_int_equal(node->role, ROLE_SERVER);
	assert_int_equal(node->server_tgid, 102);
	assert_string_equal(node->server_name, "mcp-server-filesystem");
	assert_int_equal(npx->server_tgid, 0);
	assert_int_equal(sh->server_tgid, 0);
	assert_int_equal(joined, 1);

	/* A child of the server is in the tree, and an exec there changes nothing. */
	struct proc *child = proc_table_fork(t, 103, 102);

	assert_int_equal(child->server_tgid, 102);
	assert_int_equal(child->role, ROLE_MEMBER);
	exec_proc(t, 103, 102, "/usr/bin/dash", ARGV("/bin/sh", "-c", "id"));
	assert_false(identity_on_exec(id, t, child, count_join, NULL));
	assert_int_equal(child->role, ROLE_MEMBER);
	assert_int_equal(child->server_tgid, 102);
	proc_table_free(t);
}

/* A launcher child that runs an unnamed program is still the server. */
static void test_pending_name_from_launcher(void **state)
{
	struct proc_table *t = proc_table_new();
	struct proc *uvx, *py;

	(void)state;
	uvx = exec_proc(t, 200, 1, "/usr/bin/uvx", ARGV("uvx", "mcp-server-time"));
	assert_false(identity_on_exec(id, t, uvx, NULL, NULL));
	proc_table_fork(t, 201, 200);
	py = exec_proc(t, 201, 200, "/usr/bin/python3.12", ARGV("python3", "/cache/x/main.py"));
	assert_true(identity_on_exec(id, t, py, NULL, NULL));
	assert_string_equal(py->server_name, "mcp-server-time");
	proc_table_free(t);
}

/* A shell that is not on the way to a server stops being a launcher. */
static void test_plain_shell_is_nothing(void **state)
{
	struct proc_table *t = proc_table_new();
	struct proc *sh;

	(void)state;
	sh = exec_proc(t, 300, 1, "/usr/bin/bash", ARGV("bash", "-c", "make test"));
	assert_false(identity_on_exec(id, t, sh, NULL, NULL));
	assert_int_equal(sh->role, ROLE_NONE);
	proc_table_fork(t, 301, 300);
	assert_false(identity_on_exec(id, t, exec_proc(t, 301, 300, "/usr/bin/make", ARGV("make")),
				      NULL, NULL));
	assert_int_equal(proc_table_lookup(t, 301)->role, ROLE_NONE);
	proc_table_free(t);
}

/* serverInfo on stdout makes any process a server and pulls in its descendants. */
static void test_protocol_identification(void **state)
{
	struct proc_table *t = proc_table_new();
	struct proc *srv, *kid, *other;

	(void)state;
	joined = 0;
	srv = exec_proc(t, 400, 1, "/usr/bin/node", ARGV("node", "tools/toolbox.mjs"));
	assert_false(identity_on_exec(id, t, srv, count_join, NULL));
	kid = proc_table_fork(t, 401, 400);
	other = exec_proc(t, 500, 1, "/usr/bin/node", ARGV("node", "other.js"));
	assert_true(identity_on_server_info(t, srv, "toolbox-fixture", "1.0.0", count_join, NULL));
	assert_int_equal(srv->role, ROLE_SERVER);
	assert_true(srv->name_from_protocol);
	assert_string_equal(srv->server_name, "toolbox-fixture");
	assert_string_equal(srv->server_version, "1.0.0");
	assert_string_equal(srv->transport, "stdio");
	assert_int_equal(kid->server_tgid, 400);
	assert_int_equal(kid->role, ROLE_MEMBER);
	assert_int_equal(other->server_tgid, 0);
	assert_int_equal(joined, 2);
	/* The same answer again changes nothing. */
	assert_false(identity_on_server_info(t, srv, "toolbox-fixture", "1.0.0", count_join, NULL));
	/* A member that answers for itself stays in its tree. */
	assert_false(identity_on_server_info(t, kid, "nested", "", count_join, NULL));
	assert_int_equal(kid->server_tgid, 400);
	proc_table_free(t);
}

/* A daemon forked (double fork) before the handshake and reparented: adopted
 * by fork-time lineage; a process older than the server with its pid in its
 * lineage (pid reuse) is not. */
static void test_protocol_adopts_reparented_daemon(void **state)
{
	struct proc_table *t = proc_table_new();
	struct proc *srv, *daemon, *old;

	(void)state;
	old = proc_table_fork(t, 601, 600); /* an old 600 that exited */
	old->start_ns = 10;
	old->ppid = 1; /* reparented when the old 600 exited */
	proc_table_remove(t, 600);
	srv = exec_proc(t, 600, 1, "/usr/bin/python3", ARGV("python3", "srv.py"));
	srv->start_ns = 100;
	proc_table_fork(t, 602, 600)->start_ns = 110;
	daemon = proc_table_fork(t, 603, 602);
	daemon->start_ns = 120;
	proc_table_remove(t, 602);
	daemon->ppid = 1; /* what the scan or an exec would say after reparenting */
	assert_true(identity_on_server_info(t, srv, "s", "1", NULL, NULL));
	assert_int_equal(daemon->server_tgid, 600);
	assert_int_equal(daemon->role, ROLE_MEMBER);
	assert_int_equal(old->server_tgid, 0);
	proc_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_official_servers_by_path, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_protocol_adopts_reparented_daemon, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_launchers_name_the_package, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_not_servers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_user_selector_and_ignore, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_launch_chain_through_npx, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pending_name_from_launcher, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_plain_shell_is_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_protocol_identification, setup, teardown),
	};

	return cmocka_run_group_tests_name("identity", tests, NULL, NULL);
}
