/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * workload: owns the shape of what is known about the container and the
 * Kubernetes pod a process runs in — ids from its cgroup, names from the
 * container runtime or the Kubernetes API — as a value that any layer above
 * can copy and read without locks. An empty string means unknown: records
 * leave that field out, never write "" or a guess.
 */
#ifndef MCPWATCH_ENRICH_WORKLOAD_H
#define MCPWATCH_ENRICH_WORKLOAD_H

#include <stdbool.h>

#define WORKLOAD_ID_MAX	   65  /* 64 hex digits */
#define WORKLOAD_UID_MAX   37  /* 8-4-4-4-12 */
#define WORKLOAD_NAME_MAX  254 /* a DNS subdomain (pod, node) or a runtime's name */
#define WORKLOAD_LABEL_MAX 64  /* a DNS label (namespace, container in a pod) */
#define WORKLOAD_IMAGE_MAX 512 /* registry/repository:tag or @digest */

struct workload {
	char container_id[WORKLOAD_ID_MAX];
	char container_runtime[16]; /* "docker", "containerd", "cri-o", "podman", "cri" */
	char container_name[WORKLOAD_NAME_MAX];
	char container_image[WORKLOAD_IMAGE_MAX];
	char container_image_id[WORKLOAD_IMAGE_MAX]; /* "sha256:..." or repo@sha256:... */
	char pod_name[WORKLOAD_NAME_MAX];
	char pod_uid[WORKLOAD_UID_MAX];
	char pod_namespace[WORKLOAD_LABEL_MAX];
	char node_name[WORKLOAD_NAME_MAX];
	char k8s_container_name[WORKLOAD_LABEL_MAX];
};

/* Copies s into dst (size n) when s is a non-empty string that fits whole
 * and holds no control byte; otherwise leaves dst as it was. */
void workload_set(char *dst, unsigned n, const char *s);
#define WORKLOAD_SET(field, s) workload_set(field, (unsigned)sizeof(field), s)

/* Anything known about a pod (name, uid or namespace)? */
bool workload_in_pod(const struct workload *w);

#endif /* MCPWATCH_ENRICH_WORKLOAD_H */
