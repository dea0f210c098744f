/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * sink: the contract between the outputs framework (queues, spool, retry,
 * batching, drop accounting — user/deliver/delivery.c) and one kind of destination
 * (user/deliver/sinks/sink_*.c). A sink only knows how to deliver a batch of already
 * formatted records and to say, per record, whether it was taken, must be
 * retried, or was rejected for good.
 */
#ifndef MCPWATCH_SINK_H
#define MCPWATCH_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_value;

/* One formatted record: a JSON text without a trailing newline. */
struct sink_record {
	const char *data;
	size_t len;
	int64_t time_ns;  /* the record's time (for envelopes) */
	const char *kind; /* "alert", "posture", "agent" */
};

enum sink_status {
	SINK_OK = 0, /* delivered: ack */
	SINK_RETRY,  /* transient (connect error, timeout, 5xx, 429): keep and retry later */
	SINK_REJECT, /* permanent (4xx other than 429, per-item rejection): drop and count */
};

struct sink;

struct sink_ops {
	const char *type; /* "webhook", "splunk_hec", ... as in the config */
	/* Largest batch send() accepts (1 for one-record-per-request receivers). */
	size_t max_batch;
	/* Parse this sink's own keys of its config object; diagnostics as
	 * "FILE:LINE:COLUMN: message" lines into err. Returns 0 or -1. */
	int (*open)(struct sink *s, const struct json_value *cfg, const char *cfg_file, char *err,
		    size_t errlen);
	/* Deliver n records; fill status[i] for each. why: one line for the log. */
	void (*send)(struct sink *s, const struct sink_record *recs, size_t n,
		     enum sink_status *status, char *why, size_t whylen);
	/* Reopen files/connections (SIGHUP); may be NULL. */
	void (*reopen)(struct sink *s);
	void (*close)(struct sink *s);
	/* A local, fast destination (stdout, file): send() runs in the writer's
	 * thread, with no queue, spool or retry; a failure is a drop
	 * ("write_error"). Network sinks leave it false. */
	bool synchronous;
};

/* What every sink has; a sink type keeps its own state behind priv. */
struct sink {
	const struct sink_ops *ops;
	char name[64]; /* "splunk" (config "name", default "<type>-<index>") */
	void *priv;
};

/* The registry of sink types, by config "type". NULL if unknown. */
const struct sink_ops *sink_ops_find(const char *type);

extern const struct sink_ops sink_webhook_ops, sink_splunk_hec_ops, sink_elasticsearch_ops,
    sink_falcosidekick_ops, sink_syslog_ops, sink_file_ops, sink_stdout_ops;

#endif /* MCPWATCH_SINK_H */
