// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The matcher backtracks only to the last '*' seen: a later '*' can absorb
 * anything an earlier one could, so earlier choices never need revisiting.
 * That keeps the cost at O(len(pattern) * len(string)) on any input.
 */
#include "lib/glob.h"

#include <stddef.h>
#include <string.h>

/* Does the bracket expression at *pp match c? *pp moves past it on a match.
 * An unterminated '[' is an ordinary character, as in fnmatch(3). */
static bool class_match(const char **pp, unsigned char c)
{
	const char *p = *pp + 1;
	bool neg = false, hit = false;

	if (*p == '!' || *p == '^') {
		neg = true;
		p++;
	}
	do {
		unsigned char lo = (unsigned char)*p, hi = lo;

		if (!*p) {
			if (c != '[')
				return false;
			*pp += 1;
			return true;
		}
		if (p[1] == '-' && p[2] && p[2] != ']') {
			hi = (unsigned char)p[2];
			p += 2;
		}
		if (c >= lo && c <= hi)
			hit = true;
		p++;
	} while (*p != ']');
	if (hit == neg)
		return false;
	*pp = p + 1;
	return true;
}

/* Does the one-character element at *pp match c? *pp moves past it if so. */
static bool element_match(const char **pp, unsigned char c)
{
	const char *p = *pp;

	switch (*p) {
	case '\0':
		return false;
	case '?':
		break;
	case '[':
		return class_match(pp, c);
	case '\\':
		if (p[1])
			p++; /* the escaped character is literal */
			     /* fall through */
	default:
		if ((unsigned char)*p != c)
			return false;
	}
	*pp = p + 1;
	return true;
}

static bool glob_match_general(const char *pattern, const char *string);
static bool contains_at(const char *s, size_t n, const char *lit, size_t m, size_t anchor);

/* Length of the literal in "*literal*" (no other special character), or 0. */
static size_t enclosed_literal(const char *pattern)
{
	size_t n;

	if (pattern[0] != '*')
		return 0;
	n = strcspn(pattern + 1, "*?[\\");
	return pattern[1 + n] == '*' && pattern[2 + n] == '\0' ? n : 0;
}

bool glob_match(const char *pattern, const char *string)
{
	size_t lit = enclosed_literal(pattern);

	/* The common "*needle*": a substring search, not a backtracking walk. */
	if (lit)
		return contains_at(string, strlen(string), pattern + 1, lit, 0);
	return glob_match_general(pattern, string);
}

static void plan_runs(const char *pattern, struct glob_plan *plan);

void glob_plan(const char *pattern, struct glob_plan *plan)
{
	plan_runs(pattern, plan);
	/* The run's first byte that is not a path's commonest ('/', '.'). */
	for (uint32_t i = 0; i < plan->lit_len; i++) {
		char c = pattern[plan->lit_off + i];

		if (c != '/' && c != '.') {
			plan->lit_anchor = i;
			break;
		}
	}
}

static void plan_runs(const char *pattern, struct glob_plan *plan)
{
	const char *p = pattern;

	*plan = (struct glob_plan){0};
	plan->enclosed = enclosed_literal(pattern) > 0;
	while (*p) {
		size_t n = strcspn(p, "*?[\\");

		if (n > plan->lit_len && n <= UINT32_MAX && (size_t)(p - pattern) <= UINT32_MAX) {
			plan->lit_off = (uint32_t)(p - pattern);
			plan->lit_len = (uint32_t)n;
		}
		p += n;
		if (*p == '[') {
			/* Skip the set as class_match reads it; past an unterminated
			 * '[' the runs found so far still hold, so stop there. */
			const char *q = p + 1;

			if (*q == '!' || *q == '^')
				q++;
			do {
				if (!*q)
					return;
				if (q[1] == '-' && q[2] && q[2] != ']')
					q += 2;
				q++;
			} while (*q != ']');
			p = q + 1;
		} else if (*p) {
			/* '*', '?', or an escape, whose character is literal but ends
			 * the run: a run stays a plain substring of the pattern. */
			p += p[0] == '\\' && p[1] ? 2 : 1;
		}
	}
}

/*
 * Does s (n bytes) contain lit (m > 0 bytes)? memchr for lit's byte at
 * `anchor` (chosen by glob_plan to be a rarer one than '/' or '.'), then a
 * compare: paths are short and the literal runs of credential patterns
 * start with '/' or '.', where glibc's memmem pays its set-up on every call.
 */
static bool contains_at(const char *s, size_t n, const char *lit, size_t m, size_t anchor)
{
	const char *p = s + anchor, *last;

	if (m > n)
		return false;
	last = s + (n - m) + anchor; /* the anchor of the last possible start */
	while (p <= last) {
		const char *q = memchr(p, lit[anchor], (size_t)(last - p) + 1);

		if (!q)
			return false;
		if (!memcmp(q - anchor, lit, m))
			return true;
		p = q + 1;
	}
	return false;
}

bool glob_match_plan(const char *pattern, const struct glob_plan *plan, const char *string,
		     size_t len)
{
	if (plan->lit_len &&
	    !contains_at(string, len, pattern + plan->lit_off, plan->lit_len, plan->lit_anchor))
		return false;
	if (plan->enclosed)
		return true;
	return glob_match_general(pattern, string);
}

static bool glob_match_general(const char *pattern, const char *string)
{
	const char *star_p = NULL, *star_s = NULL, *p = pattern, *s = string;

	while (*s) {
		if (*p == '*') {
			star_p = ++p;
			star_s = s;
			continue;
		}
		if (element_match(&p, (unsigned char)*s)) {
			s++;
			continue;
		}
		if (!star_p)
			return false;
		/* Let the last '*' swallow one more character and retry. */
		p = star_p;
		s = ++star_s;
	}
	while (*p == '*')
		p++;
	return !*p;
}
