// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Fuzz the ELF symbol lookup of the TLS tap (a library a watched process maps
 * is outside input): any image answers or fails cleanly, and an offset it
 * gives lies inside the image. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sense/elfsym.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	uint64_t off;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (elfsym_offset(copy, size, "SSL_read", &off) == 0 && off >= size)
		abort();
	free(copy);
	return 0;
}
