// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Fuzz the Kubernetes PodList parser: every pod handed over has a uid; rv is bounded. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/k8s.h"

static void on_pod(void *arg, const struct k8s_pod *p)
{
	int *n = arg;

	if (strlen(p->uid) != WORKLOAD_UID_MAX - 1 || p->ncontainers > K8S_POD_CONTAINERS_MAX)
		abort();
	(*n)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char rv[K8S_RV_MAX];
	int n = 0, ret = k8s_podlist_parse((const char *)data, size, on_pod, &n, rv, sizeof(rv));

	if (ret != (ret < 0 ? -1 : n) || strlen(rv) >= sizeof(rv))
		abort();
	return 0;
}
