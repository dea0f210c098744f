// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Unit tests for user/lib/usernames.c: uid -> name, cached and dropped on change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/clock.h"
#include "lib/usernames.h"

#define S NS_PER_S

static void test_names_and_no_name(void **state)
{
	struct usernames u;

	(void)state;
	usernames_init(&u, NULL);
	assert_string_equal(usernames_get(&u, 0, 10 * S), "root");
	/* A uid nobody has: no name, and that answer is cached too. */
	assert_null(usernames_get(&u, 3999999999u, 10 * S));
	assert_int_equal(u.slot[3999999999u % USERNAMES_SLOTS].at_ns, 10 * S);
	/* Two uids in one slot: the later one replaces the earlier. */
	usernames_get(&u, USERNAMES_SLOTS, 10 * S);
	assert_int_equal(u.slot[0].uid, USERNAMES_SLOTS);
	assert_string_equal(usernames_get(&u, 0, 10 * S), "root");
	assert_int_equal(u.slot[0].uid, 0);
}

static void test_ttl_and_change(void **state)
{
	char path[] = "/tmp/mw-usernames-XXXXXX";
	int fd = mkstemp(path);
	struct usernames u;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "a", 1), 1);
	usernames_init(&u, path);
	assert_string_equal(usernames_get(&u, 0, 100 * S), "root");
	assert_int_equal(u.slot[0].at_ns, 100 * S);
	/* Within the TTL and with the file unchanged: the cached answer. */
	assert_string_equal(usernames_get(&u, 0, 130 * S), "root");
	assert_int_equal(u.slot[0].at_ns, 100 * S);
	/* Past the TTL: asked again. */
	assert_string_equal(usernames_get(&u, 0, 161 * S), "root");
	assert_int_equal(u.slot[0].at_ns, 161 * S);
	/* The file changed: within a second every answer is dropped and asked again. */
	assert_int_equal(write(fd, "b", 1), 1);
	assert_string_equal(usernames_get(&u, 0, 161 * S + 1000), "root");
	assert_int_equal(u.slot[0].at_ns, 161 * S); /* checked less than a second ago */
	assert_string_equal(usernames_get(&u, 0, 163 * S), "root");
	assert_int_equal(u.slot[0].at_ns, 163 * S);
	close(fd);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names_and_no_name),
	    cmocka_unit_test(test_ttl_and_change),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
