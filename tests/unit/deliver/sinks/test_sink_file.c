// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Unit tests for user/deliver/sinks/sink_file.c: lines, size-based rotation with N gzip
 * files kept, reopen after logrotate moved the file, crash leftovers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "lib/json.h"
#include "deliver/sinks/sink.h"
#include "sink_test.h"

static char dir[64], path[128];

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/mw-file-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/alerts.ndjson", dir);
	return 0;
}

static int teardown(void **state)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* A file sink for the config object extra ("\"keep\": 3" ...) and path. */
static void open_sink(struct sink *s, const char *extra)
{
	char cfg[512], err[512] = "";
	struct json_error jerr;
	struct json_value *v;

	snprintf(cfg, sizeof(cfg), "{\"type\": \"file\", \"path\": \"%s\"%s%s}", path,
		 extra[0] ? ", " : "", extra);
	v = json_parse(cfg, strlen(cfg), &jerr);
	assert_non_null(v);
	memset(s, 0, sizeof(*s));
	s->ops = &sink_file_ops;
	if (checked_open(s, v, "t.json", err, sizeof(err)) != 0)
		fail_msg("open: %s", err);
	json_free(v);
}

static int open_error(const char *extra, char *err, size_t errlen)
{
	char cfg[512];
	struct json_error jerr;
	struct json_value *v;
	struct sink s = {.ops = &sink_file_ops};
	int rc;

	snprintf(cfg, sizeof(cfg), "{\"type\": \"file\", \"path\": \"%s\", %s}", path, extra);
	v = json_parse(cfg, strlen(cfg), &jerr);
	assert_non_null(v);
	err[0] = '\0';
	rc = checked_open(&s, v, "t.json", err, errlen);
	json_free(v);
	if (rc == 0)
		sink_file_ops.close(&s);
	return rc;
}

/* Record i: {"n":i,"p":"xx..."} of exactly 100 bytes (101 with the newline). */
static void send_range(struct sink *s, int first, int n)
{
	for (int i = first; i < first + n; i++) {
		char data[128];
		int len = snprintf(data, sizeof(data), "{\"n\":%d,\"p\":\"", i);
		struct sink_record r = {.data = data, .kind = "alert"};
		enum sink_status st = SINK_RETRY;
		char why[256] = "";

		while (len < 98)
			data[len++] = 'x';
		data[len++] = '"';
		data[len++] = '}';
		r.len = (size_t)len;
		s->ops->send(s, &r, 1, &st, why, sizeof(why));
		if (st != SINK_OK)
			fail_msg("send %d: %s", i, why);
	}
}

/* Appends the record numbers of the lines of a plain or gzip file to out. */
static size_t read_numbers(const char *p, int *out, size_t n)
{
	char line[256];
	gzFile gz = gzopen(p, "rb"); /* reads plain files too */

	if (!gz)
		fail_msg("cannot open %s", p);
	while (gzgets(gz, line, sizeof(line))) {
		assert_int_equal(strlen(line), 101);
		assert_int_equal(sscanf(line, "{\"n\":%d", &out[n]), 1);
		n++;
	}
	gzclose(gz);
	return n;
}

static bool exists(const char *suffix)
{
	char p[256];

	snprintf(p, sizeof(p), "%s%s", path, suffix);
	return access(p, F_OK) == 0;
}

static void test_lines_are_appended(void **state)
{
	int nums[16];
	struct sink s;

	open_sink(&s, "");
	send_range(&s, 0, 3);
	s.ops->close(&s);
	open_sink(&s, "");
	send_range(&s, 3, 1);
	s.ops->close(&s);
	assert_int_equal(read_numbers(path, nums, 0), 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(nums[i], i);
}

static void test_rotation_keeps_n_compressed(void **state)
{
	int nums[1024];
	size_t n = 0;
	char p[256];
	struct sink s;

	/* 40 lines of 101 bytes fit in 4096: 400 records make 10 files. */
	open_sink(&s, "\"max_bytes\": 4096, \"keep\": 3");
	send_range(&s, 0, 400);
	s.ops->close(&s); /* waits for the compression */
	assert_true(exists(".1.gz") && exists(".2.gz") && exists(".3.gz"));
	assert_false(exists(".4.gz"));
	assert_false(exists(".1")); /* compressed, plain copy gone */
	for (int i = 3; i >= 1; i--) {
		snprintf(p, sizeof(p), "%s.%d.gz", path, i);
		n = read_numbers(p, nums, n);
	}
	n = read_numbers(path, nums, n);
	assert_int_equal(n, 160);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(nums[i], 240 + (int)i);
}

static void test_rotated_file_is_gzip(void **state)
{
	unsigned char magic[2] = {0};
	char p[256];
	struct sink s;
	FILE *f;

	open_sink(&s, "\"max_bytes\": 4096");
	send_range(&s, 0, 41);
	s.ops->close(&s);
	snprintf(p, sizeof(p), "%s.1.gz", path);
	f = fopen(p, "rb");
	assert_non_null(f);
	assert_int_equal(fread(magic, 1, 2, f), 2);
	fclose(f);
	assert_int_equal(magic[0], 0x1f);
	assert_int_equal(magic[1], 0x8b);
}

static void test_reopen_after_move(void **state)
{
	char moved[256];
	int nums[16];
	struct sink s;

	open_sink(&s, "");
	send_range(&s, 0, 2);
	snprintf(moved, sizeof(moved), "%s.moved", path);
	assert_int_equal(rename(path, moved), 0);
	send_range(&s, 2, 1); /* still into the moved file */
	s.ops->reopen(&s);
	send_range(&s, 3, 2);
	s.ops->close(&s);
	assert_int_equal(read_numbers(moved, nums, 0), 3);
	assert_int_equal(read_numbers(path, nums, 0), 2);
	assert_int_equal(nums[0], 3);
}

/* logrotate's copytruncate: the file shrinks under us; appends go on. */
static void test_reopen_after_truncate(void **state)
{
	int nums[64];
	struct sink s;

	open_sink(&s, "\"max_bytes\": 4096");
	send_range(&s, 0, 30);
	assert_int_equal(truncate(path, 0), 0);
	s.ops->reopen(&s);
	send_range(&s, 30, 30); /* no early rotation: the size was re-read */
	s.ops->close(&s);
	assert_false(exists(".1.gz"));
	assert_int_equal(read_numbers(path, nums, 0), 30);
}

static void test_keep_zero_starts_over(void **state)
{
	int nums[64];
	struct sink s;

	open_sink(&s, "\"max_bytes\": 4096, \"keep\": 0");
	send_range(&s, 0, 100);
	s.ops->close(&s);
	assert_false(exists(".1.gz"));
	assert_false(exists(".1"));
	assert_int_equal(read_numbers(path, nums, 0), 20);
	assert_int_equal(nums[0], 80);
}

static void test_max_bytes_zero_never_rotates(void **state)
{
	static int nums[256];
	struct sink s;

	open_sink(&s, "\"max_bytes\": 0");
	send_range(&s, 0, 200);
	s.ops->close(&s);
	assert_false(exists(".1.gz"));
	assert_int_equal(read_numbers(path, nums, 0), 200);
}

/* A PATH.1 left by a crash in mid-compression is compressed at start. */
static void test_leftover_plain_rotation(void **state)
{
	char p[256];
	int nums[16];
	struct sink s;
	FILE *f;

	snprintf(p, sizeof(p), "%s.1", path);
	f = fopen(p, "w");
	assert_non_null(f);
	fclose(f);
	open_sink(&s, "");
	send_range(&s, 0, 1);
	s.ops->close(&s);
	assert_false(exists(".1"));
	assert_true(exists(".1.gz"));
	snprintf(p, sizeof(p), "%s.1.gz", path);
	assert_int_equal(read_numbers(p, nums, 0), 0);
}

static void test_write_error_is_retry(void **state)
{
	struct sink_record r = {.data = "{}", .len = 2, .kind = "alert"};
	enum sink_status st = SINK_OK;
	char why[256] = "";
	struct sink s;

	snprintf(path, sizeof(path), "/dev/full");
	open_sink(&s, "\"max_bytes\": 0");
	s.ops->send(&s, &r, 1, &st, why, sizeof(why));
	assert_int_equal(st, SINK_RETRY);
	assert_string_equal(why, "write to /dev/full: No space left on device");
	s.ops->close(&s);
}

static void test_config_errors(void **state)
{
	char err[512];

	assert_int_equal(open_error("\"keep\": 1001", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "t.json:1:"));
	assert_non_null(strstr(err, "file output: \"keep\" is 1001; it must be between 0 and "
				    "1000"));
	assert_int_equal(open_error("\"keep\": \"3\"", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "\"keep\" must be an integer, not string"));
	assert_int_equal(open_error("\"max_bytes\": 4095", err, sizeof(err)), -1);
	assert_int_equal(open_error("\"max_bytes\": 4096, \"keep\": 0", err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "\", \"x\": \"");
	assert_int_equal(open_error("\"y\": 1", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown key \"x\" (expected path, max_bytes, keep or "
				    "common output keys)"));
	assert_non_null(strstr(err, "unknown key \"y\""));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_lines_are_appended),		  T(test_rotation_keeps_n_compressed),
	    T(test_rotated_file_is_gzip),	  T(test_reopen_after_move),
	    T(test_reopen_after_truncate),	  T(test_keep_zero_starts_over),
	    T(test_max_bytes_zero_never_rotates), T(test_leftover_plain_rotation),
	    T(test_write_error_is_retry),	  T(test_config_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
