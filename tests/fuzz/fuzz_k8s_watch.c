// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Fuzz the Kubernetes watch-stream reassembly and event parser: the input's
 * first byte picks the chunk size, the rest arrives in chunks of that size
 * (a watch stream is cut anywhere by TCP and chunked encoding). Events must
 * carry a pod with a 36-character uid (or none for BOOKMARK and ERROR), and
 * the same input fed whole must give the same events.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/k8s.h"

struct tally {
	unsigned events;
	unsigned long sum; /* of types and uid lengths, to compare two runs */
};

static void on_event(void *arg, const struct k8s_event *ev)
{
	struct tally *t = arg;

	if (ev->type == K8S_ADDED || ev->type == K8S_MODIFIED || ev->type == K8S_DELETED) {
		if (!ev->pod || strlen(ev->pod->uid) != WORKLOAD_UID_MAX - 1 ||
		    ev->pod->ncontainers > K8S_POD_CONTAINERS_MAX)
			abort();
		for (size_t i = 0; i < ev->pod->ncontainers; i++) {
			size_t n = strlen(ev->pod->containers[i].id);

			if (n && n != WORKLOAD_ID_MAX - 1)
				abort();
		}
	} else if (ev->pod) {
		abort();
	}
	if (strlen(ev->rv) >= K8S_RV_MAX)
		abort();
	t->events++;
	t->sum += (unsigned long)ev->type + (ev->pod ? strlen(ev->pod->name) : 0);
}

static int feed(const uint8_t *data, size_t size, size_t step, struct tally *t)
{
	struct k8s_watch w;
	int rc = 0;

	k8s_watch_init(&w);
	w.max = 4096;
	for (size_t i = 0; i < size && rc == 0; i += step)
		rc = k8s_watch_feed(&w, (const char *)data + i, i + step > size ? size - i : step,
				    on_event, t);
	k8s_watch_free(&w);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tally a = {0}, b = {0};
	size_t step;
	int ra, rb;

	if (size < 1)
		return 0;
	step = (size_t)data[0] % 64 + 1;
	ra = feed(data + 1, size - 1, step, &a);
	rb = feed(data + 1, size - 1, size, &b);
	if (ra != rb || a.events != b.events || a.sum != b.sum)
		abort();
	return 0;
}
