/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Unit tests for alert records, redaction on output, and aggregation of repeats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deliver/health.h"
#include "detect/alert.h"
#include "lib/diag.h"

static const char rules_json[] =
    "{\"version\":1,\"rules\":[{\"id\":\"t-open\",\"name\":\"Test open\",\"event\":\"open\","
    "\"severity\":\"high\",\"condition\":{\"field\":\"process.in_server_tree\",\"op\":\"eq\","
    "\"value\":true},\"message\":\"{server.name} opened {file.path}\",\"tags\":[\"mcp\",\"x\"]}]}";

static struct ruleset *rs;
static struct proc srv, proc;
static char *srv_argv[] = {"node", "srv.js", "--token=supersecretvalue123"};

static int setup(void **state)
{
	struct diag d;

	diag_init(&d, stderr, false);

	(void)state;
	rs = ruleset_new();
	assert_int_equal(ruleset_load_buffer(rs, "t", rules_json, strlen(rules_json), &d), 0);
	memset(&srv, 0, sizeof(srv));
	memset(&proc, 0, sizeof(proc));
	srv.tgid = srv.server_tgid = 100;
	srv.role = ROLE_SERVER;
	srv.server_name = "fs-server";
	srv.exe = "/usr/bin/node";
	srv.argv = srv_argv;
	srv.argc = 3;
	srv.cmdline = "node srv.js --token=supersecretvalue123";
	srv.transport = "stdio";
	proc = srv;
	proc.container_id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ruleset_free(rs);
	return 0;
}

static struct evctx open_ctx(const char *path, int64_t t)
{
	struct evctx c = {.kind = RULE_EV_OPEN, .time_ns = t, .proc = &proc, .server = &srv};

	c.file.path = path;
	c.file.oflags = O_RDONLY | O_CLOEXEC;
	c.file.result = 5;
	c.net.tls = -1;
	return c;
}

static const char *str_at(const cJSON *o, const char *a, const char *b)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);

	if (b)
		x = cJSON_GetObjectItemCaseSensitive(x, b);
	assert_true(cJSON_IsString(x));
	return x->valuestring;
}

static double num_at(const cJSON *o, const char *a, const char *b)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);

	if (b)
		x = cJSON_GetObjectItemCaseSensitive(x, b);
	assert_true(cJSON_IsNumber(x));
	return x->valuedouble;
}

/* A known credential file opened by another path (a hard link). */
static void test_build_file_by_inode(void **state)
{
	struct evctx c = open_ctx("/var/tmp/innocent", 1764072000123456789LL);
	cJSON *rec;

	(void)state;
	c.file.canonical_path = "/home/u/.ssh/id_rsa";
	c.file.ino = 1311001;
	snprintf(c.file.device, sizeof(c.file.device), "259:3");
	rec = alert_build(ruleset_get(rs, 0), &c, "host-1");
	assert_non_null(rec);
	assert_string_equal(str_at(rec, "file", "path"), "/var/tmp/innocent");
	assert_string_equal(str_at(rec, "file", "canonical_path"), "/home/u/.ssh/id_rsa");
	assert_string_equal(str_at(rec, "file", "match"), "inode");
	assert_int_equal(num_at(rec, "file", "inode"), 1311001);
	assert_string_equal(str_at(rec, "file", "device"), "259:3");
	cJSON_Delete(rec);
}

static void test_build_fields_and_redaction(void **state)
{
	struct evctx c = open_ctx("/home/u/.ssh/id_rsa", 1764072000123456789LL);
	cJSON *rec = alert_build(ruleset_get(rs, 0), &c, "host-1");
	const cJSON *tags;

	(void)state;
	assert_non_null(rec);
	assert_string_equal(str_at(rec, "kind", NULL), "alert");
	assert_string_equal(str_at(rec, "time", NULL), "2025-11-25T12:00:00.123456789Z");
	assert_string_equal(str_at(rec, "host", "name"), "host-1");
	assert_string_equal(str_at(rec, "rule", "id"), "t-open");
	assert_string_equal(str_at(rec, "rule", "severity"), "high");
	tags = cJSON_GetObjectItem(cJSON_GetObjectItem(rec, "rule"), "tags");
	assert_int_equal(cJSON_GetArraySize(tags), 2);
	assert_string_equal(str_at(rec, "message", NULL), "fs-server opened /home/u/.ssh/id_rsa");
	assert_int_equal(num_at(rec, "count", NULL), 1);
	assert_int_equal(num_at(rec, "server", "pid"), 100);
	assert_string_equal(str_at(rec, "server", "name"), "fs-server");
	/* The token in the command line never reaches the record. */
	assert_null(strstr(str_at(rec, "server", "cmdline"), "supersecretvalue123"));
	assert_null(strstr(str_at(rec, "process", "cmdline"), "supersecretvalue123"));
	assert_string_equal(str_at(rec, "file", "path"), "/home/u/.ssh/id_rsa");
	assert_string_equal(str_at(rec, "file", "flags"), "O_RDONLY|O_CLOEXEC");
	assert_int_equal(num_at(rec, "file", "result"), 5);
	/* Recognised by its path: canonical is the path, no identity known. */
	assert_string_equal(str_at(rec, "file", "canonical_path"), "/home/u/.ssh/id_rsa");
	assert_string_equal(str_at(rec, "file", "match"), "path");
	assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(rec, "file"), "inode"));
	assert_string_equal(str_at(rec, "container", "id"), proc.container_id);
	assert_null(cJSON_GetObjectItem(rec, "network"));
	/* Only the id is known: no name, image, runtime or k8s object. */
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(rec, "container")), 1);
	assert_null(cJSON_GetObjectItem(rec, "k8s"));
	cJSON_Delete(rec);
}

/* A pod's container: every name known goes in, an unknown one stays out. */
static void test_container_and_pod_names(void **state)
{
	struct evctx c = open_ctx("/etc/shadow", 1764072000000000000LL);
	struct workload *w = &c.workload;
	const cJSON *k8s;
	cJSON *rec;

	(void)state;
	WORKLOAD_SET(w->container_id, proc.container_id);
	WORKLOAD_SET(w->container_runtime, "containerd");
	WORKLOAD_SET(w->container_name, "mcp");
	WORKLOAD_SET(w->pod_name, "mcp-7d9f");
	WORKLOAD_SET(w->pod_uid, "5a1b2c3d-4e5f-6789-abcd-ef0123456789");
	WORKLOAD_SET(w->pod_namespace, "agents");
	WORKLOAD_SET(w->k8s_container_name, "mcp");
	/* No image and no node name known: left out, never "". */
	rec = alert_build(ruleset_get(rs, 0), &c, "host-1");
	assert_non_null(rec);
	assert_string_equal(str_at(rec, "container", "id"), proc.container_id);
	assert_string_equal(str_at(rec, "container", "name"), "mcp");
	assert_string_equal(str_at(rec, "container", "runtime"), "containerd");
	assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(rec, "container"), "image"));
	k8s = cJSON_GetObjectItem(rec, "k8s");
	assert_string_equal(str_at(k8s, "pod", "name"), "mcp-7d9f");
	assert_string_equal(str_at(k8s, "pod", "uid"), "5a1b2c3d-4e5f-6789-abcd-ef0123456789");
	assert_string_equal(str_at(k8s, "namespace", NULL), "agents");
	assert_string_equal(str_at(k8s, "container", "name"), "mcp");
	assert_null(cJSON_GetObjectItem(k8s, "node"));
	cJSON_Delete(rec);
}

static cJSON **read_records(FILE *f, int *n)
{
	static cJSON *recs[64];
	char line[16384];

	*n = 0;
	rewind(f);
	while (*n < 64 && fgets(line, sizeof(line), f)) {
		recs[*n] = cJSON_Parse(line);
		assert_non_null(recs[*n]);
		(*n)++;
	}
	return recs;
}

static void test_repeats_are_aggregated(void **state)
{
	FILE *f = tmpfile();
	struct output *out = output_new_stream(f);
	struct alerter *a = alerter_new(out, "h", 10);
	const int64_t t0 = 1764072000LL * 1000000000;
	cJSON **recs;
	int n;

	(void)state;
	for (int i = 0; i < 20; i++) {
		struct evctx c = open_ctx("/root/.aws/credentials", t0 + i * 1000000LL);

		alerter_emit(a, ruleset_get(rs, 0), &c);
	}
	struct evctx other = open_ctx("/root/.kube/config", t0 + 5);

	alerter_emit(a, ruleset_get(rs, 0), &other);
	assert_int_equal(alerter_suppressed(a), 19);
	recs = read_records(f, &n);
	assert_int_equal(n, 2); /* the first of each key, at once */
	for (int i = 0; i < n; i++)
		cJSON_Delete(recs[i]);
	alerter_tick(a, t0 + 5LL * 1000000000); /* window still open */
	recs = read_records(f, &n);
	assert_int_equal(n, 2);
	for (int i = 0; i < n; i++)
		cJSON_Delete(recs[i]);
	alerter_tick(a, t0 + 11LL * 1000000000);
	recs = read_records(f, &n);
	assert_int_equal(n, 3); /* one summary; the key without repeats writes nothing */
	assert_int_equal(num_at(recs[2], "count", NULL), 19);
	assert_string_equal(str_at(recs[2], "file", "path"), "/root/.aws/credentials");
	assert_string_equal(str_at(recs[2], "aggregate", "first_time"),
			    "2025-11-25T12:00:00.000000000Z");
	assert_string_equal(str_at(recs[2], "aggregate", "last_time"),
			    "2025-11-25T12:00:00.019000000Z");
	for (int i = 0; i < n; i++)
		cJSON_Delete(recs[i]);
	/* After the window the same key starts again with count 1. */
	struct evctx again = open_ctx("/root/.aws/credentials", t0 + 12LL * 1000000000);

	alerter_emit(a, ruleset_get(rs, 0), &again);
	recs = read_records(f, &n);
	assert_int_equal(n, 4);
	assert_int_equal(num_at(recs[3], "count", NULL), 1);
	for (int i = 0; i < n; i++)
		cJSON_Delete(recs[i]);
	alerter_free(a);
	output_free(out);
	fclose(f);
}

/*
 * A flood of one key does not rebuild its record per match: the summary's
 * record is of the latest repeat from another process (or tool call), else
 * refreshed once a second, and its time is always the last repeat's.
 */
static void test_summary_record_refresh(void **state)
{
	FILE *f = tmpfile();
	struct output *out = output_new_stream(f);
	struct alerter *a = alerter_new(out, "h", 10);
	const int64_t t0 = 1764072000LL * 1000000000;
	struct proc child = proc;
	cJSON **recs;
	int n;

	(void)state;
	child.tgid = 4242;
	for (int i = 0; i < 5; i++) {
		struct evctx c = open_ctx("/root/.aws/credentials", t0 + i * 1000000LL);

		alerter_emit(a, ruleset_get(rs, 0), &c);
	}
	/* Another process of the tree, same key: its record is the one kept. */
	struct evctx c2 = open_ctx("/root/.aws/credentials", t0 + 6000000LL);

	c2.proc = &child;
	alerter_emit(a, ruleset_get(rs, 0), &c2);
	/* The same process again within the second: not rebuilt (its result
	 * differs, the summary keeps c2's)... */
	struct evctx c3 = open_ctx("/root/.aws/credentials", t0 + 7000000LL);

	c3.proc = &child;
	c3.file.result = 9;
	alerter_emit(a, ruleset_get(rs, 0), &c3);
	alerter_tick(a, t0 + 11LL * 1000000000);
	recs = read_records(f, &n);
	assert_int_equal(n, 2);
	assert_int_equal(num_at(recs[1], "count", NULL), 6);
	assert_int_equal(num_at(recs[1], "process", "pid"), 4242);
	assert_int_equal(num_at(recs[1], "file", "result"), 5);
	/* ...but the summary says when the last repeat was. */
	assert_string_equal(str_at(recs[1], "time", NULL), "2025-11-25T12:00:00.007000000Z");
	assert_string_equal(str_at(recs[1], "aggregate", "last_time"),
			    "2025-11-25T12:00:00.007000000Z");
	for (int i = 0; i < n; i++)
		cJSON_Delete(recs[i]);
	alerter_free(a);
	output_free(out);
	fclose(f);
}

/* Windows close oldest key first in time, summaries written newest first,
 * and a key whose window is still open is left alone. */
static void test_tick_closes_only_expired(void **state)
{
	FILE *f = tmpfile();
	struct output *out = output_new_stream(f);
	struct alerter *a = alerter_new(out, "h", 10);
	const int64_t t0 = 1764072000LL * 1000000000;
	const char *paths[] = {"/root/.aws/credentials", "/root/.kube/config", "/root/.netrc"};
	cJSON **recs;
	int n;

	(void)state;
	for (int k = 0; k < 3; k++)
		for (int i = 0; i < 2; i++) {
			struct evctx c = open_ctx(paths[k], t0 + k * 3LL * 1000000000 + i);

			alerter_emit(a, ruleset_get(rs, 0), &c);
		}
	alerter_tick(a, t0 + 13LL * 1000000000 + 5); /* keys 0 and 1 expired, 2 not */
	recs = read_records(f, &n);
	assert_int_equal(n, 5);
	assert_string_equal(str_at(recs[3], "file", "path"), paths[1]);
	assert_string_equal(str_at(recs[4], "file", "path"), paths[0]);
	for (int i = 0; i < n; i++)
		cJSON_Delete(recs[i]);
	alerter_tick(a, t0 + 16LL * 1000000000 + 5);
	recs = read_records(f, &n);
	assert_int_equal(n, 6);
	assert_string_equal(str_at(recs[5], "file", "path"), paths[2]);
	for (int i = 0; i < n; i++)
		cJSON_Delete(recs[i]);
	alerter_free(a);
	output_free(out);
	fclose(f);
}

/* A reload: the pending summary goes to the old output, later alerts to the
 * new one with the new window, and the match count goes on. */
static void test_reconfigure(void **state)
{
	FILE *f1 = tmpfile(), *f2 = tmpfile();
	struct output *o1 = output_new_stream(f1), *o2 = output_new_stream(f2);
	struct alerter *a = alerter_new(o1, "h", 60);
	const int64_t t0 = 1764072000LL * 1000000000;
	cJSON **recs;
	int n;

	(void)state;
	for (int i = 0; i < 3; i++) {
		struct evctx c = open_ctx("/root/.aws/credentials", t0 + i);

		alerter_emit(a, ruleset_get(rs, 0), &c);
	}
	alerter_reconfigure(a, o2, 0);
	recs = read_records(f1, &n);
	assert_int_equal(n, 2); /* the first, then the summary of 2 repeats */
	assert_int_equal(num_at(recs[1], "count", NULL), 2);
	for (int i = 0; i < n; i++)
		cJSON_Delete(recs[i]);
	for (int i = 0; i < 2; i++) {
		struct evctx c = open_ctx("/root/.aws/credentials", t0 + 10 + i);

		alerter_emit(a, ruleset_get(rs, 0), &c);
	}
	/* Window 0: every match is written at once, to the new output. */
	recs = read_records(f2, &n);
	assert_int_equal(n, 2);
	for (int i = 0; i < n; i++)
		cJSON_Delete(recs[i]);
	recs = read_records(f1, &n);
	assert_int_equal(n, 2);
	for (int i = 0; i < n; i++)
		cJSON_Delete(recs[i]);
	assert_int_equal(alerter_matches(a), 5);
	{
		struct health_labeled by_rule[4];

		assert_int_equal(alerter_rule_counts(a, by_rule, 4), 1);
		assert_string_equal(by_rule[0].label, ruleset_get(rs, 0)->id);
		assert_int_equal(by_rule[0].n, 5);
		assert_int_equal(alerter_rule_counts(a, by_rule, 0), 0);
	}
	alerter_free(a);
	output_free(o1);
	output_free(o2);
	fclose(f1);
	fclose(f2);
}

/* Records on f: how many, the sum of their counts, and which "/k/<i>" paths
 * had a summary (a record with "aggregate"). */
static int scan_records(FILE *f, uint64_t *count_sum, bool *summarised, int nkeys)
{
	char line[16384];
	int n = 0;

	*count_sum = 0;
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		cJSON *rec = cJSON_Parse(line);
		int k;

		assert_non_null(rec);
		*count_sum += (uint64_t)num_at(rec, "count", NULL);
		if (cJSON_GetObjectItem(rec, "aggregate")) {
			assert_int_equal(sscanf(str_at(rec, "file", "path"), "/k/%d", &k), 1);
			assert_true(k >= 0 && k < nkeys && !summarised[k]);
			summarised[k] = true;
		}
		cJSON_Delete(rec);
		n++;
	}
	return n;
}

static void emit_key(struct alerter *a, int k, int64_t t)
{
	char path[32];
	struct evctx c;

	snprintf(path, sizeof(path), "/k/%d", k);
	c = open_ctx(path, t);
	alerter_emit(a, ruleset_get(rs, 0), &c);
}

static void test_many_distinct_keys(void **state)
{
	enum { KEYS = 3000, ROUNDS = 3 };
	static bool summarised[KEYS];
	FILE *f = tmpfile();
	struct output *out = output_new_stream(f);
	struct alerter *a = alerter_new(out, "h", 10);
	const int64_t t0 = 1764072000LL * 1000000000;
	uint64_t sum;

	(void)state;
	for (int r = 0; r < ROUNDS; r++)
		for (int k = 0; k < KEYS; k++)
			emit_key(a, k, t0 + r * 1000 + k);
	assert_int_equal(alerter_suppressed(a), (ROUNDS - 1) * KEYS);
	assert_int_equal(scan_records(f, &sum, summarised, KEYS), KEYS);
	alerter_tick(a, t0 + 11LL * 1000000000);
	/* One summary per key, each counting its repeats; no occurrence lost. */
	assert_int_equal(scan_records(f, &sum, summarised, KEYS), 2 * KEYS);
	assert_int_equal(sum, ROUNDS * KEYS);
	for (int k = 0; k < KEYS; k++)
		assert_true(summarised[k]);
	alerter_free(a);
	output_free(out);
	fclose(f);
}

/* A '|' in the program or the path cannot make two different keys one. */
static void test_separator_in_fields_keeps_keys_apart(void **state)
{
	FILE *f = tmpfile();
	struct output *out = output_new_stream(f);
	struct alerter *a = alerter_new(out, "h", 10);
	struct proc other = proc;
	struct evctx c1, c2;

	(void)state;
	proc.exe = "/x/a|b";
	other.exe = "/x/a";
	c1 = open_ctx("c", 1);
	c2 = open_ctx("b|c", 2);
	c2.proc = &other;
	alerter_emit(a, ruleset_get(rs, 0), &c1);
	alerter_emit(a, ruleset_get(rs, 0), &c2);
	proc.exe = srv.exe;
	assert_int_equal(alerter_suppressed(a), 0); /* both written at once */
	alerter_free(a);
	output_free(out);
	fclose(f);
}

static void test_flood_of_keys_stays_bounded(void **state)
{
	enum { KEYS = 5000 }; /* more than the alerter keeps (4096) */
	static bool summarised[KEYS];
	FILE *f = tmpfile();
	struct output *out = output_new_stream(f);
	struct alerter *a = alerter_new(out, "h", 10);
	uint64_t sum;

	(void)state;
	for (int k = 0; k < KEYS; k++)
		emit_key(a, k, 1000 + k);
	assert_int_equal(scan_records(f, &sum, summarised, KEYS), KEYS);
	/* The table was flushed when full: an old key starts afresh, a recent one repeats. */
	emit_key(a, 0, 9000);
	assert_int_equal(alerter_suppressed(a), 0);
	emit_key(a, KEYS - 1, 9001);
	assert_int_equal(alerter_suppressed(a), 1);
	assert_int_equal(scan_records(f, &sum, summarised, KEYS), KEYS + 1);
	alerter_free(a); /* writes the pending summary */
	assert_int_equal(scan_records(f, &sum, summarised, KEYS), KEYS + 2);
	assert_int_equal(sum, KEYS + 2);
	assert_true(summarised[KEYS - 1]);
	output_free(out);
	fclose(f);
}

static void test_window_zero_reports_every_event(void **state)
{
	FILE *f = tmpfile();
	struct output *out = output_new_stream(f);
	struct alerter *a = alerter_new(out, "h", 0);
	cJSON **recs;
	int n;

	(void)state;
	for (int i = 0; i < 3; i++) {
		struct evctx c = open_ctx("/etc/shadow", 1000 + i);

		alerter_emit(a, ruleset_get(rs, 0), &c);
	}
	recs = read_records(f, &n);
	assert_int_equal(n, 3);
	for (int i = 0; i < n; i++)
		cJSON_Delete(recs[i]);
	alerter_free(a);
	output_free(out);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_build_fields_and_redaction),
	    cmocka_unit_test(test_build_file_by_inode),
	    cmocka_unit_test(test_container_and_pod_names),
	    cmocka_unit_test(test_repeats_are_aggregated),
	    cmocka_unit_test(test_summary_record_refresh),
	    cmocka_unit_test(test_tick_closes_only_expired),
	    cmocka_unit_test(test_reconfigure),
	    cmocka_unit_test(test_many_distinct_keys),
	    cmocka_unit_test(test_separator_in_fields_keeps_keys_apart),
	    cmocka_unit_test(test_flood_of_keys_stays_bounded),
	    cmocka_unit_test(test_window_zero_reports_every_event),
	};

	return cmocka_run_group_tests_name("alert", tests, setup, teardown);
}
