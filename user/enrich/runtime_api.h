/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * runtime_api: owns what this agent asks a container runtime on its local
 * unix socket about one container: the Docker/Podman API
 * (GET /containers/<id>/json: Name, Config.Image or ImageName,
 * Config.Labels) and CRI-O's info socket (GET /containers/<id>: name,
 * image, labels). The CRI labels (io.kubernetes.pod.name, .namespace,
 * .uid, io.kubernetes.container.name) that kubelet's runtimes set give the
 * pod as well. Blocking: called from the resolver's worker thread only.
 */
#ifndef MCPWATCH_ENRICH_RUNTIME_API_H
#define MCPWATCH_ENRICH_RUNTIME_API_H

#include <stddef.h>

#include "enrich/workload.h"

#define RUNTIME_API_BODY_MAX (4u << 20)

enum runtime_api_kind {
	RUNTIME_API_DOCKER, /* Docker Engine and Podman (its Docker-compatible API) */
	RUNTIME_API_CRIO,   /* CRI-O's HTTP info endpoints on crio.sock */
};

/* The kind a socket speaks, judged by its file name (crio.sock: CRI-O). */
enum runtime_api_kind runtime_api_kind_of(const char *socket_path);

/* Parses an inspect answer of either kind into the container_* and pod
 * fields of out (the others are left as they were). 0, or -1 when it is
 * not a JSON object with a container's name or image. */
int runtime_api_parse(const char *body, size_t len, struct workload *out);

/* Asks the runtime at socket_path about container id (64 hex digits).
 * 1 found (out filled), 0 the runtime does not know it (404), -1 the socket
 * did not answer or answered garbage (reason in err). */
int runtime_api_query(const char *socket_path, const char *id, struct workload *out, char *err,
		      size_t errlen);

#endif /* MCPWATCH_ENRICH_RUNTIME_API_H */
