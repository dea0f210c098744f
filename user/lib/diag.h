/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * diag: owns the one shape of a diagnostic — "FILE:LINE:COL: message", or
 * "FILE:LINE: message" / "FILE: message" when the position is not known —
 * and where diagnostics go: printed one per line to a stream, kept as a
 * list (for reports that carry them), counted, and the first one kept for
 * callers that answer with a single line. Every loader (config, rules,
 * outputs, client configs) reports through it, so a user sees one format.
 */
#ifndef MCPWATCH_LIB_DIAG_H
#define MCPWATCH_LIB_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define DIAG_LINE_MAX 512
#define DIAG_KEEP_MAX 256 /* lines kept at most; the count goes on */

struct diag {
	FILE *out; /* each diagnostic as one line; NULL: not printed */
	bool keep; /* collect lines[] (freed by diag_free) */
	char **lines;
	size_t nlines;
	unsigned count; /* every diagnostic, kept or not */
	char first[DIAG_LINE_MAX];
};

/* Starts d: print to out (may be NULL), keep the lines or not. */
void diag_init(struct diag *d, FILE *out, bool keep);
void diag_free(struct diag *d);
/* d, or when d is NULL (the caller wants no diagnostics) quiet, started
 * to count only: loaders then always have somewhere to count errors. */
struct diag *diag_or_quiet(struct diag *d, struct diag *quiet);

/* Adds one diagnostic. line 0 leaves out the position, col 0 the column;
 * file NULL is "-", or nothing at all when line is 0 too. Control characters (newlines too) show as
 * '?'. */
void diag_add(struct diag *d, const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void diag_vadd(struct diag *d, const char *file, int line, int col, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));

/* Writes one diagnostic in that shape into buf (always NUL-terminated),
 * for the callers that answer with a line of text rather than a struct
 * diag (a sink's open). Returns the length written. */
size_t diag_vformat(char *buf, size_t len, const char *file, int line, int col, const char *fmt,
		    va_list ap) __attribute__((format(printf, 6, 0)));
size_t diag_format(char *buf, size_t len, const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

#endif /* MCPWATCH_LIB_DIAG_H */
