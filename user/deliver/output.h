/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * output: owns the record envelope (kind, RFC 3339 time, host.name) and the
 * fan-out of finished records to every configured output: each output has
 * a sink (user/deliver/sinks/sink_*.c) and a format (user/format/format.h). A record is
 * formatted once per format and handed to each output: local outputs
 * (stdout, file) write it at once in the caller's thread; network outputs
 * queue it for their own delivery threads (user/deliver/delivery.h: spool, retry),
 * so output_write never waits on a receiver. Drops are counted per output
 * and reason, for the agent to report on the stream.
 */
#ifndef MCPWATCH_OUTPUT_H
#define MCPWATCH_OUTPUT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "format/format.h"

struct json_value;
struct sink_ops;

/* Where network outputs spool when output_opts.spool_dir is NULL. */
#define OUTPUT_SPOOL_DIR_DEFAULT "/var/lib/mcpwatch/spool"

/* How long output_free lets network outputs send what is left. */
#define OUTPUT_STOP_MS 2000

struct output;

/* What one output needs besides its sink (the config keys of docs/outputs.md). */
struct output_opts {
	enum record_format format;
	const char *spool_dir; /* the parent: this output spools in <spool_dir>/<name> */
	uint64_t spool_max_bytes;
	size_t batch_max_records, batch_max_bytes;
	int batch_max_wait_ms;
	int retry_initial_ms, retry_max_ms;
	size_t queue_max_records; /* 0: the default (not config keys: for tests) */
	size_t queue_max_bytes;
};

/*
 * One output to build: what the configuration says of it. cfg is its config
 * object, already checked against the sink's key table (sink_config_check)
 * and kept alive by whoever built the spec until output_new returns.
 */
struct output_spec {
	const char *type; /* "webhook", ... (user/deliver/sinks/sink.h) */
	const char *name;
	struct output_opts opts;
	const struct json_value *cfg;
	const char *cfg_file; /* for FILE:LINE:COLUMN in errors */
};

/* The n outputs of specs (stdout ones write to stream). NULL with one
 * "FILE:LINE:COLUMN: message" line per error in err. */
struct output *output_new(const struct output_spec *specs, size_t n, FILE *stream, char *err,
			  size_t errlen);
/* One native output writing lines to f (no threads, no spool). */
struct output *output_new_stream(FILE *f);
/* No outputs yet: add them with output_add. */
struct output *output_new_empty(void);
/*
 * Adds an output of sink type ops named name: ops->open(cfg) (cfg may be
 * NULL for a sink that takes none), then, for a network sink, its spool and
 * delivery threads. 0, or -1 with the reason in err.
 */
int output_add(struct output *o, const struct sink_ops *ops, const char *name,
	       const struct json_value *cfg, const char *cfg_file, const struct output_opts *opts,
	       char *err, size_t errlen);
/* Stops every output (network ones get OUTPUT_STOP_MS to deliver what is
 * queued; the rest stays in their spools) and frees o. */
void output_free(struct output *o);

/* Hands one record to every output. Borrows rec. 0, or -errno when a local
 * output failed (that record is then counted as dropped there). */
int output_write(struct output *o, const cJSON *rec);
uint64_t output_records(const struct output *o);
/* Reopens files and connections (SIGHUP, SIGUSR1). */
void output_reopen(struct output *o);

/* Records an output lost since the last call, by reason. */
struct output_drop {
	char output[64];
	const char *reason; /* "rejected", "spool_full", "queue_full", ... */
	uint64_t count;
};

/* Fills at most max drops (those not returned stay for the next call). */
size_t output_collect_drops(struct output *o, struct output_drop *out, size_t max);
/* [{"name","type","format","delivered","pending","dropped":{reason: n}}] */
cJSON *output_stats_json(struct output *o);

/* {"kind": kind, "time": "...Z", "host": {"name": host}} */
cJSON *record_new(const char *kind, int64_t time_ns, const char *host);

/* The registry of sink types ("stdout", "file", "webhook", ...): user/deliver/sinks/sink.h. */

#endif /* MCPWATCH_OUTPUT_H */
