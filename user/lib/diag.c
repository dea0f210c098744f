/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
#include "lib/diag.h"

#include <stdlib.h>
#include <string.h>

void diag_init(struct diag *d, FILE *out, bool keep)
{
	memset(d, 0, sizeof(*d));
	d->out = out;
	d->keep = keep;
}

struct diag *diag_or_quiet(struct diag *d, struct diag *quiet)
{
	if (d)
		return d;
	diag_init(quiet, NULL, false);
	return quiet;
}

void diag_free(struct diag *d)
{
	for (size_t i = 0; i < d->nlines; i++)
		free(d->lines[i]);
	free(d->lines);
	d->lines = NULL;
	d->nlines = 0;
}

static size_t put_position(char *buf, size_t len, const char *file, int line, int col)
{
	int n;

	if (!file && line <= 0)
		return 0; /* a message about no file in particular */
	if (line > 0 && col > 0)
		n = snprintf(buf, len, "%s:%d:%d: ", file ? file : "-", line, col);
	else if (line > 0)
		n = snprintf(buf, len, "%s:%d: ", file ? file : "-", line);
	else
		n = snprintf(buf, len, "%s: ", file ? file : "-");
	return n < 0 ? 0 : (size_t)n >= len ? len - 1 : (size_t)n;
}

/* One diagnostic is one line of the stream: control characters show as '?'. */
static void fold(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static void keep_line(struct diag *d, const char *line)
{
	char **more;

	if (d->nlines >= DIAG_KEEP_MAX)
		return;
	more = realloc(d->lines, (d->nlines + 1) * sizeof(*more));
	if (!more)
		return;
	d->lines = more;
	d->lines[d->nlines] = strdup(line);
	if (d->lines[d->nlines])
		d->nlines++;
}

size_t diag_vformat(char *buf, size_t len, const char *file, int line, int col, const char *fmt,
		    va_list ap)
{
	size_t n;

	if (!buf || !len)
		return 0;
	n = put_position(buf, len, file, line, col);
	vsnprintf(buf + n, len - n, fmt, ap);
	fold(buf);
	return strlen(buf);
}

void diag_vadd(struct diag *d, const char *file, int line, int col, const char *fmt, va_list ap)
{
	char buf[DIAG_LINE_MAX];

	diag_vformat(buf, sizeof(buf), file, line, col, fmt, ap);
	if (d->count++ == 0)
		memcpy(d->first, buf, sizeof(buf));
	if (d->out)
		fprintf(d->out, "%s\n", buf);
	if (d->keep)
		keep_line(d, buf);
}

void diag_add(struct diag *d, const char *file, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(d, file, line, col, fmt, ap);
	va_end(ap);
}

size_t diag_format(char *buf, size_t len, const char *file, int line, int col, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = diag_vformat(buf, len, file, line, col, fmt, ap);
	va_end(ap);
	return n;
}
