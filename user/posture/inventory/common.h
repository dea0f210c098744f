/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * inventory/common: owns the small helpers the inventory's modules share —
 * string tests, growable string arrays, words and names as shown in
 * messages, the bounded diagnostics list, loose name comparison and the
 * word vector of a configured command. Internal to posture/inventory/.
 */
#ifndef MCPWATCH_INVENTORY_COMMON_H
#define MCPWATCH_INVENTORY_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "posture/inventory.h"

#define INV_NAME_SHOWN 64  /* server, env and header names in messages */
#define INV_WORD_SHOWN 120 /* a package or image in pin evidence */
#define INV_NORM_NAME  256

static inline bool streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static inline bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static inline bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Is s in the NULL-terminated list? */
static inline bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++) {
		if (streq(s, *list))
			return true;
	}
	return false;
}

/* Room for one more item in an array holding n: capacity 4, then doubling. */
bool inv_array_reserve(void *arrayp, size_t n, size_t size);
bool inv_strv_push(char ***v, size_t *n, const char *s);
void inv_strv_free(char **v, size_t n);

/* A word for a message: redacted (it may be a URL with a password), cut, printable. */
void inv_shown_word(const char *in, char *out, size_t outlen);
/* A name for a message, quoted and cut to INV_NAME_SHOWN. */
void inv_shown_name(const char *s, char *out);

/* One diagnostic "PATH[:LINE[:COL]]: message" (line/col 0: not known). */
void inv_add_diag(struct inventory *inv, const char *path, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Names compared loosely: "python3.11" is "python", "mcp_server" is "mcp-server".
 * out holds INV_NORM_NAME bytes. */
void inv_normalized_name(const char *s, char *out);

/* w[0] = command, then args; NULL on allocation failure (caller frees). */
const char **inv_words_of(const char *command, char *const *args, size_t nargs);

#endif /* MCPWATCH_INVENTORY_COMMON_H */
