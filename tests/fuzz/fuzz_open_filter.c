// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Fuzz the open filter's soundness: the input is split at its first NUL
 * into a glob pattern and fill bytes. Two strings are checked against the
 * pattern: the fill itself, and a string built from the pattern with its
 * wildcards replaced by pieces of the fill (so that it usually matches).
 * Whenever glob_match(pattern, s) holds, the filter derived from the pattern
 * (as the glob operand of a rule, and as a literal) must admit s.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/open_filter.h"
#include "lib/glob.h"

static void check(const char *pattern, bool glob, const char *s)
{
	char buf[MW_OPEN_KEY_LEN + 1];
	struct sensor_name_match m;
	struct open_filter f = {.on = true, .m = &m, .n = 1};
	bool match = glob ? glob_match(pattern, s) : strcmp(pattern, s) == 0;

	if (open_filter_pattern(pattern, glob, &m, buf, sizeof(buf)) != 1)
		return; /* no test: every path is sent */
	if (match && !open_filter_admits(&f, s))
		abort();
}

/* Next piece of the fill: up to a 0xff byte (or its end). */
static const char *next_piece(const char **fill, size_t *len)
{
	const char *p = *fill, *end = strchr(p, '\xff');

	*len = end ? (size_t)(end - p) : strlen(p);
	*fill = end ? end + 1 : p + *len;
	return p;
}

/* pattern with its wildcards filled in from fill, into out (big enough). */
static void instantiate(const char *pat, const char *fill, char *out)
{
	size_t n = 0, len;
	const char *piece;

	while (*pat) {
		if (*pat == '*') {
			piece = next_piece(&fill, &len);
			memcpy(out + n, piece, len);
			n += len;
			pat++;
		} else if (*pat == '?') {
			out[n++] = *fill ? *fill++ : '/';
			pat++;
		} else if (*pat == '[' && pat[1] && pat[1] != '!' && pat[1] != '^') {
			out[n++] = pat[1]; /* a member of the set, if it is one */
			pat++;
			while (*pat && *pat != ']')
				pat++;
			if (*pat)
				pat++;
		} else if (*pat == '\\' && pat[1]) {
			out[n++] = pat[1];
			pat += 2;
		} else {
			out[n++] = *pat++;
		}
	}
	out[n] = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 2), *pat, *fill, *inst;
	size_t plen;

	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = '\0';
	pat = buf;
	plen = strlen(pat);
	fill = plen < size ? buf + plen + 1 : buf + plen;
	inst = malloc(2 * size + 2);
	if (!inst)
		abort();
	instantiate(pat, fill, inst);
	check(pat, true, fill);
	check(pat, true, inst);
	check(pat, false, pat);
	check(fill, false, fill);
	free(inst);
	free(buf);
	return 0;
}
