/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * resolver: owns the cache that answers "container id X, pod uid Y: what
 * are their names?" without ever blocking its caller, the agent's event
 * loop. It answers from memory under a short lock; a container it has not
 * seen is queued to its worker thread, which asks the container runtime's
 * socket (runtime_api) and fills the cache; pods come from the Kubernetes
 * API client's own thread (k8s), which keeps the cache equal to the pods
 * of this node. Until an answer arrives, a lookup returns what the cgroup
 * said (id, runtime, pod uid): a record is never held back for a name.
 * Both caches are bounded (RESOLVER_MAX_PODS, RESOLVER_MAX_CONTAINERS).
 */
#ifndef MCPWATCH_ENRICH_RESOLVER_H
#define MCPWATCH_ENRICH_RESOLVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enrich/workload.h"

#define RESOLVER_MAX_PODS	4096
#define RESOLVER_MAX_CONTAINERS 4096
#define RESOLVER_QUEUE		256
#define RESOLVER_SOCKETS_MAX	4
#define RESOLVER_RETRY_S	60 /* a container the runtimes did not know is asked again after */

#define METADATA_SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

enum resolver_mode { RESOLVER_AUTO, RESOLVER_ON, RESOLVER_OFF };

struct resolver_opts {
	enum resolver_mode runtime;    /* container runtime sockets */
	const char *runtime_socket;    /* asked first; NULL: only the default ones */
	const char *host_root;	       /* prefix of the default sockets: NULL or "/host" */
	enum resolver_mode kubernetes; /* ON is AUTO that says why it cannot start */
	const char *node_name;	       /* NULL: $MCPWATCH_NODE_NAME */
	const char *api_url;	       /* NULL: https://$KUBERNETES_SERVICE_HOST:$..._PORT */
	const char *ca_file;	       /* NULL: METADATA_SA_DIR/ca.crt */
	const char *token_file;	       /* NULL: METADATA_SA_DIR/token */
	int k8s_backoff_max_ms;	       /* 0: the client's default */
	void (*log)(void *arg, const char *msg); /* from any thread; may be NULL */
	void *log_arg;
};

struct resolver_stats {
	uint64_t lookups, queued, dropped, runtime_found, runtime_missing, runtime_errors;
	size_t pods, containers;
	bool kubernetes;	/* the API client runs */
	bool kubernetes_synced; /* ... and its last list succeeded */
	long kubernetes_status; /* HTTP status of its last answer (-1: none, a transport error) */
	uint64_t kubernetes_lists, kubernetes_watches, kubernetes_gone;
	char kubernetes_error[256];
	size_t nsockets;
};

struct resolver;

/* Starts the threads the options call for (none: every lookup answers what
 * the cgroup said). NULL only when out of memory, with the reason in err. */
struct resolver *resolver_new(const struct resolver_opts *o, char *err, size_t errlen);
void resolver_free(struct resolver *r);

/* One line on what it uses: "runtime sockets: ...; kubernetes: ..." */
void resolver_describe(const struct resolver *r, char *out, size_t outlen);

/*
 * Fills out (zeroed first) from what the cgroup said (container_id, pod_uid,
 * runtime, each may be NULL) and what the cache knows; queues what it does
 * not know yet. Never blocks on I/O. r may be NULL.
 */
void resolver_lookup(struct resolver *r, const char *container_id, const char *pod_uid,
		     const char *runtime, struct workload *out);

void resolver_stats(struct resolver *r, struct resolver_stats *out);

#endif /* MCPWATCH_ENRICH_RESOLVER_H */
