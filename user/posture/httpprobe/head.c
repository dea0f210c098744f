// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* httpprobe/head: parsing a response head (status line and headers). */
#include "posture/httpprobe.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "posture/httpprobe/text.h"

/* "HTTP/1.1 200 OK", "HTTP/2 404": the status, or 0 if line is no status line. */
static int parse_status_line(const char *line, size_t n)
{
	size_t i = 5;
	int status = 0;

	if (n < 5 || memcmp(line, "HTTP/", 5) != 0)
		return 0;
	while (i < n && i < 9 && (isdigit((unsigned char)line[i]) || line[i] == '.'))
		i++;
	if (i == 5 || i >= n || line[i] != ' ')
		return 0;
	for (int k = 0; k < 3; k++) {
		if (++i >= n || !isdigit((unsigned char)line[i]))
			return 0;
		status = status * 10 + (line[i] - '0');
	}
	if (i + 1 < n && line[i + 1] != ' ')
		return 0;
	return status >= 100 && status <= 599 ? status : 0;
}

static bool is_token_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && !strchr("\"(),/:;<=>?@[\\]{}", c);
}

static void add_header(struct httpprobe_head *h, const char *line, size_t n)
{
	const char *colon = memchr(line, ':', n), *value;
	struct httpprobe_header *hd;
	size_t nlen, vlen;

	if (!colon || colon == line || h->count == HTTPPROBE_HEADERS_MAX) {
		h->truncated = true;
		return;
	}
	nlen = (size_t)(colon - line);
	for (size_t i = 0; i < nlen; i++) {
		if (!is_token_char((unsigned char)line[i])) {
			h->truncated = true; /* also folded continuation lines */
			return;
		}
	}
	value = colon + 1;
	vlen = n - nlen - 1;
	http_trim_span(&value, &vlen);
	hd = &h->headers[h->count++];
	if (!http_copy_printable(hd->name, sizeof(hd->name), line, nlen))
		h->truncated = true;
	if (!http_copy_printable(hd->value, sizeof(hd->value), value, vlen))
		h->truncated = true;
}

int httpprobe_parse_head(const char *buf, size_t len, struct httpprobe_head *out)
{
	bool in_head = false;
	size_t pos = 0, next;

	memset(out, 0, sizeof(*out));
	if (!buf)
		return -EINVAL;
	while (pos < len) {
		const char *line = buf + pos;
		size_t n = http_line_length(line, len - pos, &next);
		int status = parse_status_line(line, n);

		if (status) {
			/* A later response (after a 1xx) replaces the earlier one. */
			out->status = status;
			out->count = 0;
			out->truncated = false;
			in_head = true;
		} else if (n == 0) {
			in_head = false;
		} else if (in_head) {
			add_header(out, line, n);
		}
		pos += next;
	}
	return out->status ? 0 : -EINVAL;
}

const char *httpprobe_head_get(const struct httpprobe_head *h, const char *name)
{
	for (size_t i = 0; h && name && i < h->count; i++)
		if (strcasecmp(h->headers[i].name, name) == 0)
			return h->headers[i].value;
	return NULL;
}
