// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Unit tests for user/lib/clock.c: RFC 3339 both ways, offsets, edges, clocks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/clock.h"

static int64_t parsed(const char *s)
{
	int64_t ns = -42;

	if (!rfc3339_parse(s, &ns))
		fail_msg("rfc3339_parse(\"%s\") failed", s);
	return ns;
}

static void test_format_digits(void **state)
{
	char t[RFC3339_MAX];

	rfc3339_format(1700000000123456789LL, 9, t, sizeof(t));
	assert_string_equal(t, "2023-11-14T22:13:20.123456789Z");
	rfc3339_format(1700000000123456789LL, 3, t, sizeof(t));
	assert_string_equal(t, "2023-11-14T22:13:20.123Z");
	rfc3339_format(1700000000123456789LL, 0, t, sizeof(t));
	assert_string_equal(t, "2023-11-14T22:13:20Z");
	rfc3339_format(1700000000123456789LL, 42, t, sizeof(t));
	assert_string_equal(t, "2023-11-14T22:13:20.123456789Z");
}

static void test_format_before_epoch(void **state)
{
	char t[RFC3339_MAX];

	rfc3339_format(0, 9, t, sizeof(t));
	assert_string_equal(t, "1970-01-01T00:00:00.000000000Z");
	rfc3339_format(-1, 9, t, sizeof(t));
	assert_string_equal(t, "1969-12-31T23:59:59.999999999Z");
	rfc3339_format(INT64_MAX, 9, t, sizeof(t));
	assert_true(strlen(t) < RFC3339_MAX);
}

static void test_parse_round_trip(void **state)
{
	char t[RFC3339_MAX];

	for (int64_t ns = -3 * NS_PER_S; ns < 4102444800LL * NS_PER_S; ns += 86399123456789LL) {
		rfc3339_format(ns, 9, t, sizeof(t));
		assert_int_equal(parsed(t), ns);
	}
}

static void test_parse_forms(void **state)
{
	assert_int_equal(parsed("2023-11-14T22:13:20Z"), 1700000000000000000LL);
	assert_int_equal(parsed("2023-11-14t22:13:20z"), 1700000000000000000LL);
	assert_int_equal(parsed("2023-11-14 22:13:20Z"), 1700000000000000000LL);
	assert_int_equal(parsed("2023-11-14T22:13:20.5Z"), 1700000000500000000LL);
	/* Digits past nanoseconds are ignored, not rounded. */
	assert_int_equal(parsed("2023-11-14T22:13:20.1234567899Z"), 1700000000123456789LL);
	/* Offsets: the same instant three ways. */
	assert_int_equal(parsed("2023-11-15T00:13:20+02:00"), 1700000000000000000LL);
	assert_int_equal(parsed("2023-11-14T17:13:20-05:00"), 1700000000000000000LL);
	assert_int_equal(parsed("2023-11-14T22:13:20+00:00"), 1700000000000000000LL);
}

static void test_parse_rejects(void **state)
{
	static const char *const bad[] = {
	    "",
	    "2023-11-14",
	    "2023-11-14T22:13:20",	/* no zone */
	    "2023-11-14T22:13:20Zjunk", /* trailing text */
	    "2023-13-14T22:13:20Z",	/* month */
	    "2023-11-32T22:13:20Z",	/* day */
	    "2023-11-14T24:13:20Z",	/* hour */
	    "2023-11-14T22:60:20Z",	/* minute */
	    "2023-11-14T22:13:61Z",	/* second (60 is a leap second) */
	    "2023-11-14T22:13:20.Z",	/* empty fraction */
	    "2023-11-14T22:13:20+2:00", /* short offset */
	    "2023-11-14T22:13:20+24:00",
	    "2023-11-14X22:13:20Z",
	    "+023-11-14T22:13:20Z",
	    "2263-01-01T00:00:00Z", /* nanoseconds past int64 */
	    "1677-01-01T00:00:00Z",
	};
	int64_t ns = 7;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (rfc3339_parse(bad[i], &ns))
			fail_msg("rfc3339_parse(\"%s\") accepted", bad[i]);
	assert_false(rfc3339_parse(NULL, &ns));
	assert_int_equal(ns, 7); /* untouched on failure */
}

static void test_clocks(void **state)
{
	int64_t r = clock_realtime_ns(), m1 = clock_monotonic_ns(), m2 = clock_monotonic_ns();

	assert_true(r > 1700000000LL * NS_PER_S); /* after this code was written */
	assert_true(m2 >= m1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_format_digits),    cmocka_unit_test(test_format_before_epoch),
	    cmocka_unit_test(test_parse_round_trip), cmocka_unit_test(test_parse_forms),
	    cmocka_unit_test(test_parse_rejects),    cmocka_unit_test(test_clocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
