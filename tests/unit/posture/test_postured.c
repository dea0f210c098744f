/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Unit tests for the daemon's posture records: what is written when, and drop alerts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "posture/postured.h"

static FILE *f;
static struct output *out;
static struct postured *pd;

static int setup(void **state)
{
	(void)state;
	f = tmpfile();
	out = output_new_stream(f);
	pd = postured_new(
	    &(struct postured_opts){
		.host = "h1", .proc_root = "/proc", .interval_s = 300, .runtime_window_s = 3600},
	    out);
	return pd ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	postured_free(pd);
	output_free(out);
	fclose(f);
	return 0;
}

static char *report(const char *grade, int score)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf),
		 "{\"host\":{\"name\":\"h1\",\"grade\":\"%s\",\"score\":%d,\"servers\":1},"
		 "\"servers\":[{\"name\":\"fs\",\"pid\":42,\"running\":true,\"grade\":\"%s\","
		 "\"score\":%d,\"command\":\"node fs.js\",\"checks\":[{\"id\":\"https\","
		 "\"name\":\"Served over HTTPS\",\"status\":\"fail\",\"weight\":20,"
		 "\"evidence\":\"plain HTTP\"}]}]}",
		 grade, score, grade, score);
	return buf;
}

/* Records written since the last call, as parsed JSON (caller frees). */
static int take(cJSON **recs, int max)
{
	static long pos;
	char line[8192];
	int n = 0;

	fseek(f, pos, SEEK_SET);
	while (n < max && fgets(line, sizeof(line), f))
		recs[n++] = cJSON_Parse(line);
	pos = ftell(f);
	return n;
}

static const char *s_at(const cJSON *o, const char *a, const char *b)
{
	const cJSON *x = cJSON_GetObjectItem(o, a);

	x = b ? cJSON_GetObjectItem(x, b) : x;
	return cJSON_IsString(x) ? x->valuestring : "";
}

static void free_all(cJSON **recs, int n)
{
	for (int i = 0; i < n; i++)
		cJSON_Delete(recs[i]);
}

static void test_full_then_changes_only(void **state)
{
	cJSON *r[8];
	int n;
	const char *rep;

	(void)state;
	rep = report("B", 80);
	assert_int_equal(postured_consume(pd, rep, strlen(rep), true), 0);
	n = take(r, 8);
	assert_int_equal(n, 2); /* the server, then the host */
	assert_string_equal(s_at(r[0], "kind", NULL), "posture");
	assert_string_equal(s_at(r[0], "scope", NULL), "server");
	assert_string_equal(s_at(r[0], "server", "grade"), "B");
	assert_string_equal(s_at(r[1], "scope", NULL), "host");
	assert_string_equal(s_at(r[1], "host", "grade"), "B");
	assert_string_equal(s_at(r[1], "host", "name"), "h1");
	free_all(r, n);

	/* Same grade, not a full round: nothing to say. */
	assert_int_equal(postured_consume(pd, rep, strlen(rep), false), 0);
	assert_int_equal(take(r, 8), 0);

	/* A drop: the server's record, an alert, and the host's record. */
	rep = report("F", 30);
	assert_int_equal(postured_consume(pd, rep, strlen(rep), false), 0);
	n = take(r, 8);
	assert_int_equal(n, 3);
	assert_string_equal(s_at(r[0], "server", "grade"), "F");
	assert_string_equal(s_at(r[1], "kind", NULL), "alert");
	assert_string_equal(s_at(r[1], "rule", "id"), "mcp-posture-drop");
	assert_string_equal(s_at(r[1], "rule", "severity"), "high");
	assert_string_equal(s_at(r[1], "posture", "from"), "B");
	assert_string_equal(s_at(r[1], "posture", "to"), "F");
	assert_non_null(strstr(s_at(r[1], "message", NULL), "Served over HTTPS: plain HTTP"));
	assert_string_equal(s_at(r[2], "host", "grade"), "F");
	free_all(r, n);

	/* An improvement is written, but is no alert. */
	rep = report("A", 95);
	assert_int_equal(postured_consume(pd, rep, strlen(rep), false), 0);
	n = take(r, 8);
	assert_int_equal(n, 2);
	assert_string_equal(s_at(r[0], "kind", NULL), "posture");
	assert_string_equal(s_at(r[1], "kind", NULL), "posture");
	free_all(r, n);

	assert_int_equal(postured_consume(pd, "garbage", 7, false), -1);
	assert_int_equal(postured_consume(pd, "{\"servers\":3}", 13, false), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_full_then_changes_only, setup, teardown),
	};

	return cmocka_run_group_tests_name("postured", tests, NULL, NULL);
}
