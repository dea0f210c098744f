// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Unit tests for user/lib/glob.c: the one pattern dialect of rules and selectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/glob.h"

static void test_star_crosses_slash(void **state)
{
	(void)state;
	assert_true(glob_match("*/.ssh/id_*", "/home/u/.ssh/id_rsa"));
	assert_true(glob_match("*/.ssh/id_*", "/root/.ssh/id_"));
	assert_false(glob_match("*/.ssh/id_*", ".ssh/id_rsa"));
	assert_true(glob_match("/proc/*/environ", "/proc/1/task/1/environ"));
	assert_true(glob_match("/etc/ssh/ssh_host_*_key", "/etc/ssh/ssh_host_ed25519_key"));
	assert_false(glob_match("/etc/ssh/ssh_host_*_key", "/etc/ssh/ssh_host_rsa_key.pub"));
	/* No FNM_PERIOD: a leading dot is an ordinary character. */
	assert_true(glob_match("*", ".env"));
	assert_true(glob_match("*/.env", "/srv/app/.env"));
}

static void test_star_backtracking(void **state)
{
	(void)state;
	assert_true(glob_match("*", ""));
	assert_true(glob_match("**", "abc"));
	assert_true(glob_match("**a**b", "xxaxxbxxb"));
	assert_false(glob_match("*a*b", "xxbxxa"));
	assert_true(glob_match("*acme-mcp*", "node /opt/acme-mcp/index.js --stdio"));
	assert_false(glob_match("*acme-mcp*", "node /opt/acme/index.js"));
	assert_true(glob_match("/opt/billing/bin/mcp-server *", "/opt/billing/bin/mcp-server -v"));
	assert_false(glob_match("/opt/billing/bin/mcp-server *", "/opt/billing/bin/mcp-server"));
}

static void test_question_mark(void **state)
{
	(void)state;
	assert_true(glob_match("a?c", "abc"));
	assert_true(glob_match("a?c", "a/c"));
	assert_false(glob_match("a?c", "ac"));
	assert_false(glob_match("?", ""));
}

static void test_classes(void **state)
{
	(void)state;
	assert_true(glob_match("[a-c]x", "bx"));
	assert_false(glob_match("[a-c]x", "dx"));
	assert_false(glob_match("[!a-c]x", "bx"));
	assert_true(glob_match("[!a-c]x", "dx"));
	assert_true(glob_match("[^a-c]x", "dx"));
	assert_true(glob_match("[abc]", "c"));
	assert_true(glob_match("[]]", "]"));
	assert_true(glob_match("[a-]", "-"));
	assert_true(glob_match("[ab", "[ab")); /* unterminated: a literal '[' */
	assert_false(glob_match("[ab", "a"));
	assert_true(glob_match("python3.[0-9]*", "python3.12"));
}

static void test_escape(void **state)
{
	(void)state;
	assert_true(glob_match("\\*", "*"));
	assert_false(glob_match("\\*", "a"));
	assert_true(glob_match("a\\?", "a?"));
	assert_false(glob_match("a\\?", "ab"));
	assert_true(glob_match("\\[x]", "[x]"));
	assert_true(glob_match("a\\", "a\\")); /* a trailing backslash is itself */
}

static void test_bytes_and_cost(void **state)
{
	char s[4097], p[64];

	(void)state;
	assert_true(glob_match("caf\xc3\xa9", "caf\xc3\xa9"));
	assert_true(glob_match("[\x80-\xff]", "\xe9"));
	/* The classic exponential case stays linear-ish: a*a*a*...b on aaaa... */
	memset(s, 'a', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	strcpy(p, "*a*a*a*a*a*a*a*a*a*a*b");
	assert_false(glob_match(p, s));
}

/* A plan's literal run, and matching through it, agree with glob_match. */
static void test_plan(void **state)
{
	static const char *const pats[] = {
	    "*/.ssh/id_*", "*credentials*",	"/etc/shadow",	     "*[abc]def*", "*[]x]yz",
	    "a\\*b*",	   "*[!.]env",		"[unterminated*abc", "*?*",	   "",
	    "*",	   "*.aws/credentials", "x[a-c]yz*q",
	};
	static const char *const strs[] = {
	    "/home/u/.ssh/id_rsa",
	    "/x/credentials.json",
	    "/etc/shadow",
	    "bdef",
	    "]yz",
	    "xyz",
	    "a*b",
	    "a*bc",
	    "xenv",
	    ".env",
	    "[unterminatedXabc",
	    "",
	    "q",
	    "/r/.aws/credentials",
	    "xbyzq",
	    "xdyzq",
	};
	struct glob_plan pl;

	(void)state;
	glob_plan("/etc/ssh/ssh_host_*_key", &pl);
	assert_int_equal(pl.lit_off, 0);
	assert_int_equal(pl.lit_len, strlen("/etc/ssh/ssh_host_"));
	assert_false(pl.enclosed);
	glob_plan("*credentials*", &pl);
	assert_true(pl.enclosed);
	assert_int_equal(pl.lit_len, strlen("credentials"));
	/* A set's members are not a literal run: "abc]" must not be required. */
	glob_plan("*[abc]de*", &pl);
	assert_int_equal(pl.lit_off, strlen("*[abc]"));
	assert_int_equal(pl.lit_len, 2);
	for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		glob_plan(pats[i], &pl);
		for (size_t j = 0; j < sizeof(strs) / sizeof(strs[0]); j++)
			assert_int_equal(glob_match_plan(pats[i], &pl, strs[j], strlen(strs[j])),
					 glob_match(pats[i], strs[j]));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_star_crosses_slash),
	    cmocka_unit_test(test_star_backtracking),
	    cmocka_unit_test(test_question_mark),
	    cmocka_unit_test(test_classes),
	    cmocka_unit_test(test_escape),
	    cmocka_unit_test(test_bytes_and_cost),
	    cmocka_unit_test(test_plan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
