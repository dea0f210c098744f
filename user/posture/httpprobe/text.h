/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * httpprobe/text: owns the bounded text helpers the probe reads wire bytes
 * with — formatted copies into fixed buffers, searches in bytes that may
 * hold NULs, line splitting, trimming and printable copies. Internal to
 * posture/httpprobe/.
 */
#ifndef MCPWATCH_HTTPPROBE_TEXT_H
#define MCPWATCH_HTTPPROBE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* snprintf into dst (NULL or cap 0: nothing). */
void http_set_text(char *dst, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Case-insensitive search in hay[0..len), which may hold NULs and need not end in one. */
const char *http_find_nocase(const char *hay, size_t len, const char *needle);
const char *http_find_exact(const char *hay, size_t len, const char *needle);
bool http_starts_with_nocase(const char *s, const char *prefix);
/* The first byte of body that is not whitespace, or 0. */
char http_first_visible(const char *body, size_t len);
/* Length of the line at buf (without CR LF); *next is where the next line starts. */
size_t http_line_length(const char *buf, size_t len, size_t *next);
/* Drop blanks and tabs around the span *s[0..*n). */
void http_trim_span(const char **s, size_t *n);
/* Copies n bytes as printable ASCII ('?' for the rest); false if they had to be cut. */
bool http_copy_printable(char *dst, size_t cap, const char *src, size_t n);

#endif /* MCPWATCH_HTTPPROBE_TEXT_H */
