// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Unit tests for user/enrich/k8s.c and the resolver's pod cache: the PodList
 * and watch-stream parsers on the recorded responses in tests/fixtures/k8s,
 * and the client against tests/fixtures/k8s/fake-apiserver.mjs — a node
 * HTTPS server on 127.0.0.1 with a certificate made by `openssl req` here,
 * replaying a list, a watch cut into chunks (ADDED, MODIFIED, DELETED,
 * BOOKMARK), a 410 Gone in the stream and as a status (both relist), a 401
 * for a bad token, and a certificate the client's CA did not sign.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "enrich/k8s.h"
#include "enrich/resolver.h"
#include "lib/json.h"

#define FIX "tests/fixtures/k8s/"
#define ID(x)                                                                                      \
	x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x /* 32 × 2 hex digits */
#define POD_A "11111111-2222-4333-8444-555555555555"
#define POD_B "22222222-3333-4444-8555-666666666666"
#define POD_C "33333333-4444-4555-8666-777777777777"
#define POD_D "44444444-5555-4666-8777-888888888888"
#define TOKEN "test-token-1"

static char *read_fixture(const char *name, size_t *len)
{
	char path[256], why[128];
	char *buf;

	snprintf(path, sizeof(path), FIX "%s", name);
	buf = json_read_file(path, 1 << 20, len, why, sizeof(why));
	if (!buf)
		fail_msg("%s: %s", path, why);
	return buf;
}

/* ------------------------------------------------------------- parsers */

static void test_container_id(void **state)
{
	char id[WORKLOAD_ID_MAX];

	(void)state;
	assert_true(k8s_container_id("containerd://" ID("a1"), id, sizeof(id)));
	assert_string_equal(id, ID("a1"));
	assert_true(k8s_container_id("cri-o://" ID("b1"), id, sizeof(id)));
	assert_true(k8s_container_id("docker://" ID("c1"), id, sizeof(id)));
	assert_false(k8s_container_id(ID("a1"), id, sizeof(id)));		  /* no scheme */
	assert_false(k8s_container_id("containerd://" ID("A1"), id, sizeof(id))); /* upper case */
	assert_false(k8s_container_id("containerd://abc", id, sizeof(id)));
	assert_false(k8s_container_id("", id, sizeof(id)));
	assert_false(k8s_container_id(NULL, id, sizeof(id)));
}

struct seen {
	struct k8s_pod pods[8];
	int n;
	struct k8s_event ev[16];
	char ev_uid[16][WORKLOAD_UID_MAX];
	int nev;
};

static void on_pod(void *arg, const struct k8s_pod *p)
{
	struct seen *s = arg;

	if (s->n < 8)
		s->pods[s->n++] = *p;
}

static void on_ev(void *arg, const struct k8s_event *ev)
{
	struct seen *s = arg;

	if (s->nev >= 16)
		return;
	s->ev[s->nev] = *ev;
	snprintf(s->ev_uid[s->nev], WORKLOAD_UID_MAX, "%s", ev->pod ? ev->pod->uid : "");
	s->nev++;
}

static void test_podlist(void **state)
{
	static struct seen s;
	char rv[K8S_RV_MAX];
	size_t len;
	char *buf = read_fixture("podlist-1.json", &len);
	const struct k8s_pod *a;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(k8s_podlist_parse(buf, len, on_pod, &s, rv, sizeof(rv)), 2);
	assert_string_equal(rv, "110");
	a = &s.pods[0];
	assert_string_equal(a->uid, POD_A);
	assert_string_equal(a->name, "mcp-fs-7d9f8-x2x9q");
	assert_string_equal(a->namespace_, "agents");
	assert_string_equal(a->node, "node-1");
	/* Init containers count too: a process may run in one. */
	assert_int_equal(a->ncontainers, 3);
	assert_string_equal(a->containers[0].name, "setup");
	assert_string_equal(a->containers[1].name, "mcp-fs");
	assert_string_equal(a->containers[1].id, ID("a1"));
	assert_string_equal(a->containers[1].image, "registry.local/team/mcp-fs:1.4");
	assert_non_null(strstr(a->containers[1].image_id, "@sha256:"));
	assert_string_equal(s.pods[1].containers[0].id, ID("b1")); /* cri-o:// */
	free(buf);

	assert_int_equal(k8s_podlist_parse("[]", 2, on_pod, &s, rv, sizeof(rv)), -1);
	assert_int_equal(k8s_podlist_parse("{\"items\": 3}", 12, on_pod, &s, rv, sizeof(rv)), -1);
	assert_int_equal(k8s_podlist_parse("{\"items\": [", 11, on_pod, &s, rv, sizeof(rv)), -1);
	/* A pod without a uid is skipped, not trusted. */
	assert_int_equal(k8s_podlist_parse("{\"items\": [{\"metadata\": {\"name\": \"x\"}}]}", 40,
					   on_pod, &s, rv, sizeof(rv)),
			 0);
}

/* The watch fixtures, fed in pieces of `step` bytes; the events seen. */
static void feed_watch(size_t step, struct seen *s)
{
	size_t len1, len2;
	char *w1 = read_fixture("watch-1.ndjson", &len1);
	char *w2 = read_fixture("watch-gone.ndjson", &len2);
	struct k8s_watch w;

	memset(s, 0, sizeof(*s));
	k8s_watch_init(&w);
	for (size_t i = 0; i < len1; i += step)
		assert_int_equal(
		    k8s_watch_feed(&w, w1 + i, i + step > len1 ? len1 - i : step, on_ev, s), 0);
	for (size_t i = 0; i < len2; i += step)
		assert_int_equal(
		    k8s_watch_feed(&w, w2 + i, i + step > len2 ? len2 - i : step, on_ev, s), 0);
	k8s_watch_free(&w);
	free(w1);
	free(w2);
}

static void test_watch_stream_in_chunks(void **state)
{
	static struct seen s;
	static const size_t steps[] = {1, 2, 7, 64, 4096, 1 << 20};

	(void)state;
	for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
		feed_watch(steps[k], &s);
		assert_int_equal(s.nev, 6);
		assert_int_equal(s.ev[0].type, K8S_ADDED);
		assert_string_equal(s.ev_uid[0], POD_C);
		assert_int_equal(s.ev[1].type, K8S_MODIFIED);
		assert_string_equal(s.ev[1].rv, "112");
		assert_int_equal(s.ev[2].type, K8S_MODIFIED);
		assert_string_equal(s.ev_uid[2], POD_A);
		assert_int_equal(s.ev[3].type, K8S_DELETED);
		assert_string_equal(s.ev_uid[3], POD_B);
		assert_int_equal(s.ev[4].type, K8S_BOOKMARK);
		assert_string_equal(s.ev[4].rv, "120");
		assert_int_equal(s.ev[5].type, K8S_ERROR);
		assert_int_equal(s.ev[5].code, 410);
	}
}

static void test_watch_stream_rejects(void **state)
{
	static struct seen s;
	struct k8s_watch w;
	const char crlf[] = "{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":"
			    "{\"resourceVersion\":\"9\"}}}\r\n\n";

	(void)state;
	memset(&s, 0, sizeof(s));
	k8s_watch_init(&w);
	/* CR LF and blank lines are fine. */
	assert_int_equal(k8s_watch_feed(&w, crlf, strlen(crlf), on_ev, &s), 0);
	assert_int_equal(s.nev, 1);
	assert_string_equal(s.ev[0].rv, "9");
	/* Not JSON, or not an event: the stream is dropped. */
	assert_int_equal(k8s_watch_feed(&w, "{\"type\":\n", 9, on_ev, &s), -1);
	k8s_watch_free(&w);
	k8s_watch_init(&w);
	assert_int_equal(k8s_watch_feed(&w, "{\"type\":\"ADDED\"}\n", 17, on_ev, &s), -1);
	assert_int_equal(
	    k8s_watch_feed(&w, "{\"type\":\"PATCHED\",\"object\":{}}\n", 31, on_ev, &s), -1);
	k8s_watch_free(&w);
	/* A line longer than the limit, even with no newline yet. */
	k8s_watch_init(&w);
	w.max = 16;
	assert_int_equal(k8s_watch_feed(&w, "0123456789", 10, on_ev, &s), 0);
	assert_int_equal(k8s_watch_feed(&w, "0123456789", 10, on_ev, &s), -1);
	k8s_watch_free(&w);
	assert_int_equal(s.nev, 1);
}

/* ------------------------------------------------------------- the client */

struct api {
	char dir[64];
	char ca[128], rogue[128], log[128], go[128], token[128], badtoken[128];
	pid_t pid;
	int port;
};

static struct api api;

static void run(const char *cmd)
{
	if (system(cmd) != 0)
		fail_msg("failed: %s", cmd);
}

static void make_certs(const char *d)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd),
		 "cd %s && printf 'subjectAltName=IP:127.0.0.1\\n' > san.ext && "
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		 "-keyout ca.key -out ca.crt -days 2 -subj /CN=mcpwatch-test-ca 2>/dev/null && "
		 "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		 "-keyout srv.key -out srv.csr -subj /CN=127.0.0.1 2>/dev/null && "
		 "openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial "
		 "-out srv.crt -days 2 -extfile san.ext 2>/dev/null && "
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		 "-keyout rogue.key -out rogue.crt -days 2 -subj /CN=someone-else 2>/dev/null && "
		 "printf '%s\\n' > token && printf 'not-the-token\\n' > badtoken",
		 d, TOKEN);
	run(cmd);
}

static int start_api(void **state)
{
	int pipefd[2];
	char line[64] = "", cert[128], key[128];
	FILE *f;

	(void)state;
	snprintf(api.dir, sizeof(api.dir), "/tmp/mcpwatch-k8s-XXXXXX");
	if (!mkdtemp(api.dir))
		return -1;
	make_certs(api.dir);
	snprintf(api.ca, sizeof(api.ca), "%s/ca.crt", api.dir);
	snprintf(api.rogue, sizeof(api.rogue), "%s/rogue.crt", api.dir);
	snprintf(api.log, sizeof(api.log), "%s/requests.ndjson", api.dir);
	snprintf(api.go, sizeof(api.go), "%s/go", api.dir);
	snprintf(api.token, sizeof(api.token), "%s/token", api.dir);
	snprintf(api.badtoken, sizeof(api.badtoken), "%s/badtoken", api.dir);
	snprintf(cert, sizeof(cert), "%s/srv.crt", api.dir);
	snprintf(key, sizeof(key), "%s/srv.key", api.dir);
	if (pipe(pipefd))
		return -1;
	api.pid = fork();
	if (api.pid == 0) {
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		execlp("node", "node", FIX "fake-apiserver.mjs", "--cert", cert, "--key", key,
		       "--token-file", api.token, "--log", api.log, "--go", api.go, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	f = fdopen(pipefd[0], "r");
	if (!f || !fgets(line, sizeof(line), f) || sscanf(line, "port %d", &api.port) != 1) {
		fprintf(stderr, "fake-apiserver did not start: \"%s\"\n", line);
		return -1;
	}
	fclose(f);
	return 0;
}

static int stop_api(void **state)
{
	char cmd[128];

	(void)state;
	if (api.pid > 0) {
		kill(api.pid, SIGTERM);
		waitpid(api.pid, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", api.dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct resolver *start_resolver(const char *ca, const char *token)
{
	char url[64], err[256];
	struct resolver_opts o = {
	    .runtime = RESOLVER_OFF,
	    .kubernetes = RESOLVER_ON,
	    .node_name = "node-1",
	    .api_url = url,
	    .ca_file = ca,
	    .token_file = token,
	    .k8s_backoff_max_ms = 200,
	};
	struct resolver *r;

	snprintf(url, sizeof(url), "https://127.0.0.1:%d", api.port);
	r = resolver_new(&o, err, sizeof(err));
	assert_non_null(r);
	return r;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Does the pod of uid, container id, have these names now? */
static bool names(struct resolver *r, const char *id, const char *uid, const char *pod,
		  const char *container)
{
	struct workload w;

	resolver_lookup(r, id, uid, "containerd", &w);
	return !strcmp(w.pod_name, pod) && !strcmp(w.k8s_container_name, container);
}

#define WAIT_FOR(cond)                                                                             \
	do {                                                                                       \
		int waited_ = 0;                                                                   \
		while (!(cond) && waited_ < 15000) {                                               \
			sleep_ms(20);                                                              \
			waited_ += 20;                                                             \
		}                                                                                  \
		if (!(cond))                                                                       \
			fail_msg("timed out waiting for %s", #cond);                               \
	} while (0)

static int count_lines(const char *path, const char *needle)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	int n = 0;

	while (f && fgets(line, sizeof(line), f))
		n += !needle || strstr(line, needle) != NULL;
	if (f)
		fclose(f);
	return n;
}

static void test_list_watch_relist(void **state)
{
	struct resolver *r;
	struct resolver_stats st;
	struct workload w;
	int requests;

	(void)state;
	unlink(api.log);
	r = start_resolver(api.ca, api.token);
	/* After the list and the chunked watch (the server waits for "go" before the 410). */
	WAIT_FOR(names(r, ID("c1"), POD_C, "tools-1", "tools"));
	WAIT_FOR(names(r, ID("a3"), POD_A, "mcp-fs-7d9f8-x2x9q", "mcp-fs"));
	resolver_lookup(r, ID("a3"), POD_A, "containerd", &w);
	assert_string_equal(w.pod_namespace, "agents");
	assert_string_equal(w.node_name, "node-1");
	assert_string_equal(w.container_image, "registry.local/team/mcp-fs:1.4");
	assert_string_equal(w.container_name, "mcp-fs"); /* the pod spec's, no runtime asked */
	assert_string_equal(w.container_runtime, "containerd");
	/* DELETED (the event after those): the pod is gone; what the cgroup said stays. */
	WAIT_FOR(names(r, ID("b1"), POD_B, "", ""));
	resolver_lookup(r, ID("b1"), POD_B, "cri-o", &w);
	assert_string_equal(w.pod_name, "");
	assert_string_equal(w.pod_uid, POD_B);
	assert_string_equal(w.container_id, ID("b1"));
	/* The container id the pod had before MODIFIED no longer names a container. */
	assert_true(names(r, ID("a1"), POD_A, "mcp-fs-7d9f8-x2x9q", ""));

	/* The 410 in the stream, then a 410 status: two relists, watches resume. */
	fclose(fopen(api.go, "w"));
	WAIT_FOR(names(r, ID("d1"), POD_D, "late-0", "late"));
	WAIT_FOR((resolver_stats(r, &st), st.kubernetes_gone >= 2 && st.kubernetes_watches >= 2 &&
					      st.kubernetes_lists >= 3));
	/* The relist dropped the pod it no longer lists. */
	assert_true(names(r, ID("c1"), POD_C, "", ""));
	assert_true(names(r, ID("a3"), POD_A, "mcp-fs-7d9f8-x2x9q", "mcp-fs"));
	resolver_stats(r, &st);
	assert_true(st.kubernetes);
	assert_int_equal(st.pods, 2);
	resolver_free(r);

	/* Every request: this node only, the bearer token. */
	requests = count_lines(api.log, NULL);
	assert_true(requests >= 5);
	assert_int_equal(count_lines(api.log, "\"fieldSelector\":\"spec.nodeName=node-1\""),
			 requests);
	assert_int_equal(count_lines(api.log, "\"authorization\":\"Bearer " TOKEN "\""), requests);
	/* The first watch starts at the list's resourceVersion; the last at the relist's. */
	assert_int_equal(count_lines(api.log, "\"watch\":true"), requests - 3);
	assert_true(count_lines(api.log, "\"resourceVersion\":\"110\"") >= 1);
	assert_true(count_lines(api.log, "\"resourceVersion\":\"210\"") >= 1);
}

static void test_bad_token_is_refused(void **state)
{
	struct resolver *r;
	struct resolver_stats st;

	(void)state;
	r = start_resolver(api.ca, api.badtoken);
	WAIT_FOR((resolver_stats(r, &st), st.kubernetes_status == 401));
	assert_non_null(strstr(st.kubernetes_error, "HTTP 401"));
	assert_int_equal(st.pods, 0);
	assert_false(st.kubernetes_synced);
	assert_true(names(r, ID("a3"), POD_A, "", ""));
	resolver_free(r);
}

static void test_unknown_ca_is_refused(void **state)
{
	struct resolver *r;
	struct resolver_stats st;
	int before = count_lines(api.log, NULL);

	(void)state;
	r = start_resolver(api.rogue, api.token);
	WAIT_FOR((resolver_stats(r, &st), st.kubernetes_error[0] != '\0'));
	/* TLS verification is on: the server's certificate is not signed by this CA. */
	assert_non_null(strstr(st.kubernetes_error, "certificate"));
	assert_int_equal(st.pods, 0);
	assert_true(names(r, ID("a3"), POD_A, "", ""));
	resolver_free(r);
	assert_int_equal(count_lines(api.log, NULL), before); /* no request got through */
}

/* Before the first answer, a lookup says what the cgroup said, at once. */
static void test_lookup_before_answer(void **state)
{
	struct resolver_opts o = {
	    .runtime = RESOLVER_OFF, .kubernetes = RESOLVER_OFF, .node_name = "node-1"};
	char err[128];
	struct resolver *r = resolver_new(&o, err, sizeof(err));
	struct workload w;

	(void)state;
	assert_non_null(r);
	resolver_lookup(r, ID("a3"), POD_A, "containerd", &w);
	assert_string_equal(w.container_id, ID("a3"));
	assert_string_equal(w.pod_uid, POD_A);
	assert_string_equal(w.container_runtime, "containerd");
	assert_string_equal(w.node_name, "node-1");
	assert_string_equal(w.pod_name, "");
	assert_string_equal(w.container_name, "");
	/* Outside containers: nothing at all, not even the node. */
	resolver_lookup(r, NULL, NULL, NULL, &w);
	assert_string_equal(w.node_name, "");
	assert_string_equal(w.container_runtime, "");
	/* A malformed id from elsewhere is not passed on. */
	resolver_lookup(r, "abc", "x", "docker", &w);
	assert_string_equal(w.container_id, "");
	assert_string_equal(w.pod_uid, "");
	resolver_free(r);
	resolver_lookup(NULL, ID("a3"), NULL, "docker", &w);
	assert_string_equal(w.container_id, ID("a3"));
}

int main(void)
{
	const struct CMUnitTest parsers[] = {
	    cmocka_unit_test(test_container_id),
	    cmocka_unit_test(test_podlist),
	    cmocka_unit_test(test_watch_stream_in_chunks),
	    cmocka_unit_test(test_watch_stream_rejects),
	    cmocka_unit_test(test_lookup_before_answer),
	};
	const struct CMUnitTest client[] = {
	    cmocka_unit_test(test_list_watch_relist),
	    cmocka_unit_test(test_bad_token_is_refused),
	    cmocka_unit_test(test_unknown_ca_is_refused),
	};
	int failed = cmocka_run_group_tests_name("k8s parsers", parsers, NULL, NULL);

	return failed + cmocka_run_group_tests_name("k8s client", client, start_api, stop_api);
}
