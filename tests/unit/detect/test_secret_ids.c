// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Credential files by identity: the patterns taken from rules, their
 * expansion under homes and a root prefix, exceptions, and the lookup of an
 * inode opened by another path (a hard link).
 */
#include <errno.h>
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

#include "detect/rules_int.h"
#include "detect/secret_ids.h"
#include "lib/diag.h"

static char root[256];

static struct ruleset *load(const char *doc)
{
	struct ruleset *rs = ruleset_new();
	struct diag diag;

	diag_init(&diag, stderr, false);
	assert_non_null(rs);
	assert_int_equal(ruleset_load_buffer(rs, "t.json", doc, strlen(doc), &diag), 0);
	return rs;
}

static void put(const char *rel, const char *text)
{
	char path[512], dir[512], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	for (slash = strchr(dir + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(dir, 0700);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void stat_rel(const char *rel, struct stat *st)
{
	char path[512];

	snprintf(path, sizeof(path), "%s%s", root, rel);
	assert_int_equal(stat(path, st), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/mwsecrets.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	put("/home/alice/.ssh/id_rsa", "k");
	put("/home/alice/.ssh/id_rsa.pub", "p");
	put("/home/alice/.aws/credentials", "c");
	put("/home/alice/notes.txt", "n");
	put("/root/.env", "e");
	put("/etc/shadow", "s");
	put("/proc/1/environ", "x");
	put("/srv/app/.env", "e");
	put("/var/tmp/innocent", "");
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static const char doc[] =
    "{\"version\": 1, \"lists\": {\"p\": [\"*/.ssh/id_*\", \"*/.aws/credentials\", \"*/.env\","
    " \"/etc/shadow\", \"/proc/*/environ\", \"*secret*\"], \"x\": [\"*/.ssh/id_*.pub\"]},\n"
    "\"rules\": [{\"id\": \"r\", \"event\": \"open\", \"severity\": \"low\", \"message\": \"m\","
    " \"condition\": {\"all\": [{\"field\": \"file.canonical_path\", \"op\": \"glob\","
    " \"list\": \"p\"}, {\"not\": {\"field\": \"file.path\", \"op\": \"glob\", \"list\":"
    " \"x\"}}, {\"field\": \"file.path\", \"op\": \"in\", \"values\": [\"/etc/k[1]\"]}]}},"
    " {\"id\": \"off\", \"event\": \"open\", \"severity\": \"low\", \"message\": \"m\","
    " \"enabled\": false, \"condition\": {\"field\": \"file.path\", \"op\": \"eq\", \"value\":"
    " \"/etc/disabled\"}},"
    " {\"id\": \"e\", \"event\": \"exec\", \"severity\": \"low\", \"message\": \"m\","
    " \"condition\": {\"field\": \"process.exe\", \"op\": \"eq\", \"value\": \"/etc/exe\"}}]}";

static void test_patterns(void **state)
{
	struct ruleset *rs = load(doc);
	struct secret_patterns p;

	(void)state;
	assert_int_equal(secret_patterns_derive(rs, &p), 0);
	/* The six globs and the literal (escaped); not the disabled rule's nor exec's. */
	assert_int_equal(p.npos, 7);
	assert_string_equal(p.pos[0], "*/.ssh/id_*");
	assert_string_equal(p.pos[6], "/etc/k\\[1]");
	assert_int_equal(p.nneg, 1);
	assert_string_equal(p.neg[0], "*/.ssh/id_*.pub");
	secret_patterns_free(&p);
	ruleset_free(rs);
}

static void learn(struct secret_ids *ids)
{
	struct ruleset *rs = load(doc);
	struct secret_patterns p;
	const char *const homes[] = {"/home/*", "/root"};

	assert_int_equal(secret_patterns_derive(rs, &p), 0);
	assert_int_equal(secret_ids_learn(ids, &p, homes, 2, root), 0);
	secret_patterns_free(&p);
	ruleset_free(rs);
}

static void test_learn(void **state)
{
	struct secret_ids ids = {0};
	struct stat st;

	(void)state;
	learn(&ids);
	/* id_rsa, credentials, /root/.env, /etc/shadow: not the public key
	 * (an exception), nor /proc (pseudo), nor /srv/app/.env (no home),
	 * nor "*secret*" (no home-relative form). */
	assert_int_equal(ids.n, 4);
	assert_int_equal(ids.inodes, 4);
	assert_int_equal(ids.dropped, 0);
	stat_rel("/home/alice/.ssh/id_rsa", &st);
	assert_string_equal(secret_ids_lookup(&ids, st.st_dev, st.st_ino, "/x"),
			    "/home/alice/.ssh/id_rsa");
	stat_rel("/etc/shadow", &st);
	assert_string_equal(secret_ids_lookup(&ids, st.st_dev, st.st_ino, NULL), "/etc/shadow");
	stat_rel("/root/.env", &st);
	assert_non_null(secret_ids_lookup(&ids, st.st_dev, st.st_ino, NULL));
	stat_rel("/home/alice/.ssh/id_rsa.pub", &st);
	assert_null(secret_ids_lookup(&ids, st.st_dev, st.st_ino, NULL));
	stat_rel("/srv/app/.env", &st);
	assert_null(secret_ids_lookup(&ids, st.st_dev, st.st_ino, NULL));
	assert_null(secret_ids_lookup(&ids, st.st_dev + 1, st.st_ino, NULL));
	secret_ids_free(&ids);
	assert_null(secret_ids_lookup(&ids, st.st_dev, st.st_ino, NULL));
	assert_null(secret_ids_lookup(NULL, st.st_dev, st.st_ino, NULL));
}

/* A hard link made under a home is learnt too: its own path is kept. */
static void test_links_and_refresh(void **state)
{
	char a[512], b[512];
	struct secret_ids ids = {0};
	struct stat st;

	(void)state;
	snprintf(a, sizeof(a), "%s/home/alice/.ssh/id_rsa", root);
	snprintf(b, sizeof(b), "%s/home/alice/.ssh/id_backup", root);
	assert_int_equal(link(a, b), 0);
	learn(&ids);
	stat_rel("/home/alice/.ssh/id_rsa", &st);
	assert_int_equal(ids.n, 5);
	assert_int_equal(ids.inodes, 4);
	/* Opened by one of its learnt paths: that path. */
	assert_string_equal(
	    secret_ids_lookup(&ids, st.st_dev, st.st_ino, "/home/alice/.ssh/id_backup"),
	    "/home/alice/.ssh/id_backup");
	assert_string_equal(
	    secret_ids_lookup(&ids, st.st_dev, st.st_ino, "/home/alice/.ssh/id_rsa"),
	    "/home/alice/.ssh/id_rsa");
	/* By another: the first learnt. */
	assert_string_equal(secret_ids_lookup(&ids, st.st_dev, st.st_ino, "/var/tmp/x"),
			    "/home/alice/.ssh/id_backup");
	unlink(b);

	/* Replaced by a new file renamed over it (a new inode, made while the
	 * old one lived): the old one is forgotten at the next learn. */
	put("/home/alice/.ssh/id_rsa.tmp", "new");
	snprintf(b, sizeof(b), "%s/home/alice/.ssh/id_rsa.tmp", root);
	assert_int_equal(rename(b, a), 0);
	learn(&ids);
	assert_null(secret_ids_lookup(&ids, st.st_dev, st.st_ino, NULL));
	stat_rel("/home/alice/.ssh/id_rsa", &st);
	assert_non_null(secret_ids_lookup(&ids, st.st_dev, st.st_ino, NULL));
	assert_int_equal(ids.n, 4);
	secret_ids_free(&ids);
}

static void test_no_patterns(void **state)
{
	struct secret_ids ids = {0};
	struct secret_patterns p = {0};

	(void)state;
	assert_int_equal(secret_ids_learn(&ids, &p, NULL, 0, root), 0);
	assert_int_equal(ids.n, 0);
	assert_int_equal(secret_ids_learn(&ids, NULL, NULL, 0, NULL), 0);
	assert_int_equal(secret_patterns_derive(NULL, &p), 0);
	assert_int_equal(p.npos + p.nneg, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_patterns),
	    cmocka_unit_test(test_learn),
	    cmocka_unit_test(test_links_and_refresh),
	    cmocka_unit_test(test_no_patterns),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
