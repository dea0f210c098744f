// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Fuzz the /proc/<pid>/maps reader that finds a mapped libssl: any input is
 * read within its bounds, and a path it returns is one that was there. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sense/procfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[64];
	int rc = procfs_maps_find((const char *)data, size, "libssl.so", out, sizeof(out));

	if (rc == 0 &&
	    (!strstr(out, "libssl.so") || out[0] != '/' || !memmem(data, size, out, strlen(out))))
		abort();
	if (rc != 0 && rc != -ENOENT && rc != -ENAMETOOLONG)
		abort();
	return 0;
}
