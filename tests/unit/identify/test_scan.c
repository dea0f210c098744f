/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Unit tests for the /proc scan: a fake /proc tree with a launcher chain and a server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "identify/scan.h"

#include "fakeproc.h"

#define FAKE(pid, ppid, start, exe, cmd)                                                           \
	fake_process(".", pid, ppid, start, 1000, exe, cmd, sizeof(cmd))

static int make_root(void **state)
{
	(void)state;
	fake_root_make("scan");
	/* Listed out of order on purpose: the scan sorts by start time. */
	FAKE(13, 12, 400, "/usr/bin/cat", "cat\0/tmp/x");
	FAKE(12, 11, 300, "/usr/bin/node",
	     "node\0/root/.npm/_npx/1/node_modules/.bin/mcp-server-filesystem\0/tmp");
	FAKE(10, 1, 100, "/usr/bin/node",
	     "node\0/usr/bin/npx\0-y\0@modelcontextprotocol/server-filesystem@2026.8.31\0/tmp");
	FAKE(11, 10, 200, "/usr/bin/dash", "sh\0-c\0mcp-server-filesystem /tmp");
	FAKE(20, 1, 50, "/usr/bin/bash", "bash\0-l");
	FAKE(30, 1, 60, "/usr/bin/python3.11", "python3\0-m\0mcp_server_git");
	return 0;
}

static int remove_root(void **state)
{
	(void)state;
	return fake_root_remove();
}

static int joins;

static void on_join(struct proc *p, void *arg)
{
	(void)p;
	(void)arg;
	joins++;
}

static void test_scan_finds_servers_behind_launchers(void **state)
{
	struct proc_table *t = proc_table_new();
	struct identity *id = identity_new();
	char err[128];
	struct proc *p;

	(void)state;
	joins = 0;
	assert_int_equal(scan_processes(fake_root, 20, t, id, on_join, NULL, err, sizeof(err)), 2);
	assert_null(proc_table_lookup(t, 20)); /* skipped: the caller itself */
	assert_int_equal(proc_table_lookup(t, 10)->role, ROLE_LAUNCHER);
	assert_int_equal(proc_table_lookup(t, 11)->role, ROLE_LAUNCHER);
	p = proc_table_lookup(t, 12);
	assert_int_equal(p->role, ROLE_SERVER);
	assert_string_equal(p->server_name, "mcp-server-filesystem");
	assert_int_equal(p->uid, 1000);
	assert_string_equal(p->exe, "/usr/bin/node");
	p = proc_table_lookup(t, 13);
	assert_int_equal(p->role, ROLE_MEMBER);
	assert_int_equal(p->server_tgid, 12);
	assert_int_equal(proc_table_lookup(t, 30)->role, ROLE_SERVER);
	assert_int_equal(joins, 3); /* two servers and one member */
	/* A second scan adds nothing and finds no new server. */
	assert_int_equal(scan_processes(fake_root, 0, t, id, on_join, NULL, err, sizeof(err)), 0);
	assert_int_equal(proc_table_lookup(t, 20)->role, ROLE_NONE);
	identity_free(id);
	proc_table_free(t);
}

static void test_scan_missing_root(void **state)
{
	struct proc_table *t = proc_table_new();
	struct identity *id = identity_new();
	char err[128] = "";

	(void)state;
	assert_int_equal(
	    scan_processes("/nonexistent-proc", 0, t, id, NULL, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent-proc"));
	identity_free(id);
	proc_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scan_finds_servers_behind_launchers),
	    cmocka_unit_test(test_scan_missing_root),
	};

	return cmocka_run_group_tests_name("scan", tests, make_root, remove_root);
}
