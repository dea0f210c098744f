// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* resolver: cached container and pod names; misses filled by worker threads. */
#include "enrich/resolver.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "enrich/k8s.h"
#include "enrich/runtime_api.h"

#define BUCKETS 1024

/* ------------------------------------------------------------- a small map */

struct node {
	struct node *next;
	void *val;
	char key[WORKLOAD_ID_MAX];
};

struct map {
	struct node *b[BUCKETS];
	size_t n;
};

static unsigned hash(const char *s)
{
	unsigned h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h % BUCKETS;
}

static void *map_get(const struct map *m, const char *key)
{
	for (struct node *n = m->b[hash(key)]; n; n = n->next) {
		if (!strcmp(n->key, key))
			return n->val;
	}
	return NULL;
}

/* Adds key (not present) → val; false when out of memory. */
static bool map_put(struct map *m, const char *key, void *val)
{
	struct node *n = calloc(1, sizeof(*n));
	unsigned h = hash(key);

	if (!n)
		return false;
	snprintf(n->key, sizeof(n->key), "%s", key);
	n->val = val;
	n->next = m->b[h];
	m->b[h] = n;
	m->n++;
	return true;
}

/* Removes key; returns its value (the caller frees it) or NULL. */
static void *map_del(struct map *m, const char *key)
{
	for (struct node **pp = &m->b[hash(key)]; *pp; pp = &(*pp)->next) {
		struct node *n = *pp;
		void *val;

		if (strcmp(n->key, key))
			continue;
		*pp = n->next;
		val = n->val;
		free(n);
		m->n--;
		return val;
	}
	return NULL;
}

static void map_clear(struct map *m, void (*free_val)(void *))
{
	for (size_t i = 0; i < BUCKETS; i++) {
		struct node *n = m->b[i], *next;

		for (; n; n = next) {
			next = n->next;
			free_val(n->val);
			free(n);
		}
		m->b[i] = NULL;
	}
	m->n = 0;
}

/* ------------------------------------------------------------- entries */

struct pod {
	char name[WORKLOAD_NAME_MAX];
	char namespace_[WORKLOAD_LABEL_MAX];
	char node[WORKLOAD_NAME_MAX];
	bool seen; /* by the relist under way */
	size_t ncontainers;
	struct k8s_container *containers;
};

enum ctr_state { CTR_QUEUED, CTR_FOUND, CTR_MISSING };

struct ctr {
	enum ctr_state state;
	time_t when; /* CTR_MISSING: when the runtimes said so */
	char runtime[16];
	struct workload info; /* container_name, container_image, pod labels */
};

static void pod_free(void *v)
{
	struct pod *p = v;

	if (p)
		free(p->containers);
	free(p);
}

struct resolver {
	pthread_mutex_t lock; /* the maps, the queue, the stats */
	pthread_cond_t work;
	bool stop;
	struct map pods, ctrs;
	char queue[RESOLVER_QUEUE][WORKLOAD_ID_MAX];
	size_t qhead, qlen;
	pthread_t worker;
	bool worker_running;
	char sockets[RESOLVER_SOCKETS_MAX][512];
	size_t nsockets;
	char node_name[WORKLOAD_NAME_MAX];
	char k8s_what[600]; /* for resolver_describe */
	struct k8s_client *k8s;
	struct resolver_stats st;
	void (*log)(void *arg, const char *msg);
	void *log_arg;
};

static void say(struct resolver *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct resolver *r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!r->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->log(r->log_arg, msg);
}

/* ------------------------------------------------------------- the pod sink */

static void sink_begin(void *arg)
{
	struct resolver *r = arg;

	pthread_mutex_lock(&r->lock);
	for (size_t i = 0; i < BUCKETS; i++) {
		for (struct node *n = r->pods.b[i]; n; n = n->next)
			((struct pod *)n->val)->seen = false;
	}
	pthread_mutex_unlock(&r->lock);
}

static void sink_pod(void *arg, const struct k8s_pod *kp)
{
	struct resolver *r = arg;
	struct k8s_container *cs = NULL;
	struct pod *p;

	if (kp->ncontainers) {
		cs = malloc(kp->ncontainers * sizeof(*cs));
		if (!cs)
			return;
		memcpy(cs, kp->containers, kp->ncontainers * sizeof(*cs));
	}
	pthread_mutex_lock(&r->lock);
	p = map_get(&r->pods, kp->uid);
	if (!p && r->pods.n < RESOLVER_MAX_PODS) {
		p = calloc(1, sizeof(*p));
		if (p && !map_put(&r->pods, kp->uid, p)) {
			free(p);
			p = NULL;
		}
	}
	if (p) {
		snprintf(p->name, sizeof(p->name), "%s", kp->name);
		snprintf(p->namespace_, sizeof(p->namespace_), "%s", kp->namespace_);
		snprintf(p->node, sizeof(p->node), "%s", kp->node);
		free(p->containers);
		p->containers = cs;
		p->ncontainers = kp->ncontainers;
		p->seen = true;
		cs = NULL;
	} else {
		r->st.dropped++;
	}
	pthread_mutex_unlock(&r->lock);
	free(cs);
}

static void sink_deleted(void *arg, const char *uid)
{
	struct resolver *r = arg;

	pthread_mutex_lock(&r->lock);
	pod_free(map_del(&r->pods, uid));
	pthread_mutex_unlock(&r->lock);
}

/* A relist ended: the pods it did not name are gone. */
static void sink_end(void *arg)
{
	struct resolver *r = arg;
	char gone[64][WORKLOAD_ID_MAX];
	size_t ngone;

	pthread_mutex_lock(&r->lock);
	do {
		ngone = 0;
		for (size_t i = 0; i < BUCKETS && ngone < 64; i++) {
			for (struct node *n = r->pods.b[i]; n && ngone < 64; n = n->next) {
				if (!((struct pod *)n->val)->seen)
					snprintf(gone[ngone++], WORKLOAD_ID_MAX, "%s", n->key);
			}
		}
		for (size_t i = 0; i < ngone; i++)
			pod_free(map_del(&r->pods, gone[i]));
	} while (ngone == 64);
	pthread_mutex_unlock(&r->lock);
}

static void sink_log(void *arg, const char *msg)
{
	say(arg, "metadata: %s", msg);
}

/* ------------------------------------------------------------- the runtime worker */

static bool is_socket(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* Asks each socket in turn; 1 found, 0 none knows it, -1 none answered. */
static int ask_runtimes(struct resolver *r, const char *id, struct workload *out)
{
	int ret = -1;

	for (size_t i = 0; i < r->nsockets; i++) {
		char err[256];
		int rc;

		if (!is_socket(r->sockets[i]))
			continue;
		rc = runtime_api_query(r->sockets[i], id, out, err, sizeof(err));
		if (rc == 1)
			return 1;
		if (rc == 0)
			ret = 0;
		else
			say(r, "metadata: %s", err);
	}
	return ret;
}

static void *worker_main(void *arg)
{
	struct resolver *r = arg;

	pthread_mutex_lock(&r->lock);
	for (;;) {
		char id[WORKLOAD_ID_MAX];
		struct workload info;
		struct ctr *c;
		int rc;

		while (!r->stop && !r->qlen)
			pthread_cond_wait(&r->work, &r->lock);
		if (r->stop)
			break;
		memcpy(id, r->queue[r->qhead], sizeof(id));
		r->qhead = (r->qhead + 1) % RESOLVER_QUEUE;
		r->qlen--;
		pthread_mutex_unlock(&r->lock);

		memset(&info, 0, sizeof(info));
		rc = ask_runtimes(r, id, &info);

		pthread_mutex_lock(&r->lock);
		c = map_get(&r->ctrs, id);
		if (rc == 1)
			r->st.runtime_found++;
		else if (rc == 0)
			r->st.runtime_missing++;
		else
			r->st.runtime_errors++;
		if (!c)
			continue;
		c->state = rc == 1 ? CTR_FOUND : CTR_MISSING;
		c->when = time(NULL);
		if (rc == 1)
			c->info = info;
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

/* The oldest answer goes when the cache is full (lock held). */
static void evict_one(struct resolver *r)
{
	const char *victim = NULL;
	time_t oldest = 0;

	for (size_t i = 0; i < BUCKETS; i++) {
		for (struct node *n = r->ctrs.b[i]; n; n = n->next) {
			struct ctr *c = n->val;

			if (c->state != CTR_QUEUED && (!victim || c->when < oldest)) {
				victim = n->key;
				oldest = c->when;
			}
		}
	}
	if (victim) {
		char key[WORKLOAD_ID_MAX];

		snprintf(key, sizeof(key), "%s", victim);
		free(map_del(&r->ctrs, key));
	}
}

/* Queues id for the worker (lock held); false when the queue is full. */
static bool enqueue(struct resolver *r, const char *id)
{
	if (r->qlen == RESOLVER_QUEUE) {
		r->st.dropped++;
		return false;
	}
	snprintf(r->queue[(r->qhead + r->qlen) % RESOLVER_QUEUE], WORKLOAD_ID_MAX, "%s", id);
	r->qlen++;
	r->st.queued++;
	pthread_cond_signal(&r->work);
	return true;
}

/* The runtime's answer about id, or NULL when it is not in yet (lock held). */
static const struct ctr *container_entry(struct resolver *r, const char *id)
{
	struct ctr *c = map_get(&r->ctrs, id);

	if (!r->worker_running)
		return NULL;
	if (c) {
		if (c->state == CTR_MISSING && time(NULL) - c->when >= RESOLVER_RETRY_S &&
		    enqueue(r, id))
			c->state = CTR_QUEUED;
		return c->state == CTR_FOUND ? c : NULL;
	}
	if (r->ctrs.n >= RESOLVER_MAX_CONTAINERS)
		evict_one(r);
	if (r->ctrs.n >= RESOLVER_MAX_CONTAINERS) {
		r->st.dropped++;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c || !map_put(&r->ctrs, id, c)) {
		free(c);
		return NULL;
	}
	c->state = CTR_QUEUED;
	if (!enqueue(r, id))
		free(map_del(&r->ctrs, id));
	return NULL;
}

/* Fills what the pod's entry says (lock held). */
static void from_pod(const struct pod *p, const char *container_id, struct workload *out)
{
	WORKLOAD_SET(out->pod_name, p->name);
	WORKLOAD_SET(out->pod_namespace, p->namespace_);
	WORKLOAD_SET(out->node_name, p->node);
	for (size_t i = 0; container_id && i < p->ncontainers; i++) {
		if (strcmp(p->containers[i].id, container_id))
			continue;
		WORKLOAD_SET(out->k8s_container_name, p->containers[i].name);
		WORKLOAD_SET(out->container_image, p->containers[i].image);
		WORKLOAD_SET(out->container_image_id, p->containers[i].image_id);
	}
}

/* The runtime's answer fills only what the Kubernetes API did not. */
static void fill_missing(char *dst, size_t n, const char *src)
{
	if (!dst[0])
		workload_set(dst, (unsigned)n, src);
}

void resolver_lookup(struct resolver *r, const char *container_id, const char *pod_uid,
		     const char *runtime, struct workload *out)
{
	const struct ctr *c = NULL;
	const struct pod *p = NULL;

	memset(out, 0, sizeof(*out));
	if (container_id && strlen(container_id) == WORKLOAD_ID_MAX - 1)
		WORKLOAD_SET(out->container_id, container_id);
	else
		container_id = NULL;
	if (pod_uid && strlen(pod_uid) == WORKLOAD_UID_MAX - 1)
		WORKLOAD_SET(out->pod_uid, pod_uid);
	else
		pod_uid = NULL;
	if (container_id || pod_uid)
		WORKLOAD_SET(out->container_runtime, runtime);
	if (!r || (!container_id && !pod_uid))
		return;
	pthread_mutex_lock(&r->lock);
	r->st.lookups++;
	if (pod_uid)
		p = map_get(&r->pods, pod_uid);
	if (p)
		from_pod(p, container_id, out);
	if (container_id)
		c = container_entry(r, container_id);
	if (c) {
		const struct workload *i = &c->info;

		WORKLOAD_SET(out->container_name, i->container_name);
		WORKLOAD_SET(out->container_image, i->container_image);
		WORKLOAD_SET(out->container_image_id, i->container_image_id);
		fill_missing(out->pod_name, sizeof(out->pod_name), i->pod_name);
		fill_missing(out->pod_namespace, sizeof(out->pod_namespace), i->pod_namespace);
		fill_missing(out->pod_uid, sizeof(out->pod_uid), i->pod_uid);
		fill_missing(out->k8s_container_name, sizeof(out->k8s_container_name),
			     i->k8s_container_name);
	}
	pthread_mutex_unlock(&r->lock);
	/* A pod's process runs on this node. */
	if (out->pod_uid[0])
		fill_missing(out->node_name, sizeof(out->node_name), r->node_name);
	/* Under containerd and CRI-O the container's name is the pod spec's. */
	fill_missing(out->container_name, sizeof(out->container_name), out->k8s_container_name);
}

void resolver_stats(struct resolver *r, struct resolver_stats *out)
{
	struct k8s_stats ks;

	pthread_mutex_lock(&r->lock);
	*out = r->st;
	out->pods = r->pods.n;
	out->containers = r->ctrs.n;
	out->nsockets = r->nsockets;
	pthread_mutex_unlock(&r->lock);
	out->kubernetes = r->k8s != NULL;
	if (r->k8s) {
		k8s_client_stats(r->k8s, &ks);
		out->kubernetes_synced = ks.synced;
		out->kubernetes_status = ks.last_status;
		out->kubernetes_lists = ks.lists;
		out->kubernetes_watches = ks.watches;
		out->kubernetes_gone = ks.gone;
		snprintf(out->kubernetes_error, sizeof(out->kubernetes_error), "%s", ks.last_error);
	}
}

/* ------------------------------------------------------------- start, stop */

static void add_socket(struct resolver *r, const char *root, const char *path)
{
	if (r->nsockets == RESOLVER_SOCKETS_MAX)
		return;
	snprintf(r->sockets[r->nsockets++], sizeof(r->sockets[0]), "%s%s", root ? root : "", path);
}

static void setup_runtime(struct resolver *r, const struct resolver_opts *o, char *err,
			  size_t errlen)
{
	const char *root = o->host_root && strcmp(o->host_root, "/") ? o->host_root : "";
	bool any = false;

	if (o->runtime == RESOLVER_OFF)
		return;
	if (o->runtime_socket)
		add_socket(r, NULL, o->runtime_socket);
	add_socket(r, root, "/run/podman/podman.sock");
	add_socket(r, root, "/var/run/docker.sock");
	add_socket(r, root, "/var/run/crio/crio.sock");
	for (size_t i = 0; i < r->nsockets; i++)
		any |= is_socket(r->sockets[i]);
	if (!any && o->runtime == RESOLVER_ON)
		say(r,
		    "metadata: no container runtime socket answers yet (%s%s...); "
		    "asking when containers appear",
		    r->sockets[0], r->nsockets > 1 ? ", " : "");
	if (pthread_create(&r->worker, NULL, worker_main, r)) {
		snprintf(err, errlen, "metadata: cannot start a thread: %s", strerror(errno));
		r->nsockets = 0;
		return;
	}
	r->worker_running = true;
}

static bool readable(const char *path)
{
	FILE *f = fopen(path, "re");

	if (f)
		fclose(f);
	return f != NULL;
}

static void setup_kubernetes(struct resolver *r, const struct resolver_opts *o)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST"),
		   *port = getenv("KUBERNETES_SERVICE_PORT");
	struct k8s_sink sink = {sink_begin, sink_pod, sink_deleted, sink_end, sink_log, r};
	struct k8s_client_opts ko = {
	    .api_url = o->api_url,
	    .ca_file = o->ca_file ? o->ca_file : METADATA_SA_DIR "/ca.crt",
	    .token_file = o->token_file ? o->token_file : METADATA_SA_DIR "/token",
	    .backoff_max_ms = o->k8s_backoff_max_ms,
	};
	char url[300], err[256];

	if (o->kubernetes == RESOLVER_OFF) {
		snprintf(r->k8s_what, sizeof(r->k8s_what), "off");
		return;
	}
	if (!ko.api_url && host && host[0]) {
		snprintf(url, sizeof(url), strchr(host, ':') ? "https://[%s]:%s" : "https://%s:%s",
			 host, port && port[0] ? port : "443");
		ko.api_url = url;
	}
	ko.node_name = r->node_name[0] ? r->node_name : NULL;
	if (!ko.api_url) {
		snprintf(r->k8s_what, sizeof(r->k8s_what), "not in a pod");
		return;
	}
	if (!ko.node_name || !readable(ko.token_file)) {
		snprintf(r->k8s_what, sizeof(r->k8s_what), "off: %s",
			 !ko.node_name
			     ? "no node name (set MCPWATCH_NODE_NAME or metadata.node_name)"
			     : "no ServiceAccount token");
		if (o->kubernetes == RESOLVER_ON || o->api_url)
			say(r, "metadata: kubernetes %s", r->k8s_what);
		return;
	}
	r->k8s = k8s_client_start(&ko, &sink, err, sizeof(err));
	if (!r->k8s) {
		snprintf(r->k8s_what, sizeof(r->k8s_what), "off: %s", err);
		say(r, "metadata: %s", err);
		return;
	}
	snprintf(r->k8s_what, sizeof(r->k8s_what), "%s, node %s", ko.api_url, ko.node_name);
}

struct resolver *resolver_new(const struct resolver_opts *o, char *err, size_t errlen)
{
	struct resolver *r = calloc(1, sizeof(*r));
	const char *node = o->node_name ? o->node_name : getenv("MCPWATCH_NODE_NAME");

	if (!r) {
		snprintf(err, errlen, "metadata: out of memory");
		return NULL;
	}
	err[0] = '\0';
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->work, NULL);
	r->log = o->log;
	r->log_arg = o->log_arg;
	WORKLOAD_SET(r->node_name, node);
	setup_runtime(r, o, err, errlen);
	if (err[0])
		say(r, "%s", err);
	setup_kubernetes(r, o);
	return r;
}

void resolver_describe(const struct resolver *r, char *out, size_t outlen)
{
	size_t len;

	snprintf(out, outlen, "runtime sockets: ");
	for (size_t i = 0; i < r->nsockets; i++) {
		len = strlen(out);
		snprintf(out + len, outlen - len, "%s%s%s", i ? ", " : "", r->sockets[i],
			 is_socket(r->sockets[i]) ? "" : " (absent)");
	}
	len = strlen(out);
	snprintf(out + len, outlen - len, "%s; kubernetes: %s", r->nsockets ? "" : "none",
		 r->k8s_what);
}

static void ctr_free(void *v)
{
	free(v);
}

void resolver_free(struct resolver *r)
{
	if (!r)
		return;
	k8s_client_stop(r->k8s);
	if (r->worker_running) {
		pthread_mutex_lock(&r->lock);
		r->stop = true;
		pthread_cond_broadcast(&r->work);
		pthread_mutex_unlock(&r->lock);
		pthread_join(r->worker, NULL);
	}
	map_clear(&r->pods, pod_free);
	map_clear(&r->ctrs, ctr_free);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->work);
	free(r);
}
