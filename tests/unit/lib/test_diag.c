// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Unit tests for user/lib/diag.c: the one diagnostic shape, printed, kept, counted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/diag.h"

static void test_positions(void **state)
{
	struct diag d;

	diag_init(&d, NULL, true);
	diag_add(&d, "rules.json", 3, 14, "unknown field \"%s\"", "proc.exe");
	diag_add(&d, "config.json", 7, 0, "line only");
	diag_add(&d, "/etc/x.json", 0, 0, "unreadable: %s", "Permission denied");
	diag_add(&d, NULL, 1, 1, "no file");
	diag_add(&d, NULL, 0, 0, "about nothing in particular");
	assert_int_equal(d.count, 5);
	assert_int_equal(d.nlines, 5);
	assert_string_equal(d.lines[0], "rules.json:3:14: unknown field \"proc.exe\"");
	assert_string_equal(d.lines[1], "config.json:7: line only");
	assert_string_equal(d.lines[2], "/etc/x.json: unreadable: Permission denied");
	assert_string_equal(d.lines[3], "-:1:1: no file");
	assert_string_equal(d.lines[4], "about nothing in particular");
	assert_string_equal(d.first, d.lines[0]);
	diag_free(&d);
}

static void test_printed_one_line_each(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct diag d;

	diag_init(&d, f, false);
	diag_add(&d, "a.json", 1, 2, "two\nlines\tand a tab");
	diag_add(&d, "a.json", 5, 6, "second");
	fclose(f);
	assert_string_equal(buf, "a.json:1:2: two?lines?and a tab\na.json:5:6: second\n");
	assert_int_equal(d.nlines, 0); /* not kept */
	assert_int_equal(d.count, 2);
	free(buf);
	diag_free(&d);
}

static void test_bounded(void **state)
{
	char big[2 * DIAG_LINE_MAX];
	struct diag d;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	diag_init(&d, NULL, true);
	for (int i = 0; i < DIAG_KEEP_MAX + 10; i++)
		diag_add(&d, "f", i + 1, 1, "%s", big);
	assert_int_equal(d.count, DIAG_KEEP_MAX + 10);
	assert_int_equal(d.nlines, DIAG_KEEP_MAX);
	assert_int_equal(strlen(d.lines[0]), DIAG_LINE_MAX - 1);
	diag_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_positions),
	    cmocka_unit_test(test_printed_one_line_each),
	    cmocka_unit_test(test_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
