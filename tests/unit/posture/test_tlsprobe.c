// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Unit tests for user/posture/tlsprobe.c: the classifier, the ClientHello bytes, the
 * local-address guard, and real probes against loopback servers — a
 * plaintext HTTP one, openssl s_server (TLS 1.3 and TLS 1.2), a silent one,
 * one that hangs up, a closed port — synchronously and through the worker.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "posture/tlsprobe.h"

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---------------------------------------------------------------- classifier */

static void test_classify_tls(void **state)
{
	const uint8_t hs[] = {0x16, 0x03, 0x03, 0x00, 0x7a, 0x02};
	const uint8_t alert[] = {0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46};
	char reason[TLSPROBE_REASON_MAX];

	assert_int_equal(tlsprobe_classify(hs, sizeof(hs), reason, sizeof(reason)), TLSPROBE_TLS);
	assert_string_equal(reason, "replied with a TLS handshake");
	assert_int_equal(tlsprobe_classify(alert, 2, reason, sizeof(reason)), TLSPROBE_TLS);
	assert_string_equal(reason, "replied with a TLS alert");
}

static void test_classify_plaintext(void **state)
{
	const char *http = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
	const uint8_t near[] = {0x16, 0x02, 0x00}; /* not version 3 */
	const uint8_t bin[] = {0x00, 0xff, 'a', 0x1b, '\n', 'b'};
	char reason[TLSPROBE_REASON_MAX];

	assert_int_equal(
	    tlsprobe_classify((const uint8_t *)http, strlen(http), reason, sizeof(reason)),
	    TLSPROBE_PLAINTEXT);
	assert_string_equal(reason, "replied with plaintext 'HTTP/1.1 400 Bad Request'");
	assert_int_equal(tlsprobe_classify(near, sizeof(near), reason, sizeof(reason)),
			 TLSPROBE_PLAINTEXT);
	assert_int_equal(tlsprobe_classify(bin, sizeof(bin), reason, sizeof(reason)),
			 TLSPROBE_PLAINTEXT);
	assert_string_equal(reason, "replied with plaintext '..a.'");
	assert_int_equal(tlsprobe_classify(near, 1, reason, sizeof(reason)), TLSPROBE_PLAINTEXT);
	assert_int_equal(tlsprobe_classify(NULL, 0, reason, sizeof(reason)), TLSPROBE_PLAINTEXT);
	assert_string_equal(reason, "closed without reply");
}

static void test_classify_reason_bounded(void **state)
{
	char line[300], reason[200], tiny[8];

	memset(line, 'A', sizeof(line));
	assert_int_equal(
	    tlsprobe_classify((const uint8_t *)line, sizeof(line), reason, sizeof(reason)),
	    TLSPROBE_PLAINTEXT);
	assert_int_equal(strlen(reason), 60);
	assert_memory_equal(reason, "replied with plaintext 'AAA", 27);
	assert_int_equal(reason[59], '\'');
	tlsprobe_classify((const uint8_t *)line, sizeof(line), tiny, sizeof(tiny));
	assert_string_equal(tiny, "replied");
	tlsprobe_classify((const uint8_t *)line, sizeof(line), NULL, 0);
}

/* ---------------------------------------------------------------- ClientHello */

static unsigned be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static void test_client_hello_shape(void **state)
{
	uint8_t b[TLSPROBE_HELLO_MAX];
	size_t n = tlsprobe_build_client_hello(b, sizeof(b)), pos, end;
	bool seen_sni = false, seen_versions = false, seen_key_share = false;

	assert_true(n > 100);
	assert_int_equal(b[0], 0x16);
	assert_int_equal(be16(b + 1), 0x0301);
	assert_int_equal(be16(b + 3), n - 5);
	assert_int_equal(b[5], 1);
	assert_int_equal((size_t)b[6] << 16 | be16(b + 7), n - 9);
	assert_int_equal(be16(b + 9), 0x0303);
	pos = 11 + 32;
	pos += 1 + b[pos];		     /* session id */
	assert_int_equal(be16(b + pos), 18); /* nine suites */
	assert_int_equal(be16(b + pos + 2), 0x1301);
	pos += 2 + be16(b + pos);
	pos += 1 + b[pos]; /* compression */
	end = pos + 2 + be16(b + pos);
	assert_int_equal(end, n);
	/* walk the extensions: each length must land exactly on the end */
	for (pos += 2; pos < end; pos += 4 + be16(b + pos + 2)) {
		unsigned type = be16(b + pos);

		seen_sni |= type == 0x0000 && memcmp(b + pos + 9, "localhost", 9) == 0;
		seen_versions |= type == 0x002b && be16(b + pos + 5) == 0x0304;
		seen_key_share |=
		    type == 0x0033 && be16(b + pos + 6) == 0x001d && be16(b + pos + 8) == 32;
	}
	assert_int_equal(pos, end);
	assert_true(seen_sni && seen_versions && seen_key_share);
	assert_int_equal(tlsprobe_build_client_hello(b, 50), 0);
}

/* ---------------------------------------------------------------- targets */

static void test_local_target(void **state)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	char reason[TLSPROBE_REASON_MAX], text[INET6_ADDRSTRLEN];
	socklen_t len;

	assert_int_equal(tlsprobe_local_target(AF_INET, "0.0.0.0", 80, &ss, &len, reason, 64), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(sin->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	assert_int_equal(ntohs(sin->sin_port), 80);
	assert_int_equal(tlsprobe_local_target(AF_INET, "127.0.0.53", 53, &ss, &len, reason, 64),
			 0);
	assert_int_equal(tlsprobe_local_target(AF_INET6, "::", 443, &ss, &len, reason, 64), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_true(IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr));
	assert_int_equal(
	    tlsprobe_local_target(AF_INET6, "::ffff:127.0.0.1", 9, &ss, &len, reason, 64), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text));
	assert_string_equal(text, "127.0.0.1");

	assert_int_equal(tlsprobe_local_target(AF_INET, "192.0.2.1", 80, &ss, &len, reason, 64),
			 -EADDRNOTAVAIL);
	assert_string_equal(reason, "192.0.2.1 is not a local address; not probed");
	assert_int_equal(tlsprobe_local_target(AF_INET6, "2001:db8::1", 80, &ss, &len, reason, 64),
			 -EADDRNOTAVAIL);
	assert_int_equal(
	    tlsprobe_local_target(AF_INET6, "::ffff:192.0.2.1", 80, &ss, &len, reason, 64),
	    -EADDRNOTAVAIL);
	assert_int_equal(tlsprobe_local_target(AF_INET, "::1", 80, &ss, &len, reason, 64), -EINVAL);
	assert_int_equal(tlsprobe_local_target(AF_INET, "localhost", 80, &ss, &len, reason, 64),
			 -EINVAL);
	assert_int_equal(tlsprobe_local_target(AF_INET, "127.0.0.1", 0, &ss, &len, reason, 64),
			 -EINVAL);
}

static void test_local_interface_address(void **state)
{
	struct ifaddrs *ifs, *i;
	struct sockaddr_storage ss;
	char text[INET6_ADDRSTRLEN], reason[TLSPROBE_REASON_MAX];
	socklen_t len;
	bool tried = false;

	assert_int_equal(getifaddrs(&ifs), 0);
	for (i = ifs; i && !tried; i = i->ifa_next) {
		const struct sockaddr_in *s = (const void *)i->ifa_addr;

		if (!s || s->sin_family != AF_INET || (ntohl(s->sin_addr.s_addr) >> 24) == 127)
			continue;
		inet_ntop(AF_INET, &s->sin_addr, text, sizeof(text));
		assert_int_equal(tlsprobe_local_target(AF_INET, text, 80, &ss, &len, reason, 64),
				 0);
		tried = true;
	}
	freeifaddrs(ifs);
	if (!tried)
		skip();
}

/* ---------------------------------------------------------------- servers */

enum server_mode { SERVE_HTTP, SERVE_HANGUP, SERVE_SILENT };

struct server {
	int fd;
	uint16_t port;
	enum server_mode mode;
	pthread_t thread;
};

static void *serve(void *arg)
{
	struct server *s = arg;
	static const char reply[] = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n";
	char buf[512];

	for (;;) {
		int c = accept(s->fd, NULL, NULL);

		if (c < 0)
			return NULL; /* shut down */
		if (s->mode == SERVE_HTTP) {
			if (recv(c, buf, sizeof(buf), 0) > 0 &&
			    send(c, reply, sizeof(reply) - 1, MSG_NOSIGNAL) < 0)
				perror("send");
		}
		close(c);
	}
}

static int listen_on(int family, uint16_t *port)
{
	struct sockaddr_storage ss = {.ss_family = (sa_family_t)family};
	socklen_t len =
	    family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else
		((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 512) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len)) {
		close(fd);
		return -1;
	}
	*port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					: ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

static void server_start(struct server *s, int family, enum server_mode mode)
{
	s->mode = mode;
	s->fd = listen_on(family, &s->port);
	assert_true(s->fd >= 0);
	if (mode != SERVE_SILENT) /* silent: the kernel completes connects, nobody answers */
		assert_int_equal(pthread_create(&s->thread, NULL, serve, s), 0);
}

static void server_stop(struct server *s)
{
	shutdown(s->fd, SHUT_RDWR); /* wakes accept() */
	if (s->mode != SERVE_SILENT)
		pthread_join(s->thread, NULL);
	close(s->fd);
}

/* A port nobody listens on: bind one, note it, close it. */
static uint16_t closed_port(void)
{
	uint16_t port;
	int fd = listen_on(AF_INET, &port);

	assert_true(fd >= 0);
	close(fd);
	return port;
}

/* ---------------------------------------------------------------- openssl s_server */

struct tls_server {
	pid_t pid;
	uint16_t port;
	char dir[64];
};

static int run(const char *cmd)
{
	int rc = system(cmd);

	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static bool wait_listening(uint16_t port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
	int64_t deadline = now_ms() + 10000;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	while (now_ms() < deadline) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int ok = connect(fd, (struct sockaddr *)&sin, sizeof(sin));

		close(fd);
		if (ok == 0)
			return true;
		usleep(50 * 1000);
	}
	return false;
}

/* Starts openssl s_server on 127.0.0.1 with a fresh self-signed P-256 cert. */
static bool tls_server_start(struct tls_server *t, const char *extra)
{
	char cmd[1024], port[8];

	snprintf(t->dir, sizeof(t->dir), "/tmp/mw-tlsprobe-XXXXXX");
	if (!mkdtemp(t->dir))
		return false;
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		 "-subj /CN=localhost -days 1 -keyout %s/key.pem -out %s/cert.pem "
		 ">/dev/null 2>&1",
		 t->dir, t->dir);
	if (run(cmd) != 0)
		return false;
	t->port = closed_port();
	snprintf(port, sizeof(port), "%u", t->port);
	snprintf(cmd, sizeof(cmd), "127.0.0.1:%s", port);
	t->pid = fork();
	if (t->pid == 0) {
		char cert[96], key[96];

		snprintf(cert, sizeof(cert), "%s/cert.pem", t->dir);
		snprintf(key, sizeof(key), "%s/key.pem", t->dir);
		if (!freopen("/dev/null", "r", stdin) || !freopen("/dev/null", "w", stdout) ||
		    !freopen("/dev/null", "w", stderr))
			_exit(127);
		execlp("openssl", "openssl", "s_server", "-accept", cmd, "-cert", cert, "-key", key,
		       "-quiet", extra[0] ? extra : NULL, NULL);
		_exit(127);
	}
	return t->pid > 0 && wait_listening(t->port);
}

static void tls_server_stop(struct tls_server *t)
{
	char cmd[128];

	if (t->pid > 0) {
		kill(t->pid, SIGTERM);
		waitpid(t->pid, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	run(cmd);
}

/* ---------------------------------------------------------------- probes */

static void test_probe_plaintext_http(void **state)
{
	struct server s;
	char reason[TLSPROBE_REASON_MAX];

	server_start(&s, AF_INET, SERVE_HTTP);
	assert_int_equal(tlsprobe_check(AF_INET, "0.0.0.0", s.port, 2000, reason, sizeof(reason)),
			 TLSPROBE_PLAINTEXT);
	assert_string_equal(reason, "replied with plaintext 'HTTP/1.1 400 Bad Request'");
	server_stop(&s);
}

static void test_probe_plaintext_ipv6(void **state)
{
	struct server s;
	char reason[TLSPROBE_REASON_MAX];

	s.fd = listen_on(AF_INET6, &s.port);
	if (s.fd < 0)
		skip(); /* no IPv6 loopback here */
	close(s.fd);
	server_start(&s, AF_INET6, SERVE_HTTP);
	assert_int_equal(tlsprobe_check(AF_INET6, "::", s.port, 2000, reason, sizeof(reason)),
			 TLSPROBE_PLAINTEXT);
	assert_string_equal(reason, "replied with plaintext 'HTTP/1.1 400 Bad Request'");
	server_stop(&s);
}

static void test_probe_hangup(void **state)
{
	struct server s;
	char reason[TLSPROBE_REASON_MAX];

	server_start(&s, AF_INET, SERVE_HANGUP);
	assert_int_equal(tlsprobe_check(AF_INET, "127.0.0.1", s.port, 2000, reason, sizeof(reason)),
			 TLSPROBE_PLAINTEXT);
	/* closed before or after our hello arrived: both are a close without data */
	assert_true(strcmp(reason, "closed without reply") == 0 ||
		    strcmp(reason, "connection reset without reply") == 0);
	server_stop(&s);
}

static void test_probe_silent(void **state)
{
	struct server s;
	char reason[TLSPROBE_REASON_MAX];
	int64_t t0 = now_ms(), took;

	server_start(&s, AF_INET, SERVE_SILENT);
	assert_int_equal(tlsprobe_check(AF_INET, "127.0.0.1", s.port, 300, reason, sizeof(reason)),
			 TLSPROBE_PLAINTEXT);
	took = now_ms() - t0;
	assert_string_equal(reason, "no reply within 300 ms");
	assert_true(took >= 290 && took < 1500);
	server_stop(&s);
}

static void test_probe_closed_port(void **state)
{
	char reason[TLSPROBE_REASON_MAX];

	assert_int_equal(
	    tlsprobe_check(AF_INET, "127.0.0.1", closed_port(), 1000, reason, sizeof(reason)),
	    TLSPROBE_UNKNOWN);
	assert_string_equal(reason, "connection refused");
}

static void test_probe_non_local_refused(void **state)
{
	char reason[TLSPROBE_REASON_MAX];
	int64_t t0 = now_ms();

	/* TEST-NET-1: refused before any packet, so it returns at once. */
	assert_int_equal(tlsprobe_check(AF_INET, "192.0.2.1", 443, 5000, reason, sizeof(reason)),
			 TLSPROBE_UNKNOWN);
	assert_string_equal(reason, "192.0.2.1 is not a local address; not probed");
	assert_true(now_ms() - t0 < 200);
	assert_int_equal(tlsprobe_check(AF_INET, "127.0.0.1", 443, 0, reason, sizeof(reason)),
			 TLSPROBE_UNKNOWN);
}

static void test_probe_openssl_tls13(void **state)
{
	struct tls_server t = {0};
	char reason[TLSPROBE_REASON_MAX];
	bool up = tls_server_start(&t, "");

	if (up)
		assert_int_equal(
		    tlsprobe_check(AF_INET, "0.0.0.0", t.port, 3000, reason, sizeof(reason)),
		    TLSPROBE_TLS);
	tls_server_stop(&t);
	assert_true(up);
	assert_string_equal(reason, "replied with a TLS handshake");
}

static void test_probe_openssl_tls12(void **state)
{
	struct tls_server t = {0};
	char reason[TLSPROBE_REASON_MAX];
	bool up = tls_server_start(&t, "-tls1_2");

	if (up)
		assert_int_equal(
		    tlsprobe_check(AF_INET, "127.0.0.1", t.port, 3000, reason, sizeof(reason)),
		    TLSPROBE_TLS);
	tls_server_stop(&t);
	assert_true(up);
	assert_string_equal(reason, "replied with a TLS handshake");
}

/* ---------------------------------------------------------------- worker */

static bool wait_result(struct tlsprobe *tp, struct tlsprobe_result *r, int ms)
{
	struct pollfd p = {.fd = tlsprobe_result_fd(tp), .events = POLLIN};
	int64_t deadline = now_ms() + ms;

	while (!tlsprobe_next_result(tp, r)) {
		int left = (int)(deadline - now_ms());

		if (left <= 0 || poll(&p, 1, left) < 0)
			return false;
	}
	return true;
}

static void test_worker_results(void **state)
{
	struct tlsprobe *tp = tlsprobe_start(1000);
	struct tlsprobe_job job = {.family = AF_INET};
	struct tlsprobe_result r;
	struct pollfd p;
	struct server s;
	int seen = 0;

	assert_non_null(tp);
	server_start(&s, AF_INET, SERVE_HTTP);
	strcpy(job.addr, "127.0.0.1");
	job.port = s.port;
	job.cookie = 1;
	assert_int_equal(tlsprobe_submit(tp, &job), 0);
	job.port = closed_port();
	job.cookie = 2;
	assert_int_equal(tlsprobe_submit(tp, &job), 0);
	strcpy(job.addr, "192.0.2.1");
	job.cookie = 3;
	assert_int_equal(tlsprobe_submit(tp, &job), 0);

	for (int i = 0; i < 3; i++) {
		assert_true(wait_result(tp, &r, 5000));
		seen |= 1 << r.cookie;
		if (r.cookie == 1) {
			assert_int_equal(r.verdict, TLSPROBE_PLAINTEXT);
			assert_int_equal(r.port, s.port);
			assert_string_equal(r.addr, "127.0.0.1");
		} else {
			assert_int_equal(r.verdict, TLSPROBE_UNKNOWN);
		}
	}
	assert_int_equal(seen, 0xe);
	/* drained: the fd is no longer readable */
	assert_false(tlsprobe_next_result(tp, &r));
	p = (struct pollfd){.fd = tlsprobe_result_fd(tp), .events = POLLIN};
	assert_int_equal(poll(&p, 1, 0), 0);
	tlsprobe_stop(tp);
	server_stop(&s);
}

static void test_worker_queue_bound_and_fast_stop(void **state)
{
	struct tlsprobe *tp = tlsprobe_start(10000);
	struct tlsprobe_job job = {.family = AF_INET, .addr = "127.0.0.1"};
	struct server s;
	int64_t t0;

	assert_non_null(tp);
	server_start(&s, AF_INET, SERVE_SILENT);
	job.port = s.port;
	for (int i = 0; i < TLSPROBE_QUEUE_MAX; i++)
		assert_int_equal(tlsprobe_submit(tp, &job), 0);
	assert_int_equal(tlsprobe_submit(tp, &job), -EAGAIN);
	job.family = AF_UNIX;
	assert_int_equal(tlsprobe_submit(tp, &job), -EINVAL);
	/* the worker waits up to 10 s on the silent server; stop must cut that short */
	usleep(100 * 1000);
	t0 = now_ms();
	tlsprobe_stop(tp);
	assert_true(now_ms() - t0 < 1000);
	server_stop(&s);
	tlsprobe_stop(NULL);
	assert_null(tlsprobe_start(0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_classify_tls),
	    cmocka_unit_test(test_classify_plaintext),
	    cmocka_unit_test(test_classify_reason_bounded),
	    cmocka_unit_test(test_client_hello_shape),
	    cmocka_unit_test(test_local_target),
	    cmocka_unit_test(test_local_interface_address),
	    cmocka_unit_test(test_probe_plaintext_http),
	    cmocka_unit_test(test_probe_plaintext_ipv6),
	    cmocka_unit_test(test_probe_hangup),
	    cmocka_unit_test(test_probe_silent),
	    cmocka_unit_test(test_probe_closed_port),
	    cmocka_unit_test(test_probe_non_local_refused),
	    cmocka_unit_test(test_probe_openssl_tls13),
	    cmocka_unit_test(test_probe_openssl_tls12),
	    cmocka_unit_test(test_worker_results),
	    cmocka_unit_test(test_worker_queue_bound_and_fast_stop),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
