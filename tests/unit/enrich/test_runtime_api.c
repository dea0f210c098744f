// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Unit tests for user/enrich/runtime_api.c (the inspect answers of Docker,
 * Podman and CRI-O) and the resolver's runtime worker, against an HTTP
 * server on a unix socket in this process: the first lookup of a container
 * answers at once with what the cgroup said and queues the question; the
 * answer fills the cache; a container the runtime does not know is not
 * asked again at every event. The real Podman API is exercised by
 * tests/e2e/93-workload.test.mjs.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "enrich/resolver.h"
#include "enrich/runtime_api.h"

#define ID(x)	x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x
#define KNOWN	ID("a1")
#define UNKNOWN ID("b2")
#define POD	"11111111-2222-4333-8444-555555555555"
#define DOCKER_ANS                                                                                 \
	"{\"Id\":\"" KNOWN "\",\"Name\":\"/k8s_mcp-fs_mcp-fs-7d9f8_agents_" POD "_0\","            \
	"\"Image\":\"sha256:" ID(                                                                  \
	    "cd") "\",\"Config\":{\"Image\":\"registry.local/team/mcp-fs:1.4\","                   \
		  "\"Labels\":{\"io.kubernetes.pod.name\":\"mcp-fs-7d9f8\",\"io.kubernetes.pod."   \
		  "namespace\":"                                                                   \
		  "\"agents\",\"io.kubernetes.pod.uid\":\"" POD                                    \
		  "\",\"io.kubernetes.container.name\":"                                           \
		  "\"mcp-fs\"}}}"

static void test_parse_shapes(void **state)
{
	static const char podman[] =
	    "{\"Id\":\"" KNOWN "\",\"Name\":\"web\",\"ImageName\":\"localhost/web:1\","
	    "\"Image\":\"" ID(
		"ef") "\",\"Config\":{\"Image\":\"localhost/web:1\",\"Labels\":null}}";
	static const char crio[] =
	    "{\"name\":\"k8s_web_web-0_default_" POD "_0\",\"pid\":42,\"image\":\"nginx:1.27\","
	    "\"image_ref\":\"nginx@sha256:" ID(
		"ab") "\",\"labels\":{\"io.kubernetes.pod.name\":"
		      "\"web-0\",\"io.kubernetes.pod.namespace\":\"default\",\"io.kubernetes.pod."
		      "uid\":"
		      "\"" POD "\",\"io.kubernetes.container.name\":\"web\"}}";
	struct workload w;

	(void)state;
	memset(&w, 0, sizeof(w));
	assert_int_equal(runtime_api_parse(DOCKER_ANS, strlen(DOCKER_ANS), &w), 0);
	assert_string_equal(w.container_name, "k8s_mcp-fs_mcp-fs-7d9f8_agents_" POD "_0");
	assert_string_equal(w.container_image, "registry.local/team/mcp-fs:1.4");
	assert_string_equal(w.container_image_id, "sha256:" ID("cd"));
	assert_string_equal(w.pod_name, "mcp-fs-7d9f8");
	assert_string_equal(w.pod_namespace, "agents");
	assert_string_equal(w.pod_uid, POD);
	assert_string_equal(w.k8s_container_name, "mcp-fs");

	memset(&w, 0, sizeof(w));
	assert_int_equal(runtime_api_parse(podman, strlen(podman), &w), 0);
	assert_string_equal(w.container_name, "web");
	assert_string_equal(w.container_image, "localhost/web:1");
	assert_string_equal(w.pod_name, ""); /* no labels: no pod */

	memset(&w, 0, sizeof(w));
	assert_int_equal(runtime_api_parse(crio, strlen(crio), &w), 0);
	assert_string_equal(w.container_image, "nginx:1.27");
	assert_string_equal(w.container_image_id, "nginx@sha256:" ID("ab"));
	assert_string_equal(w.pod_name, "web-0");
	assert_string_equal(w.k8s_container_name, "web");

	/* Not a container: nothing is written. */
	memset(&w, 0, sizeof(w));
	assert_int_equal(runtime_api_parse("{\"message\":\"no such container\"}", 32, &w), -1);
	assert_int_equal(runtime_api_parse("[1]", 3, &w), -1);
	assert_int_equal(runtime_api_parse("{\"Name\":", 8, &w), -1);
	/* A name with a control byte is not copied (log injection). */
	assert_int_equal(
	    runtime_api_parse("{\"Name\":\"/a\\nb\",\"Config\":{\"Image\":\"x\"}}", 39, &w), 0);
	assert_string_equal(w.container_name, "");
	assert_string_equal(w.container_image, "x");
	assert_int_equal(runtime_api_kind_of("/host/var/run/crio/crio.sock"), RUNTIME_API_CRIO);
	assert_int_equal(runtime_api_kind_of("/run/podman/podman.sock"), RUNTIME_API_DOCKER);
}

struct server {
	char path[108];
	int fd;
	pthread_t thread;
	pthread_mutex_t lock;
	int requests, known, unknown;
};

static void *serve(void *arg)
{
	struct server *s = arg;
	char buf[4096], ans[4096];
	int c;

	while ((c = accept(s->fd, NULL, NULL)) >= 0) {
		ssize_t n = read(c, buf, sizeof(buf) - 1);
		bool known;

		buf[n > 0 ? n : 0] = '\0';
		known = strstr(buf, "GET /containers/" KNOWN "/json ") != NULL;
		pthread_mutex_lock(&s->lock);
		s->requests++;
		s->known += known;
		s->unknown += strstr(buf, UNKNOWN) != NULL;
		pthread_mutex_unlock(&s->lock);
		if (known)
			snprintf(ans, sizeof(ans),
				 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
				 "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
				 strlen(DOCKER_ANS), DOCKER_ANS);
		else
			snprintf(ans, sizeof(ans),
				 "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n"
				 "Connection: close\r\n\r\n{}");
		(void)!write(c, ans, strlen(ans));
		close(c);
	}
	return NULL;
}

static void server_start(struct server *s)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	snprintf(s->path, sizeof(s->path), "/tmp/mcpwatch-rt-%d.sock", (int)getpid());
	unlink(s->path);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", s->path);
	s->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(s->fd >= 0);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->fd, 8), 0);
	assert_int_equal(pthread_create(&s->thread, NULL, serve, s), 0);
}

static void server_stop(struct server *s)
{
	shutdown(s->fd, SHUT_RDWR);
	pthread_join(s->thread, NULL);
	close(s->fd);
	unlink(s->path);
	pthread_mutex_destroy(&s->lock);
}

static int count(struct server *s, int *field)
{
	int n;

	pthread_mutex_lock(&s->lock);
	n = *field;
	pthread_mutex_unlock(&s->lock);
	return n;
}

static void test_query(void **state)
{
	struct server s;
	struct workload w;
	char err[256];

	(void)state;
	server_start(&s);
	memset(&w, 0, sizeof(w));
	assert_int_equal(runtime_api_query(s.path, KNOWN, &w, err, sizeof(err)), 1);
	assert_string_equal(w.pod_name, "mcp-fs-7d9f8");
	assert_int_equal(runtime_api_query(s.path, UNKNOWN, &w, err, sizeof(err)), 0);
	server_stop(&s);
	/* Nobody listens: an error with the socket's name, not "unknown". */
	assert_int_equal(runtime_api_query(s.path, KNOWN, &w, err, sizeof(err)), -1);
	assert_non_null(strstr(err, s.path));
}

static void sleep_ms(int ms)
{
	struct timespec ts = {0, (long)ms * 1000000L};

	nanosleep(&ts, NULL);
}

static void test_resolver_asks_the_runtime_once(void **state)
{
	struct server s;
	struct resolver_opts o = {
	    .runtime = RESOLVER_ON, .kubernetes = RESOLVER_OFF, .host_root = "/nonexistent"};
	struct resolver_stats st;
	struct resolver *r;
	struct workload w;
	char err[128];
	int i;

	(void)state;
	server_start(&s);
	o.runtime_socket = s.path;
	r = resolver_new(&o, err, sizeof(err));
	assert_non_null(r);
	/* The first lookup does not wait: the cgroup's facts only. */
	resolver_lookup(r, KNOWN, NULL, "docker", &w);
	assert_string_equal(w.container_id, KNOWN);
	assert_string_equal(w.container_runtime, "docker");
	assert_string_equal(w.container_name, "");
	for (i = 0; i < 500; i++) {
		resolver_lookup(r, KNOWN, NULL, "docker", &w);
		if (w.container_name[0])
			break;
		sleep_ms(10);
	}
	assert_string_equal(w.container_name, "k8s_mcp-fs_mcp-fs-7d9f8_agents_" POD "_0");
	assert_string_equal(w.container_image, "registry.local/team/mcp-fs:1.4");
	/* The CRI labels name the pod even without the Kubernetes API. */
	assert_string_equal(w.pod_name, "mcp-fs-7d9f8");
	assert_string_equal(w.pod_namespace, "agents");
	assert_string_equal(w.pod_uid, POD);
	assert_string_equal(w.k8s_container_name, "mcp-fs");

	/* Unknown to the runtime: asked once, then remembered (for RESOLVER_RETRY_S). */
	resolver_lookup(r, UNKNOWN, NULL, "docker", &w);
	for (i = 0; i < 500 && !count(&s, &s.unknown); i++)
		sleep_ms(10);
	for (i = 0; i < 100; i++)
		resolver_lookup(r, UNKNOWN, NULL, "docker", &w);
	sleep_ms(100);
	assert_int_equal(count(&s, &s.unknown), 1);
	assert_int_equal(count(&s, &s.known), 1);
	assert_string_equal(w.container_name, "");
	resolver_stats(r, &st);
	assert_int_equal(st.runtime_found, 1);
	assert_int_equal(st.runtime_missing, 1);
	assert_int_equal(st.containers, 2);
	resolver_free(r);
	server_stop(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_shapes),
	    cmocka_unit_test(test_query),
	    cmocka_unit_test(test_resolver_asks_the_runtime_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
