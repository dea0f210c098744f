// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Fuzz the RFC 3339 parser (times in records and receiver answers): any input
 * parses or fails cleanly, and what parses formats back to the same instant. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[128], t[RFC3339_MAX];
	int64_t ns, again;

	if (size >= sizeof(s))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (!rfc3339_parse(s, &ns))
		return 0;
	rfc3339_format(ns, 9, t, sizeof(t));
	if (!rfc3339_parse(t, &again) || again != ns)
		abort();
	return 0;
}
