/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Unit tests for the process table: lookup, growth, fork inheritance, lineage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "identify/proctable.h"

static void test_get_lookup_remove_and_growth(void **state)
{
	struct proc_table *t = proc_table_new();

	(void)state;
	for (uint32_t pid = 1; pid <= 5000; pid++) {
		struct proc *p = proc_table_get(t, pid);

		assert_non_null(p);
		p->ppid = pid - 1;
	}
	assert_int_equal(proc_table_count(t), 5000);
	assert_ptr_equal(proc_table_get(t, 77), proc_table_lookup(t, 77));
	assert_int_equal(proc_table_lookup(t, 4999)->ppid, 4998);
	for (uint32_t pid = 1; pid <= 5000; pid += 2)
		proc_table_remove(t, pid);
	assert_int_equal(proc_table_count(t), 2500);
	assert_null(proc_table_lookup(t, 4999));
	assert_non_null(proc_table_lookup(t, 5000));
	proc_table_remove(t, 123456); /* absent: no-op */
	assert_int_equal(proc_table_count(t), 2500);
	proc_table_free(t);
}

static void test_image_and_cmdline(void **state)
{
	struct proc_table *t = proc_table_new();
	struct proc *p = proc_table_get(t, 10);
	const char *argv[] = {"node", "server.js", "--port", "3000"};

	(void)state;
	assert_int_equal(proc_set_image(p, "/usr/bin/node", argv, 4), 0);
	assert_string_equal(p->exe, "/usr/bin/node");
	assert_string_equal(p->cmdline, "node server.js --port 3000");
	assert_int_equal(p->argc, 4);
	assert_int_equal(proc_set_image(p, NULL, NULL, 0), 0);
	assert_string_equal(p->exe, "");
	assert_string_equal(p->cmdline, "");
	proc_table_free(t);
}

static void test_fork_inherits_tree(void **state)
{
	struct proc_table *t = proc_table_new();
	struct proc *srv = proc_table_get(t, 100), *c, *g;
	const char *argv[] = {"node", "mcp.js"};

	(void)state;
	proc_set_image(srv, "/usr/bin/node", argv, 2);
	srv->role = ROLE_SERVER;
	srv->server_tgid = 100;
	srv->uid = 1000;
	c = proc_table_fork(t, 101, 100);
	assert_int_equal(c->ppid, 100);
	assert_int_equal(c->uid, 1000);
	assert_int_equal(c->server_tgid, 100);
	assert_int_equal(c->role, ROLE_MEMBER);
	assert_string_equal(c->cmdline, "node mcp.js");
	g = proc_table_fork(t, 102, 101);
	assert_true(proc_table_descends(t, g, 100));
	assert_true(proc_table_descends(t, g, 102));
	assert_false(proc_table_descends(t, srv, 101));
	/* Fork from an unknown parent still records lineage. */
	assert_int_equal(proc_table_fork(t, 300, 299)->ppid, 299);
	proc_table_free(t);
}

static void test_descends_survives_cycles(void **state)
{
	struct proc_table *t = proc_table_new();

	(void)state;
	proc_table_get(t, 1)->ppid = 2;
	proc_table_get(t, 2)->ppid = 1; /* corrupt lineage must not hang */
	assert_false(proc_table_descends(t, proc_table_lookup(t, 1), 99));
	proc_table_free(t);
}

/* Fork-time lineage survives the exit of an intermediate (a double fork). */
static void test_fork_lineage(void **state)
{
	struct proc_table *t = proc_table_new();
	struct proc *d;

	(void)state;
	proc_table_get(t, 10);
	proc_table_fork(t, 11, 10);
	proc_table_fork(t, 12, 11);
	proc_table_remove(t, 11);
	d = proc_table_lookup(t, 12);
	assert_false(proc_table_descends(t, d, 10));
	assert_true(proc_forked_by(d, 10));
	assert_true(proc_forked_by(d, 11));
	assert_false(proc_forked_by(d, 12));
	assert_false(proc_forked_by(d, 0));
	/* A snapshot keeps it, and its own copies of the strings. */
	proc_set_image(d, "/bin/sh", (const char *const[]){"sh", "-c", "x"}, 3);
	{
		struct proc *s = proc_snapshot(d);

		assert_non_null(s);
		assert_true(proc_forked_by(s, 10));
		assert_string_equal(s->cmdline, "sh -c x");
		assert_ptr_not_equal(s->exe, d->exe);
		proc_snapshot_free(s);
	}
	proc_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_get_lookup_remove_and_growth),
	    cmocka_unit_test(test_image_and_cmdline),
	    cmocka_unit_test(test_fork_inherits_tree),
	    cmocka_unit_test(test_descends_survives_cycles),
	    cmocka_unit_test(test_fork_lineage),
	};

	return cmocka_run_group_tests_name("proctable", tests, NULL, NULL);
}
