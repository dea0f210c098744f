// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Fuzz the HTTP probe's pure parts with a raw response: the bytes up to the
 * first blank line go to the head parser, the rest is the body for the
 * classifiers; header values feed the version, CORS and Location checks.
 * Everything must stay bounded, NUL-terminated and printable.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "posture/httpprobe.h"

static void require_printable(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			abort();
}

static size_t head_length(const uint8_t *data, size_t size)
{
	const uint8_t *end = memmem(data, size, "\r\n\r\n", 4);

	if (end)
		return (size_t)(end - data) + 4;
	end = memmem(data, size, "\n\n", 2);
	return end ? (size_t)(end - data) + 2 : size;
}

static void check_head(const struct httpprobe_head *h, int rc)
{
	if ((rc == 0) != (h->status >= 100 && h->status <= 599) || h->count > HTTPPROBE_HEADERS_MAX)
		abort();
	for (size_t i = 0; i < h->count; i++) {
		require_printable(h->headers[i].name, sizeof(h->headers[i].name));
		require_printable(h->headers[i].value, sizeof(h->headers[i].value));
		if (!h->headers[i].name[0])
			abort();
	}
}

static void check_header_values(const struct httpprobe_head *h)
{
	char what[96], path[HTTPPROBE_PATH_MAX];

	for (size_t i = 0; i < h->count; i++) {
		const char *v = h->headers[i].value;

		httpprobe_find_version_leak(h->headers[i].name, v, what, sizeof(what));
		require_printable(what, sizeof(what));
		if ((unsigned)httpprobe_cors_classify(v, HTTPPROBE_PROBE_ORIGIN) >
		    HTTPPROBE_CORS_NULL)
			abort();
		httpprobe_location_points_to(v, HTTPPROBE_PROBE_HOST);
		if (httpprobe_location_local_path(v, "localhost:8080", path, sizeof(path))) {
			require_printable(path, sizeof(path));
			if (path[0] != '/')
				abort();
		}
	}
}

static void check_body(const struct httpprobe_head *h, const char *body, size_t len)
{
	const char *ct = httpprobe_head_get(h, "Content-Type");
	static const char *const paths[] = {"/", "/.env", "/.git/config", "/config"};
	char what[96];
	const char *m;

	if ((unsigned)httpprobe_classify_mcp_answer(h->status, ct, body, len) > HTTPPROBE_MCP_ERROR)
		abort();
	if (httpprobe_find_error_leak(body, len, ct, what, sizeof(what)) != (what[0] != '\0'))
		abort();
	require_printable(what, sizeof(what));
	httpprobe_is_directory_listing(body, len);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		m = httpprobe_sensitive_file_match(paths[i], body, len);
		if (m)
			require_printable(m, 64);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct httpprobe_head h;
	size_t hl = head_length(data, size);
	char *body;
	int rc;

	rc = httpprobe_parse_head((const char *)data, hl, &h);
	check_head(&h, rc);
	check_header_values(&h);
	/* The body in its own allocation, so reads past its end are caught. */
	body = malloc(size - hl + 1);
	if (!body)
		return 0;
	memcpy(body, data + hl, size - hl);
	check_body(&h, body, size - hl);
	free(body);
	return 0;
}
