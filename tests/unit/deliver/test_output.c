// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Unit tests for the outputs framework (user/deliver/output.c, user/deliver/delivery.c) with
 * a scripted in-test sink: order, batching, retry and backoff, at-least-once
 * across a restart, drop counting by reason, a slow sink never slowing the
 * writer; and the "outputs", "spool_dir" and "redaction" config keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "lib/json.h"
#include "deliver/output.h"
#include "deliver/delivery.h"
#include "deliver/sinks/sink.h"
#include "lib/clock.h"
#include "diagto.h"

#define MAX_GOT 8192

/* ------------------------------------------------------------------ the fake sink */

static struct fake {
	pthread_mutex_t lock;
	int got[MAX_GOT]; /* "seq" of each record answered OK, in order */
	size_t ngot, calls, max_batch;
	int64_t call_ns[64];
	int retry_calls;   /* the next calls answer RETRY for every record */
	bool always_retry; /* every call answers RETRY */
	int ok_then_retry; /* > 0: the first call answers OK for this many, RETRY after */
	int reject_every;  /* > 0: records with seq % reject_every == 0 are REJECTed */
	int sleep_ms;	   /* each call takes this long */
	size_t sink_max;   /* the ops' max_batch */
} fake = {.lock = PTHREAD_MUTEX_INITIALIZER};

static int seq_of(const struct sink_record *r)
{
	const char *p = strstr(r->data, "\"seq\":");

	return p ? atoi(p + 6) : -1;
}

static int fake_open(struct sink *s, const struct json_value *cfg, const char *file, char *err,
		     size_t errlen)
{
	s->priv = &fake;
	return 0;
}

static enum sink_status fake_status(size_t i, const struct sink_record *r)
{
	if (fake.always_retry || fake.retry_calls > 0)
		return SINK_RETRY;
	if (fake.ok_then_retry > 0 && i >= (size_t)fake.ok_then_retry)
		return SINK_RETRY;
	if (fake.reject_every > 0 && seq_of(r) % fake.reject_every == 0)
		return SINK_REJECT;
	return SINK_OK;
}

static void fake_send(struct sink *s, const struct sink_record *recs, size_t n,
		      enum sink_status *status, char *why, size_t whylen)
{
	struct timespec ts;

	if (fake.sleep_ms)
		usleep((useconds_t)fake.sleep_ms * 1000);
	pthread_mutex_lock(&fake.lock);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (fake.calls < 64)
		fake.call_ns[fake.calls] = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	fake.calls++;
	if (n > fake.max_batch)
		fake.max_batch = n;
	for (size_t i = 0; i < n; i++) {
		status[i] = fake_status(i, &recs[i]);
		if (status[i] == SINK_OK && fake.ngot < MAX_GOT)
			fake.got[fake.ngot++] = seq_of(&recs[i]);
	}
	if (fake.retry_calls > 0)
		fake.retry_calls--;
	if (fake.ok_then_retry > 0)
		fake.ok_then_retry = 0;
	snprintf(why, whylen, "scripted");
	pthread_mutex_unlock(&fake.lock);
}

static void fake_close(struct sink *s)
{
}

static struct sink_ops fake_ops = {
    .type = "fake",
    .open = fake_open,
    .send = fake_send,
    .close = fake_close,
};

/* ------------------------------------------------------------------ helpers */

static char dir[64];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int setup(void **state)
{
	pthread_mutex_lock(&fake.lock);
	memset(fake.got, 0, sizeof(fake.got));
	fake.ngot = fake.calls = fake.max_batch = 0;
	fake.retry_calls = fake.ok_then_retry = fake.reject_every = fake.sleep_ms = 0;
	fake.always_retry = false;
	fake.sink_max = 0;
	fake_ops.max_batch = 0;
	pthread_mutex_unlock(&fake.lock);
	snprintf(dir, sizeof(dir), "/tmp/mw-outputs-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static struct output_opts opts_default(void)
{
	struct output_opts o = {
	    .format = FMT_NATIVE,
	    .spool_dir = dir,
	    .spool_max_bytes = 64 << 20,
	    .batch_max_records = 500,
	    .batch_max_bytes = 1 << 20,
	    .batch_max_wait_ms = 0,
	    .retry_initial_ms = 5,
	    .retry_max_ms = 20,
	};
	return o;
}

static struct output *fake_output(const struct output_opts *opts)
{
	struct output *o = output_new_empty();
	char err[512] = "";

	assert_non_null(o);
	if (output_add(o, &fake_ops, "fake", NULL, NULL, opts, err, sizeof(err)))
		fail_msg("output_add: %s", err);
	return o;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void write_seq(struct output *o, int seq, size_t pad)
{
	cJSON *rec = record_new("alert", clock_realtime_ns(), "host-1");
	char *p = NULL;

	cJSON_AddNumberToObject(rec, "seq", seq);
	if (pad) {
		p = malloc(pad + 1);
		memset(p, 'x', pad);
		p[pad] = '\0';
		cJSON_AddStringToObject(rec, "pad", p);
	}
	assert_int_equal(output_write(o, rec), 0);
	cJSON_Delete(rec);
	free(p);
}

static size_t got_count(void)
{
	size_t n;

	pthread_mutex_lock(&fake.lock);
	n = fake.ngot;
	pthread_mutex_unlock(&fake.lock);
	return n;
}

static void wait_got(size_t n)
{
	int64_t end = now_ns() + 20LL * 1000000000;

	while (got_count() < n && now_ns() < end)
		usleep(5000);
	if (got_count() < n)
		fail_msg("only %zu of %zu records arrived", got_count(), n);
}

static uint64_t pending_of(struct output *o)
{
	cJSON *st = output_stats_json(o);
	uint64_t n =
	    (uint64_t)cJSON_GetObjectItem(cJSON_GetArrayItem(st, 0), "pending")->valuedouble;

	cJSON_Delete(st);
	return n;
}

static void wait_idle(struct output *o)
{
	int64_t end = now_ns() + 20LL * 1000000000;

	while (pending_of(o) && now_ns() < end)
		usleep(5000);
	if (pending_of(o)) {
		cJSON *st = output_stats_json(o);
		char *text = cJSON_PrintUnformatted(st);

		print_error("still pending after 20 s: %s (sink calls %zu)\n", text, fake.calls);
		cJSON_free(text);
		cJSON_Delete(st);
		fail();
	}
}

/* Every seq 0..n-1 arrived, in order, perhaps some twice (at-least-once). */
static void assert_in_order(int n, bool duplicates_allowed)
{
	int next = 0;

	pthread_mutex_lock(&fake.lock);
	for (size_t i = 0; i < fake.ngot; i++) {
		int s = fake.got[i];

		if (s == next)
			next++;
		else if (!duplicates_allowed || s > next)
			fail_msg("record %zu is seq %d, expected %d", i, s, next);
	}
	pthread_mutex_unlock(&fake.lock);
	assert_int_equal(next, n);
}

/* The drop count of (output, reason) returned by one collect call. */
static uint64_t drops_of(struct output *o, const char *reason)
{
	struct output_drop d[16];
	size_t n = output_collect_drops(o, d, 16);
	uint64_t total = 0;

	for (size_t i = 0; i < n; i++)
		if (strcmp(d[i].reason, reason) == 0)
			total += d[i].count;
	return total;
}

/* ------------------------------------------------------------------ delivery */

static void test_order_and_batch_size(void **state)
{
	struct output_opts opts = opts_default();
	struct output *o;

	opts.batch_max_records = 10;
	o = fake_output(&opts);
	for (int i = 0; i < 200; i++)
		write_seq(o, i, 0);
	wait_got(200);
	assert_in_order(200, false);
	assert_true(fake.max_batch <= 10);
	assert_int_equal(output_records(o), 200);
	output_free(o);
}

/* The sink's own max_batch caps batch_max_records. */
static void test_sink_max_batch_caps(void **state)
{
	struct output_opts opts = opts_default();
	struct output *o;

	fake_ops.max_batch = 1;
	o = fake_output(&opts);
	for (int i = 0; i < 20; i++)
		write_seq(o, i, 0);
	wait_got(20);
	assert_int_equal(fake.max_batch, 1);
	assert_in_order(20, false);
	output_free(o);
}

/* A batch waits batch_max_wait_ms for company, then goes as one. */
static void test_batch_waits_for_time(void **state)
{
	struct output_opts opts = opts_default();
	struct output *o;

	opts.batch_max_wait_ms = 300;
	o = fake_output(&opts);
	for (int i = 0; i < 5; i++)
		write_seq(o, i, 0);
	usleep(100 * 1000);
	assert_int_equal(got_count(), 0);
	wait_got(5);
	assert_int_equal(fake.calls, 1);
	output_free(o);
}

static void test_retry_then_delivered_in_order(void **state)
{
	struct output_opts opts = opts_default();
	struct output *o;

	fake.retry_calls = 3;
	o = fake_output(&opts);
	for (int i = 0; i < 30; i++)
		write_seq(o, i, 0);
	wait_got(30);
	assert_in_order(30, false);
	assert_true(fake.calls >= 4);
	assert_int_equal(drops_of(o, "rejected"), 0);
	output_free(o);
}

/* A batch half taken: the taken prefix is acked, the rest retried, order kept. */
static void test_partial_batch(void **state)
{
	struct output_opts opts = opts_default();
	struct output *o;

	opts.batch_max_wait_ms = 200; /* all 10 in the first batch */
	fake.ok_then_retry = 4;
	o = fake_output(&opts);
	for (int i = 0; i < 10; i++)
		write_seq(o, i, 0);
	wait_got(10);
	assert_in_order(10, false);
	assert_int_equal(fake.calls, 2);
	output_free(o);
}

static void test_rejected_are_dropped_and_counted(void **state)
{
	struct output_opts opts = opts_default();
	struct output *o;

	fake.reject_every = 5;
	o = fake_output(&opts);
	for (int i = 0; i < 20; i++)
		write_seq(o, i, 0);
	wait_idle(o);
	assert_int_equal(got_count(), 16);
	assert_int_equal(drops_of(o, "rejected"), 4);
	assert_int_equal(drops_of(o, "rejected"), 0); /* reported once */
	output_free(o);
}

/* The receiver is down; the agent stops and starts again; nothing is lost. */
static void test_restart_mid_retry_loses_nothing(void **state)
{
	struct output_opts opts = opts_default();
	struct output *o;
	int64_t t0;

	fake.always_retry = true;
	o = fake_output(&opts);
	for (int i = 0; i < 30; i++)
		write_seq(o, i, 0);
	while (fake.calls < 2)
		usleep(5000);
	t0 = now_ns();
	output_free(o); /* stops within OUTPUT_STOP_MS */
	assert_true(now_ns() - t0 < (OUTPUT_STOP_MS + 1000) * 1000000LL);
	assert_int_equal(got_count(), 0);

	fake.always_retry = false;
	o = fake_output(&opts);
	write_seq(o, 30, 0);
	wait_got(31);
	assert_in_order(31, false);
	output_free(o);
}

/* Shutdown delivers what is queued when the receiver is up. */
static void test_stop_flushes(void **state)
{
	struct output_opts opts = opts_default();
	struct output *o;

	opts.batch_max_wait_ms = 60000; /* only the stop sends */
	o = fake_output(&opts);
	for (int i = 0; i < 50; i++)
		write_seq(o, i, 0);
	output_free(o);
	assert_in_order(50, false);
}

static void test_slow_sink_never_blocks_the_writer(void **state)
{
	struct output_opts opts = opts_default();
	int64_t worst = 0, t0, t;
	struct output *o;

	fake.sleep_ms = 300;
	opts.batch_max_records = 1;
	o = fake_output(&opts);
	t0 = now_ns();
	for (int i = 0; i < 2000; i++) {
		t = now_ns();
		write_seq(o, i, 0);
		t = now_ns() - t;
		worst = t > worst ? t : worst;
	}
	t = now_ns() - t0;
	print_message("2000 writes in %lld ms, slowest %lld us, sink calls so far %zu\n",
		      (long long)(t / 1000000), (long long)(worst / 1000), fake.calls);
	assert_true(t < 1000LL * 1000000);
	assert_true(worst < 100LL * 1000000);
	assert_true(fake.calls < 10);
	output_free(o);
}

static void test_queue_full_is_counted(void **state)
{
	struct output_opts opts = opts_default();
	struct output *o;

	/* Records larger than the queue itself: each is dropped on arrival,
	 * deterministically. */
	opts.queue_max_bytes = 64;
	o = fake_output(&opts);
	for (int i = 0; i < 10; i++)
		write_seq(o, i, 100);
	assert_int_equal(drops_of(o, "queue_full"), 10);
	output_free(o);
	assert_int_equal(got_count(), 0);

	/* A one-record queue: whatever the spooler did not take in time goes. */
	opts = opts_default();
	opts.queue_max_records = 1;
	o = fake_output(&opts);
	for (int i = 0; i < 3000; i++)
		write_seq(o, i, 0);
	wait_idle(o);
	print_message("queue of 1: %zu delivered\n", got_count());
	assert_int_equal(got_count() + drops_of(o, "queue_full"), 3000);
	output_free(o);
}

static void test_spool_full_drops_oldest(void **state)
{
	struct output_opts opts = opts_default();
	uint64_t dropped;
	struct output *o;
	int last;

	fake.always_retry = true;
	opts.spool_max_bytes = 65536;
	opts.retry_initial_ms = opts.retry_max_ms = 50;
	o = fake_output(&opts);
	for (int i = 0; i < 300; i++)
		write_seq(o, i, 1000);
	usleep(300 * 1000); /* the spooler has them all */
	pthread_mutex_lock(&fake.lock);
	fake.always_retry = false;
	pthread_mutex_unlock(&fake.lock);
	wait_idle(o);
	dropped = drops_of(o, "spool_full");
	print_message("spool of 64 KiB: %zu delivered, %llu dropped\n", got_count(),
		      (unsigned long long)dropped);
	assert_true(dropped > 200);
	assert_int_equal(got_count() + dropped, 300);
	/* The newest survive, in order. */
	last = fake.got[fake.ngot - 1];
	assert_int_equal(last, 299);
	for (size_t i = 1; i < fake.ngot; i++)
		assert_int_equal(fake.got[i], fake.got[i - 1] + 1);
	output_free(o);
}

static void test_backoff_function(void **state)
{
	/* Attempt 1 is the initial delay. */
	assert_int_equal(delivery_backoff_ms(1, 500, 60000, 0), 500);
	assert_int_equal(delivery_backoff_ms(1, 500, 60000, 12345), 500);
	/* Then up to initial * 2^(n-1), never less than initial. */
	assert_int_equal(delivery_backoff_ms(2, 500, 60000, 0), 500);
	assert_int_equal(delivery_backoff_ms(2, 500, 60000, 500), 1000);
	assert_int_equal(delivery_backoff_ms(3, 500, 60000, 1500), 2000);
	assert_int_equal(delivery_backoff_ms(3, 500, 60000, 1501), 500);
	/* Capped at max, however many attempts. */
	for (unsigned a = 1; a < 200; a++)
		for (uint64_t r = 0; r < 100000000; r += 9999991) {
			int64_t d = delivery_backoff_ms(a, 500, 60000, r * 2654435761u);

			assert_true(d >= 500 && d <= 60000);
		}
	assert_int_equal(delivery_backoff_ms(100, 500, 60000, 59500), 60000);
	assert_int_equal(delivery_backoff_ms(3, 100, 50, 7), 100); /* max below initial */
}

/* Real delays between tries grow from initial towards max, never beyond. */
static void test_backoff_timing(void **state)
{
	struct output_opts opts = opts_default();
	struct output *o;
	int64_t gap;

	opts.retry_initial_ms = 20;
	opts.retry_max_ms = 80;
	fake.retry_calls = 8;
	o = fake_output(&opts);
	write_seq(o, 0, 0);
	wait_got(1);
	assert_int_equal(fake.calls, 9);
	for (size_t i = 1; i < 9; i++) {
		gap = (fake.call_ns[i] - fake.call_ns[i - 1]) / 1000000;
		print_message("retry %zu after %lld ms\n", i, (long long)gap);
		assert_true(gap >= 19);
		assert_true(gap <= 80 + 60);
	}
	output_free(o);
}

static void test_drop_report_collects_deltas(void **state)
{
	struct output *o;
	struct output_drop d[4];
	char err[512] = "";
	struct output_opts opts = {.format = FMT_NATIVE};
	FILE *full;

	o = output_new_empty();
	assert_int_equal(output_add(o, &sink_file_ops, "full", NULL, NULL, &opts, err, sizeof(err)),
			 -1); /* a file output needs its config */
	assert_non_null(strstr(err, "full"));
	output_free(o);

	/* /dev/full: every write fails and is counted as write_error. */
	full = fopen("/dev/full", "w");
	assert_non_null(full);
	o = output_new_stream(full);
	assert_int_equal(output_collect_drops(o, d, 4), 0);
	{
		cJSON *rec = record_new("agent", 0, "h");

		assert_int_equal(output_write(o, rec), -EIO);
		assert_int_equal(output_write(o, rec), -EIO);
		cJSON_Delete(rec);
	}
	assert_int_equal(output_collect_drops(o, d, 4), 1);
	assert_string_equal(d[0].output, "stdout");
	assert_string_equal(d[0].reason, "write_error");
	assert_int_equal(d[0].count, 2);
	assert_int_equal(output_collect_drops(o, d, 4), 0);
	output_free(o);
	fclose(full);
}

static void test_stats_json(void **state)
{
	struct output_opts opts = opts_default();
	struct output *o = fake_output(&opts);
	cJSON *st, *item;
	char *text;

	fake.reject_every = 2;
	for (int i = 0; i < 4; i++)
		write_seq(o, i, 0);
	wait_idle(o);
	st = output_stats_json(o);
	item = cJSON_GetArrayItem(st, 0);
	text = cJSON_PrintUnformatted(item);
	assert_string_equal(text, "{\"name\":\"fake\",\"type\":\"fake\",\"format\":\"native\","
				  "\"delivered\":2,\"pending\":0,\"dropped\":{\"rejected\":2}}");
	cJSON_free(text);
	cJSON_Delete(st);
	output_free(o);
}

/* ------------------------------------------------------------------ stream and formats */

static void test_stream_output_writes_lines(void **state)
{
	char buf[512] = "";
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	struct output *o = output_new_stream(f);
	cJSON *rec = record_new("agent", 1700000000123456789LL, "h");

	assert_int_equal(output_write(o, rec), 0);
	assert_int_equal(output_records(o), 1);
	cJSON_Delete(rec);
	output_free(o);
	fclose(f);
	assert_string_equal(buf, "{\"kind\":\"agent\",\"time\":\"2023-11-14T22:13:20.123456789Z\","
				 "\"host\":{\"name\":\"h\"}}\n");
}

/* ------------------------------------------------------------------ config */

static char diag[8192];

static int load(struct config *c, const char *doc)
{
	FILE *f = fmemopen(diag, sizeof(diag), "w");
	int rc;

	memset(diag, 0, sizeof(diag));
	rc = config_load_buffer(c, "c.json", doc, strlen(doc), diag_to(f));
	fclose(f);
	return rc;
}

static void expect_diag(const char *doc, const char *want)
{
	struct config c;

	config_defaults(&c);
	assert_int_equal(load(&c, doc), -1);
	if (strcmp(diag, want))
		print_error("doc:  %s\nwant: %sgot:  %s", doc, want, diag);
	assert_string_equal(diag, want);
	config_free(&c);
}

/* The config loads, output_new fails with exactly want. */
static void expect_open_error(const char *doc, const char *want)
{
	struct config c;
	char err[2048];

	config_defaults(&c);
	if (load(&c, doc))
		fail_msg("%s", diag);
	assert_null(config_output_new(&c, stdout, err, sizeof(err)));
	config_free(&c);
	if (strcmp(err, want))
		print_error("doc:  %s\nwant: %s\ngot:  %s\n", doc, want, err);
	assert_string_equal(err, want);
}

static void test_config_defaults(void **state)
{
	char buf[256] = "", err[256];
	struct config c;
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	struct output *o;
	cJSON *rec = record_new("agent", 0, "h");

	config_defaults(&c);
	assert_int_equal(load(&c, "{\"outputs\": []}"), 0);
	assert_int_equal(c.noutputs, 0);
	assert_null(c.spool_dir);
	assert_int_equal(c.nredact_patterns, 0);
	/* No outputs: the native stream on stdout, as always. */
	o = config_output_new(&c, f, err, sizeof(err));
	assert_non_null(o);
	assert_int_equal(output_write(o, rec), 0);
	output_free(o);
	fclose(f);
	assert_non_null(strstr(buf, "\"kind\":\"agent\""));
	cJSON_Delete(rec);
	config_free(&c);
}

static void test_config_every_output_key(void **state)
{
	struct config c;

	config_defaults(&c);
	assert_int_equal(
	    load(
		&c,
		"{\"spool_dir\": \"/var/spool/mw\",\n"
		" \"redaction\": {\"patterns\": [\"tok_[a-z0-9]{8}\", \"x(y)z\"]},\n"
		" \"outputs\": [\n"
		"  {\"type\": \"webhook\", \"name\": \"siem.main\", \"format\": \"ecs\",\n"
		"   \"enabled\": false, \"batch_max_records\": 7, \"batch_max_bytes\": 2048,\n"
		"   \"batch_max_wait_ms\": 0, \"spool_max_bytes\": 1099511627776,\n"
		"   \"retry_initial_ms\": 1, \"retry_max_ms\": 86400000, \"url\": \"http://x/\"},\n"
		"  {\"type\": \"file\", \"path\": \"/x\"},\n"
		"  {\"type\": \"file\", \"path\": \"/y\", \"format\": \"falco\"},\n"
		"  {\"type\": \"stdout\", \"format\": \"ocsf\"}]}"),
	    0);
	assert_string_equal(c.spool_dir, "/var/spool/mw");
	assert_int_equal(c.nredact_patterns, 2);
	assert_string_equal(c.redact_patterns[1], "x(y)z");
	assert_int_equal(c.noutputs, 4);
	assert_string_equal(c.outputs[0].type, "webhook");
	assert_string_equal(c.outputs[0].name, "siem.main");
	assert_int_equal(c.outputs[0].format, FMT_ECS);
	assert_false(c.outputs[0].enabled);
	assert_int_equal(c.outputs[0].batch_max_records, 7);
	assert_int_equal(c.outputs[0].batch_max_bytes, 2048);
	assert_int_equal(c.outputs[0].batch_max_wait_ms, 0);
	assert_true(c.outputs[0].spool_max_bytes == 1099511627776LL);
	assert_int_equal(c.outputs[0].retry_initial_ms, 1);
	assert_int_equal(c.outputs[0].retry_max_ms, 86400000);
	/* Defaults, and names "<type>-<n>". */
	assert_string_equal(c.outputs[1].name, "file-1");
	assert_string_equal(c.outputs[2].name, "file-2");
	assert_int_equal(c.outputs[2].format, FMT_FALCO);
	assert_string_equal(c.outputs[3].name, "stdout-1");
	assert_int_equal(c.outputs[1].format, FMT_NATIVE);
	assert_true(c.outputs[1].enabled);
	assert_int_equal(c.outputs[1].batch_max_records, 500);
	assert_int_equal(c.outputs[1].batch_max_bytes, 1 << 20);
	assert_int_equal(c.outputs[1].batch_max_wait_ms, 1000);
	assert_true(c.outputs[1].spool_max_bytes == 64LL << 20);
	assert_int_equal(c.outputs[1].retry_initial_ms, 500);
	assert_int_equal(c.outputs[1].retry_max_ms, 60000);
	assert_string_equal(config_outputs_file(&c), "c.json");
	assert_string_equal(json_get_string(json_object_get(c.outputs[1].cfg, "path")), "/x");

	/* A copy (a later document) keeps all of it. */
	assert_int_equal(load(&c, "{\"host_name\": \"h\"}"), 0);
	assert_string_equal(c.outputs[0].name, "siem.main");
	assert_string_equal(c.redact_patterns[0], "tok_[a-z0-9]{8}");
	assert_string_equal(c.spool_dir, "/var/spool/mw");
	assert_string_equal(json_get_string(json_object_get(c.outputs[1].cfg, "path")), "/x");
	assert_string_equal(config_outputs_file(&c), "c.json");
	config_free(&c);
}

static void test_config_output_errors(void **state)
{
	expect_diag("{\"outputs\": [1]}",
		    "c.json:1:14: an output must be an object with a \"type\", not number\n");
	expect_diag("{\"outputs\": [{}]}",
		    "c.json:1:14: an output needs a \"type\" (stdout, file, syslog, webhook, "
		    "splunk_hec, elasticsearch, falcosidekick)\n");
	expect_diag("{\"outputs\": [{\"type\": \"kafka\"}]}",
		    "c.json:1:23: unknown output type (expected stdout, file, syslog, webhook, "
		    "splunk_hec, elasticsearch, falcosidekick)\n");
	expect_diag("{\"outputs\": [{\"type\": 1}]}",
		    "c.json:1:23: \"type\" must be a string, not number\n");
	expect_diag("{\"outputs\": [{\"type\": \"stdout\", \"format\": \"cef\"}]}",
		    "c.json:1:43: unknown format (expected native, ocsf, ecs, falco)\n");
	expect_diag("{\"outputs\": [{\"type\": \"stdout\", \"name\": \"../x\"}]}",
		    "c.json:1:41: \"name\" must be 1-63 letters, digits, '.', '_' or '-', not "
		    "starting with '.'\n");
	expect_diag("{\"outputs\": [{\"type\": \"stdout\", \"name\": \"a/b\"}]}",
		    "c.json:1:41: \"name\" must be 1-63 letters, digits, '.', '_' or '-', not "
		    "starting with '.'\n");
	expect_diag("{\"outputs\": [{\"type\": \"stdout\", \"enabled\": 1}]}",
		    "c.json:1:44: \"enabled\" must be true or false, not number\n");
	expect_diag("{\"outputs\": [{\"type\": \"stdout\"}, {\"type\": \"file\", \"name\": "
		    "\"stdout-1\", \"path\": \"/x\"}]}",
		    "c.json:1:34: two outputs are named \"stdout-1\"; give each a \"name\"\n");
	expect_diag(
	    "{\"outputs\": [{\"type\": \"webhook\", \"batch_max_records\": 0, \"url\": \"u\"}]}",
	    "c.json:1:55: \"batch_max_records\" is 0; it must be between 1 and 100000\n");
	expect_diag(
	    "{\"outputs\": [{\"type\": \"webhook\", \"batch_max_bytes\": 1.5, \"url\": \"u\"}]}",
	    "c.json:1:53: \"batch_max_bytes\" must be an integer, not a fractional number\n");
	expect_diag(
	    "{\"outputs\": [{\"type\": \"webhook\", \"batch_max_wait_ms\": -1, \"url\": \"u\"}]}",
	    "c.json:1:55: \"batch_max_wait_ms\" is -1; it must be between 0 and 600000\n");
	expect_diag(
	    "{\"outputs\": [{\"type\": \"webhook\", \"spool_max_bytes\": 1000, \"url\": \"u\"}]}",
	    "c.json:1:53: \"spool_max_bytes\" is 1000; it must be between 65536 and "
	    "1099511627776\n");
	expect_diag(
	    "{\"outputs\": [{\"type\": \"webhook\", \"retry_initial_ms\": \"1\", \"url\": \"u\"}]}",
	    "c.json:1:54: \"retry_initial_ms\" must be an integer, not string\n");
	expect_diag("{\"outputs\": [{\"type\": \"webhook\", \"retry_initial_ms\": 100000, \"url\": "
		    "\"u\"}]}",
		    "c.json:1:54: \"retry_max_ms\" (60000) must not be less than "
		    "\"retry_initial_ms\" (100000)\n");
	expect_diag("{\"outputs\": [{\"type\": \"webhook\", \"retry_max_ms\": 10, "
		    "\"retry_initial_ms\": 20, \"url\": \"u\"}]}",
		    "c.json:1:50: \"retry_max_ms\" (10) must not be less than "
		    "\"retry_initial_ms\" (20)\n");
	expect_diag("{\"outputs\": [{\"type\": \"file\", \"retry_max_ms\": 10, \"path\": \"/x\"}]}",
		    "c.json:1:31: \"retry_max_ms\" applies to network outputs, not to a file "
		    "output\n");
	expect_diag("{\"spool_dir\": \"spool\"}",
		    "c.json:1:15: \"spool_dir\" must be an absolute path of at most 4000 bytes\n");
	expect_diag("{\"spool_dir\": \"\"}", "c.json:1:15: \"spool_dir\" must not be empty\n");
}

static void test_config_redaction_errors(void **state)
{
	expect_diag("{\"redaction\": {\"patterns\": \"x\"}}",
		    "c.json:1:28: \"patterns\" must be an array, not string\n");
	expect_diag("{\"redaction\": {\"pattern\": []}}",
		    "c.json:1:16: unknown key \"pattern\" in redaction (expected patterns)\n");
	expect_diag("{\"redaction\": {\"patterns\": [\"a(\"]}}",
		    "c.json:1:29: pattern \"a(\" is not a POSIX extended regular expression: "
		    "Unmatched ( or \\(\n");
	expect_diag("{\"redaction\": {\"patterns\": [\"((a{100}){100}){100}\"]}}",
		    "c.json:1:29: pattern \"((a{100}){100}){100}\" is too large (at most 512 "
		    "characters and 10000 repeated atoms; no repetition of a repetition like "
		    "a+* or a{2}{3})\n");
	expect_diag("{\"redaction\": {\"patterns\": [\"ok\", \"x+++{8}\"]}}",
		    "c.json:1:35: pattern \"x+++{8}\" is too large (at most 512 characters and "
		    "10000 repeated atoms; no repetition of a repetition like a+* or a{2}{3})\n");
	expect_diag("{\"redaction\": {\"patterns\": [\"x*\"]}}",
		    "c.json:1:29: pattern \"x*\" matches the empty string\n");
	expect_diag("{\"redaction\": {\"patterns\": [\"\"]}}",
		    "c.json:1:29: a pattern must not be empty\n");
}

/* Each sink's keys are checked with the rest of the file, against its table. */
static void test_config_sink_errors(void **state)
{
	expect_diag("{\"outputs\": [{\"type\": \"file\"}]}",
		    "c.json:1:14: file output: \"path\" is required\n");
	/* Every error of an output, in order. */
	expect_diag("{\"outputs\": [\n  {\"type\": \"file\", \"path\": \"/tmp/x\", "
		    "\"rotate\": 1, \"keep\": -1}]}",
		    "c.json:2:38: file output: unknown key \"rotate\" (expected path, "
		    "max_bytes, keep or common output keys)\n"
		    "c.json:2:59: file output: \"keep\" is -1; it must be between 0 and 1000\n");
	expect_diag("{\"outputs\": [{\"type\": \"file\", \"path\": \"/tmp/x\", "
		    "\"max_bytes\": 100}]}",
		    "c.json:1:62: file output: \"max_bytes\" is 100; it must be 0 or "
		    "between 4096 and 1125899906842624\n");
	expect_diag("{\"outputs\": [{\"type\": \"file\", \"path\": 7}]}",
		    "c.json:1:39: file output: \"path\" must be a string, not number\n");
	expect_diag("{\"outputs\": [{\"type\": \"stdout\", \"path\": \"/x\"}]}",
		    "c.json:1:33: stdout output: unknown key \"path\" (expected common "
		    "output keys)\n");
	/* Several outputs: every error, in order. */
	expect_diag("{\"outputs\": [{\"type\": \"file\"}, {\"type\": \"stdout\", \"x\": 1}]}",
		    "c.json:1:14: file output: \"path\" is required\n"
		    "c.json:1:51: stdout output: unknown key \"x\" (expected common output "
		    "keys)\n");
	/* A disabled output is checked too: it is still in the file. */
	expect_diag("{\"outputs\": [{\"type\": \"file\", \"enabled\": false}]}",
		    "c.json:1:14: file output: \"path\" is required\n");
	/* What only opening can tell stays with the sink, with its position. */
	expect_open_error("{\"outputs\": [{\"type\": \"file\", \"path\": \"/nonexistent/dir/x\"}]}",
			  "c.json:1:39: file output: cannot open /nonexistent/dir/x: No such "
			  "file or directory");
}

/* Each network sink's table: unknown key, wrong type, out of range, nested. */
static void test_config_network_sink_keys(void **state)
{
	expect_diag("{\"outputs\": [{\"type\": \"syslog\", \"address\": \"udp://h:1\", "
		    "\"adress\": 1}]}",
		    "c.json:1:57: syslog output: unknown key \"adress\" (expected address, "
		    "facility, hostname, app_name, tls, timeout_ms, max_message_bytes or common "
		    "output keys)\n");
	expect_diag("{\"outputs\": [{\"type\": \"syslog\", \"address\": \"udp://h:1\", "
		    "\"facility\": 24}]}",
		    "c.json:1:69: syslog output: \"facility\" must be a name (kern, user, mail, "
		    "daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp, ntp, security, "
		    "console, solaris-cron, local0, local1, local2, local3, local4, local5, "
		    "local6, local7) or an integer between 0 and 23\n");
	expect_diag("{\"outputs\": [{\"type\": \"syslog\", \"address\": \"udp://h:1\", "
		    "\"timeout_ms\": 99, \"hostname\": 1}]}",
		    "c.json:1:71: syslog output: \"timeout_ms\" is 99; it must be between 100 "
		    "and 600000\n"
		    "c.json:1:87: syslog output: \"hostname\" must be a string, not number\n");
	expect_diag("{\"outputs\": [{\"type\": \"syslog\", \"address\": \"tls://h:1\", "
		    "\"tls\": {\"verfy\": false, \"verify\": 1}}]}",
		    "c.json:1:65: syslog output: unknown key \"verfy\" in \"tls\" (expected "
		    "verify, ca_file, client_cert, client_key)\n"
		    "c.json:1:91: syslog output: \"verify\" must be true or false, not number\n");
	expect_diag("{\"outputs\": [{\"type\": \"webhook\", \"url\": \"http://x/\",\n"
		    "  \"tokn_file\": \"/x\", \"gzip\": \"yes\", \"headers\": {\"X-A\": 1}}]}",
		    "c.json:2:3: webhook output: unknown key \"tokn_file\" (expected url, "
		    "token_file, token_env, tls, timeout_ms, headers, proxy, gzip, auth_header, "
		    "auth_scheme or common output keys)\n"
		    "c.json:2:30: webhook output: \"gzip\" must be true or false, not string\n"
		    "c.json:2:56: webhook output: \"headers\": the value of \"X-A\" must be a "
		    "string, not number\n");
	expect_diag("{\"outputs\": [{\"type\": \"webhook\"}]}",
		    "c.json:1:14: webhook output: \"url\" is required\n");
	expect_diag("{\"outputs\": [{\"type\": \"splunk_hec\", \"url\": \"http://x/\", "
		    "\"index\": 5}]}",
		    "c.json:1:66: splunk_hec output: \"index\" must be a string, not number\n");
	expect_diag("{\"outputs\": [{\"type\": \"elasticsearch\", \"url\": \"http://x/\", "
		    "\"timeout_ms\": 600001}]}",
		    "c.json:1:74: elasticsearch output: \"timeout_ms\" is 600001; it must be "
		    "between 100 and 600000\n");
	expect_diag("{\"outputs\": [{\"type\": \"falcosidekick\", \"url\": \"http://x/\", "
		    "\"gzip\": true}]}",
		    "c.json:1:60: falcosidekick output: unknown key \"gzip\" (expected url, "
		    "token_file, token_env, tls, timeout_ms, headers, proxy or common output "
		    "keys)\n");
}

/* The sinks open from the objects the loader checked: the document's text
 * is not kept, and nothing parses it again (a later load shares the tree). */
static void test_config_outputs_open_without_reparse(void **state)
{
	char path[256], *doc, err[512], line[256];
	struct output *o;
	struct config c;
	cJSON *rec;
	FILE *f;

	snprintf(path, sizeof(path), "%s/out.ndjson", dir);
	assert_true(
	    asprintf(&doc, "{\"outputs\": [{\"type\": \"file\", \"path\": \"%s\"}]}", path) > 0);
	config_defaults(&c);
	assert_int_equal(load(&c, doc), 0);
	/* The text is gone: only the parsed, checked tree remains. */
	memset(doc, 'x', strlen(doc));
	free(doc);
	assert_int_equal(load(&c, "{\"host_name\": \"h\"}"), 0);
	o = config_output_new(&c, stdout, err, sizeof(err));
	if (!o)
		fail_msg("%s", err);
	rec = record_new("agent", 0, "h");
	assert_int_equal(output_write(o, rec), 0);
	cJSON_Delete(rec);
	output_free(o);
	config_free(&c);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	assert_non_null(strstr(line, "\"kind\":\"agent\""));
}

/* The keys every output has (the sinks skip them), and only those. */
static void test_common_keys(void **state)
{
	static const char *const common[] = {
	    "type",
	    "name",
	    "format",
	    "enabled",
	    "batch_max_records",
	    "batch_max_bytes",
	    "batch_max_wait_ms",
	    "spool_max_bytes",
	    "retry_initial_ms",
	    "retry_max_ms",
	};

	for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++)
		assert_true(config_output_key_is_common(common[i]));
	assert_false(config_output_key_is_common("url"));
	assert_false(config_output_key_is_common("path"));
	assert_false(config_output_key_is_common("queue_max_records"));
}

static void test_registry(void **state)
{
	static const char *const types[] = {
	    "stdout", "file", "syslog", "webhook", "splunk_hec", "elasticsearch", "falcosidekick"};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		const struct sink_ops *ops = sink_ops_find(types[i]);

		assert_non_null(ops);
		assert_string_equal(ops->type, types[i]);
		assert_int_equal(ops->synchronous, i < 2);
	}
	assert_null(sink_ops_find("kafka"));
	assert_null(sink_ops_find(NULL));
}

/* Two file outputs in two formats: each gets its own form of a record. */
static void test_formats_per_output(void **state)
{
	char doc[1024], path_a[128], path_b[128], err[1024], line[4096];
	struct output *o;
	struct config c;
	cJSON *rec;
	FILE *f;

	snprintf(path_a, sizeof(path_a), "%s/native.ndjson", dir);
	snprintf(path_b, sizeof(path_b), "%s/ecs.ndjson", dir);
	snprintf(doc, sizeof(doc),
		 "{\"outputs\": [{\"type\": \"file\", \"path\": \"%s\"},"
		 " {\"type\": \"file\", \"path\": \"%s\", \"format\": \"ecs\"},"
		 " {\"type\": \"file\", \"path\": \"%s/off\", \"enabled\": false}]}",
		 path_a, path_b, dir);
	config_defaults(&c);
	assert_int_equal(load(&c, doc), 0);
	o = config_output_new(&c, stdout, err, sizeof(err));
	if (!o)
		fail_msg("%s", err);
	rec = record_new("agent", 1700000000000000000LL, "h");
	cJSON_AddStringToObject(rec, "event", "ready");
	assert_int_equal(output_write(o, rec), 0);
	cJSON_Delete(rec);
	output_free(o);
	config_free(&c);

	f = fopen(path_a, "r");
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	assert_string_equal(line, "{\"kind\":\"agent\",\"time\":\"2023-11-14T22:13:20.000000000Z\","
				  "\"host\":{\"name\":\"h\"},\"event\":\"ready\"}\n");
	f = fopen(path_b, "r");
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	assert_non_null(strstr(line, "\"@timestamp\":\"2023-11-14T22:13:20"));
	assert_non_null(strstr(line, "\"ecs\":{\"version\":\"" ECS_VERSION "\"}"));
	snprintf(line, sizeof(line), "%s/off", dir);
	assert_int_equal(access(line, F_OK), -1); /* disabled: never opened */
}

/* A network output from the config spools under <spool_dir>/<name>. */
static void test_network_output_spools_by_name(void **state)
{
	char doc[1024], err[1024], path[256];
	struct output *o;
	struct config c;
	struct stat st;

	snprintf(doc, sizeof(doc),
		 "{\"spool_dir\": \"%s/spool\", \"outputs\": [{\"type\": \"webhook\", "
		 "\"name\": \"hook\", \"url\": \"http://127.0.0.1:9/\", \"retry_initial_ms\": "
		 "1000}]}",
		 dir);
	config_defaults(&c);
	if (load(&c, doc))
		fail_msg("%s", diag);
	o = config_output_new(&c, stdout, err, sizeof(err));
	if (!o)
		fail_msg("%s", err);
	snprintf(path, sizeof(path), "%s/spool/hook/lock", dir);
	assert_int_equal(stat(path, &st), 0);
	/* A second agent on the same spool is refused. */
	assert_null(config_output_new(&c, stdout, err, sizeof(err)));
	assert_non_null(strstr(err, "in use by another mcpwatch"));
	output_free(o);
	config_free(&c);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_order_and_batch_size),
	    T(test_sink_max_batch_caps),
	    T(test_batch_waits_for_time),
	    T(test_retry_then_delivered_in_order),
	    T(test_partial_batch),
	    T(test_rejected_are_dropped_and_counted),
	    T(test_restart_mid_retry_loses_nothing),
	    T(test_stop_flushes),
	    T(test_slow_sink_never_blocks_the_writer),
	    T(test_queue_full_is_counted),
	    T(test_spool_full_drops_oldest),
	    T(test_backoff_function),
	    T(test_backoff_timing),
	    T(test_drop_report_collects_deltas),
	    T(test_stats_json),
	    T(test_stream_output_writes_lines),
	    T(test_config_defaults),
	    T(test_config_every_output_key),
	    T(test_config_output_errors),
	    T(test_config_redaction_errors),
	    T(test_config_sink_errors),
	    T(test_config_network_sink_keys),
	    T(test_config_outputs_open_without_reparse),
	    T(test_common_keys),
	    T(test_registry),
	    T(test_formats_per_output),
	    T(test_network_output_spools_by_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
