// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Unit tests for user/lib/http_client.c against a one-shot HTTP server on
 * loopback: redirects are not followed, a proxy from the environment is not
 * used, the timeout holds, and non-HTTP schemes are refused.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/http_client.h"

struct server {
	int fd;
	int port;
	const char *answer; /* NULL: accept, read, never answer */
	int requests;
	pthread_t thread;
};

static void *serve(void *arg)
{
	struct server *s = arg;
	char buf[4096];
	int c = accept(s->fd, NULL, NULL);

	if (c < 0)
		return NULL;
	s->requests++;
	if (read(c, buf, sizeof(buf)) > 0 && s->answer)
		(void)!write(c, s->answer, strlen(s->answer));
	else if (!s->answer)
		usleep(1500 * 1000);
	close(c);
	return NULL;
}

static void server_start(struct server *s, const char *answer)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);

	s->answer = answer;
	s->requests = 0;
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s->fd >= 0);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->fd, 4), 0);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &alen), 0);
	s->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&s->thread, NULL, serve, s), 0);
}

static void server_stop(struct server *s)
{
	shutdown(s->fd, SHUT_RDWR);
	pthread_join(s->thread, NULL);
	close(s->fd);
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	return size * n;
}

static CURLcode get(struct server *s, const char *path, long timeout_ms, long *status)
{
	char url[128], errbuf[CURL_ERROR_SIZE] = "";
	struct http_client_opts o = {.timeout_ms = timeout_ms, .errbuf = errbuf};
	CURL *c = http_client_new(&o);
	CURLcode rc;

	assert_non_null(c);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", s->port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	rc = curl_easy_perform(c);
	*status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(c);
	return rc;
}

static void test_redirect_not_followed(void **state)
{
	struct server s;
	long status;

	server_start(&s, "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/x\r\n"
			 "Content-Length: 0\r\nConnection: close\r\n\r\n");
	assert_int_equal(get(&s, "/", 3000, &status), CURLE_OK);
	server_stop(&s);
	assert_int_equal(status, 302);
	assert_int_equal(s.requests, 1);
}

static void test_environment_proxy_ignored(void **state)
{
	struct server s;
	long status;

	/* A proxy that does not exist: used, the request would fail. */
	setenv("http_proxy", "http://127.0.0.1:9", 1);
	setenv("HTTP_PROXY", "http://127.0.0.1:9", 1);
	setenv("ALL_PROXY", "http://127.0.0.1:9", 1);
	server_start(&s, "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
	assert_int_equal(get(&s, "/", 3000, &status), CURLE_OK);
	server_stop(&s);
	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("ALL_PROXY");
	assert_int_equal(status, 204);
	assert_int_equal(s.requests, 1);
}

static void test_timeout_holds(void **state)
{
	struct server s;
	long status;

	server_start(&s, NULL);
	assert_int_equal(get(&s, "/", 300, &status), CURLE_OPERATION_TIMEDOUT);
	server_stop(&s);
}

static void test_other_schemes_refused(void **state)
{
	struct http_client_opts o = {.timeout_ms = 1000};
	CURL *c = http_client_new(&o);

	assert_non_null(c);
	curl_easy_setopt(c, CURLOPT_URL, "file:///etc/hostname");
	assert_int_equal(curl_easy_perform(c), CURLE_UNSUPPORTED_PROTOCOL);
	curl_easy_cleanup(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_redirect_not_followed),
	    cmocka_unit_test(test_environment_proxy_ignored),
	    cmocka_unit_test(test_timeout_holds),
	    cmocka_unit_test(test_other_schemes_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
