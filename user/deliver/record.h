/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * record: owns what delivery reads from a formatted record besides its
 * text — the host it names and its RFC 5424 severity — read once from the
 * cJSON record when output_write formats it (and, for spool lines written
 * before these facts were kept, when the spool hands them out), so that no
 * sink parses a record again to build its envelope.
 */
#ifndef MCPWATCH_RECORD_H
#define MCPWATCH_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#define RECORD_HOST_MAX 256 /* a longer host is cut */

struct cJSON;

/* The host a formatted record names (host.name, hostname, device.hostname), or false. */
bool record_host(const struct cJSON *rec, char *out, size_t len);

/*
 * RFC 5424 severity of a formatted record: rule.severity (native),
 * "priority" (Falco), "severity"/"severity_id" (OCSF): critical 2, high 3,
 * medium 4, low 5, anything else 6 (informational).
 */
int record_severity(const struct cJSON *rec);

/* Both, from the record's JSON text (old spool lines): host "" when none. */
void record_facts_of_text(const char *data, size_t len, char *host, size_t hostlen, int *severity);

#endif /* MCPWATCH_RECORD_H */
