// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Fuzz server-identity extraction from (truncated) stdout samples. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "identify/mcpproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[64], version[32];
	size_t i;

	if (!mcp_parse_server_info((const char *)data, size, name, sizeof(name), version,
				   sizeof(version))) {
		if (name[0])
			abort();
		return 0;
	}
	if (!name[0] || strlen(name) >= sizeof(name) || strlen(version) >= sizeof(version))
		abort();
	for (i = 0; name[i]; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			abort();
	return 0;
}
