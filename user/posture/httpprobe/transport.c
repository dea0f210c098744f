// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* httpprobe/transport: one bounded request over a libcurl handle pinned to the local target. */
#include "posture/httpprobe/probe.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "posture/httpprobe/text.h"
#include "posture/tlsprobe.h"
#include "lib/clock.h"
#include "lib/http_client.h"

#define SSE_PEEK_MAX 4096 /* an event stream is cut after its first event or this */
#define MAX_STRIKES  3	  /* requests without an answer before the probe gives up */

int64_t probe_now_ms(void)
{
	return clock_monotonic_ns() / 1000000;
}

static void probe_stop(struct probe *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void probe_stop(struct probe *p, const char *fmt, ...)
{
	va_list ap;

	if (p->stopped)
		return;
	p->stopped = true;
	va_start(ap, fmt);
	vsnprintf(p->stop_reason, sizeof(p->stop_reason), fmt, ap);
	va_end(ap);
}

static size_t on_header(char *data, size_t size, size_t nitems, void *ud)
{
	struct probe *p = ud;
	struct exchange *ex = &p->ex;
	size_t len = size * nitems;

	ex->raw_total += len;
	if (ex->raw_total > p->o.max_header) {
		ex->head_overflow = true;
		return 0; /* aborts the transfer */
	}
	/* A status line starts a new response (after a 1xx): keep only the last head. */
	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		ex->raw_len = 0;
		ex->head_done = false;
	}
	memcpy(p->raw + ex->raw_len, data, len);
	ex->raw_len += len;
	if ((len == 2 && data[0] == '\r' && data[1] == '\n') || (len == 1 && data[0] == '\n'))
		ex->head_done = true;
	return len;
}

static bool is_event_stream(struct probe *p)
{
	char *ct = NULL;

	return curl_easy_getinfo(p->curl, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK &&
	       http_starts_with_nocase(ct, "text/event-stream");
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
	struct probe *p = ud;
	struct exchange *ex = &p->ex;
	size_t len = size * nmemb, room = p->o.max_body - ex->body_len;
	size_t take = len < room ? len : room;

	memcpy(p->body + ex->body_len, data, take);
	ex->body_len += take;
	if (take < len) {
		ex->body_cut = true;
		return 0; /* aborts: we have read all we will read */
	}
	/* Event streams may never end: the first event is all we want. */
	if (is_event_stream(p) &&
	    (ex->body_len >= SSE_PEEK_MAX || http_find_exact(p->body, ex->body_len, "\n\n") ||
	     http_find_exact(p->body, ex->body_len, "\r\n\r\n"))) {
		ex->body_cut = true;
		return 0;
	}
	return len;
}

bool httpprobe_peer_allowed(const struct sockaddr_storage *pinned, const struct sockaddr *peer,
			    socklen_t len)
{
	if (!pinned || !peer || peer->sa_family != pinned->ss_family)
		return false;
	if (peer->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *a = (const void *)pinned, *b = (const void *)peer;

		return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
	}
	if (peer->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *a = (const void *)pinned, *b = (const void *)peer;

		return a->sin6_port == b->sin6_port &&
		       memcmp(&a->sin6_addr, &b->sin6_addr, sizeof(a->sin6_addr)) == 0;
	}
	return false;
}

/* The connect-time guard: libcurl may open a socket only to the pinned address. */
static curl_socket_t open_pinned_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct probe *p = ud;
	int fd;

	if (purpose != CURLSOCKTYPE_IPCXN ||
	    !httpprobe_peer_allowed(&p->pinned, &a->addr, a->addrlen)) {
		p->blocked++;
		return CURL_SOCKET_BAD;
	}
	fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
	return fd < 0 ? CURL_SOCKET_BAD : fd;
}

static struct curl_slist *request_headers(const struct request *rq)
{
	char origin[96];
	const char *lines[6];
	struct curl_slist *h = NULL, *n;
	size_t k = 0;

	lines[k++] = "Accept: application/json, text/event-stream";
	lines[k++] = "Expect:"; /* no 100-continue round trip */
	if (rq->body)
		lines[k++] = "Content-Type: application/json";
	if (rq->origin) {
		snprintf(origin, sizeof(origin), "Origin: %s", rq->origin);
		lines[k++] = origin;
	}
	if (rq->preflight) {
		lines[k++] = "Access-Control-Request-Method: POST";
		lines[k++] = "Access-Control-Request-Headers: content-type";
	}
	for (size_t i = 0; i < k; i++) {
		n = curl_slist_append(h, lines[i]);
		if (!n) {
			curl_slist_free_all(h);
			return NULL;
		}
		h = n;
	}
	return h;
}

static bool set_safety_options(struct probe *p, long timeout)
{
	struct http_client_opts o = {.timeout_ms = timeout};
	CURL *c = p->curl;
	bool bad = !http_client_apply(c, &o);

	/* Local only: the one address checked before any packet, for any name. */
	bad |= curl_easy_setopt(c, CURLOPT_RESOLVE, p->resolve) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_pinned_socket) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, p) != CURLE_OK;
	return !bad;
}

static bool set_transfer_options(struct probe *p, const char *url, struct curl_slist *headers)
{
	CURL *c = p->curl;
	bool bad = false;

	bad |= curl_easy_setopt(c, CURLOPT_URL, url) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_USERAGENT, "mcpwatch-probe/1") != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_HEADERDATA, p) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_WRITEDATA, p) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_ERRORBUFFER, p->errbuf) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, p->verify ? 1L : 0L) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, p->verify ? 2L : 0L) != CURLE_OK;
	if (p->verify)
		bad |= curl_easy_setopt(c, CURLOPT_CAINFO, p->o.ca_file) != CURLE_OK;
	return !bad;
}

static bool set_method(struct probe *p, const struct request *rq)
{
	CURL *c = p->curl;

	if (strcmp(rq->method, "POST") == 0)
		return curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(rq->body)) ==
			   CURLE_OK &&
		       curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body) == CURLE_OK;
	if (strcmp(rq->method, "OPTIONS") == 0)
		return curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "OPTIONS") == CURLE_OK;
	return curl_easy_setopt(c, CURLOPT_HTTPGET, 1L) == CURLE_OK;
}

/* The easy handle for one request: safety first, then the transfer and the method. */
static bool curl_setup(struct probe *p, const struct request *rq, const char *url,
		       struct curl_slist *headers, long timeout)
{
	curl_easy_reset(p->curl);
	return set_safety_options(p, timeout) && set_transfer_options(p, url, headers) &&
	       set_method(p, rq);
}

/* Maps a request that got no answer to -errno and a one-line reason in ex->error. */
static int transfer_error(struct probe *p, long timeout)
{
	struct exchange *ex = &p->ex;
	const char *why = p->errbuf[0] ? p->errbuf : curl_easy_strerror(ex->rc);

	if (ex->head_overflow) {
		http_set_text(ex->error, sizeof(ex->error), "%s: response headers exceed %zu bytes",
			      ex->label, p->o.max_header);
		return -EMSGSIZE;
	}
	http_set_text(ex->error, sizeof(ex->error), "%s: %.100s", ex->label, why);
	switch (ex->rc) {
	case CURLE_COULDNT_CONNECT:
		return p->blocked ? -EADDRNOTAVAIL : -ECONNREFUSED;
	case CURLE_OPERATION_TIMEDOUT:
		http_set_text(ex->error, sizeof(ex->error),
			      "%s: no complete HTTP answer within %ld ms", ex->label, timeout);
		return -ETIMEDOUT;
	case CURLE_OUT_OF_MEMORY:
		return -ENOMEM;
	default:
		return -EPROTO;
	}
}

static int finish_exchange(struct probe *p, long timeout)
{
	struct exchange *ex = &p->ex;
	curl_off_t connect_us = 0;

	for (size_t i = 0; i < ex->body_len; i++)
		if (p->body[i] == '\0')
			p->body[i] = ' '; /* the body is read as text from here on */
	p->body[ex->body_len] = '\0';
	curl_easy_getinfo(p->curl, CURLINFO_CONNECT_TIME_T, &connect_us);
	ex->answered = ex->head_done && !ex->head_overflow &&
		       httpprobe_parse_head(p->raw, ex->raw_len, &ex->head) == 0 &&
		       ex->head.status >= 200;
	if (ex->answered || connect_us > 0)
		p->out->reachable = true;
	if (!ex->answered) {
		int rc = transfer_error(p, timeout);

		if (++p->strikes >= MAX_STRIKES)
			probe_stop(p, "%d requests got no answer (last: %.80s)", p->strikes,
				   ex->error);
		return rc;
	}
	if (p->verify)
		p->out->cert_verified = true;
	probe_observe_response(p);
	return 0;
}

static void exchange_reset(struct probe *p, const struct request *rq)
{
	struct exchange *ex = &p->ex;

	ex->rc = CURLE_OK;
	ex->answered = ex->head_done = ex->head_overflow = ex->body_cut = false;
	ex->raw_len = ex->raw_total = ex->body_len = 0;
	ex->error[0] = '\0';
	ex->head.status = 0;
	ex->head.count = 0;
	ex->sent_origin = rq->origin;
	p->errbuf[0] = '\0';
	http_set_text(ex->label, sizeof(ex->label), "%s %s", rq->method, rq->path);
}

static int perform_once(struct probe *p, const struct request *rq, long timeout)
{
	char url[64 + HTTPPROBE_PATH_MAX];
	struct curl_slist *headers = request_headers(rq);
	bool ok;

	if (!headers)
		return -ENOMEM;
	exchange_reset(p, rq);
	snprintf(url, sizeof(url), "%s://%s%s", p->out->scheme, p->authority, rq->path);
	ok = curl_setup(p, rq, url, headers, timeout);
	if (ok) {
		p->out->requests++;
		p->ex.rc = curl_easy_perform(p->curl);
	}
	curl_slist_free_all(headers);
	if (!ok) {
		http_set_text(p->ex.error, sizeof(p->ex.error), "%s: libcurl refused an option",
			      p->ex.label);
		return -ENOMEM;
	}
	return finish_exchange(p, timeout);
}

/*
 * Sends one request within the probe's bounds. 0 when a response head came
 * back (p->ex holds it), -errno otherwise (p->ex.error says why).
 */
int probe_request(struct probe *p, const struct request *rq)
{
	int64_t left = p->deadline - probe_now_ms();
	long timeout = left < p->o.timeout_ms ? (long)left : p->o.timeout_ms;
	int rc;

	if (!p->stopped && p->out->requests >= p->max_requests)
		probe_stop(p, "request cap (%u) reached", p->max_requests);
	if (!p->stopped && timeout <= 0)
		probe_stop(p, "probe time budget exhausted");
	if (p->stopped) {
		exchange_reset(p, rq);
		http_set_text(p->ex.error, sizeof(p->ex.error), "%s", p->stop_reason);
		return -ECANCELED;
	}
	rc = perform_once(p, rq, timeout);
	/* An unverifiable certificate is recorded, then the probe goes on without checking. */
	if (p->verify &&
	    (p->ex.rc == CURLE_PEER_FAILED_VERIFICATION || p->ex.rc == CURLE_SSL_CACERT_BADFILE)) {
		p->verify = false;
		p->strikes--;
		rc = perform_once(p, rq, timeout);
	}
	return rc;
}

const char *probe_header(struct probe *p, const char *name)
{
	return httpprobe_head_get(&p->ex.head, name);
}

/* Local only: the target must be this host's; libcurl is pinned to that address. */
int probe_pin_target(struct probe *p, const struct httpprobe_target *t)
{
	char reason[TLSPROBE_REASON_MAX], ip[INET6_ADDRSTRLEN], entry[96];
	const void *a;
	socklen_t len;
	bool v6;
	int rc = tlsprobe_local_target(t->family, t->addr, t->port, &p->pinned, &len, reason,
				       sizeof(reason));

	if (rc) {
		http_set_text(p->out->error, sizeof(p->out->error), "httpprobe: %s", reason);
		return rc;
	}
	v6 = p->pinned.ss_family == AF_INET6;
	a = v6 ? (const void *)&((struct sockaddr_in6 *)&p->pinned)->sin6_addr
	       : (const void *)&((struct sockaddr_in *)&p->pinned)->sin_addr;
	if (!inet_ntop(p->pinned.ss_family, a, ip, sizeof(ip)))
		return -EINVAL;
	snprintf(entry, sizeof(entry), "localhost:%u:%s%s%s", t->port, v6 ? "[" : "", ip,
		 v6 ? "]" : "");
	snprintf(p->authority, sizeof(p->authority), "localhost:%u", t->port);
	p->resolve = curl_slist_append(NULL, entry);
	return p->resolve ? 0 : -ENOMEM;
}

int probe_detect_scheme(struct probe *p, const struct httpprobe_target *t)
{
	char reason[TLSPROBE_REASON_MAX];
	enum tlsprobe_verdict v;

	if (t->tls_hint != HTTPPROBE_TLS_DETECT) {
		p->out->tls = t->tls_hint == HTTPPROBE_TLS_YES;
	} else {
		v = tlsprobe_check(t->family, t->addr, t->port, p->o.timeout_ms, reason,
				   sizeof(reason));
		if (v == TLSPROBE_UNKNOWN) {
			http_set_text(p->out->error, sizeof(p->out->error),
				      "httpprobe: %s port %u: %s", t->addr, t->port, reason);
			if (strstr(reason, "refused"))
				return -ECONNREFUSED;
			return strstr(reason, "timed out") ? -ETIMEDOUT : -EHOSTUNREACH;
		}
		p->out->reachable = true;
		p->out->tls = v == TLSPROBE_TLS;
	}
	http_set_text(p->out->scheme, sizeof(p->out->scheme), "%s", p->out->tls ? "https" : "http");
	return 0;
}

int probe_alloc(struct probe *p)
{
	struct http_client_opts defaults = {.timeout_ms = p->o.timeout_ms};
	size_t big = p->o.max_body > p->o.max_header ? p->o.max_body : p->o.max_header;

	p->scratch_len = big + 1;
	p->raw = malloc(p->o.max_header + 1);
	p->headtext = malloc(p->o.max_header + 1);
	p->body = malloc(p->o.max_body + 1);
	p->scratch = malloc(p->scratch_len);
	p->plain = malloc(p->scratch_len);
	p->curl = http_client_new(&defaults);
	if (!p->raw || !p->headtext || !p->body || !p->scratch || !p->plain || !p->curl) {
		http_set_text(p->out->error, sizeof(p->out->error),
			      "httpprobe: out of memory for %zu-byte buffers", big);
		return -ENOMEM;
	}
	p->body[0] = '\0';
	return 0;
}

void probe_free(struct probe *p)
{
	if (p->curl)
		curl_easy_cleanup(p->curl);
	curl_slist_free_all(p->resolve);
	free(p->raw);
	free(p->headtext);
	free(p->body);
	free(p->scratch);
	free(p->plain);
	free(p);
}
