// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* httpprobe/text: bounded text helpers for bytes read off the wire. */
#include "posture/httpprobe/text.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void http_set_text(char *dst, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (!dst || !cap)
		return;
	va_start(ap, fmt);
	vsnprintf(dst, cap, fmt, ap);
	va_end(ap);
}

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* Case-insensitive search in hay[0..len), which may hold NULs and need not end in one. */
const char *http_find_nocase(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	if (!hay || n == 0 || n > len)
		return NULL;
	for (size_t i = 0; i + n <= len; i++) {
		size_t j = 0;

		while (j < n && lower((unsigned char)hay[i + j]) == lower((unsigned char)needle[j]))
			j++;
		if (j == n)
			return hay + i;
	}
	return NULL;
}

const char *http_find_exact(const char *hay, size_t len, const char *needle)
{
	if (!hay)
		return NULL;
	return memmem(hay, len, needle, strlen(needle));
}

bool http_starts_with_nocase(const char *s, const char *prefix)
{
	return s && strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* The first byte of body that is not whitespace, or 0. */
char http_first_visible(const char *body, size_t len)
{
	for (size_t i = 0; body && i < len; i++)
		if (!isspace((unsigned char)body[i]))
			return body[i];
	return 0;
}

/* Length of the line at buf (without CR LF); *next is where the next line starts. */
size_t http_line_length(const char *buf, size_t len, size_t *next)
{
	const char *nl = memchr(buf, '\n', len);
	size_t n = nl ? (size_t)(nl - buf) : len;

	*next = nl ? n + 1 : len;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	return n;
}

void http_trim_span(const char **s, size_t *n)
{
	while (*n > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

/* Copies n bytes as printable ASCII ('?' for the rest); false if they had to be cut. */
bool http_copy_printable(char *dst, size_t cap, const char *src, size_t n)
{
	size_t k = n < cap - 1 ? n : cap - 1;

	for (size_t i = 0; i < k; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	dst[k] = '\0';
	return k == n;
}
