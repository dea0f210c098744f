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
#include <stdio.h>

struct json_value;
struct diag;

/* RFC 5424 severity of a record that names none (agent records, posture). */
#define SINK_SEVERITY_INFO 6

/*
 * One formatted record: a JSON text without a trailing newline, and the
 * facts envelopes need, read once from the record when it was made (and
 * kept in the spool), so that no sink parses the record again.
 */
struct sink_record {
	const char *data;
	size_t len;
	int64_t time_ns;  /* the record's time (for envelopes) */
	const char *kind; /* "alert", "posture", "agent" */
	const char *host; /* the host the record names; NULL or "": unknown */
	int severity;	  /* RFC 5424: 2 critical .. 6 informational (user/deliver/record.h) */
};

enum sink_status {
	SINK_OK = 0, /* delivered: ack */
	SINK_RETRY,  /* transient (connect error, timeout, 5xx, 429): keep and retry later */
	SINK_REJECT, /* permanent (4xx other than 429, per-item rejection): drop and count */
};

struct sink;

/*
 * A sink's own config keys, one table per sink type (NULL-name ended),
 * checked by the configuration loader once per output (sink_config_check)
 * before open() reads them: unknown keys, wrong types, values out of range
 * and missing required keys never reach a sink.
 */
enum sink_key_type {
	SINK_KEY_STRING,     /* a string without NUL bytes */
	SINK_KEY_INT,	     /* an integer in [min, max] (or 0 when or_zero) */
	SINK_KEY_BOOL,	     /* true or false */
	SINK_KEY_ENUM,	     /* one of allowed, or an integer in [min, max] when int_ok */
	SINK_KEY_OBJECT,     /* an object whose keys are in members */
	SINK_KEY_STRING_MAP, /* an object of strings (names checked by the sink) */
};

struct sink_config_key {
	const char *name;
	enum sink_key_type type;
	const char *def; /* the default as docs/outputs.md shows it; NULL: none */
	long long min, max;
	bool or_zero, int_ok, required;
	const char *const *allowed;	       /* SINK_KEY_ENUM, NULL-ended */
	const struct sink_config_key *members; /* SINK_KEY_OBJECT */
	const char *help;		       /* one line */
};

struct sink_ops {
	const char *type; /* "webhook", "splunk_hec", ... as in the config */
	/* Largest batch send() accepts (1 for one-record-per-request receivers). */
	size_t max_batch;
	/* This type's own keys (NULL-name ended): what cfg may hold. */
	const struct sink_config_key *keys;
	/* Read this sink's keys from its config object, already checked
	 * against keys (so types and ranges hold); semantic errors (a URL's
	 * scheme, an unreadable file) as "FILE:LINE:COLUMN: message" in err.
	 * Returns 0 or -1. */
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
	/* What a family of sink types that share open/send/close (the HTTP
	 * receivers) needs to know of this one; NULL for the others. */
	const void *impl;
};

/* What every sink has; a sink type keeps its own state behind priv. */
struct sink {
	const struct sink_ops *ops;
	char name[64]; /* "splunk" (config "name", default "<type>-<index>") */
	void *priv;
};

/*
 * Checks the config object cfg of an output of type ops against ops->keys;
 * keys for which is_common() holds belong to the framework and are skipped.
 * Writes one "FILE:LINE:COLUMN: <type> output: message" line per error to
 * diag (may be NULL) and returns how many there were.
 */
int sink_config_check(const struct sink_ops *ops, const struct json_value *cfg,
		      bool (*is_common)(const char *key), const char *file, struct diag *diag);

/* The registry of sink types, by config "type". NULL if unknown. */
const struct sink_ops *sink_ops_find(const char *type);

extern const struct sink_ops sink_webhook_ops, sink_splunk_hec_ops, sink_elasticsearch_ops,
    sink_falcosidekick_ops, sink_syslog_ops, sink_file_ops, sink_stdout_ops;

#endif /* MCPWATCH_SINK_H */
