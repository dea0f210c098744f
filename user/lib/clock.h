/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * clock: owns time for the whole agent — reading the clocks, and RFC 3339
 * text in both directions. Every record's "time", every aggregate window and
 * every receiver timestamp goes through here, so there is one answer to
 * "what time is it" and one to "what does this string mean".
 */
#ifndef MCPWATCH_LIB_CLOCK_H
#define MCPWATCH_LIB_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NS_PER_S 1000000000LL
/* Room for the longest text rfc3339_format writes, with its NUL. */
#define RFC3339_MAX 40

/* Nanoseconds since the epoch (CLOCK_REALTIME). */
int64_t clock_realtime_ns(void);
/* Nanoseconds on CLOCK_MONOTONIC: for deadlines and durations. */
int64_t clock_monotonic_ns(void);
/* Whole milliseconds, rounded down (also before 1970): what OCSF times count. */
int64_t clock_ns_to_ms(int64_t ns);

/*
 * UTC with `digits` (0..9, clamped) fractional digits, truncated:
 * 2026-11-25T12:00:00.123456789Z (9), 2026-11-25T12:00:00.123Z (3),
 * 2026-11-25T12:00:00Z (0). Negative times are before 1970, as they should
 * be; a time gmtime cannot represent writes 1970-01-01T00:00:00Z.
 */
void rfc3339_format(int64_t ns, int digits, char *buf, size_t len);

/*
 * The inverse, for any RFC 3339 date-time: "T", "t" or " " between date and
 * time, an optional fraction of any length (digits past nanoseconds are
 * ignored), "Z", "z" or a ±HH:MM offset. Returns false for anything else,
 * including trailing text and out-of-range fields.
 */
bool rfc3339_parse(const char *s, int64_t *ns);

#endif /* MCPWATCH_LIB_CLOCK_H */
