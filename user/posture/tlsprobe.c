// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* tlsprobe: does a local listening port answer a TLS ClientHello? */
#include "posture/tlsprobe.h"
#include "lib/clock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define REASON_CHARS	 60 /* a reason never exceeds this, whatever rlen is */
#define REPLY_READ_MAX	 256
#define TLS_CT_ALERT	 0x15
#define TLS_CT_HANDSHAKE 0x16
#define TLS_MAJOR	 0x03

/* ---------------------------------------------------------------- reasons */

static void set_reason(char *reason, size_t rlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_reason(char *reason, size_t rlen, const char *fmt, ...)
{
	char tmp[REASON_CHARS + 1];
	va_list ap;

	if (!reason || !rlen)
		return;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	snprintf(reason, rlen, "%s", tmp);
}

/* ---------------------------------------------------------------- classifier */

/* Printable excerpt of a reply's first line, for a reason string. */
static void reply_excerpt(const uint8_t *buf, size_t len, char *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n + 1 < max; i++) {
		uint8_t c = buf[i];

		if ((c == '\r' || c == '\n') && n > 0)
			break;
		out[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '.';
	}
	out[n] = '\0';
}

enum tlsprobe_verdict tlsprobe_classify(const uint8_t *buf, size_t len, char *reason, size_t rlen)
{
	static const char prefix[] = "replied with plaintext ''";
	char excerpt[REASON_CHARS + 1];

	if (!buf || len == 0) {
		set_reason(reason, rlen, "closed without reply");
		return TLSPROBE_PLAINTEXT;
	}
	/* A TLS record: content type, then the major version 3 (SSL 3.0 .. TLS 1.3). */
	if (len >= 2 && buf[1] == TLS_MAJOR && buf[0] == TLS_CT_HANDSHAKE) {
		set_reason(reason, rlen, "replied with a TLS handshake");
		return TLSPROBE_TLS;
	}
	if (len >= 2 && buf[1] == TLS_MAJOR && buf[0] == TLS_CT_ALERT) {
		set_reason(reason, rlen, "replied with a TLS alert");
		return TLSPROBE_TLS;
	}
	reply_excerpt(buf, len, excerpt, REASON_CHARS - (sizeof(prefix) - 1) + 1);
	set_reason(reason, rlen, "replied with plaintext '%s'", excerpt);
	return TLSPROBE_PLAINTEXT;
}

/* ---------------------------------------------------------------- ClientHello */

struct writer {
	uint8_t *buf;
	size_t cap, len;
	bool overflow;
};

static void put_bytes(struct writer *w, const void *p, size_t n)
{
	if (w->overflow || n > w->cap - w->len) {
		w->overflow = true;
		return;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void put_u8(struct writer *w, unsigned v)
{
	uint8_t b = (uint8_t)v;

	put_bytes(w, &b, 1);
}

static void put_u16(struct writer *w, unsigned v)
{
	put_u8(w, v >> 8);
	put_u8(w, v);
}

/* Reserves an n-byte big-endian length; fill it with end_length(). */
static size_t begin_length(struct writer *w, size_t n)
{
	static const uint8_t zeros[3];
	size_t at = w->len;

	put_bytes(w, zeros, n);
	return at;
}

static void end_length(struct writer *w, size_t at, size_t n)
{
	size_t v = w->len - at - n;

	if (w->overflow)
		return;
	for (size_t i = 0; i < n; i++)
		w->buf[at + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static void put_random(struct writer *w, size_t n)
{
	uint8_t r[32] = {0};

	/* Fresh bytes are nice, not needed: a reply is all we want to elicit. */
	if (n > sizeof(r) || getrandom(r, n, GRND_NONBLOCK) != (ssize_t)n)
		memset(r, 0x5a, sizeof(r));
	put_bytes(w, r, n);
}

static void put_u16_list(struct writer *w, const uint16_t *v, size_t n, size_t lenbytes)
{
	size_t at = begin_length(w, lenbytes);

	for (size_t i = 0; i < n; i++)
		put_u16(w, v[i]);
	end_length(w, at, lenbytes);
}

static void put_extension_sni(struct writer *w)
{
	static const char host[] = "localhost";
	size_t ext, list, name;

	put_u16(w, 0x0000); /* server_name */
	ext = begin_length(w, 2);
	list = begin_length(w, 2);
	put_u8(w, 0); /* host_name */
	name = begin_length(w, 2);
	put_bytes(w, host, sizeof(host) - 1);
	end_length(w, name, 2);
	end_length(w, list, 2);
	end_length(w, ext, 2);
}

static void put_extension_list(struct writer *w, unsigned type, const uint16_t *v, size_t n)
{
	size_t ext;

	put_u16(w, type);
	ext = begin_length(w, 2);
	put_u16_list(w, v, n, 2);
	end_length(w, ext, 2);
}

static void put_extension_versions(struct writer *w)
{
	static const uint16_t versions[] = {0x0304, 0x0303};
	size_t ext;

	put_u16(w, 0x002b); /* supported_versions */
	ext = begin_length(w, 2);
	put_u16_list(w, versions, 2, 1);
	end_length(w, ext, 2);
}

/* A random x25519 share: any 32 bytes are a valid point, enough to get a ServerHello. */
static void put_extension_key_share(struct writer *w)
{
	size_t ext, shares, key;

	put_u16(w, 0x0033); /* key_share */
	ext = begin_length(w, 2);
	shares = begin_length(w, 2);
	put_u16(w, 0x001d); /* x25519 */
	key = begin_length(w, 2);
	put_random(w, 32);
	end_length(w, key, 2);
	end_length(w, shares, 2);
	end_length(w, ext, 2);
}

static void put_extension_raw(struct writer *w, unsigned type, const uint8_t *body, size_t n)
{
	put_u16(w, type);
	put_u16(w, (unsigned)n);
	put_bytes(w, body, n);
}

static void put_extensions(struct writer *w)
{
	static const uint16_t groups[] = {0x001d, 0x0017, 0x0018}; /* x25519, P-256, P-384 */
	static const uint16_t sigalgs[] = {0x0403, 0x0804, 0x0401, 0x0503,
					   0x0805, 0x0501, 0x0806, 0x0601};
	static const uint8_t point_formats[] = {1, 0}; /* uncompressed */
	static const uint8_t psk_modes[] = {1, 1};     /* psk_dhe_ke */
	static const uint8_t reneg[] = {0};
	size_t at = begin_length(w, 2);

	put_extension_sni(w);
	put_extension_list(w, 0x000a, groups, sizeof(groups) / sizeof(groups[0]));
	put_extension_raw(w, 0x000b, point_formats, sizeof(point_formats));
	put_extension_list(w, 0x000d, sigalgs, sizeof(sigalgs) / sizeof(sigalgs[0]));
	put_extension_versions(w);
	put_extension_raw(w, 0x002d, psk_modes, sizeof(psk_modes));
	put_extension_key_share(w);
	put_extension_raw(w, 0xff01, reneg, sizeof(reneg));
	end_length(w, at, 2);
}

size_t tlsprobe_build_client_hello(uint8_t *buf, size_t cap)
{
	/* TLS 1.3 suites, then ECDHE-{ECDSA,RSA} AES-GCM and ChaCha20 for TLS 1.2. */
	static const uint16_t suites[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f,
					  0xc02c, 0xc030, 0xcca9, 0xcca8};
	struct writer w = {.buf = buf, .cap = cap};
	size_t record, handshake;

	put_u8(&w, TLS_CT_HANDSHAKE);
	put_u16(&w, 0x0301); /* record version, as clients send for compatibility */
	record = begin_length(&w, 2);
	put_u8(&w, 1); /* ClientHello */
	handshake = begin_length(&w, 3);
	put_u16(&w, 0x0303); /* legacy_version TLS 1.2 */
	put_random(&w, 32);
	put_u8(&w, 32); /* legacy_session_id: middlebox compatibility */
	put_random(&w, 32);
	put_u16_list(&w, suites, sizeof(suites) / sizeof(suites[0]), 2);
	put_u8(&w, 1); /* compression methods: null */
	put_u8(&w, 0);
	put_extensions(&w);
	end_length(&w, handshake, 3);
	end_length(&w, record, 2);
	return w.overflow ? 0 : w.len;
}

/* ---------------------------------------------------------------- targets */

/* Is the address assigned to an interface of this host? Copies a v6 scope id. */
static bool address_is_assigned(int family, const void *addr, uint32_t *scope_id)
{
	struct ifaddrs *ifs, *i;
	bool found = false;

	if (getifaddrs(&ifs) != 0)
		return false;
	for (i = ifs; i && !found; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != family)
			continue;
		if (family == AF_INET) {
			const struct sockaddr_in *s = (const void *)i->ifa_addr;

			found = memcmp(&s->sin_addr, addr, 4) == 0;
		} else {
			const struct sockaddr_in6 *s = (const void *)i->ifa_addr;

			found = memcmp(&s->sin6_addr, addr, 16) == 0;
			if (found)
				*scope_id = s->sin6_scope_id;
		}
	}
	freeifaddrs(ifs);
	return found;
}

static int ipv4_target(struct in_addr a, const char *text, uint16_t port,
		       struct sockaddr_storage *ss, socklen_t *sslen, char *reason, size_t rlen)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	uint32_t unused;

	if (a.s_addr == htonl(INADDR_ANY))
		a.s_addr = htonl(INADDR_LOOPBACK);
	else if ((ntohl(a.s_addr) >> 24) != 127 && !address_is_assigned(AF_INET, &a, &unused)) {
		set_reason(reason, rlen, "%s is not a local address; not probed", text);
		return -EADDRNOTAVAIL;
	}
	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	sin->sin_addr = a;
	*sslen = sizeof(*sin);
	return 0;
}

static int ipv6_target(struct in6_addr a, const char *text, uint16_t port,
		       struct sockaddr_storage *ss, socklen_t *sslen, char *reason, size_t rlen)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	uint32_t scope_id = 0;

	if (IN6_IS_ADDR_V4MAPPED(&a)) {
		struct in_addr v4;

		memcpy(&v4, &a.s6_addr[12], 4);
		return ipv4_target(v4, text, port, ss, sslen, reason, rlen);
	}
	if (IN6_IS_ADDR_UNSPECIFIED(&a))
		a = in6addr_loopback;
	else if (!IN6_IS_ADDR_LOOPBACK(&a) && !address_is_assigned(AF_INET6, &a, &scope_id)) {
		set_reason(reason, rlen, "%s is not a local address; not probed", text);
		return -EADDRNOTAVAIL;
	}
	memset(ss, 0, sizeof(*ss));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	sin6->sin6_addr = a;
	sin6->sin6_scope_id = scope_id;
	*sslen = sizeof(*sin6);
	return 0;
}

int tlsprobe_local_target(int family, const char *addr, uint16_t port, struct sockaddr_storage *ss,
			  socklen_t *sslen, char *reason, size_t rlen)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (!addr || port == 0) {
		set_reason(reason, rlen, "no address or port to probe");
		return -EINVAL;
	}
	if (family == AF_INET && inet_pton(AF_INET, addr, &a4) == 1)
		return ipv4_target(a4, addr, port, ss, sslen, reason, rlen);
	if (family == AF_INET6 && inet_pton(AF_INET6, addr, &a6) == 1)
		return ipv6_target(a6, addr, port, ss, sslen, reason, rlen);
	set_reason(reason, rlen, "address '%.*s' is not valid for family %d", 30, addr, family);
	return -EINVAL;
}

/* ---------------------------------------------------------------- probing */

/*
 * Waits for events on fd until the deadline, or until cancel_fd (if >= 0)
 * becomes readable. Returns revents, 0 on timeout, -ECANCELED, -errno.
 */
static int wait_fd(int fd, short events, int64_t deadline, int cancel_fd)
{
	for (;;) {
		struct pollfd p[2] = {{.fd = fd, .events = events},
				      {.fd = cancel_fd, .events = POLLIN}};
		int64_t left = deadline - (clock_monotonic_ns() / 1000000);
		int r;

		if (left <= 0)
			return 0;
		r = poll(p, 2, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (p[1].revents)
			return -ECANCELED;
		if (r > 0)
			return p[0].revents;
	}
}

/* Returns 0 once connected, or -1 with the reason set. */
static int connect_target(int fd, const struct sockaddr_storage *ss, socklen_t sslen,
			  int64_t deadline, int timeout_ms, int cancel_fd, char *reason,
			  size_t rlen)
{
	int err = 0, r;
	socklen_t elen = sizeof(err);

	if (connect(fd, (const struct sockaddr *)ss, sslen) == 0)
		return 0;
	if (errno != EINPROGRESS) {
		err = errno;
	} else {
		r = wait_fd(fd, POLLOUT, deadline, cancel_fd);
		if (r == 0) {
			set_reason(reason, rlen, "connect timed out after %d ms", timeout_ms);
			return -1;
		}
		if (r < 0)
			err = -r;
		else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0)
			err = errno;
	}
	if (!err)
		return 0;
	if (err == ECONNREFUSED)
		set_reason(reason, rlen, "connection refused");
	else
		set_reason(reason, rlen, "connect: %s", strerror(err));
	return -1;
}

/* Reads until two bytes (enough to classify) arrive, the peer closes, or time runs out. */
static enum tlsprobe_verdict read_reply(int fd, int64_t deadline, int timeout_ms, int cancel_fd,
					char *reason, size_t rlen)
{
	uint8_t buf[REPLY_READ_MAX];
	size_t have = 0;
	bool reset = false, timed_out = false;

	while (have < 2) {
		int r = wait_fd(fd, POLLIN, deadline, cancel_fd);
		ssize_t n;

		if (r == -ECANCELED) {
			set_reason(reason, rlen, "probe cancelled");
			return TLSPROBE_UNKNOWN;
		}
		if (r <= 0) {
			timed_out = r == 0;
			break;
		}
		n = recv(fd, buf + have, sizeof(buf) - have, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			reset = n < 0;
			break;
		}
		have += (size_t)n;
	}
	if (have)
		return tlsprobe_classify(buf, have, reason, rlen);
	if (timed_out)
		set_reason(reason, rlen, "no reply within %d ms", timeout_ms);
	else if (reset)
		set_reason(reason, rlen, "connection reset without reply");
	else
		set_reason(reason, rlen, "closed without reply");
	return TLSPROBE_PLAINTEXT;
}

static enum tlsprobe_verdict probe_target(const struct sockaddr_storage *ss, socklen_t sslen,
					  int timeout_ms, int cancel_fd, char *reason, size_t rlen)
{
	int64_t deadline = (clock_monotonic_ns() / 1000000) + timeout_ms;
	uint8_t hello[TLSPROBE_HELLO_MAX];
	size_t hlen = tlsprobe_build_client_hello(hello, sizeof(hello));
	enum tlsprobe_verdict v;
	int fd;

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		set_reason(reason, rlen, "socket: %s", strerror(errno));
		return TLSPROBE_UNKNOWN;
	}
	if (connect_target(fd, ss, sslen, deadline, timeout_ms, cancel_fd, reason, rlen)) {
		v = TLSPROBE_UNKNOWN;
	} else if (send(fd, hello, hlen, MSG_NOSIGNAL) < 0 && errno != EPIPE &&
		   errno != ECONNRESET) {
		set_reason(reason, rlen, "send: %s", strerror(errno));
		v = TLSPROBE_UNKNOWN;
	} else {
		/* A peer that closed at once made send fail: read_reply reports it. */
		v = read_reply(fd, deadline, timeout_ms, cancel_fd, reason, rlen);
	}
	close(fd);
	return v;
}

static enum tlsprobe_verdict check_cancellable(int family, const char *addr, uint16_t port,
					       int timeout_ms, int cancel_fd, char *reason,
					       size_t rlen)
{
	struct sockaddr_storage ss;
	socklen_t sslen;

	if (timeout_ms <= 0) {
		set_reason(reason, rlen, "timeout %d ms is not positive", timeout_ms);
		return TLSPROBE_UNKNOWN;
	}
	if (tlsprobe_local_target(family, addr, port, &ss, &sslen, reason, rlen))
		return TLSPROBE_UNKNOWN;
	return probe_target(&ss, sslen, timeout_ms, cancel_fd, reason, rlen);
}

enum tlsprobe_verdict tlsprobe_check(int family, const char *addr, uint16_t port, int timeout_ms,
				     char *reason, size_t rlen)
{
	return check_cancellable(family, addr, port, timeout_ms, -1, reason, rlen);
}

/* ---------------------------------------------------------------- worker */

struct tlsprobe {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	int result_fd, cancel_fd, timeout_ms;
	bool stopping;
	size_t running; /* 0 or 1: the job the worker holds */
	struct tlsprobe_job jobs[TLSPROBE_QUEUE_MAX];
	size_t job_head, job_count;
	struct tlsprobe_result results[TLSPROBE_QUEUE_MAX];
	size_t result_head, result_count;
	bool signalled; /* result_fd holds a count to read (under lock) */
};

static void signal_result(struct tlsprobe *tp)
{
	uint64_t one = 1;

	/* Cannot fail short of a counter overflow; the queue is still right. */
	if (write(tp->result_fd, &one, sizeof(one)) < 0)
		return;
	tp->signalled = true;
}

static void clear_result_signal(struct tlsprobe *tp)
{
	uint64_t v;

	/* The agent asks after every poll: no read unless a write is pending. */
	if (!tp->signalled)
		return;
	tp->signalled = false;
	if (read(tp->result_fd, &v, sizeof(v)) < 0)
		return; /* EAGAIN: nothing was signalled */
}

static void run_job(struct tlsprobe *tp, const struct tlsprobe_job *job)
{
	struct tlsprobe_result res = {
	    .cookie = job->cookie, .family = job->family, .port = job->port};
	size_t slot;

	memcpy(res.addr, job->addr, sizeof(res.addr));
	res.verdict = check_cancellable(job->family, job->addr, job->port, tp->timeout_ms,
					tp->cancel_fd, res.reason, sizeof(res.reason));
	pthread_mutex_lock(&tp->lock);
	tp->running = 0;
	slot = (tp->result_head + tp->result_count) % TLSPROBE_QUEUE_MAX;
	tp->results[slot] = res;
	tp->result_count++;
	signal_result(tp);
	pthread_mutex_unlock(&tp->lock);
}

static void *worker_main(void *arg)
{
	struct tlsprobe *tp = arg;
	struct tlsprobe_job job;

	pthread_mutex_lock(&tp->lock);
	while (!tp->stopping) {
		if (!tp->job_count) {
			pthread_cond_wait(&tp->wake, &tp->lock);
			continue;
		}
		job = tp->jobs[tp->job_head];
		tp->job_head = (tp->job_head + 1) % TLSPROBE_QUEUE_MAX;
		tp->job_count--;
		tp->running = 1;
		pthread_mutex_unlock(&tp->lock);
		run_job(tp, &job);
		pthread_mutex_lock(&tp->lock);
	}
	pthread_mutex_unlock(&tp->lock);
	return NULL;
}

static void free_probe(struct tlsprobe *tp)
{
	if (tp->result_fd >= 0)
		close(tp->result_fd);
	if (tp->cancel_fd >= 0)
		close(tp->cancel_fd);
	pthread_cond_destroy(&tp->wake);
	pthread_mutex_destroy(&tp->lock);
	free(tp);
}

/* The worker blocks every signal, so they keep going to the agent's own loop. */
static int start_worker(struct tlsprobe *tp)
{
	sigset_t all, saved;
	int ret;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &saved);
	ret = pthread_create(&tp->thread, NULL, worker_main, tp);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	return ret;
}

struct tlsprobe *tlsprobe_start(int timeout_ms)
{
	struct tlsprobe *tp;

	if (timeout_ms <= 0)
		return NULL;
	tp = calloc(1, sizeof(*tp));
	if (!tp)
		return NULL;
	pthread_mutex_init(&tp->lock, NULL);
	pthread_cond_init(&tp->wake, NULL);
	tp->timeout_ms = timeout_ms;
	tp->result_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	tp->cancel_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (tp->result_fd < 0 || tp->cancel_fd < 0 || start_worker(tp) != 0) {
		free_probe(tp);
		return NULL;
	}
	return tp;
}

int tlsprobe_submit(struct tlsprobe *tp, const struct tlsprobe_job *job)
{
	int ret = 0;

	if (!tp || !job || (job->family != AF_INET && job->family != AF_INET6))
		return -EINVAL;
	pthread_mutex_lock(&tp->lock);
	if (tp->stopping) {
		ret = -EINVAL;
	} else if (tp->job_count + tp->running + tp->result_count >= TLSPROBE_QUEUE_MAX) {
		ret = -EAGAIN; /* results unread count too: the result ring never overflows */
	} else {
		struct tlsprobe_job *slot =
		    &tp->jobs[(tp->job_head + tp->job_count) % TLSPROBE_QUEUE_MAX];

		*slot = *job;
		slot->addr[sizeof(slot->addr) - 1] = '\0';
		tp->job_count++;
		pthread_cond_signal(&tp->wake);
	}
	pthread_mutex_unlock(&tp->lock);
	return ret;
}

int tlsprobe_result_fd(struct tlsprobe *tp)
{
	return tp ? tp->result_fd : -1;
}

bool tlsprobe_next_result(struct tlsprobe *tp, struct tlsprobe_result *out)
{
	bool got = false;

	if (!tp || !out)
		return false;
	pthread_mutex_lock(&tp->lock);
	if (tp->result_count) {
		*out = tp->results[tp->result_head];
		tp->result_head = (tp->result_head + 1) % TLSPROBE_QUEUE_MAX;
		tp->result_count--;
		got = true;
	} else {
		clear_result_signal(tp); /* under the lock: no result can slip in between */
	}
	pthread_mutex_unlock(&tp->lock);
	return got;
}

void tlsprobe_stop(struct tlsprobe *tp)
{
	uint64_t one = 1;

	if (!tp)
		return;
	pthread_mutex_lock(&tp->lock);
	tp->stopping = true;
	pthread_cond_signal(&tp->wake);
	pthread_mutex_unlock(&tp->lock);
	/* Wakes a probe that is waiting on its socket, so stop never waits a timeout. */
	if (write(tp->cancel_fd, &one, sizeof(one)) < 0)
		one = 0;
	pthread_join(tp->thread, NULL);
	free_probe(tp);
}
