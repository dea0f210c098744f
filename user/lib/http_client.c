/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
#include "lib/http_client.h"

#include <pthread.h>

static void global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* What no request of ours may do, whatever the caller adds later. */
bool http_client_apply(CURL *c, const struct http_client_opts *o)
{
	bool bad = false;

	bad |= curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED) != CURLE_OK;
	/* The daemon's environment is not configuration: only a named proxy. */
	bad |= curl_easy_setopt(c, CURLOPT_PROXY, o->proxy ? o->proxy : "") != CURLE_OK;
	if (!o->proxy)
		bad |= curl_easy_setopt(c, CURLOPT_NOPROXY, "*") != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, o->timeout_ms) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, o->timeout_ms) != CURLE_OK;
	if (o->user_agent)
		bad |= curl_easy_setopt(c, CURLOPT_USERAGENT, o->user_agent) != CURLE_OK;
	if (o->errbuf)
		bad |= curl_easy_setopt(c, CURLOPT_ERRORBUFFER, o->errbuf) != CURLE_OK;
	return !bad;
}

CURL *http_client_new(const struct http_client_opts *o)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	CURL *c;

	pthread_once(&once, global_init);
	c = curl_easy_init();
	if (c && !http_client_apply(c, o)) {
		curl_easy_cleanup(c);
		c = NULL;
	}
	return c;
}
