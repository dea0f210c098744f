// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Unit tests for user/posture/httpprobe.c: the pure parsers and classifiers, the
 * local-only rule (no traffic to 192.0.2.1, no redirect followed off the
 * host), and real probes of loopback servers — the sloppy and hardened
 * fixtures (the .mjs files in tests/fixtures/http, HTTPS with a cert made here by the
 * openssl CLI), @modelcontextprotocol/server-everything, and hostile servers
 * (1 MiB of headers, a byte a second, garbage, silence, an endless SSE
 * stream) that must not hold the probe past its bound.
 * Run from the repository root (make unit does).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "posture/httpprobe.h"

#define FIXTURES   "tests/fixtures/http/"
#define EVERYTHING "node_modules/@modelcontextprotocol/server-everything/dist/index.js"

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---------------------------------------------------------------- head parser */

static void test_find_secret_spares_protocol_fields(void **state)
{
	char copy[512], red[512], win[96];
	static const char benign[] =
	    "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\","
	    "\"params\":{\"progressToken\":\"req-123456789\",\"maxTokens\":1000}}";
	static const char leaky[] = "{\"progressToken\":\"p1\",\"api_key\":\"s3cr3tvalue42\"}";

	(void)state;
	assert_false(httpprobe_find_secret(benign, copy, red, sizeof(copy), win, sizeof(win)));
	assert_true(httpprobe_find_secret(leaky, copy, red, sizeof(copy), win, sizeof(win)));
	assert_non_null(strstr(win, "***"));
	assert_null(strstr(win, "s3cr3tvalue42"));
	assert_true(httpprobe_find_secret("Authorization: Bearer abcdefgh12345678", copy, red,
					  sizeof(copy), win, sizeof(win)));
	assert_false(
	    httpprobe_find_secret("plain text", copy, red, sizeof(copy), win, sizeof(win)));
}

static void test_parse_head_basic(void **state)
{
	static const char raw[] = "HTTP/1.1 200 OK\r\n"
				  "Content-Type: application/json\r\n"
				  "X-Powered-By:Express  \r\n"
				  "Set-Cookie: a=b\r\n"
				  "\r\n";
	struct httpprobe_head h;

	assert_int_equal(httpprobe_parse_head(raw, strlen(raw), &h), 0);
	assert_int_equal(h.status, 200);
	assert_int_equal(h.count, 3);
	assert_false(h.truncated);
	assert_string_equal(httpprobe_head_get(&h, "content-type"), "application/json");
	assert_string_equal(httpprobe_head_get(&h, "X-POWERED-BY"), "Express");
	assert_null(httpprobe_head_get(&h, "Server"));
}

static void test_parse_head_interim_and_lf(void **state)
{
	static const char raw[] =
	    "HTTP/1.1 100 Continue\n\nHTTP/1.1 103 Early Hints\nLink: </a>\n\n"
	    "HTTP/2 404\nServer: nginx/1.25\n\n";
	struct httpprobe_head h;

	assert_int_equal(httpprobe_parse_head(raw, strlen(raw), &h), 0);
	assert_int_equal(h.status, 404);
	assert_int_equal(h.count, 1);
	assert_string_equal(httpprobe_head_get(&h, "Server"), "nginx/1.25");
	assert_null(httpprobe_head_get(&h, "Link"));
}

static void test_parse_head_hostile(void **state)
{
	static const char bad_status[] = "HTTP/1.1 2000 OK\r\nA: b\r\n\r\n";
	static const char no_http[] = "SSH-2.0-OpenSSH\r\n\r\n";
	static const char ctl[] = "HTTP/1.0 500 X\r\nBad Name: v\r\n folded\r\nV: a\x01\x7f"
				  "b\r\n: empty\r\n\r\n";
	struct httpprobe_head h;
	char big[HTTPPROBE_HEADERS_MAX * 8 + 64], longv[1024];
	size_t n;

	assert_int_equal(httpprobe_parse_head(bad_status, strlen(bad_status), &h), -EINVAL);
	assert_int_equal(httpprobe_parse_head(no_http, strlen(no_http), &h), -EINVAL);
	assert_int_equal(httpprobe_parse_head(NULL, 0, &h), -EINVAL);
	assert_int_equal(httpprobe_parse_head("HTTP/1.1 200", 12, &h), 0);
	assert_int_equal(h.status, 200);
	assert_int_equal(httpprobe_parse_head(ctl, sizeof(ctl) - 1, &h), 0);
	assert_true(h.truncated);
	assert_int_equal(h.count, 1);
	assert_string_equal(httpprobe_head_get(&h, "V"), "a??b");

	n = (size_t)snprintf(big, sizeof(big), "HTTP/1.1 200 OK\r\n");
	for (int i = 0; i < HTTPPROBE_HEADERS_MAX + 5; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "H%d: %d\n", i % 10, i % 10);
	assert_int_equal(httpprobe_parse_head(big, n, &h), 0);
	assert_int_equal(h.count, HTTPPROBE_HEADERS_MAX);
	assert_true(h.truncated);

	n = (size_t)snprintf(longv, sizeof(longv), "HTTP/1.1 200 OK\r\nLong: ");
	memset(longv + n, 'v', sizeof(longv) - n - 1);
	longv[sizeof(longv) - 1] = '\0';
	assert_int_equal(httpprobe_parse_head(longv, strlen(longv), &h), 0);
	assert_int_equal(strlen(httpprobe_head_get(&h, "Long")), HTTPPROBE_VALUE_MAX - 1);
	assert_true(h.truncated);
}

/* ---------------------------------------------------------------- classifiers */

static void test_classify_mcp_answer(void **state)
{
	static const char result[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}";
	static const char error[] = "{\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32000}}";
	static const char html[] = "<html>Cannot POST /</html>";

	assert_int_equal(
	    httpprobe_classify_mcp_answer(200, "application/json", result, strlen(result)),
	    HTTPPROBE_MCP_OK);
	assert_int_equal(
	    httpprobe_classify_mcp_answer(200, "text/event-stream; charset=utf-8", "", 0),
	    HTTPPROBE_MCP_OK);
	assert_int_equal(httpprobe_classify_mcp_answer(401, NULL, "", 0), HTTPPROBE_MCP_AUTH);
	assert_int_equal(httpprobe_classify_mcp_answer(403, NULL, NULL, 0), HTTPPROBE_MCP_AUTH);
	assert_int_equal(
	    httpprobe_classify_mcp_answer(400, "application/json", error, strlen(error)),
	    HTTPPROBE_MCP_ERROR);
	assert_int_equal(httpprobe_classify_mcp_answer(406, NULL, error, strlen(error)),
			 HTTPPROBE_MCP_ERROR);
	assert_int_equal(httpprobe_classify_mcp_answer(404, NULL, error, strlen(error)),
			 HTTPPROBE_MCP_NONE);
	assert_int_equal(httpprobe_classify_mcp_answer(200, "text/html", html, strlen(html)),
			 HTTPPROBE_MCP_NONE);
	assert_int_equal(
	    httpprobe_classify_mcp_answer(200, "application/json", "{\"result\":1}", 12),
	    HTTPPROBE_MCP_NONE);
}

static bool leak(const char *body, const char *ct, const char *want)
{
	char what[96];
	bool found = httpprobe_find_error_leak(body, strlen(body), ct, what, sizeof(what));

	if (found && want && !strstr(what, want))
		fail_msg("leak description '%s' lacks '%s'", what, want);
	return found;
}

static void test_error_leak_detector(void **state)
{
	assert_true(
	    leak("Error: x\n    at Object.<anonymous> (/srv/a.js:1:1)", NULL, "stack trace"));
	assert_true(leak("{\"stack\":\"TypeError\\n    at f (x.js:1)\"}", "application/json",
			 "stack trace"));
	assert_true(leak("Traceback (most recent call last):\n  x", NULL, "Python"));
	assert_true(leak("  File \"/srv/app.py\", line 3", NULL, "Python"));
	assert_true(leak("ENOENT: open '/home/bob/app/x'", NULL, "/home/"));
	assert_true(leak("cannot load node_modules/x", NULL, "node_modules"));
	assert_true(
	    leak("<!DOCTYPE html><html><title>Werkzeug Debugger</title></html>", NULL, "Werkzeug"));
	assert_true(leak("<h1>Internal error</h1> Django", "text/html; charset=utf-8", "Django"));
	/* framework names count only on an HTML page */
	assert_false(leak("{\"error\":\"Express says no\"}", "application/json", NULL));
	assert_false(leak("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":\"Parse "
			  "error\"}}",
			  "application/json", NULL));
	assert_false(leak("", NULL, NULL));
	assert_false(httpprobe_find_error_leak(NULL, 0, NULL, NULL, 0));
}

static void test_listing_and_sensitive_files(void **state)
{
	static const char listing[] = "<html><head><title>Index of /</title></head>";
	static const char pylisting[] = "<title>Directory listing for /</title>";
	static const char env[] = "# comment\nexport DB_HOST=db\n";
	static const char git[] = "[core]\n\trepositoryformatversion = 0\n";
	static const char spa[] = "<!doctype html><html>KEY=1\n[core]</html>";
	static const char json[] = "  {\"db\": {\"host\": \"x\"}}";
	static const char rpc[] = "{\"jsonrpc\":\"2.0\",\"error\":{}}";

	assert_true(httpprobe_is_directory_listing(listing, strlen(listing)));
	assert_true(httpprobe_is_directory_listing(pylisting, strlen(pylisting)));
	assert_false(httpprobe_is_directory_listing(env, strlen(env)));
	assert_string_equal(httpprobe_sensitive_file_match("/", listing, strlen(listing)),
			    "a directory listing");
	assert_null(httpprobe_sensitive_file_match("/", json, strlen(json)));
	assert_string_equal(httpprobe_sensitive_file_match("/.env", env, strlen(env)),
			    "KEY=value lines");
	assert_null(httpprobe_sensitive_file_match("/.env", "no env here", 11));
	assert_string_equal(httpprobe_sensitive_file_match("/.git/config", git, strlen(git)),
			    "a git config ([core])");
	assert_null(httpprobe_sensitive_file_match("/.env", spa, strlen(spa)));
	assert_null(httpprobe_sensitive_file_match("/.git/config", spa, strlen(spa)));
	assert_string_equal(httpprobe_sensitive_file_match("/config.json", json, strlen(json)),
			    "a JSON object");
	assert_null(httpprobe_sensitive_file_match("/config", rpc, strlen(rpc)));
	assert_null(httpprobe_sensitive_file_match("/.env", "", 0));
}

static void test_version_leak_detector(void **state)
{
	char what[96];

	assert_true(httpprobe_find_version_leak("X-Powered-By", "Express", what, sizeof(what)));
	assert_string_equal(what, "X-Powered-By: Express");
	assert_true(httpprobe_find_version_leak("server", "uvicorn", what, sizeof(what)));
	assert_string_equal(what, "Server: uvicorn");
	assert_true(httpprobe_find_version_leak("Server", "myapp/2", what, sizeof(what)));
	assert_true(httpprobe_find_version_leak("Server", "Werkzeug/3.0.1 Python/3.12", what,
						sizeof(what)));
	assert_false(httpprobe_find_version_leak("Server", "mcp", what, sizeof(what)));
	assert_string_equal(what, "");
	assert_false(httpprobe_find_version_leak("Server", "", what, sizeof(what)));
	assert_false(httpprobe_find_version_leak("Server", NULL, what, sizeof(what)));
	assert_false(httpprobe_find_version_leak("Via", "1.1 proxy", what, sizeof(what)));
}

static void test_cors_classify(void **state)
{
	const char *o = HTTPPROBE_PROBE_ORIGIN;

	assert_int_equal(httpprobe_cors_classify(NULL, o), HTTPPROBE_CORS_NONE);
	assert_int_equal(httpprobe_cors_classify("  ", o), HTTPPROBE_CORS_NONE);
	assert_int_equal(httpprobe_cors_classify("*", o), HTTPPROBE_CORS_WILDCARD);
	assert_int_equal(httpprobe_cors_classify(" * ", NULL), HTTPPROBE_CORS_WILDCARD);
	assert_int_equal(httpprobe_cors_classify("https://MCPWATCH-probe.invalid", o),
			 HTTPPROBE_CORS_REFLECTED);
	assert_int_equal(httpprobe_cors_classify("null", o), HTTPPROBE_CORS_NULL);
	assert_int_equal(httpprobe_cors_classify("https://app.example.com", o),
			 HTTPPROBE_CORS_RESTRICTED);
	assert_int_equal(httpprobe_cors_classify("https://mcpwatch-probe.invalid.evil", o),
			 HTTPPROBE_CORS_RESTRICTED);
}

static void test_location_points_to(void **state)
{
	const char *h = HTTPPROBE_PROBE_HOST;

	assert_true(httpprobe_location_points_to("https://mcpwatch-probe.invalid/", h));
	assert_true(httpprobe_location_points_to("  //mcpwatch-probe.invalid/x", h));
	assert_true(httpprobe_location_points_to("https://u:p@MCPWATCH-PROBE.invalid.:443/", h));
	assert_true(httpprobe_location_points_to("https://a.mcpwatch-probe.invalid", h));
	assert_true(httpprobe_location_points_to("/\\mcpwatch-probe.invalid", h));
	assert_true(httpprobe_location_points_to("https:mcpwatch-probe.invalid", h));
	assert_true(httpprobe_location_points_to("https:\\\\mcpwatch-probe.invalid?x", h));
	assert_false(
	    httpprobe_location_points_to("/login?next=https://mcpwatch-probe.invalid/", h));
	assert_false(httpprobe_location_points_to("https://mcpwatch-probe.invalid.evil.com/", h));
	assert_false(httpprobe_location_points_to("https://xmcpwatch-probe.invalid/", h));
	assert_false(
	    httpprobe_location_points_to("https://localhost/?u=mcpwatch-probe.invalid", h));
	assert_false(httpprobe_location_points_to("mailto:a@mcpwatch-probe.invalid", h));
	assert_false(httpprobe_location_points_to(" mailto:a@mcpwatch-probe.invalid", h));
	assert_true(httpprobe_location_points_to("\tHTTPS:mcpwatch-probe.invalid", h));
	assert_false(httpprobe_location_points_to(NULL, h));
	assert_false(httpprobe_location_points_to("", h));
}

static void test_location_local_path(void **state)
{
	char path[HTTPPROBE_PATH_MAX];
	const char *auth = "localhost:8080";

	assert_true(httpprobe_location_local_path("/mcp/", auth, path, sizeof(path)));
	assert_string_equal(path, "/mcp/");
	assert_true(
	    httpprobe_location_local_path("http://LOCALHOST:8080/mcp/", auth, path, sizeof(path)));
	assert_string_equal(path, "/mcp/");
	assert_true(
	    httpprobe_location_local_path("https://localhost:8080", auth, path, sizeof(path)));
	assert_string_equal(path, "/");
	assert_false(
	    httpprobe_location_local_path("http://localhost:8081/mcp", auth, path, sizeof(path)));
	assert_false(
	    httpprobe_location_local_path("http://127.0.0.1:8080/mcp", auth, path, sizeof(path)));
	assert_false(httpprobe_location_local_path("//evil/mcp", auth, path, sizeof(path)));
	assert_false(httpprobe_location_local_path("/\\evil/mcp", auth, path, sizeof(path)));
	assert_false(httpprobe_location_local_path("http://192.0.2.1/", auth, path, sizeof(path)));
	assert_false(httpprobe_location_local_path("mcp", auth, path, sizeof(path)));
	assert_false(httpprobe_location_local_path("/a b", auth, path, sizeof(path)));
	assert_false(httpprobe_location_local_path("/mcp", auth, path, 4));
}

static void test_bind_scope(void **state)
{
	char why[128];

	assert_int_equal(httpprobe_bind_scope(AF_INET, "0.0.0.0", why, sizeof(why)), CHECK_FAIL);
	assert_string_equal(why, "bound to 0.0.0.0: reachable from every interface");
	assert_int_equal(httpprobe_bind_scope(AF_INET6, "::", why, sizeof(why)), CHECK_FAIL);
	assert_int_equal(httpprobe_bind_scope(AF_INET, "127.0.0.1", why, sizeof(why)), CHECK_PASS);
	assert_int_equal(httpprobe_bind_scope(AF_INET, "127.1.2.3", why, sizeof(why)), CHECK_PASS);
	assert_int_equal(httpprobe_bind_scope(AF_INET6, "::1", why, sizeof(why)), CHECK_PASS);
	assert_int_equal(httpprobe_bind_scope(AF_INET6, "::ffff:127.0.0.1", why, sizeof(why)),
			 CHECK_PASS);
	assert_int_equal(httpprobe_bind_scope(AF_INET6, "::ffff:0.0.0.0", why, sizeof(why)),
			 CHECK_FAIL);
	assert_int_equal(httpprobe_bind_scope(AF_INET, "10.1.2.3", why, sizeof(why)), CHECK_FAIL);
	assert_non_null(strstr(why, "10.1.2.3"));
	assert_int_equal(httpprobe_bind_scope(AF_INET, "::1", why, sizeof(why)), CHECK_NA);
	assert_int_equal(httpprobe_bind_scope(AF_INET, NULL, why, sizeof(why)), CHECK_NA);
}

static void test_peer_allowed(void **state)
{
	struct sockaddr_storage pinned = {0};
	struct sockaddr_in *p4 = (struct sockaddr_in *)&pinned, peer4 = {0};
	struct sockaddr_in6 peer6 = {0};

	p4->sin_family = AF_INET;
	p4->sin_port = htons(8080);
	inet_pton(AF_INET, "127.0.0.1", &p4->sin_addr);
	peer4 = *p4;
	assert_true(httpprobe_peer_allowed(&pinned, (struct sockaddr *)&peer4, sizeof(peer4)));
	assert_false(httpprobe_peer_allowed(&pinned, (struct sockaddr *)&peer4, 4));
	peer4.sin_port = htons(8081);
	assert_false(httpprobe_peer_allowed(&pinned, (struct sockaddr *)&peer4, sizeof(peer4)));
	peer4.sin_port = htons(8080);
	inet_pton(AF_INET, "192.0.2.1", &peer4.sin_addr);
	assert_false(httpprobe_peer_allowed(&pinned, (struct sockaddr *)&peer4, sizeof(peer4)));
	peer6.sin6_family = AF_INET6;
	peer6.sin6_port = htons(8080);
	peer6.sin6_addr = in6addr_loopback;
	assert_false(httpprobe_peer_allowed(&pinned, (struct sockaddr *)&peer6, sizeof(peer6)));
	assert_false(httpprobe_peer_allowed(NULL, (struct sockaddr *)&peer4, sizeof(peer4)));
}

/* ---------------------------------------------------------------- servers */

struct server {
	pid_t pid;
	int out_fd; /* the fixture's stdout, kept open so it can keep writing */
	uint16_t port;
};

/* Reads "listening PORT" from the fixture within 10 s. */
static int read_port(struct server *s)
{
	char line[64];
	size_t n = 0;
	int64_t deadline = now_ms() + 10000;

	while (n + 1 < sizeof(line) && now_ms() < deadline) {
		struct pollfd p = {.fd = s->out_fd, .events = POLLIN};
		ssize_t r;

		if (poll(&p, 1, 200) <= 0)
			continue;
		r = read(s->out_fd, line + n, 1);
		if (r <= 0)
			return -1;
		if (line[n] == '\n') {
			line[n] = '\0';
			return sscanf(line, "listening %hu", &s->port) == 1 ? 0 : -1;
		}
		n++;
	}
	return -1;
}

static void spawn(struct server *s, char *const argv[], const char *port_env)
{
	int fds[2];

	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		if (port_env)
			setenv("PORT", port_env, 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	s->out_fd = fds[0];
}

static void start_fixture(struct server *s, char *const argv[])
{
	spawn(s, argv, NULL);
	if (read_port(s) != 0)
		fail_msg("fixture %s did not announce its port (is node installed?)", argv[1]);
}

static void stop_server(struct server *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
	}
	if (s->out_fd > 0)
		close(s->out_fd);
	s->pid = 0;
	s->out_fd = -1;
}

/* A port no one listens on now (the kernel's pick for an ephemeral bind). */
static uint16_t free_port(int family)
{
	struct sockaddr_storage ss = {0};
	socklen_t len = sizeof(ss);
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	uint16_t port;

	ss.ss_family = (sa_family_t)family;
	assert_int_equal(
	    bind(fd, (struct sockaddr *)&ss,
		 family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)),
	    0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	port = ntohs(((struct sockaddr_in *)&ss)->sin_port); /* same offset in sockaddr_in6 */
	close(fd);
	return port;
}

static bool port_open(uint16_t port)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	a.sin6_addr = in6addr_loopback;
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

static char certdir[64], cert[96], key[96], othercert[96];

/* A self-signed P-256 cert for localhost (and a second, unrelated one). */
static int make_certs(void **state)
{
	char cmd[512];

	snprintf(certdir, sizeof(certdir), "/tmp/httpprobe-test-XXXXXX");
	if (!mkdtemp(certdir))
		return -1;
	snprintf(cert, sizeof(cert), "%s/cert.pem", certdir);
	snprintf(key, sizeof(key), "%s/key.pem", certdir);
	snprintf(othercert, sizeof(othercert), "%s/other.pem", certdir);
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		 "-keyout %s -out %s -days 2 -subj /CN=localhost "
		 "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null && "
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		 "-keyout %s/other.key -out %s -days 2 -subj /CN=localhost 2>/dev/null",
		 key, cert, certdir, othercert);
	return system(cmd) == 0 ? 0 : -1;
}

static int remove_certs(void **state)
{
	char path[128];

	unlink(cert);
	unlink(key);
	unlink(othercert);
	snprintf(path, sizeof(path), "%s/other.key", certdir);
	unlink(path);
	rmdir(certdir);
	return 0;
}

/* ---------------------------------------------------------------- probing helpers */

struct run {
	int rc;
	int64_t ms;
	struct httpprobe_report r;
};

static void probe(struct run *run, int family, const char *addr, uint16_t port,
		  const struct httpprobe_opts *o)
{
	struct httpprobe_target t = {
	    .family = family, .port = port, .tls_hint = HTTPPROBE_TLS_DETECT};
	int64_t start = now_ms();

	snprintf(t.addr, sizeof(t.addr), "%s", addr);
	run->rc = httpprobe_run(&t, o, &run->r);
	run->ms = now_ms() - start;
}

static void assert_check(const struct httpprobe_report *r, enum check_id id, enum check_status want,
			 const char *evidence)
{
	const struct check_result *c = &r->checks[id];

	if (c->status != want)
		fail_msg("check %s is %s, want %s (evidence: %s)", check_def(id)->key,
			 check_status_name(c->status), check_status_name(want), c->evidence);
	if (evidence && !strstr(c->evidence, evidence))
		fail_msg("check %s evidence '%s' lacks '%s'", check_def(id)->key, c->evidence,
			 evidence);
}

/* The host-side checks are not the probe's to fill. */
static void expect_host_checks_untouched(const struct httpprobe_report *r)
{
	for (int id = CHK_PINNED_VERSION; id < CHK_COUNT; id++) {
		assert_int_equal(r->checks[id].status, CHECK_NA);
		assert_string_equal(r->checks[id].evidence, "");
	}
}

/* ---------------------------------------------------------------- local only */

static void test_invalid_arguments(void **state)
{
	struct httpprobe_target t = {.family = AF_INET, .addr = "127.0.0.1", .port = 1};
	struct httpprobe_opts o = {.timeout_ms = -1};
	struct httpprobe_report r;

	assert_int_equal(httpprobe_run(&t, NULL, NULL), -EINVAL);
	assert_int_equal(httpprobe_run(NULL, NULL, &r), -EINVAL);
	assert_int_equal(httpprobe_run(&t, &o, &r), -EINVAL);
	assert_non_null(strstr(r.error, "timeout_ms -1"));
	t.family = AF_UNIX;
	assert_int_equal(httpprobe_run(&t, NULL, &r), -EINVAL);
	t.family = AF_INET;
	t.tls_hint = 7;
	assert_int_equal(httpprobe_run(&t, NULL, &r), -EINVAL);
	t.tls_hint = 0;
	snprintf(t.addr, sizeof(t.addr), "not-an-ip");
	assert_int_equal(httpprobe_run(&t, NULL, &r), -EINVAL);
	assert_int_equal(r.requests, 0);
}

static void test_non_local_target_refused(void **state)
{
	static const struct {
		int family;
		const char *addr;
	} remote[] = {{AF_INET, "192.0.2.1"}, {AF_INET, "8.8.8.8"}, {AF_INET6, "2001:db8::1"}};
	struct run run;

	for (size_t i = 0; i < sizeof(remote) / sizeof(remote[0]); i++) {
		probe(&run, remote[i].family, remote[i].addr, 80, NULL);
		assert_int_equal(run.rc, -EADDRNOTAVAIL);
		assert_int_equal(run.r.requests, 0); /* nothing was sent */
		assert_false(run.r.reachable);
		assert_true(run.ms < 200); /* no connect attempt was waited for */
		assert_non_null(strstr(run.r.error, "not a local address"));
		assert_check(&run.r, CHK_HTTPS, CHECK_NA, "not tested");
		assert_check(&run.r, CHK_BIND_SCOPE, CHECK_NA, NULL);
	}
}

static void test_closed_port(void **state)
{
	struct run run;

	probe(&run, AF_INET, "127.0.0.1", free_port(AF_INET), NULL);
	assert_int_equal(run.rc, -ECONNREFUSED);
	assert_false(run.r.reachable);
	assert_non_null(strstr(run.r.error, "refused"));
}

/* A listener the probe must never reach: accept() finds nothing queued afterwards. */
static int canary_listen(uint16_t *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static void probe_redirector(const char *to, int canary)
{
	char *argv[] = {"node", FIXTURES "hostile.mjs", "--mode", "redirect", "--to", (char *)to,
			NULL};
	struct server s = {0};
	struct run run;

	start_fixture(&s, argv);
	probe(&run, AF_INET, "127.0.0.1", s.port, NULL);
	stop_server(&s);
	assert_int_equal(run.rc, 0);
	assert_int_equal(run.r.init_status, 307);
	assert_string_equal(run.r.mcp_path, "");
	assert_true(run.r.requests <= HTTPPROBE_MAX_REQUESTS);
	assert_true(run.ms < 3000);
	assert_check(&run.r, CHK_OPEN_REDIRECT, CHECK_PASS, NULL);
	assert_int_equal(accept(canary, NULL, NULL), -1);
	assert_int_equal(errno, EAGAIN);
}

static void test_redirect_off_host_not_followed(void **state)
{
	char to[96];
	uint16_t cport;
	int canary = canary_listen(&cport);

	snprintf(to, sizeof(to), "http://127.0.0.1:%u/mcp", cport);
	probe_redirector(to, canary);
	snprintf(to, sizeof(to), "http://localhost:%u/mcp", cport);
	probe_redirector(to, canary);
	snprintf(to, sizeof(to), "//localhost:%u/", cport);
	probe_redirector(to, canary);
	probe_redirector("http://192.0.2.1/", canary);
	close(canary);
}

static void test_same_origin_redirect_followed(void **state)
{
	char *argv[] = {"node", FIXTURES "hostile.mjs", "--mode", "slash", NULL};
	struct server s = {0};
	struct run run;

	start_fixture(&s, argv);
	probe(&run, AF_INET, "127.0.0.1", s.port, NULL);
	stop_server(&s);
	assert_int_equal(run.rc, 0);
	assert_string_equal(run.r.mcp_path, "/mcp/");
	assert_int_equal(run.r.init_status, 200);
	assert_check(&run.r, CHK_AUTH, CHECK_FAIL,
		     "initialize POST /mcp/ without credentials -> 200");
}

/* ---------------------------------------------------------------- sloppy / hardened */

static void expect_sloppy_failures(const struct run *run)
{
	const struct httpprobe_report *r = &run->r;

	assert_int_equal(run->rc, 0);
	assert_true(r->reachable);
	assert_false(r->tls);
	assert_string_equal(r->scheme, "http");
	assert_string_equal(r->mcp_path, "/mcp");
	assert_int_equal(r->init_status, 200);
	assert_string_equal(r->error, "");
	assert_check(r, CHK_HTTPS, CHECK_FAIL, "plain HTTP");
	assert_check(r, CHK_AUTH, CHECK_FAIL, "initialize POST /mcp without credentials -> 200");
	assert_check(r, CHK_ADMIN_PANEL, CHECK_FAIL, "GET /admin -> 200");
	assert_check(r, CHK_CREDENTIALS_EXPOSED, CHECK_FAIL, "OPENAI_API_KEY=***");
	assert_null(strstr(r->checks[CHK_CREDENTIALS_EXPOSED].evidence, "sk-proj"));
	assert_check(r, CHK_CORS, CHECK_FAIL, "Access-Control-Allow-Origin: *");
	assert_check(r, CHK_CSP, CHECK_FAIL, "no Content-Security-Policy");
	assert_check(r, CHK_HSTS, CHECK_FAIL, "plain HTTP");
	assert_check(r, CHK_X_FRAME_OPTIONS, CHECK_FAIL, "no X-Frame-Options");
	assert_check(r, CHK_X_CONTENT_TYPE_OPTIONS, CHECK_FAIL, "no X-Content-Type-Options");
	assert_check(r, CHK_REGISTRY, CHECK_NA, "cannot be known offline");
	assert_check(r, CHK_VERSION_LEAK, CHECK_FAIL, "X-Powered-By: Express");
	assert_check(r, CHK_OPEN_REDIRECT, CHECK_FAIL, "Location: https://mcpwatch-probe.invalid/");
	assert_check(r, CHK_SENSITIVE_FILES, CHECK_FAIL, "GET /.env -> 200 with KEY=value lines");
	assert_check(r, CHK_ERROR_LEAK, CHECK_FAIL, "malformed JSON -> 500: a stack trace");
	assert_check(r, CHK_ORIGIN_VALIDATION, CHECK_FAIL, "-> 200 (processed");
	expect_host_checks_untouched(r);
}

static void test_sloppy_server(void **state)
{
	char *argv[] = {"node", FIXTURES "sloppy.mjs", "--host", "0.0.0.0", NULL};
	struct httpprobe_opts o = {.rate_limit = true};
	struct server s = {0};
	struct run run;

	start_fixture(&s, argv);
	probe(&run, AF_INET, "0.0.0.0", s.port, NULL);
	expect_sloppy_failures(&run);
	assert_true(run.r.requests <= HTTPPROBE_MAX_REQUESTS);
	assert_check(&run.r, CHK_BIND_SCOPE, CHECK_FAIL,
		     "bound to 0.0.0.0: reachable from every interface");
	assert_check(&run.r, CHK_RATE_LIMIT, CHECK_NA, "not tested (opt-in)");
	assert_true(run.ms < 5000);

	probe(&run, AF_INET, "0.0.0.0", s.port, &o);
	stop_server(&s);
	expect_sloppy_failures(&run);
	assert_check(&run.r, CHK_RATE_LIMIT, CHECK_FAIL, "30 GETs of /mcp");
	assert_true(run.r.requests <= HTTPPROBE_MAX_REQUESTS + 30);
}

static void test_sloppy_server_ipv6_loopback(void **state)
{
	char *argv[] = {"node", FIXTURES "sloppy.mjs", "--host", "::1", NULL};
	struct server s = {0};
	struct run run;

	start_fixture(&s, argv);
	probe(&run, AF_INET6, "::1", s.port, NULL);
	stop_server(&s);
	expect_sloppy_failures(&run);
	assert_check(&run.r, CHK_BIND_SCOPE, CHECK_PASS, "loopback ::1");
}

static void expect_hardened_passes(const struct run *run)
{
	const struct httpprobe_report *r = &run->r;

	assert_int_equal(run->rc, 0);
	assert_true(r->tls);
	assert_string_equal(r->scheme, "https");
	assert_string_equal(r->mcp_path, "/mcp");
	assert_int_equal(r->init_status, 401);
	assert_string_equal(r->server_header, "");
	for (int id = CHK_HTTPS; id <= CHK_ORIGIN_VALIDATION; id++)
		if (id != CHK_REGISTRY)
			assert_check(r, id, CHECK_PASS, NULL);
	assert_check(r, CHK_AUTH, CHECK_PASS, "initialize POST /mcp without credentials -> 401");
	assert_check(r, CHK_ORIGIN_VALIDATION, CHECK_PASS, "-> 403");
	assert_check(r, CHK_BIND_SCOPE, CHECK_PASS, "loopback 127.0.0.1");
	assert_check(r, CHK_REGISTRY, CHECK_NA, NULL);
	expect_host_checks_untouched(r);
}

static void test_hardened_server(void **state)
{
	char *argv[] = {"node", FIXTURES "hardened.mjs", "--cert", cert, "--key", key, NULL};
	struct httpprobe_opts verify = {.rate_limit = true, .ca_file = cert};
	struct httpprobe_opts wrong_ca = {.ca_file = othercert};
	struct server s = {0};
	struct run run;

	start_fixture(&s, argv);
	probe(&run, AF_INET, "127.0.0.1", s.port, NULL);
	expect_hardened_passes(&run);
	assert_false(run.r.cert_verified);
	assert_check(&run.r, CHK_HTTPS, CHECK_PASS, "not verified: no CA given");
	assert_check(&run.r, CHK_RATE_LIMIT, CHECK_NA, "not tested (opt-in)");

	probe(&run, AF_INET, "127.0.0.1", s.port, &verify);
	expect_hardened_passes(&run);
	assert_true(run.r.cert_verified);
	assert_check(&run.r, CHK_HTTPS, CHECK_PASS, "certificate verified");
	assert_check(&run.r, CHK_RATE_LIMIT, CHECK_PASS, "429, Retry-After: 10");

	probe(&run, AF_INET, "127.0.0.1", s.port, &wrong_ca);
	stop_server(&s);
	expect_hardened_passes(&run);
	assert_false(run.r.cert_verified);
	assert_check(&run.r, CHK_HTTPS, CHECK_PASS, "did NOT verify");
}

static void test_hardened_plain_http(void **state)
{
	char *argv[] = {"node", FIXTURES "hardened.mjs", NULL};
	struct server s = {0};
	struct run run;

	start_fixture(&s, argv);
	probe(&run, AF_INET, "127.0.0.1", s.port, NULL);
	stop_server(&s);
	assert_int_equal(run.rc, 0);
	assert_check(&run.r, CHK_HTTPS, CHECK_FAIL, "plain HTTP");
	assert_check(&run.r, CHK_HSTS, CHECK_FAIL, "plain HTTP");
	assert_check(&run.r, CHK_AUTH, CHECK_PASS, NULL);
	assert_check(&run.r, CHK_CSP, CHECK_PASS, NULL);
}

/* ---------------------------------------------------------------- server-everything */

static void test_server_everything(void **state)
{
	char *argv[] = {"node", EVERYTHING, "streamableHttp", NULL};
	struct server s = {0};
	char port_env[8];
	struct run run;
	int64_t deadline = now_ms() + 20000;

	s.port = free_port(AF_INET6);
	snprintf(port_env, sizeof(port_env), "%u", s.port);
	spawn(&s, argv, port_env);
	while (!port_open(s.port) && now_ms() < deadline)
		usleep(100 * 1000);
	if (!port_open(s.port)) {
		stop_server(&s);
		fail_msg("server-everything did not listen on port %u", s.port);
	}
	probe(&run, AF_INET6, "::", s.port, NULL);
	stop_server(&s);
	assert_int_equal(run.rc, 0);
	assert_string_equal(run.r.mcp_path, "/mcp");
	assert_int_equal(run.r.init_status, 200);
	assert_check(&run.r, CHK_HTTPS, CHECK_FAIL, "plain HTTP");
	assert_check(&run.r, CHK_AUTH, CHECK_FAIL,
		     "initialize POST /mcp without credentials -> 200");
	assert_check(&run.r, CHK_CORS, CHECK_FAIL, "*");
	assert_check(&run.r, CHK_BIND_SCOPE, CHECK_FAIL, "reachable from every interface");
	assert_check(&run.r, CHK_ORIGIN_VALIDATION, CHECK_FAIL, NULL);
	assert_check(&run.r, CHK_CREDENTIALS_EXPOSED, CHECK_PASS, NULL);
	assert_check(&run.r, CHK_ERROR_LEAK, CHECK_PASS, NULL);
}

/* ---------------------------------------------------------------- hostile */

static void probe_hostile(const char *mode, int want_rc, struct run *run)
{
	char *argv[] = {"node", FIXTURES "hostile.mjs", "--mode", (char *)mode, NULL};
	struct httpprobe_opts o = {.timeout_ms = 500};
	struct server s = {0};

	start_fixture(&s, argv);
	probe(run, AF_INET, "127.0.0.1", s.port, &o);
	stop_server(&s);
	if (run->rc != want_rc)
		fail_msg("mode %s: rc %d, want %d (%s)", mode, run->rc, want_rc, run->r.error);
	/* TLS detection and one request, 500 ms each, and some slack */
	if (run->ms >= 2500)
		fail_msg("mode %s: probe took %lld ms", mode, (long long)run->ms);
	assert_true(run->r.reachable);
}

static void test_hostile_huge_headers(void **state)
{
	struct run run;

	probe_hostile("bigheaders", -EMSGSIZE, &run);
	assert_non_null(strstr(run.r.error, "response headers exceed 16384 bytes"));
	assert_check(&run.r, CHK_AUTH, CHECK_NA, "not tested");
}

static void test_hostile_drip(void **state)
{
	struct run run;

	probe_hostile("drip", -ETIMEDOUT, &run);
	assert_non_null(strstr(run.r.error, "no complete HTTP answer within"));
}

static void test_hostile_garbage(void **state)
{
	struct run run;

	probe_hostile("garbage", -EPROTO, &run);
	assert_non_null(strstr(run.r.error, "POST /mcp"));
}

static void test_hostile_silent(void **state)
{
	struct run run;

	probe_hostile("silent", -ETIMEDOUT, &run);
}

static void test_hostile_endless_sse(void **state)
{
	struct run run;

	probe_hostile("sse", 0, &run);
	assert_string_equal(run.r.mcp_path, "/sse");
	assert_int_equal(run.r.init_status, 200);
	assert_check(&run.r, CHK_AUTH, CHECK_FAIL, "GET /sse without credentials -> 200");
	assert_check(&run.r, CHK_ERROR_LEAK, CHECK_PASS, "POST /messages");
}

/* Every request answers, slowly: the whole-probe budget must end it. */
static void test_hostile_slow_bodies_hit_budget(void **state)
{
	char *argv[] = {"node", FIXTURES "hostile.mjs", "--mode", "slowbody", NULL};
	struct httpprobe_opts o = {.timeout_ms = 300};
	struct server s = {0};
	struct run run;

	start_fixture(&s, argv);
	probe(&run, AF_INET, "127.0.0.1", s.port, &o);
	stop_server(&s);
	assert_int_equal(run.rc, 0);
	/* TLS detection + HTTPPROBE_BUDGET_STEPS timeouts, and some slack */
	if (run.ms >= (HTTPPROBE_BUDGET_STEPS + 2) * 300 + 1000)
		fail_msg("slow bodies held the probe for %lld ms", (long long)run.ms);
	assert_true(run.r.requests <= HTTPPROBE_BUDGET_STEPS + 1);
	assert_string_equal(run.r.mcp_path, "");
	assert_check(&run.r, CHK_ORIGIN_VALIDATION, CHECK_NA, NULL);
	assert_check(&run.r, CHK_ERROR_LEAK, CHECK_NA, "budget exhausted");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_head_basic),
	    cmocka_unit_test(test_find_secret_spares_protocol_fields),
	    cmocka_unit_test(test_parse_head_interim_and_lf),
	    cmocka_unit_test(test_parse_head_hostile),
	    cmocka_unit_test(test_classify_mcp_answer),
	    cmocka_unit_test(test_error_leak_detector),
	    cmocka_unit_test(test_listing_and_sensitive_files),
	    cmocka_unit_test(test_version_leak_detector),
	    cmocka_unit_test(test_cors_classify),
	    cmocka_unit_test(test_location_points_to),
	    cmocka_unit_test(test_location_local_path),
	    cmocka_unit_test(test_bind_scope),
	    cmocka_unit_test(test_peer_allowed),
	    cmocka_unit_test(test_invalid_arguments),
	    cmocka_unit_test(test_non_local_target_refused),
	    cmocka_unit_test(test_closed_port),
	    cmocka_unit_test(test_redirect_off_host_not_followed),
	    cmocka_unit_test(test_same_origin_redirect_followed),
	    cmocka_unit_test(test_sloppy_server),
	    cmocka_unit_test(test_sloppy_server_ipv6_loopback),
	    cmocka_unit_test(test_hardened_server),
	    cmocka_unit_test(test_hardened_plain_http),
	    cmocka_unit_test(test_server_everything),
	    cmocka_unit_test(test_hostile_huge_headers),
	    cmocka_unit_test(test_hostile_drip),
	    cmocka_unit_test(test_hostile_garbage),
	    cmocka_unit_test(test_hostile_silent),
	    cmocka_unit_test(test_hostile_endless_sse),
	    cmocka_unit_test(test_hostile_slow_bodies_hit_budget),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, make_certs, remove_certs);
}
