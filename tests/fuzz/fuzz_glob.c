// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Fuzz the glob matcher: the input is split at its first NUL into pattern
 * and string (no NUL: the whole input is both). Besides not crashing, a few
 * laws must hold: a pattern without special characters matches exactly
 * itself, "*" matches anything, a pattern made literal with '\' matches
 * the string it was made from, and a pattern's plan (the literal run a match
 * must contain) never changes the answer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/glob.h"

/* "\x\y\z": every byte of s escaped, so the pattern matches only s. */
static char *escape_all(const char *s)
{
	size_t n = strlen(s);
	char *p = malloc(2 * n + 1);

	if (!p)
		abort();
	for (size_t i = 0; i < n; i++) {
		p[2 * i] = '\\';
		p[2 * i + 1] = s[i];
	}
	p[2 * n] = '\0';
	return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 2), *pat, *str, *lit;
	size_t plen;

	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = '\0';
	pat = buf;
	plen = strlen(pat);
	str = plen < size ? buf + plen + 1 : buf;
	struct glob_plan plan;

	glob_plan(pat, &plan);
	if (plan.lit_off + plan.lit_len > plen)
		abort();
	if (glob_match_plan(pat, &plan, str, strlen(str)) != glob_match(pat, str))
		abort();
	if (!strpbrk(pat, "*?[\\") && glob_match(pat, str) != (strcmp(pat, str) == 0))
		abort();
	if (!glob_match("*", str))
		abort();
	lit = escape_all(str);
	if (!glob_match(lit, str))
		abort();
	free(lit);
	free(buf);
	return 0;
}
