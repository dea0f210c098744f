// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* inventory/common: helpers shared by the inventory modules. */
#include "posture/inventory/common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "lib/redact.h"

/* Room for one more item in an array holding n: capacity 4, then doubling. */
bool inv_array_reserve(void *arrayp, size_t n, size_t size)
{
	void *old, *p;

	if (n != 0 && (n < 4 || (n & (n - 1)) != 0))
		return true;
	memcpy(&old, arrayp, sizeof(old));
	p = realloc(old, (n ? 2 * n : 4) * size);
	if (!p)
		return false;
	memcpy(arrayp, &p, sizeof(p));
	return true;
}

bool inv_strv_push(char ***v, size_t *n, const char *s)
{
	char *copy = strdup(s);

	if (!copy || !inv_array_reserve(v, *n, sizeof(char *))) {
		free(copy);
		return false;
	}
	(*v)[(*n)++] = copy;
	return true;
}

void inv_strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* A word for a message: redacted (it may be a URL with a password), cut, printable. */
void inv_shown_word(const char *in, char *out, size_t outlen)
{
	char *p;

	redact_string(in, out, outlen);
	for (p = out; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
}

void inv_shown_name(const char *s, char *out)
{
	json_quote_for_message(s, strlen(s), out, INV_NAME_SHOWN);
}

void inv_add_diag(struct inventory *inv, const char *path, int line, int col, const char *fmt, ...)
{
	va_list ap;

	/* An inventory carries its diagnostics in its report. */
	inv->diag.keep = true;
	va_start(ap, fmt);
	diag_vadd(&inv->diag, path, line, col, fmt, ap);
	va_end(ap);
}

/* Names compared loosely: "python3.11" is "python", "mcp_server" is "mcp-server". */
void inv_normalized_name(const char *s, char *out)
{
	size_t i, n = strlen(s);

	while (n > 0 && (is_digit(s[n - 1]) || s[n - 1] == '.'))
		n--;
	if (n >= INV_NORM_NAME)
		n = INV_NORM_NAME - 1;
	for (i = 0; i < n; i++) {
		char ch = s[i];

		out[i] = ch == '_' || ch == '.' ? '-' : (ch >= 'A' && ch <= 'Z') ? ch + 32 : ch;
	}
	out[n] = '\0';
}

/* w[0] = command, then args; NULL on allocation failure. */
const char **inv_words_of(const char *command, char *const *args, size_t nargs)
{
	const char **w = malloc((nargs + 1) * sizeof(*w));
	size_t i;

	if (!w)
		return NULL;
	w[0] = command;
	for (i = 0; i < nargs; i++)
		w[i + 1] = args[i] ? args[i] : "";
	return w;
}
