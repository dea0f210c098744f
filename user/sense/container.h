/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * container: owns the mapping from the text of /proc/<pid>/cgroup to a
 * container id (full 64 lowercase hex digits), the runtime that made it and,
 * on Kubernetes, the pod uid. Pure parsing of outside input: bounded, never
 * reads past len, never trusts the content. No file access here.
 *
 * Layouts recognised in a cgroup path (v2 "0::/path" or any v1 line):
 *   docker      /docker/<id>, /system.slice/docker-<id>.scope
 *   containerd  cri-containerd-<id>.scope, nerdctl-<id>.scope
 *   cri-o       crio-<id>.scope ("crio-conmon-<id>.scope" is the monitor
 *               process outside the container and is not matched)
 *   podman      libpod-<id>.scope, /libpod_parent/libpod-<id>
 *               ("libpod-conmon-<id>.scope" is not matched, as above)
 *   cri         a bare <id> component under a kubepods hierarchy
 *               (cgroupfs driver: /kubepods/burstable/pod<uid>/<id>)
 * The path is read from its last component to its first, so the innermost
 * container wins (docker-in-docker, podman's "libpod-<id>.scope/container").
 */
#ifndef MCPWATCH_CONTAINER_H
#define MCPWATCH_CONTAINER_H

#include <stddef.h>

#define CONTAINER_ID_LEN      64 /* hex digits; a buffer needs CONTAINER_ID_LEN + 1 */
#define CONTAINER_POD_UID_LEN 36 /* 8-4-4-4-12; a buffer needs + 1 */

/*
 * Finds the container id in cgroup file content (need not be NUL-terminated).
 * On success writes the 64-hex id to id (idlen >= 65) and, if runtime is not
 * NULL, a static runtime name ("docker", "containerd", "cri-o", "podman",
 * "cri"). Returns 1 found, 0 none (id = "", runtime = NULL), -EINVAL if
 * idlen is too small or an argument is NULL.
 */
int container_id_from_cgroup(const char *content, size_t len, char *id, size_t idlen,
			     const char **runtime);

/*
 * Finds the Kubernetes pod uid ("pod<uid>" component, cgroupfs or systemd
 * driver; systemd's underscores are turned back into dashes). Writes the
 * 36-char uid to uid (uidlen >= 37). Returns 1 found, 0 none, -EINVAL.
 */
int container_pod_uid_from_cgroup(const char *content, size_t len, char *uid, size_t uidlen);

#endif /* MCPWATCH_CONTAINER_H */
