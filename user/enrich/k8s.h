/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * k8s: owns what this agent reads from the Kubernetes API — the parsers of
 * a PodList and of the watch stream (newline-delimited JSON events that
 * arrive in chunks cut anywhere), and the client that lists, then watches,
 * the pods of this node (fieldSelector=spec.nodeName=<node>) over HTTPS
 * with the ServiceAccount's bearer token and CA, on its own thread. It
 * relists on 410 Gone, reconnects with backoff, and re-reads the token at
 * every connection (projected tokens rotate; a watch lasts at most
 * K8S_WATCH_TIMEOUT_S). It hands pods to a sink; it keeps no cache.
 */
#ifndef MCPWATCH_ENRICH_K8S_H
#define MCPWATCH_ENRICH_K8S_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enrich/workload.h"

#define K8S_POD_CONTAINERS_MAX 32	   /* containers (init and regular) kept per pod */
#define K8S_LINE_MAX	       (4u << 20)  /* one watch event */
#define K8S_LIST_MAX	       (64u << 20) /* one PodList */
#define K8S_RV_MAX	       64
#define K8S_WATCH_TIMEOUT_S    240

struct k8s_container {
	char id[WORKLOAD_ID_MAX]; /* "" until the runtime started it */
	char name[WORKLOAD_LABEL_MAX];
	char image[WORKLOAD_IMAGE_MAX];
	char image_id[WORKLOAD_IMAGE_MAX];
};

struct k8s_pod {
	char uid[WORKLOAD_UID_MAX];
	char name[WORKLOAD_NAME_MAX];
	char namespace_[WORKLOAD_LABEL_MAX];
	char node[WORKLOAD_NAME_MAX];
	size_t ncontainers;
	struct k8s_container containers[K8S_POD_CONTAINERS_MAX];
};

struct json_value;

/* A pod object (metadata.{uid,name,namespace}, spec.nodeName,
 * status.{initContainerStatuses,containerStatuses}[].{name,containerID,image}).
 * 0, or -1 when it has no usable metadata.uid. */
int k8s_pod_from_json(const struct json_value *obj, struct k8s_pod *out);

/* "containerd://<64 hex>" (any scheme) → the 64 hex digits in id; false otherwise. */
bool k8s_container_id(const char *s, char *id, size_t idlen);

typedef void (*k8s_pod_fn)(void *arg, const struct k8s_pod *pod);

/* A PodList: fn for each pod with a uid; its metadata.resourceVersion in rv.
 * Returns the number of pods, or -1 when it is not a PodList. */
int k8s_podlist_parse(const char *buf, size_t len, k8s_pod_fn fn, void *arg, char *rv,
		      size_t rvlen);

enum k8s_event_type { K8S_ADDED, K8S_MODIFIED, K8S_DELETED, K8S_BOOKMARK, K8S_ERROR };

struct k8s_event {
	enum k8s_event_type type;
	const struct k8s_pod *pod; /* ADDED, MODIFIED, DELETED */
	char rv[K8S_RV_MAX];	   /* the object's resourceVersion, "" if none */
	int code;		   /* ERROR: the Status code (410: relist) */
};

typedef void (*k8s_event_fn)(void *arg, const struct k8s_event *ev);

/* The watch stream's reassembly: bytes in, whole events out. */
struct k8s_watch {
	char *line;
	size_t len, cap, max; /* max: 0 means K8S_LINE_MAX */
	struct k8s_pod pod;   /* scratch, too big for the stack of a curl callback */
};

void k8s_watch_init(struct k8s_watch *w);
void k8s_watch_free(struct k8s_watch *w);
/* Feeds n bytes; fn for each complete event. 0, or -1 on a line longer
 * than the limit or an event that is not {type, object} (the caller drops
 * the connection: the stream is no longer trustworthy). */
int k8s_watch_feed(struct k8s_watch *w, const char *data, size_t n, k8s_event_fn fn, void *arg);

/* ------------------------------------------------------------- the client */

/* Where pods go: a relist is begin, pod for each, end (drop the unseen). */
struct k8s_sink {
	void (*begin)(void *arg);
	void (*pod)(void *arg, const struct k8s_pod *pod);
	void (*deleted)(void *arg, const char *uid);
	void (*end)(void *arg);
	void (*log)(void *arg, const char *msg); /* may be NULL */
	void *arg;
};

struct k8s_client_opts {
	const char *api_url;	/* "https://10.0.0.1:443", no trailing path */
	const char *node_name;	/* required */
	const char *ca_file;	/* required for https */
	const char *token_file; /* NULL: no Authorization header */
	int backoff_max_ms;	/* 0: 30000 */
};

struct k8s_stats {
	uint64_t lists, watches, events, gone, errors;
	long last_status; /* HTTP status of the last response, 0 before/none */
	char last_error[256];
	bool synced; /* a list succeeded and its watch is (re)connecting or open */
};

struct k8s_client;

/* Copies opts; starts the thread. NULL with the reason in err. */
struct k8s_client *k8s_client_start(const struct k8s_client_opts *o, const struct k8s_sink *sink,
				    char *err, size_t errlen);
/* Stops the thread (an open watch is cut) and frees. */
void k8s_client_stop(struct k8s_client *c);
void k8s_client_stats(struct k8s_client *c, struct k8s_stats *out);

#endif /* MCPWATCH_ENRICH_K8S_H */
