/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * output: owns the record envelope (kind, RFC 3339 time, host.name) and
 * delivery of finished records to the sinks. Today the one sink is a
 * stream (stdout by default): one JSON object per line, flushed per record.
 */
#ifndef MCPWATCH_OUTPUT_H
#define MCPWATCH_OUTPUT_H

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>

struct output;

struct output *output_new_stream(FILE *f);
void output_free(struct output *o);
/* Write one record as a single line. Borrows rec. Returns 0 or -errno. */
int output_write(struct output *o, const cJSON *rec);
uint64_t output_records(const struct output *o);

/* {"kind": kind, "time": "...Z", "host": {"name": host}} */
cJSON *record_new(const char *kind, int64_t time_ns, const char *host);
/* 2026-11-25T12:00:00.123456789Z */
void format_rfc3339(int64_t time_ns, char *buf, size_t len);
int64_t realtime_now_ns(void);

#endif /* MCPWATCH_OUTPUT_H */
