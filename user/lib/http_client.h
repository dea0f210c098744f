/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * http_client: owns the one way this agent makes a libcurl handle — the
 * global initialisation (once, thread-safe) and the options every request
 * of ours must have, whoever sends it (the network sinks, the posture
 * probe): no signals, no redirects followed, HTTP(S) only, no ~/.netrc, no
 * proxy from the environment (only one the caller names), bounded time.
 * Callers add what is theirs (URL, headers, callbacks, TLS, auth).
 */
#ifndef MCPWATCH_LIB_HTTP_CLIENT_H
#define MCPWATCH_LIB_HTTP_CLIENT_H

#include <curl/curl.h>
#include <stdbool.h>

struct http_client_opts {
	long timeout_ms;	/* whole transfer and connect, each */
	const char *proxy;	/* NULL: none, whatever the environment says */
	const char *user_agent; /* NULL: libcurl's default header is not sent */
	char *errbuf;		/* CURL_ERROR_SIZE bytes, or NULL */
};

/* A new easy handle with those options, or NULL (out of memory, or an
 * option this libcurl refuses). Free with curl_easy_cleanup. */
CURL *http_client_new(const struct http_client_opts *o);
/* Sets them again on a handle in use (e.g. after curl_easy_reset, or to
 * change the timeout per request); false if libcurl refused one. */
bool http_client_apply(CURL *c, const struct http_client_opts *o);

#endif /* MCPWATCH_LIB_HTTP_CLIENT_H */
