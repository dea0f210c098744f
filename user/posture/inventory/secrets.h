/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * inventory/secrets: owns deciding whether a value written in a client
 * config holds a literal secret (what the redactor would mask, once ${VAR}
 * and $VAR references a client expands are set aside), and collecting the
 * findings of one entry into one evidence line that names the field, never
 * the value.
 */
#ifndef MCPWATCH_INVENTORY_SECRETS_H
#define MCPWATCH_INVENTORY_SECRETS_H

#include <stdbool.h>

#include "posture/inventory.h"

/* s without ${...} and $NAME references: what a client does not take literally.
 * NULL when out of memory (caller frees). */
char *secret_strip_references(const char *s);
/* "KEY<sep>literal" masked? A bare path is where a secret is, not a secret. */
bool secret_in_pair(const char *key, const char *sep, const char *value);
/* Does the literal part of value (a URL, say) hold a secret? */
bool secret_in_literal(const char *value);

/* The first finding is the evidence; the count of the others is appended at the end. */
struct secret_scan {
	int count;
	char evidence[INVENTORY_EVIDENCE_MAX];
};

void secret_found(struct secret_scan *ss, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif /* MCPWATCH_INVENTORY_SECRETS_H */
