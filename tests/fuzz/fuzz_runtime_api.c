// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Fuzz the container runtime's inspect answer parser (Docker, Podman,
 * CRI-O): what it writes is NUL-terminated, fits its field, has no control
 * byte, and a parse that fails writes nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/runtime_api.h"

static void check(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		abort();
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct workload zero;
	struct workload w = {0};
	int ret = runtime_api_parse((const char *)data, size, &w);

	if (ret != 0 && memcmp(&w, &zero, sizeof(w)) != 0)
		abort();
	check(w.container_name, sizeof(w.container_name));
	check(w.container_image, sizeof(w.container_image));
	check(w.container_image_id, sizeof(w.container_image_id));
	check(w.pod_name, sizeof(w.pod_name));
	check(w.pod_namespace, sizeof(w.pod_namespace));
	check(w.k8s_container_name, sizeof(w.k8s_container_name));
	if (w.pod_uid[0] && strlen(w.pod_uid) != WORKLOAD_UID_MAX - 1)
		abort();
	return 0;
}
