/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Unit tests for the hold: release by fork-time lineage, expiry, bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identify/hold.h"
#include "identify/proctable.h"

static uint64_t next_start_ns; /* start time of the next added process */

/* A held open by tgid, with fork-time ancestors lineage[] (0-terminated). */
static int add(struct hold *h, uint32_t root, uint32_t tgid, const uint32_t *lineage, int64_t at_ns,
	       const char *path)
{
	struct proc p = {.tgid = tgid, .start_ns = next_start_ns};
	const char *argv[] = {"x"};
	struct held_event ev = {.kind = 2, .root = root, .held_ns = at_ns};
	int rc;

	for (size_t i = 0; lineage && lineage[i] && i < PT_LINEAGE; i++)
		p.lineage[i] = lineage[i];
	assert_int_equal(proc_set_image(&p, "/bin/x", argv, 1), 0);
	ev.proc = proc_snapshot(&p);
	assert_non_null(ev.proc);
	ev.path = strdup(path);
	rc = hold_add(h, &ev);
	/* p's own strings (the snapshot has copies). */
	free(p.exe);
	free(p.cmdline);
	free(p.argv[0]);
	free(p.argv);
	return rc;
}

struct seen {
	char paths[8][32];
	size_t n;
};

static void on_replay(const struct held_event *ev, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8)
		snprintf(s->paths[s->n++], sizeof(s->paths[0]), "%s", ev->path);
}

static void test_release_by_lineage(void **state)
{
	struct hold *h = hold_new(3000000000LL);
	const uint32_t by_srv[] = {100, 1, 0}, by_daemon[] = {101, 100, 1, 0}, other[] = {1, 0};
	struct seen s = {0};
	struct hold_stats st;

	(void)state;
	assert_int_equal(add(h, 1, 100, other, 10, "srv-own"), 0);
	assert_int_equal(add(h, 1, 101, by_srv, 20, "child"), 0);
	assert_int_equal(add(h, 1, 102, by_daemon, 30, "grandchild"), 0);
	assert_int_equal(add(h, 1, 200, other, 40, "stranger"), 0);
	assert_int_equal(hold_release(h, 100, 0, on_replay, &s), 3);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.paths[0], "srv-own");
	assert_string_equal(s.paths[1], "child");
	assert_string_equal(s.paths[2], "grandchild");
	assert_int_equal(hold_count(h), 1);
	/* The stranger expires at its time + window, not before. */
	assert_int_equal(hold_expire(h, 40 + 2999999999LL), 0);
	assert_int_equal(hold_expire(h, 40 + 3000000000LL), 1);
	assert_int_equal(hold_count(h), 0);
	hold_get_stats(h, &st);
	assert_int_equal(st.held, 4);
	assert_int_equal(st.replayed, 3);
	assert_int_equal(st.expired, 1);
	assert_int_equal(st.dropped, 0);
	hold_free(h);
}

/* A process started before the server is not its, whatever its lineage says. */
static void test_reused_pid_in_lineage(void **state)
{
	struct hold *h = hold_new(1000000000);
	const uint32_t lin[] = {100, 0};
	struct seen s = {0};

	(void)state;
	next_start_ns = 50;
	assert_int_equal(add(h, 1, 400, lin, 1, "old"), 0);
	next_start_ns = 0;
	assert_int_equal(hold_release(h, 100, 60, on_replay, &s), 0);
	assert_int_equal(hold_release(h, 100, 40, on_replay, &s), 1);
	assert_string_equal(s.paths[0], "old");
	hold_free(h);
}

static void test_bounds_and_off(void **state)
{
	struct hold *h = hold_new(1000);
	struct hold_stats st;

	(void)state;
	for (int i = 0; i < HOLD_MAX_PER_ROOT + 5; i++)
		add(h, 7, 300, NULL, 1, "a");
	assert_int_equal(hold_count(h), HOLD_MAX_PER_ROOT);
	for (uint32_t r = 8; hold_count(h) < HOLD_MAX_TOTAL; r++)
		assert_int_equal(add(h, r, 300, NULL, 1, "b"), 0);
	assert_int_equal(add(h, 99999, 300, NULL, 1, "c"), -1);
	hold_get_stats(h, &st);
	assert_int_equal(st.dropped, 6);
	/* Window 0: nothing is held. */
	hold_set_window(h, 0);
	assert_int_equal(add(h, 5, 300, NULL, 1, "d"), -1);
	hold_free(h); /* frees what is still held (ASan checks) */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_release_by_lineage),
	    cmocka_unit_test(test_reused_pid_in_lineage),
	    cmocka_unit_test(test_bounds_and_off),
	};

	return cmocka_run_group_tests_name("hold", tests, NULL, NULL);
}
