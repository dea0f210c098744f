// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Unit tests for user/deliver/spool.c: order, persistence across reopen, recovery
 * of damaged files, the size bound and its exact drop counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "deliver/spool.h"

static char dir[64];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/mw-spool-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static struct spool *open_spool(uint64_t max, uint64_t seg)
{
	struct spool_opts o = {.max_bytes = max, .segment_bytes = seg};
	struct spool *sp = NULL;
	char err[256];

	if (spool_open(&sp, dir, &o, err, sizeof(err)) != 0)
		fail_msg("spool_open: %s", err);
	return sp;
}

/* Record i: {"i":i} padded with "p" to `pad` bytes of data. */
static void append_n(struct spool *sp, int first, int n, size_t pad, uint64_t *dropped)
{
	static char data[65536];

	for (int i = first; i < first + n; i++) {
		struct spool_record r = {.time_ns = 1000 + i, .kind = "alert", .data = data};
		int len = snprintf(data, sizeof(data), "{\"i\":%d,\"p\":\"", i);

		while ((size_t)len + 2 < pad)
			data[len++] = 'p';
		data[len++] = '"';
		data[len++] = '}';
		r.len = (size_t)len;
		assert_int_equal(spool_append(sp, &r, 1, dropped), 0);
	}
}

static int record_index(const struct spool_record *r)
{
	int i = -1;

	assert_int_equal(sscanf(r->data, "{\"i\":%d", &i), 1);
	assert_int_equal(r->time_ns, 1000 + i);
	assert_string_equal(r->kind, "alert");
	assert_int_equal(r->data[r->len - 1], '}');
	return i;
}

/* Reads everything pending; checks it is first, first+1, ...; acks it. */
static int drain_expect(struct spool *sp, int first)
{
	struct spool_batch b = {0};
	int n, total = 0;

	while ((n = spool_read(sp, &b, 7, 1 << 20)) > 0) {
		for (int i = 0; i < n; i++)
			assert_int_equal(record_index(&b.recs[i]), first + total + i);
		assert_int_equal(spool_ack(sp, &b, (size_t)n), 0);
		total += n;
	}
	assert_int_equal(n, 0);
	assert_int_equal(spool_pending(sp), 0);
	spool_batch_free(&b);
	return total;
}

static int count_segments(void)
{
	char cmd[128];
	int n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls %s | grep -c '^seg-' || true", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

static char *seg_path(uint64_t id, char *buf, size_t len)
{
	snprintf(buf, len, "%s/seg-%016llu.ndjson", dir, (unsigned long long)id);
	return buf;
}

static void write_file(const char *path, const char *text, bool append)
{
	FILE *f = fopen(path, append ? "a" : "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* ------------------------------------------------------------------ tests */

static void test_append_read_ack(void **state)
{
	struct spool *sp = open_spool(1 << 20, 0);
	struct spool_batch b = {0};
	uint64_t dropped = 0;

	assert_int_equal(spool_read(sp, &b, 10, 1 << 20), 0);
	append_n(sp, 0, 3, 20, &dropped);
	assert_int_equal(dropped, 0);
	assert_int_equal(spool_pending(sp), 3);
	assert_int_equal(spool_read(sp, &b, 10, 1 << 20), 3);
	assert_int_equal(record_index(&b.recs[2]), 2);
	/* Reading does not consume. */
	assert_int_equal(spool_read(sp, &b, 10, 1 << 20), 3);
	assert_int_equal(spool_ack(sp, &b, 2), 0);
	assert_int_equal(spool_pending(sp), 1);
	assert_int_equal(spool_read(sp, &b, 10, 1 << 20), 1);
	assert_int_equal(record_index(&b.recs[0]), 2);
	spool_batch_free(&b);
	spool_close(sp);
}

static void test_segment_is_ndjson(void **state)
{
	struct spool *sp = open_spool(1 << 20, 0);
	struct spool_record r = {.time_ns = -5, .kind = "posture", .data = "{\"a\":1}", .len = 7};
	uint64_t dropped = 0;
	char path[128], text[256] = "";
	FILE *f;

	assert_int_equal(spool_append(sp, &r, 1, &dropped), 0);
	spool_close(sp);
	f = fopen(seg_path(1, path, sizeof(path)), "r");
	assert_non_null(f);
	assert_non_null(fgets(text, sizeof(text), f));
	fclose(f);
	assert_string_equal(text, "[-5,\"posture\",{\"a\":1}]\n");
}

static void test_batch_limits(void **state)
{
	struct spool *sp = open_spool(1 << 20, 0);
	struct spool_batch b = {0};
	uint64_t dropped = 0;

	append_n(sp, 0, 10, 100, &dropped);
	assert_int_equal(spool_read(sp, &b, 4, 1 << 20), 4);
	assert_int_equal(spool_read(sp, &b, 100, 250), 2); /* 100-byte records */
	assert_int_equal(spool_read(sp, &b, 100, 10), 1);  /* always at least one */
	spool_batch_free(&b);
	spool_close(sp);
}

static void test_reopen_resumes_at_cursor(void **state)
{
	struct spool *sp = open_spool(1 << 20, 0);
	struct spool_batch b = {0};
	uint64_t dropped = 0;

	append_n(sp, 0, 5, 30, &dropped);
	assert_int_equal(spool_read(sp, &b, 10, 1 << 20), 5);
	assert_int_equal(spool_ack(sp, &b, 3), 0);
	spool_batch_free(&b);
	spool_close(sp);

	sp = open_spool(1 << 20, 0);
	assert_int_equal(spool_pending(sp), 2);
	append_n(sp, 5, 2, 30, &dropped);
	assert_int_equal(drain_expect(sp, 3), 4);
	spool_close(sp);
	/* Nothing left after the next restart either. */
	sp = open_spool(1 << 20, 0);
	assert_int_equal(spool_pending(sp), 0);
	spool_close(sp);
}

/* A batch read but never acknowledged (a crash mid-send) comes again. */
static void test_unacked_is_redelivered(void **state)
{
	struct spool *sp = open_spool(1 << 20, 0);
	struct spool_batch b = {0};
	uint64_t dropped = 0;

	append_n(sp, 0, 4, 30, &dropped);
	assert_int_equal(spool_read(sp, &b, 10, 1 << 20), 4);
	spool_batch_free(&b);
	spool_close(sp);
	sp = open_spool(1 << 20, 0);
	assert_int_equal(drain_expect(sp, 0), 4);
	spool_close(sp);
}

static void test_segments_roll_and_go(void **state)
{
	struct spool *sp = open_spool(1 << 20, 4096);
	uint64_t dropped = 0;

	append_n(sp, 0, 40, 1000, &dropped); /* about 4 per segment */
	assert_true(count_segments() >= 9);
	spool_close(sp);
	sp = open_spool(1 << 20, 4096);
	assert_int_equal(spool_pending(sp), 40);
	assert_int_equal(drain_expect(sp, 0), 40);
	assert_int_equal(count_segments(), 1); /* the active one stays */
	spool_close(sp);
}

/* Data of a record whose line is exactly 1024 bytes ("[10xx,\"alert\"," and
 * "]\n" around it): 4 lines fill a 4096-byte segment. */
#define LINE_1K_DATA (1024 - 16)

static void test_bound_drops_oldest_exactly(void **state)
{
	struct spool *sp = open_spool(16384, 4096);
	uint64_t dropped = 0;

	/* 4 segments of 4 records fit. Record 96 (the 97th) starts a 25th
	 * segment, which pushes out the 21st: 84 dropped, 84..99 kept. */
	append_n(sp, 0, 100, LINE_1K_DATA, &dropped);
	assert_int_equal(dropped, 84);
	assert_int_equal(spool_pending(sp), 16);
	assert_true(spool_bytes(sp) <= 16384);
	assert_int_equal(drain_expect(sp, 84), 16);
	spool_close(sp);
}

/* Only the undelivered part of a dropped segment counts as dropped. */
static void test_bound_counts_only_undelivered(void **state)
{
	struct spool *sp = open_spool(16384, 4096);
	struct spool_batch b = {0};
	uint64_t dropped = 0;

	append_n(sp, 0, 16, LINE_1K_DATA, &dropped);
	assert_int_equal(spool_read(sp, &b, 2, 1 << 20), 2);
	assert_int_equal(spool_ack(sp, &b, 2), 0);
	append_n(sp, 16, 1, LINE_1K_DATA, &dropped);
	assert_int_equal(dropped, 2); /* records 2 and 3 */
	assert_int_equal(spool_pending(sp), 13);
	/* The batch read before the drop is stale: its ack is ignored. */
	assert_int_equal(spool_read(sp, &b, 2, 1 << 20), 2);
	append_n(sp, 17, 4, LINE_1K_DATA, &dropped);
	assert_int_equal(dropped, 6);
	assert_int_equal(spool_ack(sp, &b, 2), 0);
	assert_int_equal(spool_pending(sp), 13);
	assert_int_equal(drain_expect(sp, 8), 13);
	spool_batch_free(&b);
	spool_close(sp);
}

static void test_too_large_record_dropped(void **state)
{
	struct spool *sp = open_spool(65536, 0);
	uint64_t dropped = 0;

	append_n(sp, 0, 1, 40000, &dropped); /* more than half the spool */
	assert_int_equal(dropped, 1);
	assert_int_equal(spool_pending(sp), 0);
	spool_close(sp);
}

static void test_truncated_tail_is_cut(void **state)
{
	struct spool *sp = open_spool(1 << 20, 0);
	uint64_t dropped = 0;
	char path[128];

	append_n(sp, 0, 3, 30, &dropped);
	spool_close(sp);
	write_file(seg_path(1, path, sizeof(path)), "[1003,\"alert\",{\"i\":3,", true);
	sp = open_spool(1 << 20, 0);
	assert_int_equal(spool_pending(sp), 3);
	append_n(sp, 3, 1, 30, &dropped);
	assert_int_equal(drain_expect(sp, 0), 4);
	spool_close(sp);
}

static void test_bad_cursor_means_from_the_start(void **state)
{
	static const char *const bad[] = {"garbage", "",	  "1",
					  "1 5",     "1 5\nx",	  "7 0\n",
					  "0 0\n",   "1 99999\n", "18446744073709551616 0\n"};
	char path[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct spool *sp = open_spool(1 << 20, 0);
		struct spool_batch b = {0};
		uint64_t dropped = 0;

		append_n(sp, 0, 3, 30, &dropped);
		assert_int_equal(spool_read(sp, &b, 2, 1 << 20), 2);
		assert_int_equal(spool_ack(sp, &b, 2), 0);
		spool_batch_free(&b);
		spool_close(sp);
		snprintf(path, sizeof(path), "%s/cursor", dir);
		write_file(path, bad[i], false);
		sp = open_spool(1 << 20, 0);
		assert_int_equal(spool_pending(sp), 3);
		assert_int_equal(drain_expect(sp, 0), 3);
		spool_close(sp);
		teardown(state);
		setup(state);
	}
}

/* A cursor inside a line goes back to its start: that record comes again. */
static void test_cursor_mid_line(void **state)
{
	struct spool *sp = open_spool(1 << 20, 0);
	uint64_t dropped = 0;
	char path[128];

	append_n(sp, 0, 3, 30, &dropped); /* lines of 30 + 17 = 47 bytes */
	spool_close(sp);
	snprintf(path, sizeof(path), "%s/cursor", dir);
	write_file(path, "1 60\n", false);
	sp = open_spool(1 << 20, 0);
	assert_int_equal(spool_pending(sp), 2);
	assert_int_equal(drain_expect(sp, 1), 2);
	spool_close(sp);
}

static void test_corrupt_line_skipped_and_counted(void **state)
{
	struct spool *sp = open_spool(1 << 20, 0);
	struct spool_batch b = {0};
	uint64_t dropped = 0;
	char path[128];

	append_n(sp, 0, 1, 30, &dropped);
	spool_close(sp);
	write_file(seg_path(1, path, sizeof(path)),
		   "not a record\n[1,\"BAD\",{}]\n[5,\"alert\",]\n[1001,\"alert\",{\"i\":1}]\n",
		   true);
	sp = open_spool(1 << 20, 0);
	assert_int_equal(spool_pending(sp), 5);
	assert_int_equal(spool_read(sp, &b, 10, 1 << 20), 1); /* stops before the bad one */
	assert_int_equal(record_index(&b.recs[0]), 0);
	assert_int_equal(spool_ack(sp, &b, 1), 0);
	assert_int_equal(spool_take_corrupt(sp), 0);
	assert_int_equal(spool_read(sp, &b, 10, 1 << 20), 1);
	assert_int_equal(record_index(&b.recs[0]), 1);
	assert_int_equal(spool_take_corrupt(sp), 3);
	assert_int_equal(spool_ack(sp, &b, 1), 0);
	assert_int_equal(spool_pending(sp), 0);
	spool_batch_free(&b);
	spool_close(sp);
}

static void test_one_process_per_spool(void **state)
{
	struct spool_opts o = {.max_bytes = 1 << 20};
	struct spool *sp = open_spool(1 << 20, 0), *other = NULL;
	char err[256];

	assert_int_equal(spool_open(&other, dir, &o, err, sizeof(err)), -EBUSY);
	assert_null(other);
	assert_non_null(strstr(err, "in use by another mcpwatch"));
	assert_non_null(strstr(err, dir));
	spool_close(sp);
	assert_int_equal(spool_open(&other, dir, &o, err, sizeof(err)), 0);
	spool_close(other);
}

static void test_open_error_names_the_directory(void **state)
{
	struct spool_opts o = {.max_bytes = 1 << 20};
	struct spool *sp = NULL;
	char err[256], path[128];

	snprintf(path, sizeof(path), "%s/file", dir);
	write_file(path, "x", false);
	snprintf(path, sizeof(path), "%s/file/sub", dir);
	assert_true(spool_open(&sp, path, &o, err, sizeof(err)) < 0);
	assert_null(sp);
	assert_non_null(strstr(err, path));
}

/* Records with newlines or NULs (never from cJSON) stay one line each. */
static void test_record_stays_one_line(void **state)
{
	struct spool *sp = open_spool(1 << 20, 0);
	struct spool_record r = {.time_ns = 1, .kind = "Alert!", .data = "{\"a\":\n1}", .len = 8};
	struct spool_batch b = {0};
	uint64_t dropped = 0;

	assert_int_equal(spool_append(sp, &r, 1, &dropped), 0);
	assert_int_equal(spool_read(sp, &b, 10, 1 << 20), 1);
	assert_int_equal(b.recs[0].len, 8);
	assert_memory_equal(b.recs[0].data, "{\"a\": 1}", 8);
	assert_string_equal(b.recs[0].kind, "unknown");
	spool_batch_free(&b);
	spool_close(sp);
}

/* A record's host and severity are kept after it: [TIME,"KIND",RECORD,"HOST",SEV]. */
static void test_host_and_severity_survive(void **state)
{
	struct spool *sp = open_spool(1 << 20, 0);
	struct spool_record r = {.time_ns = 7,
				 .kind = "alert",
				 .data = "{\"a\":1}",
				 .len = 7,
				 .host = "node-7 \"x\"",
				 .severity = 3};
	struct spool_batch b = {0};
	uint64_t dropped = 0;
	char path[128], text[256] = "";
	FILE *f;

	assert_int_equal(spool_append(sp, &r, 1, &dropped), 0);
	spool_close(sp);
	f = fopen(seg_path(1, path, sizeof(path)), "r");
	assert_non_null(f);
	assert_non_null(fgets(text, sizeof(text), f));
	fclose(f);
	/* A quote in a host is not kept: the line stays trivially parseable. */
	assert_string_equal(text, "[7,\"alert\",{\"a\":1},\"node-7 ?x?\",3]\n");
	sp = open_spool(1 << 20, 0);
	assert_int_equal(spool_read(sp, &b, 10, 1 << 20), 1);
	assert_int_equal(b.recs[0].len, 7);
	assert_memory_equal(b.recs[0].data, "{\"a\":1}", 7);
	assert_string_equal(b.recs[0].host, "node-7 ?x?");
	assert_int_equal(b.recs[0].severity, 3);
	assert_int_equal(b.recs[0].time_ns, 7);
	spool_batch_free(&b);
	spool_close(sp);
}

/* Lines spooled before host and severity were kept are still read: their
 * facts come from the record itself, whatever its format. */
static void test_old_lines_are_read(void **state)
{
	struct spool *sp;
	struct spool_batch b = {0};
	char path[128];

	mkdir(dir, 0700);
	write_file(seg_path(1, path, sizeof(path)),
		   "[1,\"alert\",{\"host\":{\"name\":\"n1\"},\"rule\":{\"severity\":\"high\"}}]\n"
		   "[2,\"alert\",{\"hostname\":\"n2\",\"priority\":\"Critical\"}]\n"
		   "[3,\"posture\",{\"kind\":\"posture\"}]\n"
		   "[4,\"alert\",{\"x\":\"a\\\",5\"},\"n4\",5]\n",
		   false);
	sp = open_spool(1 << 20, 0);
	assert_int_equal(spool_read(sp, &b, 10, 1 << 20), 4);
	assert_string_equal(b.recs[0].host, "n1");
	assert_int_equal(b.recs[0].severity, 3);
	assert_string_equal(b.recs[1].host, "n2");
	assert_int_equal(b.recs[1].severity, 2);
	assert_string_equal(b.recs[2].host, "");
	assert_int_equal(b.recs[2].severity, 6);
	assert_string_equal(b.recs[2].kind, "posture");
	assert_memory_equal(b.recs[2].data, "{\"kind\":\"posture\"}", b.recs[2].len);
	/* A new line next to old ones. */
	assert_string_equal(b.recs[3].host, "n4");
	assert_int_equal(b.recs[3].severity, 5);
	assert_memory_equal(b.recs[3].data, "{\"x\":\"a\\\",5\"}", b.recs[3].len);
	assert_int_equal(spool_ack(sp, &b, 4), 0);
	assert_int_equal(spool_take_corrupt(sp), 0);
	spool_batch_free(&b);
	spool_close(sp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_append_read_ack, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_segment_is_ndjson, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_batch_limits, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reopen_resumes_at_cursor, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unacked_is_redelivered, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_segments_roll_and_go, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bound_drops_oldest_exactly, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bound_counts_only_undelivered, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_too_large_record_dropped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_truncated_tail_is_cut, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_cursor_means_from_the_start, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cursor_mid_line, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_corrupt_line_skipped_and_counted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_one_process_per_spool, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_open_error_names_the_directory, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_record_stays_one_line, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_host_and_severity_survive, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_old_lines_are_read, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
