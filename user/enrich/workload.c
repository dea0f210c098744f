// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* workload: the container and pod a process runs in. */
#include "enrich/workload.h"

#include <string.h>

void workload_set(char *dst, unsigned n, const char *s)
{
	size_t len;

	if (!s || !s[0])
		return;
	len = strlen(s);
	if (len >= n)
		return;
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return;
	}
	memcpy(dst, s, len + 1);
}

bool workload_in_pod(const struct workload *w)
{
	return w->pod_name[0] || w->pod_uid[0] || w->pod_namespace[0];
}
