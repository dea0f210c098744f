/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * outputs: owns the delivery of one network output (a sink whose send()
 * may be slow or fail): a bounded in-memory hand-off queue that the
 * writer's thread fills without ever waiting on the sink, a spooler thread
 * that moves it into the output's on-disk spool (fsync per batch), and a
 * sender thread that delivers from the spool in order — batches, per-record
 * ack, retry from the first failed record with exponential backoff and
 * jitter — and the drop counters of both. Used by output.c.
 */
#ifndef MCPWATCH_OUTPUTS_H
#define MCPWATCH_OUTPUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "deliver/sinks/sink.h"

enum drop_reason {
	DROP_REJECTED,	  /* the receiver refused it for good (4xx other than 429) */
	DROP_SPOOL_FULL,  /* the spool reached spool_max_bytes: oldest records went */
	DROP_QUEUE_FULL,  /* the hand-off queue overflowed before the spool took it */
	DROP_SPOOL_ERROR, /* the spool could not be written (disk error) */
	DROP_CORRUPT,	  /* an unreadable line found in the spool */
	DROP_WRITE_ERROR, /* a local output (stdout, file) failed to write */
	DROP_REASONS,
};

/* "rejected", "spool_full", "queue_full", "spool_error", "corrupt", "write_error" */
const char *drop_reason_name(enum drop_reason r);

#define DELIVERY_QUEUE_RECORDS 65536
#define DELIVERY_QUEUE_BYTES   (64u << 20)

struct delivery_opts {
	const char *spool_dir; /* this output's own directory */
	uint64_t spool_max_bytes;
	size_t batch_max_records; /* capped by the sink's max_batch */
	size_t batch_max_bytes;
	int batch_max_wait_ms;
	int retry_initial_ms, retry_max_ms;
	size_t queue_max_records; /* 0: DELIVERY_QUEUE_RECORDS */
	size_t queue_max_bytes;	  /* 0: DELIVERY_QUEUE_BYTES */
};

struct delivery_stats {
	uint64_t dropped[DROP_REASONS];
	uint64_t delivered; /* acknowledged as taken by the receiver */
	uint64_t pending;   /* in the queue or the spool */
};

struct delivery;

/* Opens the spool (resuming what an earlier run left) and starts the
 * threads; s stays the caller's and must outlive the delivery. 0, or -errno
 * with a one-line reason in err. */
int delivery_start(struct delivery **out, struct sink *s, const struct delivery_opts *o, char *err,
		   size_t errlen);
/* Copies r into the queue; never waits on the sink or the disk. When the
 * queue is full, its oldest record is dropped ("queue_full"). */
void delivery_enqueue(struct delivery *d, const struct sink_record *r);
void delivery_get_stats(struct delivery *d, struct delivery_stats *st);
/*
 * Stops: the queue goes to the spool, then sends are tried until nothing is
 * pending, a send fails, or deadline_ns (CLOCK_MONOTONIC) passes; threads
 * are joined and d freed. Returns false when the sender was still inside
 * the sink's send() a second after the deadline: d is then left running
 * (the process is exiting) and the sink must not be closed. What was not
 * delivered stays in the spool for the next start.
 */
bool delivery_stop(struct delivery *d, int64_t deadline_ns);
/* The first half of delivery_stop, to stop several outputs in parallel. */
void delivery_request_stop(struct delivery *d, int64_t deadline_ns);

/* Retry delay after `attempt` (1, 2, ...) consecutive failures: uniform in
 * [initial, min(max, initial * 2^(attempt-1))], rnd a random number. */
int64_t delivery_backoff_ms(unsigned attempt, int initial_ms, int max_ms, uint64_t rnd);

/* ---------------------------------------------------------------- for the local sinks */

struct json_value;

/* Appends "FILE:LINE:COLUMN: <type> output: message\n" to err. */
void output_cfg_error(char *err, size_t errlen, const char *file, int line, int col,
		      const char *type, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* The stdout sink writes to f instead (tests, output_new_stream). */
void sink_stdout_set_stream(struct sink *s, FILE *f);

#endif /* MCPWATCH_OUTPUTS_H */
