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

/* Does string match pattern? Allocation-free; O(len(pattern) * len(string)). */
bool glob_match(const char *pattern, const char *string);

#endif /* MCPWATCH_GLOB_H */
