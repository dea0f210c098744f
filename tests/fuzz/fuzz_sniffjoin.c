// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Fuzz the joining of stdout samples: the input is cut into samples at
 * 0xff bytes, each fed for one of four processes (the byte after the cut
 * picks it), as a process's writes would arrive.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "identify/sniffjoin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sniffjoin *j;
	char name[64], version[32];
	size_t i = 0;

	if (!j)
		j = sniffjoin_new();
	if (!j)
		return 0;
	while (i < size) {
		const uint8_t *end = memchr(data + i, 0xff, size - i);
		size_t n = end ? (size_t)(end - (data + i)) : size - i;
		uint32_t tgid = 1 + (i < size ? data[i] % 4 : 0);

		if (sniffjoin_feed(j, tgid, (const char *)data + i, n, n + (n & 1), name,
				   sizeof(name), version, sizeof(version)) == 1) {
			if (!name[0] || strlen(name) >= sizeof(name))
				abort();
		} else if (name[0]) {
			abort();
		}
		i += n + 1;
	}
	for (uint32_t t = 1; t <= 4; t++)
		sniffjoin_forget(j, t);
	return 0;
}
