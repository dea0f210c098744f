/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Test helper: a struct diag that prints to a stream, for tests that
 * compare the diagnostics' text. */
#ifndef MCPWATCH_TEST_DIAGTO_H
#define MCPWATCH_TEST_DIAGTO_H

#include <stdio.h>

#include "lib/diag.h"

static inline struct diag *diag_to(FILE *out)
{
	static struct diag d;

	diag_init(&d, out, false);
	return &d;
}

#endif /* MCPWATCH_TEST_DIAGTO_H */
