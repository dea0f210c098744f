// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* k8s: pods of this node from the Kubernetes API (list, then watch). */
#include "enrich/k8s.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/http_client.h"
#include "lib/json.h"

/* ------------------------------------------------------------- parsing */

static const char *str_at(const struct json_value *obj, const char *key)
{
	return json_get_string(json_object_get(obj, key));
}

bool k8s_container_id(const char *s, char *id, size_t idlen)
{
	const char *sep = s ? strstr(s, "://") : NULL;
	const char *hex = sep ? sep + 3 : NULL;

	if (!hex || idlen < WORKLOAD_ID_MAX || strlen(hex) != WORKLOAD_ID_MAX - 1)
		return false;
	for (const char *p = hex; *p; p++) {
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	}
	memcpy(id, hex, WORKLOAD_ID_MAX);
	return true;
}

static void add_statuses(const struct json_value *arr, struct k8s_pod *out)
{
	if (!arr || arr->type != JSON_ARRAY)
		return;
	for (size_t i = 0; i < arr->array.n && out->ncontainers < K8S_POD_CONTAINERS_MAX; i++) {
		const struct json_value *st = arr->array.items[i];
		struct k8s_container *c = &out->containers[out->ncontainers];

		if (st->type != JSON_OBJECT)
			continue;
		memset(c, 0, sizeof(*c));
		WORKLOAD_SET(c->name, str_at(st, "name"));
		WORKLOAD_SET(c->image, str_at(st, "image"));
		WORKLOAD_SET(c->image_id, str_at(st, "imageID"));
		if (!k8s_container_id(str_at(st, "containerID"), c->id, sizeof(c->id)))
			c->id[0] = '\0';
		if (c->name[0])
			out->ncontainers++;
	}
}

int k8s_pod_from_json(const struct json_value *obj, struct k8s_pod *out)
{
	const struct json_value *meta = json_object_get(obj, "metadata");
	const struct json_value *status = json_object_get(obj, "status");

	out->uid[0] = out->name[0] = out->namespace_[0] = out->node[0] = '\0';
	out->ncontainers = 0;
	if (!meta || meta->type != JSON_OBJECT)
		return -1;
	WORKLOAD_SET(out->uid, str_at(meta, "uid"));
	if (strlen(out->uid) != WORKLOAD_UID_MAX - 1)
		return -1;
	WORKLOAD_SET(out->name, str_at(meta, "name"));
	WORKLOAD_SET(out->namespace_, str_at(meta, "namespace"));
	WORKLOAD_SET(out->node, str_at(json_object_get(obj, "spec"), "nodeName"));
	add_statuses(json_object_get(status, "initContainerStatuses"), out);
	add_statuses(json_object_get(status, "containerStatuses"), out);
	add_statuses(json_object_get(status, "ephemeralContainerStatuses"), out);
	return 0;
}

static void copy_rv(const struct json_value *meta, char *rv, size_t rvlen)
{
	const char *s = str_at(meta, "resourceVersion");

	if (rv && rvlen)
		snprintf(rv, rvlen, "%s", s && strlen(s) < rvlen ? s : "");
}

int k8s_podlist_parse(const char *buf, size_t len, k8s_pod_fn fn, void *arg, char *rv, size_t rvlen)
{
	struct json_error err;
	struct json_value *root = json_parse(buf, len, &err);
	const struct json_value *items;
	struct k8s_pod *pod;
	int n = 0;

	if (rv && rvlen)
		rv[0] = '\0';
	if (!root)
		return -1;
	items = json_object_get(root, "items");
	pod = malloc(sizeof(*pod));
	if (!pod || root->type != JSON_OBJECT || (items && items->type != JSON_ARRAY)) {
		free(pod);
		json_free(root);
		return -1;
	}
	copy_rv(json_object_get(root, "metadata"), rv, rvlen);
	for (size_t i = 0; items && i < items->array.n; i++) {
		if (k8s_pod_from_json(items->array.items[i], pod) == 0) {
			fn(arg, pod);
			n++;
		}
	}
	free(pod);
	json_free(root);
	return n;
}

void k8s_watch_init(struct k8s_watch *w)
{
	memset(w, 0, sizeof(*w));
}

void k8s_watch_free(struct k8s_watch *w)
{
	free(w->line);
	w->line = NULL;
	w->len = w->cap = 0;
}

static const char *const event_types[] = {
    [K8S_ADDED] = "ADDED",	 [K8S_MODIFIED] = "MODIFIED", [K8S_DELETED] = "DELETED",
    [K8S_BOOKMARK] = "BOOKMARK", [K8S_ERROR] = "ERROR",
};

/* One whole line: {"type": ..., "object": {...}}. */
static int watch_line(struct k8s_watch *w, const char *s, size_t n, k8s_event_fn fn, void *arg)
{
	struct json_error err;
	struct json_value *root;
	const struct json_value *obj;
	const char *type;
	struct k8s_event ev = {.type = K8S_ERROR};
	int64_t code = 0;
	int ret = -1;

	while (n && (s[n - 1] == '\r' || s[n - 1] == ' '))
		n--;
	if (!n)
		return 0;
	root = json_parse(s, n, &err);
	if (!root)
		return -1;
	type = str_at(root, "type");
	obj = json_object_get(root, "object");
	if (!type || !obj || obj->type != JSON_OBJECT)
		goto out;
	for (size_t i = 0; i < sizeof(event_types) / sizeof(event_types[0]); i++) {
		if (!strcmp(type, event_types[i])) {
			ev.type = (enum k8s_event_type)i;
			ret = 0;
		}
	}
	if (ret) /* an event type this agent does not know */
		goto out;
	copy_rv(json_object_get(obj, "metadata"), ev.rv, sizeof(ev.rv));
	if (ev.type == K8S_ERROR) {
		json_get_int(json_object_get(obj, "code"), &code);
		ev.code = code > 0 && code < 1000 ? (int)code : 0;
	} else if (ev.type != K8S_BOOKMARK) {
		if (k8s_pod_from_json(obj, &w->pod))
			goto out; /* a pod without a uid: skip it, the stream is fine */
		ev.pod = &w->pod;
	}
	fn(arg, &ev);
out:
	json_free(root);
	return ret;
}

int k8s_watch_feed(struct k8s_watch *w, const char *data, size_t n, k8s_event_fn fn, void *arg)
{
	size_t max = w->max ? w->max : K8S_LINE_MAX;

	while (n) {
		const char *nl = memchr(data, '\n', n);
		size_t take = nl ? (size_t)(nl - data) : n;

		if (w->len + take > max)
			return -1;
		if (w->len + take + 1 > w->cap) {
			size_t cap = w->cap ? w->cap : 4096;
			char *p;

			while (cap < w->len + take + 1)
				cap *= 2;
			p = realloc(w->line, cap);
			if (!p)
				return -1;
			w->line = p;
			w->cap = cap;
		}
		memcpy(w->line + w->len, data, take);
		w->len += take;
		data += take;
		n -= take;
		if (!nl)
			break;
		data++, n--;
		w->line[w->len] = '\0';
		if (watch_line(w, w->line, w->len, fn, arg))
			return -1;
		w->len = 0;
	}
	return 0;
}

/* ------------------------------------------------------------- the client */

struct k8s_client {
	char *api_url, *node_esc, *ca_file, *token_file;
	int backoff_max_ms;
	struct k8s_sink sink;
	pthread_t thread;
	pthread_mutex_t lock; /* stats, stop */
	pthread_cond_t wake;
	atomic_bool stop;
	struct k8s_stats stats;
	char rv[K8S_RV_MAX];
	bool relist;
	/* one transfer */
	char *body;
	size_t body_len, body_cap;
	bool body_over;
	struct k8s_watch watch;
	bool watch_bad;
};

static void logf_(struct k8s_client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(struct k8s_client *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&c->lock);
	snprintf(c->stats.last_error, sizeof(c->stats.last_error), "%s", msg);
	c->stats.errors++;
	pthread_mutex_unlock(&c->lock);
	if (c->sink.log)
		c->sink.log(c->sink.arg, msg);
}

static void count(struct k8s_client *c, uint64_t *field, long status)
{
	pthread_mutex_lock(&c->lock);
	if (field)
		(*field)++;
	if (status >= 0)
		c->stats.last_status = status;
	pthread_mutex_unlock(&c->lock);
}

/* Waits ms or until stopped; true when stopped. */
static bool sleep_ms(struct k8s_client *c, int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&c->lock);
	while (!atomic_load(&c->stop) && pthread_cond_timedwait(&c->wake, &c->lock, &ts) == 0)
		;
	pthread_mutex_unlock(&c->lock);
	return atomic_load(&c->stop);
}

/* The token, re-read at every connection; "" when there is none. */
static void read_token(struct k8s_client *c, char *tok, size_t toklen)
{
	FILE *f = c->token_file ? fopen(c->token_file, "re") : NULL;
	size_t n = 0;

	tok[0] = '\0';
	if (!f)
		return;
	n = fread(tok, 1, toklen - 1, f);
	fclose(f);
	tok[n] = '\0';
	while (n && (tok[n - 1] == '\n' || tok[n - 1] == '\r' || tok[n - 1] == ' '))
		tok[--n] = '\0';
	if (strpbrk(tok, "\r\n")) /* no header injection from a bad file */
		tok[0] = '\0';
}

static size_t on_list_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct k8s_client *c = arg;
	size_t n = size * nmemb;

	if (c->body_len + n > K8S_LIST_MAX) {
		c->body_over = true;
		return 0;
	}
	if (c->body_len + n + 1 > c->body_cap) {
		size_t cap = c->body_cap ? c->body_cap : 65536;
		char *p;

		while (cap < c->body_len + n + 1)
			cap *= 2;
		p = realloc(c->body, cap);
		if (!p)
			return 0;
		c->body = p;
		c->body_cap = cap;
	}
	memcpy(c->body + c->body_len, data, n);
	c->body_len += n;
	return n;
}

static void on_event(void *arg, const struct k8s_event *ev)
{
	struct k8s_client *c = arg;

	count(c, &c->stats.events, -1);
	if (ev->rv[0] && ev->type != K8S_ERROR)
		snprintf(c->rv, sizeof(c->rv), "%s", ev->rv);
	switch (ev->type) {
	case K8S_ADDED:
	case K8S_MODIFIED:
		c->sink.pod(c->sink.arg, ev->pod);
		break;
	case K8S_DELETED:
		c->sink.deleted(c->sink.arg, ev->pod->uid);
		break;
	case K8S_BOOKMARK:
		break;
	case K8S_ERROR:
		if (ev->code == 410) {
			count(c, &c->stats.gone, -1);
			c->relist = true;
		} else {
			logf_(c, "kubernetes watch: error event, code %d", ev->code);
			c->relist = true;
		}
		break;
	}
}

static size_t on_watch_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct k8s_client *c = arg;
	size_t n = size * nmemb;

	if (c->watch_bad || c->relist)
		return 0;
	if (k8s_watch_feed(&c->watch, data, n, on_event, c)) {
		c->watch_bad = true;
		return 0;
	}
	return c->relist ? 0 : n; /* an ERROR event: end this watch, relist */
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct k8s_client *c = arg;

	return atomic_load(&c->stop) ? 1 : 0;
}

/* One GET; the body goes to write(arg). The HTTP status, or -1 on a transport error. */
static long get(struct k8s_client *c, const char *url, long timeout_ms,
		size_t (*write)(char *, size_t, size_t, void *))
{
	char errbuf[CURL_ERROR_SIZE] = "", tok[16384], auth[16400];
	struct http_client_opts ho = {.timeout_ms = timeout_ms, .errbuf = errbuf};
	struct curl_slist *hdrs = curl_slist_append(NULL, "Accept: application/json");
	CURL *h = http_client_new(&ho);
	long status = -1;
	CURLcode rc;

	read_token(c, tok, sizeof(tok));
	if (tok[0]) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
		hdrs = curl_slist_append(hdrs, auth);
	}
	if (!h || !hdrs) {
		logf_(c, "kubernetes: out of memory");
		goto out;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, c);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	/* An error status's body (a Status object) is not a PodList or an event. */
	curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	/* Ours to end (a relist, a malformed event, stop) or the server's: not a transport error.
	 */
	if (rc != CURLE_OK && rc != CURLE_HTTP_RETURNED_ERROR &&
	    !(rc == CURLE_WRITE_ERROR && status == 200) && !atomic_load(&c->stop) &&
	    !(rc == CURLE_OPERATION_TIMEDOUT && status == 200)) {
		logf_(c, "kubernetes: %s: %s", url, errbuf[0] ? errbuf : curl_easy_strerror(rc));
		status = -1;
	}
out:
	explicit_bzero(tok, sizeof(tok));
	explicit_bzero(auth, sizeof(auth));
	curl_slist_free_all(hdrs);
	if (h)
		curl_easy_cleanup(h);
	return status;
}

static void podlist_pod(void *arg, const struct k8s_pod *pod)
{
	struct k8s_client *c = arg;

	c->sink.pod(c->sink.arg, pod);
}

/* GET the PodList of this node: true when it was read and handed over. */
static bool list(struct k8s_client *c)
{
	char url[2048];
	long status;
	int n;

	snprintf(url, sizeof(url), "%s/api/v1/pods?fieldSelector=spec.nodeName%%3D%s", c->api_url,
		 c->node_esc);
	c->body_len = 0;
	c->body_over = false;
	status = get(c, url, 60000, on_list_body);
	count(c, &c->stats.lists, status);
	if (c->body_over) {
		logf_(c, "kubernetes: list pods: more than %u bytes", K8S_LIST_MAX);
		return false;
	}
	if (status != 200) {
		if (status > 0)
			logf_(c, "kubernetes: list pods: HTTP %ld%s", status,
			      status == 401 || status == 403
				  ? " (check the ServiceAccount token and its RBAC: get, list, "
				    "watch pods)"
				  : "");
		return false;
	}
	c->sink.begin(c->sink.arg);
	n = k8s_podlist_parse(c->body, c->body_len, podlist_pod, c, c->rv, sizeof(c->rv));
	c->sink.end(c->sink.arg);
	if (n < 0) {
		logf_(c, "kubernetes: list pods: not a PodList");
		return false;
	}
	return true;
}

/* Watches from c->rv until the server ends it, an error, or a relist is due. */
static bool watch(struct k8s_client *c)
{
	char url[2200];
	long status;

	snprintf(url, sizeof(url),
		 "%s/api/v1/pods?fieldSelector=spec.nodeName%%3D%s&watch=1&resourceVersion=%s"
		 "&allowWatchBookmarks=true&timeoutSeconds=%d",
		 c->api_url, c->node_esc, c->rv, K8S_WATCH_TIMEOUT_S);
	k8s_watch_free(&c->watch);
	k8s_watch_init(&c->watch);
	c->watch_bad = false;
	status = get(c, url, (K8S_WATCH_TIMEOUT_S + 60) * 1000L, on_watch_body);
	count(c, &c->stats.watches, status);
	if (status == 410) {
		count(c, &c->stats.gone, -1);
		c->relist = true;
		return true;
	}
	if (status != 200) {
		if (status > 0)
			logf_(c, "kubernetes: watch pods: HTTP %ld", status);
		return false;
	}
	if (c->watch_bad) {
		logf_(c, "kubernetes: watch pods: a malformed event; relisting");
		c->relist = true;
	}
	return true;
}

static void set_synced(struct k8s_client *c, bool v)
{
	pthread_mutex_lock(&c->lock);
	c->stats.synced = v;
	pthread_mutex_unlock(&c->lock);
}

static void *client_main(void *arg)
{
	struct k8s_client *c = arg;
	int backoff = 0;

	c->relist = true;
	while (!atomic_load(&c->stop)) {
		bool ok;

		if (c->relist) {
			ok = list(c);
			if (ok)
				c->relist = false;
		} else {
			ok = watch(c);
		}
		set_synced(c, ok && !c->relist);
		if (ok) {
			backoff = 0;
			continue;
		}
		backoff = backoff ? backoff * 2 : 500;
		if (backoff > c->backoff_max_ms)
			backoff = c->backoff_max_ms;
		if (sleep_ms(c, backoff))
			break;
	}
	return NULL;
}

static void client_free(struct k8s_client *c)
{
	free(c->api_url);
	free(c->node_esc);
	free(c->ca_file);
	free(c->token_file);
	free(c->body);
	k8s_watch_free(&c->watch);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->wake);
	free(c);
}

static char *dup_opt(const char *s, bool *bad)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		*bad = true;
	return d;
}

struct k8s_client *k8s_client_start(const struct k8s_client_opts *o, const struct k8s_sink *sink,
				    char *err, size_t errlen)
{
	struct k8s_client *c;
	bool bad = false;
	size_t ulen;
	CURL *h;

	if (!o->api_url || !o->node_name || !o->node_name[0]) {
		snprintf(err, errlen, "kubernetes: no API URL or node name");
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "kubernetes: out of memory");
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->wake, NULL);
	c->api_url = dup_opt(o->api_url, &bad);
	c->ca_file = dup_opt(o->ca_file, &bad);
	c->token_file = dup_opt(o->token_file, &bad);
	c->backoff_max_ms = o->backoff_max_ms > 0 ? o->backoff_max_ms : 30000;
	c->sink = *sink;
	h = curl_easy_init();
	if (h) {
		char *e = curl_easy_escape(h, o->node_name, 0);

		c->node_esc = dup_opt(e, &bad);
		curl_free(e);
		curl_easy_cleanup(h);
	}
	ulen = c->api_url ? strlen(c->api_url) : 0;
	while (ulen && c->api_url[ulen - 1] == '/')
		c->api_url[--ulen] = '\0';
	if (bad || !c->node_esc || strlen(c->node_esc) > 1024 || ulen > 512) {
		snprintf(err, errlen, "kubernetes: out of memory or an overlong URL or node name");
		client_free(c);
		return NULL;
	}
	k8s_watch_init(&c->watch);
	if (pthread_create(&c->thread, NULL, client_main, c)) {
		snprintf(err, errlen, "kubernetes: cannot start a thread: %s", strerror(errno));
		client_free(c);
		return NULL;
	}
	return c;
}

void k8s_client_stop(struct k8s_client *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	atomic_store(&c->stop, true);
	pthread_cond_broadcast(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	client_free(c);
}

void k8s_client_stats(struct k8s_client *c, struct k8s_stats *out)
{
	pthread_mutex_lock(&c->lock);
	*out = c->stats;
	pthread_mutex_unlock(&c->lock);
}
