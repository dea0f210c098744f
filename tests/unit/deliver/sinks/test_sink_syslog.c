// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Unit tests for user/deliver/sinks/sink_syslog.c: the pure parts (address, facility,
 * severity, RFC 5424 header), then real delivery to receivers made here —
 * a unix datagram socket and a unix stream socket, UDP and TCP listeners
 * (octet-counting framing checked byte for byte, reconnection after the
 * receiver closes), a TLS server built on OpenSSL with a CA made by the
 * openssl CLI (verification, client certificates) — and to Debian's
 * rsyslogd, started with its own configuration on loopback ports.
 * Run from the repository root (make unit does).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
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
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "lib/json.h"
#include "deliver/sinks/sink.h"
#include "deliver/sinks/sink_net.h"
#include "deliver/record.h"
#include "sink_test.h"

#define PKI  "tests/fixtures/receivers/make-test-pki.sh"
#define T_NS 1764072000123456789LL /* 2025-11-25T12:00:00.123456789Z */
#define TS   "2025-11-25T12:00:00.123456Z"

static char dir[64], cfg_path[96];

static const char rec_alert[] = "{\"kind\":\"alert\",\"host\":{\"name\":\"node-7\"},\"rule\":{"
				"\"id\":\"shell-spawn\",\"severity\":\"high\"}}";
static const char rec_posture[] = "{\"kind\":\"posture\",\"host\":{\"name\":\"node-7\"},"
				  "\"grade\":\"B\"}";

static int setup_all(void **state)
{
	char cmd[256];

	snprintf(dir, sizeof(dir), "/tmp/sink-syslog-test-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(cfg_path, sizeof(cfg_path), "%s/config.json", dir);
	snprintf(cmd, sizeof(cmd), "sh %s %s", PKI, dir);
	signal(SIGPIPE, SIG_DFL); /* the sink must not rely on the agent ignoring it */
	return system(cmd) == 0 ? 0 : -1;
}

static int teardown_all(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---------------------------------------------------------------- helpers */

static int open_sink_err(struct sink *s, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int open_sink_err(struct sink *s, char *err, size_t errlen, const char *fmt, ...)
{
	struct json_error jerr;
	struct json_value *cfg;
	char *text = NULL;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	assert_true(vasprintf(&text, fmt, ap) > 0);
	va_end(ap);
	cfg = json_parse(text, strlen(text), &jerr);
	if (!cfg)
		fail_msg("bad test config %s: %s", text, jerr.message);
	memset(s, 0, sizeof(*s));
	s->ops = &sink_syslog_ops;
	snprintf(s->name, sizeof(s->name), "syslog-test");
	err[0] = '\0';
	rc = checked_open(s, cfg, cfg_path, err, errlen);
	json_free(cfg);
	free(text);
	return rc;
}

#define open_sink(s, ...)                                                                          \
	do {                                                                                       \
		char err_[512];                                                                    \
		if (open_sink_err(s, err_, sizeof(err_), __VA_ARGS__) != 0)                        \
			fail_msg("open failed: %s", err_);                                         \
	} while (0)

/* A record as output_write makes it: host and severity read from its text. */
static struct sink_record rec_of(const char *data, size_t len, int64_t time_ns, const char *kind)
{
	static char hosts[16][256];
	static unsigned next;
	char *host = hosts[next++ % 16];
	struct sink_record r = {data, len, time_ns, kind, host, 0};

	record_facts_of_text(data, len, host, sizeof(hosts[0]), &r.severity);
	return r;
}

static void two_records(struct sink_record *r)
{
	r[0] = rec_of(rec_alert, strlen(rec_alert), T_NS, "alert");
	r[1] = rec_of(rec_posture, strlen(rec_posture), T_NS, "posture");
}

static void send_expect(struct sink *s, const struct sink_record *r, size_t n,
			enum sink_status want, char *why, size_t whylen)
{
	enum sink_status st[8];

	assert_true(n <= 8);
	s->ops->send(s, r, n, st, why, whylen);
	for (size_t i = 0; i < n; i++)
		if (st[i] != want)
			fail_msg("record %zu: status %d, want %d (why: %s)", i, st[i], want, why);
}

/* The message the sink must produce for rec_alert / rec_posture (PRI for local0). */
static void expected(char *out, size_t len, int pri, const char *kind, const char *json)
{
	snprintf(out, len, "<%d>1 " TS " node-7 mcpwatch %d %s - %s", pri, (int)getpid(), kind,
		 json);
}

static int udp_socket(int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static int tcp_listener(int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (*port)
		a.sin_port = htons((uint16_t)*port);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/* On [::]: reachable as 127.0.0.1 and as ::1. */
static int dual_stack_listener(int *port)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0), zero = 0;

	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin6_port);
	return fd;
}

static int free_tcp_port(void)
{
	int port = 0, fd = tcp_listener(&port);

	close(fd);
	return port;
}

static ssize_t recv_timeout(int fd, char *buf, size_t len, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	if (poll(&p, 1, ms) <= 0)
		return -1;
	return recv(fd, buf, len, 0);
}

/* Reads until len bytes came or nothing more comes for a second. */
static size_t read_stream(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t k = recv_timeout(fd, buf + got, len - got, 1000);

		if (k <= 0)
			break;
		got += (size_t)k;
	}
	buf[got < len ? got : len - 1] = '\0';
	return got;
}

/* ---------------------------------------------------------------- pure parts */

static void test_address_parse(void **state)
{
	struct syslog_address a;
	char why[160];

	assert_int_equal(syslog_address_parse("unix:/dev/log", &a, why, sizeof(why)), 0);
	assert_int_equal(a.transport, SYSLOG_UNIX);
	assert_string_equal(a.path, "/dev/log");
	assert_int_equal(syslog_address_parse("udp://127.0.0.1:5514", &a, why, sizeof(why)), 0);
	assert_int_equal(a.transport, SYSLOG_UDP);
	assert_string_equal(a.host, "127.0.0.1");
	assert_string_equal(a.port, "5514");
	assert_int_equal(syslog_address_parse("tcp://[::1]:601", &a, why, sizeof(why)), 0);
	assert_int_equal(a.transport, SYSLOG_TCP);
	assert_string_equal(a.host, "::1");
	assert_string_equal(a.port, "601");
	assert_int_equal(syslog_address_parse("tls://siem.example.com", &a, why, sizeof(why)), 0);
	assert_string_equal(a.port, "6514");
	assert_int_equal(syslog_address_parse("udp://collector", &a, why, sizeof(why)), 0);
	assert_string_equal(a.port, "514");

	assert_int_equal(syslog_address_parse("unix:", &a, why, sizeof(why)), -1);
	assert_int_equal(syslog_address_parse("http://x:1", &a, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "expected unix:/path"));
	assert_int_equal(syslog_address_parse("tcp://host:0", &a, why, sizeof(why)), -1);
	assert_int_equal(syslog_address_parse("tcp://host:65536", &a, why, sizeof(why)), -1);
	assert_int_equal(syslog_address_parse("tcp://host:12x", &a, why, sizeof(why)), -1);
	assert_int_equal(syslog_address_parse("tcp://:514", &a, why, sizeof(why)), -1);
	assert_int_equal(syslog_address_parse("tcp://[::1:514", &a, why, sizeof(why)), -1);
	assert_int_equal(syslog_address_parse("tcp://[nothex]:514", &a, why, sizeof(why)), -1);
	assert_int_equal(syslog_address_parse("tcp://a b:514", &a, why, sizeof(why)), -1);
	assert_int_equal(syslog_address_parse("udp://h/x:514", &a, why, sizeof(why)), -1);
}

/* The severity output_write gives a record (user/deliver/record.h). */
static int severity_of(const char *rec)
{
	char host[8];
	int sev;

	record_facts_of_text(rec, strlen(rec), host, sizeof(host), &sev);
	return sev;
}

static void test_facility_and_severity(void **state)
{
	static const struct {
		const char *rec;
		int sev;
	} cases[] = {
	    {"{\"rule\":{\"severity\":\"critical\"}}", 2},
	    {"{\"rule\":{\"severity\":\"high\"}}", 3},
	    {"{\"rule\":{\"severity\":\"medium\"}}", 4},
	    {"{\"rule\":{\"severity\":\"low\"}}", 5},
	    {"{\"rule\":{\"severity\":\"info\"}}", 6},
	    {"{\"kind\":\"posture\"}", 6},
	    {"{\"priority\":\"Critical\",\"rule\":\"x\"}", 2},
	    {"{\"priority\":\"Warning\",\"rule\":\"x\"}", 4},
	    {"{\"priority\":\"Debug\"}", 7},
	    {"{\"severity\":\"High\",\"severity_id\":4}", 3},
	    {"{\"severity_id\":5}", 2},
	    {"{\"severity_id\":1}", 6},
	    {"not json", 6},
	};

	assert_int_equal(syslog_facility_parse("local0"), 16);
	assert_int_equal(syslog_facility_parse("AUTHPRIV"), 10);
	assert_int_equal(syslog_facility_parse("local7"), 23);
	assert_int_equal(syslog_facility_parse("local8"), -1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (severity_of(cases[i].rec) != cases[i].sev)
			fail_msg("%s: severity %d, want %d", cases[i].rec,
				 severity_of(cases[i].rec), cases[i].sev);
}

static void test_header(void **state)
{
	char buf[700], long_msgid[64];

	assert_int_equal(
	    syslog_format_header(buf, sizeof(buf), 131, T_NS, "node-7", "mcpwatch", 42, "alert"),
	    strlen(buf));
	assert_string_equal(buf, "<131>1 " TS " node-7 mcpwatch 42 alert - ");
	syslog_format_header(buf, sizeof(buf), 0, 0, "", "a p", 0, NULL);
	assert_string_equal(buf, "<0>1 1970-01-01T00:00:00.000000Z - a?p - - - ");
	memset(long_msgid, 'm', sizeof(long_msgid) - 1);
	long_msgid[sizeof(long_msgid) - 1] = '\0';
	syslog_format_header(buf, sizeof(buf), 191, T_NS, "h", "a", 1, long_msgid);
	assert_non_null(strstr(buf, " mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm - ")); /* 32 */
	assert_int_equal(syslog_format_header(buf, 64, 1, T_NS, "h", "a", 1, "m"), 0);
	assert_int_equal(syslog_format_header(buf, sizeof(buf), 192, T_NS, "h", "a", 1, "m"), 0);
}

static void expect_open_error(const char *cfg, const char *want)
{
	char err[512];
	struct sink s;

	if (open_sink_err(&s, err, sizeof(err), "%s", cfg) == 0)
		fail_msg("config %s was accepted", cfg);
	if (!strstr(err, want))
		fail_msg("config %s: error \"%s\" lacks \"%s\"", cfg, err, want);
	if (strncmp(err, cfg_path, strlen(cfg_path)) != 0)
		fail_msg("error \"%s\" does not start with the file name", err);
}

static void test_config_errors(void **state)
{
	char cfg[512];

	expect_open_error("{\"type\":\"syslog\"}", ":1:1: syslog output: \"address\" is required");
	expect_open_error("{\"type\":\"syslog\",\"address\":\"udp://h:99999\"}",
			  ":1:28: syslog output: \"address\" \"udp://h:99999\": the port must be");
	expect_open_error("{\"type\":\"syslog\",\"address\":\"unix:/dev/log\",\"facility\":\"x\"}",
			  "\"facility\" must be a name");
	expect_open_error("{\"type\":\"syslog\",\"address\":\"unix:/dev/log\",\"facility\":24}",
			  "\"facility\" must be a name");
	expect_open_error(
	    "{\"type\":\"syslog\",\"address\":\"unix:/dev/log\",\"hostname\":\"a b\"}",
	    "\"hostname\" must be 1 to 255 printable");
	expect_open_error("{\"type\":\"syslog\",\"address\":\"udp://h:1\",\"tls\":{}}",
			  "\"tls\" needs a tls:// address");
	expect_open_error(
	    "{\"type\":\"syslog\",\"address\":\"udp://h:1\",\"max_message_bytes\":70000}",
	    "\"max_message_bytes\" must be between 480 and 65507");
	expect_open_error("{\"type\":\"syslog\",\"address\":\"udp://h:1\",\"adress\":1}",
			  "unknown key \"adress\"");
	snprintf(cfg, sizeof(cfg),
		 "{\"type\":\"syslog\",\"address\":\"tls://h:1\",\"tls\":{\"ca_file\":\"%s/"
		 "client.key\"}}",
		 dir);
	expect_open_error(cfg, "cannot load the CA certificates");
	snprintf(cfg, sizeof(cfg),
		 "{\"type\":\"syslog\",\"address\":\"tls://h:1\",\"tls\":{\"client_cert\":\"%s/"
		 "client.pem\",\"client_key\":\"%s/server.key\"}}",
		 dir, dir);
	expect_open_error(cfg, ":1:46: syslog output: \"tls\": cannot load \"client_key\"");
}

/* ---------------------------------------------------------------- unix sockets */

static void test_unix_datagram(void **state)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	char buf[4096], want[1024], why[256];
	struct sink_record r[2];
	struct sink s;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ssize_t k;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s/log", dir);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	open_sink(&s, "{\"type\":\"syslog\",\"address\":\"unix:%s/log\"}", dir);
	two_records(r);
	send_expect(&s, r, 2, SINK_OK, why, sizeof(why));
	k = recv_timeout(fd, buf, sizeof(buf) - 1, 1000);
	assert_true(k > 0);
	buf[k] = '\0';
	expected(want, sizeof(want), 16 * 8 + 3, "alert", rec_alert);
	assert_string_equal(buf, want);
	k = recv_timeout(fd, buf, sizeof(buf) - 1, 1000);
	assert_true(k > 0);
	buf[k] = '\0';
	expected(want, sizeof(want), 16 * 8 + 6, "posture", rec_posture);
	assert_string_equal(buf, want);

	/* The receiver goes away: retry, and deliver again once it is back. */
	close(fd);
	unlink(a.sun_path);
	send_expect(&s, r, 2, SINK_RETRY, why, sizeof(why));
	assert_non_null(strstr(why, "unix:"));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	send_expect(&s, r, 1, SINK_OK, why, sizeof(why));
	assert_true(recv_timeout(fd, buf, sizeof(buf), 1000) > 0);
	s.ops->close(&s);
	close(fd);
	unlink(a.sun_path);
}

static void test_unix_stream_fallback(void **state)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	char buf[4096], want[2048], w1[1024], w2[1024], why[256];
	struct sink_record r[2];
	struct sink s;
	int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), fd;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s/stream", dir);
	assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(lfd, 4), 0);
	open_sink(&s,
		  "{\"type\":\"syslog\",\"address\":\"unix:%s/stream\",\"facility\":\"authpriv\"}",
		  dir);
	two_records(r);
	send_expect(&s, r, 2, SINK_OK, why, sizeof(why));
	fd = accept(lfd, NULL, NULL);
	assert_true(fd >= 0);
	expected(w1, sizeof(w1), 10 * 8 + 3, "alert", rec_alert);
	expected(w2, sizeof(w2), 10 * 8 + 6, "posture", rec_posture);
	snprintf(want, sizeof(want), "%s\n%s\n", w1, w2);
	read_stream(fd, buf, strlen(want) + 1);
	assert_string_equal(buf, want);
	s.ops->close(&s);
	close(fd);
	close(lfd);
	unlink(a.sun_path);
}

/* ---------------------------------------------------------------- UDP and TCP */

static void test_udp(void **state)
{
	char buf[70000], want[1024], why[256], *big;
	struct sink_record r[2];
	struct sink s;
	int port, fd = udp_socket(&port);
	ssize_t k;

	open_sink(&s,
		  "{\"type\":\"syslog\",\"address\":\"udp://127.0.0.1:%d\",\"facility\":3,"
		  "\"hostname\":\"fixed-host\",\"app_name\":\"mcpw\",\"max_message_bytes\":600}",
		  port);
	two_records(r);
	send_expect(&s, r, 1, SINK_OK, why, sizeof(why));
	k = recv_timeout(fd, buf, sizeof(buf) - 1, 1000);
	assert_true(k > 0);
	buf[k] = '\0';
	snprintf(want, sizeof(want), "<27>1 " TS " fixed-host mcpw %d alert - %s", (int)getpid(),
		 rec_alert);
	assert_string_equal(buf, want);

	/* A record over max_message_bytes is cut to it (at a UTF-8 boundary). */
	big = malloc(2000);
	memset(big, 'x', 2000);
	memcpy(big, "{\"k\":\"", 6);
	memcpy(big + 500, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 16);
	memcpy(big + 1998, "\"}", 2);
	r[0] = rec_of(big, 2000, T_NS, "alert");
	send_expect(&s, r, 1, SINK_OK, why, sizeof(why));
	k = recv_timeout(fd, buf, sizeof(buf) - 1, 1000);
	assert_true(k > 500 && k <= 600);
	assert_true(((unsigned char)buf[k - 1] & 0xc0) != 0xc0); /* no lead byte left dangling */
	free(big);
	s.ops->close(&s);
	close(fd);
}

/* Splits RFC 6587 octet-counted frames into out (caller frees); returns how many. */
static int split_frames(char *buf, size_t len, char **out, int max)
{
	size_t pos = 0;
	int n = 0;

	while (pos < len && n < max) {
		char *sp;
		long flen = strtol(buf + pos, &sp, 10);

		if (*sp != ' ' || flen <= 0 || (size_t)(sp + 1 - buf) + (size_t)flen > len)
			fail_msg("bad frame at %zu: %.40s", pos, buf + pos);
		out[n++] = strndup(sp + 1, (size_t)flen);
		pos = (size_t)(sp + 1 - buf) + (size_t)flen;
	}
	return n;
}

static void test_tcp_octet_counting_and_reconnect(void **state)
{
	char buf[8192], w1[1024], w2[1024], want[4096], why[256], *frames[4];
	struct sink_record r[2];
	struct sink s;
	int port = 0, lfd = tcp_listener(&port), fd, n;
	size_t got;

	open_sink(&s,
		  "{\"type\":\"syslog\",\"address\":\"tcp://127.0.0.1:%d\",\"timeout_ms\":1000}",
		  port);
	two_records(r);
	send_expect(&s, r, 2, SINK_OK, why, sizeof(why));
	fd = accept(lfd, NULL, NULL);
	expected(w1, sizeof(w1), 131, "alert", rec_alert);
	expected(w2, sizeof(w2), 134, "posture", rec_posture);
	snprintf(want, sizeof(want), "%zu %s%zu %s", strlen(w1), w1, strlen(w2), w2);
	got = read_stream(fd, buf, strlen(want) + 1);
	assert_int_equal(got, strlen(want));
	assert_string_equal(buf, want); /* exact framing: "LEN SP MSG", no trailer */
	n = split_frames(buf, got, frames, 4);
	assert_int_equal(n, 2);
	assert_string_equal(frames[0], w1);
	assert_string_equal(frames[1], w2);
	free(frames[0]);
	free(frames[1]);

	/* The receiver closes the connection: the next record goes on a new one. */
	close(fd);
	usleep(100 * 1000);
	send_expect(&s, r, 1, SINK_OK, why, sizeof(why));
	fd = accept(lfd, NULL, NULL);
	assert_true(fd >= 0);
	snprintf(want, sizeof(want), "%zu %s", strlen(w1), w1);
	read_stream(fd, buf, strlen(want) + 1);
	assert_string_equal(buf, want);
	close(fd);

	/* No receiver at all: every record waits. */
	close(lfd);
	usleep(100 * 1000);
	send_expect(&s, r, 2, SINK_RETRY, why, sizeof(why));
	assert_non_null(strstr(why, "connect to 127.0.0.1 port"));
	s.ops->close(&s);
}

/* ---------------------------------------------------------------- TLS */

struct tls_server {
	SSL_CTX *ctx;
	int lfd, port;
	bool want_client_cert;
	char received[8192];
	size_t len;
	char client_cn[128];
	int handshake_ok;
	pthread_t thread;
};

static void *tls_serve(void *arg)
{
	struct tls_server *t = arg;
	int fd = accept(t->lfd, NULL, NULL);
	struct timeval tv = {.tv_sec = 2};
	SSL *ssl;
	X509 *peer;
	sigset_t pipe_set;

	/* Our server may write to a client that gave up; only the sink is under test. */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, NULL);
	if (fd < 0)
		return NULL;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ssl = SSL_new(t->ctx);
	SSL_set_fd(ssl, fd);
	t->handshake_ok = SSL_accept(ssl) == 1;
	if (t->handshake_ok && (peer = SSL_get1_peer_certificate(ssl))) {
		X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, t->client_cn,
					  sizeof(t->client_cn));
		X509_free(peer);
	}
	while (t->handshake_ok && t->len < sizeof(t->received) - 1) {
		int k =
		    SSL_read(ssl, t->received + t->len, (int)(sizeof(t->received) - 1 - t->len));

		if (k <= 0)
			break;
		t->len += (size_t)k;
	}
	t->received[t->len] = '\0';
	SSL_free(ssl);
	close(fd);
	return NULL;
}

static void tls_server_start(struct tls_server *t, bool want_client_cert)
{
	char path[128];

	memset(t, 0, sizeof(*t));
	t->ctx = SSL_CTX_new(TLS_server_method());
	snprintf(path, sizeof(path), "%s/server.pem", dir);
	assert_int_equal(SSL_CTX_use_certificate_chain_file(t->ctx, path), 1);
	snprintf(path, sizeof(path), "%s/server.key", dir);
	assert_int_equal(SSL_CTX_use_PrivateKey_file(t->ctx, path, SSL_FILETYPE_PEM), 1);
	if (want_client_cert) {
		snprintf(path, sizeof(path), "%s/ca.pem", dir);
		assert_int_equal(SSL_CTX_load_verify_locations(t->ctx, path, NULL), 1);
		SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	}
	t->lfd = dual_stack_listener(&t->port);
	assert_int_equal(pthread_create(&t->thread, NULL, tls_serve, t), 0);
}

static void tls_server_stop(struct tls_server *t)
{
	pthread_join(t->thread, NULL);
	close(t->lfd);
	SSL_CTX_free(t->ctx);
}

static void test_tls_delivery(void **state)
{
	char want[4096], w1[1024], w2[1024], why[256];
	struct sink_record r[2];
	struct tls_server t;
	struct sink s;

	tls_server_start(&t, false);
	open_sink(&s,
		  "{\"type\":\"syslog\",\"address\":\"tls://localhost:%d\","
		  "\"tls\":{\"ca_file\":\"%s/ca.pem\"}}",
		  t.port, dir);
	two_records(r);
	send_expect(&s, r, 2, SINK_OK, why, sizeof(why));
	s.ops->close(&s); /* the server reads until the connection closes */
	tls_server_stop(&t);
	assert_true(t.handshake_ok);
	expected(w1, sizeof(w1), 131, "alert", rec_alert);
	expected(w2, sizeof(w2), 134, "posture", rec_posture);
	snprintf(want, sizeof(want), "%zu %s%zu %s", strlen(w1), w1, strlen(w2), w2);
	assert_string_equal(t.received, want);
}

static void test_tls_verification_and_client_cert(void **state)
{
	struct sink_record r[1] = {rec_of(rec_alert, sizeof(rec_alert) - 1, T_NS, "alert")};
	char why[256];
	struct tls_server t;
	struct sink s;

	/* Default verification against the system CAs: the test CA is unknown. */
	tls_server_start(&t, false);
	open_sink(&s, "{\"type\":\"syslog\",\"address\":\"tls://127.0.0.1:%d\"}", t.port);
	send_expect(&s, r, 1, SINK_RETRY, why, sizeof(why));
	assert_non_null(strstr(why, "TLS handshake with 127.0.0.1"));
	assert_non_null(strstr(why, "certificate"));
	s.ops->close(&s);
	tls_server_stop(&t);

	/* The right CA but a name the certificate does not hold (::1): refused. */
	tls_server_start(&t, false);
	open_sink(&s,
		  "{\"type\":\"syslog\",\"address\":\"tls://[::1]:%d\","
		  "\"tls\":{\"ca_file\":\"%s/ca.pem\"}}",
		  t.port, dir);
	send_expect(&s, r, 1, SINK_RETRY, why, sizeof(why));
	assert_non_null(strstr(why, "IP address mismatch"));
	s.ops->close(&s);
	tls_server_stop(&t);

	/* Another CA: refused. */
	tls_server_start(&t, false);
	open_sink(&s,
		  "{\"type\":\"syslog\",\"address\":\"tls://127.0.0.1:%d\","
		  "\"tls\":{\"ca_file\":\"%s/other-ca.pem\"}}",
		  t.port, dir);
	send_expect(&s, r, 1, SINK_RETRY, why, sizeof(why));
	assert_non_null(strstr(why, "certificate"));
	s.ops->close(&s);
	tls_server_stop(&t);

	/* verify: false takes any certificate. */
	tls_server_start(&t, false);
	open_sink(&s,
		  "{\"type\":\"syslog\",\"address\":\"tls://[::1]:%d\",\"tls\":{\"verify\":false}}",
		  t.port);
	send_expect(&s, r, 1, SINK_OK, why, sizeof(why));
	s.ops->close(&s);
	tls_server_stop(&t);

	/* A server that wants a client certificate gets ours. */
	tls_server_start(&t, true);
	open_sink(&s,
		  "{\"type\":\"syslog\",\"address\":\"tls://127.0.0.1:%d\","
		  "\"tls\":{\"ca_file\":\"%s/ca.pem\",\"client_cert\":\"%s/client.pem\","
		  "\"client_key\":\"%s/client.key\"}}",
		  t.port, dir, dir, dir);
	send_expect(&s, r, 1, SINK_OK, why, sizeof(why));
	s.ops->close(&s);
	tls_server_stop(&t);
	assert_string_equal(t.client_cn, "mcpwatch-client");
	assert_non_null(strstr(t.received, rec_alert));
}

/* ---------------------------------------------------------------- rsyslogd */

struct rsyslog {
	pid_t pid;
	int udp_port, tcp_port;
	char out[128];
};

static bool rsyslog_start(struct rsyslog *rs)
{
	char conf[128], pidfile[128], text[1024];
	int fd, udp_fd;

	if (access("/usr/sbin/rsyslogd", X_OK) != 0)
		return false;
	udp_fd = udp_socket(&rs->udp_port);
	close(udp_fd);
	rs->tcp_port = free_tcp_port();
	snprintf(conf, sizeof(conf), "%s/rsyslog.conf", dir);
	snprintf(pidfile, sizeof(pidfile), "%s/rsyslog.pid", dir);
	snprintf(rs->out, sizeof(rs->out), "%s/rsyslog.out", dir);
	/* Loopback inputs only, no /dev/log (no imuxsock), one file out. */
	snprintf(text, sizeof(text),
		 "global(workDirectory=\"%s\")\n"
		 "module(load=\"imudp\")\n"
		 "module(load=\"imtcp\")\n"
		 "input(type=\"imudp\" address=\"127.0.0.1\" port=\"%d\")\n"
		 "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"%d\")\n"
		 "template(name=\"t\" type=\"string\" string=\"%%pri%%|%%app-name%%|%%procid%%|"
		 "%%msgid%%|%%hostname%%|%%msg%%\\n\")\n"
		 "*.* action(type=\"omfile\" file=\"%s\" template=\"t\")\n",
		 dir, rs->udp_port, rs->tcp_port, rs->out);
	fd = open(conf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	rs->pid = fork();
	if (rs->pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		execl("/usr/sbin/rsyslogd", "rsyslogd", "-n", "-f", conf, "-i", pidfile,
		      (char *)NULL);
		_exit(127);
	}
	/* Ready when the TCP input accepts (both inputs start together). */
	for (int i = 0; i < 100; i++) {
		struct sockaddr_in a = {.sin_family = AF_INET,
					.sin_port = htons((uint16_t)rs->tcp_port),
					.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		bool up = connect(c, (struct sockaddr *)&a, sizeof(a)) == 0;

		close(c);
		if (up)
			return usleep(200 * 1000), true;
		usleep(50 * 1000);
	}
	fail_msg("rsyslogd did not start (config %s)", conf);
	return false;
}

static void rsyslog_stop(struct rsyslog *rs)
{
	if (rs->pid > 0) {
		kill(rs->pid, SIGTERM);
		waitpid(rs->pid, NULL, 0);
	}
	rs->pid = 0;
}

/* Waits until the output file holds n lines; returns its text (caller frees). */
static char *rsyslog_lines(const struct rsyslog *rs, int n)
{
	for (int i = 0; i < 100; i++) {
		char why[96];
		size_t len = 0;
		char *text = json_read_file(rs->out, 1 << 20, &len, why, sizeof(why));
		int lines = 0;

		for (size_t k = 0; text && k < len; k++)
			lines += text[k] == '\n';
		if (lines >= n)
			return text;
		free(text);
		usleep(50 * 1000);
	}
	fail_msg("rsyslogd wrote fewer than %d lines to %s", n, rs->out);
	return NULL;
}

static void test_rsyslogd_receives(void **state)
{
	char why[256], line[2048];
	struct sink_record r[2];
	struct rsyslog rs = {0};
	struct sink udp, tcp;
	char *text;

	if (!rsyslog_start(&rs)) {
		fprintf(stderr, "SKIP: /usr/sbin/rsyslogd is not installed (apt-get install "
				"rsyslog; scripts/deps.sh installs it)\n");
		skip();
	}
	open_sink(&udp, "{\"type\":\"syslog\",\"address\":\"udp://127.0.0.1:%d\"}", rs.udp_port);
	open_sink(
	    &tcp,
	    "{\"type\":\"syslog\",\"address\":\"tcp://127.0.0.1:%d\",\"facility\":\"authpriv\"}",
	    rs.tcp_port);
	two_records(r);
	send_expect(&udp, r, 1, SINK_OK, why, sizeof(why));
	text = rsyslog_lines(&rs, 1);
	snprintf(line, sizeof(line), "131|mcpwatch|%d|alert|node-7|%s\n", (int)getpid(), rec_alert);
	if (!strstr(text, line))
		fail_msg("rsyslogd wrote:\n%s\nexpected the line:\n%s", text, line);
	free(text);
	send_expect(&tcp, r, 2, SINK_OK, why, sizeof(why));
	text = rsyslog_lines(&rs, 3);
	snprintf(line, sizeof(line), "83|mcpwatch|%d|alert|node-7|%s\n", (int)getpid(), rec_alert);
	if (!strstr(text, line))
		fail_msg("rsyslogd wrote:\n%s\nexpected the line:\n%s", text, line);
	snprintf(line, sizeof(line), "86|mcpwatch|%d|posture|node-7|%s\n", (int)getpid(),
		 rec_posture);
	if (!strstr(text, line))
		fail_msg("rsyslogd wrote:\n%s\nexpected the line:\n%s", text, line);
	free(text);
	udp.ops->close(&udp);
	tcp.ops->close(&tcp);
	rsyslog_stop(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_address_parse),
	    cmocka_unit_test(test_facility_and_severity),
	    cmocka_unit_test(test_header),
	    cmocka_unit_test(test_config_errors),
	    cmocka_unit_test(test_unix_datagram),
	    cmocka_unit_test(test_unix_stream_fallback),
	    cmocka_unit_test(test_udp),
	    cmocka_unit_test(test_tcp_octet_counting_and_reconnect),
	    cmocka_unit_test(test_tls_delivery),
	    cmocka_unit_test(test_tls_verification_and_client_cert),
	    cmocka_unit_test(test_rsyslogd_receives),
	};

	return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
