// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Delivery of one network output. Three parties, two locks:
 *   - the writer (the agent's thread) appends to the queue under d->lock and
 *     never touches the spool, so it never waits on a disk or a receiver;
 *   - the spooler thread takes the whole queue, writes it to the spool
 *     (spool lock, fsync) and bumps spooled_gen;
 *   - the sender thread reads batches from the spool, calls the sink, acks.
 * d->lock is never held while calling into the spool or the sink.
 */
#include "deliver/delivery.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "deliver/spool.h"
#include "lib/clock.h"

#define NS_PER_MS	  1000000LL
#define NS_PER_S	  1000000000LL
#define SPOOL_CHUNK	  256
#define JOIN_GRACE_NS	  NS_PER_S
#define REJECT_LOG_GAP_NS (60 * NS_PER_S)
#define WHY_LEN		  512

struct queued {
	struct queued *next;
	int64_t time_ns;
	char kind[SPOOL_KIND_MAX];
	int severity;
	size_t len;
	const char *host; /* in data, after the record: queued records stay one allocation */
	char data[];
};

struct delivery {
	struct sink *sink;
	struct delivery_opts o;
	struct spool *spool;

	pthread_mutex_t lock;
	pthread_cond_t queued;	/* the spooler waits for records */
	pthread_cond_t spooled; /* the sender waits for the spooler (or stop) */
	struct queued *head, *tail;
	size_t qlen, qbytes;
	size_t inflight; /* taken by the spooler, not yet in the spool */
	uint64_t spooled_gen;
	bool stopping, spooler_done;
	int64_t deadline_ns;
	uint64_t dropped[DROP_REASONS], delivered;

	pthread_t spooler, sender;
	bool sender_started;
	/* The sender's own state. */
	struct spool_batch batch;
	struct sink_record *recs;
	enum sink_status *status;
	size_t recs_cap;
	unsigned attempt;
	uint64_t rng;
	int64_t last_reject_log_ns;
	char why[WHY_LEN]; /* the sink's word on the last batch */
};

static const char *const reason_names[DROP_REASONS] = {
    [DROP_REJECTED] = "rejected",     [DROP_SPOOL_FULL] = "spool_full",
    [DROP_QUEUE_FULL] = "queue_full", [DROP_SPOOL_ERROR] = "spool_error",
    [DROP_CORRUPT] = "corrupt",	      [DROP_WRITE_ERROR] = "write_error",
};

const char *drop_reason_name(enum drop_reason r)
{
	return r < DROP_REASONS ? reason_names[r] : "unknown";
}

int64_t delivery_backoff_ms(unsigned attempt, int initial_ms, int max_ms, uint64_t rnd)
{
	int64_t cap = initial_ms;

	if (initial_ms <= 0)
		return 0;
	if (max_ms < initial_ms)
		max_ms = initial_ms;
	while (attempt-- > 1 && cap < max_ms)
		cap *= 2;
	if (cap > max_ms)
		cap = max_ms;
	return initial_ms + (int64_t)(rnd % (uint64_t)(cap - initial_ms + 1));
}

static uint64_t next_random(struct delivery *d)
{
	/* xorshift64*: plenty for spreading retries of many agents apart. */
	d->rng ^= d->rng >> 12;
	d->rng ^= d->rng << 25;
	d->rng ^= d->rng >> 27;
	return d->rng * 2685821657736338717ULL;
}

static void logf_output(const struct delivery *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void logf_output(const struct delivery *d, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "mcpwatch: output %s: %s\n", d->sink->name, line);
}

/* Waits on c until woken or deadline_ns (CLOCK_MONOTONIC; INT64_MAX: no limit). */
static void wait_until(pthread_cond_t *c, pthread_mutex_t *m, int64_t deadline_ns)
{
	struct timespec ts;

	if (deadline_ns == INT64_MAX) {
		pthread_cond_wait(c, m);
		return;
	}
	ts.tv_sec = deadline_ns / NS_PER_S;
	ts.tv_nsec = deadline_ns % NS_PER_S;
	pthread_cond_timedwait(c, m, &ts);
}

static void count_drops(struct delivery *d, enum drop_reason r, uint64_t n)
{
	if (!n)
		return;
	pthread_mutex_lock(&d->lock);
	d->dropped[r] += n;
	pthread_mutex_unlock(&d->lock);
}

/* ------------------------------------------------------------------ writer */

void delivery_enqueue(struct delivery *d, const struct sink_record *r)
{
	size_t hostlen = r->host ? strnlen(r->host, SPOOL_HOST_MAX - 1) : 0;
	struct queued *q = malloc(sizeof(*q) + r->len + hostlen + 1), *old;

	pthread_mutex_lock(&d->lock);
	if (!q) {
		d->dropped[DROP_QUEUE_FULL]++;
		pthread_mutex_unlock(&d->lock);
		return;
	}
	q->next = NULL;
	q->time_ns = r->time_ns;
	snprintf(q->kind, sizeof(q->kind), "%s", r->kind ? r->kind : "unknown");
	q->severity = r->severity;
	q->len = r->len;
	memcpy(q->data, r->data, r->len);
	memcpy(q->data + r->len, r->host ? r->host : "", hostlen);
	q->data[r->len + hostlen] = '\0';
	q->host = q->data + r->len;
	if (d->tail)
		d->tail->next = q;
	else
		d->head = q;
	d->tail = q;
	d->qlen++;
	d->qbytes += r->len;
	/* Full: the oldest record goes, so that the newest news gets through. */
	while (d->qlen > d->o.queue_max_records || d->qbytes > d->o.queue_max_bytes) {
		old = d->head;
		d->head = old->next;
		if (!d->head)
			d->tail = NULL;
		d->qlen--;
		d->qbytes -= old->len;
		d->dropped[DROP_QUEUE_FULL]++;
		free(old);
	}
	if (d->qlen == 1)
		pthread_cond_signal(&d->queued);
	pthread_mutex_unlock(&d->lock);
}

/* ------------------------------------------------------------------ spooler */

/* Writes a taken queue to the spool, SPOOL_CHUNK records per fsync at most. */
static void spool_queue(struct delivery *d, struct queued *q)
{
	struct spool_record recs[SPOOL_CHUNK];
	uint64_t full = 0, failed = 0;
	struct queued *next;
	size_t n;
	int rc = 0;

	while (q) {
		struct queued *chunk = q;

		for (n = 0; q && n < SPOOL_CHUNK; q = q->next, n++) {
			recs[n].time_ns = q->time_ns;
			memcpy(recs[n].kind, q->kind, sizeof(recs[n].kind));
			recs[n].host = q->host;
			recs[n].severity = q->severity;
			recs[n].data = q->data;
			recs[n].len = q->len;
		}
		if (!rc) {
			rc = spool_append(d->spool, recs, n, &full);
			if (rc)
				logf_output(d, "cannot write the spool: %s; records are dropped",
					    strerror(-rc));
		}
		if (rc)
			failed += n; /* conservative: some of the chunk may be in */
		for (; chunk != q; chunk = next) {
			next = chunk->next;
			free(chunk);
		}
	}
	count_drops(d, DROP_SPOOL_FULL, full);
	count_drops(d, DROP_SPOOL_ERROR, failed);
}

static void *spooler_main(void *arg)
{
	struct delivery *d = arg;
	struct queued *q;

	pthread_mutex_lock(&d->lock);
	for (;;) {
		while (!d->head && !d->stopping)
			pthread_cond_wait(&d->queued, &d->lock);
		if (!d->head)
			break; /* stopping and drained */
		q = d->head;
		d->inflight = d->qlen;
		d->head = d->tail = NULL;
		d->qlen = d->qbytes = 0;
		pthread_mutex_unlock(&d->lock);
		spool_queue(d, q);
		pthread_mutex_lock(&d->lock);
		d->inflight = 0;
		d->spooled_gen++;
		pthread_cond_signal(&d->spooled);
	}
	d->spooler_done = true;
	pthread_cond_signal(&d->spooled);
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

/* ------------------------------------------------------------------ sender */

enum send_result { SEND_NOTHING, SEND_DONE, SEND_RETRY, SEND_ERROR };

static int sender_reserve(struct delivery *d, size_t n)
{
	struct sink_record *r;
	enum sink_status *s;

	if (n <= d->recs_cap)
		return 0;
	r = realloc(d->recs, n * sizeof(*r));
	if (!r)
		return -ENOMEM;
	d->recs = r;
	s = realloc(d->status, n * sizeof(*s));
	if (!s)
		return -ENOMEM;
	d->status = s;
	d->recs_cap = n;
	return 0;
}

static void note_rejections(struct delivery *d, size_t rejected, const char *why)
{
	int64_t now = clock_monotonic_ns();

	if (!rejected)
		return;
	count_drops(d, DROP_REJECTED, rejected);
	/* One line a minute at most: a receiver that refuses everything
	 * would otherwise fill the log. The drop records count them all. */
	if (d->last_reject_log_ns && now - d->last_reject_log_ns < REJECT_LOG_GAP_NS)
		return;
	d->last_reject_log_ns = now;
	logf_output(d, "%zu record%s rejected: %s", rejected, rejected == 1 ? "" : "s",
		    why[0] ? why : "no reason given");
}

/* One line when delivery starts failing, one when it works again. */
static void note_outcome(struct delivery *d, enum send_result r, int64_t delay_ms)
{
	if (r == SEND_RETRY && d->attempt == 1)
		logf_output(d, "delivery failed: %s; retrying with backoff (next in %lld ms)",
			    d->why[0] ? d->why : "no reason given", (long long)delay_ms);
	else if (r == SEND_ERROR && d->attempt == 1)
		logf_output(d, "cannot read the spool: %s", d->why);
}

/* Reads one batch from the spool, sends it, acks the prefix that is done. */
static enum send_result send_batch(struct delivery *d)
{
	size_t i, k, rejected = 0;
	int n;

	d->why[0] = '\0';
	n = spool_read(d->spool, &d->batch, d->o.batch_max_records, d->o.batch_max_bytes);
	count_drops(d, DROP_CORRUPT, spool_take_corrupt(d->spool));
	if (n > 0 && sender_reserve(d, (size_t)n))
		n = -ENOMEM;
	if (n < 0) {
		snprintf(d->why, sizeof(d->why), "%s", strerror(-n));
		d->attempt++;
		return SEND_ERROR;
	}
	if (n == 0)
		return SEND_NOTHING;
	for (i = 0; i < (size_t)n; i++) {
		d->recs[i].data = d->batch.recs[i].data;
		d->recs[i].len = d->batch.recs[i].len;
		d->recs[i].time_ns = d->batch.recs[i].time_ns;
		d->recs[i].kind = d->batch.recs[i].kind;
		d->recs[i].host = d->batch.recs[i].host;
		d->recs[i].severity = d->batch.recs[i].severity;
		d->status[i] = SINK_RETRY; /* what a sink leaves unset is not done */
	}
	d->sink->ops->send(d->sink, d->recs, (size_t)n, d->status, d->why, sizeof(d->why));
	/* Order is kept: only the prefix before the first RETRY is done. */
	for (k = 0; k < (size_t)n && d->status[k] != SINK_RETRY; k++)
		if (d->status[k] == SINK_REJECT)
			rejected++;
	if (k && spool_ack(d->spool, &d->batch, k) != 0)
		logf_output(d, "cannot save the spool cursor; records may be sent twice");
	note_rejections(d, rejected, d->why);
	pthread_mutex_lock(&d->lock);
	d->delivered += k - rejected;
	pthread_mutex_unlock(&d->lock);
	if (k == (size_t)n) {
		if (d->attempt)
			logf_output(d, "delivery resumed after %u failed attempt%s", d->attempt,
				    d->attempt == 1 ? "" : "s");
		d->attempt = 0;
		return SEND_DONE;
	}
	d->attempt++;
	return SEND_RETRY;
}

/* When the sender should act next: 0 now, or a CLOCK_MONOTONIC time. */
static int64_t next_send_time(struct delivery *d, int64_t now, int64_t retry_at,
			      int64_t *batch_since)
{
	uint64_t n = spool_pending(d->spool);

	if (!n) {
		*batch_since = 0;
		return INT64_MAX;
	}
	if (!*batch_since)
		*batch_since = now;
	if (now < retry_at)
		return retry_at;
	if (n < d->o.batch_max_records && spool_pending_bytes(d->spool) < d->o.batch_max_bytes &&
	    now < *batch_since + d->o.batch_max_wait_ms * NS_PER_MS)
		return *batch_since + d->o.batch_max_wait_ms * NS_PER_MS;
	return 0;
}

/* At stop: send what is pending until done, a failure, or the deadline. */
static void sender_flush(struct delivery *d)
{
	int64_t deadline;

	pthread_mutex_lock(&d->lock);
	deadline = d->deadline_ns;
	pthread_mutex_unlock(&d->lock);
	while (clock_monotonic_ns() < deadline)
		if (send_batch(d) != SEND_DONE)
			break;
}

static void *sender_main(void *arg)
{
	struct delivery *d = arg;
	int64_t retry_at = 0, batch_since = 0, now, wake;
	enum send_result r;
	int64_t delay_ms;
	uint64_t gen;

	for (;;) {
		pthread_mutex_lock(&d->lock);
		gen = d->spooled_gen;
		if (d->stopping && d->spooler_done) {
			pthread_mutex_unlock(&d->lock);
			break;
		}
		pthread_mutex_unlock(&d->lock);
		now = clock_monotonic_ns();
		wake = next_send_time(d, now, retry_at, &batch_since);
		if (wake) {
			pthread_mutex_lock(&d->lock);
			while (d->spooled_gen == gen && !(d->stopping && d->spooler_done) &&
			       clock_monotonic_ns() < wake)
				wait_until(&d->spooled, &d->lock, wake);
			pthread_mutex_unlock(&d->lock);
			continue;
		}
		r = send_batch(d);
		retry_at = 0;
		if (r == SEND_RETRY || r == SEND_ERROR) {
			delay_ms = delivery_backoff_ms(d->attempt, d->o.retry_initial_ms,
						       d->o.retry_max_ms, next_random(d));
			note_outcome(d, r, delay_ms);
			retry_at = clock_monotonic_ns() + delay_ms * NS_PER_MS;
		}
	}
	sender_flush(d);
	return NULL;
}

/* ------------------------------------------------------------------ life */

static void delivery_free(struct delivery *d)
{
	struct queued *q, *next;

	for (q = d->head; q; q = next) {
		next = q->next;
		free(q);
	}
	spool_close(d->spool);
	spool_batch_free(&d->batch);
	free(d->recs);
	free(d->status);
	pthread_cond_destroy(&d->queued);
	pthread_cond_destroy(&d->spooled);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

static void delivery_init_sync(struct delivery *d)
{
	pthread_condattr_t ca;

	pthread_mutex_init(&d->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&d->queued, &ca);
	pthread_cond_init(&d->spooled, &ca);
	pthread_condattr_destroy(&ca);
}

static void opts_fill_defaults(struct delivery_opts *o, const struct sink_ops *ops)
{
	if (!o->queue_max_records)
		o->queue_max_records = DELIVERY_QUEUE_RECORDS;
	if (!o->queue_max_bytes)
		o->queue_max_bytes = DELIVERY_QUEUE_BYTES;
	if (!o->batch_max_records)
		o->batch_max_records = 1;
	if (ops->max_batch && o->batch_max_records > ops->max_batch)
		o->batch_max_records = ops->max_batch;
	if (!o->batch_max_bytes)
		o->batch_max_bytes = 1;
}

int delivery_start(struct delivery **out, struct sink *s, const struct delivery_opts *o, char *err,
		   size_t errlen)
{
	struct spool_opts so = {.max_bytes = o->spool_max_bytes};
	struct delivery *d = calloc(1, sizeof(*d));
	int rc;

	*out = NULL;
	if (!d) {
		snprintf(err, errlen, "output %s: out of memory", s->name);
		return -ENOMEM;
	}
	delivery_init_sync(d);
	d->sink = s;
	d->o = *o;
	d->o.spool_dir = NULL; /* the caller's string; the spool keeps its own */
	opts_fill_defaults(&d->o, s->ops);
	d->rng = (uint64_t)clock_monotonic_ns() ^ (uint64_t)(uintptr_t)d;
	d->rng = d->rng ? d->rng : 1;
	rc = spool_open(&d->spool, o->spool_dir, &so, err, errlen);
	if (rc) {
		delivery_free(d);
		return rc;
	}
	rc = pthread_create(&d->spooler, NULL, spooler_main, d);
	if (rc) {
		snprintf(err, errlen, "output %s: cannot start a thread: %s", s->name,
			 strerror(rc));
		delivery_free(d);
		return -rc;
	}
	rc = pthread_create(&d->sender, NULL, sender_main, d);
	d->sender_started = rc == 0;
	if (rc) {
		snprintf(err, errlen, "output %s: cannot start a thread: %s", s->name,
			 strerror(rc));
		delivery_stop(d, clock_monotonic_ns());
		return -rc;
	}
	*out = d;
	return 0;
}

void delivery_get_stats(struct delivery *d, struct delivery_stats *st)
{
	/* Records only move queue → spooler → spool → gone: counting the
	 * first two before the spool may count one twice, never miss one. */
	pthread_mutex_lock(&d->lock);
	memcpy(st->dropped, d->dropped, sizeof(st->dropped));
	st->delivered = d->delivered;
	st->pending = d->qlen + d->inflight;
	pthread_mutex_unlock(&d->lock);
	st->pending += spool_pending(d->spool);
}

/* pthread_timedjoin_np counts in CLOCK_REALTIME. */
static bool join_by(pthread_t t, int64_t deadline_mono_ns)
{
	int64_t left = deadline_mono_ns - clock_monotonic_ns();
	int64_t now = clock_realtime_ns();
	struct timespec ts = {.tv_sec = now / NS_PER_S, .tv_nsec = now % NS_PER_S};

	if (left < 0)
		left = 0;
	left += ts.tv_nsec;
	ts.tv_sec += left / NS_PER_S;
	ts.tv_nsec = left % NS_PER_S;
	return pthread_timedjoin_np(t, NULL, &ts) == 0;
}

void delivery_request_stop(struct delivery *d, int64_t deadline_ns)
{
	pthread_mutex_lock(&d->lock);
	if (!d->stopping) {
		d->stopping = true;
		d->deadline_ns = deadline_ns;
	}
	pthread_cond_broadcast(&d->queued);
	pthread_cond_broadcast(&d->spooled);
	pthread_mutex_unlock(&d->lock);
}

bool delivery_stop(struct delivery *d, int64_t deadline_ns)
{
	bool spooler_joined, sender_joined = true;

	delivery_request_stop(d, deadline_ns);
	spooler_joined = join_by(d->spooler, deadline_ns + JOIN_GRACE_NS);
	if (d->sender_started)
		sender_joined = join_by(d->sender, deadline_ns + JOIN_GRACE_NS);
	if (!spooler_joined || !sender_joined) {
		logf_output(d, "still sending at shutdown; what is unsent stays in the spool");
		return false;
	}
	delivery_free(d);
	return true;
}
