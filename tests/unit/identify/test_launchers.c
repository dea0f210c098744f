// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Unit tests for user/identify/launchers.c: the named lists (programs that
 * start another, launcher scripts, interpreters, shells) and the launcher
 * spec syntax read by launch_parse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "identify/launchers.h"

#define WORDS(...)                                                                                 \
	((const char *const[]){__VA_ARGS__}),                                                      \
	    sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)

static void test_starts_program(void **state)
{
	(void)state;
	assert_true(launcher_starts_program("npx"));
	assert_true(launcher_starts_program("uvx"));
	assert_true(launcher_starts_program("docker"));
	assert_true(launcher_starts_program("env"));
	assert_true(launcher_starts_program("sudo"));
	assert_true(launcher_starts_program("bash")); /* shells start programs too */
	assert_false(launcher_starts_program("node"));
	assert_false(launcher_starts_program("python3"));
	assert_false(launcher_starts_program("mcp-server-git"));
	assert_false(launcher_starts_program("npx.cmd")); /* a running program is named exactly */
}

static void test_scripts_interpreters_shells(void **state)
{
	(void)state;
	assert_string_equal(launcher_is_script("npx-cli.js"), "npx");
	assert_string_equal(launcher_is_script("npm-cli.js"), "npm");
	assert_string_equal(launcher_is_script("pnpm.cjs"), "pnpm");
	assert_string_equal(launcher_is_script("yarn.js"), "yarn");
	assert_null(launcher_is_script("index.js"));
	assert_true(launcher_is_interpreter("node"));
	assert_true(launcher_is_interpreter("node22"));
	assert_true(launcher_is_interpreter("python3.12"));
	assert_true(launcher_is_interpreter("ts-node"));
	assert_false(launcher_is_interpreter("npx"));
	assert_false(launcher_is_interpreter("bash"));
	assert_true(launcher_is_shell("bash"));
	assert_true(launcher_is_shell("sh"));
	assert_false(launcher_is_shell("node"));
	assert_true(launcher_name_is("npx.cmd", "npx"));
	assert_true(launcher_name_is("npx.EXE", "npx"));
	assert_false(launcher_name_is("npx-cli.js", "npx"));
	assert_false(launcher_name_is("uvx", "uv"));
}

static void expect_launch(const char *const *w, size_t n, enum launch_kind kind,
			  const char *launcher, const char *spec, const char *bin, size_t cmd,
			  size_t rest)
{
	struct launch l;

	launch_parse(w, n, &l);
	assert_int_equal(l.kind, kind);
	if (launcher)
		assert_string_equal(l.launcher, launcher);
	else
		assert_null(l.launcher);
	if (spec)
		assert_string_equal(l.spec, spec);
	else
		assert_null(l.spec);
	if (bin)
		assert_string_equal(l.bin, bin);
	else
		assert_null(l.bin);
	assert_int_equal(l.cmd, cmd);
	assert_int_equal(l.rest, rest);
}

static void test_npm_syntax(void **state)
{
	(void)state;
	expect_launch(WORDS("npx", "-y", "@scope/server-x@1.2.3", "/tmp"), LAUNCH_NPM, "npx",
		      "@scope/server-x@1.2.3", NULL, 0, 3);
	expect_launch(WORDS("npx", "--registry", "https://r", "-p", "pkg@1", "bin", "a"),
		      LAUNCH_NPM, "npx", "pkg@1", "bin", 0, 6);
	expect_launch(WORDS("npm", "exec", "--", "pkg", "a"), LAUNCH_NPM, "npm exec", "pkg", NULL,
		      0, 4);
	expect_launch(WORDS("npm", "x", "pkg"), LAUNCH_NPM, "npm exec", "pkg", NULL, 0, 3);
	expect_launch(WORDS("pnpm", "dlx", "pkg"), LAUNCH_NPM, "pnpm dlx", "pkg", NULL, 0, 3);
	expect_launch(WORDS("pnpx", "pkg"), LAUNCH_NPM, "pnpm dlx", "pkg", NULL, 0, 2);
	expect_launch(WORDS("bun", "x", "pkg"), LAUNCH_NPM, "bunx", "pkg", NULL, 0, 3);
	expect_launch(WORDS("yarn", "dlx", "pkg"), LAUNCH_NPM, "yarn dlx", "pkg", NULL, 0, 3);
	/* npm >= 7 runs npx as a node script */
	expect_launch(WORDS("node", "/usr/lib/node_modules/npm/bin/npx-cli.js", "-y", "pkg"),
		      LAUNCH_NPM, "npx", "pkg", NULL, 0, 4);
	/* npm without exec runs no package */
	expect_launch(WORDS("npm", "start"), LAUNCH_LOCAL, NULL, NULL, NULL, 0, 1);
}

static void test_python_and_image_syntax(void **state)
{
	(void)state;
	expect_launch(WORDS("uvx", "--from", "mcp-server-y==1.0", "mcp-server-y", "--a"),
		      LAUNCH_PYPI, "uvx", "mcp-server-y==1.0", "mcp-server-y", 0, 4);
	expect_launch(WORDS("uv", "tool", "run", "pkg"), LAUNCH_PYPI, "uv tool run", "pkg", NULL, 0,
		      4);
	expect_launch(WORDS("pipx", "run", "pkg"), LAUNCH_PYPI, "pipx run", "pkg", NULL, 0, 3);
	expect_launch(WORDS("docker", "run", "-i", "--rm", "-e", "A=1", "img:1", "serve"),
		      LAUNCH_IMAGE, "docker run", "img:1", NULL, 0, 7);
	expect_launch(WORDS("podman", "container", "run", "--name", "x", "img"), LAUNCH_IMAGE,
		      "podman run", "img", NULL, 0, 6);
	expect_launch(WORDS("docker", "ps"), LAUNCH_LOCAL, NULL, NULL, NULL, 0, 1);
}

static void test_wrappers(void **state)
{
	(void)state;
	expect_launch(WORDS("env", "-u", "X", "A=1", "npx", "pkg"), LAUNCH_NPM, "npx", "pkg", NULL,
		      4, 6);
	expect_launch(WORDS("cmd", "/c", "npx.cmd", "-y", "pkg"), LAUNCH_NPM, "npx", "pkg", NULL, 2,
		      5);
	expect_launch(WORDS("/usr/bin/env", "A=1"), LAUNCH_EMPTY, NULL, NULL, NULL, 2, 3);
	expect_launch(WORDS("node", "server.js"), LAUNCH_LOCAL, NULL, NULL, NULL, 0, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_starts_program),
	    cmocka_unit_test(test_scripts_interpreters_shells),
	    cmocka_unit_test(test_npm_syntax),
	    cmocka_unit_test(test_python_and_image_syntax),
	    cmocka_unit_test(test_wrappers),
	};

	return cmocka_run_group_tests_name("launchers", tests, NULL, NULL);
}
