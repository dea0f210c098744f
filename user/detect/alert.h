/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * alert: owns turning a rule match on an event into an alert record
 * (fields, rendered message, redaction of secrets) and the aggregation of
 * repeats: the first occurrence of a (rule, server, process, object) key is
 * written at once with count 1; repeats within the window are counted and
 * written as one record when the window closes, with count = the repeats.
 * The sum of `count` over records is the number of occurrences.
 */
#ifndef MCPWATCH_ALERT_H
#define MCPWATCH_ALERT_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "detect/evctx.h"
#include "deliver/output.h"
#include "detect/rules.h"

struct alerter;

struct alerter *alerter_new(struct output *out, const char *host, int window_s);
void alerter_free(struct alerter *a); /* writes pending aggregates first */
/* A reload: writes pending aggregates to the old output, then uses out and
 * window_s; the counters go on. */
void alerter_reconfigure(struct alerter *a, struct output *out, int window_s);
void alerter_emit(struct alerter *a, const struct rule *r, const struct evctx *c);
/* Write aggregates whose window has closed by now_ns. */
void alerter_tick(struct alerter *a, int64_t now_ns);
uint64_t alerter_suppressed(const struct alerter *a);
uint64_t alerter_matches(const struct alerter *a); /* every match, aggregated or not */
/* Matches per rule id (first 1,024 ids), as metrics samples: fills up to
 * max, returns how many. The ids live as long as the alerter. */
struct health_labeled;
size_t alerter_rule_counts(const struct alerter *a, struct health_labeled *out, size_t max);

/* The alert record for one match (count 1). Pure; caller frees. */
cJSON *alert_build(const struct rule *r, const struct evctx *c, const char *host);

#endif /* MCPWATCH_ALERT_H */
