// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The open filter's derivation from rules: the test each pattern gives, how
 * conditions combine them, and soundness — a path a rule's glob matches is
 * always admitted — over the default rules and a grid of patterns and paths.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect/open_filter.h"
#include "detect/rules_int.h"
#include "lib/diag.h"
#include "lib/glob.h"

static struct ruleset *load(const char *doc)
{
	struct ruleset *rs = ruleset_new();
	struct diag diag;

	diag_init(&diag, stderr, false);
	assert_non_null(rs);
	assert_int_equal(ruleset_load_buffer(rs, "t.json", doc, strlen(doc), &diag), 0);
	return rs;
}

/* A one-rule document: an open rule with condition cond, and a list. */
static struct ruleset *open_rule(const char *cond)
{
	char doc[4096];

	snprintf(doc, sizeof(doc),
		 "{\"version\": 1, \"lists\": {\"p\": [\"*/.ssh/id_*\", \"/etc/shadow\"],"
		 " \"none\": []},\n"
		 "\"rules\": [{\"id\": \"r\", \"event\": \"open\", \"severity\": \"low\","
		 " \"message\": \"m\", \"condition\": %s}]}",
		 cond);
	return load(doc);
}

/* "name" or "=name" (exact) for the one test of pattern, "" for none. */
static const char *test_of(const char *pattern, bool glob)
{
	static char out[MW_OPEN_KEY_LEN + 2];
	struct sensor_name_match m;
	char buf[MW_OPEN_KEY_LEN + 1];

	if (open_filter_pattern(pattern, glob, &m, buf, sizeof(buf)) != 1)
		return "";
	snprintf(out, sizeof(out), "%s%s", m.exact ? "=" : "", m.name);
	return out;
}

static void test_pattern_tests(void **state)
{
	(void)state;
	assert_string_equal(test_of("*/.aws/credentials", true), "=credentials");
	assert_string_equal(test_of("*/.ssh/id_*", true), "=.ssh");
	assert_string_equal(test_of("*/.env.*", true), ".env.");
	assert_string_equal(test_of("*/.env", true), "=.env");
	assert_string_equal(test_of("/etc/shadow", true), "=shadow");
	assert_string_equal(test_of("/proc/*/environ", true), "=environ");
	assert_string_equal(test_of("/etc/ssh/ssh_host_*_key", true), "ssh_host_");
	assert_string_equal(test_of("*/.aws/sso/cache/*", true), "=cache");
	/* Long names are cut to what the kernel keeps, as prefixes. */
	assert_string_equal(test_of("*/.config/gcloud/application_default_credentials.json", true),
			    "application_default_credentials.");
	/* Nothing names a whole component. */
	assert_string_equal(test_of("*", true), "");
	assert_string_equal(test_of("*shadow", true), "");
	assert_string_equal(test_of("*id_rsa*", true), "");
	assert_string_equal(test_of("/*", true), "");
	assert_string_equal(test_of("/", true), "");
	/* '?' and brackets are wildcards (they may match '/'); escapes are literals. */
	assert_string_equal(test_of("*/a?c/x*", true), "x");
	assert_string_equal(test_of("*/[ab]/xyz", true), "=xyz");
	assert_string_equal(test_of("*/\\*star/x", true), "=*star");
	assert_string_equal(test_of("*/[unterminated/x", true), "=[unterminated");
	/* A relative pattern's first piece is the string's first piece. */
	assert_string_equal(test_of("secret*", true), "secret");
	/* Literals (eq, in) are whole strings. */
	assert_string_equal(test_of("/home/u/*.txt", false), "=*.txt");
	assert_string_equal(test_of("token", false), "=token");
}

static void assert_admits(const struct open_filter *f, const char *path, bool want)
{
	if (open_filter_admits(f, path) != want)
		fail_msg("%s: admitted %d, want %d", path, !want, want);
}

static void test_default_rules(void **state)
{
	static const char *const match[] = {
	    "/home/u/.ssh/id_rsa",
	    "/home/u/.ssh/id_ed25519",
	    "/root/.aws/credentials",
	    "/home/u/.kube/config",
	    "/etc/shadow",
	    "/etc/ssh/ssh_host_ed25519_key",
	    "/srv/app/.env",
	    "/srv/app/.env.production",
	    "/home/u/.claude.json",
	    "/var/run/secrets/kubernetes.io/serviceaccount/token",
	    "/proc/123/environ",
	    "/proc/self/environ",
	    "/home/u/.config/gcloud/application_default_credentials.json",
	    "/home/u/.ssh/id_x/y/z", /* '*' spans '/' */
	};
	struct ruleset *rs = ruleset_new();
	struct open_filter f;
	struct diag diag;

	(void)state;
	diag_init(&diag, stderr, false);
	assert_int_equal(ruleset_load_defaults(rs, &diag), 0);
	assert_int_equal(open_filter_derive(rs, &f), 0);
	assert_true(f.on);
	assert_true(f.n > 10 && f.n < 100);
	for (size_t i = 0; i < sizeof(match) / sizeof(match[0]); i++)
		assert_admits(&f, match[i], true);
	/* What a server opens all day. */
	assert_admits(&f, "/etc/hostname", false);
	assert_admits(&f, "/usr/lib/x86_64-linux-gnu/libc.so.6", false);
	assert_admits(&f, "/home/u/project/README.md", false);
	assert_admits(&f, "/usr/lib/node_modules/npm/package.json", false);

	/* Every pattern of every list the default open rule globs, with its
	 * wildcards filled in several ways: what matches is admitted. */
	for (size_t l = 0; l < rs->nlists; l++) {
		const struct rule_list *list = rs->lists[l];
		static const char *const fills[] = {"", "x", "a/b", "/u/.ssh/id_", "7"};

		if (strcmp(list->name, "credential_paths") &&
		    strcmp(list->name, "process_environ_paths"))
			continue;
		for (size_t i = 0; i < list->items.n; i++) {
			const char *p = list->items.strs[i];

			for (size_t k = 0; k < sizeof(fills) / sizeof(fills[0]); k++) {
				char path[512];
				size_t n = 0;

				for (const char *c = p; *c && n + 16 < sizeof(path); c++) {
					if (*c == '*') {
						n += (size_t)snprintf(path + n, sizeof(path) - n,
								      "%s", fills[k]);
					} else {
						path[n++] = *c;
					}
				}
				path[n] = '\0';
				if (glob_match(p, path))
					assert_admits(&f, path, true);
			}
		}
	}
	open_filter_free(&f);
	ruleset_free(rs);
}

static void test_grid_soundness(void **state)
{
	static const char *const patterns[] = {
	    "*/.ssh/id_*", "/etc/shadow", "*/.env.*",  "*/a/b",	   "/a/*",  "a*",
	    "*/a*b/c",	   "/x/?/y",	  "*/[!a]b/c", "*/a\\*/b", "/a/b*", "*/.",
	    "*//x",	   "x/*",	  "*/a/",      "*a/b/c*",  "/[",    "*/ab[/cd",
	};
	static const char *const paths[] = {
	    "/",
	    "/a",
	    "/a/b",
	    "/a/b/c",
	    "/x/a/b",
	    "/home/.ssh/id_rsa",
	    "/home/.ssh/id_x/y",
	    "/etc/shadow",
	    "/srv/.env.prod",
	    "/q/ab/c",
	    "/q/axxb/c",
	    "/x/z/y",
	    "/x///y",
	    "/q/bb/c",
	    "/q/a*/b",
	    "x/y",
	    "a",
	    "/a/b/",
	    "/zz/a/b/cc",
	    "/[",
	    "/q/ab[/cd",
	    "/q/a/b/c/d/e",
	    "/.",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		char buf[MW_OPEN_KEY_LEN + 1];
		struct sensor_name_match m;
		struct open_filter f = {.on = true, .m = &m, .n = 1};
		int matched = 0;

		if (open_filter_pattern(patterns[i], true, &m, buf, sizeof(buf)) != 1)
			continue;
		for (size_t j = 0; j < sizeof(paths) / sizeof(paths[0]); j++) {
			if (!glob_match(patterns[i], paths[j]))
				continue;
			matched++;
			if (!open_filter_admits(&f, paths[j]))
				fail_msg("pattern %s matches %s, filter (%s%s) refuses it",
					 patterns[i], paths[j], m.exact ? "=" : "", m.name);
		}
		(void)matched;
	}
}

static void test_conditions(void **state)
{
	struct open_filter f;
	struct ruleset *rs;

	(void)state;
	/* all: one child's tests suffice; the rest (result, process) is ignored. */
	rs = open_rule("{\"all\": [{\"field\": \"file.result\", \"op\": \"ge\", \"value\": 0},"
		       " {\"field\": \"file.path\", \"op\": \"glob\", \"list\": \"p\"}]}");
	assert_int_equal(open_filter_derive(rs, &f), 0);
	assert_true(f.on);
	assert_int_equal(f.n, 2);
	assert_admits(&f, "/h/.ssh/id_rsa", true);
	assert_admits(&f, "/etc/shadow", true);
	assert_admits(&f, "/etc/passwd", false);
	open_filter_free(&f);
	ruleset_free(rs);

	/* any with a child that needs every path: off, and the rule is named. */
	rs = open_rule("{\"any\": [{\"field\": \"file.result\", \"op\": \"lt\", \"value\": 0},"
		       " {\"field\": \"file.path\", \"op\": \"glob\", \"list\": \"p\"}]}");
	assert_int_equal(open_filter_derive(rs, &f), 0);
	assert_false(f.on);
	assert_non_null(f.why);
	assert_string_equal(f.why->id, "r");
	assert_admits(&f, "/etc/passwd", true);
	open_filter_free(&f);
	ruleset_free(rs);

	/* not never narrows. */
	rs = open_rule("{\"not\": {\"field\": \"file.path\", \"op\": \"eq\", \"value\": \"/x\"}}");
	assert_int_equal(open_filter_derive(rs, &f), 0);
	assert_false(f.on);
	open_filter_free(&f);
	ruleset_free(rs);

	/* Case-folded contains cannot be tested by the kernel. */
	rs = open_rule("{\"field\": \"file.path\", \"op\": \"icontains\", \"value\": \"/x/\"}");
	assert_int_equal(open_filter_derive(rs, &f), 0);
	assert_false(f.on);
	open_filter_free(&f);
	ruleset_free(rs);

	/* file.name: the last component. */
	rs =
	    open_rule("{\"field\": \"file.name\", \"op\": \"in\", \"values\": [\"a.pem\", \"b\"]}");
	assert_int_equal(open_filter_derive(rs, &f), 0);
	assert_true(f.on);
	assert_int_equal(f.n, 2);
	assert_true(f.m[0].exact);
	assert_admits(&f, "/x/a.pem", true);
	assert_admits(&f, "/x/a.pem.bak", false);
	open_filter_free(&f);
	ruleset_free(rs);

	rs = open_rule("{\"field\": \"file.name\", \"op\": \"glob\", \"value\": \"*.pem\"}");
	assert_int_equal(open_filter_derive(rs, &f), 0);
	assert_false(f.on);
	open_filter_free(&f);
	ruleset_free(rs);

	/* prefix, suffix, contains of file.path. */
	rs = open_rule(
	    "{\"any\": [{\"field\": \"file.path\", \"op\": \"prefix\", \"value\": "
	    "\"/srv/secrets/\"}, {\"field\": \"file.path\", \"op\": \"suffix\", \"value\": "
	    "\"/vault.key\"}, {\"field\": \"file.path\", \"op\": \"contains\", \"value\": "
	    "\"/.gnupg/\"}]}");
	assert_int_equal(open_filter_derive(rs, &f), 0);
	assert_true(f.on);
	assert_admits(&f, "/srv/secrets/a", true);
	assert_admits(&f, "/h/vault.key", true);
	assert_admits(&f, "/h/.gnupg/x", true);
	assert_admits(&f, "/srv/public/a", false);
	open_filter_free(&f);
	ruleset_free(rs);

	/* file.canonical_path: file.path's tests (a learnt secret's other
	 * paths are sent by inode, whatever the filter). */
	rs = open_rule("{\"field\": \"file.canonical_path\", \"op\": \"glob\", \"list\": \"p\"}");
	assert_int_equal(open_filter_derive(rs, &f), 0);
	assert_true(f.on);
	assert_int_equal(f.n, 2);
	assert_admits(&f, "/h/.ssh/id_rsa", true);
	assert_admits(&f, "/etc/passwd", false);
	open_filter_free(&f);
	ruleset_free(rs);

	/* An empty list never matches: no test, nothing admitted. */
	rs = open_rule("{\"field\": \"file.path\", \"op\": \"glob\", \"list\": \"none\"}");
	assert_int_equal(open_filter_derive(rs, &f), 0);
	assert_true(f.on);
	assert_int_equal(f.n, 0);
	assert_admits(&f, "/etc/shadow", false);
	open_filter_free(&f);
	ruleset_free(rs);
}

static void test_disabled_and_other_events(void **state)
{
	struct open_filter f;
	struct ruleset *rs;

	(void)state;
	/* A disabled open rule and an exec rule need nothing: no open is sent. */
	rs = load(
	    "{\"version\": 1, \"rules\": ["
	    "{\"id\": \"a\", \"event\": \"open\", \"severity\": \"low\", \"message\": \"m\","
	    " \"enabled\": false, \"condition\": {\"field\": \"file.result\", \"op\": \"lt\","
	    " \"value\": 0}},"
	    "{\"id\": \"b\", \"event\": \"exec\", \"severity\": \"low\", \"message\": \"m\","
	    " \"condition\": {\"field\": \"process.name\", \"op\": \"eq\", \"value\": \"sh\"}}]}");
	assert_int_equal(open_filter_derive(rs, &f), 0);
	assert_true(f.on);
	assert_int_equal(f.n, 0);
	open_filter_free(&f);
	ruleset_free(rs);
}

static void test_name_key(void **state)
{
	struct sensor_name_match m = {".aws", true};
	struct mw_name_key k;

	(void)state;
	assert_int_equal(sensor_name_key(&m, &k), 0);
	assert_int_equal(k.prefixlen, 5 * 8);
	assert_memory_equal(k.data, ".aws\0", 5);
	m = (struct sensor_name_match){"id_", false};
	assert_int_equal(sensor_name_key(&m, &k), 0);
	assert_int_equal(k.prefixlen, 3 * 8);
	/* Too long for an exact key: a prefix of what fits. */
	m = (struct sensor_name_match){"0123456789012345678901234567890123456789", true};
	assert_int_equal(sensor_name_key(&m, &k), 0);
	assert_int_equal(k.prefixlen, MW_OPEN_KEY_LEN * 8);
	m = (struct sensor_name_match){"", false};
	assert_int_equal(sensor_name_key(&m, &k), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pattern_tests),
	    cmocka_unit_test(test_default_rules),
	    cmocka_unit_test(test_grid_soundness),
	    cmocka_unit_test(test_conditions),
	    cmocka_unit_test(test_disabled_and_other_events),
	    cmocka_unit_test(test_name_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
