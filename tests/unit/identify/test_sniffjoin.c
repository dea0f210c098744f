/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Unit tests for sniffjoin: handshakes written in pieces are joined, noise is dropped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "identify/sniffjoin.h"

static const char result[] =
    "{\"jsonrpc\":\"2.0\",\"id\":0,\"result\":{\"protocolVersion\":\"2025-06-18\","
    "\"serverInfo\":{\"name\":\"srv\",\"version\":\"2.1\"}}}\n";

static int feed(struct sniffjoin *j, uint32_t tgid, const char *s, char *name)
{
	char version[32];

	return sniffjoin_feed(j, tgid, s, strlen(s), strlen(s), name, 64, version, sizeof(version));
}

static void test_whole_and_split(void **state)
{
	struct sniffjoin *j = sniffjoin_new();
	char name[64], part[sizeof(result)];
	size_t n = strlen(result);

	(void)state;
	assert_int_equal(feed(j, 10, result, name), 1);
	assert_string_equal(name, "srv");
	/* Every cut point, two pieces; other processes' pieces interleaved. */
	for (size_t cut = 1; cut < n - 1; cut++) {
		memcpy(part, result, cut);
		part[cut] = '\0';
		/* Once the serverInfo object is complete the first piece suffices. */
		if (feed(j, 11, part, name) == 1) {
			assert_true(cut > (size_t)(strstr(result, "\"2.1\"}") - result));
			assert_string_equal(name, "srv");
			continue;
		}
		assert_int_equal(feed(j, 12, "{\"jsonrpc\":\"2.0\",\"method\":\"x\"", name), 0);
		assert_int_equal(feed(j, 11, result + cut, name), 1);
		assert_string_equal(name, "srv");
		sniffjoin_forget(j, 12);
	}
	sniffjoin_free(j);
}

static void test_whitespace_and_noise(void **state)
{
	struct sniffjoin *j = sniffjoin_new();
	char name[64];

	(void)state;
	assert_int_equal(feed(j, 1, "\n  ", name), 0);
	assert_int_equal(feed(j, 1,
			      "{ \"jsonrpc\": \"2.0\", \"id\": 0, \"result\": {\"serverInfo\": "
			      "{\"name\": \"ws\"}}}\n",
			      name),
			 1);
	assert_string_equal(name, "ws");
	/* A log line first, then a notification, then the result. */
	assert_int_equal(feed(j, 2, "starting up", name), 0);
	assert_int_equal(feed(j, 2, " now\n{\"jsonrpc\":\"2.0\",\"method\":\"n\"}\n", name), 0);
	assert_int_equal(feed(j, 2, result, name), 1);
	/* A message that never names a server: nothing, and nothing kept. */
	assert_int_equal(feed(j, 3, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n", name), 0);
	assert_string_equal(name, "");
	sniffjoin_free(j);
}

static void test_cut_sample_is_not_joined(void **state)
{
	struct sniffjoin *j = sniffjoin_new();
	char name[64], version[16];

	(void)state;
	/* 10 bytes of a 500-byte write: the rest is missing, no join. */
	assert_int_equal(
	    sniffjoin_feed(j, 5, result, 10, 500, name, sizeof(name), version, sizeof(version)), 0);
	assert_int_equal(feed(j, 5, result + 10, name), 0);
	sniffjoin_free(j);
}

static void test_bounded(void **state)
{
	struct sniffjoin *j = sniffjoin_new();
	char name[64], big[SNIFFJOIN_BYTES + 100];

	(void)state;
	/* More processes than slots: the oldest give way, nothing breaks. */
	for (uint32_t t = 1; t <= 3 * SNIFFJOIN_SLOTS; t++)
		assert_int_equal(feed(j, t, "{\"jsonrpc\":\"2.0\",", name), 0);
	/* One unterminated message longer than the buffer: dropped. */
	memset(big, ' ', sizeof(big) - 1);
	big[0] = '{';
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(feed(j, 7000, big, name), 0);
	assert_int_equal(feed(j, 7000, result, name), 1);
	assert_int_equal(sniffjoin_feed(NULL, 1, "x", 1, 1, name, sizeof(name), NULL, 0), 0);
	sniffjoin_free(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_whole_and_split),
	    cmocka_unit_test(test_whitespace_and_noise),
	    cmocka_unit_test(test_cut_sample_is_not_joined),
	    cmocka_unit_test(test_bounded),
	};

	return cmocka_run_group_tests_name("sniffjoin", tests, NULL, NULL);
}
