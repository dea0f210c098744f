/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * glob: owns the one pattern dialect users write — rule "glob" operands,
 * server selectors and ignore globs of the configuration.
 *
 * The dialect is fnmatch(3) without FNM_PATHNAME and FNM_PERIOD:
 *   '*'      any run of characters, '/' and a leading '.' included
 *   '?'      any one character
 *   [abc]    one character of a set; ranges [a-z]; [!x] or [^x] negates;
 *            a ']' first in the set is literal ("[]]"); an unterminated
 *            '[' is a literal '['
 *   '\c'     the character c literally ("\*" matches '*')
 * Matching is byte-wise (no locale, no [[:alpha:]] classes) and covers the
 * whole string.
 */
#ifndef MCPWATCH_GLOB_H
#define MCPWATCH_GLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Does string match pattern? Allocation-free; O(len(pattern) * len(string)). */
bool glob_match(const char *pattern, const char *string);

/*
 * What a pattern's text tells before any string is seen, worked out once
 * (rules compile it for every glob operand): the longest run of plain
 * characters, which every matching string contains verbatim, and whether the
 * pattern is just "*literal*". A string without that run is refused by a
 * memchr-led search instead of a backtracking walk.
 */
struct glob_plan {
	uint32_t lit_off, lit_len; /* the run in the pattern; len 0: none */
	uint32_t lit_anchor;	   /* offset in the run of the byte searched for first */
	bool enclosed;		   /* "*literal*": the run decides alone */
};

void glob_plan(const char *pattern, struct glob_plan *plan);
/* glob_match(pattern, string), with pattern's plan and strlen(string). */
bool glob_match_plan(const char *pattern, const struct glob_plan *plan, const char *string,
		     size_t len);

#endif /* MCPWATCH_GLOB_H */
