// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Unit tests for user/deliver/sinks/sink_http.c: the webhook, Splunk HEC, Elasticsearch
 * _bulk and Falcosidekick sinks against a real local receiver
 * (tests/fixtures/receivers/http-receiver.mjs, plain and HTTPS with a CA,
 * server and client certificates made here by the openssl CLI). Each test
 * checks the request as it arrived (method, path, headers, the body after
 * gzip decoding) and the status every record gets for each kind of answer.
 * Run from the repository root (make unit does).
 */
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
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "lib/json.h"
#include "deliver/sinks/sink.h"
#include "deliver/sinks/sink_net.h"
#include "deliver/record.h"
#include "sink_test.h"

#define RECEIVER "tests/fixtures/receivers/http-receiver.mjs"
#define PKI	 "tests/fixtures/receivers/make-test-pki.sh"

struct receiver {
	pid_t pid;
	int port;
};

static struct receiver plain, tls;
static char pki[64], token_path[96], password_path[96], cfg_path[96];

/* ---------------------------------------------------------------- receiver processes */

static int read_port(int fd)
{
	char buf[64] = {0};
	size_t used = 0;
	struct pollfd p = {.fd = fd, .events = POLLIN};

	while (used < sizeof(buf) - 1 && poll(&p, 1, 10000) > 0) {
		ssize_t k = read(fd, buf + used, sizeof(buf) - 1 - used);

		if (k <= 0)
			break;
		used += (size_t)k;
		if (strchr(buf, '\n'))
			return strncmp(buf, "listening ", 10) == 0 ? atoi(buf + 10) : -1;
	}
	return -1;
}

static int start_receiver(struct receiver *r, bool with_tls)
{
	char cert[96], key[96], ca[96];
	int fds[2];

	snprintf(cert, sizeof(cert), "%s/server.pem", pki);
	snprintf(key, sizeof(key), "%s/server.key", pki);
	snprintf(ca, sizeof(ca), "%s/ca.pem", pki);
	if (pipe2(fds, O_CLOEXEC))
		return -1;
	r->pid = fork();
	if (r->pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		if (with_tls)
			execlp("node", "node", RECEIVER, "--tls-cert", cert, "--tls-key", key,
			       "--tls-ca", ca, (char *)NULL);
		else
			execlp("node", "node", RECEIVER, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	r->port = read_port(fds[0]);
	close(fds[0]);
	return r->port > 0 ? 0 : -1;
}

static void stop_receiver(struct receiver *r)
{
	if (r->pid > 0) {
		kill(r->pid, SIGTERM);
		waitpid(r->pid, NULL, 0);
	}
	r->pid = 0;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static int setup_all(void **state)
{
	char cmd[256];

	snprintf(pki, sizeof(pki), "/tmp/sink-http-test-XXXXXX");
	if (!mkdtemp(pki))
		return -1;
	snprintf(cmd, sizeof(cmd), "sh %s %s", PKI, pki);
	if (system(cmd) != 0)
		return -1;
	snprintf(token_path, sizeof(token_path), "%s/token", pki);
	snprintf(password_path, sizeof(password_path), "%s/password", pki);
	snprintf(cfg_path, sizeof(cfg_path), "%s/config.json", pki);
	if (write_file(token_path, "s3cr3t-T0ken\n") || write_file(password_path, "pa55word\r\n"))
		return -1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (start_receiver(&plain, false) || start_receiver(&tls, true)) {
		fprintf(stderr, "cannot start %s (is node installed?)\n", RECEIVER);
		return -1;
	}
	return 0;
}

static int teardown_all(void **state)
{
	char cmd[128];

	stop_receiver(&plain);
	stop_receiver(&tls);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", pki);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---------------------------------------------------------------- control endpoint */

static size_t collect(char *data, size_t size, size_t nmemb, void *ud)
{
	struct sink_buf *b = ud;

	return sink_buf_add(b, data, size * nmemb) ? 0 : size * nmemb;
}

static char *control(const struct receiver *r, const char *what, const char *post)
{
	struct sink_buf b = {0};
	char url[128];
	CURL *c = curl_easy_init();

	snprintf(url, sizeof(url), "%s://127.0.0.1:%d/__control/%s", r == &tls ? "https" : "http",
		 r->port, what);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	if (post)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, post);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_cleanup(c);
	return b.p;
}

static void reset(const struct receiver *r)
{
	free(control(r, "reset", ""));
}

static void script(const struct receiver *r, const char *json)
{
	free(control(r, "script", json));
}

/* The recorded requests (caller deletes). */
static cJSON *requests(const struct receiver *r)
{
	char *text = control(r, "requests", NULL);
	cJSON *a = cJSON_Parse(text);

	free(text);
	assert_non_null(a);
	return a;
}

static const char *req_str(const cJSON *req, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *req_header(const cJSON *req, const char *name)
{
	return req_str(cJSON_GetObjectItemCaseSensitive(req, "headers"), name);
}

/* ---------------------------------------------------------------- sinks */

static int open_sink_err(struct sink *s, const struct sink_ops *ops, char *err, size_t errlen,
			 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int open_sink_err(struct sink *s, const struct sink_ops *ops, char *err, size_t errlen,
			 const char *fmt, ...)
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
	s->ops = ops;
	snprintf(s->name, sizeof(s->name), "%s-test", ops->type);
	err[0] = '\0';
	rc = checked_open(s, cfg, cfg_path, err, errlen);
	json_free(cfg);
	free(text);
	return rc;
}

#define open_sink(s, ops, ...)                                                                     \
	do {                                                                                       \
		char err_[512];                                                                    \
		if (open_sink_err(s, ops, err_, sizeof(err_), __VA_ARGS__) != 0)                   \
			fail_msg("open failed: %s", err_);                                         \
	} while (0)

static const char rec_alert[] =
    "{\"kind\":\"alert\",\"time\":\"2025-11-25T12:00:00.123456789Z\",\"host\":{\"name\":\"node-"
    "7\"},\"rule\":{\"id\":\"shell-spawn\",\"severity\":\"high\"}}";
static const char rec_posture[] =
    "{\"kind\":\"posture\",\"host\":{\"name\":\"node-7\"},\"grade\":\"B\"}";
static const char rec_ecs[] = "{\"@timestamp\":\"2025-01-01T00:00:00Z\",\"event\":{\"kind\":"
			      "\"alert\"}}";

#define T_NS 1764072000123456789LL /* 2025-11-25T12:00:00.123456789Z */

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
	r[1] = rec_of(rec_posture, strlen(rec_posture), T_NS + 1000000000, "posture");
}

static void send_records(struct sink *s, const struct sink_record *r, size_t n,
			 enum sink_status *st, char *why, size_t whylen)
{
	for (size_t i = 0; i < n; i++)
		st[i] = (enum sink_status) - 1;
	s->ops->send(s, r, n, st, why, whylen);
}

/* ---------------------------------------------------------------- request shape */

static void test_webhook_ndjson(void **state)
{
	struct sink_record r[2];
	enum sink_status st[2];
	char why[256], expect[1024];
	struct sink s;
	cJSON *reqs;
	const cJSON *q;

	reset(&plain);
	open_sink(&s, &sink_webhook_ops,
		  "{\"type\":\"webhook\",\"name\":\"w\",\"format\":\"native\","
		  "\"url\":\"http://127.0.0.1:%d/hook\",\"token_file\":\"%s\","
		  "\"headers\":{\"X-Tenant\":\"blue\"}}",
		  plain.port, token_path);
	two_records(r);
	send_records(&s, r, 2, st, why, sizeof(why));
	assert_int_equal(st[0], SINK_OK);
	assert_int_equal(st[1], SINK_OK);
	reqs = requests(&plain);
	assert_int_equal(cJSON_GetArraySize(reqs), 1);
	q = cJSON_GetArrayItem(reqs, 0);
	assert_string_equal(req_str(q, "method"), "POST");
	assert_string_equal(req_str(q, "path"), "/hook");
	assert_string_equal(req_header(q, "authorization"), "Bearer s3cr3t-T0ken");
	assert_string_equal(req_header(q, "content-type"), "application/x-ndjson");
	assert_string_equal(req_header(q, "x-tenant"), "blue");
	assert_null(req_header(q, "content-encoding"));
	assert_null(req_header(q, "expect"));
	snprintf(expect, sizeof(expect), "%s\n%s\n", rec_alert, rec_posture);
	assert_string_equal(req_str(q, "body"), expect);
	cJSON_Delete(reqs);
	s.ops->close(&s);
}

static void test_webhook_auth_header_and_gzip(void **state)
{
	struct sink_record r[2];
	enum sink_status st[2];
	char why[256], expect[1024];
	struct sink s;
	cJSON *reqs;
	const cJSON *q;

	reset(&plain);
	setenv("H10_TEST_TOKEN", "env-token-123", 1);
	open_sink(&s, &sink_webhook_ops,
		  "{\"type\":\"webhook\",\"url\":\"http://127.0.0.1:%d/in\","
		  "\"token_env\":\"H10_TEST_TOKEN\",\"auth_header\":\"X-Api-Key\","
		  "\"auth_scheme\":\"\",\"gzip\":true,"
		  "\"headers\":{\"Content-Type\":\"application/json\",\"X-Empty\":\"\"}}",
		  plain.port);
	two_records(r);
	send_records(&s, r, 2, st, why, sizeof(why));
	assert_int_equal(st[1], SINK_OK);
	reqs = requests(&plain);
	q = cJSON_GetArrayItem(reqs, 0);
	assert_string_equal(req_header(q, "x-api-key"), "env-token-123");
	assert_null(req_header(q, "authorization"));
	assert_string_equal(req_header(q, "content-type"), "application/json");
	assert_string_equal(req_header(q, "x-empty"), "");
	assert_string_equal(req_header(q, "content-encoding"), "gzip");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(q, "gzip")));
	snprintf(expect, sizeof(expect), "%s\n%s\n", rec_alert, rec_posture);
	assert_string_equal(req_str(q, "body"), expect);
	cJSON_Delete(reqs);
	s.ops->close(&s);
}

static void test_splunk_hec_envelopes(void **state)
{
	struct sink_record r[2];
	enum sink_status st[2];
	char why[256], expect[2048];
	struct sink s;
	cJSON *reqs;
	const cJSON *q;

	reset(&plain);
	setenv("H10_HEC_TOKEN", "0b2f-hec", 1);
	open_sink(&s, &sink_splunk_hec_ops,
		  "{\"type\":\"splunk_hec\",\"url\":\"http://127.0.0.1:%d/\","
		  "\"token_env\":\"H10_HEC_TOKEN\",\"index\":\"security\"}",
		  plain.port);
	two_records(r);
	send_records(&s, r, 2, st, why, sizeof(why));
	assert_int_equal(st[0], SINK_OK);
	assert_int_equal(st[1], SINK_OK);
	reqs = requests(&plain);
	assert_int_equal(cJSON_GetArraySize(reqs), 1);
	q = cJSON_GetArrayItem(reqs, 0);
	assert_string_equal(req_str(q, "method"), "POST");
	assert_string_equal(req_str(q, "path"), "/services/collector/event");
	assert_string_equal(req_header(q, "authorization"), "Splunk 0b2f-hec");
	assert_string_equal(req_header(q, "content-type"), "application/json");
	assert_string_equal(req_header(q, "content-encoding"), "gzip");
	snprintf(expect, sizeof(expect),
		 "{\"time\":1764072000.123,\"host\":\"node-7\",\"source\":\"mcpwatch\","
		 "\"sourcetype\":\"mcpwatch:alert\",\"index\":\"security\",\"event\":%s}\n"
		 "{\"time\":1764072001.123,\"host\":\"node-7\",\"source\":\"mcpwatch\","
		 "\"sourcetype\":\"mcpwatch:posture\",\"index\":\"security\",\"event\":%s}\n",
		 rec_alert, rec_posture);
	assert_string_equal(req_str(q, "body"), expect);
	cJSON_Delete(reqs);
	s.ops->close(&s);
}

static void test_splunk_hec_full_url_and_fields(void **state)
{
	struct sink_record r[1];
	enum sink_status st[1];
	char why[256], expect[1024];
	struct sink s;
	cJSON *reqs;
	const cJSON *q;

	reset(&plain);
	open_sink(
	    &s, &sink_splunk_hec_ops,
	    "{\"type\":\"splunk_hec\",\"url\":\"http://127.0.0.1:%d/services/collector/event\","
	    "\"token_file\":\"%s\",\"gzip\":false,\"host\":\"fixed\\\"h\","
	    "\"source\":\"agent\",\"sourcetype\":\"_json\"}",
	    plain.port, token_path);
	r[0] = rec_of(rec_alert, strlen(rec_alert), T_NS, "alert");
	send_records(&s, r, 1, st, why, sizeof(why));
	assert_int_equal(st[0], SINK_OK);
	reqs = requests(&plain);
	q = cJSON_GetArrayItem(reqs, 0);
	assert_string_equal(req_str(q, "path"), "/services/collector/event");
	assert_string_equal(req_header(q, "authorization"), "Splunk s3cr3t-T0ken");
	assert_null(req_header(q, "content-encoding"));
	snprintf(expect, sizeof(expect),
		 "{\"time\":1764072000.123,\"host\":\"fixed\\\"h\",\"source\":\"agent\","
		 "\"sourcetype\":\"_json\",\"event\":%s}\n",
		 rec_alert);
	assert_string_equal(req_str(q, "body"), expect);
	cJSON_Delete(reqs);
	s.ops->close(&s);
}

static void test_elasticsearch_bulk(void **state)
{
	struct sink_record r[3];
	enum sink_status st[3];
	char why[256], expect[2048];
	struct sink s;
	cJSON *reqs;
	const cJSON *q;

	reset(&plain);
	open_sink(&s, &sink_elasticsearch_ops,
		  "{\"type\":\"elasticsearch\",\"url\":\"http://127.0.0.1:%d\","
		  "\"token_file\":\"%s\"}",
		  plain.port, token_path);
	two_records(r);
	r[2] = rec_of(rec_ecs, strlen(rec_ecs), T_NS, "alert");
	send_records(&s, r, 3, st, why, sizeof(why));
	assert_int_equal(st[0], SINK_OK);
	assert_int_equal(st[1], SINK_OK);
	assert_int_equal(st[2], SINK_OK);
	reqs = requests(&plain);
	q = cJSON_GetArrayItem(reqs, 0);
	assert_string_equal(req_str(q, "path"),
			    "/_bulk?filter_path=errors,items.*.status,items.*.error");
	assert_string_equal(req_header(q, "authorization"), "ApiKey s3cr3t-T0ken");
	assert_string_equal(req_header(q, "content-type"), "application/x-ndjson");
	assert_string_equal(req_header(q, "content-encoding"), "gzip");
	snprintf(expect, sizeof(expect),
		 "{\"create\":{\"_index\":\"logs-mcpwatch-default\"}}\n"
		 "{\"@timestamp\":\"2025-11-25T12:00:00.123456789Z\",%s\n"
		 "{\"create\":{\"_index\":\"logs-mcpwatch-default\"}}\n"
		 "{\"@timestamp\":\"2025-11-25T12:00:01.123456789Z\",%s\n"
		 "{\"create\":{\"_index\":\"logs-mcpwatch-default\"}}\n"
		 "%s\n",
		 rec_alert + 1, rec_posture + 1, rec_ecs);
	assert_string_equal(req_str(q, "body"), expect);
	cJSON_Delete(reqs);
	s.ops->close(&s);
}

static void test_elasticsearch_basic_auth(void **state)
{
	struct sink_record r[1];
	enum sink_status st[1];
	char why[256];
	struct sink s;
	cJSON *reqs;
	const cJSON *q;

	reset(&plain);
	open_sink(&s, &sink_elasticsearch_ops,
		  "{\"type\":\"elasticsearch\",\"url\":\"http://127.0.0.1:%d/_bulk\","
		  "\"username\":\"elastic\",\"password_file\":\"%s\","
		  "\"data_stream\":\"logs-mcp-prod\",\"gzip\":false}",
		  plain.port, password_path);
	r[0] = rec_of(rec_ecs, strlen(rec_ecs), T_NS, "alert");
	send_records(&s, r, 1, st, why, sizeof(why));
	assert_int_equal(st[0], SINK_OK);
	reqs = requests(&plain);
	q = cJSON_GetArrayItem(reqs, 0);
	assert_string_equal(req_str(q, "path"),
			    "/_bulk?filter_path=errors,items.*.status,items.*.error");
	/* base64("elastic:pa55word") */
	assert_string_equal(req_header(q, "authorization"), "Basic ZWxhc3RpYzpwYTU1d29yZA==");
	assert_string_equal(
	    req_str(q, "body"),
	    "{\"create\":{\"_index\":\"logs-mcp-prod\"}}\n"
	    "{\"@timestamp\":\"2025-01-01T00:00:00Z\",\"event\":{\"kind\":\"alert\"}}"
	    "\n");
	cJSON_Delete(reqs);
	s.ops->close(&s);
}

static void test_falcosidekick_one_per_request(void **state)
{
	struct sink_record r[2];
	enum sink_status st[2];
	char why[256];
	struct sink s;
	cJSON *reqs;

	reset(&plain);
	assert_int_equal(sink_falcosidekick_ops.max_batch, 1);
	open_sink(&s, &sink_falcosidekick_ops,
		  "{\"type\":\"falcosidekick\",\"format\":\"falco\","
		  "\"url\":\"http://127.0.0.1:%d/\"}",
		  plain.port);
	two_records(r);
	send_records(&s, r, 2, st, why, sizeof(why));
	assert_int_equal(st[0], SINK_OK);
	assert_int_equal(st[1], SINK_OK);
	reqs = requests(&plain);
	assert_int_equal(cJSON_GetArraySize(reqs), 2);
	for (int i = 0; i < 2; i++) {
		const cJSON *q = cJSON_GetArrayItem(reqs, i);

		assert_string_equal(req_str(q, "method"), "POST");
		assert_string_equal(req_str(q, "path"), "/");
		assert_string_equal(req_header(q, "content-type"), "application/json");
		assert_null(req_header(q, "content-encoding"));
		assert_null(req_header(q, "authorization"));
		assert_string_equal(req_str(q, "body"), r[i].data);
	}
	cJSON_Delete(reqs);
	s.ops->close(&s);
}

/* ---------------------------------------------------------------- status mapping */

static void expect_statuses(struct sink *s, const char *answer, size_t n,
			    const enum sink_status *want, const char *why_has)
{
	struct sink_record r[4];
	enum sink_status st[4];
	char why[512];

	assert_true(n <= 4);
	for (size_t i = 0; i < n; i++)
		r[i] = rec_of(rec_alert, strlen(rec_alert), T_NS, "alert");
	reset(&plain);
	if (answer)
		script(&plain, answer);
	send_records(s, r, n, st, why, sizeof(why));
	for (size_t i = 0; i < n; i++)
		if (st[i] != want[i])
			fail_msg("answer %s: record %zu got status %d, want %d (why: %s)",
				 answer ? answer : "-", i, st[i], want[i], why);
	if (why_has && !strstr(why, why_has))
		fail_msg("answer %s: why \"%s\" lacks \"%s\"", answer, why, why_has);
}

static void test_status_mapping(void **state)
{
	static const struct {
		int code;
		enum sink_status st;
	} cases[] = {
	    {200, SINK_OK},	{201, SINK_OK},	    {204, SINK_OK},	{400, SINK_REJECT},
	    {401, SINK_REJECT}, {403, SINK_REJECT}, {404, SINK_REJECT}, {413, SINK_REJECT},
	    {429, SINK_RETRY},	{500, SINK_RETRY},  {502, SINK_RETRY},	{503, SINK_RETRY},
	    {301, SINK_RETRY},
	};
	struct sink s;

	open_sink(&s, &sink_webhook_ops, "{\"type\":\"webhook\",\"url\":\"http://127.0.0.1:%d/\"}",
		  plain.port);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum sink_status want[2] = {cases[i].st, cases[i].st};
		char answer[128], code[16];

		snprintf(answer, sizeof(answer), "[{\"status\":%d,\"body\":\"nope\"}]",
			 cases[i].code);
		snprintf(code, sizeof(code), "HTTP %d", cases[i].code);
		expect_statuses(&s, answer, 2, want, cases[i].st == SINK_OK ? NULL : code);
	}
	s.ops->close(&s);
}

static void test_why_is_redacted(void **state)
{
	enum sink_status want[1] = {SINK_REJECT};
	struct sink s;

	open_sink(&s, &sink_webhook_ops, "{\"type\":\"webhook\",\"url\":\"http://127.0.0.1:%d/\"}",
		  plain.port);
	expect_statuses(&s,
			"[{\"status\":401,\"body\":\"bad credentials: Authorization: Bearer "
			"abcdef0123456789secret\"}]",
			1, want, "Bearer ***");
	s.ops->close(&s);
}

static void test_transport_failures_retry(void **state)
{
	enum sink_status want[2] = {SINK_RETRY, SINK_RETRY};
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;
	struct sink s;

	/* Connection refused: a port bound by nobody listening. */
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	open_sink(&s, &sink_webhook_ops, "{\"type\":\"webhook\",\"url\":\"http://127.0.0.1:%d/\"}",
		  port);
	expect_statuses(&s, NULL, 2, want, "POST failed");
	s.ops->close(&s);
	close(fd);

	/* A receiver that closes without answering, then one too slow for timeout_ms. */
	open_sink(&s, &sink_webhook_ops,
		  "{\"type\":\"webhook\",\"url\":\"http://127.0.0.1:%d/\",\"timeout_ms\":300}",
		  plain.port);
	expect_statuses(&s, "[{\"destroy\":true}]", 2, want, "POST failed");
	expect_statuses(&s, "[{\"status\":200,\"delay_ms\":1500}]", 2, want, "POST failed");
	s.ops->close(&s);
}

static void test_elasticsearch_partial_failure(void **state)
{
	enum sink_status want[4] = {SINK_OK, SINK_REJECT, SINK_RETRY, SINK_OK};
	enum sink_status retry_all[4] = {SINK_RETRY, SINK_RETRY, SINK_RETRY, SINK_RETRY};
	enum sink_status reject_all[2] = {SINK_REJECT, SINK_REJECT};
	struct sink s;

	open_sink(&s, &sink_elasticsearch_ops,
		  "{\"type\":\"elasticsearch\",\"url\":\"http://127.0.0.1:%d\"}", plain.port);
	expect_statuses(&s, "[{\"status\":200,\"es_items\":[201,400,429,409]}]", 4, want,
			"item 1: 400 mapper_parsing_exception: scripted 400");
	expect_statuses(&s, "[{\"status\":503}]", 4, retry_all, "HTTP 503");
	expect_statuses(&s, "[{\"status\":200,\"body\":\"<html>proxy</html>\"}]", 4, retry_all,
			"not a _bulk answer");
	expect_statuses(&s, "[{\"status\":413}]", 2, reject_all, "HTTP 413");
	s.ops->close(&s);
}

static void test_splunk_hec_answers(void **state)
{
	enum sink_status want[3] = {SINK_OK, SINK_REJECT, SINK_RETRY};
	enum sink_status busy[3] = {SINK_RETRY, SINK_RETRY, SINK_RETRY};
	enum sink_status bad[3] = {SINK_REJECT, SINK_REJECT, SINK_REJECT};
	struct sink s;

	open_sink(&s, &sink_splunk_hec_ops,
		  "{\"type\":\"splunk_hec\",\"url\":\"http://127.0.0.1:%d\",\"token_file\":\"%s\"}",
		  plain.port, token_path);
	expect_statuses(&s,
			"[{\"status\":400,\"body\":{\"text\":\"Invalid data format\",\"code\":6,"
			"\"invalid-event-number\":1}}]",
			3, want, "event 1 of 3 rejected: code 6 Invalid data format");
	expect_statuses(&s, "[{\"status\":503,\"body\":{\"text\":\"Server is busy\",\"code\":9}}]",
			3, busy, "Server is busy");
	expect_statuses(&s, "[{\"status\":403,\"body\":{\"text\":\"Invalid token\",\"code\":4}}]",
			3, bad, "HTTP 403");
	expect_statuses(&s, "[{\"status\":400,\"body\":{\"text\":\"No data\",\"code\":5}}]", 3, bad,
			"HTTP 400");
	s.ops->close(&s);
}

static void test_falcosidekick_stops_at_first_retry(void **state)
{
	enum sink_status want[3] = {SINK_OK, SINK_RETRY, SINK_RETRY};
	struct sink s;
	cJSON *reqs;

	open_sink(
	    &s, &sink_falcosidekick_ops,
	    "{\"type\":\"falcosidekick\",\"format\":\"falco\",\"url\":\"http://127.0.0.1:%d/\"}",
	    plain.port);
	expect_statuses(&s, "[{\"status\":200},{\"status\":500}]", 3, want, "HTTP 500");
	reqs = requests(&plain);
	assert_int_equal(cJSON_GetArraySize(reqs), 2);
	cJSON_Delete(reqs);
	s.ops->close(&s);
}

/* ---------------------------------------------------------------- TLS */

static void test_tls_verification(void **state)
{
	enum sink_status ok[1] = {SINK_OK}, retry[1] = {SINK_RETRY};
	struct sink s;
	cJSON *reqs;

	/* The test CA: verified. */
	reset(&tls);
	open_sink(&s, &sink_webhook_ops,
		  "{\"type\":\"webhook\",\"url\":\"https://127.0.0.1:%d/\","
		  "\"tls\":{\"ca_file\":\"%s/ca.pem\"}}",
		  tls.port, pki);
	s.ops->send(
	    &s, &(struct sink_record[1]){rec_of(rec_alert, strlen(rec_alert), T_NS, "alert")}[0], 1,
	    (enum sink_status[1]){0}, (char[64]){0}, 64);
	s.ops->close(&s);
	reqs = requests(&tls);
	assert_int_equal(cJSON_GetArraySize(reqs), 1);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(reqs, 0), "tls")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(reqs, 0), "client_cert")));
	cJSON_Delete(reqs);

	/* Verification is on by default: the system CAs do not know the test CA. */
	open_sink(&s, &sink_webhook_ops, "{\"type\":\"webhook\",\"url\":\"https://127.0.0.1:%d/\"}",
		  tls.port);
	expect_statuses(&s, NULL, 1, retry, "certificate");
	s.ops->close(&s);

	/* Another CA: refused too. */
	open_sink(&s, &sink_webhook_ops,
		  "{\"type\":\"webhook\",\"url\":\"https://127.0.0.1:%d/\","
		  "\"tls\":{\"ca_file\":\"%s/other-ca.pem\"}}",
		  tls.port, pki);
	expect_statuses(&s, NULL, 1, retry, "certificate");
	s.ops->close(&s);

	/* verify: false accepts anything. */
	open_sink(
	    &s, &sink_webhook_ops,
	    "{\"type\":\"webhook\",\"url\":\"https://127.0.0.1:%d/\",\"tls\":{\"verify\":false}}",
	    tls.port);
	reset(&tls);
	s.ops->send(
	    &s, &(struct sink_record[1]){rec_of(rec_alert, strlen(rec_alert), T_NS, "alert")}[0], 1,
	    ok, (char[64]){0}, 64);
	assert_int_equal(ok[0], SINK_OK);
	s.ops->close(&s);
}

static void test_tls_client_certificate(void **state)
{
	enum sink_status st[1] = {SINK_RETRY};
	char why[256];
	struct sink s;
	cJSON *reqs;

	reset(&tls);
	open_sink(&s, &sink_splunk_hec_ops,
		  "{\"type\":\"splunk_hec\",\"url\":\"https://localhost:%d\",\"token_file\":\"%s\","
		  "\"tls\":{\"ca_file\":\"%s/ca.pem\",\"client_cert\":\"%s/client.pem\","
		  "\"client_key\":\"%s/client.key\"}}",
		  tls.port, token_path, pki, pki, pki);
	s.ops->send(
	    &s, &(struct sink_record[1]){rec_of(rec_alert, strlen(rec_alert), T_NS, "alert")}[0], 1,
	    st, why, sizeof(why));
	assert_int_equal(st[0], SINK_OK);
	reqs = requests(&tls);
	assert_string_equal(req_str(cJSON_GetArrayItem(reqs, 0), "client_cert"), "mcpwatch-client");
	cJSON_Delete(reqs);
	s.ops->close(&s);
}

/* ---------------------------------------------------------------- config errors */

static void expect_open_error(const struct sink_ops *ops, const char *cfg, const char *want)
{
	char err[512];
	struct sink s;

	if (open_sink_err(&s, ops, err, sizeof(err), "%s", cfg) == 0)
		fail_msg("config %s was accepted", cfg);
	if (!strstr(err, want))
		fail_msg("config %s: error \"%s\" lacks \"%s\"", cfg, err, want);
	if (strncmp(err, cfg_path, strlen(cfg_path)) != 0 || err[strlen(cfg_path)] != ':')
		fail_msg("error \"%s\" does not start with FILE:LINE:COLUMN", err);
	if (strstr(err, "s3cr3t") || strstr(err, "pa55word") || strstr(err, "env-token"))
		fail_msg("error \"%s\" shows a secret", err);
}

static void test_config_errors(void **state)
{
	char cfg[512], bad_token[128];

	expect_open_error(&sink_webhook_ops, "{\"type\":\"webhook\"}",
			  ":1:1: webhook output: \"url\" is required");
	expect_open_error(&sink_webhook_ops, "{\"type\":\"webhook\",\"url\":\"ftp://x/\"}",
			  ":1:25: webhook output: \"url\" must start with http:// or https://");
	expect_open_error(&sink_webhook_ops,
			  "{\"type\":\"webhook\",\"url\":\"http://x/\",\n  \"tokn_file\":\"/x\"}",
			  ":2:3: webhook output: unknown key \"tokn_file\"");
	expect_open_error(&sink_falcosidekick_ops,
			  "{\"type\":\"falcosidekick\",\"format\":\"falco\",\"url\":\"http://x/\","
			  "\"gzip\":true}",
			  "unknown key \"gzip\"");
	expect_open_error(
	    &sink_webhook_ops,
	    "{\"type\":\"webhook\",\"url\":\"http://x/\",\"token_file\":\"/nonexistent/t\"}",
	    "\"token_file\": \"/nonexistent/t\": No such file or directory");
	expect_open_error(
	    &sink_webhook_ops,
	    "{\"type\":\"webhook\",\"url\":\"http://x/\",\"token_env\":\"H10_UNSET_VAR\"}",
	    "environment variable \"H10_UNSET_VAR\" is not set");
	expect_open_error(&sink_webhook_ops,
			  "{\"type\":\"webhook\",\"url\":\"http://x/\",\"timeout_ms\":5}",
			  "\"timeout_ms\" is 5; it must be between 100 and 600000");
	expect_open_error(
	    &sink_webhook_ops,
	    "{\"type\":\"webhook\",\"url\":\"http://x/\",\"headers\":{\"Bad Name\":\"v\"}}",
	    "\"Bad Name\" is not a header name");
	expect_open_error(
	    &sink_webhook_ops,
	    "{\"type\":\"webhook\",\"url\":\"http://x/\",\"headers\":{\"Content-Length\":"
	    "\"1\"}}",
	    "\"Content-Length\" is not a header name");
	expect_open_error(&sink_webhook_ops,
			  "{\"type\":\"webhook\",\"url\":\"http://x/\",\"tls\":{\"verfy\":false}}",
			  "unknown key \"verfy\" in \"tls\"");
	snprintf(cfg, sizeof(cfg),
		 "{\"type\":\"webhook\",\"url\":\"https://x/\",\"tls\":{\"client_cert\":\"%s/"
		 "client.pem\"}}",
		 pki);
	expect_open_error(&sink_webhook_ops, cfg, "\"client_cert\" and \"client_key\" go together");
	expect_open_error(
	    &sink_elasticsearch_ops,
	    "{\"type\":\"elasticsearch\",\"url\":\"http://x\",\"data_stream\":\"Logs\"}",
	    "\"data_stream\" is not a valid index");
	expect_open_error(&sink_elasticsearch_ops,
			  "{\"type\":\"elasticsearch\",\"url\":\"http://x\",\"username\":\"u\"}",
			  "\"username\" and \"password_file\"/\"password_env\" go together");
	/* A token with a control character in it: refused without being shown. */
	snprintf(bad_token, sizeof(bad_token), "%s/bad-token", pki);
	assert_int_equal(write_file(bad_token, "s3cr3t\x01more\n"), 0);
	snprintf(cfg, sizeof(cfg),
		 "{\"type\":\"webhook\",\"url\":\"http://x/\",\"token_file\":\"%s\"}", bad_token);
	expect_open_error(&sink_webhook_ops, cfg, "holds a control character");
	setenv("H10_EMPTY", "", 1);
	expect_open_error(
	    &sink_splunk_hec_ops,
	    "{\"type\":\"splunk_hec\",\"url\":\"http://x\",\"token_env\":\"H10_EMPTY\"}",
	    "is empty");
}

/* ---------------------------------------------------------------- answer parsers */

static void test_bulk_parser(void **state)
{
	static const char short_list[] =
	    "{\"errors\":true,\"items\":[{\"create\":{\"status\":201}}]}";
	static const char odd[] = "{\"items\":[{\"index\":{\"status\":\"201\"}},7,"
				  "{\"create\":{\"status\":404,\"error\":\"gone\"}}]}";
	enum sink_status st[3];
	char why[256];

	assert_int_equal(es_bulk_parse_response("{\"errors\":false}", 16, 3, st, why, sizeof(why)),
			 0);
	assert_int_equal(st[2], SINK_OK);
	assert_int_equal(
	    es_bulk_parse_response(short_list, strlen(short_list), 3, st, why, sizeof(why)), 0);
	assert_int_equal(st[0], SINK_OK);
	assert_int_equal(st[1], SINK_RETRY);
	assert_int_equal(st[2], SINK_RETRY);
	assert_non_null(strstr(why, "lists 1 items for 3 records"));
	assert_int_equal(es_bulk_parse_response("[]", 2, 3, st, why, sizeof(why)), -1);
	assert_int_equal(st[0], SINK_RETRY);
	assert_int_equal(es_bulk_parse_response(NULL, 0, 1, st, why, sizeof(why)), -1);
	assert_int_equal(es_bulk_parse_response(odd, strlen(odd), 3, st, why, sizeof(why)), 0);
	assert_int_equal(st[0], SINK_RETRY); /* no usable status */
	assert_int_equal(st[1], SINK_RETRY);
	assert_int_equal(st[2], SINK_REJECT);
}

static void test_hec_parser(void **state)
{
	static const char ok[] = "{\"text\":\"Success\",\"code\":0}";
	static const char bad[] = "{\"text\":\"Invalid data format\",\"code\":6,"
				  "\"invalid-event-number\":4}";
	struct hec_answer a;

	assert_int_equal(hec_parse_response(ok, strlen(ok), &a), 0);
	assert_int_equal(a.code, 0);
	assert_int_equal(a.invalid_event, -1);
	assert_string_equal(a.text, "Success");
	assert_int_equal(hec_parse_response(bad, strlen(bad), &a), 0);
	assert_int_equal(a.code, 6);
	assert_int_equal(a.invalid_event, 4);
	assert_int_equal(hec_parse_response("oops", 4, &a), -1);
	assert_int_equal(a.code, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_webhook_ndjson),
	    cmocka_unit_test(test_webhook_auth_header_and_gzip),
	    cmocka_unit_test(test_splunk_hec_envelopes),
	    cmocka_unit_test(test_splunk_hec_full_url_and_fields),
	    cmocka_unit_test(test_elasticsearch_bulk),
	    cmocka_unit_test(test_elasticsearch_basic_auth),
	    cmocka_unit_test(test_falcosidekick_one_per_request),
	    cmocka_unit_test(test_status_mapping),
	    cmocka_unit_test(test_why_is_redacted),
	    cmocka_unit_test(test_transport_failures_retry),
	    cmocka_unit_test(test_elasticsearch_partial_failure),
	    cmocka_unit_test(test_splunk_hec_answers),
	    cmocka_unit_test(test_falcosidekick_stops_at_first_retry),
	    cmocka_unit_test(test_tls_verification),
	    cmocka_unit_test(test_tls_client_certificate),
	    cmocka_unit_test(test_config_errors),
	    cmocka_unit_test(test_bulk_parser),
	    cmocka_unit_test(test_hec_parser),
	};

	return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
