// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Fuzz the container id and pod uid parsers over /proc/<pid>/cgroup text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sense/container.h"

static void check_hex_id(const char *id)
{
	if (strlen(id) != CONTAINER_ID_LEN)
		abort();
	for (const char *p = id; *p; p++) {
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	char id[CONTAINER_ID_LEN + 1], uid[CONTAINER_POD_UID_LEN + 1];
	const char *runtime;
	int ret = container_id_from_cgroup(buf, size, id, sizeof(id), &runtime);

	if (ret == 1) {
		check_hex_id(id);
		if (!runtime)
			abort();
	} else if (ret != 0 || id[0] || runtime) {
		abort();
	}
	ret = container_pod_uid_from_cgroup(buf, size, uid, sizeof(uid));
	if ((ret == 1 && strlen(uid) != CONTAINER_POD_UID_LEN) || (ret == 0 && uid[0]))
		abort();
	return 0;
}
